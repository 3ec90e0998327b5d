// The report from hand-made trial outcomes: Table 1's note on failures that fit y, the compressed-sensing tables, surfing's path.
import { expect } from "chai";
import { cellName, costs, costTable, distortionTable, fitsWithoutRecovery, pairedComparisons, pooledComparisons, pathFigure, pathNorms, recoveryTable, seedSpread, type CellOutcome } from "../../src/experiments/report.js";
import { gammaQ, holm, homogeneity, mcnemarExact, pairedDifferenceInterval, summarize } from "../../src/surf/metrics.js";
import { Rng } from "../../src/random/rng.js";
import type { TrialResult } from "../../src/surf/surf.js";

function cell(model: string, k: number, stages: Record<string, [success: boolean, pixelError: number][]>, id = `table1/${model}/k${k}`): CellOutcome {
  const map = new Map(Object.entries(stages).map(([s, trials]) => {
    const results = trials.map(([success, pixelError], index) => ({ index, success, pixelError, steps: 10, stepsToSuccess: success ? 5 : null, converged: true, diverged: false }) as unknown as TrialResult);
    return [s, { results, summary: summarize(results) }] as const;
  }));
  return { plan: { cell: { id } }, model, k, m: undefined, stages: map } as unknown as CellOutcome;
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

describe("report: cells at other settings, and the spread across training seeds", () => {
  it("names every setting a cell's id carries", () => {
    expect(cellName("table1/gan/k5")).to.equal("DCGAN, k = 5");
    expect(cellName("table1/gan/k5/w1")).to.equal("DCGAN, k = 5 (width 1)");
    expect(cellName("table1/wgan-gp/k10/cw0.25/steps8000/every80/trainseed3")).to.equal("WGAN-GP, k = 10 (partner width 0.25, 8000 steps, θ_t every 80, training seed 3)");
    expect(cellName("fig3/wgan/m50/w0.5")).to.equal("WGAN, m = 50 (width 0.5)");
  });

  it("groups cells that differ only in their training seed: rates per seed, spread across and within, χ² test", () => {
    const trials = (s: number, n: number): [boolean, number][] => Array.from({ length: n }, (_, i) => [i < s, 0.1]);
    const cells = [
      cell("gan", 5, { regular: trials(30, 100), surf: trials(90, 100) }),
      cell("gan", 5, { regular: trials(60, 100), surf: trials(92, 100) }, "table1/gan/k5/trainseed1"),
      cell("gan", 5, { regular: trials(45, 100), surf: trials(91, 100) }, "table1/gan/k5/trainseed2"),
      cell("gan", 20, { regular: trials(50, 100), surf: trials(50, 100) }),   // one seed: no row
    ];
    const spread = seedSpread(cells)!;
    expect(spread.table.rows).to.have.length(2);
    const [regular, surfing] = spread.table.rows;
    expect(regular.slice(0, 6)).to.deep.equal(["DCGAN, k = 5", "regular Adam", "0, 1, 2", "30.0, 60.0, 45.0", "45.0", "15.0"]);
    // binomial SD: mean of √(p(1 − p)/100) = (4.58 + 4.90 + 4.97)/3 points
    expect(Number(regular[6])).to.be.closeTo((Math.sqrt(0.21) + Math.sqrt(0.24) + Math.sqrt(0.2475)) / 3 * 10, 0.05);
    expect(Number(regular[7])).to.be.below(1e-3);   // 30 vs 60 of 100: not one rate
    expect(Number(surfing[7])).to.be.above(0.5);    // 90, 92, 91: one rate
    expect(seedSpread([cells[3]])).to.equal(undefined);
  });

  it("χ² p-values: the regularized gamma function against known values", () => {
    expect(gammaQ(0.5, 3.841458820694124 / 2)).to.be.closeTo(0.05, 1e-12);   // χ²₁ at its 95th percentile
    expect(gammaQ(2, 9.487729036781154 / 2)).to.be.closeTo(0.05, 1e-12);     // χ²₄
    expect(gammaQ(1, 3)).to.be.closeTo(Math.exp(-3), 1e-15);
    expect(gammaQ(5, 0)).to.equal(1);
    const h = homogeneity([30, 60], [100, 100]);
    expect(h.df).to.equal(1);
    expect(h.chi2).to.be.closeTo(200 * (30 * 40 - 70 * 60) ** 2 / (90 * 110 * 100 * 100), 1e-9);   // the 2 × 2 shortcut
    expect(homogeneity([100, 100], [100, 100])).to.deep.equal({ chi2: 0, df: 1, p: 1 });
  });
});

describe("report: paired comparisons of methods on the same trials", () => {
  it("McNemar's exact test and Holm's correction against hand-computed values", () => {
    expect(mcnemarExact(10, 2)).to.be.closeTo((2 * (1 + 12 + 66)) / 4096, 1e-15);
    expect(mcnemarExact(2, 10)).to.equal(mcnemarExact(10, 2));
    expect(mcnemarExact(5, 5)).to.equal(1);
    expect(mcnemarExact(0, 0)).to.equal(1);
    expect(mcnemarExact(0, 30)).to.be.closeTo(2 / 2 ** 30, 1e-20);
    expect(mcnemarExact(120, 150)).to.be.within(0.05, 0.1);   // large n: no overflow (normal approximation ≈ 0.077)
    expect(holm([0.01, 0.04, 0.03])).to.deep.equal([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.001])).to.deep.equal([0.5, 0.002]);
  });

  it("Newcombe's paired interval contains the difference and covers the truth about 95 % of the time", () => {
    expect(pairedDifferenceInterval(40, 5, 5, 50)).to.include({ difference: 0 });
    const { low, high } = pairedDifferenceInterval(40, 5, 5, 50);
    expect(low).to.be.closeTo(-high, 1e-12);
    // coverage: trials fall in (both, A only, B only, neither) with probabilities .55, .15, .05, .25 — rates
    // .70 and .60, strongly correlated — n = 300, as a Table 1 cell
    const rng = Rng.derive("newcombe", "coverage"), truth = 0.7 - 0.6;
    let covered = 0;
    const runs = 2000;
    for (let r = 0; r < runs; r++) {
      let both = 0, onlyA = 0, onlyB = 0, neither = 0;
      for (let i = 0; i < 300; i++) {
        const u = rng.uniformIn(0, 1);
        if (u < 0.55) both++;
        else if (u < 0.7) onlyA++;
        else if (u < 0.75) onlyB++;
        else neither++;
      }
      const d = pairedDifferenceInterval(both, onlyA, onlyB, neither);
      expect(d.low).to.be.at.most(d.difference);
      expect(d.high).to.be.at.least(d.difference);
      if (d.low <= truth && truth <= d.high) covered++;
    }
    expect(covered / runs).to.be.within(0.93, 0.975);
  });

  it("per cell: surfing against every method, Holm-corrected, and the winner at equal compute", () => {
    // surfing recovers trials 0–89 of 100; best of 2 recovers 0–59 and 95–99; best of 4 trials 0–84
    const trials = (ok: (i: number) => boolean): [boolean, number][] => Array.from({ length: 100 }, (_, i) => [ok(i), 0.1]);
    const c = cell("gan", 5, { regular: trials((i) => i < 50), surf: trials((i) => i < 90), "restarts-2": trials((i) => i < 60 || i >= 95), "restarts-4": trials((i) => i < 85) });
    const r = pairedComparisons(c)!;
    expect(r.pairs.map((x) => [x.rival, x.surfOnly, x.rivalOnly])).to.deep.equal([["regular", 40, 0], ["restarts-2", 30, 5], ["restarts-4", 5, 0]]);
    expect(r.pairs[2].p).to.be.closeTo(2 / 32, 1e-12);
    expect(r.pairs.map((x) => x.pHolm)).to.deep.equal(holm(r.pairs.map((x) => x.p)));
    expect(r.winner).to.equal("no significant difference");   // best of 4: 5 vs 0 discordant, p = 0.0625
    const wins = pairedComparisons(cell("gan", 5, { surf: trials((i) => i < 90), "restarts-2": trials((i) => i < 60) }))!;
    expect(wins.winner).to.equal("surfing");
    const loses = pairedComparisons(cell("gan", 5, { surf: trials((i) => i < 50), "restarts-2": trials((i) => i < 60), "restarts-4": trials((i) => i < 80) }))!;
    expect(loses.winner).to.equal("best of 4");
  });
});

