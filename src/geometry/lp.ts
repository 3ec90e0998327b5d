/**
 * LPs on a region's H-representation, all solved by the active-set method of qp.ts with H = 0 (on
 * vertices it is the dual simplex method with Bland's rule): feasibility and a strictly interior point
 * (the Chebyshev centre: the centre of the largest inscribed ball), and the facets (non-redundant rows).
 */
import type { Polyhedron } from "./region.js";
import { solveQP } from "./qp.js";

export interface ChebyshevCentre {
  /** "interior": full-dimensional; "flat": feasible with empty interior; "empty": infeasible. */
  readonly status: "interior" | "flat" | "empty";
  readonly centre: Float64Array;
  /** Radius of the largest ball centred at `centre` inside the polyhedron (capped; Infinity when unbounded and uncapped; negative when empty). */
  readonly radius: number;
}

/** Inradii within RADIUS_TOL × (1 + max |d_i|/‖C_i‖) of 0 are 0: the LP's answer carries rounding of that size (~1e-15 relative). */
const RADIUS_TOL = 1e-9;

/**
 * A point strictly inside P — `guess` when a ball of radius above RADIUS_TOL (the test chebyshevCentre
 * applies) fits around it, else P's Chebyshev centre — or null when P has no interior at that resolution
 * (relative to the largest |d_i|: in a box of half-width 1e300 a region a few units wide looks flat, so
 * callers that know P has interior, as those of the exact subdivision do, keep their own point then).
 *
 * @example
 * import { geometry } from "surfing";
 * const square = { dim: 2, rows: 4, C: Float64Array.of(-1, 0, 1, 0, 0, -1, 0, 1), d: Float64Array.of(1, 1, 1, 1) };
 * geometry.strictInterior(square, Float64Array.of(0.5, 0.5));   // → [0.5, 0.5]
 * // a corner is not inside: the Chebyshev centre instead
 * geometry.strictInterior(square, Float64Array.of(1, 1));   // ≈ [0, 0]
 */
export function strictInterior(P: Polyhedron, guess: Float64Array): Float64Array | null {
  const { dim: k, C, d } = P;
  let radius = Infinity, scale = 1;
  for (let i = 0; i < P.rows; i++) {
    let cz = 0, norm = 0;
    for (let l = 0; l < k; l++) {
      cz += C[i * k + l] * guess[l];
      norm += C[i * k + l] ** 2;
    }
    norm = Math.sqrt(norm);
    if (norm === 0) {
      if (d[i] < 0) return null;
      continue;
    }
    radius = Math.min(radius, (d[i] - cz) / norm);
    scale = Math.max(scale, 1 + Math.abs(d[i]) / norm);
  }
  if (radius > RADIUS_TOL * scale) return guess.slice();
  const centre = chebyshevCentre(P, { start: guess });
  return centre.status === "interior" ? centre.centre : null;
}

/**
 * max r s.t. C_i z + ‖C_i‖ r ≤ d_i, r ≤ radiusCap (default: uncapped).
 *
 * @example
 * import { geometry } from "surfing";
 * const square = { dim: 2, rows: 4, C: Float64Array.of(-1, 0, 1, 0, 0, -1, 0, 1), d: Float64Array.of(1, 1, 1, 1) };   // [−1, 1]²
 * const { status, centre, radius } = geometry.chebyshevCentre(square);
 * status;   // → "interior"
 * radius;   // ≈ 1
 * centre;   // ≈ [0, 0]
 */
export function chebyshevCentre(P: Polyhedron, options: { start?: ArrayLike<number>; radiusCap?: number } = {}): ChebyshevCentre {
  const k = P.dim;
  const unit = unitRows(P);
  const cap = options.radiusCap ?? Infinity;
  const start = Float64Array.from(options.start ?? new Float64Array(k));
  if (unit.infeasibleZeroRow) return { status: "empty", centre: start, radius: -Infinity };
  const rows = unit.rows.length + (Number.isFinite(cap) ? 1 : 0);
  const C = new Float64Array(rows * (k + 1)), d = new Float64Array(rows);
  let r0 = cap, scale = 1;
  unit.rows.forEach((i, t) => {
    let cz = 0;
    for (let l = 0; l < k; l++) {
      C[t * (k + 1) + l] = unit.C[i * k + l];
      cz += unit.C[i * k + l] * start[l];
    }
    C[t * (k + 1) + k] = 1;
    d[t] = unit.d[i];
    r0 = Math.min(r0, unit.d[i] - cz);
    scale = Math.max(scale, 1 + Math.abs(unit.d[i]));
  });
  if (Number.isFinite(cap)) {
    C[(rows - 1) * (k + 1) + k] = 1;
    d[rows - 1] = cap;
  }
  if (r0 === Infinity) return { status: "interior", centre: start, radius: Infinity };
  const g = new Float64Array(k + 1);
  g[k] = -1;
  const x0 = new Float64Array(k + 1);
  x0.set(start);
  x0[k] = r0;
  const sol = solveQP({ n: k + 1, H: "zero", g, m: rows, C, d }, x0, { skipUniqueness: true });
  const centre = sol.x.slice(0, k);
  if (sol.status === "unbounded") return { status: "interior", centre, radius: Infinity };
  if (sol.status !== "optimal") throw new Error(`chebyshevCentre: the LP stopped with status ${sol.status}`);
  const radius = sol.x[k];
  const status = radius > RADIUS_TOL * scale ? "interior" : radius >= -RADIUS_TOL * scale ? "flat" : "empty";
  return { status, centre, radius };
}

