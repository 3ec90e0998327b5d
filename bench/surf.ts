// Batched surfing's speed: steps per second of its inner step — forward, ½‖G(X) − Y‖² per row,
// backward to X, Adam on X — on the k = 20 → 256 → 512 → 784 MLP (ReLU, ReLU, Sigmoid), B = 300 trials, with 1
// and 2 workers (each worker holds its share of the trials, as a run spreads them); the JavaScript peer,
// tfjs-wasm with a hand-written backward and pre-transposed weights (its autograd is 7× slower here); and a
// whole T = 100 surfing run of 300 trials. Anchors measured on this machine: PyTorch 1.13 CPU one
// thread 113 steps/s. `node dist/bench/surf.js` prints the table and writes bench/results/surf.json.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Network } from "../src/nn/network.js";
import { mlpGenerator } from "../src/nn/architectures.js";
import { networkToSafetensors } from "../src/nn/checkpoint.js";
import { Objective } from "../src/objective/objective.js";
import { Identity } from "../src/objective/measurement.js";
import { createOptimizer } from "../src/optim/optimizer.js";
import { Rng } from "../src/random/rng.js";
import { runParallel } from "../src/surf/pool.js";
import { machine, writeResults } from "./report.js";

const K_LATENT = 20, HIDDEN = [256, 512], N = 784, B = 300;
const STEPS = 40, ROUNDS = 5;
const PYTORCH_ONE_THREAD = 113;

/** Steps per second of our inner step on `rows` trials: best of ROUNDS rounds of STEPS steps. */
function ourStepsPerSecond(rows: number): number {
  const net = new Network(mlpGenerator(K_LATENT, HIDDEN), { seed: "bench-surf" });
  const rng = Rng.derive("bench-surf", rows);
  const objective = new Objective(net.program(rows), new Identity(net.kernels, "f32", N), Array.from({ length: rows }, () => Float64Array.from({ length: N }, () => rng.uniform())));
  objective.program.setInput(Float32Array.from({ length: rows * K_LATENT }, () => rng.uniformIn(-1, 1)));
  const adam = createOptimizer(objective, { kind: "adam" });
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      objective.evaluate(rows, true);
      adam.step(rows);
    }
    if (round > 0) best = Math.min(best, (performance.now() - t0) / STEPS);   // round 0 warms up
  }
  adam.free();
  objective.free();
  net.free();
  return 1000 / best;
}

/** The same step in tfjs-wasm, tuned: weights pre-transposed for the forward, a hand-written backward. */
async function tfjsStepsPerSecond(): Promise<number> {
  const require = createRequire(import.meta.url);
  setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
  setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const rng = Rng.derive("bench-surf", "tfjs");
  const widths = [K_LATENT, ...HIDDEN, N];
  const W = widths.slice(1).map((out, i) => tf.tensor2d(Float32Array.from({ length: out * widths[i] }, () => rng.normal() / Math.sqrt(widths[i])), [out, widths[i]]));
  const WT = W.map((w) => tf.transpose(w));
  const b = widths.slice(1).map((out) => tf.zeros([out]));
  const Y = tf.tensor2d(Float32Array.from({ length: B * N }, () => rng.uniform()), [B, N]);
  const X = tf.variable(tf.tensor2d(Float32Array.from({ length: B * K_LATENT }, () => rng.uniformIn(-1, 1)), [B, K_LATENT]));
  let m = tf.zeros([B, K_LATENT]), v = tf.zeros([B, K_LATENT]);
  let t = 0;
  const step = () => {
    t++;
    const [nx, nm, nv] = tf.tidy(() => {
      const h1 = tf.relu(tf.add(tf.matMul(X, WT[0]), b[0]));
      const h2 = tf.relu(tf.add(tf.matMul(h1, WT[1]), b[1]));
      const out = tf.sigmoid(tf.add(tf.matMul(h2, WT[2]), b[2]));
      const r = tf.sub(out, Y);
      void tf.sum(tf.square(r)).dataSync();   // f, as surfing reads it every step
      const g3 = tf.mul(r, tf.mul(out, tf.sub(1, out)));
      const g2 = tf.mul(tf.matMul(g3, W[2]), tf.step(h2));
      const g1 = tf.mul(tf.matMul(g2, W[1]), tf.step(h1));
      const gx = tf.matMul(g1, W[0]);
      const m1 = tf.add(tf.mul(m, 0.9), tf.mul(gx, 0.1)), v1 = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(gx), 0.001));
      const mh = tf.div(m1, 1 - 0.9 ** t), vh = tf.div(v1, 1 - 0.999 ** t);
      return [tf.sub(X, tf.mul(0.01, tf.div(mh, tf.add(tf.sqrt(vh), 1e-8)))), m1, v1];
    });
    X.assign(nx as tf.Tensor2D);
    nx.dispose();
    m.dispose();
    v.dispose();
    m = nm;
    v = nv;
  };
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) step();
    if (round > 0) best = Math.min(best, (performance.now() - t0) / STEPS);
  }
  for (const x of [X, m, v, Y, ...W, ...WT, ...b]) x.dispose();
  return 1000 / best;
}

