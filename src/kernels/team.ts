/**
 * Kernels on more than one thread, with results that do not depend on how many: the
 * main thread and helper worker threads run the same WASM module (built with an imported shared memory,
 * build/surfing-shared.wasm) over one WebAssembly memory, and a large product is cut into parts — ranges of
 * C's rows or of its columns — that any thread may compute. A part is the kernel's own product on a
 * sub-matrix, and the kernels' order of operations does not depend on M, N or the blocking (assembly/gemm.ts,
 * its header), so every element of C is the same float, bit for bit, whichever thread computed it and however
 * the product was cut. The one rule that looks at the whole product, the sparse path's, is decided once, on
 * the whole, and handed to every part (gemm_part's `sparse`).
 *
 * Parts are claimed from a counter, not assigned: when a helper is slow to wake (this machine's cores are
 * shared), the main thread takes the parts it has not claimed, so a busy helper costs time, never a wrong or
 * a lost part. Synchronization is Atomics.wait / notify on a control block in the shared memory.
 *
 * Node (and Deno) only: a browser's main thread may not block in Atomics.wait. Loaded dynamically by
 * createKernels (index.ts) and left out of the browser bundles (scripts/bundle.mjs).
 */
import { Worker } from "node:worker_threads";
import { WASM_SHARED_BASE64 } from "./wasm-shared-binary.generated.js";
import { Heap } from "./heap.js";
import { unfoldSamples } from "./kernels.js";
import { OpB, panelWidth, Sparse, useSparse, type RawKernels } from "./raw.js";

/** What a thread runs parts with: its instance's kernels, and zeroing bytes of the shared memory. */
interface Runner {
  raw: RawKernels;
  zero(ptr: number, bytes: number): void;
}

interface ModuleExports extends RawKernels {
  heapBase(): number;
  workspaceBytes(): number;
  setWorkspace(ptr: number): void;
}

/** What a helper thread is given: the module, the memory, its gemm workspace and the control block. */
interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  workspace: number;
  control: number;
}

// The control block: Int32 words, then the job's arguments as float64 values (pointers, sizes, α, β, …).
const SEQ = 0;      // bumped for every job: helpers sleep on it
const CLAIM = 1;    // (parts << 16) | next part: one word, so a claim sees the job's part count with its index
const DONE = 2;     // parts finished
const QUIT = 3;     // 1: helpers return
const FAILED = 4;   // 1: a helper's part threw (the main thread rethrows)
const ARGS = 8;     // index in float64 words of the job's arguments (byte 64)
const CONTROL_BYTES = 64 + 32 * 8;
const MAX_PARTS = 0x7fff;

// The job's arguments (float64 words from ARGS), by kind: a product, packing op(B), im2col or col2im of a
// batch of samples, an Adam step.
const GEMM = 1, PACK = 2, UNFOLD = 3, ADAM = 4;
const J = {
  kind: 0, dtype: 1, parts: 2, align: 3,
  // GEMM
  transA: 4, opB: 5, m: 6, n: 7, k: 8, alpha: 9, a: 10, lda: 11, b: 12, ldb: 13, beta: 14, c: 15, ldc: 16,
  bias: 17, biasAxis: 18, act: 19, slope: 20, mask: 21, sparse: 22, byColumns: 23,
} as const;
// PACK: transB, k, n, b, ldb, dst
const P_ = { transB: 4, k: 5, n: 6, b: 7, ldb: 8, dst: 9 } as const;
// UNFOLD: adjoint, the geometry, x (sample s at x + s·c·h·w), cols, ldc, samples
const U = { adjoint: 4, c: 5, h: 6, w: 7, kh: 8, kw: 9, stride: 10, pad: 11, oh: 12, ow: 13, x: 14, cols: 15, ldc: 16, samples: 17 } as const;
// ADAM: n, x, g, m, v and the step's constants
const A = { n: 4, x: 5, g: 6, m: 7, v: 8, b1: 9, c1: 10, b2: 11, c2: 12, step: 13, sqrtBc2: 14, eps: 15 } as const;

