// Full enumeration of regions against exact oracles: Zaslavsky's and Cover's counts, brute force over
// patterns with HiGHS, dense sampling, Euler's formula and areas in the plane, breakpoints along segments.
import { expect } from "chai";
import type { PiecewiseLinearNet } from "../../src/geometry/affine.js";
import { enumerateRegions, type Enumeration } from "../../src/geometry/enumerate.js";
import { evaluate, patternString } from "../../src/geometry/pattern.js";
import { randomNet } from "../../src/geometry/random-net.js";
import { regionOfPattern } from "../../src/geometry/region.js";
import { subdivide } from "../../src/geometry/subdivision.js";
import { InputError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";
import { bruteForce } from "./brute.js";
import { highsOracle, type Oracle } from "./highs.js";
import { handMade } from "./nets.js";
import { zaslavsky, cover } from "./counts.js";

/** Solve the k × k system M x = r by Gaussian elimination with partial pivoting (null if singular). */
function solve(M: number[][], r: number[]): number[] | null {
  const k = r.length, A = M.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let i = c + 1; i < k; i++) if (Math.abs(A[i][c]) > Math.abs(A[p][c])) p = i;
    if (Math.abs(A[p][c]) < 1e-12) return null;
    [A[c], A[p]] = [A[p], A[c]];
    for (let i = c + 1; i < k; i++) {
      const f = A[i][c] / A[c][c];
      for (let q = c; q <= k; q++) A[i][q] -= f * A[c][q];
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    let s = A[i][k];
    for (let q = i + 1; q < k; q++) s -= A[i][q] * x[q];
    x[i] = s / A[i][i];
  }
  return x;
}

/** A box containing every vertex of the first layer's arrangement: 1.5 × the largest coordinate of any k-fold intersection, plus 1. */
function boxContainingVertices(net: PiecewiseLinearNet): number {
  const { W, b, outDim: n } = net.layers[0], k = net.k;
  let far = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      const x = solve(chosen.map((j) => Array.from(W.subarray(j * k, (j + 1) * k))), chosen.map((j) => -b[j]));
      if (x) far = Math.max(far, ...x.map(Math.abs));
      return;
    }
    for (let j = start; j < n; j++) pick(j + 1, [...chosen, j]);
  };
  pick(0, []);
  return 1.5 * far + 1;
}

function patternSet(e: Enumeration): Set<string> {
  return new Set(e.regions.map((r) => patternString(r.pattern)));
}