/** Steps per second of the whole batch when `workers` threads each step their share of the B trials. */
async function workersStepsPerSecond(workers: number): Promise<number> {
  const shares = Array.from({ length: workers }, (_, w) => Math.floor(((w + 1) * B) / workers) - Math.floor((w * B) / workers));
  const rates = await Promise.all(shares.map((rows) => new Promise<number>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { rows } });
    worker.on("message", resolve);
    worker.on("error", reject);
  })));
  return Math.min(...rates);   // the batch's step is done when the slowest share is
}

/** A whole surfing run: T = 100 networks interpolating two random MLPs, 300 trials, a fixed NeurIPS budget. */
async function wholeRun(workers: number): Promise<{ seconds: number; steps: number }> {
  const a = new Network(mlpGenerator(K_LATENT, HIDDEN), { seed: "bench-surf-0" }), z = new Network(mlpGenerator(K_LATENT, HIDDEN), { seed: "bench-surf-T" });
  const files = Array.from({ length: 101 }, (_, t) => {
    const s = t / 100, net = a.clone();
    net.params.forEach((p, i) => p.values.set(p.values.map((x, j) => (1 - s) * x + s * z.params[i].values[j])));
    net.touch();
    const bytes = networkToSafetensors(net, 40 * t);
    net.free();
    return bytes;
  });
  const t0 = performance.now();
  const results = await runParallel({ kind: "bytes", files }, { kind: "surf", schedule: { kind: "neurips", total: 1000 } }, Array.from({ length: B }, (_, i) => i),
    { seed: "bench", targets: { kind: "synthetic" }, measurement: { kind: "identity" }, optimizer: { kind: "adam" }, maxSteps: 3000, start: "uniform", batch: B }, workers);
  return { seconds: (performance.now() - t0) / 1000, steps: results.reduce((s, r) => s + r.steps, 0) };
}

if (!isMainThread) {
  parentPort!.postMessage(ourStepsPerSecond((workerData as { rows: number }).rows));
} else {
  const rows: { case: string; value: number; unit: string }[] = [];
  const one = ourStepsPerSecond(B);
  rows.push({ case: "surf inner step, B = 300, 1 worker", value: one, unit: "steps/s" });
  const two = await workersStepsPerSecond(2);
  rows.push({ case: "surf inner step, B = 300, 2 workers", value: two, unit: "steps/s" });
  const peer = await tfjsStepsPerSecond();
  rows.push({ case: "tfjs-wasm tuned (hand backward), B = 300", value: peer, unit: "steps/s" });
  rows.push({ case: "1 worker / tfjs tuned", value: one / peer, unit: "×" });
  rows.push({ case: "1 worker / PyTorch one thread (113)", value: one / PYTORCH_ONE_THREAD, unit: "×" });
  rows.push({ case: "2 workers / 1 worker", value: two / one, unit: "×" });
  for (const w of [1, 2]) {
    const r = await wholeRun(w);
    rows.push({ case: `whole run T = 100, 300 trials, ${w} worker${w > 1 ? "s" : ""}`, value: r.seconds, unit: "s" });
    rows.push({ case: `  its gradient steps (all trials)`, value: r.steps, unit: "steps" });
  }
  console.log(`surfing's inner step on mlp 20-256-512-784 — ${machine()}`);
  const width = Math.max(...rows.map((r) => r.case.length));
  for (const r of rows) console.log(`${r.case.padEnd(width)}  ${r.value.toFixed(r.unit === "steps" ? 0 : 2).padStart(10)} ${r.unit}`);
  console.log(`wrote ${writeResults("surf", rows)}`);
}
