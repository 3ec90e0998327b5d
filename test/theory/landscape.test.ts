// The batched objective of the checks in float64: ∇f against central finite differences, the pull-back
// J(x)ᵀv against the explicit product (Π W_{i,x}ᵀ)Vᵀv of Song, Fan & Lafferty 2019, Section 5 and against finite differences of
// ⟨v, G(x)⟩, and Lemma 5.4's g_x built from them.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { ensembleNet, independentTarget, Instance, MEASUREMENTS } from "../../src/theory/instance.js";
import { fromNetwork } from "../../src/geometry/from-network.js";
import { evaluate, objective } from "../../src/geometry/index.js";
import { Rng } from "../../src/random/rng.js";
import { InputError } from "../../src/errors.js";
import { Network } from "../../src/nn/network.js";
import type { PiecewiseLinearNet } from "../../src/geometry/index.js";

/** Central difference step for piecewise-quadratic f in float64: error O(h²)·f‴ = 0 inside a piece, rounding ~ε/h. */
const H = 1e-6;

/** (Π W_{i,x}ᵀ)Vᵀv: the transposed Jacobian of G at x, layer by layer from the activation masks. */
function explicitPullback(net: PiecewiseLinearNet, x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  const { pattern } = evaluate(net, x);
  let at = 0;
  const masks = net.layers.map((l) => {
    const m = l.act === "relu" ? pattern.subarray(at, at + l.outDim) : new Uint8Array(l.outDim).fill(1);
    if (l.act === "relu") at += l.outDim;
    return m;
  });
  let u = Float64Array.from(v);
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const l = net.layers[i], out = new Float64Array(l.inDim);
    for (let r = 0; r < l.outDim; r++) {
      if (!masks[i][r]) continue;
      for (let c = 0; c < l.inDim; c++) out[c] += l.W[r * l.inDim + c] * u[r];
    }
    u = out;
  }
  return u;
}

