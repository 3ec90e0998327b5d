// Every number in README.md and docs/ that reports a measurement comes from a committed file, and this test
// recomputes it from that file. A doc marks such a table or claim
//
//   <!-- numbers: NAME from PATH[, PATH…] -->  …  <!-- /numbers: NAME -->
//
// (PATH from the repository's root), names the file where a reader sees it, and a check below, keyed by the
// doc and NAME, renders the numbers from the file and compares them with the text. So a stale number fails, a
// marked block whose file is missing fails, a block no check knows fails, and a table outside every block fails
// unless NOT_DATA says why it holds no measurement. Wall-clock times of past runs (how long a cell took) are the
// one kind of number kept without a file: they say how a run went on a shared machine, and NOT_DATA lists them.
// Prose is checked where it is marked: a marked block's every number must be one a check renders (or a constant
// of the setting it lists), but numbers in unmarked prose are not found by this test.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ResultStore } from "../src/store.js";
import { FULL, plan } from "../src/experiments/sweeps.js";
import { costs, outcomes, pairedComparisons, pathNorms, stageName, type CellOutcome } from "../src/experiments/report.js";
import { ARXIV_TABLE1, NEURIPS_TABLE1, type PaperModel } from "../src/experiments/paper.js";
import { RESULTS_FILE } from "../src/experiments/reproduce.js";
import { atEqualCompute, type Stage } from "../src/experiments/cell.js";
import { neuripsTotal } from "../src/surf/schedule.js";
import { STALL } from "../src/surf/descent.js";
import { mcnemarExact, percentile, wilson } from "../src/surf/metrics.js";
import { norm } from "../src/tensor/vector.js";
import type { TrialResult } from "../src/surf/surf.js";
import { inScratchDirectory, kernels } from "./helpers.js";
import type { FashionMnist } from "../src/data/fashion-mnist.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "dist/src/cli/main.js");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const json = <T>(path: string): T => JSON.parse(read(path)) as T;

/** README.md and every Markdown file under docs/, as paths from the root. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] => readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? walk(path) : name.endsWith(".md") ? [path] : [];
  });
  return ["README.md", ...walk("docs").sort()];
}

interface Block {
  doc: string;
  name: string;
  sources: string[];
  /** What lies between the markers. */
  text: string;
  /** Where the opening marker starts in the doc. */
  at: number;
}

const OPEN = /<!-- numbers: ([\w-]+) from ([^>]+?) -->/g;

/** The marked blocks of a doc; an opening marker without its closing one is an error. */
function blocksOf(doc: string, text: string): Block[] {
  return [...text.matchAll(OPEN)].map((m) => {
    const close = `<!-- /numbers: ${m[1]} -->`, start = m.index! + m[0].length, end = text.indexOf(close, start);
    expect(end, `${doc}: "${m[0]}" has no ${close}`).to.be.above(-1);
    return { doc, name: m[1], sources: m[2].split(",").map((s) => s.trim()), text: text.slice(start, end), at: m.index! };
  });
}

/**
 * Blocks another test recomputes, marked its own way: the paper-scale cells, their rivals and the comparisons
 * pooled over training seeds, from table1-paper-scale/summary.json, and the answer cell by cell, by
 * test/experiments/results.test.ts.
 */
const ELSEWHERE = ["table1-paper-scale: cells", "table1-paper-scale: rivals", "table1-paper-scale: pooled", "equal-compute: answer", "table1-noise: cells"];

/** Text outside fenced code blocks and outside the numbers blocks (and ELSEWHERE's). */
function unmarked(text: string): string {
  let out = text.replace(/^```[\s\S]*?^```$/gm, "").replace(/<!-- numbers: ([\w-]+) from [^>]+ -->[\s\S]*?<!-- \/numbers: \1 -->/g, "");
  for (const name of ELSEWHERE) out = out.replace(new RegExp(`<!-- ${name} -->[\\s\\S]*?<!-- /${name} -->`, "g"), "");
  return out;
}

/** The Markdown tables of a text: each its header cells and its body rows' cells. */
function tables(text: string): { header: string[]; rows: string[][] }[] {
  const out: { header: string[]; rows: string[][] }[] = [];
  const cells = (line: string) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim().startsWith("|") || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) continue;
    const header = cells(lines[i]), rows: string[][] = [];
    for (i += 2; i < lines.length && lines[i].trim().startsWith("|"); i++) rows.push(cells(lines[i]));
    out.push({ header, rows });
  }
  return out;
}

/** The one table of a block. */
function tableOf(b: Block): { header: string[]; rows: string[][] } {
  const t = tables(b.text);
  expect(t, `${b.doc} ${b.name}: one table`).to.have.length(1);
  return t[0];
}

/**
 * Compare a table's body with the rows the data give, cell by cell: the message names the first cell that
 * differs and prints the rows the data give, to paste in.
 */
function expectRows(b: Block, expected: string[][], rows = tableOf(b).rows): void {
  const differs = rows.length !== expected.length ? `${rows.length} rows, the data give ${expected.length}`
    : expected.flatMap((want, i) => rows[i].length !== want.length ? [`row "${rows[i][0]}": ${rows[i].length} columns, the data give ${want.length}`]
      : want.flatMap((cell, j) => (rows[i][j] === cell ? [] : [`row "${rows[i][0]}", column ${j + 1}: "${rows[i][j]}", the data give "${cell}"`])))[0];
  if (differs) expect.fail(`${b.doc} ${b.name}: ${differs}. The rows from ${b.sources.join(", ")}:\n${expected.map((r) => `| ${r.join(" | ")} |`).join("\n")}`);
}

/** Numbers as a text writes them: 1,234 and 12.5 and 0.016 (not the digits of θ_0 or 10⁻⁴). */
function numbersIn(text: string): string[] {
  return [...text.matchAll(/(?<![\w_.^/⁻·-])\d[\d,]*(?:\.\d+)?(?![\w⁰¹²³⁴⁵⁶⁷⁸⁹⁻])/g)].map((m) => m[0].replace(/,$/, ""));
}

/**
 * A claim in prose: every phrase the data give is in the block, and every number the block writes is one of
 * those phrases' or a constant of the setting (k = 20, 0.01, …) — so no number in it goes unchecked.
 */
function expectProse(b: Block, phrases: string[], constants: (string | number)[] = []): void {
  const text = b.text.replace(/\s+/g, " ");
  for (const p of phrases) expect(text, `${b.doc} ${b.name}: the data say "${p}"`).to.include(p);
  const known = new Set([...phrases.flatMap(numbersIn), ...constants.map(String)]);
  const stray = numbersIn(text).filter((n) => !known.has(n));
  expect(stray, `${b.doc} ${b.name}: numbers no check recomputes`).to.deep.equal([]);
}

/**
 * x to d decimals, an exact tie to the even digit (1172.5 → 1172, 34.5 → 34), as the docs were written; a
 * percentage is best computed as 100·s/n, which is exact at the ties.
 */
function fixed(x: number, d: number): string {
  const scaled = x * 10 ** d, floor = Math.floor(scaled);
  const r = scaled - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) / 10 ** d : x;
  const s = r.toFixed(d);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}
/** One decimal, none when it is 0: 51 and 79.7. */
const short = (x: number) => fixed(x, 1).replace(/\.0$/, "");
/** Rounded to the hundred, with a thousands separator: 1,000 and 1,500. */
const hundreds = (x: number) => thousands(Number(fixed(x / 100, 0)) * 100);
const thousands = (x: number) => Math.round(x).toLocaleString("en-US");
/** A rate in %: one decimal, 100 and 0.0 as such; its Wilson interval in whole points. */
const rateCell = (successes: number, n: number) => {
  const w = wilson(successes, n);
  return `${successes === n ? "100" : fixed((100 * successes) / n, 1)} [${fixed(100 * w.low, 0)}, ${fixed(100 * w.high, 0)}]`;
};

// ——— the committed runs under docs/results, loaded once ———

