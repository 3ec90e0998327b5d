// The committed runs under docs/results: every cell's summary in summary.json is what its results file gives
// when recomputed — the same trials, successes, rates and step percentiles — so no number in the docs rests
// on a summary nobody can check.
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ResultStore } from "../../src/store.js";
import { atEqualCompute, stageResults, type Stage } from "../../src/experiments/cell.js";
import { summarize } from "../../src/surf/metrics.js";
import { RESULTS_FILE } from "../../src/experiments/reproduce.js";
import { FULL, plan } from "../../src/experiments/sweeps.js";
import { cellName, outcomes, pairedComparisons, stageName, type PooledComparison } from "../../src/experiments/report.js";

const RESULTS = fileURLToPath(new URL("../../../docs/results", import.meta.url));

const docText = () => readFileSync(join(RESULTS, "README.md"), "utf8");

/** The rows of the table between <!-- NAME --> and <!-- /NAME --> in docs/results/README.md, cells trimmed. */
function markedRows(name: string): string[][] {
  const block = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)\\n<!-- /${name} -->`).exec(docText());
  expect(block, `the markers <!-- ${name} -->`).to.not.equal(null);
  return block![1].split("\n").filter((l) => l.startsWith("|")).slice(2).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
}

/** A p-value as the docs print it. */
const pValue = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

interface Summary {
  cells: { id: string; settings?: { trials: number }; stages: Record<string, { trials: number }> }[];
}

describe("docs/results: every committed summary is recomputed from its results file", function () {
  this.timeout(300000);
  const runs = readdirSync(RESULTS).filter((d) => existsSync(join(RESULTS, d, "summary.json")));

  it("finds the committed runs, each with its compressed results", () => {
    expect(runs).to.include.members(["table1-seed-0", "fig3-seed-0", "fig4-seed-0"]);
    for (const run of runs) expect(existsSync(join(RESULTS, run, RESULTS_FILE + ".gz")), run).to.equal(true);
  });

  for (const run of readdirSync(RESULTS).filter((d) => existsSync(join(RESULTS, d, "summary.json")))) {
    it(`${run}: each cell's stages`, () => {
      const summary = JSON.parse(readFileSync(join(RESULTS, run, "summary.json"), "utf8")) as Summary;
      const store = new ResultStore(join(RESULTS, run, RESULTS_FILE));
      expect(summary.cells.length).to.be.above(0);
      for (const cell of summary.cells) {
        const trials = cell.settings?.trials ?? cell.stages.regular.trials;
        for (const [stage, stored] of Object.entries(cell.stages)) {
          const recomputed = JSON.parse(JSON.stringify(summarize(stageResults(store, cell.id, stage as Stage, trials))));
          expect(recomputed, `${cell.id} ${stage}`).to.deep.equal(stored);
        }
      }
    });
  }

  it("docs/results/README.md: Table 1 at 300 trials — every rate and winner is the results file's", () => {
    const doc = readFileSync(join(RESULTS, "README.md"), "utf8");
    const section = doc.slice(doc.indexOf("### Our Table 1 beside the paper's"), doc.indexOf("### What differs from the paper"));
    const rows = section.split("\n").filter((l) => /^\| (VAE|DCGAN|WGAN|WGAN-GP), \d+ \|/.test(l)).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
    expect(rows).to.have.length(12);
    const store = new ResultStore(join(RESULTS, "table1-seed-0", RESULTS_FILE));
    const cells = outcomes(plan("table1", FULL, "/unused", "0", () => expect.fail("no images needed")), store);
    const names: Record<string, string> = { vae: "VAE", gan: "DCGAN", wgan: "WGAN", "wgan-gp": "WGAN-GP" };
    for (const c of cells) {
      const row = rows.find((r) => r[0] === `${names[c.model]}, ${c.k}`);
      expect(row, `${c.model} k ${c.k}`).to.not.equal(undefined);
      ["regular", "surf", "restarts-1", "restarts-2", "restarts-4", "restarts-8"].forEach((stage, j) => {
        const rate = c.stages.get(stage as Stage)!.summary.successRate!;
        expect(Number(row![1 + j].split(" ")[0]), `${row![0]} ${stage}`).to.be.closeTo(100 * rate, 0.051);
      });
      const winner = pairedComparisons(c)!.winner;
      expect(row![9].startsWith(winner), `${row![0]}: "${row![9]}" vs the test's ${winner}`).to.equal(true);
    }
  });

  it("docs/results/README.md: the rivals and ablations of the paper-scale cells — every rate and test is summary.json's", () => {
    const doc = readFileSync(join(RESULTS, "README.md"), "utf8");
    const block = /<!-- table1-paper-scale: rivals -->\n([\s\S]*?)\n<!-- \/table1-paper-scale: rivals -->/.exec(doc);
    expect(block, "the table's markers").to.not.equal(null);
    const rows = block![1].split("\n").slice(2).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
    const summary = JSON.parse(readFileSync(join(RESULTS, "table1-paper-scale", "summary.json"), "utf8")) as {
      cells: { id: string; settings: { trials: number }; comparison?: { winner: string; pairs: { rival: string; difference: number; pHolm: number }[] };
        stages: Record<string, { trials: number; successRate: number }> }[];
    };
    const shown = ["surf", "restart-until", "adam-then-surf", "surf-uniform", "surf-linear", "surf-skip0", "surf-half", "surf-double", "surf-every2", "surf-every5"];
    // the cells where every rival and ablation ran all its trials
    const cells = summary.cells.filter((c) => shown.every((s) => c.stages[s]?.trials === c.settings.trials));
    expect(rows.map((r) => r[0])).to.deep.equal(cells.map((c) => `\`${c.id}\``));
    cells.forEach((c, i) => {
      const differ = c.comparison!.pairs.filter((p) => p.rival.startsWith("surf-") && p.pHolm < 0.05)
        .map((p) => `${p.rival} (${p.difference > 0 ? "surfing" : "it"} better, p = ${p.pHolm.toFixed(3)})`);
      expect(rows[i].slice(1), c.id).to.deep.equal([
        ...shown.map((s) => (100 * c.stages[s].successRate).toFixed(1)), c.comparison!.winner, differ.length > 0 ? differ.join("; ") : "none",
      ]);
    });
  });

  it("docs/results/README.md: the comparisons pooled over DCGAN k = 5's five training seeds are summary.json's", () => {
    const rows = markedRows("table1-paper-scale: pooled");
    const { pooled } = JSON.parse(readFileSync(join(RESULTS, "table1-paper-scale", "summary.json"), "utf8")) as { pooled: PooledComparison[] };
    const g = pooled.find((x) => x.cell === "table1/gan/k5")!;
    expect(g.seeds).to.deep.equal([0, 1, 2, 3, 4]);
    expect(rows).to.deep.equal(g.pairs.map((x) => [
      stageName(x.rival), String(x.trials), String(x.surfOnly), String(x.rivalOnly),
      `${(100 * x.difference).toFixed(1)} [${(100 * x.interval[0]).toFixed(1)}, ${(100 * x.interval[1]).toFixed(1)}]`, pValue(x.pHolm),
    ]));
    expect(docText()).to.include(`pooled over the five training runs, the winner at equal compute is ${g.winner}`);
  });

  it("docs/results/README.md: the answer, cell by cell — each winner is the paired test's on the committed trials", () => {
    const rows = markedRows("equal-compute: answer");
    const store = new ResultStore(join(RESULTS, "table1-seed-0", RESULTS_FILE));
    const quarter = outcomes(plan("table1", FULL, "/unused", "0", () => expect.fail("no images needed")), store);
    const rivalsOf = (stages: string[]) => stages.filter(atEqualCompute).map((s) => stageName(s as Stage)).join(", ");
    const expected = quarter.map((c) => ["`table1-seed-0`", cellName(c.plan.cell.id), rivalsOf([...c.stages.keys()]), pairedComparisons(c)!.winner]);
    const summary = JSON.parse(readFileSync(join(RESULTS, "table1-paper-scale", "summary.json"), "utf8")) as {
      pooled: PooledComparison[]; cells: { id: string; settings: { trials: number }; comparison?: { winner: string }; stages: Record<string, { trials: number }> }[];
    };
    for (const c of summary.cells) {
      const rivals = Object.keys(c.stages).filter(atEqualCompute);
      if (rivals.length === 0 || !["surf", ...rivals].every((s) => c.stages[s].trials === c.settings.trials)) continue;   // still running
      expected.push(["`table1-paper-scale`", cellName(c.id), rivalsOf(rivals), c.comparison!.winner]);
    }
    for (const g of summary.pooled) expected.push(["`table1-paper-scale`", `${cellName(g.cell)}, training seeds ${g.seeds.join(", ")} pooled`, rivalsOf(g.pairs.map((x) => x.rival)), g.winner]);
    expect(rows).to.deep.equal(expected);
  });

  it("docs/results/README.md: measurement noise — every rate and winner is table1-noise/summary.json's", () => {
    const rows = markedRows("table1-noise: cells");
    const summary = JSON.parse(readFileSync(join(RESULTS, "table1-noise", "summary.json"), "utf8")) as {
      cells: { id: string; settings: { trials: number; m?: number; noise?: number }; comparison: { winner: string };
        stages: Record<string, { trials: number; successRate: number; successInterval: [number, number]; pixelErrorMedian: number }> }[];
    };
    const shown = ["regular", "surf", "restarts-2", "restarts-4", "restart-until", "adam-then-surf"];
    const rate = (x: { successRate: number; successInterval: [number, number] }) => `${(100 * x.successRate).toFixed(1)} [${(100 * x.successInterval[0]).toFixed(1)}, ${(100 * x.successInterval[1]).toFixed(1)}]`;
    const cells = summary.cells.filter((c) => shown.every((s) => c.stages[s]?.trials === c.settings.trials));
    expect(rows).to.deep.equal(cells.map((c) => [
      c.settings.m === undefined ? "A = I (784 pixels)" : `Gaussian A, m = ${c.settings.m}`, String(c.settings.noise ?? 0), ...shown.map((s) => rate(c.stages[s])), c.comparison.winner,
      `${c.stages.regular.pixelErrorMedian.toPrecision(2)} / ${c.stages.surf.pixelErrorMedian.toPrecision(2)}`,
    ]));
  });

  it("docs/results/README.md: the paper-scale cells — every rate, FID and winner is summary.json's", () => {
    const doc = readFileSync(join(RESULTS, "README.md"), "utf8");
    const block = /<!-- table1-paper-scale: cells -->\n([\s\S]*?)\n<!-- \/table1-paper-scale: cells -->/.exec(doc);
    expect(block, "the table's markers").to.not.equal(null);
    const rows = block![1].split("\n").slice(2).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
    const summary = JSON.parse(readFileSync(join(RESULTS, "table1-paper-scale", "summary.json"), "utf8")) as {
      cells: { id: string; settings: { width: number; criticWidth: number; trials: number }; generator: { fid?: number } | null; comparison?: { winner: string };
        stages: Record<string, { trials: number; successRate: number; successInterval: [number, number] }> }[];
    };
    expect(rows.map((r) => r[0])).to.deep.equal(summary.cells.map((c) => `\`${c.id}\``));
    const rate = (x: { trials: number; successRate: number; successInterval: [number, number] } | undefined) =>
      x ? `${(100 * x.successRate).toFixed(1)} [${(100 * x.successInterval[0]).toFixed(1)}, ${(100 * x.successInterval[1]).toFixed(1)}] (${x.trials})` : "—";
    summary.cells.forEach((c, i) => {
      const full = c.stages["restarts-4"]?.trials === c.settings.trials;
      expect(rows[i].slice(1, 8), c.id).to.deep.equal([
        `${c.settings.width} (${c.settings.criticWidth})`, c.generator?.fid !== undefined ? c.generator.fid.toFixed(1) : "—",
        rate(c.stages.regular), rate(c.stages.surf), rate(c.stages["restarts-2"]), rate(c.stages["restarts-4"]), full ? c.comparison!.winner : "—",
      ]);
    });
  });
});
