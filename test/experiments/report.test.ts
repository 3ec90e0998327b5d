// Table 1's note on failures that fit y anyway, from hand-made trial outcomes.
import { expect } from "chai";
import { fitsWithoutRecovery, type CellOutcome } from "../../src/experiments/report.js";
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
