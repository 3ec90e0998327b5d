// The WDC matrix Q_{x,y} of eq. (2) (Hand & Voroninski 2018) against its definition as an expectation, by Monte Carlo.
import { expect } from "chai";
import { activeGram, activeRows, angle, wdcMatrix } from "../../src/theory/wdc.js";
import { matmulTN } from "../../src/theory/matrix.js";
import { Rng } from "../../src/random/rng.js";
import { pairAtAngle } from "../../src/theory/check.js";

describe("theory: the Weight Distribution Condition", () => {
  it("Q_{x,y} equals the Monte-Carlo mean of Σ 1[w·x>0]1[w·y>0] w wᵀ for rows w ~ N(0, I/n), within 5 standard errors", () => {
    const rng = Rng.derive("wdc-test");
    const k = 4, n = 20, trials = 4000;
    for (const theta of [0, Math.PI / 5, Math.PI / 2, 2.4, Math.PI - 1e-3, Math.PI]) {
      const [x, y] = pairAtAngle(rng, k, theta);
      expect(angle(x, y)).to.be.closeTo(theta, 1e-7);
      const sum = new Float64Array(k * k), sq = new Float64Array(k * k);
      const W = new Float64Array(n * k);
      for (let t = 0; t < trials; t++) {
        rng.fillNormal(W, 0, 1 / Math.sqrt(n));
        const G = activeGram(W, n, k, activeRows(W, n, k, x), activeRows(W, n, k, y));
        G.forEach((v, i) => {
          sum[i] += v;
          sq[i] += v * v;
        });
      }
      const Q = wdcMatrix(x, y);
      for (let i = 0; i < k * k; i++) {
        const mean = sum[i] / trials, se = Math.sqrt((sq[i] / trials - mean * mean) / trials);
        expect(Math.abs(mean - Q[i]), `θ = ${theta}, entry ${i}: mean ${mean}, Q ${Q[i]}, se ${se}`).to.be.at.most(5 * se + 1e-12);
      }
    }
  });

  it("Q by hand: ½I for x = y, 0 for y = −x, symmetric, with eigenvalues (π − θ ± sin θ)/(2π) on span{x, y}", () => {
    const rng = Rng.derive("wdc-hand");
    const [x] = pairAtAngle(rng, 3, 0);
    const half = wdcMatrix(x, x), zero = wdcMatrix(x, x.map((v) => -v));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      expect(half[i * 3 + j]).to.be.closeTo(i === j ? 0.5 : 0, 1e-15);
      expect(zero[i * 3 + j]).to.be.closeTo(0, 1e-15);
    }
    const theta = 1.1, [a, b] = pairAtAngle(rng, 3, theta);
    const Q = wdcMatrix(a, b);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Q[i * 3 + j]).to.be.closeTo(Q[j * 3 + i], 1e-15);
    // Q(x̂ + ŷ) and Q(x̂ − ŷ): M swaps x̂ and ŷ, so these are eigenvectors with M-eigenvalues +1 and −1.
    for (const [sign, lambda] of [[1, (Math.PI - theta + Math.sin(theta)) / (2 * Math.PI)], [-1, (Math.PI - theta - Math.sin(theta)) / (2 * Math.PI)]]) {
      const v = a.map((t, i) => t + sign * b[i]);
      const Qv = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + Q[i * 3 + j] * v[j], 0));
      Qv.forEach((t, i) => expect(t).to.be.closeTo(lambda * v[i], 1e-14));
    }
  });

  it("activeGram is W_{+,x}ᵀW_{+,y} with W_{+,x} = diag(Wx + b > 0)W", () => {
    const rng = Rng.derive("gram");
    const n = 9, k = 3, W = new Float64Array(n * k), b = new Float64Array(n);
    rng.fillNormal(W);
    rng.fillNormal(b);
    const x = [0.3, -1, 2], y = [-0.5, 0.2, 0.1];
    const onX = activeRows(W, n, k, x, b), onY = activeRows(W, n, k, y, b);
    const Wx = W.map((v, i) => (onX[Math.floor(i / k)] ? v : 0)), Wy = W.map((v, i) => (onY[Math.floor(i / k)] ? v : 0));
    for (let i = 0; i < n; i++) {
      const pre = b[i] + W[i * k] * x[0] + W[i * k + 1] * x[1] + W[i * k + 2] * x[2];
      expect(onX[i]).to.equal(pre > 0 ? 1 : 0);
    }
    const want = matmulTN(Wx, Wy, n, k, k), got = activeGram(W, n, k, onX, onY);
    got.forEach((v, i) => expect(v).to.be.closeTo(want[i], 1e-14));
  });
});
