// Greedy Dynamic String Sampling (Freeman & Bruna 2017, Algorithm 1) on landscapes whose level sets are known: convex
// (a straight segment, normalized length 1), a connected annulus (a detour close to the exact geodesic),
// two wells behind a wall (no connection: the run says it did not converge).
import { expect } from "chai";
import { InputError } from "../../src/errors.js";
import { connect, statistics, summarize, type DssOptions } from "../../src/landscape/dss.js";
import { distance } from "../../src/tensor/vector.js";
import { trainBelow } from "../../src/landscape/train.js";
import { annulus, annulusGeodesic, doubleWell, quadratic } from "./functions.js";

const TRAIN = { lr: 0.01, maxSteps: 2000 };

describe("landscape: Dynamic String Sampling (Freeman & Bruna 2017, Algorithm 1)", () => {
  it("a convex loss: one segment, no beads, normalized length 1", () => {
    const loss = quadratic([1, 3, 0.5, 2, 8], [0.2, -0.1, 0.3, 0, 0.1]);
    // two points far apart on the level set's boundary region, both below L0
    const a = [1.0, -0.3, 0.9, 0.2, 0.15], b = [-0.4, 0.2, -0.5, -0.3, 0.05];
    const level = Math.max(loss.value(Float64Array.from(a)), loss.value(Float64Array.from(b))) * 1.0001;
    const r = connect(loss, a, b, { level, train: TRAIN });
    expect(r.outcome).to.equal("connected");
    expect(r.converged).to.equal(true);
    expect(r.beads).to.equal(0);
    expect(r.string).to.have.length(2);
    expect(r.normalizedLength).to.be.closeTo(1, 1e-12);
    // convexity: the sampled maximum over the segment is at an end
    expect(r.segmentMax).to.deep.equal([Math.max(...r.values)]);
  });

  it("a convex loss from random starts trained to the level: still one segment", () => {
    const loss = quadratic([4, 1, 2], [0, 0, 0]);
    const level = 0.05;
    const a = Float64Array.from([2, -1, 1]), b = Float64Array.from([-1.5, 2, -0.5]);
    for (const p of [a, b]) expect(trainBelow(loss, p, 0.5 * level, TRAIN).reached).to.equal(true);
    const r = connect(loss, a, b, { level, train: TRAIN });
    expect(r.beads).to.equal(0);
    expect(r.normalizedLength).to.be.closeTo(1, 1e-12);
  });

  for (const insertion of ["argmax", "midpoint"] as const) {
    it(`an annulus (connected, not convex), insertion at the ${insertion}: converges, length > 1 and close to the exact geodesic`, () => {
      // F = (‖x‖ − 1)², L0 = 0.0025: the annulus 0.95 ≤ ‖x‖ ≤ 1.05. Endpoints on the unit circle, Φ apart.
      const L0 = 0.0025, rIn = 1 - Math.sqrt(L0);
      for (const phi of [Math.PI / 2, (2 * Math.PI) / 3, 0.9 * Math.PI]) {
        const a = [Math.cos(phi / 2), Math.sin(phi / 2)], b = [Math.cos(phi / 2), -Math.sin(phi / 2)];
        const r = connect(annulus(1), a, b, { level: L0, insertion, train: TRAIN });
        expect(r.outcome, `Φ = ${phi}`).to.equal("connected");
        const geodesic = annulusGeodesic(1, rIn, phi);
        expect(geodesic / r.distance, "the chord crosses the hole").to.be.above(1.05);
        expect(r.normalizedLength!).to.be.above(1.05);
        // Every string inside the annulus is at least the geodesic; the segments are only checked at 31
        // points each, so allow the string to cut a chord of the inner circle between samples (< 0.1 %).
        expect(r.length / geodesic, `Φ = ${phi}`).to.be.above(0.999);
        // Beads stop at F = α·L0, i.e. radius 1 − √(α·L0) ≈ 0.965 against the geodesic's 0.95 (1.5 %),
        // plus the polygon's corners: within 3 %.
        expect(r.length / geodesic, `Φ = ${phi}`).to.be.below(1.03);
        // the string is a path in the level set: every bead and every checked segment below L0
        r.values.forEach((v) => expect(v).to.be.at.most(L0));
        expect(r.segmentMax).to.have.length(r.string.length - 1);
        r.segmentMax.forEach((v) => expect(v).to.be.at.most(L0));
        expect(r.beads).to.equal(r.string.length - 2);
        r.string.slice(1, -1).forEach((bead) => expect(Math.hypot(bead[0], bead[1])).to.be.within(rIn, 1 + Math.sqrt(L0)));
      }
    });
  }

  it("two wells behind a wall: does not converge within its budget, and says so (never 'disconnected')", () => {
    // F = (x² − 1)² + y²: F ≥ 1 on x = 0, so F ≤ 0.25 has two components.
    const r = connect(doubleWell(), [-1.02, 0.05], [0.97, -0.03], { level: 0.25, maxBeads: 25, train: TRAIN });
    expect(r.converged).to.equal(false);
    expect(r.outcome).to.equal("bead-budget");
    expect(r.normalizedLength).to.equal(null);
    expect(r.beads).to.equal(25);
    // the beads all fell into one well or the other; the segment that crosses the wall was never accepted
    r.string.forEach((p) => expect(Math.abs(p[0])).to.be.above(0.7));
    expect(r.segmentMax.every((v) => v <= 0.25)).to.equal(true);
    expect(r.segmentMax.length).to.be.below(r.string.length - 1);
    const s = statistics([summarize(r)]);
    expect(s).to.deep.include({ runs: 1, connected: 0, unconverged: 1, normalizedLength: null, beads: null });
  });

  it("a bead that cannot be trained below L0 stops the run as not converged", () => {
    // the wells' wall again, with no steps to train the bead: it stays on the wall
    const r = connect(doubleWell(), [-1, 0], [1, 0.01], { level: 0.25, train: { lr: 0.01, maxSteps: 0 } });
    expect(r.outcome).to.equal("bead-above-level");
    expect(r.converged).to.equal(false);
    expect(r.string).to.have.length(2);
  });

  it("is deterministic: the same inputs give the same string", () => {
    const run = () => connect(annulus(1), [1, 0], [-0.5, Math.sqrt(3) / 2], { level: 0.0025, train: TRAIN });
    const [x, y] = [run(), run()];
    expect(x.string.map((p) => Array.from(p))).to.deep.equal(y.string.map((p) => Array.from(p)));
    expect(x.length).to.equal(y.length);
  });

  it("the length is the sum of the string's segments and distance is between the ends", () => {
    const r = connect(annulus(1), [1, 0], [-0.5, Math.sqrt(3) / 2], { level: 0.0025, train: TRAIN });
    let sum = 0;
    for (let i = 0; i + 1 < r.string.length; i++) sum += distance(r.string[i], r.string[i + 1]);
    expect(r.length).to.equal(sum);
    expect(r.distance).to.be.closeTo(Math.sqrt(3), 1e-12);
    expect(r.normalizedLength).to.equal(r.length / r.distance);
  });

  it("refuses bad input with InputError", () => {
    const loss = quadratic([1, 1], [0, 0]);
    const ok: DssOptions = { level: 1, train: TRAIN };
    const bad: [string, () => unknown, RegExp][] = [
      ["endpoint above the level", () => connect(loss, [3, 0], [0, 0.1], ok), /endpoint A has F = 4.5/],
      ["wrong dimension", () => connect(loss, [0, 0, 0], [0, 0.1], ok), /endpoint A: has 3 values, the loss takes 2/],
      ["NaN", () => connect(loss, [0, NaN], [0, 0.1], ok), /endpoint A: entry 1 is NaN/],
      ["same point", () => connect(loss, [0.1, 0], [0.1, 0], ok), /coincide/],
      ["level", () => connect(loss, [0, 0], [0, 0.1], { ...ok, level: 0 }), /level L0 must be a positive number/],
      ["alpha", () => connect(loss, [0, 0], [0, 0.1], { ...ok, alpha: 1.5 }), /alpha must be in \(0, 1\]/],
      ["samples", () => connect(loss, [0, 0], [0, 0.1], { ...ok, samples: 0 }), /samples per segment/],
      ["insertion", () => connect(loss, [0, 0], [0, 0.1], { ...ok, insertion: "left" as never }), /insertion must be argmax or midpoint/],
      ["budget", () => connect(loss, [0, 0], [0, 0.1], { ...ok, maxBeads: -1 }), /bead budget/],
      ["lr", () => connect(loss, [0, 0], [0, 0.1], { ...ok, train: { lr: 0, maxSteps: 1 } }), /learning rate/],
    ];
    for (const [what, f, message] of bad) expect(f, what).to.throw(InputError, message);
  });
});