/** The micro-tile's rows (assembly/gemm.ts MR): a row part of a sparse product keeps at least this many. */
const MR = 4;
/**
 * Products below `minFlops` flops (2mnk) stay on one thread: waking a helper costs tens of microseconds. Read at
 * every product; the tests lower it to 0 to split every product they can.
 */
export const splitting = {
  minFlops: 1 << 22,
  /** The same for packing, im2col / col2im and Adam, in elements. */
  minElements: 1 << 17,
  /** Products split so far, in this process (for the tests). */
  products: 0,
};
/** Parts per thread: more than one, so that a thread that is descheduled for a while is made up for by the others. */
const PARTS_PER_THREAD = 2;
/** The smallest part along each axis worth a product of its own (columns: whole panels of B). */
const MIN_PART_COLUMNS = 32;
const MIN_PART_ROWS = 16;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The shared-memory module, compiled once per process (a WebAssembly.Module can be posted to workers). */
export function sharedModule(): Promise<WebAssembly.Module> {
  compiled ??= (() => {
    const text = atob(WASM_SHARED_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return WebAssembly.compile(bytes);
  })();
  return compiled;
}

async function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ModuleExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as ModuleExports;
}

/** Start of part i of `parts` along an axis of `total`, at a multiple of `align` (the last part ends at total). */
function boundary(total: number, parts: number, align: number, i: number): number {
  return i >= parts ? total : Math.floor((i * total) / parts / align) * align;
}

/** Part i of the job in the control block (see J and the kinds). */
function runPart({ raw, zero }: Runner, args: Float64Array, i: number): void {
  const f = (j: number) => args[ARGS + j];
  const f32 = f(J.dtype) === 0, S = f32 ? 4 : 8, parts = f(J.parts), align = f(J.align);
  switch (f(J.kind)) {
    case GEMM: return gemmPart(raw, f, f32, i);
    case PACK: {
      // columns lo..hi of op(B): whole panels of the packed layout (align = NR)
      const n = f(P_.n), k = f(P_.k), nr = panelWidth(S), lo = boundary(n, parts, align, i), hi = boundary(n, parts, align, i + 1);
      const b = f(P_.b) + (f(P_.transB) ? lo * f(P_.ldb) : lo) * S;
      (f32 ? raw.pack_b_f32 : raw.pack_b_f64)(f(P_.transB), k, hi - lo, b, f(P_.ldb), f(P_.dst) + (lo / nr) * k * nr * S);
      return;
    }
    case UNFOLD: {
      // samples lo..hi, one kernel call each, as a batch on one thread makes them
      const samples = f(U.samples), lo = boundary(samples, parts, 1, i), hi = boundary(samples, parts, 1, i + 1);
      unfoldSamples(raw, zero, f32, f(U.adjoint) === 1, lo, hi, f(U.c), f(U.h), f(U.w), f(U.kh), f(U.kw), f(U.stride), f(U.pad), f(U.oh), f(U.ow), f(U.x), f(U.cols), f(U.ldc));
      return;
    }
    case ADAM: {
      const n = f(A.n), lo = boundary(n, parts, align, i), hi = boundary(n, parts, align, i + 1), o = lo * S;
      (f32 ? raw.adam_f32 : raw.adam_f64)(hi - lo, f(A.x) + o, f(A.g) + o, f(A.m) + o, f(A.v) + o,
        f(A.b1), f(A.c1), f(A.b2), f(A.c2), f(A.step), f(A.sqrtBc2), f(A.eps));
      return;
    }
    default: throw new Error(`team: unknown job kind ${f(J.kind)}`);
  }
}

