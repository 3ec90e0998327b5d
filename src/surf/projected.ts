/**
 * Algorithm 3.2 of Song, Fan & Lafferty 2019 (projected-gradient surfing): along a network flow θ_0, …, θ_T, start from
 * the global minimizer of f(·, θ_0) and, at each t, run projected gradient descent from x_{t−1} on every
 * linear piece P_g ∈ P(x_{t−1}, θ_t, τ), keeping the result with the lowest f. Theorem 3.3: if the
 * minimizer moves slowly enough (δ < τ / (L max(M, 1)^{d+1})), x_t is the global minimizer of f(·, θ_t)
 * at every t. `inner: "exact"` replaces the inner projected-gradient loop by the exact per-piece QP.
 */
import { InputError } from "../errors.js";
import { checkBox, checkLeastSquares, checkNet, checkPoint, type LeastSquares, type PiecewiseLinearNet } from "../geometry/affine.js";
import { certify } from "../geometry/certificate.js";
import { fromNetwork, leastSquares, type Target } from "../geometry/from-network.js";
import { symmetricEigen } from "../geometry/linalg.js";
import { DEFAULT_MAX_PIECES, pieces, type Piece } from "../geometry/pieces.js";
import { Projector } from "../geometry/project.js";
import { minimizeOnRegion, objective, quadraticValue, regionQuadratic } from "../geometry/quadratic.js";
import type { Network } from "../nn/network.js";
import type { Measurement } from "../objective/measurement.js";

/**
 * θ_0, …, θ_T: all at once, or a loader of θ_t (each is asked for once, in order — a checkpoint sequence
 * need not fit in memory).
 */
export type Flow<T> = readonly T[] | { readonly count: number; load(t: number): T };

export interface ProjectedSurfOptions {
  /** Half-width L of the box [−L, L]^k the pieces (and step 1's global minimizer) live in. */
  readonly box: number;
  /** The slack τ of S(x, θ, τ). */
  readonly tau: number;
  /** Projected-gradient step η; "auto" (default) takes 1/λ_max(Hessian of f on the piece) per piece, the largest step that is always a descent step. */
  readonly eta?: number | "auto";
  /** "gradient": Algorithm 3.2 as written (default); "exact": the per-piece QP minimizer. */
  readonly inner?: "gradient" | "exact";
  /** Projected gradient stops when a step moves x by less than tol·(1 + ‖x‖) (default 1e-10). */
  readonly tol?: number;
  /** Cap on projected-gradient steps per piece (default 100 000). */
  readonly maxIterations?: number;
  /** Refuse (InputError) a step with more pieces than this (default DEFAULT_MAX_PIECES): τ too large. */
  readonly maxPieces?: number;
  /** x_0 (default: the certified global minimizer of f(·, θ_0) over the box, step 1). */
  readonly x0?: ArrayLike<number>;
  /** Resume after step t (whose result was x): the run goes on with t + 1 (θ_0 … θ_t are not loaded). */
  readonly resume?: { readonly t: number; readonly x: ArrayLike<number> };
  /** Called after each step (to save progress, so that a killed run resumes, or to show it). */
  readonly onStep?: (step: ProjectedSurfStep, of: number) => void;
}

export interface ProjectedSurfStep {
  readonly t: number;
  readonly x: Float64Array;
  readonly f: number;
  /** |P(x_{t−1}, θ_t, τ)|. */
  readonly pieces: number;
  /** Pattern of the winning piece. */
  readonly pattern: Uint8Array;
  /** Projected-gradient steps summed over the pieces (0 for the exact variant). */
  readonly iterations: number;
  /** Pieces whose projected gradient hit the iteration cap. */
  readonly unconverged: number;
}

export interface ProjectedSurfResult {
  /** Where the run started: x_0 and f(x_0, θ_0) (step 1's certificate, or options.x0); resume.x and NaN when resuming. */
  readonly start: { readonly x: Float64Array; readonly f: number };
  /** x̂ = x_T and f(x̂, θ_T) (f is NaN when a resumed run had no step left). */
  readonly x: Float64Array;
  readonly f: number;
  /** One entry per step run: t = 1 … T (from resume.t + 1 when resuming). */
  readonly path: ProjectedSurfStep[];
}

/**
 * Algorithm 3.2 on a flow of piecewise-linear nets and one objective f(z) = ½‖A·G_t(z) − obs‖².
 *
 * @example
 * import { surfProjected, geometry } from "surfing";
 * const flow = [0, 1, 2].map((t) => geometry.randomNet([2, 6, 4], "surf", t));   // θ_0, θ_1, θ_2
 * const obs = geometry.evaluate(flow[2], [0.3, -0.2]).output;   // y = G_θ2(x*), observed by A = I
 * const result = surfProjected(flow, { A: null, m: 4, obs }, { box: 1, tau: 0.5 });
 * result.path.length;   // → 2
 * result.x;   // x̂ = x_2
 */
