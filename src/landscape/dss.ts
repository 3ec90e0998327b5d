/**
 * Greedy Dynamic String Sampling (Freeman & Bruna 2017, Algorithm 1 and Section 3): connect two points
 * θ_A, θ_B of a level set Ω(L0) = {θ : F(θ) ≤ L0} by a string of "beads". Walking the string from θ_A, the
 * first segment whose linear interpolation max_t F((1 − t)θ_i + tθ_j) exceeds L0 gets a new bead, started at
 * the interpolation's maximum t* (or t* = ½) and trained down to α·L0 (line 8, and Section 3.2: α < 1 "aids
 * convergence"); then its two new segments are checked the same way, left first — Algorithm 1's recursion,
 * depth first. When every segment stays below L0 the string is a path in Ω(L0) (up to the sampling of t), and
 *
 *   normalized geodesic length = Σ ‖θ_{i+1} − θ_i‖ / ‖θ_B − θ_A‖      (1 for a convex level set, Section 3.1)
 *
 * is the measure of non-convexity, with the number of beads. Failure to converge within the budget is only
 * that (Section 3.2: the algorithm "does not guarantee that two models are disconnected if [it] fails to
 * converge"), and is reported as such.
 */
import { InputError } from "../errors.js";
import { checkPoint, concat, valuesAt, type Loss } from "./loss.js";
import { distance } from "../tensor/vector.js";
import { checkTrainOptions, trainBelow, type TrainOptions } from "./train.js";
import { orNull, type Form } from "../form.js";

/** Where a new bead starts on a segment that rises above L0 (Section 3.2 says both work in practice). */
export type Insertion = "argmax" | "midpoint";
export const INSERTIONS: readonly Insertion[] = ["argmax", "midpoint"];

/** Beads are trained to α·L0. The paper gives no value for α; ½ leaves the beads well inside the level set. */
export const DEFAULT_ALPHA = 0.5;
/**
 * Interior points t = s/(S + 1), s = 1..S, at which a segment's interpolated loss is checked. The paper does
 * not say how it takes max_t; 31 points resolve a bump a thirtieth of a segment wide, and segments shrink as
 * beads are added where the loss rises.
 */
export const DEFAULT_SAMPLES = 31;
/** Most points per segment: a segment's points are evaluated as one batch, samples × the network's width. */
export const MAX_SAMPLES = 10_000;
/** Beads allowed before the run stops unconverged (the budget of Section 3.2's "failure conditions"). */
export const DEFAULT_MAX_BEADS = 200;

export interface DssOptions {
  /** The level L0 (> 0: α·L0 must lie below it). */
  level: number;
  alpha?: number;
  samples?: number;
  insertion?: Insertion;
  maxBeads?: number;
  /** How each bead is trained (its step budget and learning rate). */
  train: TrainOptions;
  /** Told after every bead. */
  onBead?: (beads: number) => void;
}

/**
 * connected            every segment of the string stays at or below L0
 * bead-budget          maxBeads beads were added and a segment still rises above L0
 * bead-above-level     a bead could not be trained to L0 within its step budget
 */
export type DssOutcome = "connected" | "bead-budget" | "bead-above-level";

export interface DssResult {
  converged: boolean;
  outcome: DssOutcome;
  level: number;
  alpha: number;
  /** Beads trained: the intermediate models (the string has beads + 2 points when connected; a last bead that stayed above L0 is counted but not on the string). */
  beads: number;
  /** Algorithm 1's depth: the most nested insertion (a bead between beads of depths a and b has depth max(a, b) + 1). */
  depth: number;
  /** θ_A, the beads in order, θ_B (with the last bead tried, if it failed, left out). */
  string: Float64Array[];
  /** F at each point of the string. */
  values: number[];
  /** The sampled max of F over each segment checked and accepted, from θ_A on (every segment when connected). */
  segmentMax: number[];
  /** Σ ‖θ_{i+1} − θ_i‖ over the string as it stands. */
  length: number;
  /** ‖θ_B − θ_A‖. */
  distance: number;
  /** length / distance when connected, else null. */
  normalizedLength: number | null;
  /** Gradient steps spent training beads. */
  trainingSteps: number;
  /** Evaluations of F on segments. */
  evaluations: number;
}

/** The form of a DssSummary, and of a Spread or null (journal records: src/form.ts). */
export const DSS_SUMMARY_FORM: Form = {
  converged: "boolean", outcome: "string", level: "number", alpha: "number", beads: "number", depth: "number", length: "number",
  distance: "number", normalizedLength: "number?", trainingSteps: "number", evaluations: "number",
};
export const SPREAD_FORM: Form = orNull({ mean: "number", min: "number", max: "number" });

