// GFLOP/s of float32 gemm C = op(A)·op(B) at the shapes of the papers' networks (M×K×N), for our WASM kernel (all four
// transpose combinations, and with B prepacked once as a weight matrix is), the TS twin, ml-matrix's
// mmul and tfjs-wasm (XNNPACK, one thread, weights resident — XNNPACK caches its packed weights —,
// dataSync() to finish). Then one surfing step: its four products (the 20-256-512-784 MLP at B = 300,
// forward L2 and L3, backward L3 and L2), prepacked, with op(A) dense and with a share of exact zeros (post-ReLU
// activations are about half zeros): the sparse path skips them, and GFLOP/s counts the dense 2·M·N·K flops.
// β = 1 (onto C) never takes the sparse path: at half zeros it times the dense path on the same operands.
// `npm run bench` prints the tables and writes bench/results/gemm.json.
import { Bench } from "tinybench";
import { Matrix } from "ml-matrix";
import * as tf from "@tensorflow/tfjs-core";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { createKernels } from "../src/kernels/index.js";
import { Rng } from "../src/random/rng.js";
import { bestLatencies, machine, table, writeResults } from "./report.js";

const SHAPES: [number, number, number][] = [[1, 784, 512], [64, 512, 784], [128, 20, 1024], [20, 1024, 20], [256, 256, 256], [512, 512, 512]];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const STEP_SHAPES: [number, number, number][] = [[300, 256, 512], [300, 512, 784], [300, 784, 512], [300, 512, 256]];
// Whether the step's op(A) is post-ReLU (h1, h2, and δ2 masked by ReLU): all but backward L3's δ3.
const RELU_A = [true, true, false, true];
// Shares of op(A)'s entries that are nonzero: dense, the sparse path's limit (40 % zeros), ReLU's typical half, sparser.
const DENSITIES = [1, 0.6, 0.5, 0.3];

interface Row {
  impl: string;
  shape: string;
  gflops: number;
  ms: number;
}

const wasm = await createKernels("wasm");
const js = await createKernels("js");
const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
setThreadsCount(1);
await tf.setBackend("wasm");
await tf.ready();

const rng = Rng.derive("bench-gemm");
// Eight rounds over all tasks, each task's GFLOP/s taken from its best round's median: this VM's noise
// (phases of seconds at 60 % speed, measured) only ever slows a task down; rounds interleave the tasks.
const ROUNDS = 8;
const bench = new Bench({ time: 100, warmupTime: 30, iterations: 3 });
const flops = new Map<string, number>();

for (const [M, K, N] of SHAPES) {
  const shape = `${M}x${K}x${N}`;
  const A = new Float32Array(M * K), B = new Float32Array(K * N);
  rng.fillUniform(A, -1, 1);
  rng.fillUniform(B, -1, 1);
  const add = (impl: string, fn: () => void) => {
    bench.add(`${impl}|${shape}`, fn);
    flops.set(`${impl}|${shape}`, 2 * M * N * K);
  };

  // Ours: operands resident in the heap; a transposed operand is stored transposed (same values).
  for (const K_ of [wasm, js]) {
    for (const [tA, tB] of K_ === js ? TRANSPOSES.slice(0, 1) : TRANSPOSES) {
      const a = K_.heap.alloc(M * K * 4), b = K_.heap.alloc(K * N * 4), c = K_.heap.alloc(M * N * 4);
      K_.heap.f32.set(tA ? transpose(A, M, K) : A, a / 4);
      K_.heap.f32.set(tB ? transpose(B, K, N) : B, b / 4);
      const name = K_ === js ? "ts-twin" : `wasm ${tA ? "T" : "N"}${tB ? "T" : "N"}`;
      add(name, () => K_.gemm("f32", tA, tB, M, N, K, 1, a, tA ? M : K, b, tB ? K : N, 0, c, N));
      if (K_ === wasm && !tA) {
        const packed = wasm.packB("f32", tB, K, N, b, tB ? K : N);
        add(`wasm ${tB ? "NT" : "NN"} prepacked`, () => wasm.gemmPacked("f32", false, M, N, K, 1, a, K, packed, 0, c, N));
      }
    }
  }

  const ma = new Matrix(M, K), mb = new Matrix(K, N);
  for (let i = 0; i < M; i++) for (let p = 0; p < K; p++) ma.set(i, p, A[i * K + p]);
  for (let p = 0; p < K; p++) for (let j = 0; j < N; j++) mb.set(p, j, B[p * N + j]);
  add("ml-matrix", () => void ma.mmul(mb));

  const ta = tf.tensor2d(A, [M, K]), tb = tf.tensor2d(B, [K, N]), tbT = tf.tensor2d(transpose(B, K, N), [N, K]);
  add("tfjs-wasm NN", () => {
    const c = tf.matMul(ta, tb);
    c.dataSync();
    c.dispose();
  });
  add("tfjs-wasm NT", () => {
    const c = tf.matMul(ta, tbT, false, true);
    c.dataSync();
    c.dispose();
  });
}

