/**
 * Exact candidates for the critical points of f(x) = ½‖A·G(x) − obs‖² (k small): f is a convex quadratic
 * on each linear region of G, so every local minimum of f is the minimizer of f over the (closed) region
 * that contains it. Minimizing f over every region in a box (src/geometry) therefore finds every local
 * minimum in the box — plus region minimizers on boundaries that are not local minima, which the radial
 * test D_{−x/‖x‖}f(x) of Theorem 3.1 (eq. 3.2) then sorts out.
 */
import { enumerateRegions, evaluate, minimizeOnRegion, regionOfPattern, regionQuadratic, type LeastSquares, type PiecewiseLinearNet } from "../geometry/index.js";

/** First probe step along −x̂, relative to 1 + ‖x‖: far below any region's size, far above rounding of x. */
const PROBE = 1e-7;

export interface RegionMinimizer {
  readonly x: Float64Array;
  readonly f: number;
  /** D_{−x̂}f(x), the one-sided derivative toward 0 (NaN at x = 0). */
  readonly inward: number;
}

/** The minimizer of f over each region of G inside [−L, L]^k, with D_{−x̂}f there. */
export function regionMinimizers(net: PiecewiseLinearNet, ls: LeastSquares, box: number): RegionMinimizer[] {
  return enumerateRegions(net, { box }).regions.map((r) => {
    const sol = minimizeOnRegion(regionOfPattern(net, r.pattern, { box }), ls, { start: r.interior });
    return { x: sol.x, f: sol.f, inward: inwardDerivative(net, ls, sol.x) };
  });
}

/**
 * D_{−x̂}f(x) = lim_{t→0+} (f(x − t x̂) − f(x))/t exactly: the ray x − t x̂ stays in one closed region for small
 * t > 0 (found by probing at t and t/2 until the patterns agree), and f is that region's quadratic q there,
 * so the limit is −x̂·∇q(x).
 */
export function inwardDerivative(net: PiecewiseLinearNet, ls: LeastSquares, x: ArrayLike<number>): number {
  const k = net.k;
  let r = 0;
  for (let j = 0; j < k; j++) r += x[j] * x[j];
  r = Math.sqrt(r);
  if (r === 0) return NaN;
  const u = Float64Array.from(x, (v) => v / r);
  const at = (t: number) => evaluate(net, Float64Array.from(x, (v, j) => v - t * u[j])).pattern;
  let t = PROBE * (1 + r), pattern = at(t);
  for (let tries = 0; tries < 20; tries++) {
    const half = at(t / 2);
    if (half.every((v, j) => v === pattern[j])) break;
    t /= 2;
    pattern = half;
  }
  const q = regionQuadratic(regionOfPattern(net, pattern), ls);
  let derivative = 0;
  for (let a = 0; a < k; a++) {
    let grad = q.g[a];
    for (let b = 0; b < k; b++) grad += q.H[a * k + b] * x[b];
    derivative -= u[a] * grad;
  }
  return derivative;
}
