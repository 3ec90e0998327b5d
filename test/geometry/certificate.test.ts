// The global certificate and the per-region QPs behind it, against the hand computation and HiGHS.
import { expect } from "chai";
import type { LeastSquares, PiecewiseLinearNet } from "../../src/geometry/affine.js";
import { certify, certifyNetwork } from "../../src/geometry/certificate.js";
import { kernels } from "../helpers.js";
import { Network } from "../../src/nn/network.js";
import { Identity, gaussianMeasurement } from "../../src/objective/measurement.js";
import { enumerateRegions } from "../../src/geometry/enumerate.js";
import { evaluate } from "../../src/geometry/pattern.js";
import { project } from "../../src/geometry/project.js";
import { minimizeOnRegion, objective, regionQuadratic } from "../../src/geometry/quadratic.js";
import { randomNet } from "../../src/geometry/random-net.js";
import { regionOfPattern } from "../../src/geometry/region.js";
import { InputError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";
import { highsOracle, type Oracle } from "./highs.js";
import { handMade } from "./nets.js";

/** A Gaussian measurement A ~ N(0, 1/m) of y = G(x*) + noise. */
function measured(net: PiecewiseLinearNet, m: number, seed: string, noise: number): LeastSquares {
  const rng = Rng.derive(seed);
  const xStar = Float64Array.from({ length: net.k }, () => rng.uniformIn(-0.8, 0.8));
  const y = evaluate(net, xStar).output, n = y.length;
  const A = new Float64Array(m * n), obs = new Float64Array(m);
  rng.fillNormal(A, 0, 1 / Math.sqrt(m));
  for (let i = 0; i < m; i++) {
    for (let q = 0; q < n; q++) obs[i] += A[i * n + q] * y[q];
    obs[i] += noise * rng.normal();
  }
  return { A, m, obs };
}

describe("per-region minimization and the global certificate", () => {
  let highs: Oracle;
  before(async () => {
    highs = await highsOracle();
  });

  it("the hand-made network: global minimum 1/6 at (2/3, 2/3), over 7 regions; the gap of (½, ½) is 1/12", () => {
    const ls: LeastSquares = { A: null, m: 3, obs: Float64Array.from([1, 1, 0]) };
    const c = certify(handMade, ls, { box: 2 });
    expect(c.regions).to.equal(7);
    expect(c.fGlobal).to.be.closeTo(1 / 6, 1e-15);
    expect(c.xGlobal[0]).to.be.closeTo(2 / 3, 1e-14);
    expect(c.xGlobal[1]).to.be.closeTo(2 / 3, 1e-14);
    expect(c.unique).to.equal(true);
    expect(c.gap([0.5, 0.5])).to.be.closeTo(1 / 12, 1e-15);
    expect(c.gap(c.xGlobal)).to.equal(0);
    // Region 110's own minimum is ¼ at (½, ½): the projection of (1, 1) onto z₁ + z₂ ≤ 1.
    const r110 = minimizeOnRegion(regionOfPattern(handMade, Uint8Array.from([1, 1, 0]), { box: 2 }), ls);
    expect(r110.f).to.be.closeTo(0.25, 1e-15);
    expect(Array.from(r110.x).map((v) => +v.toFixed(12))).to.deep.equal([0.5, 0.5]);
  });

  it("the hand-made network as a library Network (Linear + ReLU): the same certificate through certifyNetwork", () => {
    const net = new Network({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 3, bias: true }, { type: "ReLU" }] }, { dtype: "f64" });
    net.param("0.weight").values.set([1, 0, 0, 1, 1, 1]);
    net.param("0.bias").values.set([0, 0, -1]);
    net.touch();
    const I = new Identity(kernels, "f64", 3);
    for (const target of [{ signal: [1, 1, 0] }, { observation: [1, 1, 0] }]) {
      const c = certifyNetwork(net, I, target, { box: 2 });
      expect(c.regions).to.equal(7);
      expect(c.fGlobal).to.be.closeTo(1 / 6, 1e-15);
      expect(Array.from(c.xGlobal).map((v) => +v.toFixed(12))).to.deep.equal([0.666666666667, 0.666666666667]);
    }
    // A Gaussian measurement of a realizable signal: the minimum is 0, at the signal's latent point (unique here).
    const A = gaussianMeasurement(kernels, "f64", 3, 3, "hand-made");
    const c = certifyNetwork(net, A, { signal: net.forward([[0.9, 0.6]])[0] }, { box: 2 });
    expect(c.fGlobal).to.be.below(1e-25);
    expect(Math.hypot(c.xGlobal[0] - 0.9, c.xGlobal[1] - 0.6)).to.be.below(1e-10);
    expect(c.gap([0.9, 0.6])).to.be.below(1e-25);
    A.free();
    net.free();
  });

  it("per-region minima equal HiGHS's QP and satisfy KKT to 1e-9; the certificate is the least of them and below f at 5000 sampled points", () => {
    const rng = Rng.derive("certificate-random");
    const cases: [PiecewiseLinearNet, LeastSquares][] = [];
    for (const [arch, m] of [[[2, 6, 6, 8], 5], [[2, 10, 12], 12], [[3, 5, 5, 6], 4]] as [number[], number][]) {
      const net = randomNet(arch, "surf", `certificate-${arch.join(",")}`);
      cases.push([net, measured(net, m, `measure-${arch.join(",")}`, 0.05)]);
    }
    for (const [net, ls] of cases) {
      const c = certify(net, ls, { box: 1 });
      let best = Infinity, compared = 0;
      for (const r of enumerateRegions(net).regions) {
        const R = regionOfPattern(net, r.pattern, { box: 1 });
        const ours = minimizeOnRegion(R, ls, { start: r.interior });
        for (const v of Object.values(ours.kkt)) expect(v).to.be.below(1e-9);
        const q = regionQuadratic(R, ls);
        const ref = highs.qp(net.k, q.H, q.g, R.rows, R.C, R.d);
        best = Math.min(best, ours.f);
        if (ref.status === "other") continue; // HiGHS failed (see highs.ts); KKT above still certifies ours
        compared++;
        expect(Math.abs(ours.f - (ref.value + q.constant))).to.be.below(1e-7 * (1 + ours.f));
      }
      expect(compared).to.be.above(0);
      expect(c.fGlobal).to.be.closeTo(best, 1e-12 * (1 + best));
      expect(objective(net, ls, c.xGlobal)).to.be.closeTo(c.fGlobal, 1e-12 * (1 + c.fGlobal));
      const x = new Float64Array(net.k);
      for (let t = 0; t < 5000; t++) {
        rng.fillUniform(x, -1, 1);
        expect(objective(net, ls, x)).to.be.at.least(c.fGlobal - 1e-12);
      }
    }
  });

  it("a rank-deficient A·J (one measurement, k = 2): a minimizer set, reported as not unique", () => {
    const net = randomNet([2, 8, 10], "surf", "rank-deficient");
    const ls = measured(net, 1, "rank-deficient", 0);
    const c = certify(net, ls, { box: 1 });
    // f = 0 on the whole curve {x : a·G(x) = a·G(x*)}.
    expect(c.fGlobal).to.be.below(1e-20);
    expect(c.unique).to.equal(false);
  });

  it("projection onto regions equals HiGHS's, from the Chebyshev centre or a warm start", () => {
    const rng = Rng.derive("projection");
    const net = randomNet([3, 10, 10, 5], "surf", "projection");
    const e = enumerateRegions(net);
    for (const r of e.regions.slice(0, 40)) {
      const R = regionOfPattern(net, r.pattern, { box: 1 });
      const y = Float64Array.from({ length: 3 }, () => rng.uniformIn(-2, 2));
      const ours = project(R, y);
      const H = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      const ref = highs.qp(3, H, Array.from(y, (v) => -v), R.rows, R.C, R.d);
      for (const v of Object.values(ours.kkt)) expect(v).to.be.below(1e-9);
      if (ref.status === "optimal") for (let l = 0; l < 3; l++) expect(Math.abs(ours.x[l] - ref.x[l])).to.be.below(1e-6);
    }
  });

  it("refuses a network and objective that do not match, and k too large", () => {
    const net = randomNet([2, 4, 3], "surf", 1);
    expect(() => certify(net, { A: null, m: 2, obs: new Float64Array(2) }, { box: 1 })).to.throw(InputError, /objective\.m = 2 must equal the output dimension 3/);
    expect(() => certify(randomNet([10, 64, 64, 1], "torch", 1), { A: null, m: 1, obs: new Float64Array(1) }, { box: 1 })).to.throw(InputError, /too many for a certificate in \[−1, 1\]\^10 \(k = 10\): about [0-9.e+]+ regions or more/);
  });
});
