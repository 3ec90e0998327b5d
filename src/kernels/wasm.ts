/** Loads the SIMD WebAssembly module (embedded at build time) — in Node, Deno and a browser alike. */
import { WASM_BASE64 } from "./wasm-binary.generated.js";
import { Heap } from "./heap.js";
import type { RawKernels } from "./raw.js";

interface ModuleExports extends RawKernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  workspaceBytes(): number;
  setWorkspace(ptr: number): void;
}

let compiled: Promise<WebAssembly.Module> | undefined;

export function wasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Whether this engine validates the module (it needs WebAssembly SIMD).
 *
 * @example
 * import { wasmSupported, createKernels } from "surfing";
 * const K = await createKernels(wasmSupported() ? "wasm" : "js");
 * K.backend === "wasm" || !wasmSupported();   // → true
 */
export function wasmSupported(): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(wasmBytes());
}

/** The compiled module, compiled once per process (it can be posted to workers). */
export function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(wasmBytes());
  return compiled;
}

/** A fresh instance with its own memory; the GEMM workspace is allocated from the heap. */
export async function instantiateWasm(): Promise<{ heap: Heap; raw: RawKernels }> {
  const instance = await WebAssembly.instantiate(await wasmModule(), {});
  const exports = instance.exports as unknown as ModuleExports;
  const heap = new Heap(exports.memory, exports.heapBase());
  exports.setWorkspace(heap.alloc(exports.workspaceBytes()));
  return { heap, raw: exports };
}
