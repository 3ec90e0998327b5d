/** A worker of the pool (pool.ts): runs its slice of the trials and posts progress and the results. */
import { parentPort, workerData } from "node:worker_threads";
import { openSequence } from "./sequence.js";
import { run } from "./surf.js";
import type { Job } from "./pool.js";

const job = workerData as Job;
try {
  let last = 0;
  const results = run(openSequence(job.source), job.method, job.indices, {
    ...job.options,
    onProgress: (fraction) => {
      const now = performance.now();
      if (now - last > 200) {
        last = now;
        parentPort!.postMessage({ kind: "progress", fraction });
      }
    },
  });
  parentPort!.postMessage({ kind: "done", results });
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ kind: "error", name: err.name, message: err.message, stack: err.stack });
}
