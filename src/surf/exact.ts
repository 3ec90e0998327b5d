/**
 * The exact methods of `surf invert`, one trial at a time on the same targets, measurement and
 * observations as surfing (surf.ts), in float64 on the stored weights:
 *
 *   certify          the global minimizer of f_θT over the box [−L, L]^k: the least per-region QP minimum
 *                    (src/geometry/certificate.ts) — exact, for small k
 *   surf-projected   Algorithm 3.2 over θ_0 … θ_T from the certified minimizer of f_θ0 (src/surf/projected.ts)
 */
import { certifyNetwork } from "../geometry/certificate.js";
import type { Network } from "../nn/network.js";
import type { Measurement } from "../objective/measurement.js";
import type { Seed } from "../random/rng.js";
import type { PathStep, TrialState } from "./descent.js";
import { norm } from "../tensor/vector.js";
import { surfProjectedNetworks } from "./projected.js";

export type ExactMethod =
  | { kind: "certify"; box: number; maxRegions?: number }
  | { kind: "surf-projected"; box: number; tau: number; inner: "gradient" | "exact"; maxPieces?: number };

export interface ExactOutcome {
  /** The start x_0 (surf-projected; certify has none). */
  start: Float64Array;
  /** Per network: projected-gradient steps, f and ‖x‖ reached and |P(x_{t−1}, θ_t, τ)| (surf-projected); one entry for certify. */
  path: PathStep[];
  certificate?: { regions: number; solved: number; unique: boolean };
}

/** What surf.ts's run needs to solve an exact method's trial (given by the pool, so that importing surf.ts alone — the report's panel — leaves the geometry out). */
export type ExactSolver = typeof solveExact;

/**
 * Solve one trial: sets its x (x̂), f (f_θT(x̂)), steps and converged; `progress(share)` with share in [0, 1].
 * `sequence.load` gives a fresh network each call (freed here); `final` is θ_T, which the caller keeps.
 */
export function solveExact(sequence: { length: number; load(t: number): Network }, final: Network, A: Measurement, state: TrialState,
                           observation: Float64Array, method: ExactMethod, seed: Seed, progress: (share: number) => void): ExactOutcome {
  const target = { observation };
  if (method.kind === "certify") {
    const c = certifyNetwork(final, A, target, {
      box: method.box, maxRegions: method.maxRegions, seed: `${String(seed)}/certify`,
      onProgress: (regions, expected) => progress(Math.min(1, regions / Math.max(1, expected))),
    });
    Object.assign(state, { x: c.xGlobal, f: c.fGlobal, steps: 0, converged: true });
    return { start: new Float64Array(0), path: [{ steps: 0, f: c.fGlobal, norm: norm(c.xGlobal) }], certificate: { regions: c.regions, solved: c.solved, unique: c.unique } };
  }
  const T = sequence.length - 1;
  let unconverged = 0;
  const r = surfProjectedNetworks({ count: sequence.length, load: (t) => sequence.load(t) }, A, target, {
    box: method.box, tau: method.tau, inner: method.inner, maxPieces: method.maxPieces,
    onStep: (step) => {
      unconverged += step.unconverged;
      progress(step.t / Math.max(1, T));
    },
  });
  const path: PathStep[] = [{ steps: 0, f: r.start.f, norm: norm(r.start.x) }, ...r.path.map((s) => ({ steps: s.iterations, f: s.f, norm: norm(s.x), pieces: s.pieces }))];
  Object.assign(state, { x: r.x, f: r.f, steps: path.reduce((a, p) => a + p.steps, 0), converged: unconverged === 0 });
  return { start: r.start.x, path };
}