describe("report: surfing against each method pooled over training seeds", () => {
  it("sums each run's discordant trials and tests them together; Holm and the winner as within a run", () => {
    const trials = (ok: (i: number) => boolean): [boolean, number][] => Array.from({ length: 100 }, (_, i) => [ok(i), 0.1]);
    // in each of three runs surfing recovers 0–89; the best of 4 recovers 0–84 and 95–97 (5 vs 3 discordant
    // a run: no run alone is significant, p = 0.73), and regular Adam 0–49
    const run = (id: string) => ({ ...cell("gan", 5, { regular: trials((i) => i < 50), surf: trials((i) => i < 90), "restarts-4": trials((i) => i < 85 || (i >= 95 && i < 98)) }, id),
      plan: { cell: { id }, trials: 100 } }) as unknown as CellOutcome;
    const cells = [run("table1/gan/k5"), run("table1/gan/k5/trainseed1"), run("table1/gan/k5/trainseed2"), run("table1/gan/k20")];
    expect(pairedComparisons(cells[0])!.pairs[1]).to.include({ rival: "restarts-4", surfOnly: 5, rivalOnly: 3 });
    const [g] = pooledComparisons(cells);
    expect([g.cell, g.seeds]).to.deep.equal(["table1/gan/k5", [0, 1, 2]]);
    const best4 = g.pairs.find((x) => x.rival === "restarts-4")!;
    expect([best4.trials, best4.surfOnly, best4.rivalOnly]).to.deep.equal([300, 15, 9]);
    expect(best4.p).to.be.closeTo(mcnemarExact(15, 9), 1e-15);
    expect(g.pairs.map((x) => x.pHolm)).to.deep.equal(holm(g.pairs.map((x) => x.p)));
    expect(g.winner).to.equal("no significant difference");   // 15 vs 9 of 24: p = 0.31
    // a cell without siblings is not pooled; nor a method some seed has not run in full
    expect(pooledComparisons([cells[3]])).to.deep.equal([]);
    const short = { ...cells[2], stages: new Map([...cells[2].stages].map(([s, v]) => [s, s === "restarts-4" ? { ...v, results: v.results.slice(0, 50) } : v])) } as CellOutcome;
    expect(pooledComparisons([cells[0], cells[1], short])[0].pairs.map((x) => x.rival)).to.deep.equal(["regular"]);
  });
});

