/**
 * How many gradient steps surfing spends on each network θ_0..θ_T.
 *
 *  neurips   (Song, Fan & Lafferty (NeurIPS 2019), Section 4) the networks θ_0..θ_{T−1} share a fixed total — the 75th percentile of the
 *            steps regular Adam needs to converge on θ_T — split by a deterministic, decreasing schedule that
 *            gives more steps to early networks, where the landscape moves fastest; θ_T runs to convergence.
 *            The paper does not give its schedule; ours is harmonic, w_t ∝ 1/(t + 1), rounded by largest
 *            remainders (so the budgets add up to the total exactly), at least one step each. `split`
 *            changes the weights for the ablations: uniform (w_t = 1) or linear (w_t ∝ T − t).
 *  converge  every network to convergence (Algorithm 3.1 as written in Song, Fan & Lafferty 2019), each capped at maxSteps.
 */
import { InputError } from "../errors.js";
import { percentile } from "./metrics.js";

export type Schedule = { kind: "neurips"; total: number; split?: Split } | { kind: "converge" };

/** How the NeurIPS total is shared by θ_0..θ_{T−1}: w_t ∝ 1/(t + 1) (ours, the default), 1, or T − t. */
export type Split = "harmonic" | "uniform" | "linear";
const SPLITS: readonly Split[] = ["harmonic", "uniform", "linear"];
/**
 * Surfing's schedules: "neurips" (a fixed total of steps over θ_0 … θ_{T−1}) and "converge" (every network to convergence).
 *
 * @example
 * import { SCHEDULE_KINDS } from "surfing";
 * SCHEDULE_KINDS;   // → ["neurips", "converge"]
 */
export const SCHEDULE_KINDS = ["neurips", "converge"] as const;

/**
 * Step budgets for networks 0..T (T + 1 entries); the last is always maxSteps.
 *
 * @example
 * import { stepBudgets } from "surfing";
 * // 10 steps over θ_0, θ_1, θ_2, more to the earlier ones; θ_3 runs to convergence (at most 1000 steps)
 * stepBudgets({ kind: "neurips", total: 10 }, 4, 1000);   // → [5, 3, 2, 1000]
 */
export function stepBudgets(schedule: Schedule, networks: number, maxSteps: number): number[] {
  if (!Number.isSafeInteger(networks) || networks < 1) throw new InputError(`schedule: need at least one network, got ${networks}`);
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) throw new InputError(`schedule: max steps must be a positive integer, got ${maxSteps}`);
  const T = networks - 1;
  if (schedule.kind === "converge") return new Array<number>(networks).fill(maxSteps);
  const { total } = schedule;
  if (!Number.isSafeInteger(total) || total < 0) throw new InputError(`schedule: the step total must be an integer ≥ 0, got ${total}`);
  if (T === 0) return [maxSteps];
  const split = schedule.split ?? "harmonic";
  if (!SPLITS.includes(split)) throw new InputError(`schedule: split must be ${SPLITS.join(", ")}, got "${split}"`);
  const weights = Array.from({ length: T }, (_, t) => (split === "harmonic" ? 1 / (t + 1) : split === "uniform" ? 1 : T - t));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spread = Math.max(0, total - T);   // one step each first
  const exact = weights.map((w) => (spread * w) / sum);
  const budgets = exact.map((e) => 1 + Math.floor(e));
  let left = spread - exact.reduce((a, e) => a + Math.floor(e), 0);
  const order = exact.map((e, t) => [e - Math.floor(e), t] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, t] of order) {
    if (left-- <= 0) break;
    budgets[t]++;
  }
  return [...budgets, maxSteps];
}

/**
 * The NeurIPS total for θ_0..θ_{T−1}: the 75th percentile of the steps regular Adam took to converge on θ_T.
 * The trap: when more than a quarter of those runs hit the cap, the percentile is the cap itself —
 * `capped` says how many did.
 *
 * @example
 * import { neuripsTotal } from "surfing";
 * const regular = [120, 80, 200, 10000].map((steps) => ({ steps, converged: steps < 10000, diverged: false }));
 * neuripsTotal(regular);   // → { total: 2650, capped: 1 }
 */
export function neuripsTotal(regular: readonly { steps: number; converged: boolean; diverged: boolean }[]): { total: number; capped: number } {
  const capped = regular.filter((r) => !r.converged && !r.diverged).length;
  return { total: Math.round(percentile(regular.map((r) => r.steps), 75)), capped };
}
