/**
 * The global certificate: on every region of G inside the box, f is a convex quadratic over a polytope,
 * so the global minimum of f over [−L, L]^k is the least of the per-region QP minima — exact, for small
 * k where the regions can be enumerated, and for any box, the regions coming from the exact subdivision
 * (subdivision.ts: no region with interior is missed, and none without is counted). A region is skipped only when the unconstrained
 * minimum of its quadratic (a lower bound on its QP minimum) already exceeds the best value found.
 */
import { checkBox, checkLeastSquares, checkNet, checkPoint, type LeastSquares, type PiecewiseLinearNet } from "./affine.js";
import { DEFAULT_MAX_REGIONS, PROGRESS_EVERY, refuseTooMany, tooManyMessage } from "./enumerate.js";
import { fromObjective, type Target } from "./from-network.js";
import { symmetricEigen } from "./linalg.js";
import { strictInterior } from "./lp.js";
import { minimizeOnRegion, objective, regionQuadratic, type RegionQuadratic } from "./quadratic.js";
import { subdivide } from "./subdivision.js";
import type { Network } from "../nn/network.js";
import type { Measurement } from "../objective/measurement.js";
import type { Seed } from "../random/rng.js";

export interface Certificate {
  /** The global minimizer of f over the box (one of them when `unique` is false). */
  readonly xGlobal: Float64Array;
  readonly fGlobal: number;
  /** Number of (full-dimensional) regions of G in the box (every one was bounded or solved). */
  readonly regions: number;
  /** Number of per-region QPs solved (the rest were pruned by their lower bound). */
  readonly solved: number;
  /** True when the minimizer over the box is a single point. */
  readonly unique: boolean;
  /** The optimality gap f(x) − fGlobal of any x (≥ 0, up to rounding, for x in the box). */
  gap(x: ArrayLike<number>): number;
}

export interface CertifyOptions {
  /** Half-width L of the box [−L, L]^k. */
  readonly box: number;
  /** Refuse (InputError) when more regions than this are estimated or found (default 10⁶). */
  readonly maxRegions?: number;
  /** Seed of the region-count estimate. */
  readonly seed?: Seed;
  /** Called every PROGRESS_EVERY regions with the count so far and the expected total (an estimate). */
  readonly onProgress?: (regions: number, expected: number) => void;
}

/** Regions whose minima are within TIE_TOL (relative to 1 + f) of the best are ties: the QPs' values carry rounding ~1e-15 relative. */
const TIE_TOL = 1e-10;
/** Two minimizers closer than SAME_POINT (relative to 1 + ‖x‖) are one point (the QP's KKT accuracy is ~1e-12). */
const SAME_POINT = 1e-7;

/**
 * The global minimum of f(z) = ½‖A·G(z) − obs‖² over [−L, L]^k: the least per-region QP minimum.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const ls = { A: null, m: 4, obs: geometry.evaluate(net, [0.5, -0.25]).output };
 * const certificate = geometry.certify(net, ls, { box: 1 });
 * certificate.xGlobal;   // ≈ [0.5, -0.25]
 * certificate.gap([0, 0]) > 0;   // → true
 */
export function certify(net: PiecewiseLinearNet, ls: LeastSquares, options: CertifyOptions): Certificate {
  checkNet(net);
  checkLeastSquares(ls, net);
  const L = checkBox(options.box);
  const maxRegions = options.maxRegions ?? DEFAULT_MAX_REGIONS;
  const expected = refuseTooMany(net, L, maxRegions, "a certificate", options.seed);
  let best = Infinity, solved = 0, seen = 0, regions = 0;
  let candidates: { x: Float64Array; f: number; unique: boolean }[] = [];
  subdivide(net, L, (leaf) => {
    if (options.onProgress && ++seen % PROGRESS_EVERY === 0) options.onProgress(seen, expected);
    // Every region of the exact subdivision has interior: the LP only improves the start (its tolerance is relative to the box, so a huge box can call a real region flat).
    const region = leaf.region(), start = strictInterior(region, leaf.interior) ?? leaf.interior.slice();
    regions++;
    const q = regionQuadratic(region, ls);
    if (lowerBound(q) > best + TIE_TOL * (1 + best)) return;
    const sol = minimizeOnRegion(region, ls, { start, quadratic: q });
    solved++;
    if (sol.f > best + TIE_TOL * (1 + best)) return;
    if (sol.f < best) best = sol.f;
    candidates.push({ x: sol.x, f: sol.f, unique: sol.unique });
    candidates = candidates.filter((c) => c.f <= best + TIE_TOL * (1 + best));
  }, { maxRegions, tooMany: tooManyMessage(net.k, L, maxRegions, "a certificate") });
  const winner = candidates.reduce((a, b) => (b.f < a.f ? b : a));
  const scale = 1 + Math.hypot(...winner.x);
  const unique = candidates.every((c) => c.unique && Math.hypot(...c.x.map((v, l) => v - winner.x[l])) <= SAME_POINT * scale);
  return {
    xGlobal: winner.x,
    fGlobal: winner.f,
    regions,
    solved,
    unique,
    gap: (x) => objective(net, ls, checkPoint(x, net.k, "x")) - winner.f,
  };
}

/**
 * The certificate for a library network (converted by fromNetwork: eval mode, piecewise linear only),
 * a measurement and a target (the signal y, or its observation) — what `surf invert --method certify` runs.
 *
 * @example
 * import { geometry, randomNetwork, gaussianMeasurement, kernels } from "surfing";
 * const G = randomNetwork("surf", [2, 6, 4], "example", { dtype: "f64" });
 * const y = G.forward([[0.5, -0.25]])[0];
 * const A = gaussianMeasurement(kernels, "f64", 3, 4, "0");   // 3 Gaussian measurements of G's 4 outputs
 * geometry.certifyNetwork(G, A, { signal: y }, { box: 1 }).xGlobal;   // ≈ [0.5, -0.25]
 */
export function certifyNetwork(net: Network, measurement: Measurement, target: Target, options: CertifyOptions): Certificate {
  const { net: pl, ls } = fromObjective(net, measurement, target);
  return certify(pl, ls, options);
}

/**
 * min_z ½‖M z − r‖² = constant − ½ gᵀH⁺g, minus a margin for rounding (H's eigen-decomposition is accurate
 * to ~ε‖H‖; 1e-8 of the constant is far above that): a lower bound on f over any subset of R^k.
 */
function lowerBound(q: RegionQuadratic): number {
  const k = q.k;
  const { values, vectors } = symmetricEigen(q.H, k);
  const top = Math.max(0, ...values);
  let drop = 0;
  for (let e = 0; e < k; e++) {
    if (values[e] <= 1e-12 * top) continue;
    let gu = 0;
    for (let l = 0; l < k; l++) gu += vectors[l * k + e] * q.g[l];
    drop += (gu * gu) / values[e];
  }
  return q.constant - 0.5 * drop - 1e-8 * q.constant;
}
