/**
 * Spreading a run's trials over worker threads: Node's worker_threads (Deno provides the same module), or
 * Web Workers in a browser (module workers; the networks travel as bytes there, source kind "bytes").
 * Each worker takes a contiguous slice of the trial indices and runs it exactly as one process would, so the
 * results do not depend on the number of workers: a trial's randomness is its own (surf.ts).
 */
import { InputError } from "../errors.js";
import { hasNodeModules } from "../kernels/env.js";
import { solveExact } from "./exact.js";
import { openSequence, type SequenceSource } from "./sequence.js";
import { run, type Method, type RunOptions, type TrialResult } from "./surf.js";

export interface Job {
  source: SequenceSource;
  method: Method;
  indices: number[];
  options: Omit<RunOptions, "onProgress">;
}

// Loaded only where they exist, so that the pool also loads in a browser.
const os = hasNodeModules() ? await import("node:os") : undefined;
const threads = hasNodeModules() ? await import("node:worker_threads") : undefined;

/**
 * Most worker threads a run may start: each holds its own WebAssembly heap and networks, so thousands (a
 * mistyped worker count) would exhaust memory before the first trial.
 */
export const MAX_WORKERS = 256;

/**
 * Worker threads by default: the machine's available parallelism (in a browser, its hardwareConcurrency).
 *
 * @example
 * import { defaultWorkers } from "surfing";
 * defaultWorkers() >= 1;   // → true
 */
export function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, os ? os.availableParallelism() : Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
}

/** A worker count, checked: a positive integer up to MAX_WORKERS (`flag` names it in the refusal). */
export function checkWorkers(workers: number, flag = "`workers`"): number {
  if (!(Number.isSafeInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) throw new InputError(`${flag} must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  return workers;
}

/** What the pool needs of a worker, in either runtime. */
interface PoolWorker {
  listen(onMessage: (msg: WorkerMessage) => void, onError: (e: Error) => void): void;
  terminate(): void;
}

export type WorkerMessage =
  | { kind: "progress"; fraction: number }
  | { kind: "done"; results: TrialResult[] }
  | { kind: "error"; name: string; message: string };

function spawn(job: Job): PoolWorker {
  const url = new URL("./worker.js", import.meta.url);
  if (threads) {
    const worker = new threads.Worker(url, { workerData: job });
    return {
      listen: (onMessage, onError) => worker.on("message", onMessage).on("error", onError),
      terminate: () => void worker.terminate(),
    };
  }
  // A module worker may run its event loop while its imports load, so a message posted before its handler
  // exists is lost: the worker says "ready" once it listens, and gets its job then.
  const worker = new Worker(url, { type: "module" });
  return {
    listen: (onMessage, onError) => {
      worker.onmessage = (e: MessageEvent<WorkerMessage | { kind: "ready" }>) => (e.data.kind === "ready" ? worker.postMessage(job) : onMessage(e.data));
      worker.onerror = (e: ErrorEvent) => onError(new Error(`surf worker: ${e.message}`));
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * Run `method` on `indices` with `workers` threads (1: in this thread); results in the order of `indices`.
 *
 * @example
 * import { runParallel, networkToSafetensors, randomNetwork } from "surfing";
 * const files = [networkToSafetensors(randomNetwork("surf", [2, 8, 5], "example"))];
 * const options = {
 *   seed: "0", targets: { kind: "synthetic" }, measurement: { kind: "identity" }, optimizer: { kind: "adam" },
 *   maxSteps: 1000, start: "uniform", batch: 4,
 * };
 * // two worker threads, two trials each: the same results as one thread
 * const results = await runParallel({ kind: "bytes", files }, { kind: "regular" }, [0, 1, 2, 3], options, 2);
 * results.map((r) => r.index);   // → [0, 1, 2, 3]
 */
export async function runParallel(source: SequenceSource, method: Method, indices: readonly number[], options: RunOptions, workers: number): Promise<TrialResult[]> {
  checkWorkers(workers);
  const { onProgress, signal, ...plain } = options;
  signal?.throwIfAborted();
  const count = Math.min(workers, indices.length);
  if (count <= 1) return run(openSequence(source), method, [...indices], options, solveExact);
  if (options.onPoint) throw new InputError("onPoint: a callback cannot reach worker threads (run with one worker)");
  const slices = Array.from({ length: count }, (_, w) => indices.slice(Math.floor((w * indices.length) / count), Math.floor(((w + 1) * indices.length) / count)));
  const fractions = new Array<number>(count).fill(0);
  const running: PoolWorker[] = [];
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      for (const w of running) w.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});   // observed by the race below when it happens
  const all = Promise.all(slices.map((slice, w) => new Promise<TrialResult[]>((resolve, reject) => {
    const worker = spawn({ source, method, indices: slice, options: plain });
    running.push(worker);
    worker.listen((msg) => {
      if (msg.kind === "progress") {
        fractions[w] = msg.fraction;
        onProgress?.(fractions.reduce((a, f, i) => a + f * slices[i].length, 0) / indices.length);
      } else if (msg.kind === "done") {
        resolve(msg.results);
        worker.terminate();
      } else {
        reject(msg.name === "InputError" ? new InputError(msg.message) : new Error(msg.message));
        worker.terminate();
      }
    }, reject);
  })));
  all.catch(() => {});   // after an abort the terminated workers may still report an error: nobody awaits it
  try {
    return (await Promise.race([all, aborted])).flat();
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
