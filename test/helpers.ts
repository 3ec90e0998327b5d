// Shared test helpers: the backend under test and its twin, and copying data in and out of a heap.
import { createKernels, kernels, type Backend, type DType, type Kernels } from "../src/kernels/index.js";
import type { Rng } from "../src/random/rng.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export { kernels };

/** The backend that is not the selected one, for bit-for-bit comparison. */
let otherPromise: Promise<Kernels> | undefined;
export function otherKernels(): Promise<Kernels> {
  const other: Backend = kernels.backend === "wasm" ? "js" : "wasm";
  otherPromise ??= createKernels(other);
  return otherPromise;
}

export function view(K: Kernels, dtype: DType): Float32Array | Float64Array {
  return dtype === "f32" ? K.heap.f32 : K.heap.f64;
}

/** Allocate and fill with `values`; returns the pointer. */
export function put(K: Kernels, dtype: DType, values: ArrayLike<number>): number {
  const S = dtype === "f32" ? 4 : 8;
  const ptr = K.heap.alloc(Math.max(1, values.length) * S);
  view(K, dtype).set(values, ptr / S);
  return ptr;
}

export function putBytes(K: Kernels, values: ArrayLike<number>): number {
  const ptr = K.heap.alloc(Math.max(1, values.length));
  K.heap.u8.set(values, ptr);
  return ptr;
}

export function get(K: Kernels, dtype: DType, ptr: number, count: number): Float64Array {
  const S = dtype === "f32" ? 4 : 8;
  return Float64Array.from(view(K, dtype).subarray(ptr / S, ptr / S + count));
}

export function getBytes(K: Kernels, ptr: number, count: number): number[] {
  return Array.from(K.heap.u8.subarray(ptr, ptr + count));
}

/** Index of the first element where a and b differ as bit patterns (Object.is), or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Round to the dtype's precision (the values a float32 heap actually holds). */
export function rounded(dtype: DType, values: number[]): number[] {
  return dtype === "f32" ? values.map(Math.fround) : values;
}

/** `count` uniform draws on [lo, hi), rounded to the dtype. */
export function uniforms(rng: Rng, dtype: DType, count: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(count);
  rng.fillUniform(out, lo, hi);
  if (dtype === "f32") for (let i = 0; i < count; i++) out[i] = Math.fround(out[i]);
  return out;
}

/** A fresh directory for the enclosing describe block, given to `use` before its tests and removed after them. */
export function scratchDirectory(prefix: string, use: (dir: string) => void): void {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), `surfing-${prefix}-`));
    use(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
}

/** `body` run in a fresh directory, removed afterwards whatever happens. */
export function inScratchDirectory<T>(prefix: string, body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), `surfing-${prefix}-`));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
