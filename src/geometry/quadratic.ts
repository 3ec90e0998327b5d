/**
 * The objective f(z) = ½‖A·G(z) − obs‖² and its restriction to a region, where G(z) = J z + c makes it
 * the convex quadratic ½‖M z − r‖², M = A J, r = obs − A c (Hessian MᵀM, only positive *semi*definite
 * when M is rank-deficient) — and its exact minimizer on the region (Section 3: "f is quadratic on P_g").
 */
import { checkLeastSquares, checkPoint, type LeastSquares, type PiecewiseLinearNet } from "./affine.js";
import { evaluate } from "./pattern.js";
import { chebyshevCentre } from "./lp.js";
import { solveQP, type QPSolution } from "./qp.js";
import type { Region } from "./region.js";

/**
 * f(x) = ½‖A·G(x) − obs‖².
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const obs = geometry.evaluate(net, [0.5, -0.25]).output;   // y = G(x*), A = I
 * geometry.objective(net, { A: null, m: 4, obs }, [0.5, -0.25]);   // → 0
 */
export function objective(net: PiecewiseLinearNet, ls: LeastSquares, x: ArrayLike<number>): number {
  checkLeastSquares(ls, net);
  const y = evaluate(net, checkPoint(x, net.k, "x")).output;
  return 0.5 * squaredResidual(ls, y);
}

/** ½ zᵀH z + gᵀz + constant = f on the region; M and r as in the file comment (M is m × k). */
export interface RegionQuadratic {
  readonly k: number;
  readonly H: Float64Array;
  readonly g: Float64Array;
  readonly constant: number;
  readonly M: Float64Array;
  readonly r: Float64Array;
}

/**
 * f on a region as the quadratic ½zᵀHz + gᵀz + constant: there G(z) = J z + c, so f(z) = ½‖M z − r‖² with
 * M = A·J and r = obs − A·c, and H = MᵀM.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const ls = { A: null, m: 4, obs: geometry.evaluate(net, [0.5, -0.25]).output };
 * const q = geometry.regionQuadratic(geometry.regionOf(net, [0.5, -0.25]), ls);
 * q.H.length;   // → 4
 */
export function regionQuadratic(region: Region, ls: LeastSquares): RegionQuadratic {
  const k = region.dim, n = region.n, m = ls.m;
  const M = new Float64Array(m * k), r = Float64Array.from(ls.obs);
  for (let i = 0; i < m; i++) {
    if (ls.A === null) {
      M.set(region.J.subarray(i * k, (i + 1) * k), i * k);
      r[i] -= region.c[i];
      continue;
    }
    for (let q = 0; q < n; q++) {
      const a = ls.A[i * n + q];
      if (a === 0) continue;
      r[i] -= a * region.c[q];
      for (let l = 0; l < k; l++) M[i * k + l] += a * region.J[q * k + l];
    }
  }
  const H = new Float64Array(k * k), g = new Float64Array(k);
  let constant = 0;
  for (let i = 0; i < m; i++) {
    constant += 0.5 * r[i] * r[i];
    for (let a = 0; a < k; a++) {
      const ma = M[i * k + a];
      g[a] -= ma * r[i];
      for (let b = 0; b < k; b++) H[a * k + b] += ma * M[i * k + b];
    }
  }
  return { k, H, g, constant, M, r };
}

/** f at z from the region's quadratic, as ½‖M z − r‖² (no cancellation). */
export function quadraticValue(q: RegionQuadratic, z: ArrayLike<number>): number {
  let s = 0;
  const m = q.r.length;
  for (let i = 0; i < m; i++) {
    let t = -q.r[i];
    for (let l = 0; l < q.k; l++) t += q.M[i * q.k + l] * z[l];
    s += t * t;
  }
  return 0.5 * s;
}

export interface RegionMinimum extends QPSolution {
  /** f at x. */
  readonly f: number;
}

/**
 * The exact minimizer of f on the region (one of them when `unique` is false), with its KKT residuals.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const ls = { A: null, m: 4, obs: geometry.evaluate(net, [0.5, -0.25]).output };
 * // x* lies in its own region: f's minimum there is 0, at x*
 * const minimum = geometry.minimizeOnRegion(geometry.regionOf(net, [0.5, -0.25], { box: 1 }), ls);
 * minimum.x;   // ≈ [0.5, -0.25]
 */
export function minimizeOnRegion(region: Region, ls: LeastSquares, options: { start?: ArrayLike<number>; working?: ArrayLike<number>; quadratic?: RegionQuadratic } = {}): RegionMinimum {
  if (ls.obs.length !== ls.m || (ls.A === null ? ls.m !== region.n : ls.A.length !== ls.m * region.n)) {
    throw new RangeError(`minimizeOnRegion: the objective does not match the region's output dimension ${region.n}`);
  }
  const q = options.quadratic ?? regionQuadratic(region, ls);
  let start = options.start;
  if (start === undefined) {
    const c = chebyshevCentre(region, { radiusCap: 1 });
    if (c.status === "empty") throw new RangeError("minimizeOnRegion: the region is empty");
    start = c.centre;
  }
  const sol = solveQP({ n: region.dim, H: q.H, g: q.g, m: region.rows, C: region.C, d: region.d }, start, { working: options.working });
  if (sol.status !== "optimal") throw new Error(`minimizeOnRegion: the QP stopped with status ${sol.status}`);
  return { ...sol, f: quadraticValue(q, sol.x) };
}

function squaredResidual(ls: LeastSquares, y: Float64Array): number {
  const n = y.length;
  let s = 0;
  for (let i = 0; i < ls.m; i++) {
    let t = -ls.obs[i];
    if (ls.A === null) t += y[i];
    else for (let q = 0; q < n; q++) t += ls.A[i * n + q] * y[q];
    s += t * t;
  }
  return s;
}