describe(`theory: the landscape in float64 (${kernels.backend} backend)`, () => {
  for (const family of ["surf", "hv"] as const) {
    it(`${family}: ∇f matches central differences (A = I and Gaussian A)`, () => {
      const arch = family === "surf" ? [3, 12, 20, 25] : [3, 12, 20];
      const net = ensembleNet(family, arch, `grad-${family}`);
      const y = independentTarget(Rng.derive("y", family), net.outputSize);
      const rng = Rng.derive("points", family);
      for (const kind of MEASUREMENTS) {
        const inst = new Instance(net, kind, y, "A-test", { batch: 8 });
        const X = inst.samplePoints(rng, 8, 0.3, 3);
        const { f, grad } = inst.landscape.evaluate(X);
        for (let r = 0; r < 8; r++) {
          const x = Array.from(X.subarray(r * 3, r * 3 + 3));
          expect(f[r]).to.be.closeTo(objective(inst.pl, inst.ls, x), 1e-12 * (1 + f[r]));
          for (let j = 0; j < 3; j++) {
            const up = x.slice(), down = x.slice();
            up[j] += H;
            down[j] -= H;
            const fd = (objective(inst.pl, inst.ls, up) - objective(inst.pl, inst.ls, down)) / (2 * H);
            expect(grad[r * 3 + j], `${kind}, point ${r}, coordinate ${j}`).to.be.closeTo(fd, 1e-7 * (1 + Math.abs(fd)));
          }
        }
        inst.free();
      }
      net.free();
    });
  }

  it("pull-back J(x)ᵀv equals (Π W_{i,x}ᵀ)Vᵀv and the gradient of x ↦ ⟨v, G(x)⟩ by central differences", () => {
    const net = ensembleNet("surf", [2, 10, 30, 40], "pullback");
    const pl = fromNetwork(net);
    const inst = new Instance(net, "identity", new Float64Array(40), "unused", { batch: 5 });
    const rng = Rng.derive("pullback-points");
    const X = inst.samplePoints(rng, 5, 0.5, 2), V = new Float64Array(5 * 40);
    rng.fillNormal(V);
    const got = inst.landscape.pullback(X, V);
    for (let r = 0; r < 5; r++) {
      const x = Array.from(X.subarray(r * 2, r * 2 + 2)), v = V.subarray(r * 40, (r + 1) * 40);
      const want = explicitPullback(pl, x, v);
      const inner = (z: number[]) => evaluate(pl, z).output.reduce((s, g, i) => s + g * v[i], 0);
      for (let j = 0; j < 2; j++) {
        expect(got[r * 2 + j]).to.be.closeTo(want[j], 1e-12 * (1 + Math.abs(want[j])));
        const up = x.slice(), down = x.slice();
        up[j] += H;
        down[j] -= H;
        expect(got[r * 2 + j]).to.be.closeTo((inner(up) - inner(down)) / (2 * H), 1e-7);
      }
    }
    // One shared vector for every point is the same as repeating it.
    const shared = inst.landscape.pullback(X, V.subarray(0, 40)), repeated = inst.landscape.pullback(X, Float64Array.from({ length: 5 * 40 }, (_, i) => V[i % 40]));
    expect(Array.from(shared)).to.deep.equal(Array.from(repeated));
    expect(() => inst.landscape.pullback(X, new Float64Array(7))).to.throw(InputError, /neither one output vector/);
    inst.free();
    net.free();
  });

  it("Lemma 5.4's deviation ‖∇f − g_x‖ with g_x = 2^{−d}x − (Π W_{i,x}ᵀ)Vᵀy, from the explicit product", () => {
    const net = ensembleNet("surf", [2, 16, 64, 64], "lemma54");
    const pl = fromNetwork(net);
    const y = independentTarget(Rng.derive("y54"), 64);
    const inst = new Instance(net, "gaussian", y, "A54", { batch: 6 });
    const X = inst.samplePoints(Rng.derive("x54"), 6, 0.1, 10);
    const { lemma54, theorem31 } = inst.gradientDeviations(X);
    const { grad } = inst.landscape.evaluate(X);
    for (let r = 0; r < 6; r++) {
      const x = X.subarray(r * 2, r * 2 + 2), Jy = explicitPullback(pl, x, y);
      const gx = [0, 1].map((j) => x[j] / 4 - Jy[j]);
      const dev = Math.hypot(...[0, 1].map((j) => grad[r * 2 + j] - gx[j])), scale = 1 + Math.hypot(...x) + inst.normY;
      expect(lemma54[r]).to.be.closeTo(dev / scale, 1e-12);
      expect(theorem31[r]).to.be.closeTo(Math.hypot(...[0, 1].map((j) => grad[r * 2 + j] - x[j] / 4)) / scale, 1e-12);
    }
    inst.free();
    net.free();
  });

  it("descent ends at the minimizer x0 of f = ½‖G(x) − G(x0)‖² from a nearby start", () => {
    const net = ensembleNet("hv", [2, 40, 80], "descent");
    const x0 = [0.6, -0.8];
    const inst = new Instance(net, "identity", net.forward([x0])[0], "unused", { batch: 4 });
    const starts = Float64Array.from([0.7, -0.7, 0.5, -0.9, 0.65, -0.75, 0.55, -0.85]);
    const end = inst.landscape.descend(starts, { budget: 500, untilConverged: false });
    for (let r = 0; r < 4; r++) {
      expect(Math.hypot(end.x[2 * r] - x0[0], end.x[2 * r + 1] - x0[1])).to.be.below(1e-4);
      expect(end.f[r]).to.be.below(1e-9);
    }
    inst.free();
    net.free();
  });

  it("fromNetwork refuses layers that are not piecewise linear, and the landscape refuses float32", () => {
    const conv = new Network({ input: [3], layers: [{ type: "Linear", in_features: 3, out_features: 2, bias: true }, { type: "Sigmoid" }] }, { dtype: "f64" });
    expect(() => fromNetwork(conv)).to.throw(InputError, /layer 1 \(Sigmoid\) is not piecewise linear/);
    conv.free();
    const f32 = new Network({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 3, bias: false }] });
    expect(() => new Instance(f32, "identity", new Float64Array(3), "x")).to.throw(InputError, /float64/);
    f32.free();
  });
});