const stores = new Map<string, ResultStore>();
function store(run: string): ResultStore {
  if (!stores.has(run)) stores.set(run, new ResultStore(join(ROOT, "docs/results", run, RESULTS_FILE)));
  return stores.get(run)!;
}
const sweeps = new Map<string, CellOutcome[]>();
function sweep(name: "table1" | "fig3" | "fig4"): CellOutcome[] {
  // Figure 4's plan holds its held-out images, which the stored trials do not need: blank ones stand in
  const blank = () => ({ heldOut: { count: 10000, images: new Uint8Array(10000 * 784) } }) as unknown as FashionMnist;
  if (!sweeps.has(name)) sweeps.set(name, outcomes(plan(name, FULL, "/unused", "0", blank), store(`${name}-seed-0`)));
  return sweeps.get(name)!;
}
const MODEL: Record<string, string> = { vae: "VAE", gan: "DCGAN", wgan: "WGAN", "wgan-gp": "WGAN-GP" };
const results = (c: CellOutcome, s: Stage): TrialResult[] => c.stages.get(s)!.results;
const successes = (r: readonly TrialResult[]) => r.filter((t) => t.success).length;
const cellOf = (cells: CellOutcome[], model: string, key: "k" | "m", v: number) => cells.find((c) => c.model === model && c[key] === v)!;

/** Table 1's equal-compute rivals, the strongest first (by success rate). */
function strongestRival(c: CellOutcome): Stage {
  const rivals = [...c.stages.keys()].filter(atEqualCompute);
  return rivals.sort((a, b) => successes(results(c, b)) - successes(results(c, a)))[0];
}

/** The median ‖x‖ after θ_0, θ_1, θ_99 and θ_T on surfing's path, and its steps on θ_0 and θ_T (at the cap). */
function pathRow(c: CellOutcome, cap: number): string[] {
  const p = pathNorms(c)!, T = p.medians.length - 1, paths = results(c, "surf").map((t) => t.path);
  const last = paths.map((q) => q[T].steps);
  return [fixed(p.medians[0], 1), fixed(p.medians[1], 1), fixed(p.medians[T - 1], 1), fixed(p.medians[T], 1),
    fixed(percentile(paths.map((q) => q[0].steps), 50), 0), `${fixed(percentile(last, 50), 0)} (${last.filter((s) => s >= cap).length})`];
}

const medianNorm = (r: readonly TrialResult[]) => fixed(percentile(r.map((t) => norm(t.xHat)), 50), 1);

type Check = (b: Block) => void;

