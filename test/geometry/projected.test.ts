// Algorithm 3.2 (projected-gradient surfing) in the setting of Theorem 3.3, against the certificate.
import { expect } from "chai";
import type { PiecewiseLinearNet } from "../../src/geometry/affine.js";
import { certify } from "../../src/geometry/certificate.js";
import { evaluate, patternString } from "../../src/geometry/pattern.js";
import { randomNet } from "../../src/geometry/random-net.js";
import { surfProjected, surfProjectedNetworks, type ProjectedSurfStep } from "../../src/surf/projected.js";
import { InputError } from "../../src/errors.js";
import { kernels } from "../helpers.js";
import { Network } from "../../src/nn/network.js";
import { ensembleSpec } from "../../src/nn/ensembles.js";
import { Identity } from "../../src/objective/measurement.js";

/** The library Network (float64) with the weights of a surf-family PiecewiseLinearNet (Linear with bias, ReLU, …, Linear without bias). */
function toNetwork(net: PiecewiseLinearNet): Network {
  const arch = [net.k, ...net.layers.map((l) => l.outDim)];
  const out = new Network(ensembleSpec("surf", arch), { dtype: "f64" });
  net.layers.forEach((l, i) => {
    out.param(`${2 * i}.weight`).values.set(l.W);
    if (l.act !== "linear") out.param(`${2 * i}.bias`).values.set(l.b);
  });
  out.touch();
  return out;
}

/** θ(s) = cos(πs/2) θ₀ + sin(πs/2) θ₁: a continuous flow whose every θ(s) is again a draw of the Gaussian ensemble. */
function flowAt(th0: PiecewiseLinearNet, th1: PiecewiseLinearNet, s: number): PiecewiseLinearNet {
  const a = Math.cos((Math.PI * s) / 2), b = Math.sin((Math.PI * s) / 2);
  return { k: th0.k, layers: th0.layers.map((l, i) => ({ ...l, W: l.W.map((w, j) => a * w + b * th1.layers[i].W[j]), b: l.b.map((v, j) => a * v + b * th1.layers[i].b[j]) })) };
}

/** Spectral norm by power iteration on WᵀW (converged far below the margin the test leaves). */
function spectralNorm(W: Float64Array, rows: number, cols: number): number {
  let v = new Float64Array(cols).fill(1), norm = 0;
  for (let it = 0; it < 500; it++) {
    const u = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) u[r] += W[r * cols + c] * v[c];
    const w = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) w[c] += W[r * cols + c] * u[r];
    norm = Math.sqrt(Math.hypot(...w));
    v = w.map((x) => x / Math.hypot(...w));
  }
  return norm;
}