describe("report: cost in gradient steps", () => {
  /** A stage whose trial i succeeds after toSuccess(i) steps (null: fails) and spends spent(i). */
  const stage = (toSuccess: (i: number) => number | null, spent: (i: number) => number, n = 8) => {
    const results = Array.from({ length: n }, (_, index) => {
      const s = toSuccess(index);
      return { index, success: s !== null, pixelError: 0.1, steps: spent(index), stepsToSuccess: s, converged: true, diverged: false } as unknown as TrialResult;
    });
    return { results, summary: summarize(results) };
  };

  it("the paper's metric over own successes, and like for like over the trials both recovered", () => {
    // regular Adam recovers trials 0–3 in 100, 200, 300, 400 steps; surfing recovers all 8, trials 0–3 in
    // 150–450 and the hard trials 4–7 (which regular Adam misses) in 1,000–1,300
    const c = { plan: { cell: { id: "table1/gan/k5" } }, model: "gan", k: 5, m: undefined, stages: new Map([
      ["regular", stage((i) => (i < 4 ? 100 * (i + 1) : null), (i) => 100 * (i + 1) + 50)],
      ["surf", stage((i) => (i < 4 ? 100 * (i + 1) + 50 : 1000 + 100 * (i - 4)), () => 1500)],
    ]) } as unknown as CellOutcome;
    const x = costs(c)!;
    // own successes: regular's 75th percentile of 100..400 = 325; surfing's of 150..450, 1000..1300 = 1125
    expect(x.regular).to.deep.include({ ownP75: 325, ownRatio: 1, bothTrials: 4, bothP75: 325, bothRatio: 1 });
    expect(x.surf!.ownP75).to.equal(1125);
    expect(x.surf!.ownRatio).to.be.closeTo(1125 / 325, 1e-12);
    // on the four trials both recovered, surfing took 50 steps more on each: 375 against 325
    expect(x.surf).to.deep.include({ bothTrials: 4, bothP75: 375, regularBothP75: 325, spentP75: 1500 });
    expect(x.surf!.bothRatio).to.be.closeTo(375 / 325, 1e-12);
    expect(x.regular!.spentP75).to.equal(675);   // of 150, 250, …, 850
    const t = costTable([c]);
    expect(t.rows).to.have.length(2);
    expect(t.rows[1]).to.deep.equal(["DCGAN, k = 5", "surfing", "1125", "3.46", 4, "375 / 325", "1.15", "1500", (741 / 618).toFixed(2)]);
    // without regular Adam there is nothing to compare with
    expect(costs({ ...c, stages: new Map([["surf", c.stages.get("surf")!]]) } as unknown as CellOutcome)).to.equal(undefined);
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
