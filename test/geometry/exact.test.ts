// Exact region geometry at every scale, against closed forms and brute force: Zaslavsky's and Cover's
// counts at k = 1 … 6, brute force on deep nets, and degenerate and extreme arrangements, each at the
// boxes 1, 1e4, 1e8, 1e300 and all of R^k (box = Infinity). Nets are built so that the count is the same
// at every one of those boxes (every vertex of the arrangement inside the smallest), so one closed form
// checks them all.
import { expect } from "chai";
import type { AffineLayer, PiecewiseLinearNet } from "../../src/geometry/affine.js";
import { enumerateRegions } from "../../src/geometry/enumerate.js";
import { dyadicOf, ExactBox, ratio, solveVertex } from "../../src/geometry/exact.js";
import { evaluate, patternString } from "../../src/geometry/pattern.js";
import { randomNet } from "../../src/geometry/random-net.js";
import { subdivide } from "../../src/geometry/subdivision.js";
import { certify } from "../../src/geometry/certificate.js";
import { Rng } from "../../src/random/rng.js";
import { bruteForce } from "./brute.js";
import { highsOracle } from "./highs.js";
import { layer } from "./nets.js";
import { zaslavsky, cover } from "./counts.js";

const BOXES = [1, 1e4, 1e8, 1e300, Infinity];

/** The largest |coordinate| of a vertex of the arrangement {W_j z + b_j = 0} (every k-subset solved in float64). */
function farthestVertex(W: Float64Array, b: Float64Array, n: number, k: number): number {
  let far = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      const A = chosen.map((j) => [...Array.from(W.subarray(j * k, (j + 1) * k)), -b[j]]);
      for (let c = 0; c < k; c++) {
        let p = c;
        for (let i = c + 1; i < k; i++) if (Math.abs(A[i][c]) > Math.abs(A[p][c])) p = i;
        if (Math.abs(A[p][c]) < 1e-14) return;
        [A[c], A[p]] = [A[p], A[c]];
        for (let i = 0; i < k; i++) {
          if (i === c) continue;
          const f = A[i][c] / A[c][c];
          for (let q = c; q <= k; q++) A[i][q] -= f * A[c][q];
        }
      }
      for (let c = 0; c < k; c++) far = Math.max(far, Math.abs(A[c][k] / A[c][c]));
      return;
    }
    for (let j = start; j < n; j++) pick(j + 1, [...chosen, j]);
  };
  pick(0, []);
  return far;
}

/** One ReLU layer {W z + b} and a linear output: the arrangement of its n rows. */
function arrangement(k: number, W: number[] | Float64Array, b: number[] | Float64Array): PiecewiseLinearNet {
  const n = b.length;
  return { k, layers: [layer(n, k, Array.from(W), Array.from(b)), layer(1, n, new Array<number>(n).fill(1), [0], "linear")] };
}

/** A random arrangement of n hyperplanes in R^k in general position, with every vertex inside [−within, within]^k. */
function generalPosition(k: number, n: number, seed: string, within: number): { W: Float64Array; b: Float64Array } {
  const rng = Rng.derive(seed);
  const W = new Float64Array(n * k), b = new Float64Array(n);
  rng.fillNormal(W);
  rng.fillNormal(b);
  const far = farthestVertex(W, b, n, k);
  for (let j = 0; j < n; j++) b[j] *= within / Math.max(far, 1e-300);
  return { W, b };
}

/** Each neuron's row and bias times 10^U(−6, 6): the same hyperplanes and patterns, weights spanning 1e-6 … 1e6. */
function rescaled(net: PiecewiseLinearNet, seed: string): PiecewiseLinearNet {
  const rng = Rng.derive(seed), first = net.layers[0];
  const W = Float64Array.from(first.W), b = Float64Array.from(first.b);
  for (let j = 0; j < first.outDim; j++) {
    const s = 10 ** rng.uniformIn(-6, 6);
    for (let l = 0; l < first.inDim; l++) W[j * first.inDim + l] *= s;
    b[j] *= s;
  }
  return { k: net.k, layers: [{ ...first, W, b }, ...net.layers.slice(1)] };
}

function patterns(net: PiecewiseLinearNet, box: number): string[] {
  return enumerateRegions(net, { box }).regions.map((r) => patternString(r.pattern)).sort();
}

/** Every bias of every layer times s: the regions of the result in [−sL, sL]^k are those of net in [−L, L]^k, pattern for pattern (ReLU is positively homogeneous). */
function biasesTimes(net: PiecewiseLinearNet, s: number): PiecewiseLinearNet {
  return { k: net.k, layers: net.layers.map((l: AffineLayer) => ({ ...l, b: l.b.map((v) => v * s) })) };
}

