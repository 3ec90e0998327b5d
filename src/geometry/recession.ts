/**
 * The unbounded regions of R^k (enumeration with L = Infinity): from a region's exact vertices on the box
 * of symbolic size Ω (exact.ts) — z = Ω q + p, at infinity when q ≠ 0 — whether it is bounded, its
 * recession cone rec(R) = {d : a_i·d ≤ 0} (Rockafellar 1970, Theorem 8.4: the directions in which R is
 * unbounded) as its lineality space and one direction per minimal face beyond it, a finite interior
 * point, and for k = 2 its finite vertices in order around it. As Ω → ∞ the polytope R ∩ [−Ω, Ω]^k / Ω
 * tends to rec(R) ∩ [−1, 1]^k, whose vertices are the q's: a q spans a face of rec(R) of dimension
 * k − rank{a_i : a_i·q = 0}, so the faces of dimension (lineality + 1) — the extreme rays when rec(R) is
 * pointed — are the q's of that rank (Ziegler 1995, Section 1.4).
 */
import { nullspace, rank, ratio, type ExactPoint, type ExactRow } from "./exact.js";

export interface Recession {
  readonly bounded: boolean;
  /** One direction per minimal face of rec(R) beyond its lineality space (extreme rays when rec(R) holds no line), scaled to max-norm 1. */
  readonly rays: Float64Array[];
  /** A basis of the lineality space rec(R) ∩ −rec(R) (the lines R contains), each scaled to max-norm 1. */
  readonly lineality: Float64Array[];
  /** A point strictly inside R. */
  readonly interior: Float64Array;
  /** k = 2: the finite vertices in counter-clockwise order (from the end of one ray to the start of the other when unbounded). */
  readonly polygon?: Float64Array;
}

/**
 * The recession data of one region from its exact symbolic vertices and its constraint rows (ids ≥ 2k:
 * neurons, oriented so that R = {a·z − rp ≤ 0}; box rows are ignored), and for k = 2 the cyclic order of
 * the vertices (`cycle`, indices into `points`).
 * @example recession(2, leaf.exactVertices().points, rows, ids)
 */
export function recession(k: number, points: readonly ExactPoint[], rows: readonly ExactRow[], ids: readonly number[], cycle?: readonly number[]): Recession {
  const neuron = rows.filter((_, i) => ids[i] >= 2 * k);
  const infinite = points.map((p) => p.nq.some((v) => v !== 0n));
  const bounded = !infinite.some((x) => x);
  const rays: Float64Array[] = [], lineality: Float64Array[] = [];
  if (!bounded) {
    const normals = neuron.map((r) => r.a), lin = k - rank(normals, k);
    if (lin > 0) for (const b of nullspace(normals, k).basis) lineality.push(unit(b, 1n));
    const faces = new Set<string>();
    points.forEach((p, v) => {
      if (!infinite[v]) return;
      const tight: number[] = [];
      neuron.forEach((r, i) => {
        let s = 0n;
        for (let l = 0; l < k; l++) s += r.a[l] * p.nq[l];
        if (s === 0n) tight.push(i);
      });
      if (rank(tight.map((i) => neuron[i].a), k) !== k - lin - 1) return;
      const key = tight.join(",");
      if (faces.has(key)) return;
      faces.add(key);
      rays.push(unit(p.nq, p.den));
    });
  }
  return { bounded, rays, lineality, interior: interiorPoint(k, points, neuron), ...(k === 2 && cycle ? { polygon: finiteCycle(points, infinite, cycle) } : {}) };
}

/** The vector n/den (den > 0) scaled to max-norm 1, as float64. */
function unit(n: readonly bigint[], den: bigint): Float64Array {
  const v = Float64Array.from(n, (x) => ratio(x, den));
  const m = Math.max(...v.map(Math.abs));
  return v.map((x) => x / m);
}

/**
 * The centroid Ω q̄ + p̄ of the symbolic vertices is strictly inside R for every large Ω; Ω₀ = twice the
 * largest Ω at which some row a·z − rp ≤ 0 with a·q̄ < 0 still fails (rows with a·q̄ = 0 hold at p̄).
 */
function interiorPoint(k: number, points: readonly ExactPoint[], rows: readonly ExactRow[]): Float64Array {
  const n = points.length, q = new Float64Array(k), p = new Float64Array(k);
  for (const v of points) for (let l = 0; l < k; l++) {
    q[l] += ratio(v.nq[l], v.den) / n;
    p[l] += ratio(v.np[l], v.den) / n;
  }
  let omega = 1;
  for (const r of rows) {
    // Rows are integers of any size: in float64, divided by their largest entry.
    let m = r.rp < 0n ? -r.rp : r.rp;
    for (const a of r.a) if ((a < 0n ? -a : a) > m) m = a < 0n ? -a : a;
    let aq = 0, ap = -ratio(r.rp, m), scale = Math.abs(ap);
    for (let l = 0; l < k; l++) {
      const a = ratio(r.a[l], m);
      aq += a * q[l];
      ap += a * p[l];
      scale += Math.abs(a) * (Math.abs(p[l]) + Math.abs(q[l]));
    }
    if (aq < -1e-12 * scale) omega = Math.max(omega, (2 * ap) / -aq);
  }
  omega = Math.min(omega, 1e300);
  return Float64Array.from(q, (v, l) => (v === 0 ? p[l] : omega * v + p[l]));
}

/** The finite vertices along the cycle, starting after the run of vertices at infinity, counter-clockwise. */
function finiteCycle(points: readonly ExactPoint[], infinite: boolean[], cycle: readonly number[]): Float64Array {
  const n = cycle.length;
  let start = 0;
  if (infinite.some((x) => x)) {
    // The first finite vertex after an infinite one.
    for (let i = 0; i < n; i++) if (infinite[cycle[i]] && !infinite[cycle[(i + 1) % n]]) start = (i + 1) % n;
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = cycle[(start + i) % n];
    if (!infinite[v]) order.push(v);
  }
  // Orientation from the points at a large finite Ω (the cycle's orientation does not change beyond the last vertex).
  const xy = (v: number, omega: number) => [0, 1].map((l) => omega * ratio(points[v].nq[l], points[v].den) + ratio(points[v].np[l], points[v].den));
  let far = 1;
  for (const p of points) for (let l = 0; l < 2; l++) far = Math.max(far, Math.abs(ratio(p.np[l], p.den)));
  let area = 0;
  for (let i = 0; i < n; i++) {
    const [x0, y0] = xy(cycle[i], 4 * far), [x1, y1] = xy(cycle[(i + 1) % n], 4 * far);
    area += x0 * y1 - x1 * y0;
  }
  if (area < 0) order.reverse();
  const out = new Float64Array(2 * order.length);
  order.forEach((v, i) => {
    out[2 * i] = ratio(points[v].np[0], points[v].den);
    out[2 * i + 1] = ratio(points[v].np[1], points[v].den);
  });
  return out;
}
