/**
 * The stage pipeline of an inversion, written once for `invert` (and `surf invert`) and the experiments'
 * cells: regular Adam on θ_T first, whose 75th-percentile step count to converge is surfing's NeurIPS budget
 * (Song, Fan & Lafferty, NeurIPS 2019, Section 4); then surfing (Algorithm 3.1) under that budget, or one of
 * its ablations; then the rivals that spend, trial by trial, the steps surfing took — the best of R
 * restarts, restarts until f < τ, and regular Adam followed by surfing where it failed.
 */
import { neuripsTotal, type Schedule } from "./schedule.js";
import type { Method } from "./surf.js";

/** The rivals a practitioner would run with surfing's steps (and `surf invert --method` values). */
export const RIVALS = ["restart-until", "adam-then-surf"] as const;
export type Rival = (typeof RIVALS)[number];
/**
 * Surfing changed one thing at a time, on the same trials: the split of the NeurIPS total over θ_0..θ_{T−1}
 * (uniform, linear instead of harmonic), θ_0 skipped, half or twice the total, every 2nd or 5th checkpoint.
 */
export const ABLATIONS = ["surf-uniform", "surf-linear", "surf-skip0", "surf-half", "surf-double", "surf-every2", "surf-every5"] as const;
export type Ablation = (typeof ABLATIONS)[number];
export type Stage = "regular" | "surf" | `restarts-${number}` | Rival | Ablation;

/**
 * The stages that spend, trial by trial, the steps surfing used: the comparison at equal compute.
 *
 * @example
 * import { atEqualCompute } from "surfing";
 * atEqualCompute("restarts-4");   // → true
 * atEqualCompute("surf-half");   // → false
 */
export function atEqualCompute(stage: string): boolean {
  return stage.startsWith("restarts-") || (RIVALS as readonly string[]).includes(stage);
}

/** Whether a stage is one of surfing's ablations. */
export function isAblation(stage: string): stage is Ablation {
  return (ABLATIONS as readonly string[]).includes(stage);
}

/**
 * The stage whose trials a stage's method is made from: regular Adam's (the NeurIPS budget) for surfing and
 * its ablations, surfing's (each trial's step count) for the rivals; none for regular Adam.
 *
 * @example
 * import { stageInput } from "surfing";
 * stageInput("surf-half");   // → "regular"
 * stageInput("restarts-2");   // → "surf"
 */
export function stageInput(stage: Stage): "regular" | "surf" | undefined {
  return stage === "regular" ? undefined : stage === "surf" || isAblation(stage) ? "regular" : "surf";
}

/** What a stage's method is made from: surfing's schedule (from regular Adam, or given) and surfing's trials. */
export interface StageInputs {
  /** Surfing's schedule: the NeurIPS total from regular Adam's steps (neuripsTotal), or given. */
  schedule?: Schedule;
  /** Surfing's trials, whose step counts the equal-compute rivals spend. */
  surf?: readonly { index: number; steps: number }[];
  /** restart-until, adam-then-surf: τ (default foundThreshold). */
  until?: number;
}

/**
 * The method a stage runs, given what it is made from (stageInput): the one place the pipeline's budget
 * rules live.
 *
 * @example
 * import { stageMethod } from "surfing";
 * const schedule = { kind: "neurips", total: 900 };
 * stageMethod("surf-half", { schedule });   // → { kind: "surf", schedule: { kind: "neurips", total: 450 } }
 * stageMethod("restarts-2", { schedule, surf: [{ index: 0, steps: 1200 }] });   // → { kind: "restarts", restarts: 2, budgets: { 0: 1200 } }
 */
export function stageMethod(stage: Stage, inputs: StageInputs): Method {
  if (stage === "regular") return { kind: "regular" };
  const schedule = inputs.schedule ?? { kind: "converge" };
  if (stage === "surf") return { kind: "surf", schedule };
  if (isAblation(stage)) return ablated(stage, schedule);
  const budgets = Object.fromEntries((inputs.surf ?? []).map((r) => [r.index, r.steps]));
  if (stage === "restart-until") return { kind: "restart-until", budgets, ...(inputs.until !== undefined ? { until: inputs.until } : {}) };
  if (stage === "adam-then-surf") return { kind: "adam-then-surf", budgets, schedule, ...(inputs.until !== undefined ? { until: inputs.until } : {}) };
  return { kind: "restarts", restarts: Number(stage.slice("restarts-".length)), budgets };
}

/** Surfing's NeurIPS schedule from regular Adam's trials (neuripsTotal). */
export function neuripsSchedule(regular: readonly { steps: number; converged: boolean; diverged: boolean }[]): Schedule {
  return { kind: "neurips", total: neuripsTotal(regular).total };
}

/** Surfing under `schedule` with the ablation's one change (the budget's changes need the NeurIPS total). */
function ablated(stage: Ablation, schedule: Schedule): Method {
  const total = schedule.kind === "neurips" ? schedule.total : undefined;
  const neurips = (t: number | undefined, split?: "uniform" | "linear"): Schedule => (t === undefined ? schedule : { kind: "neurips", total: t, ...(split ? { split } : {}) });
  switch (stage) {
    case "surf-uniform": return { kind: "surf", schedule: neurips(total, "uniform") };
    case "surf-linear": return { kind: "surf", schedule: neurips(total, "linear") };
    case "surf-skip0": return { kind: "surf", schedule, networks: { from: 1 } };
    case "surf-half": return { kind: "surf", schedule: neurips(total === undefined ? undefined : Math.round(total / 2)) };
    case "surf-double": return { kind: "surf", schedule: neurips(total === undefined ? undefined : 2 * total) };
    case "surf-every2": return { kind: "surf", schedule, networks: { every: 2 } };
    case "surf-every5": return { kind: "surf", schedule, networks: { every: 5 } };
  }
}
