/**
 * One cell of a sweep (a model and k, or a model and m): its stages on the same trials, each trial's result
 * appended to the store as soon as its chunk finishes, stages and trials already stored skipped — so a killed
 * sweep resumes where it stopped. The stages, in order:
 *   regular      Adam on θ_T from x_init (its 75th-percentile step count is surfing's NeurIPS budget)
 *   surf         Algorithm 3.1 under the NeurIPS schedule
 *   restarts-R   best of R Adam runs on θ_T sharing each trial's surfing step count (equal compute)
 */
import { InputError } from "../errors.js";
import { runParallel } from "../surf/pool.js";
import { neuripsTotal } from "../surf/schedule.js";
import type { SequenceSource } from "../surf/sequence.js";
import type { MeasurementChoice, Method, RunOptions, Targets, TrialResult } from "../surf/surf.js";
import type { ResultStore } from "../store.js";

export type Stage = "regular" | "surf" | `restarts-${number}`;

export interface Cell {
  /** Unique within the sweep, e.g. "table1/gan/k20". */
  id: string;
  source: SequenceSource;
  measurement: MeasurementChoice;
  targets: Targets;
  stages: Stage[];
}

export interface CellSettings {
  trials: number;
  seed: string;
  workers: number;
  batch: number;
  maxSteps: number;
  /** Trials per append: smaller loses less to a kill, larger keeps the batches full. */
  chunk: number;
}

export interface StoredTrial {
  key: string;
  cell: string;
  stage: string;
  trial: number;
  /** budgetOf the method it ran under (absent where the method has none). */
  budget?: number;
  result: TrialResult;
}

export function trialKey(cell: string, stage: string, trial: number): string {
  return `${cell}/${stage}/${trial}`;
}

/** The stored results of a cell's stage, in trial order (only those present). */
export function stageResults(store: ResultStore, cell: string, stage: string, trials: number): TrialResult[] {
  const out: TrialResult[] = [];
  for (let i = 0; i < trials; i++) {
    const r = store.get(trialKey(cell, stage, i)) as StoredTrial | undefined;
    if (r) out.push(r.result);
  }
  return out;
}

/** Run a cell's stages in order; onProgress gets the stage running and the fraction of the whole cell done. */
export async function runCell(cell: Cell, store: ResultStore, s: CellSettings, onProgress: (stage: Stage, fraction: number) => void): Promise<void> {
  const options: RunOptions = {
    seed: `${s.seed}/${cell.id}`, targets: cell.targets, measurement: cell.measurement, optimizer: { kind: "adam" },
    maxSteps: s.maxSteps, start: "uniform", batch: s.batch,
  };
  for (const [i, stage] of cell.stages.entries()) {
    await runStored(store, cell.id, stage, cell.source, methodOf(cell, stage, store, s), s.trials, { ...options, onProgress: (f) => onProgress(stage, (i + f) / cell.stages.length) }, s);
  }
}

/**
 * `method` on trials 0 … trials − 1 of a cell's stage, `chunk` at a time: each chunk's results are appended
 * to the store as soon as it finishes, and trials already stored with the same budget are skipped (a
 * stored one run under another budget is run again, its new record read in place of the old). All of
 * them, in trial order.
 */
export async function runStored(store: ResultStore, cell: string, stage: string, source: SequenceSource, method: Method, trials: number,
                                options: RunOptions, s: { workers: number; chunk: number }): Promise<TrialResult[]> {
  const stored = (i: number) => {
    const r = store.get(trialKey(cell, stage, i)) as StoredTrial | undefined;
    return r !== undefined && r.budget === budgetOf(method, i);
  };
  const pending = Array.from({ length: trials }, (_, i) => i).filter((i) => !stored(i));
  let done = trials - pending.length;
  for (let first = 0; first < pending.length; first += s.chunk) {
    const indices = pending.slice(first, first + s.chunk);
    const results = await runParallel(source, method, indices, {
      ...options, onProgress: (f) => options.onProgress?.((done + f * indices.length) / trials),
    }, s.workers);
    store.append(results.map((result) => ({ key: trialKey(cell, stage, result.index), cell, stage, trial: result.index, budget: budgetOf(method, result.index), result })));
    done += indices.length;
    options.onProgress?.(done / trials);
  }
  return stageResults(store, cell, stage, trials);
}

/**
 * What a trial's method takes from other trials, and so can change under it: surfing's budget is regular
 * Adam's 75th percentile over the cell's trials (it moves when a run is extended to more trials), a
 * restart's the steps surfing used on the same trial. Undefined for methods that depend on the trial alone.
 * A record written before budgets were stored has none, so its trial is run again.
 */
function budgetOf(method: Method, trial: number): number | undefined {
  if (method.kind === "surf" && method.schedule.kind === "neurips") return method.schedule.total;
  return method.kind === "restarts" ? method.budgets[trial] : undefined;
}

/** What a stage runs, from the stages before it (all of whose trials must be stored). */
function methodOf(cell: Cell, stage: Stage, store: ResultStore, s: CellSettings): Method {
  if (stage === "regular") return { kind: "regular" };
  const need = (before: Stage) => {
    const results = stageResults(store, cell.id, before, s.trials);
    if (results.length < s.trials) throw new InputError(`${cell.id}: stage ${stage} needs all ${s.trials} trials of ${before} (${results.length} stored)`);
    return results;
  };
  if (stage === "surf") return { kind: "surf", schedule: { kind: "neurips", total: neuripsTotal(need("regular")).total } };
  const R = Number(stage.slice("restarts-".length));
  return { kind: "restarts", restarts: R, budgets: Object.fromEntries(need("surf").map((r) => [r.index, r.steps])) };
}
