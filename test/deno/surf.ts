// Deno 2 check of surfing's worker pool (`npm run test:deno`): the same trials surfed on two worker threads
// (Deno's node:worker_threads) and in one thread give identical results. Throws (non-zero exit) otherwise.
import { runParallel } from "../../src/surf/pool.js";
import { invert } from "../../src/surf/invert.js";
import { run, type RunOptions } from "../../src/surf/surf.js";
import { openSequence } from "../../src/surf/sequence.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { networkToSafetensors } from "../../src/nn/checkpoint.js";

const files = [0, 1, 2].map((t) => networkToSafetensors(randomNetwork("surf", [2, 20, 40], `deno-${t}`), 40 * t));
const options: RunOptions = {
  seed: "deno", targets: { kind: "synthetic" }, measurement: { kind: "identity" }, optimizer: { kind: "adam" },
  maxSteps: 500, start: "uniform", batch: 8,
};
const method = { kind: "surf" as const, schedule: { kind: "converge" as const } };
const indices = [0, 1, 2, 3, 4];
const pooled = await runParallel({ kind: "bytes", files }, method, indices, options, 2);
const single = run(openSequence({ kind: "bytes", files }), method, indices, options);
if (JSON.stringify(pooled) !== JSON.stringify(single)) throw new Error("deno surf: two workers and one thread disagree");
console.log(`deno surf: ok — ${indices.length} trials surfed over ${files.length} networks on 2 worker threads, identical to one thread`);

// The one call: invert() from bytes on two workers is the same surfing, and an AbortSignal cancels it.
const inverted = await invert({ net: files, trials: 5, seed: "deno", workers: 2, schedule: "converge", maxSteps: 500, batch: 8 });
if (JSON.stringify(inverted.results) !== JSON.stringify(single)) throw new Error("deno invert: invert() disagrees with run()");
const stopped = await invert({ net: files, trials: 5, seed: "deno", signal: AbortSignal.abort(new Error("stopped")) }).then(() => "ran", (e: Error) => e.message);
if (stopped !== "stopped") throw new Error(`deno invert: an aborted signal did not cancel it (${stopped})`);
console.log("deno invert: ok — invert() equals run(), and an aborted signal cancels it");
