/**
 * A worker of the pool (pool.ts): runs its slice of the trials and posts progress and the results. The job
 * comes as workerData under worker_threads (Node, Deno), or in a browser's Web Worker as the answer to "ready".
 */
import { hasNodeModules } from "../kernels/env.js";
import { solveExact } from "./exact.js";
import { openSequence } from "./sequence.js";
import { run } from "./surf.js";
import type { Job, WorkerMessage } from "./pool.js";

interface WebWorkerScope {
  postMessage(msg: WorkerMessage | { kind: "ready" }): void;
  onmessage: ((e: { data: Job }) => void) | null;
}

const threads = hasNodeModules() ? await import("node:worker_threads") : undefined;
const scope = globalThis as unknown as WebWorkerScope;
const post = (msg: WorkerMessage) => (threads ? threads.parentPort!.postMessage(msg) : scope.postMessage(msg));
const job = threads ? (threads.workerData as Job) : await new Promise<Job>((resolve) => {
  scope.onmessage = (e) => resolve(e.data);
  scope.postMessage({ kind: "ready" });   // the pool sends the job on this (pool.ts)
});
try {
  let last = 0;
  const results = run(openSequence(job.source), job.method, job.indices, {
    ...job.options,
    onProgress: (fraction) => {
      const now = performance.now();
      if (now - last > 200) {
        last = now;
        post({ kind: "progress", fraction });
      }
    },
  }, solveExact);
  post({ kind: "done", results });
} catch (e) {
  const err = e as Error;
  post({ kind: "error", name: err.name, message: err.message });
}