/** Per doc and block name: how its numbers are recomputed. */
const CHECKS: Record<string, Check> = {
  // ——— README.md: Speed (bench/results) ———

  "README.md#gemm": (b) => {
    const data = json<{ impl: string; shape: string; gflops: number }[]>("bench/results/gemm.json");
    const impls = ["wasm NN", "wasm NN prepacked", "wasm NT", "wasm TN", "ts-twin", "ml-matrix", "tfjs-wasm NN", "tfjs-wasm NT"];
    const shapes = [...new Set(data.filter((r) => r.impl === "wasm NN").map((r) => r.shape))];
    expectRows(b, shapes.map((shape) => [shape.replace(/x/g, "×"), ...impls.map((impl) => {
      const g = data.find((r) => r.impl === impl && r.shape === shape)!.gflops;
      return g < 10 ? fixed(g, 2) : fixed(g, 1);
    })]));
  },
  "README.md#gemm-sparse": (b) => {
    const data = json<{ impl: string; shape: string; gflops: number; ms: number }[]>("bench/results/gemm.json");
    const impls = ["A 100 % nonzero", "A 60 % nonzero", "A 50 % nonzero", "A 30 % nonzero", "A 50 % nonzero, β = 1"];
    const shapes = [...new Set(data.filter((r) => r.impl === impls[0]).map((r) => r.shape))];
    expectRows(b, shapes.map((shape) => [shape.replace(/x/g, "×"), ...impls.map((impl) => {
      const r = data.find((x) => x.impl === impl && x.shape === shape)!;
      return `${fixed(r.gflops, 1)} (${fixed(r.ms, 2)})`;
    })]));
  },
  "README.md#network": (b) => {
    const data = json<{ net: string; backend: string; batch: number; stepsPerSecond: number }[]>("bench/results/network.json");
    const rate = (net: string, backend: string, batch: number) => {
      const r = data.find((x) => x.net === net && x.backend === backend && x.batch === batch);
      return r === undefined ? "—" : r.stepsPerSecond >= 100 ? thousands(r.stepsPerSecond) : fixed(r.stepsPerSecond, 1);
    };
    const rows: [string, string, string][] = [["MLP 20→256→512→784 (ReLU, ReLU, Sigmoid), wasm", "mlp 20-256-512-784", "wasm"], ["MLP, TS twin", "mlp 20-256-512-784", "js"],
      ["DCGAN generator at width ¼ (batch norm folded), wasm", "dcgan ×1/4", "wasm"], ["DCGAN ¼, TS twin", "dcgan ×1/4", "js"]];
    expectRows(b, rows.map(([label, net, backend]) => [label, ...[1, 32, 300].map((batch) => rate(net, backend, batch))]));
  },
  "README.md#surf": (b) => {
    const data = json<{ case: string; value: number }[]>("bench/results/surf.json");
    const v = (c: string, i = 0) => data.filter((x) => x.case.trim() === c)[i].value;
    expectRows(b, [["1 worker", fixed(v("surf inner step, B = 300, 1 worker"), 1)],
      ["2 workers (150 trials each)", `${fixed(v("surf inner step, B = 300, 2 workers"), 1)} (${fixed(v("2 workers / 1 worker"), 2)}×)`],
      ["tfjs-wasm, tuned: pre-transposed weights, hand-written backward", fixed(v("tfjs-wasm tuned (hand backward), B = 300"), 1)]]);
    expectProse({ ...b, text: b.text.split("\n|")[0] }, [`(${thousands(v("its gradient steps (all trials)"))} gradient steps) takes ${fixed(v("whole run T = 100, 300 trials, 1 worker"), 1)} s on one worker and ${fixed(v("whole run T = 100, 300 trials, 2 workers"), 1)} s on two`],
      [100, 300]);
  },
  "README.md#step": (b) => {
    const data = json<StepBench>("bench/results/step.json");
    const runners = ["ours", "baseline", "PyTorch 1 thread, OpenBLAS", "PyTorch 1 thread, system BLAS", "ours, 2 workers"];
    expectRows(b, STEP_TASKS.map(([label, task]) => [label, ...runners.map((runner) => {
      const r = data.rows.find((x) => x.task === task && x.runner === runner);
      return r ? `${fixed(r.ms, 1)} (${fixed(r.cpuMs, 1)})` : "";
    })]));
    const load = data.load;
    expectProse({ ...b, text: b.text.split("\n|")[0] }, [`load average ${fixed(Math.min(...load), 1)}–${fixed(Math.max(...load), 1)}`], [2, 1]);
  },
  "README.md#step-ratios": (b) => {
    const data = json<StepBench>("bench/results/step.json");
    const versus = ["baseline", "PyTorch 1 thread, OpenBLAS", "PyTorch 1 thread, system BLAS"];
    expectRows(b, STEP_TASKS.map(([label, task]) => [label, ...versus.map((v) => {
      const r = data.ratios.find((x) => x.task === task && x.versus === v)!;
      return `${fixed(r.speed, 2)} (${fixed(r.cpu, 2)})`;
    })]));
  },
  "README.md#step-prose": (b) => {
    const data = json<StepBench>("bench/results/step.json");
    const ms = (task: string, runner: string) => data.rows.find((x) => x.task === task && x.runner === runner)!;
    const torch = "PyTorch 1 thread, OpenBLAS";
    const two = ["train ×0.25", "train ×0.5", "train ×1"].map((t) => data.ratios.find((x) => x.task === t && x.versus === "ours, 2 workers")!);
    const cpu = ["train ×0.25", "train ×0.5", "train ×1"].map((t) => 100 * (ms(t, "ours, 2 workers").cpuMs / ms(t, "ours").cpuMs - 1));
    const signed = (x: number) => (x < 0 ? `−${fixed(-x, 0)}` : `+${fixed(x, 0)}`);
    expectProse(b, [
      `about ${fixed(ms("train ×1", "ours").ms / ms("train ×1", torch).ms, 1)}× and an inversion step about ${fixed(ms("invert ×1", "ours").ms / ms("invert ×1", torch).ms, 1)}×`,
      `gave ${two.map((r) => fixed(1 / r.speed, 1) + "×").slice(0, 2).join(", ")} and ${fixed(1 / two[2].speed, 1)}×`,
      `${data.criticalPath.map((c) => fixed(c.mainThread, 2)).slice(0, 2).join(", ")} and ${fixed(data.criticalPath[2].mainThread, 2)}`,
      `(${signed(Math.min(...cpu))} to ${signed(Math.max(...cpu))} %)`,
    ], [1, 2, 128, 256]);
  },

  // ——— README.md: the rest ———

  "README.md#until": (b) => {
    const cells = sweep("table1"), all = cells.flatMap((c) => (["regular", "surf"] as Stage[]).flatMap((s) => results(c, s)));
    const failures = all.filter((t) => !t.success).map((t) => t.f).sort((x, y) => x - y);
    const bound = failures.findIndex((f) => f >= 0.22);
    expect(failures.slice(0, bound), "failures with f below 0.22").to.have.length(1);
    expectProse(b, [`on our Table 1's ${thousands(all.length)} regular and surfing trials (${thousands(all.length / 2)} each) every success ended with f ≤ ${fixed(Math.max(...all.filter((t) => t.success).map((t) => t.f)), 3)}`,
      `all but one failure with f ≥ ${fixed(Math.floor(100 * failures[bound]) / 100, 2)}`]);
  },
  "README.md#interpolate": (b) => {
    const [k5, k20] = INTERPOLATED.map(([k, file]) => interpolated(k, file));
    expectProse(b, [`the first ${k5.straight.length} targets of Table 1's DCGAN with k = 5 it recovers ${successes(k5.straight)} where regular Adam recovers ${successes(k5.regular)} and surfing the real checkpoints ${successes(k5.surf)}, and with k = 20 it recovers ${successes(k20.straight)} where they recover ${successes(k20.regular)} and ${successes(k20.surf)}`], [1]);
  },
  "README.md#classifier": (b) => {
    const c = json<{ testAccuracy: number }>("assets/fid-classifier.json");
    expectProse(b, [`${fixed(100 * c.testAccuracy, 1)} % test accuracy`]);
  },
  "README.md#package": (b) => {
    // what `npm pack` would put in the tarball now (dist is built before the tests run)
    const [p] = JSON.parse(execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { size: number; unpackedSize: number }[];
    expectProse(b, [`${fixed(p.size / 1e6, 1)} MB packed, ${fixed(p.unpackedSize / 1e6, 1)} MB unpacked`]);
  },

  // ——— docs/results/README.md (the seed-0 runs; the paper-scale section is test/experiments/results.test.ts's) ———

  "docs/results/README.md#table1": (b) => {
    const rows = sweep("table1").map((c) => {
      const model = c.model as PaperModel, k = c.k as 5 | 10 | 20, ax = ARXIV_TABLE1[model][k], ne = NEURIPS_TABLE1[model][k];
      const budget = neuripsTotal(results(c, "regular")), cmp = pairedComparisons(c)!;
      const rival = strongestRival(c), winner = cmp.winner === "no significant difference" ? `${cmp.winner} (${rival === "restarts-1" ? "R = 1" : stageName(rival)})`
        : cmp.winner === "surfing" ? "surfing" : `${cmp.winner} (paired p = ${fixed(cmp.pairs.find((x) => stageName(x.rival) === cmp.winner)!.pHolm, 3)} after Holm)`;
      return [`${MODEL[c.model]}, ${c.k}`, ...["regular", "surf", "restarts-1", "restarts-2", "restarts-4", "restarts-8"].map((s) => rateCell(successes(results(c, s as Stage)), results(c, s as Stage).length)),
        `${fixed(percentile(results(c, "regular").map((t) => t.steps), 75), 0)} (${budget.capped})`, `${paper(ax.regular)} → ${paper(ax.surf)} / ${paper(ne.regular)} → ${paper(ne.surf)}`, winner];
    });
    expectRows(b, rows);
  },
  "docs/results/README.md#table1-cost": (b) => {
    const cells = sweep("table1"), cost = cells.map((c) => ({ c, x: costs(c)!, paper: NEURIPS_TABLE1[c.model as PaperModel][c.k as 5 | 10 | 20] }));
    const n = (x: number | null) => fixed(x!, 0), span = (xs: number[]) => `${fixed(Math.min(...xs), 2)}–${fixed(Math.max(...xs), 2)}`;
    const table = tableOf(b);
    expectRows(b, cost.map(({ c, x: { regular: r, surf: s }, paper }) => [
      `${MODEL[c.model]}, ${c.k}`, n(r!.ownP75), n(s!.ownP75), fixed(s!.ownRatio!, 2), String(s!.bothTrials), `${n(s!.bothP75)} / ${n(s!.regularBothP75)}`,
      fixed(s!.bothRatio!, 2), `${n(r!.spentP75)} / ${n(s!.spentP75)}`, `${paper.regularSteps} / ${paper.surfSteps}`, fixed(paper.surfSteps! / paper.regularSteps!, 2),
    ]), table.rows);
    const gan5 = cost.find(({ c }) => c.model === "gan" && c.k === 5)!;
    expectProse({ ...b, text: b.text.slice(b.text.lastIndexOf("|") + 1) }, [
      `Surfing costs ${span(cost.map(({ x }) => x.surf!.ownRatio!))} times regular Adam's steps to success here, against the paper's ${span(cost.map(({ paper }) => paper.surfSteps! / paper.regularSteps!))}`,
      `on the trials both recovered, ${span(cost.map(({ x }) => x.surf!.bothRatio!))}`,
      `is ${span(cost.map(({ x }) => x.regular!.spentP75 / x.regular!.ownP75!))} times its steps to success (DCGAN k = 5: ${n(gan5.x.regular!.spentP75)} against ${n(gan5.x.regular!.ownP75)})`,
      `took only ${gan5.paper.surfSteps! - gan5.paper.regularSteps!} steps more than its regular Adam there (${gan5.paper.surfSteps} against ${gan5.paper.regularSteps})`,
      `surfing spends ${span(cost.map(({ x }) => x.surf!.spentP75 / x.regular!.spentP75))} times regular Adam's steps`,
    ], [0.1, 100, 0.01, 1]);
  },
  "docs/results/README.md#table1-prose": (b) => {
    const cells = sweep("table1"), c = (model: string, k: number) => cellOf(cells, model, "k", k);
    const x = (model: string, k: number, s: Stage) => results(c(model, k), s);
    const r = (model: string, k: number, s: Stage) => rateCell(successes(x(model, k, s)), x(model, k, s).length).split(" ")[0];
    const ci = (model: string, k: number, s: Stage) => { const w = wilson(successes(x(model, k, s)), x(model, k, s).length); return `${fixed(100 * w.low, 0)}–${fixed(100 * w.high, 0)}`; };
    const ax = (m: PaperModel, k: 5 | 10 | 20) => `${paper(ARXIV_TABLE1[m][k].regular)} / ${paper(NEURIPS_TABLE1[m][k].regular)}`;
    const p75 = (model: string, k: number) => percentile(x(model, k, "regular").map((t) => t.steps), 75);
    // the 100-trial run, as committed before it was extended
    const before = json<{ cells: { id: string; stages: Record<string, { successes: number; trials: number; successInterval: [number, number] }> }[] }>("docs/results/table1-seed-0/summary-100-trials.json");
    const old = (model: string, k: number, s: Stage) => before.cells.find((o) => o.id === c(model, k).plan.cell.id)!.stages[s];
    const moves = cells.flatMap((cell) => [...cell.stages.keys()].map((s) => ({ cell, s, by: Math.abs(successes(results(cell, s)) / 3 - old(cell.model, cell.k, s).successes) })));
    const most = (ss: (s: Stage) => boolean) => moves.filter((m) => ss(m.s)).sort((p, q) => q.by - p.by)[0];
    const mostMethod = most((s) => s === "regular" || s === "surf"), mostRestart = most(atEqualCompute);
    for (const m of moves.filter((m) => m.s === "regular" || m.s === "surf")) {
      const [lo, hi] = old(m.cell.model, m.cell.k, m.s).successInterval, now = successes(results(m.cell, m.s)) / 300;
      expect(now, `${m.cell.plan.cell.id} ${m.s}: within its 100-trial interval`).to.be.within(lo, hi);
    }
    const moved = (m: typeof mostMethod) => `${MODEL[m.cell.model]} k = ${m.cell.k}, ${m.s === "regular" ? "regular Adam" : m.s === "surf" ? "surfing" : stageName(m.s)}: ${old(m.cell.model, m.cell.k, m.s).successes} → ${short((100 * successes(results(m.cell, m.s))) / 300)}`;
    // at k = 20 the 100-trial intervals of regular Adam and surfing overlapped and the 300-trial ones do not
    for (const model of ["gan", "wgan"]) {
      expect(old(model, 20, "regular").successInterval[1], `${model}: 100 trials`).to.be.above(old(model, 20, "surf").successInterval[0]);
      expect(wilson(successes(x(model, 20, "regular")), 300).high, `${model}: 300 trials`).to.be.below(wilson(successes(x(model, 20, "surf")), 300).low);
    }
    // the VAE: every method but one trial; surfing's one failure at k = 20 fits y
    for (const k of [5, 10, 20]) for (const s of ["regular", "surf"] as Stage[]) expect(300 - successes(x("vae", k, s))).to.be.at.most(1);
    const vaeMiss = x("vae", 20, "surf").filter((t) => !t.success);
    expect(vaeMiss.map((t) => t.pixelError < 1e-3)).to.deep.equal([true]);
    // the best of 8 on VAE k = 5, the trials 100–299 beside the first 100
    const b8 = x("vae", 5, "restarts-8"), firstHundred = b8.filter((t) => t.index < 100), rest = b8.filter((t) => t.index >= 100);
    const wgan5 = pairedComparisons(c("wgan", 5))!, best4 = wgan5.pairs.find((p) => p.rival === "restarts-4")!;
    const overlap = 100 * (wilson(successes(x("wgan", 5, "surf")), 300).high - wilson(successes(x("wgan", 5, "restarts-4")), 300).low);
    expect(overlap, "the unpaired intervals overlap by half a point").to.be.within(0.25, 0.75);
    const winners = cells.map((cell) => pairedComparisons(cell)!.winner), lost = winners.filter((w) => w !== "surfing" && w !== "no significant difference");
    const capped = cells.reduce((n, cell) => n + neuripsTotal(results(cell, "regular")).capped, 0);
    expect(capped, "regular runs at the cap").to.equal(0);
    expect(lost).to.have.length(1);
    expectProse(b, [
      // surfing reproduces
      `DCGAN ${r("gan", 5, "surf")} % against ${r("gan", 5, "regular")} % (k = 5) and ${r("gan", 10, "surf")} % against ${r("gan", 10, "regular")} % (k = 10), WGAN ${r("wgan", 5, "surf")} % against ${r("wgan", 5, "regular")} % and ${r("wgan", 10, "surf")} % against ${r("wgan", 10, "regular")} %`,
      `(DCGAN ${PAPER_SURF("gan", 5)} and ${PAPER_SURF("gan", 10)}, WGAN ${PAPER_SURF("wgan", 5)} and ${PAPER_SURF("wgan", 10)} in the arXiv / NeurIPS tables)`,
      `At k = 20 surfing recovers ${r("gan", 20, "surf")} % (DCGAN) and ${r("wgan", 20, "surf")} % (WGAN), as in the paper (${PAPER_SURF("gan", 20)} and ${PAPER_SURF("wgan", 20)}), against regular Adam's ${r("gan", 20, "regular")} % and ${r("wgan", 20, "regular")} %: with ${x("gan", 20, "regular").length} trials the intervals are apart (at ${old("gan", 20, "regular").trials} trials they were not)`,
      // regular Adam does better
      `at k = 5, ${r("gan", 5, "regular")} % (interval ${ci("gan", 5, "regular")}) on DCGAN against the paper's ${ax("gan", 5)} and ${r("wgan", 5, "regular")} % (${ci("wgan", 5, "regular")}) on WGAN against ${ax("wgan", 5)}`,
      `at k = 10, ${r("gan", 10, "regular")} % (${ci("gan", 10, "regular")}) on DCGAN against ${ax("gan", 10)} and ${r("wgan", 10, "regular")} % (${ci("wgan", 10, "regular")}) on WGAN against ${ax("wgan", 10)}`,
      `at k = 20, ${r("gan", 20, "regular")} % (${ci("gan", 20, "regular")}) on DCGAN against ${ax("gan", 20)}, while WGAN's ${r("wgan", 20, "regular")} % (${ci("wgan", 20, "regular")}) is near the paper's ${ax("wgan", 20)}`,
      `moved regular Adam's and surfing's rates by at most ${fixed(mostMethod.by, 1)} points (${moved(mostMethod)}), each within its 100-trial interval`,
      `up to ${fixed(mostRestart.by, 0)} points (${moved(mostRestart).replace(/, best of/, ", best of")}): trials 100–299 were harder for them (${short((100 * successes(rest)) / rest.length)} % against ${old("vae", 5, "restarts-8").successes} %)`,
      `the rate fell from ${old("vae", 5, "restarts-8").successes} to ${short((100 * successes(firstHundred)) / firstHundred.length)} % under the new budget`,
      // WGAN-GP
      `regular Adam already recovers ${r("wgan-gp", 5, "regular")}, ${r("wgan-gp", 10, "regular")} and ${r("wgan-gp", 20, "regular")} % at k = 5, 10, 20`,
      `(surfing ${r("wgan-gp", 5, "surf")}, ${r("wgan-gp", 10, "surf")}, ${r("wgan-gp", 20, "surf")}; the paper's regular Adam ${paper(ARXIV_TABLE1["wgan-gp"][5].regular)}, ${paper(ARXIV_TABLE1["wgan-gp"][10].regular)}, ${paper(ARXIV_TABLE1["wgan-gp"][20].regular)} in the arXiv table)`,
      `percentile ${thousands(NEURIPS_TABLE1["wgan-gp"][10].regularSteps!)} and ${thousands(NEURIPS_TABLE1["wgan-gp"][20].regularSteps!)} steps at k = 10 and 20`,
      `ours are our DCGAN's (${thousands(Number(fixed(p75("wgan-gp", 10), 0)))} and ${thousands(Number(fixed(p75("wgan-gp", 20), 0)))} against ${thousands(Number(fixed(p75("gan", 10), 0)))} and ${thousands(Number(fixed(p75("gan", 20), 0)))})`,
      // equal compute
      `surfing wins ${winners.filter((w) => w === "surfing").length} of the ${cells.length} cells and loses one`,
      `DCGAN k = 10 ${r("gan", 10, "surf")} % against ${r("gan", 10, "restarts-2")} % (best of 2), WGAN k = 10 ${r("wgan", 10, "surf")} % against ${r("wgan", 10, "restarts-2")} %, DCGAN k = 20 ${r("gan", 20, "surf")} % against ${r("gan", 20, "restarts-1")} % (R = 1), WGAN k = 20 ${r("wgan", 20, "surf")} % against ${r("wgan", 20, "restarts-1")} %`,
      `of 4 recovers ${r("gan", 5, "restarts-4")} % against surfing's ${r("gan", 5, "surf")} %`,
      `beats surfing, ${r("wgan", 5, "restarts-4")} % against ${r("wgan", 5, "surf")} %`,
      `on the same ${best4.trials} trials ${best4.rivalOnly} were recovered by the best of 4 alone and ${best4.surfOnly} by surfing alone, McNemar's p = ${fixed(best4.p, 3)} (${fixed(best4.pHolm, 3)} after Holm), a difference of ${signedPoints(best4.difference)} points [${signedPoints(best4.interval[0])}, ${signedPoints(best4.interval[1])}]`,
      `(about ${fixed(percentile(x("gan", 5, "surf").map((t) => t.steps), 50) / 8 / 100, 0)}00 at k = 5, at the median)`,
      `where one descent needs about ${thousands(Number(fixed(p75("vae", 20) / 500, 0)) * 500)} steps, the best of 2, 4 and 8 recover ${r("vae", 20, "restarts-2")}, ${r("vae", 20, "restarts-4")} and ${r("vae", 20, "restarts-8")} %`,
      // the cap
      `none of the ${thousands(cells.reduce((n, cell) => n + results(cell, "regular").length, 0))} regular-Adam runs hit the ${thousands(FULL.maxSteps)}-step cap`,
      `stops after ${thousands(STALL)} steps without progress`,
    ], [100, 300, 5, 10, 20, 1, 2, 4, 8, 0.1, "10", "4,000", 16, 3.1, 2019]);
  },

  // Figure 3: recovery rates (whole points) and the median ‖x̂_T‖ of each method, per m
  "docs/results/README.md#fig3-gan": (b) => expectRows(b, recoveryRows("gan")),
  "docs/results/README.md#fig3-wgan": (b) => expectRows(b, recoveryRows("wgan")),
  "docs/results/README.md#fig3-gan-path": (b) => expectRows(b, sweep("fig3").filter((c) => c.model === "gan").map((c) => [String(c.m), ...pathRow(c, 20000)])),
  "docs/results/README.md#fig3-wgan-path": (b) => {
    const wgan = sweep("fig3").filter((c) => c.model === "wgan"), after = (m: number, t: number) => fixed(pathNorms(cellOf(wgan, "wgan", "m", m))!.medians[t], 1);
    const from40 = wgan.filter((c) => c.m! >= 40).map((c) => pathNorms(c)!.medians[0]), beyond = wgan.filter((c) => c.m! > 10).map((c) => pathNorms(c)!.medians[99]);
    expectProse(b, [`(median ${after(10, 0)} at m = 10, ${after(30, 0)} at m = 30, ${fixed(Math.min(...from40), 1)}–${fixed(Math.max(...from40), 1)} from m = 40)`,
      `(its medians after θ_99 are ${after(10, 99)} at m = 10 and ${fixed(Math.min(...beyond), 1)}–${fixed(Math.max(...beyond), 1)} beyond)`], [2.6]);
  },
  "docs/results/README.md#fig3-prose": (b) => {
    const cells = sweep("fig3"), c = (model: string, m: number) => cellOf(cells, model, "m", m);
    const rate = (model: string, m: number, s: Stage) => { const r = results(c(model, m), s); return fixed((100 * successes(r)) / r.length, 0); };
    const w = (model: string, m: number, s: Stage) => { const r = results(c(model, m), s); return wilson(successes(r), r.length); };
    const apart = (model: string, m: number) => w(model, m, "surf").low > w(model, m, "regular").high || w(model, m, "regular").low > w(model, m, "surf").high;
    const ms = (model: string, keep: (m: number) => boolean) => cells.filter((x) => x.model === model && keep(x.m!)).map((x) => x.m!);
    const range = (xs: number[], d: number) => `${fixed(Math.min(...xs), d)}–${fixed(Math.max(...xs), d)}`;
    const path = (m: number) => pathNorms(c("gan", m))!.medians;
    // WGAN: apart from m = 70 on, overlapping below, nothing recovered at m ≤ 20
    for (const m of ms("wgan", () => true)) expect(apart("wgan", m), `WGAN m = ${m}: intervals apart`).to.equal(m >= 70);
    for (const m of ms("wgan", (m) => m <= 20)) expect(successes(results(c("wgan", m), "surf")) + successes(results(c("wgan", m), "regular"))).to.equal(0);
    expect(rate("wgan", 200, "regular")).to.equal(rate("wgan", 400, "regular"));
    for (const m of [200, 400]) expect(apart("gan", m) && w("gan", m, "surf").low > w("gan", m, "regular").high, `DCGAN m = ${m}`).to.equal(true);
    // DCGAN's path: back within a third of the sequence at m = 200; never back at m ≤ 100; further out on θ_T at m ≤ 70
    const T = path(200).length - 1, back = path(200).findIndex((v) => v < 2 * path(200)[T]);
    expect(back, "m = 200: back within twice its final norm").to.be.within(1, T / 3);
    for (const m of ms("gan", (m) => m <= 100)) expect(Math.min(...path(m)), `m = ${m}`).to.be.above(3 * Math.sqrt(20 / 3));
    for (const m of ms("gan", (m) => m <= 70)) expect(path(m)[T], `m = ${m}`).to.be.above(path(m)[T - 1]);
    for (const m of ms("gan", (m) => m <= 20)) expect(results(c("gan", m), "surf").filter((t) => t.path[T].steps >= FULL.maxSteps).length, `m = ${m}: at the cap`).to.be.above(100);
    const thetaZero = ms("gan", () => true).map((m) => path(m)[0]), stepsZero = ms("gan", () => true).map((m) => percentile(results(c("gan", m), "surf").map((t) => t.path[0].steps), 50));
    expectProse(b, [
      `${rate("wgan", 70, "surf")} % against ${rate("wgan", 70, "regular")} at m = 70, ${rate("wgan", 100, "surf")} against ${rate("wgan", 100, "regular")} at m = 100, ${rate("wgan", 200, "surf")} and ${rate("wgan", 400, "surf")} against ${rate("wgan", 200, "regular")} at m = 200 and 400`,
      `(${rate("gan", 200, "surf")} and ${rate("gan", 400, "surf")} % against ${rate("gan", 200, "regular")} and ${rate("gan", 400, "regular")}, intervals apart)`,
      `${rate("gan", 50, "surf")} % against ${rate("gan", 50, "regular")} at m = 50, ${rate("gan", 70, "surf")} against ${rate("gan", 70, "regular")} at m = 70, ${rate("gan", 100, "surf")} against ${rate("gan", 100, "regular")} at m = 100`,
      `(median ‖x̂_T‖ ${range(ms("gan", (m) => m <= 70).map((m) => Number(medianNorm(results(c("gan", m), "surf")))), 0)} at m ≤ 70, regular Adam's ${range(ms("gan", (m) => m <= 70).map((m) => Number(medianNorm(results(c("gan", m), "regular")))), 1)})`,
      `median ‖x‖ of ${range(thetaZero, 0)} within its first ~${hundreds(Math.min(...stepsZero))}–${hundreds(Math.max(...stepsZero))} steps`,
      `(${fixed(path(400)[1], 1)} after θ_1)`,
    ], [70, 20, 10, 200, 400, 100, 784, 50, 3]);
  },
  "docs/results/README.md#fig4-prose": (b) => {
    const cells = sweep("fig4"), c = (model: string, m: number) => cellOf(cells, model, "m", m);
    const ms = (model: string, keep: (m: number) => boolean) => cells.filter((x) => x.model === model && keep(x.m!)).map((x) => x.m!);
    const q = (model: string, m: number, s: Stage, p: number) => percentile(results(c(model, m), s).map((t) => t.pixelError), p);
    const lower = (model: string, m: number) => {
      const [reg, surf] = [results(c(model, m), "regular"), results(c(model, m), "surf")], theirs = new Map(reg.map((t) => [t.index, t.pixelError]));
      const n = surf.filter((t) => t.pixelError < theirs.get(t.index)!).length;
      return { pct: (100 * n) / surf.length, w: wilson(n, surf.length) };
    };
    const range = (xs: number[], d: number) => `${fixed(Math.min(...xs), d)}–${fixed(Math.max(...xs), d)}`;
    const across = (model: string, keep: (m: number) => boolean, f: (m: number) => number, d: number) => range(ms(model, keep).map(f), d);
    const norms = (m: number) => pathNorms(c("gan", m))!.medians, wnorms = (m: number) => pathNorms(c("wgan", m))!.medians;
    const bad = (m: number) => m <= 30 || m === 50;
    // WGAN: the interval of "surfing lower" above one half exactly from m = 50
    for (const m of ms("wgan", () => true)) expect(lower("wgan", m).w.low > 0.5, `WGAN m = ${m}`).to.equal(m >= 50);
    // m = 40: θ_0 pushes least of the m ≤ 100, in both figures
    for (const cs of [cells, sweep("fig3")]) {
      const first = cs.filter((x) => x.model === "gan" && x.m! <= 100).sort((x, y) => pathNorms(x)!.medians[0] - pathNorms(y)!.medians[0])[0];
      expect(first.m).to.equal(40);
    }
    const fig3at40 = pathNorms(cellOf(sweep("fig3"), "gan", "m", 40))!.medians[0];
    expectProse(b, [
      `from ${range([q("gan", 10, "regular", 50), q("gan", 10, "surf", 50), q("wgan", 10, "regular", 50), q("wgan", 10, "surf", 50)], 1)} at m = 10 to ${range([q("gan", 400, "regular", 50), q("gan", 400, "surf", 50), q("wgan", 400, "regular", 50), q("wgan", 400, "surf", 50)], 2)} at m = 400`,
      `the lower error on ${across("wgan", (m) => m >= 30, (m) => lower("wgan", m).pct, 0)} % of the trials`,
      `a median lower by ${across("wgan", (m) => m >= 30, (m) => q("wgan", m, "regular", 50) - q("wgan", m, "surf", 50), 3)}`,
      `(upper quartile ${across("wgan", (m) => m >= 30, (m) => q("wgan", m, "surf", 75), 3)} against ${across("wgan", (m) => m >= 30, (m) => q("wgan", m, "regular", 75), 3)})`,
      `(lower on ${fixed(lower("wgan", 10).pct, 0)} % and ${fixed(lower("wgan", 20).pct, 0)} % of trials)`,
      `a median ‖x‖ of ${fixed(wnorms(10)[0], 0)} and ${fixed(wnorms(20)[0], 0)}`, `(${fixed(wnorms(10)[wnorms(10).length - 1], 0)} at the end)`,
      `(lower on ${[100, 200].map((m) => fixed(lower("gan", m).pct, 0)).join(", ")} and ${fixed(lower("gan", 400).pct, 0)} % of trials at m = 100, 200, 400, medians ${[100, 200, 400].map((m) => fixed(q("gan", m, "surf", 50), 3)).join(", ")} against ${[100, 200, 400].map((m) => fixed(q("gan", m, "regular", 50), 3)).join(", ")})`,
      `(${fixed(lower("gan", 40).pct, 0)} and ${fixed(lower("gan", 70).pct, 0)} %)`,
      `(lower on ${across("gan", bad, (m) => lower("gan", m).pct, 0)} % of trials; medians ${across("gan", bad, (m) => q("gan", m, "surf", 50), 2)} against ${across("gan", bad, (m) => q("gan", m, "regular", 50), 2)})`,
      `a median ‖x‖ of ${across("gan", () => true, (m) => norms(m)[0], 0)} at every m`,
      `(median ‖x̂_T‖ ${across("gan", bad, (m) => Number(medianNorm(results(c("gan", m), "surf"))), 0)} at m ≤ 30 and 50, ${fixed(Number(medianNorm(results(c("gan", 40), "surf"))), 0)} at m = 40;`,
      `(${fixed(norms(40)[0], 1)} here, ${fixed(fig3at40, 1)} in Figure 3`,
    ], [10, 20, 30, 40, 50, 70, 100, 200, 400, 0.7, 10000, "10,000", 3]);
  },
  // Figure 4: per-pixel errors, the paired share where surfing's is lower, the median ‖x̂_T‖ of each method
  "docs/results/README.md#fig4-gan": (b) => expectRows(b, distortionRows("gan")),
  "docs/results/README.md#fig4-wgan": (b) => expectRows(b, distortionRows("wgan")),
  "docs/results/README.md#fig4-gan-path": (b) => expectRows(b, sweep("fig4").filter((c) => c.model === "gan").map((c) => [String(c.m), ...pathRow(c, 20000)])),
  "docs/results/README.md#fig4-wgan-path": (b) => expectRows(b, sweep("fig4").filter((c) => c.model === "wgan").map((c) => [String(c.m), ...pathRow(c, 20000)])),

  // ——— docs/surfing/interpolation.md ———

  "docs/surfing/interpolation.md#straight-path": (b) => {
    const runs = INTERPOLATED.map(([k, file]) => ({ k, ...interpolated(k, file) }));
    const pValue = (p: number) => (p < 0.001 ? "< 0.001" : fixed(p, 3));
    const alone = (a: readonly TrialResult[], b: readonly TrialResult[]) => { const x = paired(a, b); return `${x.aOnly} / ${x.bOnly} (${pValue(x.p)})`; };
    expectRows(b, runs.map(({ k, regular, surf, straight }) => [`DCGAN ¼, k = ${k} (Table 1's)`, String(straight.length),
      ...[regular, surf, straight].map((r) => rateCell(successes(r), r.length)), alone(straight, regular), alone(straight, surf)]));
    // the finding: below surfing on both, above regular Adam at k = 5 and below it at k = 20, each significant
    const [k5, k20] = runs;
    for (const { straight, surf } of runs) expect(paired(straight, surf).p).to.be.below(0.05);
    expect([successes(k5.straight) > successes(k5.regular), paired(k5.straight, k5.regular).p < 0.05]).to.deep.equal([true, true]);
    expect([successes(k20.straight) < successes(k20.regular), paired(k20.straight, k20.regular).p < 0.05]).to.deep.equal([true, true]);
    const median = (r: readonly TrialResult[]) => thousands(Number(fixed(percentile(r.map((t) => t.steps), 50), 0)));
    const budget = (k: number) => thousands(neuripsTotal(results(cellOf(sweep("table1"), "gan", "k", k), "regular")).total);
    const [p5, p20] = [paired(k5.straight, k5.regular), paired(k20.straight, k20.regular)];
    expectProse({ ...b, text: b.text.split("\n").filter((l) => !l.startsWith("|")).join("\n") }, [
      `B is ${budget(5)} at k = 5 and ${budget(20)} at k = 20`,
      `surfing the real checkpoints ${median(k5.surf)} and ${median(k20.surf)}, the straight path ${median(k5.straight)} and ${median(k20.straight)}`,
      `At k = 5, where regular Adam recovers ${successes(k5.regular)} of the ${k5.straight.length} targets, the straight path recovers ${successes(k5.straight)} — ${p5.aOnly} that regular Adam missed, against ${p5.bOnly} the other way — but surfing the real checkpoints recovers ${successes(k5.surf)}`,
      `At k = 20, where regular Adam already recovers ${successes(k20.regular)}, the straight path recovers ${successes(k20.straight)}: it loses ${p20.bOnly} of regular Adam's targets and adds ${p20.aOnly}`,
    ], [0.01, 95]);
  },

  // ——— docs/landscape/README.md ———

  "docs/landscape/README.md#dss-weights": (b) => {
    // the means from every pair's record (the file's own means are not trusted), all of them connected
    type Pair = { level: number; dss: { outcome: string; normalizedLength: number; beads: number } };
    const run = json<{ levels: number[]; pairs: number; sweeps: { task: string; pairs: Pair[] }[] }>("docs/landscape/weights-seed-0/landscape-weights.json");
    expect(tableOf(b).header.slice(1)).to.deep.equal(run.levels.map(String));
    const mean = (s: { pairs: Pair[] }, level: number, f: (p: Pair) => number) => {
      const at = s.pairs.filter((p) => p.level === level);
      expect(at.map((p) => p.dss.outcome)).to.deep.equal(new Array(run.pairs).fill("connected"));
      return at.reduce((sum, p) => sum + f(p), 0) / at.length;
    };
    expectRows(b, run.sweeps.flatMap((s) => [[`${s.task}: normalized length`, ...run.levels.map((l) => fixed(mean(s, l, (p) => p.dss.normalizedLength), 3))],
      [`${s.task}: beads`, ...run.levels.map((l) => fixed(mean(s, l, (p) => p.dss.beads), 1))]]));
    expectProse({ ...b, text: b.text.split("\n|")[0] }, [`(${run.pairs} pairs per level; every pair connected;`], [2026, 12, "07"]);
  },

  "docs/landscape/README.md#fig1": (b) => {
    interface Figure1 {
      images: number[];
      grid: { lo: number; hi: number; size: number };
      figure1: { stages: { t: number; regions: { count: number | null; skipped?: string } }[]; panels: { target: number; t: number; peak: { x: number[]; value: number } }[]; paths: { points: { x: number[]; f: number }[] }[] };
      dss: { checkpoints: number[]; starts: number; targets: { records: { step: number; startsBelow: number; runs: number; connected: number; normalizedLength: { max: number } | null; beads: { max: number } | null }[] }[] };
    }
    const [run, quick] = ["docs/landscape/fig1-seed-0/fig1.json.gz", "docs/landscape/fig1-quick-seed-0/fig1.json.gz"].map((f) => JSON.parse(gunzipSync(readFileSync(join(ROOT, f))).toString("utf8")) as Figure1);
    // DSS at every fifth checkpoint (and the last)
    const c = run.dss.checkpoints;
    expect(c.slice(1).map((t, i) => t - c[i])).to.deep.equal(new Array(c.length - 1).fill(5));
    // surfing ends within a grid step of the last surface's highest point, no higher
    const last = Math.max(...run.figure1.stages.map((s) => s.t)), h = (run.grid.hi - run.grid.lo) / (run.grid.size - 1);
    const ends = run.figure1.paths.map((p) => p.points[p.points.length - 1]);
    ends.forEach((end, i) => {
      const peak = run.figure1.panels.find((p) => p.target === i && p.t === last)!.peak;
      expect(Math.hypot(end.x[0] - peak.x[0], end.x[1] - peak.x[1]), `target ${i}`).to.be.at.most(h * Math.SQRT2 + 1e-12);
      expect(end.f, `target ${i}`).to.be.at.most(-peak.value);
    });
    // every pair that reached the level connected in one segment; the starts that did not reach it
    const records = run.dss.targets.flatMap((t) => t.records).filter((r) => r.runs > 0);
    for (const r of records) expect(r.connected).to.equal(r.runs);
    const longest = Math.max(...records.map((r) => r.normalizedLength!.max)), beads = Math.max(...records.map((r) => r.beads!.max));
    expect(beads).to.equal(0);
    const [a, bTarget] = run.dss.targets, starts = run.dss.starts;
    expect(a.records.every((r) => r.startsBelow === starts)).to.equal(true);
    const trapped = bTarget.records.filter((r) => r.startsBelow < starts), counts = [...new Set(trapped.map((r) => r.startsBelow))].sort((x, y) => y - x);
    const words = counts.map((n) => { const at = trapped.filter((r) => r.startsBelow === n).map((r) => r.step); return `${n} of ${starts} ${n === counts[0] ? "reached it " : ""}at step${at.length > 1 ? "s" : ""} ${at.join(" and ")}`; });
    const estimate = (s: { regions: { skipped?: string } }) => Number(/about (\d+)/.exec(s.regions.skipped ?? "")![1]);
    const first = run.figure1.stages[0], trained = run.figure1.stages[run.figure1.stages.length - 1];
    const drawn = quick.figure1.stages.map((s) => s.regions.count!);
    expectProse(b, [
      `targets held-out images ${run.images[0]} and ${run.images[1]}`, `(f = ${fixed(ends[0].f, 2)} and ${fixed(ends[1].f, 2)})`,
      `(normalized length ${fixed(longest, 3)}, no beads)`, `for target b, ${words.join(" and ")}, against ${starts} of ${starts} at every other checkpoint`,
      `about ${thousands(Number(fixed(estimate(first) / 1000, 0)) * 1000)} (θ_0) to ${thousands(Number(fixed(estimate(trained) / 1000, 0)) * 1000)} (trained)`,
      `has ${thousands(Math.min(...drawn))}–${thousands(Math.max(...drawn))}`,
    ], [2, "4,000", 101, 0.2, 4]);
  },

  // ——— docs/training/README.md ———

  "docs/training/README.md#speed": (b) => {
    const data = json<{ rows: { model: string; criticWidth: number; msPerStep: number; imagesPerSecond: number; cpuMsPerStep: number; sequenceMinutes: number }[] }>("bench/results/train.json");
    const partner: Record<string, string> = { vae: "encoder", gan: "discriminator", wgan: "critic", "wgan-gp": "critic" };
    const width: Record<number, string> = { 0.25: "×¼", 0.0625: "×1/16" };
    expectRows(b, data.rows.map((r) => [r.model, `${partner[r.model]} ${width[r.criticWidth]}`, `${fixed(r.msPerStep, 1)} (${fixed(r.imagesPerSecond, 0)})`, fixed(r.cpuMsPerStep, 1), fixed(r.sequenceMinutes, 1)]));
  },

  // ——— docs/verify/README.md: the checks the committed run made, each passed ———

  "docs/verify/README.md#checks": (b) => {
    const run = json<{ checks: { name: string; pass: boolean }[] }>("docs/verify/2026-11-23-seed-0/verify.json");
    expect(tableOf(b).rows.map((r) => r[0].replace(/`/g, ""))).to.deep.equal(run.checks.map((c) => c.name));
    for (const c of run.checks) expect(c.pass, c.name).to.equal(true);
  },
};

interface StepBench {
  load: number[];
  rows: { task: string; runner: string; ms: number; cpuMs: number }[];
  ratios: { task: string; versus: string; speed: number; cpu: number }[];
  criticalPath: { task: string; mainThread: number }[];
}
const STEP_TASKS: [string, string][] = ["train", "invert"].flatMap((s) => [["¼", "0.25"], ["½", "0.5"], ["1", "1"]].map(([w, x]) => [`${s} ×${w}`, `${s} ×${x}`] as [string, string]));

/** The paper's surfing rates, arXiv / NeurIPS. */
const PAPER_SURF = (m: PaperModel, k: 5 | 10 | 20) => `${paper(ARXIV_TABLE1[m][k].surf)} / ${paper(NEURIPS_TABLE1[m][k].surf)}`;
/** A rate of the paper's, as its tables print it (75.0, 100). */
const paper = (x: number) => (x === 100 ? "100" : x.toFixed(1));
/** A difference of rates in points, signed with a minus sign. */
const signedPoints = (d: number) => (d < 0 ? `−${fixed(-100 * d, 1)}` : fixed(100 * d, 1));

/** The straight-path runs: k, and the journal of surfing θ(s) on Table 1's DCGAN cell's first trials. */
const INTERPOLATED: [number, string][] = [[5, "docs/surfing/interpolation/gan-k5.jsonl"], [20, "docs/surfing/interpolation/gan-k20.jsonl"]];

/**
 * A straight-path run beside Table 1's regular Adam and surfing on the same trials: its journal's trials
 * are the cell's first ones, the same x* and x_init by index (checked), so the three are paired.
 */
function interpolated(k: number, file: string): { regular: TrialResult[]; surf: TrialResult[]; straight: TrialResult[] } {
  const journal = new ResultStore(join(ROOT, file)), cell = cellOf(sweep("table1"), "gan", "k", k);
  const records = (journal.matching("invert/surf/") as unknown as { trial: number; budget: number; result: TrialResult }[]).sort((a, b) => a.trial - b.trial);
  // surfing θ(s) under the budget the cell's surfing had: its regular Adam's 75th percentile
  for (const r of records) expect(r.budget, `k = ${k}: the cell's budget`).to.equal(neuripsTotal(results(cell, "regular")).total);
  const straight = records.map((r) => r.result), trials = straight.length;
  const first = (s: Stage) => results(cell, s).filter((t) => t.index < trials);
  const [regular, surf] = [first("regular"), first("surf")];
  expect(straight.map((t) => t.index)).to.deep.equal(regular.map((t) => t.index));
  straight.forEach((t, i) => expect([t.xStar, t.xInit], `k = ${k}, trial ${t.index}: Table 1's x* and x_init`).to.deep.equal([regular[i].xStar, regular[i].xInit]));
  return { regular, surf, straight };
}
/** Two methods on the same trials (in the same order): the trials only one of them recovered, and McNemar's exact p. */
function paired(a: readonly TrialResult[], b: readonly TrialResult[]): { aOnly: number; bOnly: number; p: number } {
  const aOnly = a.filter((t, i) => t.success && !b[i].success).length, bOnly = a.filter((t, i) => !t.success && b[i].success).length;
  return { aOnly, bOnly, p: mcnemarExact(aOnly, bOnly) };
}

function recoveryRows(model: string): string[][] {
  const whole = (r: readonly TrialResult[]) => { const w = wilson(successes(r), r.length); return `${fixed((100 * successes(r)) / r.length, 0)} [${fixed(100 * w.low, 0)}, ${fixed(100 * w.high, 0)}]`; };
  return sweep("fig3").filter((c) => c.model === model).map((c) => {
    const [reg, surf] = [results(c, "regular"), results(c, "surf")];
    return [String(c.m), String(reg.length), whole(reg), whole(surf), `${medianNorm(reg)} / ${medianNorm(surf)}`];
  });
}

function distortionRows(model: string): string[][] {
  const errors = (r: readonly TrialResult[]) => { const e = r.map((t) => t.pixelError), q = (p: number) => fixed(percentile(e, p), 3); return `${q(50)} [${q(25)}, ${q(75)}]`; };
  return sweep("fig4").filter((c) => c.model === model).map((c) => {
    const [reg, surf] = [results(c, "regular"), results(c, "surf")], theirs = new Map(reg.map((t) => [t.index, t.pixelError]));
    const lower = surf.filter((t) => t.pixelError < theirs.get(t.index)!).length, w = wilson(lower, surf.length);
    return [String(c.m), String(reg.length), errors(reg), errors(surf), `${fixed((100 * lower) / surf.length, 0)} [${fixed(100 * w.low, 0)}, ${fixed(100 * w.high, 0)}]`, `${medianNorm(reg)} / ${medianNorm(surf)}`];
  });
}

/**
 * Tables that hold no measurement, and why: settings, file formats, commands, and wall-clock logs of past runs.
 * Each is found by its doc and its header's first cells.
 */
const NOT_DATA: { doc: string; header: string; why: string }[] = [
  { doc: "README.md", header: "place | what", why: "the source tree" },
  { doc: "docs/landscape/README.md", header: "module | what it is", why: "the source tree" },
  { doc: "docs/ARCHITECTURE.md", header: "module | what it owns | may import", why: "the source tree and its import rules (test/architecture.test.ts checks them)" },
  { doc: "docs/references.md", header: "key | work | what the project takes from it", why: "the papers implemented" },
  { doc: "docs/references.md", header: "key | work | cited for", why: "the works cited in the code" },
  { doc: "docs/training/README.md", header: "model | grid | command", why: "sample grids (PNG files) and their commands" },
  { doc: "docs/training/README.md", header: "model | loss | optimizer (both networks)", why: "hyper-parameters: src/train/hyperparameters.ts" },
  { doc: "docs/verify/README.md", header: "file | what it is", why: "file formats" },
  { doc: "docs/results/README.md", header: " | here | the paper", why: "settings: how each run departs from the paper's protocol" },
  { doc: "docs/results/README.md", header: "cell | training (retrained), min", why: "wall-clock log of the 300-trial run" },
  { doc: "docs/cluster/README.md", header: "sweep (default scale) | cells (tasks)", why: "wall-clock times of past runs (docs/results, docs/training), to size a job array" },
];

describe("docs: every measured number is recomputed from the committed file it names", function () {
  this.timeout(120000);
  // the docs' numbers against their files do not depend on the kernels' backend: checked once, on the WASM pass of npm test
  before(function () {
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: nothing here runs on the kernels (see above)
  });
  const docs = markdownFiles().map((doc) => ({ doc, text: read(doc) }));
  const blocks = docs.flatMap(({ doc, text }) => blocksOf(doc, text));

  it("finds the marked tables and claims of README.md and docs/", () => {
    expect(docs.map((d) => d.doc)).to.include.members(["README.md", "docs/results/README.md", "docs/landscape/README.md", "docs/surfing/interpolation.md"]);
    expect(blocks.length).to.be.at.least(Object.keys(CHECKS).length);
  });

  it("each block's source is committed, named where the reader sees it, and recomputed by a check", () => {
    for (const b of blocks) {
      const where = `${b.doc}: numbers ${b.name}`;
      for (const s of b.sources) {
        expect(existsSync(join(ROOT, s)), `${where}: its source ${s} is missing`).to.equal(true);
        // the path as the doc would link it, or from the root, in the block or the text since the heading above it
        const doc = read(b.doc), heading = Math.max(0, doc.lastIndexOf("\n#", b.at)), seen = doc.slice(heading, doc.indexOf("-->", b.at + b.text.length + 20));
        const named = [s, relative(dirname(b.doc), s)].some((p) => seen.includes(p));
        expect(named, `${where}: ${s} is not named in its section`).to.equal(true);
      }
      expect(CHECKS[`${b.doc}#${b.name}`], `${where}: no check recomputes it`).to.be.a("function");
    }
  });

  it("every check finds its block", () => {
    const found = new Set(blocks.map((b) => `${b.doc}#${b.name}`));
    for (const key of Object.keys(CHECKS)) expect(found.has(key), `${key}: its markers are gone`).to.equal(true);
  });

  it("no table outside the marked blocks, but those that hold no measurement", () => {
    for (const { doc, text } of docs) {
      for (const t of tables(unmarked(text))) {
        const head = t.header.join(" | ");
        const exempt = NOT_DATA.find((x) => x.doc === doc && head.startsWith(x.header));
        expect(exempt, `${doc}: the table "${head}" names no source (mark it <!-- numbers: NAME from FILE -->, or say in NOT_DATA why it is not data)`).to.not.equal(undefined);
      }
    }
  });

  it("README.md: the regions example's comment is what the command prints", () => {
    inScratchDirectory("docs-numbers", (dir) => {
      const surf = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: "utf8" });
      surf("net", "random", "--arch", "2,30,7", "--seed", "21", "--out", "s21.safetensors");
      const r = JSON.parse(surf("regions", "s21.safetensors", "--box", "inf", "--json")) as { count: number; regions: { bounded: boolean }[] };
      expect(read("README.md")).to.include(`# all ${r.count} regions of R², the ${r.regions.filter((x) => !x.bounded).length} unbounded ones`);
    });
  });

  for (const b of blocks) {
    const check = CHECKS[`${b.doc}#${b.name}`];
    if (check) it(`${b.doc}: ${b.name}`, () => check(b));
  }
});
