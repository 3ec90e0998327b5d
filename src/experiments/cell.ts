/**
 * One cell of a sweep (a model and k, or a model and m): its stages on the same trials, each trial's result
 * appended to the store as soon as its chunk finishes, stages and trials already stored skipped — so a killed
 * sweep resumes where it stopped. The stages, in order:
 *   regular      Adam on θ_T from x_init (its 75th-percentile step count is surfing's NeurIPS budget)
 *   surf         Algorithm 3.1 under the NeurIPS schedule
 *   restarts-R   best of R Adam runs on θ_T sharing each trial's surfing step count (equal compute)
 *   restart-until, adam-then-surf   the practitioner's rivals at each trial's surfing step count (src/surf/surf.ts)
 */
import { InputError } from "../errors.js";
import { runParallel } from "../surf/pool.js";
import type { SequenceSource } from "../surf/sequence.js";
import { neuripsSchedule, stageInput, stageMethod, type Stage } from "../surf/stages.js";
import type { MeasurementChoice, Method, RunOptions, Targets, TrialResult } from "../surf/surf.js";
import type { ResultStore, StoredRecord } from "../store.js";

export { ABLATIONS, atEqualCompute, RIVALS, type Ablation, type Rival, type Stage } from "../surf/stages.js";

export interface Cell {
  /** Unique within the sweep, e.g. "table1/gan/k20". */
  id: string;
  source: SequenceSource;
  measurement: MeasurementChoice;
  /** σ of the Gaussian noise on each observation (absent: none). */
  noise?: number;
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

export interface StoredTrial extends StoredRecord {
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

/**
 * The stored results of a cell's stage that are current, in trial order: run under the budget the stage has
 * now (see budgetOf), so a record left by a run with fewer trials, or copied stale from another shard, is
 * not read as this run's. None while a stage it depends on is incomplete.
 */
export function stageResults(store: ResultStore, cell: string, stage: Stage, trials: number): TrialResult[] {
  const method = methodOf(cell, stage, store, trials);
  return method === undefined ? [] : currentResults(store, cell, stage, method, trials);
}

function currentResults(store: ResultStore, cell: string, stage: string, method: Method, trials: number): TrialResult[] {
  const out: TrialResult[] = [];
  for (let i = 0; i < trials; i++) {
    const r = current(store, cell, stage, method, i);
    if (r) out.push(r.result);
  }
  return out;
}

/**
 * Trial i's record in `store` if it ran under `method`'s budget for it and is a whole trial result: a record
 * damaged or written by hand (a null or non-object result, another trial's index, an x̂ of another length
 * than its x_init and x*, non-finite coordinates) is not trusted — its trial is run again.
 */
function current(store: ResultStore, cell: string, stage: string, method: Method, i: number): StoredTrial | undefined {
  const r = store.get(trialKey(cell, stage, i)) as StoredTrial | undefined;
  return r !== undefined && r.budget === budgetOf(method, i) && isTrialResult(r.result, i) ? r : undefined;
}

/** Whether a stored value is trial i's result, whole and consistent (see current). */
export function isTrialResult(x: unknown, i: number): x is TrialResult {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Partial<Record<keyof TrialResult, unknown>>;
  const coordinates = (v: unknown): v is number[] => Array.isArray(v) && v.every((c) => typeof c === "number" && Number.isFinite(c));
  if (r.index !== i || !coordinates(r.xHat) || r.xHat.length === 0 || !coordinates(r.xInit)) return false;
  const k = r.xHat.length;
  if (r.xInit.length !== 0 && r.xInit.length !== k) return false;
  if (r.xStar !== null && !(coordinates(r.xStar) && r.xStar.length === k)) return false;
  return Number.isSafeInteger(r.steps) && (r.steps as number) >= 0 && (r.success === null || typeof r.success === "boolean")
    && typeof r.converged === "boolean" && typeof r.diverged === "boolean" && Array.isArray(r.path);
}

/** Run a cell's stages in order; onProgress gets the stage running and the fraction of the whole cell done. */
export async function runCell(cell: Cell, store: ResultStore, s: CellSettings, onProgress: (stage: Stage, fraction: number) => void): Promise<void> {
  const options: RunOptions = {
    seed: `${s.seed}/${cell.id}`, targets: cell.targets, measurement: cell.measurement, ...(cell.noise ? { noise: cell.noise } : {}), optimizer: { kind: "adam" },
    maxSteps: s.maxSteps, start: "uniform", batch: s.batch,
  };
  for (const [i, stage] of cell.stages.entries()) {
    const method = methodOf(cell.id, stage, store, s.trials);
    if (method === undefined) throw new InputError(`${cell.id}: stage ${stage} needs every trial of the stage before it stored`);
    await runStored(store, cell.id, stage, cell.source, method, s.trials, { ...options, onProgress: (f) => onProgress(stage, (i + f) / cell.stages.length) }, s);
  }
}

/**
 * Join shards' stores into `into`, stage by stage: each trial takes the first record that is current given
 * the stages already joined, so a shard seeded with a stale copy of another shard's cell (an extended run's
 * old surfing trials, say) cannot hide that shard's new ones, whatever the order of the shards.
 */
export function mergeCell(cell: Cell, parts: readonly ResultStore[], into: ResultStore, trials: number): void {
  for (const stage of cell.stages) {
    const method = methodOf(cell.id, stage, into, trials);
    if (method === undefined) return;   // an earlier stage is incomplete: no record of this one can be current
    const picked: StoredTrial[] = [];
    for (let i = 0; i < trials; i++) {
      if (current(into, cell.id, stage, method, i)) continue;
      const found = parts.map((p) => current(p, cell.id, stage, method, i)).find((r) => r !== undefined);
      if (found) picked.push(found);
    }
    into.append(picked);
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
  const pending = Array.from({ length: trials }, (_, i) => i).filter((i) => !current(store, cell, stage, method, i));
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
  return currentResults(store, cell, stage, method, trials);
}

/**
 * What a trial's method takes from other trials, and so can change under it: surfing's budget is regular
 * Adam's 75th percentile over the cell's trials (it moves when a run is extended to more trials), a
 * restart's the steps surfing used on the same trial. Undefined for methods that depend on the trial alone.
 * A record written before budgets were stored has none, so its trial is run again.
 */
function budgetOf(method: Method, trial: number): number | undefined {
  if (method.kind === "surf" && method.schedule.kind === "neurips") return method.schedule.total;
  return method.kind === "restarts" || method.kind === "restart-until" || method.kind === "adam-then-surf" ? method.budgets[trial] : undefined;
}

/** What a stage runs, from the stage before it; undefined until every trial of that one is stored. */
function methodOf(cell: string, stage: Stage, store: ResultStore, trials: number): Method | undefined {
  const input = stageInput(stage);
  if (input === undefined) return stageMethod(stage, {});
  const regular = stageResults(store, cell, "regular", trials);
  if (regular.length < trials) return undefined;
  const schedule = neuripsSchedule(regular);
  if (input === "regular") return stageMethod(stage, { schedule });
  const surf = stageResults(store, cell, "surf", trials);
  return surf.length < trials ? undefined : stageMethod(stage, { schedule, surf });
}
