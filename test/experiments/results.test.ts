// The committed runs under docs/results: every cell's summary in summary.json is what its results file gives
// when recomputed — the same trials, successes, rates and step percentiles — so no number in the docs rests
// on a summary nobody can check.
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ResultStore } from "../../src/store.js";
import { stageResults, type Stage } from "../../src/experiments/cell.js";
import { summarize } from "../../src/surf/metrics.js";
import { RESULTS_FILE } from "../../src/experiments/reproduce.js";

const RESULTS = fileURLToPath(new URL("../../../docs/results", import.meta.url));

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
});
