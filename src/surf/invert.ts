/**
 * Inverting a generator in one call — what `surf invert` runs, as a library function that works alike in
 * Node, Deno and a browser: regular descent on θ_T, surfing over θ_0 … θ_T (Song, Fan & Lafferty 2019,
 * Algorithm 3.1) under the NeurIPS schedule (its budget, the 75th percentile of regular Adam's steps to
 * converge, measured first on the same trials unless given), or a rival at surfing's step count on each
 * trial: the best of R restarts, restarts until f < τ, or regular Adam then surfing where it failed. Trials are spread over worker threads where the runtime has them; the results do not depend on
 * how many (a trial's randomness is its own). Cancel with an AbortSignal; follow with onProgress.
 */
import { InputError } from "../errors.js";
import type { OptimizerKind } from "../optim/optimizer.js";
import { summarize, type RunSummary } from "./metrics.js";
import { defaultWorkers, runParallel } from "./pool.js";
import { neuripsTotal, type Schedule } from "./schedule.js";
import { stageMethod, type Stage } from "./stages.js";
import type { SequenceSource } from "./sequence.js";
import type { MeasurementChoice, Method, RunOptions, Targets, TrialResult } from "./surf.js";

export type InvertMethod = "surf" | "adam" | "gd" | "armijo" | "restarts" | "restart-until" | "adam-then-surf";
const INVERT_METHODS: readonly InvertMethod[] = ["surf", "adam", "gd", "armijo", "restarts", "restart-until", "adam-then-surf"];
/** The rivals that spend, trial by trial, the steps surfing used (surfing runs first). */
const EQUAL_COMPUTE: readonly InvertMethod[] = ["restarts", "restart-until", "adam-then-surf"];

export interface InvertOptions {
  /** A checkpoint directory or a network file (Node, Deno), or the networks' .safetensors bytes θ_0 … θ_T (anywhere). */
  net: string | readonly Uint8Array[];
  /**
   * surf (default); regular descent (adam, gd, armijo) on θ_T; or, at surfing's steps on each trial, restarts
   * (best of R), restart-until (until f < τ) or adam-then-surf (surfing where Adam ends with f ≥ τ).
   */
  method?: InvertMethod;
  /** Trials (default 10, or one per given target). */
  trials?: number;
  /** The true latent x* (one for all trials, or one per trial); default x* ~ U[−1, 1]^k per trial. */
  xStar?: number[] | number[][];
  /** The signal y instead of x* (one for all trials, or one per trial). */
  target?: number[] | number[][];
  /** The measurement A (default the identity). */
  measure?: MeasurementChoice;
  /** Standard deviation of Gaussian noise added to each observation A·y. */
  noise?: number;
  /** restarts: R (default 4). */
  restarts?: number;
  /** restart-until, adam-then-surf: τ, a descent with f < τ has found the target (default ½·m·(0.01² + σ²) with noise σ, foundThreshold). */
  until?: number;
  /** Surfing's steps per network: the NeurIPS budget (default) or each network to convergence. */
  schedule?: "neurips" | "converge";
  /** The NeurIPS budget for θ_0 … θ_{T−1}; default: measured from regular Adam on the same trials. */
  budget?: number;
  /** The descent inside surfing and restarts (default adam). */
  optimizer?: OptimizerKind;
  lr?: number;
  maxSteps?: number;
  start?: "uniform" | "zero";
  batch?: number;
  seed?: string;
  /** Worker threads (default: the cores); 1 runs in this thread. */
  workers?: number;
  signFlip?: boolean;
  /** Experimental: surf θ(s) = (1 − s)·θ_0 + s·θ_T on this many steps from a fresh θ_0, when `net` is θ_T alone (a path). */
  interpolate?: number;
  /** Cancels the call: it rejects with the signal's reason, its workers stopped. */
  signal?: AbortSignal;
  /** The stage running and its fraction done. */
  onProgress?: (stage: string, fraction: number) => void;
  /**
   * Runs a stage's trials, keeping what finishes (a journal: `surf invert --journal`); default runParallel.
   * It gets the stage's name, the method, the options and the workers.
   */
  runStage?: (name: string, source: SequenceSource, method: Method, trials: number, options: RunOptions, workers: number) => Promise<TrialResult[]>;
}

export interface InvertResult {
  method: InvertMethod;
  seed: string;
  workers: number;
  /** surf and restarts: the schedule and, under neurips, the budget (capped: regular runs that hit maxSteps). */
  schedule?: Schedule["kind"];
  budget?: { total: number; capped: number | null; maxSteps: number };
  /** The regular-Adam stage that measured the budget, and (the equal-compute rivals) the surfing stage whose steps they spent. */
  regular?: RunSummary;
  surf?: RunSummary;
  restarts?: number;
  successRate: number | null;
  summary: RunSummary;
  results: TrialResult[];
}

const DEFAULT_TRIALS = 10, DEFAULT_MAX_STEPS = 10000, DEFAULT_BATCH = 300, DEFAULT_RESTARTS = 4;