/** A product's part i: the product on its rows or columns of C, with the whole's sparse decision. */
function gemmPart(raw: RawKernels, f: (j: number) => number, f32: boolean, i: number): void {
  const S = f32 ? 4 : 8;
  const m = f(J.m), n = f(J.n), k = f(J.k), total = f(J.byColumns) ? n : m;
  const lo = boundary(total, f(J.parts), f(J.align), i), hi = boundary(total, f(J.parts), f(J.align), i + 1);
  let a = f(J.a), b = f(J.b), c = f(J.c), bias = f(J.bias), mask = f(J.mask), rows = m, cols = n;
  const rowBias = f(J.biasAxis) === 1;
  if (f(J.byColumns)) {
    cols = hi - lo;
    const opB = f(J.opB);
    b += opB === OpB.Packed ? (lo / panelWidth(S)) * k * panelWidth(S) * S : opB === OpB.T ? lo * f(J.ldb) * S : lo * S;
    c += lo * S;
    if (bias !== 0 && !rowBias) bias += lo * S;
    if (mask !== 0) mask += lo;
  } else {
    rows = hi - lo;
    a += f(J.transA) ? lo * S : lo * f(J.lda) * S;
    c += lo * f(J.ldc) * S;
    if (bias !== 0 && rowBias) bias += lo * S;
    if (mask !== 0) mask += lo * n;
  }
  (f32 ? raw.gemm_part_f32 : raw.gemm_part_f64)(f(J.transA), f(J.opB), rows, cols, k, f(J.alpha), a, f(J.lda), b, f(J.ldb), f(J.beta), c, f(J.ldc),
    bias, f(J.biasAxis), f(J.act), f(J.slope), mask, n, f(J.sparse));
}

/** Claim the next part of the current job: its index, or −1 when every part is taken. */
function claim(ctl: Int32Array): number {
  for (;;) {
    const w = Atomics.load(ctl, CLAIM), parts = w >>> 16, next = w & 0xffff;
    if (next >= parts) return -1;
    if (Atomics.compareExchange(ctl, CLAIM, w, w + 1) === w) return next;
  }
}

/** Claim and run parts until none is left; returns the parts this thread ran. */
function work(runner: Runner, ctl: Int32Array, args: Float64Array): number {
  let ran = 0;
  for (let i = claim(ctl); i >= 0; i = claim(ctl)) {
    // The job's arguments stay as they are until every part is done, this one included: read after the claim.
    const parts = Atomics.load(ctl, CLAIM) >>> 16;
    try {
      runPart(runner, args, i);
    } catch (e) {
      Atomics.store(ctl, FAILED, 1);
      throw e;
    } finally {
      if (Atomics.add(ctl, DONE, 1) + 1 === parts) Atomics.notify(ctl, DONE);
    }
    ran++;
  }
  return ran;
}

/** A helper thread's life (team-worker.ts): instantiate the module on the shared memory, then run parts of jobs. */
export async function serve(data: HelperData): Promise<void> {
  const raw = await instantiate(data.module, data.memory);
  raw.setWorkspace(data.workspace);
  const runner: Runner = { raw, zero: (ptr, bytes) => new Uint8Array(data.memory.buffer, ptr, bytes).fill(0) };
  const ctl = new Int32Array(data.memory.buffer, data.control, CONTROL_BYTES / 4);
  const args = new Float64Array(data.memory.buffer, data.control, CONTROL_BYTES / 8);
  let seen = Atomics.load(ctl, SEQ);
  for (;;) {
    Atomics.wait(ctl, SEQ, seen);
    seen = Atomics.load(ctl, SEQ);
    if (Atomics.load(ctl, QUIT) === 1) return;
    work(runner, ctl, args);
  }
}

/** The threads of one set of kernels: see the header. */
export class Team {
  private readonly runner: Runner;
  /** Set when a helper thread died: from then on nothing is split (the main thread alone gives the same results). */
  private failed: Error | undefined;

  private constructor(
    private readonly raw: RawKernels,
    heap: Heap,
    private readonly ctl: Int32Array,
    private readonly args: Float64Array,
    private readonly helpers: Worker[],
    /** Threads working on a split product: the main thread and its helpers. */
    readonly threads: number,
  ) {
    this.runner = { raw, zero: (ptr, bytes) => heap.u8.fill(0, ptr, ptr + bytes) };
  }

