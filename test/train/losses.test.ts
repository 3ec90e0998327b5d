// The training losses: every gradient against float64 central differences, and the values against
// their closed forms at points where they are known.
import { expect } from "chai";
import { Rng } from "../../src/random/rng.js";
import {
  bernoulliReconstruction, criticScore, gaussianKl, gradientPenalty, logitCrossEntropy, reparameterize, reparameterizeBackward, softplus,
} from "../../src/train/losses.js";

const H = 1e-6;
/** Central differences at H in float64 are good to ~1e-9 here (unit-scale smooth functions); 1e-7 leaves a margin. */
const TOL = 1e-7;

/** ∂f/∂v_i by central differences, for every i. */
function numeric(f: (v: Float64Array) => number, at: Float64Array): Float64Array {
  return at.map((_, i) => {
    const up = Float64Array.from(at), down = Float64Array.from(at);
    up[i] += H;
    down[i] -= H;
    return (f(up) - f(down)) / (2 * H);
  });
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > TOL * Math.max(1, Math.abs(expected[i]))) expect.fail(`${what}[${i}]: ${actual[i]} analytic, ${expected[i]} numeric`);
  }
}

const rng = Rng.derive("losses-test");
const uniform = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, () => rng.uniformIn(lo, hi));

describe("training losses", () => {
  it("softplus is log(1 + eˣ) without overflow", () => {
    for (const x of [-800, -30, -1, 0, 2, 30, 800]) expect(softplus(x)).to.be.closeTo(x > 30 ? x : Math.log1p(Math.exp(x)), 1e-12 * Math.max(1, Math.abs(x)));
    expect(softplus(0)).to.equal(Math.LN2);
  });

  it("the logit cross-entropy and the critic score: values and gradients", () => {
    const l = uniform(6, -4, 4), g = new Float64Array(6), scale = 1 / 6;
    for (const label of [0, 1] as const) {
      const f = (v: Float64Array) => logitCrossEntropy(v, label, scale, new Float64Array(6));
      const value = logitCrossEntropy(l, label, scale, g);
      const direct = l.reduce((s, x) => s - (label === 1 ? Math.log(1 / (1 + Math.exp(-x))) : Math.log(1 - 1 / (1 + Math.exp(-x)))), 0) * scale;
      expect(value).to.be.closeTo(direct, 1e-12);
      close(g, numeric(f, l), `∂BCE(label ${label})/∂l`);
    }
    for (const sign of [1, -1] as const) {
      const value = criticScore(l, sign, scale, g);
      expect(value).to.be.closeTo(sign * scale * l.reduce((a, b) => a + b, 0), 1e-12);
      close(g, numeric((v) => criticScore(v, sign, scale, new Float64Array(6)), l), "∂score/∂D");
    }
  });

  it("the Bernoulli reconstruction loss: value, ∂/∂p, and p − x after the sigmoid's backward", () => {
    const x = uniform(10, 0, 1), p = uniform(10, 0.05, 0.95), g = new Float64Array(10), scale = 0.5;
    const value = bernoulliReconstruction(x, p, scale, g);
    expect(value).to.be.closeTo(-scale * x.reduce((s, xi, i) => s + xi * Math.log(p[i]) + (1 - xi) * Math.log(1 - p[i]), 0), 1e-12);
    close(g, numeric((v) => bernoulliReconstruction(x, v, scale, new Float64Array(10)), p), "∂rec/∂p");
    close(g.map((gi, i) => gi * p[i] * (1 - p[i])), x.map((xi, i) => scale * (p[i] - xi)), "∂rec/∂logit");
    // a saturated pixel costs 100 nats (torch.nn.BCELoss's clamp), not ∞, and its gradient stays finite
    const sat = bernoulliReconstruction(Float64Array.of(1), Float64Array.of(0), 1, g);
    expect(sat).to.equal(100);
    expect(Number.isFinite(g[0])).to.equal(true);
  });

  it("the Gaussian KL: zero at the prior, its closed form, its gradient", () => {
    const rows = 3, k = 2, enc = uniform(rows * 2 * k, -1.5, 1.5), g = new Float64Array(rows * 2 * k);
    expect(gaussianKl(new Float64Array(rows * 2 * k), rows, k, 1, new Float64Array(rows * 2 * k))).to.equal(0);
    const value = gaussianKl(enc, rows, k, 0.25, g);
    let direct = 0;
    for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) {
      const mu = enc[r * 2 * k + j], lv = enc[r * 2 * k + k + j];
      direct += Math.log(1 / Math.exp(0.5 * lv)) + (Math.exp(lv) + mu * mu) / 2 - 0.5;   // log(σ_p/σ_q) + (σ_q² + μ²)/(2σ_p²) − ½
    }
    expect(value).to.be.closeTo(0.25 * direct, 1e-12);
    close(g, numeric((v) => gaussianKl(v, rows, k, 0.25, new Float64Array(rows * 2 * k)), enc), "∂KL/∂(μ, log σ²)");
  });

  it("the reparameterization's backward is the gradient of L(μ + σ·ε)", () => {
    const rows = 2, k = 3, enc = uniform(rows * 2 * k, -1, 1), eps = uniform(rows * k, -2, 2), w = uniform(rows * k, -1, 1);
    // L(z) = Σ w·z + ½ Σ z², so ∂L/∂z = w + z
    const L = (e: Float64Array) => {
      const z = new Float64Array(rows * k);
      reparameterize(e, eps, rows, k, z);
      return z.reduce((s, zi, i) => s + w[i] * zi + 0.5 * zi * zi, 0);
    };
    const z = new Float64Array(rows * k);
    reparameterize(enc, eps, rows, k, z);
    const grad = new Float64Array(rows * 2 * k);
    reparameterizeBackward(enc, eps, z.map((zi, i) => w[i] + zi), rows, k, grad);
    close(grad, numeric(L, enc), "∂L/∂(μ, log σ²)");
  });

  it("the gradient penalty: value and its gradient in ∇ₓD, zero where ‖∇ₓD‖ = 1", () => {
    const rows = 3, n = 4, g = uniform(rows * n, -1, 1), u = new Float64Array(rows * n);
    const value = gradientPenalty(g, rows, n, 10, 1 / rows, u);
    let direct = 0;
    for (let r = 0; r < rows; r++) direct += (Math.hypot(...g.subarray(r * n, (r + 1) * n)) - 1) ** 2;
    expect(value).to.be.closeTo((10 * direct) / rows, 1e-12);
    close(u, numeric((v) => gradientPenalty(v, rows, n, 10, 1 / rows, new Float64Array(rows * n)), g), "∂P/∂g");
    const unit = Float64Array.of(0.6, 0.8, 0, 0);
    expect(gradientPenalty(unit, 1, 4, 10, 1, u)).to.be.below(1e-30);
    expect(Array.from(u.subarray(0, 4)).every((x) => Math.abs(x) < 1e-15)).to.equal(true);
  });
});