describe("region enumeration", () => {
  let highs: Oracle;
  before(async () => {
    highs = await highsOracle();
  });

  it("the hand-made network: the 7 regions, patterns, polygons and areas worked out by hand", () => {
    const e = enumerateRegions(handMade, { box: 2 });
    expect(e.count).to.equal(7);
    const area = new Map(e.regions.map((r) => [patternString(r.pattern), polygonArea(r.vertices!)]));
    expect([...area.keys()].sort()).to.deep.equal(["000", "010", "011", "100", "101", "110", "111"]);
    const expected: Record<string, number> = { "000": 4, "010": 3.5, "011": 0.5, "100": 3.5, "101": 0.5, "110": 0.5, "111": 3.5 };
    for (const [p, a] of area) expect(a).to.be.closeTo(expected[p], 1e-12);
    const tri = e.regions.find((r) => patternString(r.pattern) === "011")!.vertices!;
    expect(sortedPoints(tri)).to.deep.equal([[-1, 2], [0, 1], [0, 2]]);
  });

  it("one hidden layer with biases, whole space: Zaslavsky's Σ_{i≤k} C(n₁, i) regions (k = 1 … 6)", () => {
    // k ≥ 5 also exercises the hashed adjacency test of polytope.ts (faces with more than 16 vertices).
    for (const [k, widths] of [[1, [1, 4, 9]], [2, [3, 7, 15]], [3, [4, 8, 12]], [4, [5, 8, 11]], [5, [6, 9]], [6, [7, 9]]] as [number, number[]][]) {
      for (const n1 of widths) {
        const net = randomNet([k, n1, 3], "surf", `zaslavsky-${k}-${n1}`);
        const e = enumerateRegions(net, { box: boxContainingVertices(net) });
        expect(e.count, `k = ${k}, n₁ = ${n1}`).to.equal(zaslavsky(n1, k));
      }
    }
  });

  it("bias-free layer (hv family, all hyperplanes through 0): Cover's 2 Σ_{i<k} C(n₁ − 1, i) regions", () => {
    for (const [k, widths] of [[2, [2, 5, 12]], [3, [3, 6, 10]], [4, [4, 7, 9]], [5, [6, 8]], [6, [8, 11]]] as [number, number[]][]) {
      for (const n1 of widths) {
        const net = randomNet([k, n1], "hv", `cover-${k}-${n1}`);
        expect(enumerateRegions(net).count, `k = ${k}, n₁ = ${n1}`).to.equal(cover(n1, k));
      }
    }
  });

  it("deeper nets with ≤ 16 neurons: exactly the feasible patterns found by brute force with HiGHS", () => {
    const nets: [string, PiecewiseLinearNet, number][] = [
      ["surf 2,8,8", randomNet([2, 8, 8, 4], "surf", "brute-1"), 1],
      ["surf 3,6,6", randomNet([3, 6, 6, 4], "surf", "brute-2"), 1],
      ["surf 2,5,5,5", randomNet([2, 5, 5, 5, 3], "surf", "brute-3"), 1.5],
      ["hv 3,8,8 (degenerate)", randomNet([3, 8, 8], "hv", "brute-4"), 1],
      ["torch 2,8,8", randomNet([2, 8, 8, 1], "torch", "brute-5"), 1],
      ["leaky 2,8,8", leaky(randomNet([2, 8, 8, 2], "surf", "brute-6"), 0.1), 1],
      ["surf 5,6,6", randomNet([5, 6, 6, 2], "surf", "brute-7"), 1],
      ["hv 5,6,6 (degenerate)", randomNet([5, 6, 6], "hv", "brute-8"), 1],
    ];
    for (const [name, net, L] of nets) {
      const found = patternSet(enumerateRegions(net, { box: L }));
      expect([...found].sort(), name).to.deep.equal([...bruteForce(highs, net, L)].sort());
    }
  });

  it("every pattern met by dense sampling is found, and each region's interior point lies strictly inside it", () => {
    const rng = Rng.derive("enumerate-sampling");
    for (const net of [randomNet([2, 12, 12, 5], "surf", "dense-1"), randomNet([3, 10, 10, 10, 2], "surf", "dense-2"), randomNet([3, 8, 8], "hv", "dense-3")]) {
      const e = enumerateRegions(net);
      const found = patternSet(e);
      expect(found.size).to.equal(e.count);
      const x = new Float64Array(net.k);
      for (let t = 0; t < 20000; t++) {
        rng.fillUniform(x, -1, 1);
        expect(found.has(patternString(evaluate(net, x).pattern))).to.equal(true);
      }
      for (const r of e.regions) {
        expect(patternString(evaluate(net, r.interior).pattern)).to.equal(patternString(r.pattern));
        // Strictly inside: no pre-activation is 0 there (except neurons that are identically 0 on the region).
        const R = regionOfPattern(net, r.pattern, { box: 1 });
        for (let i = 0; i < R.rows; i++) {
          let s = -R.d[i], norm = 0;
          for (let l = 0; l < net.k; l++) {
            s += R.C[i * net.k + l] * r.interior[l];
            norm += R.C[i * net.k + l] ** 2;
          }
          if (norm > 0) expect(s).to.be.below(0);
        }
      }
    }
  });

  it("k = 2: Euler's V − E + F = 1 for the complex in the box, and the polygon areas add up to the box's", () => {
    for (const [net, L] of [[randomNet([2, 10, 10, 3], "surf", "euler-1"), 1], [randomNet([2, 16, 8, 8, 1], "torch", "euler-2"), 1], [randomNet([2, 6, 20, 2], "surf", "euler-3"), 2.5]] as [PiecewiseLinearNet, number][]) {
      const e = enumerateRegions(net, { box: L });
      const vertexId = new Map<string, number>(), edges = new Set<string>();
      const id = (x: number, y: number) => {
        const key = `${(x / L).toFixed(9)},${(y / L).toFixed(9)}`;
        if (!vertexId.has(key)) vertexId.set(key, vertexId.size);
        return vertexId.get(key)!;
      };
      let area = 0;
      for (const r of e.regions) {
        const v = r.vertices!, n = v.length / 2;
        area += polygonArea(v);
        for (let i = 0; i < n; i++) {
          const a = id(v[2 * i], v[2 * i + 1]), b = id(v[2 * ((i + 1) % n)], v[2 * ((i + 1) % n) + 1]);
          edges.add(a < b ? `${a}-${b}` : `${b}-${a}`);
        }
      }
      expect(vertexId.size - edges.size + e.count).to.equal(1);
      expect(area).to.be.closeTo(4 * L * L, 1e-9);
    }
  });

  it("along random segments, the exact breakpoints of G are the region crossings", () => {
    const rng = Rng.derive("enumerate-segments");
    for (const net of [randomNet([2, 10, 10, 3], "surf", "segment-1"), randomNet([3, 8, 8, 8, 2], "surf", "segment-2")]) {
      const e = enumerateRegions(net);
      const regions = e.regions.map((r) => regionOfPattern(net, r.pattern, { box: 1 }));
      for (let s = 0; s < 10; s++) {
        const p = Float64Array.from({ length: net.k }, () => rng.uniformIn(-1, 1)), q = Float64Array.from({ length: net.k }, () => rng.uniformIn(-1, 1));
        const exact = breakpoints(net, p, q);
        // Each region's interval of t ∈ [0, 1] on the segment; their inner ends are the crossings.
        const crossings: number[] = [];
        for (const R of regions) {
          let lo = 0, hi = 1;
          for (let i = 0; i < R.rows; i++) {
            let a = 0, c = R.d[i];
            for (let l = 0; l < net.k; l++) {
              a += R.C[i * net.k + l] * (q[l] - p[l]);
              c -= R.C[i * net.k + l] * p[l];
            }
            if (a > 0) hi = Math.min(hi, c / a);
            else if (a < 0) lo = Math.max(lo, c / a);
            else if (c < 0) hi = -1;
          }
          if (hi - lo > 1e-12) {
            if (lo > 0) crossings.push(lo);
          }
        }
        crossings.sort((a, b) => a - b);
        expect(crossings.length).to.equal(exact.length);
        crossings.forEach((t, i) => expect(Math.abs(t - exact[i])).to.be.below(1e-9));
      }
    }
  });

  it("refuses k too large (with the estimated count), an empty box, and a count over maxRegions", () => {
    const big = randomNet([10, 64, 64, 1], "torch", "refuse");
    expect(() => enumerateRegions(big)).to.throw(InputError, /too many for full enumeration in \[−1, 1\]\^10 \(k = 10\): about [0-9.e+]+ regions or more \(Chao1 estimate from [0-9]+ sampled points, [0-9]+ distinct patterns; layer-wise Zaslavsky bound [0-9.e+]+\), more than maxRegions = 1\.00e\+6; lower k, use a smaller box \(`box`\), or raise the limit \(`maxRegions`\)/);
    for (const box of [0, -1, NaN, -Infinity]) expect(() => enumerateRegions(handMade, { box })).to.throw(InputError, /box must be a half-width L > 0 of \[−L, L\]\^k or Infinity/);
    const small = randomNet([2, 8, 8, 1], "surf", "max");
    expect(() => enumerateRegions(small, { maxRegions: 10 })).to.throw(InputError, /too many for full enumeration in \[−1, 1\]\^2 \(k = 2\): about .* more than maxRegions = 10; lower k, use a smaller box/);
    // The guard during the subdivision itself, for estimates that fall short.
    expect(() => subdivide(small, 1, () => {}, { maxRegions: 10 })).to.throw(InputError, /more than 10 regions in the box \[−1, 1\]\^2/);
  });
});