  /** The module instantiated on a fresh shared memory, its heap, and `threads − 1` helper threads on the same memory. */
  static async create(threads: number): Promise<{ heap: Heap; raw: RawKernels; team: Team }> {
    if (!(Number.isSafeInteger(threads) && threads >= 2 && threads <= 64)) throw new RangeError(`team: threads must be an integer in [2, 64], got ${threads}`);
    const module = await sharedModule();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const raw = await instantiate(module, memory);
    const heap = new Heap(memory, raw.heapBase());
    raw.setWorkspace(heap.alloc(raw.workspaceBytes()));
    const control = heap.calloc(CONTROL_BYTES);
    const helpers: Worker[] = [];
    for (let t = 1; t < threads; t++) {
      const data: HelperData = { module, memory, workspace: heap.alloc(raw.workspaceBytes()), control };
      const worker = new Worker(new URL("./team-worker.js", import.meta.url), { workerData: data });
      worker.unref();   // a helper never keeps the process alive
      helpers.push(worker);
    }
    const team: Team = new Team(raw, heap, new Int32Array(memory.buffer, control, CONTROL_BYTES / 4), new Float64Array(memory.buffer, control, CONTROL_BYTES / 8), helpers, threads);
    for (const w of helpers) {
      w.on("error", (e: Error) => {
        if (!team.failed) process.stderr.write(`surfing: a kernel helper thread failed (${e.message}); computing on one thread from here\n`);
        team.failed = e;
      });
    }
    return { heap, raw, team };
  }

  /**
   * gemm (the arguments of RawKernels' gemm, checked by Kernels) split between the threads when it is large
   * enough; returns false, having done nothing, when it is not (the caller makes the one call).
   */
  gemm(f32: boolean, transA: number, opB: number, m: number, n: number, k: number, alpha: number,
       a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
       bias: number, biasAxis: number, act: number, slope: number, mask: number): boolean {
    if (this.failed || 2 * m * n * k < splitting.minFlops) return false;
    // Cut the axis whose cutting repeats the smaller operand: parts of columns each read all of A, parts of
    // rows each pack all of B.
    const nr = panelWidth(f32 ? 4 : 8);
    const byColumns = m * k <= k * n ? n >= 2 * MIN_PART_COLUMNS : m < 2 * MIN_PART_ROWS;
    // Column parts start at multiples of 16 float32 / 8 float64 columns (whole panels of B too): where C's rows
    // start on 64-byte lines, no line of C is written by two threads.
    const total = byColumns ? n : m, align = byColumns ? Math.max(nr, 64 / (f32 ? 4 : 8)) : MR;
    const parts = Math.min(MAX_PARTS, this.threads * PARTS_PER_THREAD, Math.floor(total / (byColumns ? MIN_PART_COLUMNS : MIN_PART_ROWS)));
    if (parts < 2) return false;
    // The sparse rule on the whole product, as gemm would apply it (raw.ts useSparse, assembly/gemm.ts)
    const sparse = beta === 0 && k > 0 && alpha !== 0 &&
      useSparse(m, n, k, () => (f32 ? this.raw.count_zeros_f32 : this.raw.count_zeros_f64)(transA ? k : m, transA ? m : k, a, lda)) ? Sparse.Yes : Sparse.No;
    const x = this.args, o = ARGS;
    x[o + J.kind] = GEMM; x[o + J.dtype] = f32 ? 0 : 1; x[o + J.parts] = parts; x[o + J.align] = align;
    x[o + J.transA] = transA; x[o + J.opB] = opB; x[o + J.m] = m; x[o + J.n] = n; x[o + J.k] = k; x[o + J.alpha] = alpha;
    x[o + J.a] = a; x[o + J.lda] = lda; x[o + J.b] = b; x[o + J.ldb] = ldb; x[o + J.beta] = beta; x[o + J.c] = c; x[o + J.ldc] = ldc;
    x[o + J.bias] = bias; x[o + J.biasAxis] = biasAxis; x[o + J.act] = act; x[o + J.slope] = slope; x[o + J.mask] = mask;
    x[o + J.sparse] = sparse; x[o + J.byColumns] = byColumns ? 1 : 0;
    this.dispatch(parts);
    splitting.products++;
    return true;
  }