/**
 * Invert a generator.
 *
 * @example
 * import { invert, randomNetwork } from "surfing";
 * import { CheckpointSequence } from "surfing/node";
 * // a checkpoint directory θ_0 … θ_T, each file with its training step (`surf train` writes these)
 * [0, 40, 80].forEach((step, t) => CheckpointSequence.write("runs/demo", randomNetwork("surf", [2, 8, 5], `θ${t}`), step));
 * const result = await invert({ net: "runs/demo", trials: 4 });   // surfing under the NeurIPS schedule
 * result.successRate;   // the share of trials with ‖x̂ − x*‖ < 0.01
 * result.results.length;   // → 4
 * const regular = await invert({ net: "runs/demo/000000080.safetensors", method: "adam", trials: 4, measure: { kind: "gaussian", m: 4 } });
 * regular.method;   // → "adam"
 */
export async function invert(o: InvertOptions): Promise<InvertResult> {
  const method = o.method ?? "surf", seed = o.seed ?? "0";
  if (!INVERT_METHODS.includes(method)) throw new InputError(`method must be ${INVERT_METHODS.slice(0, -1).join(", ")} or ${INVERT_METHODS.at(-1)}, got "${method}"`);
  const source: SequenceSource = typeof o.net !== "string" ? { kind: "bytes", files: [...o.net] }
    : o.interpolate === undefined ? { kind: "path", path: o.net } : { kind: "interpolate", path: o.net, networks: o.interpolate + 1, seed };
  const targets = targetsOf(o);
  const given = targets.kind === "latent" ? targets.xStar.length : targets.kind === "signal" ? targets.y.length : 0;
  const trials = o.trials ?? (given > 1 ? given : DEFAULT_TRIALS);
  if (!(Number.isSafeInteger(trials) && trials >= 1)) throw new InputError(`trials must be a positive integer, got ${trials}`);
  const workers = o.workers ?? defaultWorkers();
  if (o.until !== undefined && !(o.until >= 0 && Number.isFinite(o.until))) throw new InputError(`until must be a finite number ≥ 0, got ${o.until}`);
  const optimizer = o.optimizer ?? "adam";
  const options: RunOptions = {
    seed, targets, measurement: o.measure ?? { kind: "identity" }, noise: o.noise ?? 0,
    optimizer: { kind: method === "gd" || method === "armijo" ? method : method === "adam" ? "adam" : optimizer, lr: o.lr },
    maxSteps: o.maxSteps ?? DEFAULT_MAX_STEPS, start: o.start ?? "uniform", batch: o.batch ?? DEFAULT_BATCH, signFlip: o.signFlip === true,
    signal: o.signal,
  };
  const runStage = o.runStage ?? ((_name, src, m, n, opts, w) => runParallel(src, m, Array.from({ length: n }, (_, i) => i), opts, w));
  const stage = (label: string, name: string, m: Method, opts: RunOptions = options) =>
    runStage(name, source, m, trials, { ...opts, onProgress: (f) => o.onProgress?.(label, f) }, workers);
  const out: Omit<InvertResult, "successRate" | "summary" | "results"> = { method, seed, workers };
  let results: TrialResult[];
  if (method === "surf" || EQUAL_COMPUTE.includes(method)) {
    let schedule: Schedule = { kind: "converge" };
    if ((o.schedule ?? "neurips") === "neurips") {
      let total: number, capped: number | null = null;
      if (o.budget !== undefined) {
        if (!(Number.isSafeInteger(o.budget) && o.budget >= 0)) throw new InputError(`budget must be an integer ≥ 0, got ${o.budget}`);
        total = o.budget;
      } else {
        // the paper's rule: the 75th percentile of regular Adam's steps to convergence on θ_T
        const regular = await stage("regular adam (for the budget)", "regular-adam", { kind: "regular" }, { ...options, optimizer: { ...options.optimizer, kind: "adam" } });
        ({ total, capped } = neuripsTotal(regular));
        out.regular = summarize(regular);
      }
      schedule = { kind: "neurips", total };
      out.budget = { total, capped, maxSteps: options.maxSteps };
    }
    out.schedule = schedule.kind;
    results = await stage("surfing", "surf", stageMethod("surf", { schedule }));
    if (method !== "surf") {
      out.surf = summarize(results);
      let rival: Stage = method === "restart-until" || method === "adam-then-surf" ? method : "restarts-1";
      if (method === "restarts") {
        const restarts = o.restarts ?? DEFAULT_RESTARTS;
        if (!(Number.isSafeInteger(restarts) && restarts >= 1)) throw new InputError(`restarts must be a positive integer, got ${restarts}`);
        rival = `restarts-${restarts}`;
        out.restarts = restarts;
      }
      const label = method === "restarts" ? `best of ${out.restarts} restarts` : method === "restart-until" ? "restarts until found" : "adam, then surfing where it failed";
      results = await stage(label, rival, stageMethod(rival, { schedule, surf: results, until: o.until }));
    }
  } else {
    results = await stage(`regular ${options.optimizer.kind}`, "regular", { kind: "regular" });
  }
  const summary = summarize(results);
  return { ...out, successRate: summary.successRate, summary, results };
}

function targetsOf(o: InvertOptions): Targets {
  if (o.xStar !== undefined && o.target !== undefined) throw new InputError("give xStar or target, not both");
  const rows = (v: number[] | number[][]): number[][] => (v.length > 0 && Array.isArray(v[0]) ? (v as number[][]) : [v as number[]]);
  if (o.xStar !== undefined) return { kind: "latent", xStar: rows(o.xStar) };
  if (o.target !== undefined) return { kind: "signal", y: rows(o.target) };
  return { kind: "synthetic" };
}
