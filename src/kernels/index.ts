/**
 * The compute backend, chosen once: WebAssembly SIMD where the engine validates it, else the TS twin.
 * SURF_BACKEND=wasm|js forces one (process.env in Node, Deno.env with --allow-env, or
 * globalThis.SURF_BACKEND in a browser).
 */
import { Heap, newMemory } from "./heap.js";
import { createJsKernels } from "./js.js";
import { Kernels } from "./kernels.js";
import { hasNodeModules, requestedBackend, type Backend } from "./env.js";
import { instantiateWasm, wasmSupported } from "./wasm.js";

export { Kernels, NO_EPILOGUE, BYTES, type DType, type Epilogue, type PackedB, type Splitter } from "./kernels.js";
export { requestedBackend, type Backend } from "./env.js";
export { Act, BiasAxis, packedBBytes } from "./raw.js";
export { Heap } from "./heap.js";
export { wasmSupported, wasmModule } from "./wasm.js";

export interface KernelOptions {
  /**
   * Threads to compute on (default 1): with 2 or more, large products are split between this thread and helper
   * threads sharing the heap (team.ts) — the same results, bit for bit. WASM backend under Node only; the TS
   * backend ignores it (its results are the same on one thread).
   */
  threads?: number;
}

/** Most threads one set of kernels splits a product between (Team.create's bound). */
export const MAX_THREADS = 64;

/**
 * A new, independent set of kernels on the given backend, with its own heap.
 *
 * @example
 * import { createKernels, Mat, gemm } from "surfing";
 * const js = await createKernels("js");   // the TypeScript twin, with a heap of its own
 * const A = Mat.from(1, 2, [1, 2], "f64", js), B = Mat.from(2, 1, [3, 4], "f64", js), C = Mat.zeros(1, 1, "f64", js);
 * gemm(C, A, B);
 * C.toArray();   // → [11]
 */
export async function createKernels(backend: Backend, options: KernelOptions = {}): Promise<Kernels> {
  const threads = options.threads ?? 1;
  if (!(Number.isSafeInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) throw new RangeError(`createKernels: threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
  if (backend === "wasm") {
    if (!wasmSupported()) throw new Error("this engine has no WebAssembly SIMD; set SURF_BACKEND=js to use the TS backend");
    if (threads > 1) {
      if (!hasNodeModules()) throw new Error("createKernels: threads > 1 needs Node's worker_threads (a browser's main thread cannot wait for helpers)");
      const { Team } = await import("./team.js");
      const { heap, raw, team } = await Team.create(threads);
      return new Kernels("wasm", heap, raw, team);
    }
    const { heap, raw } = await instantiateWasm();
    return new Kernels("wasm", heap, raw);
  }
  const heap = new Heap(newMemory(1), 0);
  return new Kernels("js", heap, createJsKernels(heap));
}

/**
 * The library's kernels (one heap per thread).
 *
 * @example
 * import { kernels } from "surfing";
 * kernels.backend;   // "wasm" where the engine validates WebAssembly SIMD, else "js" (SURF_BACKEND=js|wasm forces one)
 * kernels.threads;   // → 1
 */
export const kernels: Kernels = await createKernels(requestedBackend() ?? (wasmSupported() ? "wasm" : "js"));