/** Redundancy margin: a row whose removal lets C_i z exceed d_i by at most FACET_TOL (unit rows, relative to 1 + |d_i|) is redundant. */
const FACET_TOL = 1e-9;

/**
 * The facets: a minimal subset of rows defining the same polyhedron (rows in increasing order). Row i is
 * redundant when max C_i z over the other remaining rows (and C_i z ≤ d_i + 1, to keep the LP bounded)
 * stays ≤ d_i; redundant rows are removed as they are found, so of two identical rows one is kept.
 * The polyhedron must be full-dimensional (RangeError otherwise).
 *
 * @example
 * import { geometry } from "surfing";
 * // [−1, 1]² and x + y ≤ 5, which cuts nothing off
 * const P = { dim: 2, rows: 5, C: Float64Array.of(-1, 0, 1, 0, 0, -1, 0, 1, 1, 1), d: Float64Array.of(1, 1, 1, 1, 5) };
 * geometry.facets(P);   // → [0, 1, 2, 3]
 */
export function facets(P: Polyhedron, interior?: ArrayLike<number>): Int32Array {
  const k = P.dim;
  const centre = interior ? Float64Array.from(interior) : chebyshevCentre(P).centre;
  const check = chebyshevCentre(P, { start: centre, radiusCap: 1 });
  if (check.status !== "interior") throw new RangeError(`facets: the polyhedron is ${check.status === "flat" ? "not full-dimensional" : "empty"}`);
  const unit = unitRows(P);
  const keep = new Set(unit.rows);
  for (const i of unit.rows) {
    keep.delete(i);
    const rows = [...keep];
    const m = rows.length + 1;
    const C = new Float64Array(m * k), d = new Float64Array(m), g = new Float64Array(k);
    rows.forEach((q, t) => {
      C.set(unit.C.subarray(q * k, (q + 1) * k), t * k);
      d[t] = unit.d[q];
    });
    C.set(unit.C.subarray(i * k, (i + 1) * k), rows.length * k);
    d[rows.length] = unit.d[i] + 1;
    for (let l = 0; l < k; l++) g[l] = -unit.C[i * k + l];
    const sol = solveQP({ n: k, H: "zero", g, m, C, d }, check.centre, { skipUniqueness: true });
    if (sol.status !== "optimal") throw new Error(`facets: the LP for row ${i} stopped with status ${sol.status}`);
    if (-sol.value > unit.d[i] + FACET_TOL * (1 + Math.abs(unit.d[i]))) keep.add(i);
  }
  return Int32Array.from([...keep].sort((a, b) => a - b));
}

/** Rows scaled to unit norm; zero rows (0 ≤ d_i) are dropped, and flagged when d_i < 0. */
function unitRows(P: Polyhedron): { C: Float64Array; d: Float64Array; rows: number[]; infeasibleZeroRow: boolean } {
  const k = P.dim, C = new Float64Array(P.rows * k), d = new Float64Array(P.rows), rows: number[] = [];
  let infeasibleZeroRow = false;
  for (let i = 0; i < P.rows; i++) {
    let s = 0;
    for (let l = 0; l < k; l++) s += P.C[i * k + l] ** 2;
    if (s === 0) {
      if (P.d[i] < 0) infeasibleZeroRow = true;
      continue;
    }
    const inv = 1 / Math.sqrt(s);
    for (let l = 0; l < k; l++) C[i * k + l] = P.C[i * k + l] * inv;
    d[i] = P.d[i] * inv;
    rows.push(i);
  }
  return { C, d, rows, infeasibleZeroRow };
}
