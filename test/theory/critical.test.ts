// Exact critical points (src/theory/critical.ts): the radial derivative D_{−x̂}f against one-sided differences,
// the hand-made network of the geometry tests, and every local minimum found by descent among the region minimizers.
import { expect } from "chai";
import { inwardDerivative, regionMinimizers } from "../../src/theory/critical.js";
import { ensembleNet, independentTarget, Instance } from "../../src/theory/instance.js";
import { objective, type AffineLayer, type LeastSquares, type PiecewiseLinearNet } from "../../src/geometry/index.js";
import { Rng } from "../../src/random/rng.js";

function layer(outDim: number, inDim: number, W: number[], b: number[], act: "relu" | "linear"): AffineLayer {
  return { inDim, outDim, W: Float64Array.from(W), b: Float64Array.from(b), act, slope: act === "relu" ? 0 : 1 };
}

describe("theory: exact critical points", () => {
  it("D_{−x̂}f matches the one-sided difference (f(x − t x̂) − f(x))/t at random points", () => {
    const net = ensembleNet("surf", [2, 8, 20, 20], "inward");
    const inst = new Instance(net, "gaussian", independentTarget(Rng.derive("y-inward"), 20), "A-inward", { batch: 20 });
    const X = inst.samplePoints(Rng.derive("inward-points"), 20, 0.05, 4);
    for (let r = 0; r < 20; r++) {
      const x = Array.from(X.subarray(2 * r, 2 * r + 2)), nx = Math.hypot(...x), t = 1e-7;
      const fd = (objective(inst.pl, inst.ls, x.map((v) => v - (t * v) / nx)) - objective(inst.pl, inst.ls, x)) / t;
      expect(inwardDerivative(inst.pl, inst.ls, x)).to.be.closeTo(fd, 1e-5 * (1 + Math.abs(fd)));
    }
    expect(inwardDerivative(inst.pl, inst.ls, [0, 0])).to.be.NaN;
    inst.free();
    net.free();
  });

  it("the hand-made G(z) = (σ(z₁), σ(z₂), σ(z₁ + z₂ − 1)) with y = (1, 1, 0): the global minimum (2/3, 2/3), f = 1/6, is a critical point", () => {
    // Worked out in test/geometry/nets.ts: on the region where all three are active f = ½[(z₁−1)² + (z₂−1)² + (z₁+z₂−1)²].
    const net: PiecewiseLinearNet = { k: 2, layers: [layer(3, 2, [1, 0, 0, 1, 1, 1], [0, 0, -1], "relu"), layer(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0], "linear")] };
    const ls: LeastSquares = { A: null, m: 3, obs: Float64Array.from([1, 1, 0]) };
    const minima = regionMinimizers(net, ls, 2);
    expect(minima).to.have.length(7);   // the 7 regions of that arrangement in [−2, 2]²
    const best = minima.reduce((a, b) => (b.f < a.f ? b : a));
    expect(best.f).to.be.closeTo(1 / 6, 1e-12);
    expect(best.x[0]).to.be.closeTo(2 / 3, 1e-9);
    expect(best.x[1]).to.be.closeTo(2 / 3, 1e-9);
    expect(best.inward).to.be.closeTo(0, 1e-9);   // ∇f = 0 there
    // Where (3.2) holds the step toward 0 lowers f; where it fails it does not.
    for (const m of minima) {
      const nx = Math.hypot(...m.x);
      if (nx < 1e-9) continue;
      const t = 1e-6, drop = objective(net, ls, Array.from(m.x, (v) => v - (t * v) / nx)) - m.f;
      if (m.inward < -1e-6) expect(drop).to.be.below(0);
      if (m.inward > 1e-6) expect(drop).to.be.above(0);
    }
  });

  it("every local minimum descent finds is one of the region minimizers where (3.2) fails", () => {
    const net = ensembleNet("surf", [2, 10, 10], "local-minima");
    const inst = new Instance(net, "identity", independentTarget(Rng.derive("y-lm"), 10), "unused", { batch: 40 });
    const box = 4 * (1 + inst.normY);
    const critical = regionMinimizers(inst.pl, inst.ls, box).filter((m) => !(m.inward < -1e-9));
    const starts = inst.samplePoints(Rng.derive("starts-lm"), 40, 0.1, 2);
    const end = inst.landscape.descend(starts, { budget: 3000, untilConverged: false });
    for (let r = 0; r < 40; r++) {
      const x = end.x.subarray(2 * r, 2 * r + 2);
      if (Math.max(Math.abs(x[0]), Math.abs(x[1])) > box) continue;
      const nearest = Math.min(...critical.map((c) => Math.hypot(c.x[0] - x[0], c.x[1] - x[1])));
      expect(nearest, `descent ${r} ended at (${x[0]}, ${x[1]})`).to.be.below(1e-4);
    }
    inst.free();
    net.free();
  });
});
