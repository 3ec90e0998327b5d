// The report from hand-made trial outcomes: Table 1's note on failures that fit y, the compressed-sensing tables, surfing's path.
import { expect } from "chai";
import { distortionTable, fitsWithoutRecovery, pathFigure, pathNorms, recoveryTable, type CellOutcome } from "../../src/experiments/report.js";
import { summarize } from "../../src/surf/metrics.js";
import type { TrialResult } from "../../src/surf/surf.js";

function cell(model: string, k: number, stages: Record<string, [success: boolean, pixelError: number][]>): CellOutcome {
  const map = new Map(Object.entries(stages).map(([s, trials]) => {
    const results = trials.map(([success, pixelError], index) => ({ index, success, pixelError, steps: 10, stepsToSuccess: success ? 5 : null, converged: true, diverged: false }) as unknown as TrialResult);
    return [s, { results, summary: summarize(results) }] as const;
  }));
  return { model, k, m: undefined, stages: map } as unknown as CellOutcome;
}

describe("report: failures that fit y", () => {
  it("counts, per cell and method, the failures whose image is within 1e-3 per pixel of y", () => {
    const notes = fitsWithoutRecovery([
      cell("vae", 20, { regular: [[false, 1e-5], [false, 5e-4], [false, 0.2], [true, 1e-6]], surf: [[true, 1e-6], [false, 0.05]] }),
      cell("gan", 5, { regular: [[false, 0.3], [true, 1e-6]], surf: [[true, 1e-6]] }),
    ]);
    expect(notes).to.have.length(2);
    expect(notes[1]).to.equal("VAE, k = 20: regular Adam 2 of its 3 failures.");
    expect(fitsWithoutRecovery([cell("gan", 5, { regular: [[false, 0.3]], surf: [[true, 1e-7]] })])).to.deep.equal([]);
  });
});

describe("report: the compressed-sensing tables and surfing's path", () => {
  const trial = (xHat: number[], pixelError: number, success: boolean | null, norms?: number[]) =>
    ({ index: 0, xHat, pixelError, success, steps: 10, stepsToSuccess: null, converged: true, diverged: false,
       path: (norms ?? [1, 2]).map((norm) => (norms ? { steps: 5, f: 0, norm } : { steps: 5, f: 0 })) }) as unknown as TrialResult;
  const sensing = (model: string, m: number, stages: Record<string, TrialResult[]>) => ({
    model, k: 20, m, stages: new Map(Object.entries(stages).map(([s, trials]) => {
      const results = trials.map((t, index) => ({ ...t, index }));   // trial i of every stage: the same y, A, x_init
      return [s, { results, summary: summarize(results) }] as const;
    })),
  }) as unknown as CellOutcome;
  const cells = [sensing("gan", 50, {
    regular: [trial([3, 4], 0.1, true), trial([0, 1], 0.3, false), trial([6, 8], 0.2, false), trial([0, 2], 0.4, false)],
    surf: [trial([30, 40], 0.5, false, [1, 10, 50]), trial([0, 1], 0.1, true, [2, 4, 1]), trial([0, 90], 0.2, false, [3, 30, 90])],
  })];

  it("Figure 4's table: per-pixel error median [quartiles], surfing lower on the same trial, median ‖x̂_T‖ per method", () => {
    const t = distortionTable(cells);
    expect(t.columns).to.have.length(7);
    // regular: errors 0.1 0.2 0.3 0.4 → quartiles 0.175, 0.25, 0.325; norms 5 1 10 2 → median 3.5.
    // Paired by trial: surfing 0.5 > 0.1, 0.1 < 0.3, 0.2 = 0.2 (a tie is not lower), trial 3 unpaired → 1 of 3,
    // Wilson 95 %: [6.1, 79.2]
    expect(t.rows[0]).to.deep.equal(["DCGAN", 50, "0.250 [0.175, 0.325]", "0.200 [0.150, 0.350]", "33.3 [6.1, 79.2]", "3.5", "50.0"]);
  });

  it("Figure 3's table: rates with Wilson intervals, and median ‖x̂_T‖", () => {
    const [row] = recoveryTable(cells).rows;
    expect(row.slice(0, 2)).to.deep.equal(["DCGAN", 50]);
    expect(row[2]).to.match(/^25\.0 \[\d/);
    expect(row[3]).to.match(/^33\.3 \[\d/);
    expect(row.slice(4)).to.deep.equal(["3.5", "50.0"]);
  });

  it("the path's median ‖x‖ per network, and no figure from trials stored before the path kept ‖x‖", () => {
    expect(pathNorms(cells[0])).to.deep.equal({ trials: 3, medians: [2, 10, 50] });
    expect(pathFigure(cells)).to.have.length(1);
    expect(pathFigure(cells)[0].svg).to.contain("<svg").and.contain("m = 50 (3)");
    const old = [sensing("gan", 50, { regular: [trial([1], 0.1, true)], surf: [trial([1], 0.1, true)] })];
    expect(pathNorms(old[0])).to.equal(null);
    expect(pathFigure(old)).to.deep.equal([]);
  });
});