describe("exact region geometry at every scale", () => {
  it("exact.ts: float64s as dyadics, Bareiss solves, correctly scaled ratios, and the symbolic box's lexicographic sign", () => {
    expect(dyadicOf(0.75)).to.deep.equal([3n, -2]);
    expect(dyadicOf(-6)).to.deep.equal([-3n, 1]);
    expect(dyadicOf(Number.MIN_VALUE)).to.deep.equal([1n, -1074]);
    expect(dyadicOf(0)).to.deep.equal([0n, 0]);
    // z₁ + z₂ = 1 (neuron) and z₁ = L (box): z = L·(1, −1) + (0, 1).
    const v = solveVertex([{ a: [1n, 1n], rq: 0n, rp: 1n }, { a: [1n, 0n], rq: 1n, rp: 0n }], 2);
    expect(v.nq.map((x) => ratio(x, v.den))).to.deep.equal([1, -1]);
    expect(v.np.map((x) => ratio(x, v.den))).to.deep.equal([0, 1]);
    // z₂ − 1e6 at that vertex: L − 1 − 1e6 changes sign between L = 1e4 and 1e8, and is positive for Ω (−z₂ has the larger q part: −(−1)).
    const row = { a: [0n, -1n], rq: 0n, rp: 1000000n };
    expect(new ExactBox(1e4).sign(row, v)).to.equal(-1);
    expect(new ExactBox(1e8).sign(row, v)).to.equal(1);
    expect(new ExactBox(Infinity).sign(row, v)).to.equal(1);
    expect(ratio(1n, 3n)).to.equal(1 / 3);
    expect(ratio(10n ** 400n, 3n * 10n ** 399n)).to.be.closeTo(10 / 3, 1e-15);
    expect(ratio(1n, 10n ** 320n)).to.be.closeTo(1e-320, 1e-323);
  });

  it("one hidden layer, biases in general position: Zaslavsky's Σ_{i≤k} C(n₁, i) at k = 1 … 6 in every box from 1 to 1e300 and in R^k, also with weights spanning 1e-6 … 1e6", () => {
    for (const [k, widths] of [[1, [4, 9]], [2, [7, 15]], [3, [6, 10]], [4, [6, 9]], [5, [7]], [6, [8]]] as [number, number[]][]) {
      for (const n1 of widths) {
        const { W, b } = generalPosition(k, n1, `zaslavsky-${k}-${n1}`, 0.5);
        const net = arrangement(k, W, b), wide = rescaled(net, `rescale-${k}-${n1}`);
        const reference = patterns(net, Infinity);
        expect(reference.length, `k = ${k}, n₁ = ${n1} in R^k`).to.equal(zaslavsky(n1, k));
        for (const box of BOXES) {
          expect(patterns(net, box), `k = ${k}, n₁ = ${n1}, box ${box}`).to.deep.equal(reference);
          expect(patterns(wide, box), `k = ${k}, n₁ = ${n1}, box ${box}, rescaled neurons`).to.deep.equal(reference);
        }
      }
    }
  });

  it("bias-free layer (every hyperplane through 0): Cover's 2 Σ_{i<k} C(n₁ − 1, i) at k = 1 … 6 in every box from 1e-8 to 1e300 and in R^k", () => {
    for (const [k, widths] of [[1, [1, 5]], [2, [2, 9]], [3, [5, 9]], [4, [6, 9]], [5, [7]], [6, [9]]] as [number, number[]][]) {
      for (const n1 of widths) {
        const net = randomNet([k, n1], "hv", `cover-exact-${k}-${n1}`);
        for (const box of [1e-8, ...BOXES]) expect(enumerateRegions(net, { box }).count, `k = ${k}, n₁ = ${n1}, box ${box}`).to.equal(cover(n1, k));
      }
    }
  });

  it("deep nets: exactly the patterns brute force finds (HiGHS), in [−1, 1]^k scaled to every box, and in R^k", async () => {
    const highs = await highsOracle();
    const nets: [string, PiecewiseLinearNet][] = [
      ["surf 2,6,6", randomNet([2, 6, 6, 3], "surf", "exact-brute-1")],
      ["surf 3,5,5", randomNet([3, 5, 5, 2], "surf", "exact-brute-2")],
      ["torch 2,4,4,4", randomNet([2, 4, 4, 4, 1], "torch", "exact-brute-3")],
      ["hv 3,6,5 (degenerate)", randomNet([3, 6, 5], "hv", "exact-brute-4")],
    ];
    for (const [name, net] of nets) {
      const inUnitBox = [...bruteForce(highs, net, 1)].sort();
      for (const box of BOXES.slice(0, -1)) {
        // net in [−1, 1]^k is biasesTimes(net, L) in [−L, L]^k (1e4, 1e8 round the biases by ~1e-16, far below these nets' margins).
        expect(patterns(biasesTimes(net, box), box), `${name}, box ${box}`).to.deep.equal(inUnitBox);
      }
      expect(patterns(net, Infinity), `${name} in R^k`).to.deep.equal([...bruteForce(highs, net, Infinity)].sort());
    }
  });

  it("k ≥ 5, the last layer's cells by edge subdivision: the same patterns as depth-first subdivision, each interior point inside its region", () => {
    for (const net of [randomNet([5, 8, 8, 2], "surf", "cells-1"), randomNet([6, 6, 7, 1], "torch", "cells-2"), randomNet([5, 5, 5, 5, 2], "surf", "cells-3")]) {
      const depthFirst: string[] = [];
      subdivide(net, 1, (leaf) => void depthFirst.push(patternString(leaf.pattern)));
      const e = enumerateRegions(net, { box: 1 });
      expect(e.regions.map((r) => patternString(r.pattern)).sort()).to.deep.equal(depthFirst.sort());
      for (const r of e.regions) expect(patternString(evaluate(net, r.interior).pattern)).to.equal(patternString(r.pattern));
    }
  });

  it("degenerate arrangements: duplicated, opposite and parallel neurons, dead neurons, and a near-central one 1e-9 wide, at every box", () => {
    const { W, b } = generalPosition(3, 7, "degenerate", 0.5);
    const base = patterns(arrangement(3, W, b), Infinity).length;
    expect(base).to.equal(zaslavsky(7, 3));
    // Duplicates (the same hyperplane twice, or scaled by 2^20 — exactly: a scale of 1e6 would round the row, and its
    // slightly different hyperplane adds 29 thin regions, which exact geometry counts) and opposite copies (−w, −b).
    const dupW = [...W, ...W.subarray(0, 6), ...W.subarray(3, 6).map((v) => -v), ...W.subarray(6, 9).map((v) => 2 ** 20 * v)];
    const dupB = [...b, b[0], b[1], -b[1], 2 ** 20 * b[2]];
    const rounded = [...W, ...W.subarray(6, 9).map((v) => 1e6 * v)], roundedB = [...b, 1e6 * b[2]];
    expect(enumerateRegions(arrangement(3, rounded, roundedB), { box: Infinity }).count, "a row times 1e6, rounded").to.equal(base + zaslavsky(7, 2));
    // Dead neurons: zero rows with negative, zero and positive bias (no hyperplane; always off, off by the tie rule, always on).
    const deadW = [...W, 0, 0, 0, 0, 0, 0, 0, 0, 0], deadB = [...b, -1, 0, 1];
    for (const box of BOXES) {
      expect(enumerateRegions(arrangement(3, dupW, dupB), { box }).count, `duplicates, box ${box}`).to.equal(base);
      expect(enumerateRegions(arrangement(3, deadW, deadB), { box }).count, `dead, box ${box}`).to.equal(base);
    }
    // Parallel classes in R²: n lines, classes of sizes m_i, no three concurrent: 1 + n + Σ_{i<j} m_i m_j regions.
    const rng = Rng.derive("parallel");
    const lines: number[] = [], offsets: number[] = [], sizes = [3, 2, 1, 4];
    for (const m of sizes) {
      const angle = rng.uniformIn(0, Math.PI);
      for (let i = 0; i < m; i++) {
        lines.push(Math.cos(angle), Math.sin(angle));
        offsets.push(rng.uniformIn(-0.05, 0.05));
      }
    }
    const n = lines.length / 2;
    let pairs = 0;
    for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) pairs += sizes[i] * sizes[j];
    const parallel = arrangement(2, lines, offsets);
    // The directions are drawn apart; the intersections lie within a few times 0.05 / sin(angle between classes).
    for (const box of BOXES) expect(enumerateRegions(parallel, { box }).count, `parallel, box ${box}`).to.equal(1 + n + pairs);
    // Near-central: biases 1e-9 of the weights (vertices within 5e-10 of 0) — Zaslavsky's count in every box down to 1e-8, Cover's at 1e-12.
    const near = generalPosition(4, 8, "near-central", 5e-10);
    const nearNet = arrangement(4, near.W, near.b);
    for (const box of [1e-8, ...BOXES]) expect(enumerateRegions(nearNet, { box }).count, `near-central, box ${box}`).to.equal(zaslavsky(8, 4));
  });

  it("the certificate finds the same global minimum in every box that holds it, up to 1e300", () => {
    // G = V σ(W z + b) on R² with y = G(z*), z* inside [−1, 1]²: the minimum 0 is attained at z* in every larger box.
    const net = randomNet([2, 12, 3], "surf", "certify-scale");
    const zStar = Float64Array.from([0.3, -0.2]);
    const y = evaluate(net, zStar).output;
    for (const box of [1, 1e4, 1e8, 1e300]) {
      const c = certify(net, { A: null, m: y.length, obs: y }, { box });
      expect(c.fGlobal, `box ${box}`).to.be.below(1e-20);
      expect(c.gap(zStar), `box ${box}`).to.be.within(-1e-20, 1e-20);
      expect(c.regions, `box ${box}`).to.equal(enumerateRegions(net, { box }).count);
    }
  });
});
