// surf reproduce's sweeps end to end on the quick scale: every cell of Table 1 filled; shards merged equal
// the unsharded run; another seed's results and checkpoints refused.
import { expect } from "chai";
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { join } from "node:path";
import { merge, reproduce, RESULTS_FILE } from "../../src/experiments/reproduce.js";
import { ResultStore } from "../../src/store.js";
import { parseShard } from "../../src/experiments/shard.js";
import { ensureTrained, plan, QUICK } from "../../src/experiments/sweeps.js";
import { InputError } from "../../src/errors.js";
import { expectUsageErrors, killRepeatedly, lockHolder, MAIN, surf } from "../cli/cli.test.js";
import { greyPng } from "../../src/report/png.js";
import { openSequence } from "../../src/surf/sequence.js";
import type { TrialResult } from "../../src/surf/surf.js";
import { kernels, scratchDirectory } from "../helpers.js";

describe("surf reproduce (quick)", function () {
  this.timeout(600000);
  // End to end: training, the worker pool, the store and the report. It exercises orchestration, not
  // arithmetic (the kernel tests hold the TS twin to the WASM kernels bit for bit), and on the twin it
  // costs minutes of CI for nothing more: it runs on the WASM backend only.
  before(function () {
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: orchestration, not arithmetic (see above)
  });
  let dir = "";
  scratchDirectory("reproduce", (d) => (dir = d));
  const common = { quick: true, scale: { trials: 3 }, seed: "7", workers: 2, version: "test" };

  it("table1 --quick: every model × k cell has every method's rate, and the report shows them beside the paper's", async () => {
    const out = join(dir, "table1");
    const fractions: number[] = [];
    const { report, summary } = await reproduce("table1", { ...common, shard: parseShard("1/1"), out, onProgress: (_, f) => fractions.push(f) });
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), "progress never goes back").to.equal(true);
    expect(fractions.at(-1)).to.equal(1);
    const cells = summary.cells as { id: string; stages: Record<string, { trials: number; successRate: number | null }> }[];
    expect(cells.map((c) => c.id)).to.have.length(12);
    for (const c of cells) {
      expect(Object.keys(c.stages), c.id).to.deep.equal(["regular", "surf", "restarts-1", "restarts-2"]);
      for (const s of Object.values(c.stages)) {
        expect(s.trials).to.equal(3);
        expect(s.successRate).to.be.a("number");
      }
    }
    const html = readFileSync(report, "utf8");
    expect(html).to.match(/DCGAN, k = 20/);
    expect(html).to.match(/48\.3 \/ 78\.3; 618 \/ 741/);   // NeurIPS DCGAN k = 5 beside ours
    expect((html.match(/<svg/g) ?? []).length).to.equal(1 + 24);   // FID along the sequences; Figures 2 and 5: two histograms per cell
    expect(html).not.to.match(/<script|(src|href)="https?:/);
    // Sample reconstructions: per cell, the target y and G_θT(x̂) of regular Adam and surfing for its 3 trials
    expect((html.match(/<img src="data:image\/png;base64,/g) ?? []).length).to.equal(12 * 3 * 3);
    const store = new ResultStore(join(out, RESULTS_FILE)), trial = store.get("table1/wgan/k10/surf/2")!.result as TrialResult;
    // R = 1 is regular Adam stopped at surfing's step count: the same run wherever regular Adam converged first
    let same = 0;
    for (const c of cells) {
      for (let i = 0; i < 3; i++) {
        const [regular, surfed, one] = ["regular", "surf", "restarts-1"].map((s) => store.get(`${c.id}/${s}/${i}`)!.result as TrialResult);
        expect(one.steps, `${c.id} ${i}`).to.be.at.most(surfed.steps);
        if (regular.converged && regular.steps <= surfed.steps && ++same) expect(one.xHat, `${c.id} ${i}`).to.deep.equal(regular.xHat);
      }
    }
    expect(same).to.be.above(0);
    const final = openSequence({ kind: "path", path: join(out, "checkpoints", "wgan-k10-every10") }), net = final.load(final.length - 1);
    const dataUri = (image: ArrayLike<number>) => `data:image/png;base64,${Buffer.from(greyPng(image, 28, 28)).toString("base64")}`;
    const [y, reconstruction] = net.forward([trial.xStar!, trial.xHat]);
    expect(html).to.include(dataUri(y)).and.include(dataUri(reconstruction));
    net.free();
    // One more trial on the same --out: the trained sequences are reused, so the progress fraction counts
    // only inversions — the first update falls in the first of 12 cells' first of 4 stages, where a training
    // share for the reused sequence would put it past half of that cell
    const more: number[] = [];
    await reproduce("table1", { ...common, scale: { trials: 4 }, shard: parseShard("1/1"), out, onProgress: (_, f) => more.push(f) });
    expect(more[0]).to.be.above(0).and.at.most(1 / 4 / 12);
    expect(more.at(-1)).to.equal(1);
  });

  it("surf reproduce killed (SIGKILL) at 20 instants and resumed each time ends with exactly the uninterrupted results", async () => {
    const killed = join(dir, "killed"), whole = join(dir, "whole");
    const argv = ["reproduce", "fig3", "--quick", "--trials", "3", "--workers", "1", "--seed", "5"];
    expect(surf([...argv, "--out", whole]).code).to.equal(0);
    const results = join(killed, RESULTS_FILE), lock = join(killed, ".surf.lock");
    // what the run has done: the files it has made (checkpoints, samples, states, temporary files about to be
    // renamed, the report) and the bytes of its results
    const progress = () => (existsSync(killed) ? readdirSync(killed, { recursive: true }).length : 0) + (existsSync(results) ? statSync(results).size : 0);
    // every fifth kill as soon as the run holds its lock (before it has read anything), the others a few
    // milliseconds after a file appeared or results were appended — in training, between a checkpoint's writes,
    // in measuring FID, in a cell's stage, in writing the report
    const kills = await killRepeatedly(() => [...argv, "--out", killed], { progress, early: (pid) => lockHolder(lock) === pid, delay: (i) => (i * 11) % 30 });
    expect(kills, "most instants fell inside the run").to.be.at.least(15);
    const r = surf([...argv, "--out", killed]);
    expect(r.code, r.stderr).to.equal(0);
    const records = (d: string) => Object.fromEntries(new ResultStore(join(d, RESULTS_FILE)).matching("").map((x) => [x.key, x]));
    expect(records(killed)).to.deep.equal(records(whole));
    expect(readFileSync(join(killed, "summary.json"), "utf8")).to.equal(readFileSync(join(whole, "summary.json"), "utf8"));
    expect(readdirSync(killed, { recursive: true, encoding: "utf8" }).filter((f) => /\.tmp-\d+$/.test(f)), "temporary files left by the kills").to.deep.equal([]);
  });

  it("a generator's damaged FID record is measured again; a damaged digest of θ_T is refused", async () => {
    const damaged = join(dir, "damaged"), whole = join(dir, "whole");   // the previous test's uninterrupted run
    cpSync(whole, damaged, { recursive: true });
    const options = { quick: true, scale: { trials: 3 }, shard: parseShard("1/1"), out: damaged, seed: "5", workers: 1, version: "test" };
    const fid = "generator/gan-k20-every10/fid/40", digest = "generator/gan-k20-every10/sha256";
    appendFileSync(join(damaged, RESULTS_FILE), JSON.stringify({ key: fid, value: null }) + "\n");
    await reproduce("fig3", options);
    expect(new ResultStore(join(damaged, RESULTS_FILE)).get(fid)).to.deep.equal(new ResultStore(join(whole, RESULTS_FILE)).get(fid));
    appendFileSync(join(damaged, RESULTS_FILE), JSON.stringify({ key: digest, value: "garbage" }) + "\n");
    let refused: unknown;
    await reproduce("fig3", options).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(InputError);
    expect((refused as Error).message).to.match(/the record "generator\/gan-k20-every10\/sha256" is damaged/);
  });

  it("shards 1/2 and 2/2, merged, equal the unsharded run", async () => {
    const whole = join(dir, "fig3"), a = join(dir, "fig3-a"), b = join(dir, "fig3-b"), merged = join(dir, "fig3-merged");
    await reproduce("fig3", { ...common, shard: parseShard("1/1"), out: whole });
    await reproduce("fig3", { ...common, shard: parseShard("1/2"), out: a });
    await reproduce("fig3", { ...common, shard: parseShard("2/2"), out: b });
    const m = merge("fig3", [a, b], { ...common, out: merged });
    const records = (d: string) => {
      const s = new ResultStore(join(d, RESULTS_FILE));
      return Object.fromEntries(s.matching("").map((r) => [r.key, r]));
    };
    const expected = records(whole);
    expect(Object.keys(expected).filter((k) => k.startsWith("fig3/"))).to.have.length(2 * 2 * 2 * 3);   // models × m × stages × trials
    // beside the trials: each cell's spec, each sequence's θ_T digest and FID at θ_0..θ_T
    expect(Object.keys(expected).filter((k) => !k.startsWith("fig3/"))).to.have.length(2 * 2 + 2 * (1 + 5));
    expect(records(merged)).to.deep.equal(expected);
    const unsharded = JSON.parse(readFileSync(join(whole, "summary.json"), "utf8"));
    expect(m.summary.cells).to.deep.equal(unsharded.cells);
  });

  it("a Kubernetes Indexed Job's three pods at once on one --out (JOB_COMPLETION_INDEX 0–2, SURF_SHARDS=3); surf merge --sweep fig3 OUT equals the unsharded run", async () => {
    const out = join(dir, "indexed"), whole = join(dir, "fig3");   // the previous test's unsharded run
    const argv = ["reproduce", "fig3", "--quick", "--trials", "3", "--seed", "7", "--workers", "1", "--out", out];
    // as the Job's pods: together, each with only its index and the count the manifest sets (no --shard)
    const pods = await Promise.all([0, 1, 2].map((i) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [MAIN, ...argv], { env: { ...process.env, JOB_COMPLETION_INDEX: String(i), SURF_SHARDS: "3" }, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    })));
    for (const [i, pod] of pods.entries()) {
      expect(pod.code, pod.stderr).to.equal(0);
      expect(pod.stderr.split("\n")[0]).to.equal(`surf: no --shard given in a Kubernetes task, so --shard auto: shard ${i + 1}/3 (JOB_COMPLETION_INDEX=${i}, SURF_SHARDS=3); writing ${join(out, `shard-${i + 1}-of-3`)}`);
    }
    // each pod wrote only its own subdirectory
    expect(readdirSync(out).sort()).to.deep.equal(["shard-1-of-3", "shard-2-of-3", "shard-3-of-3"]);
    const r = surf(["merge", "--sweep", "fig3", out]);
    expect([r.code, r.stderr, r.stdout]).to.deep.equal([0, "", `wrote ${join(out, "report.html")}\n`]);
    const records = (d: string) => Object.fromEntries(new ResultStore(join(d, RESULTS_FILE)).matching("").map((x) => [x.key, x]));
    expect(records(out)).to.deep.equal(records(whole));
    expect(readFileSync(join(out, "summary.json"), "utf8")).to.equal(readFileSync(join(whole, "summary.json"), "utf8"));
    // the report has each cell's sample reconstructions, from the sequences where the shards trained them
    expect(readFileSync(join(out, "report.html"), "utf8")).not.to.include("cells have no images here");
  });

  it("surf merge --sweep NAME OUT refuses missing, unfinished, running and unlike shards, naming them; --allow-partial merges what is there and says so", () => {
    const indexed = join(dir, "indexed"), whole = JSON.parse(readFileSync(join(dir, "fig3", "summary.json"), "utf8"));
    const copy = (name: string) => {
      const to = join(dir, name);
      cpSync(indexed, to, { recursive: true });
      for (const f of ["results.jsonl.gz", "report.html", "summary.json"]) rmSync(join(to, f));   // the merge's own
      return to;
    };
    const shardJson = (out: string, i: number) => join(out, `shard-${i}-of-3`, "shard.json");
    const edit = (out: string, i: number, change: (r: { scale: Record<string, unknown> }) => void) => {
      const r = JSON.parse(readFileSync(shardJson(out, i), "utf8"));
      change(r);
      writeFileSync(shardJson(out, i), JSON.stringify(r));
    };
    const missing = copy("missing");
    rmSync(join(missing, "shard-3-of-3"), { recursive: true });
    writeFileSync(join(missing, "shard-2-of-3", ".surf.lock"), JSON.stringify({ pid: process.pid, host: hostname() }));
    const unfinished = copy("unfinished");
    for (const i of [1, 2, 3]) edit(unfinished, i, (r) => Object.assign(r.scale, { trials: 4, csTrials: 4 }));   // as if stopped short of 4 trials
    const unlike = copy("unlike");
    edit(unlike, 2, (r) => Object.assign(r.scale, { trials: 4, csTrials: 4 }));
    const foreign = copy("foreign");
    writeFileSync(join(foreign, "shard-1-of-3", ".surf.lock"), JSON.stringify({ pid: 1, host: "elsewhere" }));
    const counts = copy("counts");
    mkdirSync(join(counts, "shard-1-of-4"));
    expectUsageErrors([
      [["merge", "--sweep", "fig3", missing], new RegExp(`^surf: ${missing}: 2 of 3 shards missing or unfinished: shard-2-of-3 \\(still running: PID ${process.pid}\\), shard-3-of-3 \\(not there\\); run them \\(a rerun resumes\\), or merge what is there with --allow-partial\\n$`)],
      [["merge", "--sweep", "fig3", unfinished], /3 of 3 shards missing or unfinished: shard-1-of-3 \(unfinished: 2 of its 2 cells\), shard-2-of-3 \(unfinished: 1 of its 1 cells\), shard-3-of-3 \(unfinished: 1 of its 1 cells\)/],
      [["merge", "--sweep", "fig3", foreign], /1 of 3 shards missing or unfinished: shard-1-of-3 \(locked by PID 1 on elsewhere: still running, or killed there; then delete shard-1-of-3.\.surf\.lock and run it again\);/],
      [["merge", "--sweep", "fig3", unlike], /its shards ran with different settings: trials 3 in shard-1-of-3, shard-3-of-3 but 4 in shard-2-of-3; run them alike\n$/],
      [["merge", "--sweep", "fig3", counts], /shards of 3 and 4 tasks side by side \(shard-1-of-3, shard-2-of-3, shard-3-of-3; shard-1-of-4\)/],
      [["merge", "--sweep", "table1", indexed], /shard-1-of-3.shard\.json: a shard of fig3, not of table1 \(--sweep\)\n$/],
      [["merge", "--sweep", "fig3", "--trials", "5", indexed], /^surf: --trials 5 given, but the shards under .* ran with 3 \(give no scale flags: merge takes the shards'\)\n$/],
      [["merge", "--sweep", "fig3", "--seed", "8", indexed], /^surf: --seed 8, but the shards under .* ran with --seed 7\n$/],
      [["merge", "--sweep", "fig3", join(dir, "fig3")], /fig3: no shards under it \(shard-I-of-N directories, written by surf reproduce fig3 --shard auto --out /],
      [["merge", "--sweep", "fig3", "--out", join(dir, "m"), unlike], /unlike: no results\.jsonl\(\.gz\) there: not the --out of a surf reproduce run; it holds shards: surf merge --sweep fig3 .*unlike finds them\n$/],
      [["merge", "--sweep", "fig3", "--allow-partial", "--out", join(dir, "m"), join(dir, "fig3")], /^surf: --allow-partial goes with surf merge --sweep NAME OUT/],
    ]);
    // the same settings given again change nothing
    expect(surf(["merge", "--sweep", "fig3", "--quick", "--trials", "3", "--seed", "7", "--models", "gan,wgan", "--m", "10,50", indexed]).code).to.equal(0);
    // --allow-partial: what is there is merged (shard 1: the lock on shard 2 names this live process, so it
    // counts as running), and the report and summary.json say what is not
    const r = surf(["merge", "--sweep", "fig3", "--allow-partial", missing]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal(`surf: a partial merge, without shard-2-of-3 (still running: PID ${process.pid}), shard-3-of-3 (not there) (the report and summary.json say so)\n`);
    const summary = JSON.parse(readFileSync(join(missing, "summary.json"), "utf8"));
    expect(summary.partial).to.deep.equal({ shards: 3, missing: [`shard-2-of-3 (still running: PID ${process.pid})`, "shard-3-of-3 (not there)"] });
    // fig3's quick cells gan m10, gan m50, wgan m10, wgan m50 fall in shards 1, 2, 3, 1: cells 0 and 3 whole, 1 and 2 empty
    expect(summary.cells[0]).to.deep.equal(whole.cells[0]);
    expect(summary.cells[3]).to.deep.equal(whole.cells[3]);
    expect([1, 2].map((j) => summary.cells[j].stages)).to.deep.equal([{}, {}]);
    expect(readFileSync(join(missing, "report.html"), "utf8")).to.include("PARTIAL: merged without shard-2-of-3");
  });

  it("--rivals and --ablations add stages to a cell already run: the rivals within surfing's steps per trial, all compared paired", async () => {
    const out = join(dir, "rivals"), base = { ...common, shard: parseShard("1/1"), out };
    const cells = { models: ["gan" as const], ks: [5], restarts: [2], trials: 3 };
    await reproduce("table1", { ...base, scale: cells });
    const earlier = join(dir, "rivals-earlier");
    cpSync(out, earlier, { recursive: true });
    const before = new ResultStore(join(out, RESULTS_FILE)).size;
    const { summary, report } = await reproduce("table1", { ...base, scale: { ...cells, rivals: ["restart-until", "adam-then-surf"] } });
    const store = new ResultStore(join(out, RESULTS_FILE));
    // the same cell (its id does not change; its spec record is replaced), and only the two new stages ran
    expect(store.size - before).to.equal(2 * 3);
    type Cell = { id: string; settings: { rivals?: string[] }; stages: Record<string, { trials: number }>; comparison: { pairs: { rival: string }[]; winner: string } };
    const [cell] = summary.cells as Cell[];
    expect(cell.id).to.equal("table1/gan/k5");
    expect(cell.settings.rivals).to.deep.equal(["restart-until", "adam-then-surf"]);
    expect(Object.keys(cell.stages)).to.deep.equal(["regular", "surf", "restarts-2", "restart-until", "adam-then-surf"]);
    expect(cell.comparison.pairs.map((x) => x.rival)).to.deep.equal(["regular", "restarts-2", "restart-until", "adam-then-surf"]);
    expect(cell.comparison.winner).to.be.oneOf(["surfing", "best of 2", "restarts until f < τ", "Adam, then surfing", "no significant difference"]);
    for (let i = 0; i < 3; i++) {
      const surfed = store.get(`${cell.id}/surf/${i}`)!.result as TrialResult;
      for (const rival of ["restart-until", "adam-then-surf"]) {
        const r = store.get(`${cell.id}/${rival}/${i}`)!;
        expect((r.result as TrialResult).steps, `${rival} ${i}`).to.be.at.most(surfed.steps);
        expect(r.budget, `${rival} ${i}`).to.equal(surfed.steps);
      }
    }
    expect(readFileSync(report, "utf8")).to.include("restarts until f &lt; τ %").and.include("Adam, then surfing %");
    // --ablations: surfing with one thing changed, on the same trials; compared in a Holm family of their own,
    // so the comparison of methods (its p-values, its winner) is the same with them as without
    const ablations = ["surf-uniform", "surf-linear", "surf-skip0", "surf-half", "surf-double", "surf-every2", "surf-every5"] as const;
    const again = await reproduce("table1", { ...base, scale: { ...cells, rivals: ["restart-until", "adam-then-surf"], ablations: [...ablations] } });
    const [ablated] = again.summary.cells as (Cell & { comparison: { pairs: { rival: string; pHolm: number }[] } })[];
    expect(Object.keys(ablated.stages)).to.deep.equal(["regular", "surf", "restarts-2", "restart-until", "adam-then-surf", ...ablations]);
    const methods = (c: typeof ablated) => c.comparison.pairs.filter((x) => !x.rival.startsWith("surf-"));
    expect(methods(ablated)).to.deep.equal(methods(cell as typeof ablated));
    const after = new ResultStore(join(out, RESULTS_FILE)), total = after.get(`${cell.id}/surf/0`)!.budget as number;
    const T = (after.get(`${cell.id}/surf/0`)!.result as TrialResult).path.length - 1;
    const record = (stage: string) => after.get(`${cell.id}/${stage}/0`)!;
    expect([record("surf-half").budget, record("surf-double").budget, record("surf-uniform").budget]).to.deep.equal([Math.round(total / 2), 2 * total, total]);
    expect(["surf-skip0", "surf-every2", "surf-every5"].map((a) => (record(a).result as TrialResult).path.length)).to.deep.equal([T, Math.ceil(T / 2) + 1, Math.ceil(T / 5) + 1]);
    // merged with a copy made before the rivals and ablations ran: one cell, with every stage of either
    const joined = merge("table1", [earlier, out], { ...common, out: join(dir, "rivals-merged"), scale: { models: ["gan"], ks: [5], trainSeeds: [9], restarts: [2], trials: 3 } });
    const [, whole] = joined.summary.cells as Cell[];
    expect(whole.id).to.equal("table1/gan/k5");
    expect(Object.keys(whole.stages)).to.deep.equal(Object.keys(ablated.stages));
    expect(Object.values(whole.stages).every((x) => x.trials === 3)).to.equal(true);
  });

  it("cells at other settings share one results directory: ids name the settings, summary.json records them, merge joins them", async () => {
    const out = join(dir, "settings"), other = join(dir, "settings-other"), merged = join(dir, "settings-merged");
    const base = { ...common, shard: parseShard("1/1") }, cells = { models: ["gan" as const], ks: [5], restarts: [2] };
    await reproduce("table1", { ...base, out, scale: { ...cells, trials: 2, trainSeeds: [0, 1] } });
    const { summary } = await reproduce("table1", { ...base, out, scale: { ...cells, trials: 2, steps: 20, every: 5 } });
    type SummaryCell = { id: string; settings: Record<string, unknown>; generator: { fid: number; samples: number; classifierAccuracy: number; path: unknown[] } | null; stages: Record<string, { trials: number }> };
    const ids = (summary.cells as SummaryCell[]).map((c) => c.id);
    // the planned cell first, then the ones recorded by the earlier run, in a fixed order
    expect(ids).to.deep.equal(["table1/gan/k5/steps20/every5", "table1/gan/k5", "table1/gan/k5/trainseed1"]);
    for (const c of summary.cells as SummaryCell[]) {
      expect(Object.keys(c.stages), c.id).to.deep.equal(["regular", "surf", "restarts-2"]);
      expect(c.settings).to.include({ sweep: "table1", model: "gan", k: 5, arch: "mlp", batch: 16, trials: 2 });
      expect(c.settings).to.have.keys("sweep", "model", "k", "arch", "width", "criticWidth", "criticSteps", "hidden", "trainSeed", "trainSteps", "every", "batch", "trials", "restarts", "maxSteps", "trainingSeed", "training", "inversion", "budget");
      expect(c.generator!.fid).to.be.a("number").and.above(0);
      expect(c.generator!.samples).to.equal(500);
      expect(c.generator!.classifierAccuracy).to.be.at.least(0.9);
    }
    // each Table 1 cell carries its paired comparisons: surfing against each method, and the winner
    for (const c of summary.cells as (SummaryCell & { comparison: { pairs: { rival: string; pHolm: number }[]; winner: string } })[]) {
      expect(c.comparison.pairs.map((x) => x.rival)).to.deep.equal(["regular", "restarts-2"]);
      expect(c.comparison.winner).to.be.oneOf(["surfing", "best of 2", "no significant difference"]);
    }
    const [steps20, seed0, seed1] = summary.cells as SummaryCell[];
    expect([steps20.settings.trainSteps, steps20.settings.every, steps20.generator!.path.length]).to.deep.equal([20, 5, 5]);
    expect([seed0.settings.trainSeed, seed1.settings.trainSeed, seed0.settings.trainingSeed, seed1.settings.trainingSeed]).to.deep.equal([0, 1, "7/gan/k5", "7/gan/k5/trainseed1"]);
    expect(existsSync(join(out, "checkpoints", "gan-k5-every10-trainseed1"))).to.equal(true);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).to.include("DCGAN, k = 5 (training seed 1)").and.include("Across training seeds").and.include("FID along the checkpoint sequence").and.include("Paired comparisons");
    // at rest the results are compressed
    expect([existsSync(join(out, RESULTS_FILE)), existsSync(join(out, RESULTS_FILE + ".gz"))]).to.deep.equal([false, true]);
    // another directory with another cell; merged, the three cells of `out` and the other's
    await reproduce("table1", { ...base, out: other, scale: { ...cells, trials: 2, trainSeeds: [2] } });
    const m = merge("table1", [out, other], { ...common, out: merged, scale: { models: ["gan"], ks: [5], restarts: [2], trials: 2 } });
    expect((m.summary.cells as SummaryCell[]).map((c) => c.id)).to.deep.equal(["table1/gan/k5", "table1/gan/k5/steps20/every5", "table1/gan/k5/trainseed1", "table1/gan/k5/trainseed2"]);
    expect((m.summary.cells as SummaryCell[]).every((c) => c.stages["restarts-2"]?.trials === 2 && c.generator?.fid !== undefined)).to.equal(true);
  });

  it("continued on a fresh machine from the compressed results alone: the sequences are regenerated bit for bit and nothing runs twice", async () => {
    const out = join(dir, "settings"), fresh = join(dir, "fresh"), cache = join(dir, "fresh-cache");
    mkdirSync(fresh);
    copyFileSync(join(out, RESULTS_FILE + ".gz"), join(fresh, RESULTS_FILE + ".gz"));
    const before = new ResultStore(join(fresh, RESULTS_FILE)).matching("");
    const scale = { models: ["gan" as const], ks: [5], restarts: [2], trials: 2, trainSeeds: [0, 1] };
    await reproduce("table1", { ...common, shard: parseShard("1/1"), out: fresh, checkpoints: cache, scale });
    expect(existsSync(join(cache, "gan-k5-every10-trainseed1")), "retrained into the cache").to.equal(true);
    expect(readFileSync(join(cache, "gan-k5-every10-trainseed1", "000000040.safetensors")).equals(readFileSync(join(out, "checkpoints", "gan-k5-every10-trainseed1", "000000040.safetensors")))).to.equal(true);
    expect(new ResultStore(join(fresh, RESULTS_FILE)).matching(""), "no trial run again").to.deep.equal(before);
    // a sequence that is not the one the trials ran on is refused
    const store = new ResultStore(join(fresh, RESULTS_FILE));
    store.append([{ key: "generator/gan-k5-every10/sha256", value: { sha256: "0".repeat(64), step: 40 } }]);
    let error: unknown;
    await reproduce("table1", { ...common, shard: parseShard("1/1"), out: fresh, checkpoints: cache, scale }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(InputError).and.to.match(/000000040\.safetensors: θ_T differs from the one the stored trials of table1\/gan\/k5 ran on/);
  });

  it("refuses to add another seed's results or checkpoints to a run, naming what differs", async () => {
    const whole = join(dir, "fig3");   // the previous test's, seed 7
    let error: unknown;
    await reproduce("fig3", { ...common, seed: "8", shard: parseShard("1/1"), out: whole }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(InputError).and.to.match(/results\.jsonl: left by a run with other settings \(seed: "7" there, "8" now\)/);
    expect(() => merge("fig3", [join(dir, "fig3-a")], { ...common, seed: "8", out: join(dir, "fig3-merged-8") })).to.throw(InputError, /fig3-a.results\.jsonl: left by a run with other settings/);
    const [first] = plan("fig3", QUICK, whole, "8", () => expect.fail("a complete sequence needs no data"));
    expect(() => ensureTrained(first, () => expect.fail("no training"))).to.throw(InputError, /`seed` "8\/gan\/k20" differs from the run in .*gan-k20-every10 \("7\/gan\/k20"\); use another --out/);
  });
});