export function surfProjected(flow: Flow<PiecewiseLinearNet>, ls: LeastSquares, options: ProjectedSurfOptions): ProjectedSurfResult {
  const count = "load" in flow ? flow.count : flow.length;
  if (!Number.isInteger(count) || count < 1) throw new InputError("flow must list at least one network θ_0, …, θ_T");
  const L = checkBox(options.box);
  const eta = options.eta ?? "auto";
  if (eta !== "auto" && !(Number.isFinite(eta) && eta > 0)) throw new InputError(`eta must be a positive step or "auto", got ${String(eta)}`);
  if (!(Number.isFinite(options.tau) && options.tau >= 0)) throw new InputError(`tau must be a finite slack ≥ 0, got ${String(options.tau)}`);
  const tol = options.tol ?? 1e-10, maxIterations = options.maxIterations ?? 100_000, maxPieces = options.maxPieces ?? DEFAULT_MAX_PIECES;
  let k = -1;
  const at = (t: number): PiecewiseLinearNet => {
    const net = checkNet("load" in flow ? flow.load(t) : flow[t], `flow[${t}]`);
    if (k < 0) k = net.k;
    if (net.k !== k) throw new InputError(`flow[${t}].k = ${net.k} differs from the first network's k = ${k}`);
    checkLeastSquares(ls, net);
    return net;
  };
  const resume = options.resume;
  if (resume !== undefined && !(Number.isInteger(resume.t) && resume.t >= 0 && resume.t < count)) {
    throw new InputError(`resume.t must be a step in [0, ${count - 1}], got ${String(resume.t)}`);
  }
  const first = resume ? resume.t + 1 : 1;
  // Under resume, x is checked once θ_{t+1} tells k.
  let x: Float64Array = resume ? Float64Array.from(resume.x) : new Float64Array(0), f = NaN;
  if (!resume) {
    const net0 = at(0);
    x = options.x0 === undefined ? certify(net0, ls, { box: L }).xGlobal : checkPoint(options.x0, k, "x0");
    f = objective(net0, ls, x);
  }
  const start = { x, f };
  const path: ProjectedSurfStep[] = [];
  for (let t = first; t < count; t++) {
    const net = at(t);
    if (resume && t === first) x = checkPoint(resume.x, k, "resume.x");
    let best: { x: Float64Array; f: number; pattern: Uint8Array } | undefined;
    let iterations = 0, unconverged = 0;
    const found = pieces(net, x, options.tau, L, maxPieces);
    for (const piece of found) {
      const r = options.inner === "exact" ? { x: minimizeOnRegion(piece, ls, { start: piece.interior }).x, iterations: 0, converged: true } : descend(piece, ls, x, eta, tol, maxIterations);
      iterations += r.iterations;
      if (!r.converged) unconverged++;
      const value = quadraticValue(regionQuadratic(piece, ls), r.x);
      if (!best || value < best.f) best = { x: r.x, f: value, pattern: piece.pattern };
    }
    // x_{t−1} lies in the box and its own piece is always in P (τ ≥ 0), so there is at least one piece.
    x = best!.x;
    f = best!.f;
    const step = { t, x, f, pieces: found.length, pattern: best!.pattern, iterations, unconverged };
    path.push(step);
    options.onStep?.(step, count - 1);
  }
  return { start, x, f, path };
}

/**
 * Algorithm 3.2 for library networks — an array of θ_0 … θ_T, or a loader with their count whose every
 * call returns a fresh Network (freed here once converted) — with a measurement and a target (the signal
 * y or its observation): what `surf invert --method surf-projected` runs.
 *
 * @example
 * import { surfProjectedNetworks, randomNetwork, Identity, kernels } from "surfing";
 * const flow = [0, 1, 2].map((t) => randomNetwork("surf", [2, 6, 4], `θ${t}`, { dtype: "f64" }));
 * const y = flow[2].forward([[0.3, -0.2]])[0];
 * const result = surfProjectedNetworks(flow, new Identity(kernels, "f64", 4), { signal: y }, { box: 1, tau: 0.5 });
 * // x_0 is θ_0's certified global minimizer, then one step for each of θ_1 and θ_2
 * result.path.map((step) => step.t);   // → [1, 2]
 */
export function surfProjectedNetworks(flow: Flow<Network>, measurement: Measurement, target: Target, options: ProjectedSurfOptions): ProjectedSurfResult {
  const ls = leastSquares(measurement, target);
  const convert = (net: Network, t: number): PiecewiseLinearNet => {
    if (net.outputSize !== measurement.n) throw new InputError(`flow[${t}] outputs ${net.outputSize} values, the measurement takes ${measurement.n}`);
    return fromNetwork(net, `flow[${t}]`);
  };
  const nets: Flow<PiecewiseLinearNet> = "load" in flow
    ? {
        count: flow.count,
        load: (t) => {
          const net = flow.load(t);
          try {
            return convert(net, t);
          } finally {
            net.free();
          }
        },
      }
    : flow.map(convert);
  return surfProjected(nets, ls, options);
}

/** Steps 4–8: x ← Proj_P(x − η∇f(x)) until x stops moving, on the piece's quadratic (equal to f on P). */
function descend(piece: Piece, ls: LeastSquares, from: Float64Array, eta: number | "auto", tol: number, maxIterations: number): { x: Float64Array; iterations: number; converged: boolean } {
  const q = regionQuadratic(piece, ls), k = q.k;
  const step = eta === "auto" ? 1 / Math.max(...symmetricEigen(q.H, k).values, 1e-300) : eta;
  let x: Float64Array = Float64Array.from(from);
  const y = new Float64Array(k), projector = new Projector(piece);
  for (let it = 1; it <= maxIterations; it++) {
    for (let a = 0; a < k; a++) {
      let grad = q.g[a];
      for (let b = 0; b < k; b++) grad += q.H[a * k + b] * x[b];
      y[a] = x[a] - step * grad;
    }
    const sol = projector.project(y);
    let moved = 0, size = 0;
    for (let a = 0; a < k; a++) {
      moved += (sol.x[a] - x[a]) ** 2;
      size += x[a] * x[a];
    }
    x = sol.x;
    if (Math.sqrt(moved) <= tol * (1 + Math.sqrt(size))) return { x, iterations: it, converged: true };
  }
  return { x, iterations: maxIterations, converged: false };
}
