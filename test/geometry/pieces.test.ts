// S(x, θ, τ) and the pieces P(x, θ, τ) of Algorithm 3.2, against Cover's count and the full enumeration.
import { expect } from "chai";
import type { PiecewiseLinearNet } from "../../src/geometry/affine.js";
import { enumerateRegions } from "../../src/geometry/enumerate.js";
import { evaluate, patternString } from "../../src/geometry/pattern.js";
import { pieces, slackSet } from "../../src/geometry/pieces.js";
import { project } from "../../src/geometry/project.js";
import { randomNet } from "../../src/geometry/random-net.js";
import { InputError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";
import { cover } from "./counts.js";

describe("pieces P(x, θ, τ)", () => {
  it("a point placed on |S| hyperplanes at once (b = −W x) has 2 Σ_{i<k} C(|S| − 1, i) neighbouring pieces", () => {
    const rng = Rng.derive("pieces-degenerate");
    for (const k of [2, 3, 4]) {
      for (const s of [2, 4, 6]) {
        const net = randomNet([k, 12, 3], "surf", `pieces-${k}-${s}`);
        // W and x on the grid 2^-24, so that b = −W x is exact and the s hyperplanes meet exactly at x (the
        // subdivision is exact for the stored numbers: a rounded b would miss x and add thin pieces).
        const grid = (v: number) => Math.round(v * 2 ** 24) / 2 ** 24;
        const x = Float64Array.from({ length: k }, () => grid(rng.uniformIn(-0.5, 0.5)));
        const { W, b } = net.layers[0];
        for (let i = 0; i < W.length; i++) W[i] = grid(W[i]);
        for (let j = 0; j < s; j++) {
          let wx = 0;
          for (let l = 0; l < k; l++) wx += W[j * k + l] * x[l];
          b[j] = -wx; // neuron j's hyperplane now passes through x
        }
        const tau = 1e-9;
        expect(Array.from(slackSet(net, x, tau)), `k = ${k}, |S| = ${s}`).to.deep.equal(Array.from({ length: s }, (_, j) => j));
        const found = pieces(net, x, tau, 1);
        expect(found.length, `k = ${k}, |S| = ${s}`).to.equal(cover(s, k));
        // Their patterns agree with x's outside S and are distinct.
        const px = evaluate(net, x).pattern;
        expect(new Set(found.map((p) => patternString(p.pattern))).size).to.equal(found.length);
        for (const p of found) for (let j = s; j < px.length; j++) expect(p.pattern[j]).to.equal(px[j]);
      }
    }
  });

  it("hyperplanes through one point up to float32 rounding: the pieces are exactly the regions near x, and projections onto each work", () => {
    // b = −W x in float32 (a trained hv layer shifted to x, stored as a checkpoint): the 30 lines miss x by
    // ~1e-8, so the stored numbers make more pieces than Cover's 60 for lines through one point — thin ones,
    // some thinner than the LP's tolerance, but every one with interior (the subdivision is exact).
    const rng = Rng.derive("pieces-float32");
    const net = randomNet([2, 30, 3], "surf", "pieces-float32"), x = Float64Array.of(-1.05, 0.7), { W, b } = net.layers[0];
    for (let j = 0; j < 30; j++) {
      W[2 * j] = Math.fround(W[2 * j]);
      W[2 * j + 1] = Math.fround(W[2 * j + 1]);
      b[j] = Math.fround(-(W[2 * j] * x[0] + W[2 * j + 1] * x[1]));
    }
    const tau = 1e-6;
    const found = pieces(net, x, tau, 3);
    expect(found.length).to.be.greaterThan(60);
    const S = new Set(slackSet(net, x, tau)), px = evaluate(net, x).pattern;
    const expected = enumerateRegions(net, { box: 3 }).regions.map((r) => r.pattern).filter((p) => p.every((v, j) => S.has(j) || v === px[j])).map(patternString).sort();
    expect(found.map((p) => patternString(p.pattern)).sort()).to.deep.equal(expected);
    for (const p of found) {
      const scale = (i: number) => 1e-9 * (1 + Math.abs(p.d[i]));
      for (let i = 0; i < p.rows; i++) expect(p.d[i] - p.C[2 * i] * p.interior[0] - p.C[2 * i + 1] * p.interior[1]).to.be.greaterThan(-scale(i));
      const y = [rng.uniformIn(-3, 3), rng.uniformIn(-3, 3)];
      const z = project(p, y).x;
      for (let i = 0; i < p.rows; i++) expect(p.C[2 * i] * z[0] + p.C[2 * i + 1] * z[1] - p.d[i]).to.be.at.most(scale(i));
    }
  });

  it("deep nets: exactly the enumerated regions whose pattern differs from x's only inside S", () => {
    const rng = Rng.derive("pieces-deep");
    const nets: PiecewiseLinearNet[] = [randomNet([2, 8, 8, 3], "surf", "deep-1"), randomNet([3, 6, 6, 6, 2], "surf", "deep-2"), randomNet([2, 8, 8], "hv", "deep-3")];
    for (const net of nets) {
      const all = enumerateRegions(net).regions.map((r) => r.pattern);
      for (let trial = 0; trial < 4; trial++) {
        const x = Float64Array.from({ length: net.k }, () => rng.uniformIn(-0.9, 0.9));
        const { pre, pattern } = evaluate(net, x);
        // τ: the 2nd … 6th smallest |pre-activation|, so that |S| grows with the trial.
        const tau = [...pre].map(Math.abs).sort((a, b) => a - b)[2 + trial];
        const S = new Set(slackSet(net, x, tau));
        expect(S.size).to.equal(3 + trial);
        const expected = all.filter((p) => p.every((v, j) => S.has(j) || v === pattern[j])).map(patternString).sort();
        const found = pieces(net, x, tau, 1);
        expect(found.map((p) => patternString(p.pattern)).sort()).to.deep.equal(expected);
        // Each piece's interior point has the piece's pattern and satisfies its rows; G = J z + c there.
        for (const p of found) {
          const ev = evaluate(net, p.interior);
          expect(patternString(ev.pattern)).to.equal(patternString(p.pattern));
          for (let i = 0; i < p.rows; i++) {
            let s = -p.d[i];
            for (let l = 0; l < net.k; l++) s += p.C[i * net.k + l] * p.interior[l];
            expect(s).to.be.below(1e-12);
          }
          for (let i = 0; i < p.n; i++) {
            let v = p.c[i];
            for (let l = 0; l < net.k; l++) v += p.J[i * net.k + l] * p.interior[l];
            expect(Math.abs(v - ev.output[i])).to.be.below(1e-12);
          }
        }
      }
    }
  });

  it("refuses a negative or non-finite τ and a bad point", () => {
    const net = randomNet([2, 4, 2], "surf", 1);
    expect(() => pieces(net, [0, 0], -1, 1)).to.throw(InputError, /tau must be a finite slack ≥ 0, got -1/);
    expect(() => slackSet(net, [0, 0], NaN)).to.throw(InputError, /tau must be/);
    expect(() => pieces(net, [0], 0.1, 1)).to.throw(InputError, /x must have 2 coordinates, got 1/);
    expect(() => pieces(net, [0, 0], 0.1, 0)).to.throw(InputError, /box must be/);
  });
});
