/**
 * The smallest real job: check that the two backends agree bit for bit on odd shapes, that float32
 * agrees with float64, and time the selected backend's gemm. `surf selfcheck` (and `npm start`,
 * until the demo exists) runs this.
 */
import { createKernels, kernels } from "./index.js";
import type { Backend } from "./env.js";
import type { DType, Kernels } from "./kernels.js";
import { wasmSupported } from "./wasm.js";
import { Rng } from "../random/rng.js";

export interface SelfCheckReport {
  backend: Backend;
  simd: boolean;
  /** Products compared between the backends (0 when WebAssembly SIMD is unavailable). */
  compared: number;
  mismatches: string[];
  /** Largest |c32 − c64| / Σ|a||b| over the same products computed in float32 and float64. */
  float32Error: number;
  speed: { impl: string; shape: string; gflops: number }[];
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 17], [17, 3, 5], [5, 17, 3], [64, 64, 64], [1, 784, 512], [130, 70, 300]];
/** Timed shapes, M×K×N. */
const TIMED: [number, number, number][] = [[256, 256, 256], [512, 512, 512], [1, 784, 512]];

/**
 * Check that the two backends agree bit for bit on odd shapes and that float32 agrees with float64, and time
 * the selected backend's gemm on dense random matrices: what `surf selfcheck` runs.
 *
 * @example
 * import { selfCheck } from "surfing";
 * const report = await selfCheck("0");
 * report.mismatches;   // → []
 * report.speed.map((s) => `${s.impl} ${s.shape}: ${s.gflops.toFixed(1)} GFLOP/s`);
 */
export async function selfCheck(seed: string, progress?: (done: number, total: number) => void): Promise<SelfCheckReport> {
  const simd = wasmSupported();
  const wasm = simd ? (kernels.backend === "wasm" ? kernels : await createKernels("wasm")) : undefined;
  const js = kernels.backend === "js" ? kernels : await createKernels("js");
  const rng = Rng.derive(seed, "selfcheck");
  const mismatches: string[] = [];
  let compared = 0, float32Error = 0;
  const total = SHAPES.length * 4 + TIMED.length + 1;
  let done = 0;
  for (const [m, n, k] of SHAPES) {
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const A = new Float64Array(m * k), B = new Float64Array(k * n);
      rng.fillUniform(A, -1, 1);
      rng.fillUniform(B, -1, 1);
      for (const v of [A, B]) for (let i = 0; i < v.length; i++) v[i] = Math.fround(v[i]);
      const c32 = product(js, "f32", tA, tB, m, n, k, A, B);
      const c64 = product(js, "f64", tA, tB, m, n, k, A, B);
      const scale = product(js, "f64", tA, tB, m, n, k, A.map(Math.abs), B.map(Math.abs));
      for (let i = 0; i < c32.length; i++) float32Error = Math.max(float32Error, Math.abs(c32[i] - c64[i]) / (scale[i] || 1));
      if (wasm) {
        for (const dtype of ["f32", "f64"] as DType[]) {
          const w = product(wasm, dtype, tA, tB, m, n, k, A, B);
          const t = dtype === "f32" ? c32 : c64;
          compared++;
          if (w.some((v, i) => !Object.is(v, t[i]))) mismatches.push(`${dtype} ${tA ? "T" : "N"}${tB ? "T" : "N"} ${m}×${k}×${n}`);
        }
      }
      progress?.(++done, total);
    }
  }
  const speed: SelfCheckReport["speed"] = [];
  const fast = wasm ?? js;
  for (const [m, k, n] of TIMED) {
    speed.push({ impl: fast.backend, shape: `${m}x${k}x${n}`, gflops: gflops(fast, m, n, k) });
    progress?.(++done, total);
  }
  speed.push({ impl: "js", shape: "128x128x128", gflops: gflops(js, 128, 128, 128) });
  progress?.(done + 1, total);
  return { backend: kernels.backend, simd, compared, mismatches, float32Error, speed };
}

/** op(A)·op(B) on K for row-major op-shaped inputs given as float64 arrays. */
function product(K: Kernels, dtype: DType, tA: boolean, tB: boolean, m: number, n: number, k: number, A: Float64Array, B: Float64Array): Float64Array {
  const S = dtype === "f32" ? 4 : 8;
  const view = () => (dtype === "f32" ? K.heap.f32 : K.heap.f64);
  const a = K.heap.alloc(A.length * S), b = K.heap.alloc(B.length * S), c = K.heap.alloc(m * n * S);
  view().set(A, a / S);
  view().set(B, b / S);
  K.gemm(dtype, tA, tB, m, n, k, 1, a, tA ? m : k, b, tB ? k : n, 0, c, n);
  const out = Float64Array.from(view().subarray(c / S, c / S + m * n));
  for (const p of [a, b, c]) K.heap.free(p);
  return out;
}

/**
 * Best-of-five GFLOP/s of the float32 gemm C = A·B at m×k×n, about 0.2 s of work, on dense uniform random
 * A and B: the gemm skips zero entries of A (a fast path for ReLU's zeros), so all-zero matrices would time
 * that path and not the product.
 */
function gflops(K: Kernels, m: number, n: number, k: number): number {
  const a = K.heap.alloc(m * k * 4), b = K.heap.alloc(k * n * 4), c = K.heap.calloc(m * n * 4);
  const rng = Rng.derive("selfcheck", "speed", m, n, k);
  rng.fillUniform(new Float32Array(K.heap.memory.buffer, a, m * k), -1, 1);
  rng.fillUniform(new Float32Array(K.heap.memory.buffer, b, k * n), -1, 1);
  const flops = 2 * m * n * k;
  const t0 = performance.now();
  K.gemm("f32", false, false, m, n, k, 1, a, k, b, n, 0, c, n);
  const once = Math.max(performance.now() - t0, 1e-3);
  const reps = Math.max(1, Math.min(1000, Math.round(40 / once)));
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) K.gemm("f32", false, false, m, n, k, 1, a, k, b, n, 0, c, n);
    best = Math.min(best, (performance.now() - t) / reps);
  }
  for (const p of [a, b, c]) K.heap.free(p);
  return flops / (best * 1e6);
}