describe("landscape: training to a level", () => {
  it("Adam stops at the first step at or below the level and reports it", () => {
    const loss = quadratic([1, 10], [0, 0]);
    const theta = Float64Array.from([1, 1]);
    const r = trainBelow(loss, theta, 0.01, { lr: 0.05, maxSteps: 5000 });
    expect(r.reached).to.equal(true);
    expect(r.value).to.equal(loss.value(theta));
    expect(r.value).to.be.at.most(0.01);
    // one step fewer is still above the level
    const again = Float64Array.from([1, 1]);
    const short = trainBelow(loss, again, 0.01, { lr: 0.05, maxSteps: r.steps - 1 });
    expect(short.reached).to.equal(false);
    expect(short.value).to.be.above(0.01);
  });

  it("keeps the last finite point when the loss blows up", () => {
    let calls = 0;
    const loss = {
      dimension: 1,
      value: () => NaN,
      valueAndGradient: (t: Float64Array, g: Float64Array) => {
        g[0] = 1;
        return ++calls > 3 ? NaN : 10 + t[0];
      },
    };
    const theta = Float64Array.from([0]);
    const r = trainBelow(loss, theta, 0, { lr: 0.1, maxSteps: 100 });
    expect(r.reached).to.equal(false);
    expect(theta[0]).to.be.closeTo(-0.2, 1e-7);   // Adam steps lr·g/(|g| + ε)
    expect(r.value).to.be.closeTo(9.8, 1e-7);
  });
});