  /** packB's pack_b split into ranges of whole panels; false, having done nothing, when too small to split. */
  packB(f32: boolean, transB: number, k: number, n: number, b: number, ldb: number, dst: number): boolean {
    const nr = panelWidth(f32 ? 4 : 8), parts = this.partsOf(k * n, Math.ceil(n / nr));
    if (parts < 2) return false;
    const x = this.args, o = ARGS;
    x[o + J.kind] = PACK; x[o + J.dtype] = f32 ? 0 : 1; x[o + J.parts] = parts; x[o + J.align] = nr;
    x[o + P_.transB] = transB; x[o + P_.k] = k; x[o + P_.n] = n; x[o + P_.b] = b; x[o + P_.ldb] = ldb; x[o + P_.dst] = dst;
    this.dispatch(parts);
    return true;
  }

  /** Kernels.im2colBatch / col2imBatch split into ranges of samples; false when too small to split. */
  unfold(f32: boolean, adjoint: boolean, samples: number, c: number, h: number, w: number, kh: number, kw: number,
         stride: number, pad: number, oh: number, ow: number, x: number, cols: number, ldc: number): boolean {
    const parts = this.partsOf(samples * c * kh * kw * oh * ow, samples);
    if (parts < 2) return false;
    const a = this.args, o = ARGS;
    a[o + J.kind] = UNFOLD; a[o + J.dtype] = f32 ? 0 : 1; a[o + J.parts] = parts; a[o + J.align] = 1;
    a[o + U.adjoint] = adjoint ? 1 : 0; a[o + U.c] = c; a[o + U.h] = h; a[o + U.w] = w; a[o + U.kh] = kh; a[o + U.kw] = kw;
    a[o + U.stride] = stride; a[o + U.pad] = pad; a[o + U.oh] = oh; a[o + U.ow] = ow; a[o + U.x] = x; a[o + U.cols] = cols;
    a[o + U.ldc] = ldc; a[o + U.samples] = samples;
    this.dispatch(parts);
    return true;
  }

  /** The adam kernel (its arguments as RawKernels' adam) split into ranges of elements; false when too small. */
  adam(f32: boolean, n: number, x: number, g: number, m: number, v: number,
       b1: number, c1: number, b2: number, c2: number, step: number, sqrtBc2: number, eps: number): boolean {
    const parts = this.partsOf(n, Math.floor(n / 4));
    if (parts < 2) return false;
    const a = this.args, o = ARGS;
    a[o + J.kind] = ADAM; a[o + J.dtype] = f32 ? 0 : 1; a[o + J.parts] = parts; a[o + J.align] = 4;
    a[o + A.n] = n; a[o + A.x] = x; a[o + A.g] = g; a[o + A.m] = m; a[o + A.v] = v; a[o + A.b1] = b1; a[o + A.c1] = c1;
    a[o + A.b2] = b2; a[o + A.c2] = c2; a[o + A.step] = step; a[o + A.sqrtBc2] = sqrtBc2; a[o + A.eps] = eps;
    this.dispatch(parts);
    return true;
  }

  /** Parts for a job of `elements` that can be cut into at most `units` pieces: 0 when it stays on one thread. */
  private partsOf(elements: number, units: number): number {
    if (this.failed || elements < splitting.minElements) return 0;
    return Math.min(MAX_PARTS, this.threads * PARTS_PER_THREAD, units);
  }

  /** Publish the job in the control block (its arguments already there), work on it, and wait for every part. */
  private dispatch(parts: number): void {
    const { ctl } = this;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CLAIM, parts << 16);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    work(this.runner, ctl, this.args);
    for (let d = Atomics.load(ctl, DONE); d < parts; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d);
    if (Atomics.load(ctl, FAILED) === 1) {
      this.failed ??= new Error("a part failed");   // no more splitting, from now on
      throw new Error("team: a helper thread failed in a kernel (see its error above)");
    }
  }

  /** Stop the helpers (they also never keep the process alive). */
  close(): void {
    Atomics.store(this.ctl, QUIT, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.helpers) void w.terminate();
  }
}