export function checkDssOptions(options: DssOptions): Required<Omit<DssOptions, "onBead">> {
  const { level } = options;
  const alpha = options.alpha ?? DEFAULT_ALPHA, samples = options.samples ?? DEFAULT_SAMPLES;
  const insertion = options.insertion ?? "argmax", maxBeads = options.maxBeads ?? DEFAULT_MAX_BEADS;
  if (!(level > 0 && Number.isFinite(level))) throw new InputError(`dss: the level L0 must be a positive number, got ${level}`);
  if (!(alpha > 0 && alpha <= 1)) throw new InputError(`dss: alpha must be in (0, 1] (beads are trained to alpha·L0), got ${alpha}`);
  if (!(Number.isSafeInteger(samples) && samples >= 1 && samples <= MAX_SAMPLES)) throw new InputError(`dss: samples per segment must be an integer from 1 to ${MAX_SAMPLES}, got ${samples}`);
  if (!INSERTIONS.includes(insertion)) throw new InputError(`dss: insertion must be ${INSERTIONS.join(" or ")}, got "${String(insertion)}"`);
  if (!(Number.isSafeInteger(maxBeads) && maxBeads >= 0)) throw new InputError(`dss: the bead budget must be an integer ≥ 0, got ${maxBeads}`);
  checkTrainOptions(options.train, "dss bead training");
  return { level, alpha, samples, insertion, maxBeads, train: options.train };
}

/** Connect θ_A and θ_B (each with F ≤ L0) by Greedy Dynamic String Sampling. */
export function connect(loss: Loss, thetaA: ArrayLike<number>, thetaB: ArrayLike<number>, options: DssOptions): DssResult {
  const { level, alpha, samples, insertion, maxBeads, train } = checkDssOptions(options);
  const a = checkPoint(loss, thetaA, "dss: endpoint A"), b = checkPoint(loss, thetaB, "dss: endpoint B");
  const d = loss.dimension;
  const ends = valuesAt(loss, concat([a, b]), 2);
  ends.forEach((v, i) => {
    if (!(v <= level)) throw new InputError(`dss: endpoint ${"AB"[i]} has F = ${v}, not in the level set F ≤ L0 = ${level}`);
  });
  const span = distance(a, b);
  if (!(span > 0)) throw new InputError("dss: the endpoints coincide (the normalized length ‖string‖ / ‖θ_B − θ_A‖ needs two distinct points)");

  const string = [a, b], values = [ends[0], ends[1]], depths = [0, 0], segmentMax: number[] = [];
  const points = new Float64Array(samples * d);
  let beads = 0, trainingSteps = 0, evaluations = 0, outcome: DssOutcome = "connected";
  // Segments left of i are accepted; i is the first one not yet checked.
  for (let i = 0; i < string.length - 1;) {
    const p = string[i], q = string[i + 1];
    for (let s = 0; s < samples; s++) {
      const t = (s + 1) / (samples + 1);
      for (let j = 0; j < d; j++) points[s * d + j] = (1 - t) * p[j] + t * q[j];
    }
    const f = valuesAt(loss, points, samples);
    evaluations += samples;
    let top = 0;
    for (let s = 1; s < samples; s++) if (!(f[s] <= f[top])) top = s;   // NaN counts as above everything
    if (f[top] <= level) {
      segmentMax.push(Math.max(f[top], values[i], values[i + 1]));
      i++;
      continue;
    }
    if (beads >= maxBeads) {
      outcome = "bead-budget";
      break;
    }
    const t = insertion === "midpoint" ? 0.5 : (top + 1) / (samples + 1);
    const bead = Float64Array.from({ length: d }, (_, j) => (1 - t) * p[j] + t * q[j]);
    const trained = trainBelow(loss, bead, alpha * level, train);
    beads++;
    trainingSteps += trained.steps;
    options.onBead?.(beads);
    if (!(trained.value <= level)) {
      outcome = "bead-above-level";
      break;
    }
    string.splice(i + 1, 0, bead);
    values.splice(i + 1, 0, trained.value);
    depths.splice(i + 1, 0, Math.max(depths[i], depths[i + 1]) + 1);
  }
  let length = 0;
  for (let i = 0; i + 1 < string.length; i++) length += distance(string[i], string[i + 1]);
  const converged = outcome === "connected";
  return {
    converged, outcome, level, alpha, beads, depth: Math.max(...depths), string, values, segmentMax, length, distance: span,
    normalizedLength: converged ? length / span : null, trainingSteps, evaluations,
  };
}

/** A DssResult without its string: what the experiments keep of each run. */
export type DssSummary = Omit<DssResult, "string" | "values" | "segmentMax">;

export function summarize(result: DssResult): DssSummary {
  const { string: _s, values: _v, segmentMax: _m, ...rest } = result;
  return rest;
}

/** Mean, least and greatest of a list (null when it is empty). */
export interface Spread {
  mean: number;
  min: number;
  max: number;
}

function spread(xs: number[]): Spread | null {
  if (xs.length === 0) return null;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * Freeman & Bruna 2017's Figure 1 statistics over the runs at one level: average normalized length and
 * average bead count of the runs that connected; the others are counted, never averaged in (Section 3.2).
 */
export interface RunStatistics {
  runs: number;
  connected: number;
  /** Runs that stopped on their budget or on a bead above L0. */
  unconverged: number;
  normalizedLength: Spread | null;
  beads: Spread | null;
  depth: Spread | null;
}

export function statistics(runs: readonly DssSummary[]): RunStatistics {
  const ok = runs.filter((r) => r.converged);
  return {
    runs: runs.length,
    connected: ok.length,
    unconverged: runs.length - ok.length,
    normalizedLength: spread(ok.map((r) => r.normalizedLength!)),
    beads: spread(ok.map((r) => r.beads)),
    depth: spread(ok.map((r) => r.depth)),
  };
}