function leaky(net: PiecewiseLinearNet, slope: number): PiecewiseLinearNet {
  return { k: net.k, layers: net.layers.map((l) => (l.act === "relu" ? { ...l, act: "leaky" as const, slope } : l)) };
}

function polygonArea(v: Float64Array): number {
  let a = 0;
  const n = v.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    a += v[2 * i] * v[2 * j + 1] - v[2 * j] * v[2 * i + 1];
  }
  return a / 2;
}

function sortedPoints(v: Float64Array): number[][] {
  const pts: number[][] = [];
  for (let i = 0; i < v.length; i += 2) pts.push([+v[i].toFixed(12), +v[i + 1].toFixed(12)]);
  return pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * The exact breakpoints t ∈ (0, 1) of G along z(t) = p + t(q − p), by walking the segment: on each piece
 * every pre-activation is affine in t, α + γ t; the piece right after t is found by the sign of (value,
 * derivative) in lexicographic order, and the next breakpoint is the first later root.
 */
function breakpoints(net: PiecewiseLinearNet, p: Float64Array, q: Float64Array): number[] {
  const out: number[] = [];
  let t = 0;
  for (let guard = 0; guard < 10000; guard++) {
    let val = Float64Array.from(p, (v, l) => v + t * (q[l] - v)), dir = Float64Array.from(q, (v, l) => v - p[l]);
    let next = 1;
    for (const layer of net.layers) {
      const nv = new Float64Array(layer.outDim), nd = new Float64Array(layer.outDim);
      for (let r = 0; r < layer.outDim; r++) {
        let a = layer.b[r], g = 0;
        for (let c = 0; c < layer.inDim; c++) {
          a += layer.W[r * layer.inDim + c] * val[c];
          g += layer.W[r * layer.inDim + c] * dir[c];
        }
        if (layer.act !== "linear") {
          const active = a > 1e-12 || (Math.abs(a) <= 1e-12 && g > 0);
          // This neuron's next sign change after t.
          if (g !== 0) {
            const root = t - a / g;
            if (root > t + 1e-12 && (active ? g < 0 : g > 0)) next = Math.min(next, root);
          }
          if (!active) {
            a *= layer.slope;
            g *= layer.slope;
          }
        }
        nv[r] = a;
        nd[r] = g;
      }
      val = nv;
      dir = nd;
    }
    if (next >= 1) return out;
    out.push(next);
    t = next;
  }
  throw new Error("breakpoints: did not terminate");
}
