/**
 * Spreading a run's trials over worker threads (Node's worker_threads; Deno provides the same module).
 * Each worker takes a contiguous slice of the trial indices and runs it exactly as one process would, so the
 * results do not depend on the number of workers: a trial's randomness is its own (surf.ts).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { InputError } from "../errors.js";
import { openSequence, type SequenceSource } from "./sequence.js";
import { run, type Method, type RunOptions, type TrialResult } from "./surf.js";

export interface Job {
  source: SequenceSource;
  method: Method;
  indices: number[];
  options: Omit<RunOptions, "onProgress">;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Run `method` on `indices` with `workers` threads (1: in this thread); results in the order of `indices`. */
export async function runParallel(source: SequenceSource, method: Method, indices: readonly number[], options: RunOptions, workers: number): Promise<TrialResult[]> {
  if (!(Number.isSafeInteger(workers) && workers >= 1)) throw new InputError(`--workers must be a positive integer, got ${workers}`);
  const { onProgress, ...plain } = options;
  const count = Math.min(workers, indices.length);
  if (count <= 1) return run(openSequence(source), method, [...indices], options);
  if (options.onPoint) throw new InputError("onPoint: a callback cannot reach worker threads (run with one worker)");
  const slices = Array.from({ length: count }, (_, w) => indices.slice(Math.floor((w * indices.length) / count), Math.floor(((w + 1) * indices.length) / count)));
  const fractions = new Array<number>(count).fill(0);
  const parts = await Promise.all(slices.map((slice, w) => new Promise<TrialResult[]>((resolve, reject) => {
    const job: Job = { source, method, indices: slice, options: plain };
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: job });
    worker.on("message", (msg: { kind: string; fraction?: number; results?: TrialResult[]; name?: string; message?: string }) => {
      if (msg.kind === "progress") {
        fractions[w] = msg.fraction!;
        onProgress?.(fractions.reduce((a, f, i) => a + f * slices[i].length, 0) / indices.length);
      } else if (msg.kind === "done") {
        resolve(msg.results!);
        void worker.terminate();
      } else {
        const err = msg.name === "InputError" ? new InputError(msg.message!) : new Error(msg.message);
        reject(err);
        void worker.terminate();
      }
    });
    worker.on("error", reject);
  })));
  return parts.flat();
}