describe("Algorithm 3.2: projected-gradient surfing", () => {
  it("Theorem 3.3's setting: on a flow with a unique, continuously moving minimizer, x_t is the certified global minimizer at every t", () => {
    // A flow of surf-family networks G(x) = V σ(W₁x + b₁) (d = 1) and a target realizable at s = 1. This
    // seed's minimizer path satisfies Assumption 3.2 — checked below, not assumed — while most flows of
    // random networks make the global minimizer jump (the paper's Discussion).
    const T = 40, delta = 1 / T, box = 2;
    const th0 = randomNet([2, 10, 30], "surf", "flow-7-0"), th1 = randomNet([2, 10, 30], "surf", "flow-7-1");
    const flow = Array.from({ length: T + 1 }, (_, t) => flowAt(th0, th1, t * delta));
    const y = evaluate(flow[T], [0.5, -0.3]).output;
    const ls = { A: null, m: y.length, obs: y };
    const certified = flow.map((net) => certify(net, ls, { box }));

    // Assumption 3.2: unique minimizers, Lipschitz in s (L from the path itself), ‖W₁(s)‖ ≤ M.
    expect(certified.every((c) => c.unique)).to.equal(true);
    let L = 0;
    for (let t = 1; t <= T; t++) L = Math.max(L, Math.hypot(...certified[t].xGlobal.map((v, l) => v - certified[t - 1].xGlobal[l])) / delta);
    const median = [...Array(T).keys()].map((t) => Math.hypot(...certified[t + 1].xGlobal.map((v, l) => v - certified[t].xGlobal[l])) / delta).sort((a, b) => a - b)[T / 2];
    expect(L).to.be.below(2 * median); // no jump: the largest step is within twice the typical one
    const M = Math.max(...flow.map((net) => spectralNorm(net.layers[0].W, 10, 2)));
    // Theorem 3.3: δ < τ / (L max(M, 1)^{d+1}); take τ 1 % above the bound.
    const tau = 1.01 * delta * L * Math.max(M, 1) ** 2;
    const patterns = new Set(certified.map((c, t) => patternString(evaluate(flow[t], c.xGlobal).pattern)));
    expect(patterns.size).to.be.at.least(4); // the minimizer crosses several pieces

    const expectCertified = (path: ProjectedSurfStep[], inner: string, first = 1) => {
      expect(path.length).to.equal(T + 1 - first);
      path.forEach((step, i) => {
        const c = certified[step.t];
        expect(step.t).to.equal(i + first);
        expect(step.unconverged).to.equal(0);
        expect(Math.hypot(...step.x.map((v, l) => v - c.xGlobal[l])), `${inner}, t = ${step.t}`).to.be.below(inner === "exact" ? 1e-9 : 1e-7);
        expect(step.f).to.be.closeTo(c.fGlobal, 1e-9);
      });
    };
    for (const inner of ["gradient", "exact"] as const) {
      const result = surfProjected(flow, ls, { box, tau, inner, tol: 1e-12 });
      expectCertified(result.path, inner);
      expect(result.x).to.deep.equal(result.path[T - 1].x);
    }

    // The same flow as library Networks, loaded one at a time (each freed once converted), and a run
    // killed after t = 25 resumed from its saved step.
    const loaded: number[] = [];
    const loader = { count: T + 1, load: (t: number) => (loaded.push(t), toNetwork(flow[t])) };
    const saved: ProjectedSurfStep[] = [];
    const A = new Identity(kernels, "f64", y.length);
    const full = surfProjectedNetworks(loader, A, { signal: y }, { box, tau, inner: "exact", onStep: (step, of) => (expect(of).to.equal(T), saved.push(step)) });
    expectCertified(full.path, "exact (Networks)");
    expect(loaded).to.deep.equal([...Array(T + 1).keys()]);
    expect(saved.map((s) => s.t)).to.deep.equal(full.path.map((s) => s.t));
    loaded.length = 0;
    const resumed = surfProjectedNetworks(loader, A, { signal: y }, { box, tau, inner: "exact", resume: { t: 25, x: saved[24].x } });
    expect(loaded[0]).to.equal(26);
    expectCertified(resumed.path, "exact (resumed)", 26);
    const networks = flow.slice(0, 3).map(toNetwork);
    expect(surfProjectedNetworks(networks, A, { signal: y }, { box, tau, inner: "exact" }).path.map((s) => s.t)).to.deep.equal([1, 2]);
    networks.forEach((n) => n.free());
    A.free();
  });

  it("refuses an empty flow, mismatched networks and a bad step", () => {
    const a = randomNet([2, 4, 3], "surf", 1), b = randomNet([3, 4, 3], "surf", 1);
    const ls = { A: null, m: 3, obs: new Float64Array(3) };
    expect(() => surfProjected([], ls, { box: 1, tau: 0.1 })).to.throw(InputError, /flow must list at least one network/);
    expect(() => surfProjected([a, b], ls, { box: 1, tau: 0.1 })).to.throw(InputError, /flow\[1\]\.k = 3 differs from the first network's k = 2/);
    expect(() => surfProjected([a, a], ls, { box: 1, tau: 0.1, eta: -1 })).to.throw(InputError, /eta must be a positive step or "auto"/);
    expect(() => surfProjected([a, a], ls, { box: 1, tau: -1 })).to.throw(InputError, /tau must be a finite slack ≥ 0, got -1/);
    expect(() => surfProjected([a, a], ls, { box: 1, tau: 0.1, resume: { t: 2, x: [0, 0] } })).to.throw(InputError, /resume\.t must be a step in \[0, 1\], got 2/);
    expect(() => surfProjected([a, a], ls, { box: 1, tau: 0.1, resume: { t: 0, x: [0] } })).to.throw(InputError, /resume\.x must have 2 coordinates, got 1/);
    // τ so large that every neuron is in S: all regions are pieces, more than maxPieces.
    expect(() => surfProjected([a, a], ls, { box: 1, tau: 100, maxPieces: 2 })).to.throw(InputError, /pieces: more than maxPieces = 2 pieces in P\(x, θ, τ\) for τ = 100 \(\|S\| = 4 neurons within τ of 0\); lower τ, or raise maxPieces/);
  });
});
