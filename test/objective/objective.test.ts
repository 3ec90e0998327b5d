// Measurement operators against their definitions (adjointness, pooling, inpainting, the Gaussian
// ensemble), and the objective: values against direct float64 evaluation, shared vs per-trial
// observations, the penalty, noise, batch-size independence, and bad input.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { Objective } from "../../src/objective/objective.js";
import { DenseMeasurement, Identity, Inpaint, gaussianMeasurement, measurementFromSpec, observe, superResolution, type Measurement } from "../../src/objective/measurement.js";
import { InputError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

function applyDense(A: Measurement, x: ArrayLike<number>): Float64Array {
  return observe(A, [x])[0];
}

/** Run A (or Aᵀ) through the heap on float64 rows. */
function viaHeap(A: Measurement, rows: number[][], adjoint: boolean): number[][] {
  const inDim = adjoint ? A.m : A.n, outDim = adjoint ? A.n : A.m;
  const x = kernels.heap.alloc(rows.length * inDim * 8), out = kernels.heap.alloc(rows.length * outDim * 8);
  rows.forEach((r, i) => kernels.heap.f64.set(r, x / 8 + i * inDim));
  if (adjoint) A.adjoint(rows.length, x, out);
  else A.apply(rows.length, x, out);
  const res = rows.map((_, i) => Array.from(kernels.heap.f64.subarray(out / 8 + i * outDim, out / 8 + (i + 1) * outDim)));
  kernels.heap.free(x);
  kernels.heap.free(out);
  return res;
}

describe(`measurements and the objective (${kernels.backend} backend)`, () => {
  const rng = Rng.derive("measurement-tests");
  const make = (): Measurement[] => [
    new Identity(kernels, "f64", 12),
    gaussianMeasurement(kernels, "f64", 5, 12, "g"),
    new Inpaint(kernels, "f64", 12, [0, 3, 4, 11, 7]),
    superResolution(kernels, "f64", [3, 2, 2], 2),
    new DenseMeasurement(kernels, "f64", 4, 12, Array.from({ length: 48 }, () => rng.normal())),
  ];

  it("apply equals A·x and adjoint equals Aᵀ·r for every kind; ⟨Ax, r⟩ = ⟨x, Aᵀr⟩", () => {
    for (const A of make()) {
      const D = A.dense();
      const xs = [0, 1, 2].map(() => Array.from({ length: A.n }, () => rng.normal()));
      const rs = [0, 1, 2].map(() => Array.from({ length: A.m }, () => rng.normal()));
      const Ax = viaHeap(A, xs, false), Atr = viaHeap(A, rs, true);
      xs.forEach((x, b) => {
        for (let i = 0; i < A.m; i++) {
          let s = 0;
          for (let j = 0; j < A.n; j++) s += D[i * A.n + j] * x[j];
          expect(Ax[b][i]).to.be.closeTo(s, 1e-12);
        }
        const lhs = Ax[b].reduce((s, v, i) => s + v * rs[b][i], 0), rhs = Atr[b].reduce((s, v, j) => s + v * x[j], 0);
        expect(lhs, `${A.spec.kind} adjointness`).to.be.closeTo(rhs, 1e-10);
      });
      A.free();
    }
  });

  it("the Gaussian A has N(0, 1/m) entries and is regenerated from its seed", () => {
    const A = gaussianMeasurement(kernels, "f64", 200, 300, "seed-1"), D = A.dense();
    const mean = D.reduce((s, v) => s + v, 0) / D.length, variance = D.reduce((s, v) => s + (v - mean) ** 2, 0) / (D.length - 1);
    expect(Math.abs(mean)).to.be.below(5 * Math.sqrt(1 / 200 / D.length));
    expect(Math.abs(variance - 1 / 200)).to.be.below(5 * (1 / 200) * Math.sqrt(2 / D.length));
    const again = measurementFromSpec(kernels, "f64", A.spec);
    expect(Array.from(again.dense())).to.deep.equal(Array.from(D));
    A.free();
    again.free();
  });

  it("super-resolution averages each factor×factor block; inpainting keeps the listed pixels", () => {
    const S = superResolution(kernels, "f64", [1, 4, 4], 2);
    expect(Array.from(applyDense(S, Array.from({ length: 16 }, (_, i) => i)))).to.deep.equal([2.5, 4.5, 10.5, 12.5]);
    const P = new Inpaint(kernels, "f64", 5, [4, 1]);
    expect(viaHeap(P, [[10, 11, 12, 13, 14]], false)).to.deep.equal([[14, 11]]);
    expect(viaHeap(P, [[1, 2]], true)).to.deep.equal([[0, 2, 0, 0, 1]]);
    S.free();
    P.free();
  });

  it("f equals ½‖A·G(x) − obs‖² + λ‖x‖² computed directly; shared and per-trial observations agree; any batch size gives the same rows", () => {
    const net = randomNetwork("surf", [3, 15, 20, 10], "objective", { dtype: "f64" });
    const A = gaussianMeasurement(kernels, "f64", 6, 10, "objective");
    const y = Array.from({ length: 10 }, () => rng.normal());
    const obs = observe(A, [y])[0];
    const X = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => rng.uniformIn(-1, 1)));
    const shared = new Objective(net.program(5), A, obs, { lambda: 0.3 });
    const perTrial = new Objective(net.program(5), A, X.map(() => obs), { lambda: 0.3 });
    const one = new Objective(net.program(1), A, obs, { lambda: 0.3 });
    const a = shared.at(X), b = perTrial.at(X);
    X.forEach((x, r) => {
      const G = net.forward([x])[0], AG = applyDense(A, G);
      const direct = 0.5 * AG.reduce((s, v, i) => s + (v - obs[i]) ** 2, 0) + 0.3 * x.reduce((s, v) => s + v * v, 0);
      expect(a.f[r]).to.be.closeTo(direct, 1e-12);
      expect(b.f[r]).to.equal(a.f[r]);
      expect(Array.from(b.grad[r])).to.deep.equal(Array.from(a.grad[r]));
      const single = one.at([x]);
      expect(single.f[0]).to.equal(a.f[r]);
      expect(Array.from(single.grad[0])).to.deep.equal(Array.from(a.grad[r]));
    });
    for (const o of [shared, perTrial, one]) o.free();
    A.free();
    net.free();
  });

  it("noise is seeded per trial and has the requested size", () => {
    const A = new Identity(kernels, "f64", 4000);
    const y = new Float64Array(4000);
    const [noisy] = observe(A, [y], 0.1, "noise-seed");
    const sd = Math.sqrt(noisy.reduce((s, v) => s + v * v, 0) / noisy.length);
    expect(sd).to.be.closeTo(0.1, 5 * 0.1 / Math.sqrt(2 * 4000));
    expect(Array.from(observe(A, [y], 0.1, "noise-seed")[0])).to.deep.equal(Array.from(noisy));
    A.free();
  });

  it("bad input: mismatched sizes, non-finite observations, negative λ, bad measurement parameters", () => {
    const net = randomNetwork("hv", [2, 5, 8], "bad", { dtype: "f64" });
    const A = new Identity(kernels, "f64", 8);
    expect(() => new Objective(net.program(2), new Identity(kernels, "f64", 7), new Float64Array(7))).to.throw(InputError, /takes signals of 7 values but the network outputs 8/);
    expect(() => new Objective(net.program(2), A, new Float64Array(5))).to.throw(InputError, /observation 0 has 5 values, the measurement gives 8/);
    expect(() => new Objective(net.program(2), A, [new Float64Array(8)])).to.throw(InputError, /1 observations for a batch of 2 trials/);
    expect(() => new Objective(net.program(2), A, Float64Array.from({ length: 8 }, (_, i) => (i === 3 ? NaN : 0)))).to.throw(InputError, /observation 0, entry 3 is NaN/);
    expect(() => new Objective(net.program(2), A, new Float64Array(8), { lambda: -1 })).to.throw(InputError, /lambda must be a finite number ≥ 0/);
    expect(() => gaussianMeasurement(kernels, "f64", 0, 8, 1)).to.throw(InputError, /gaussian measurement: m = 0 rows of n = 8/);
    expect(() => superResolution(kernels, "f64", [1, 28, 28], 3)).to.throw(InputError, /factor 3 must be a positive integer dividing/);
    expect(() => new Inpaint(kernels, "f64", 8, [1, 1])).to.throw(InputError, /listed twice/);
    A.free();
    net.free();
  });
});
