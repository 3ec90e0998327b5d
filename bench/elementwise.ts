// Throughput (Gelem/s) of the float32 activation kernels at n = 784·300 — our WASM SIMD kernels, the TS
// twin, and a plain Math loop over a Float32Array — and of im2col / col2im (elements of cols per second)
// for the DCGAN images 128×7×7 and 64×14×14 with a 4×4 kernel, stride 2, pad 1. `node dist/bench/elementwise.js`
// prints a table and writes bench/results/elementwise.json.
import { Bench } from "tinybench";
import { createKernels, type Kernels } from "../src/kernels/index.js";
import { Rng } from "../src/random/rng.js";
import { bestLatencies, machine, table, writeResults } from "./report.js";

const N = 784 * 300;
const IMAGES: [number, number, number][] = [[128, 7, 7], [64, 14, 14]];
const [K, STRIDE, PAD] = [4, 2, 1];

interface Row {
  impl: string;
  kernel: string;
  gelems: number;
}

const wasm = await createKernels("wasm");
const js = await createKernels("js");
const rng = Rng.derive("bench-elementwise");
// Best round's median of eight, as bench/gemm.ts (this VM's noise only ever slows a task down).
const ROUNDS = 8;
const bench = new Bench({ time: 100, warmupTime: 30, iterations: 3 });
const elements = new Map<string, number>();
const add = (impl: string, kernel: string, count: number, fn: () => void, beforeEach?: () => void) => {
  bench.add(`${impl}|${kernel}`, fn, { beforeEach });
  elements.set(`${impl}|${kernel}`, count);
};

// Pre-activations of a typical spread; y and g as a backward pass sees them.
const X = new Float32Array(N), G = new Float32Array(N);
rng.fillUniform(X, -8, 8);
rng.fillUniform(G, -1, 1);

for (const [impl, Kn] of [["wasm", wasm], ["ts-twin", js]] as [string, Kernels][]) {
  const x = Kn.heap.alloc(N * 4), y = Kn.heap.alloc(N * 4), g = Kn.heap.alloc(N * 4);
  const ys = Kn.heap.alloc(N * 4), yt = Kn.heap.alloc(N * 4);
  Kn.heap.f32.set(X, x / 4);
  Kn.sigmoid("f32", N, x, ys);
  Kn.tanh("f32", N, x, yt);
  for (const f of ["exp", "sigmoid", "tanh"] as const) add(impl, f, N, () => Kn[f]("f32", N, x, y));
  // Each call scales g by at most 1/4 (sigmoid): reset it, untimed, before each, so it never goes subnormal.
  const reset = () => Kn.heap.f32.set(G, g / 4);
  add(impl, "sigmoidBackward", N, () => Kn.sigmoidBackward("f32", N, ys, g), reset);
  add(impl, "tanhBackward", N, () => Kn.tanhBackward("f32", N, yt, g), reset);
}

const mx = Float32Array.from(X), my = new Float32Array(N);
add("Math loop", "exp", N, () => {
  for (let i = 0; i < N; i++) my[i] = Math.exp(mx[i]);
});
add("Math loop", "sigmoid", N, () => {
  for (let i = 0; i < N; i++) my[i] = 1 / (1 + Math.exp(-mx[i]));
});
add("Math loop", "tanh", N, () => {
  for (let i = 0; i < N; i++) my[i] = Math.tanh(mx[i]);
});

for (const [c, h, w] of IMAGES) {
  const oh = Math.floor((h + 2 * PAD - K) / STRIDE) + 1, ow = Math.floor((w + 2 * PAD - K) / STRIDE) + 1;
  const count = c * K * K * oh * ow;
  const image = new Float32Array(c * h * w);
  rng.fillUniform(image, -1, 1);
  for (const [impl, Kn] of [["wasm", wasm], ["ts-twin", js]] as [string, Kernels][]) {
    const x = Kn.heap.alloc(image.length * 4), cols = Kn.heap.alloc(count * 4);
    Kn.heap.f32.set(image, x / 4);
    const shape = `${c}x${h}x${w} k${K} s${STRIDE} p${PAD}`;
    add(impl, `im2col ${shape}`, count, () => Kn.im2col("f32", c, h, w, K, K, STRIDE, PAD, oh, ow, x, cols));
    add(impl, `col2im ${shape}`, count, () => Kn.col2im("f32", c, h, w, K, K, STRIDE, PAD, oh, ow, cols, x));
  }
}

const latency = await bestLatencies(bench, ROUNDS, "p50");
const best = new Map([...latency].map(([name, ms]) => [name, elements.get(name)! / (ms * 1e6)]));

const rows: Row[] = bench.tasks.map((t) => {
  const [impl, kernel] = t.name.split("|");
  return { impl, kernel, gelems: best.get(t.name)! };
});
console.log(`float32, Gelem/s (best of ${ROUNDS} rounds of medians; n = ${N} for the activations, elements of cols for im2col/col2im) — ${machine()}\n`);
console.log(table(rows, (r) => r.kernel, (r) => r.impl, (r) => r.gelems.toFixed(3)));
console.log(`wrote ${writeResults("elementwise", rows)}`);