for (const [M, K, N] of STEP_SHAPES) {
  const shape = `${M}x${K}x${N}`;
  const b = wasm.heap.alloc(K * N * 4), c = wasm.heap.alloc(M * N * 4);
  const B = new Float32Array(K * N);
  rng.fillUniform(B, -1, 1);
  wasm.heap.f32.set(B, b / 4);
  const packed = wasm.packB("f32", false, K, N, b, N);
  for (const density of DENSITIES) {
    // Exactly round((1 − density)·M·K) zeros at random places, so the rule sees the share named.
    const A = new Float32Array(M * K);
    rng.fillUniform(A, -1, 1);
    const order = Array.from(A.keys());
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const q of order.slice(0, Math.round((1 - density) * M * K))) A[q] = 0;
    const a = wasm.heap.alloc(M * K * 4);
    wasm.heap.f32.set(A, a / 4);
    for (const beta of density === 0.5 ? [0, 1] : [0]) {
      const name = `A ${density * 100} % nonzero${beta ? ", β = 1" : ""}|${shape}`;
      bench.add(name, () => wasm.gemmPacked("f32", false, M, N, K, 1, a, K, packed, beta, c, N));
      flops.set(name, 2 * M * N * K);
    }
  }
}

const best = await bestLatencies(bench, ROUNDS, "p50");   // milliseconds

const all: Row[] = bench.tasks.map((t) => {
  const [impl, shape] = t.name.split("|");
  const ms = best.get(t.name)!;
  return { impl, shape, gflops: flops.get(t.name)! / (ms * 1e6), ms };
});
const stepShapes = new Set(STEP_SHAPES.map(([M, K, N]) => `${M}x${K}x${N}`));
const rows = all.filter((r) => !stepShapes.has(r.shape)), step = all.filter((r) => stepShapes.has(r.shape));
console.log(`float32 gemm, GFLOP/s (best of ${ROUNDS} rounds of medians) — ${machine()}\n`);
console.log(table(rows, (r) => r.shape, (r) => r.impl, (r) => r.gflops.toFixed(2)));
console.log(`\none surfing step, wasm NN prepacked, op(A) with zeros: GFLOP/s of the dense flop count (ms)\n`);
console.log(table(step, (r) => r.shape, (r) => r.impl, (r) => `${r.gflops.toFixed(1)} (${r.ms.toFixed(2)})`));
const msAt = (i: number, d: number) => step.find((r) => r.impl === `A ${d * 100} % nonzero` && r.shape === STEP_SHAPES[i].join("x"))!.ms;
const dense = STEP_SHAPES.reduce((s, _, i) => s + msAt(i, 1), 0), relu = STEP_SHAPES.reduce((s, _, i) => s + msAt(i, RELU_A[i] ? 0.5 : 1), 0);
console.log(`the step's four products: ${dense.toFixed(2)} ms with op(A) dense, ${relu.toFixed(2)} ms with its ReLU operands half zeros\n`);
const at = (impl: string, s: string) => rows.find((r) => r.impl === impl && r.shape === s)!.gflops;
for (const ours of ["wasm NN", "wasm NN prepacked"]) {
  const ratios = SHAPES.map(([M, K, N]) => `${M}x${K}x${N} ${(at(ours, `${M}x${K}x${N}`) / at("tfjs-wasm NN", `${M}x${K}x${N}`)).toFixed(2)}×`);
  console.log(`${ours} / tfjs-wasm NN: ${ratios.join(", ")}`);
}
console.log(`wrote ${writeResults("gemm", all)}`);

function transpose(X: Float32Array, rows: number, cols: number): Float32Array {
  const T = new Float32Array(X.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = X[i * cols + j];
  return T;
}
