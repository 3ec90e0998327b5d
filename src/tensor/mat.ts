/**
 * A dense row-major matrix living in the kernels' heap (WASM linear memory): the TS side holds its
 * pointer and hands out typed-array views that are refreshed after the memory grows. Hot loops pass
 * pointers to the kernels and never copy between JS and WASM memory.
 */
import { kernels as defaultKernels, BYTES, NO_EPILOGUE, type DType, type Epilogue, type Kernels } from "../kernels/index.js";

export type Floats = Float32Array | Float64Array;

/**
 * A dense row-major matrix in the kernels' heap (float32 by default, or float64), freed by hand.
 *
 * @example
 * import { Mat } from "surfing";
 * const M = Mat.from(2, 3, [1, 2, 3, 4, 5, 6], "f64");
 * M.get(1, 2);   // → 6
 * M.data;   // a Float64Array view of the heap: read it again after anything allocates
 * M.free();
 */
export class Mat {
  private ptr_: number;
  private view: Floats | undefined;

  private constructor(
    readonly kernels: Kernels,
    readonly dtype: DType,
    readonly rows: number,
    readonly cols: number,
  ) {
    for (const [name, v] of [["rows", rows], ["cols", cols]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Mat: ${name} must be a non-negative integer, got ${v}`);
    }
    this.ptr_ = kernels.heap.calloc(rows * cols * BYTES[dtype]);
  }

  /** A rows×cols matrix of zeros. */
  static zeros(rows: number, cols: number, dtype: DType = "f32", kernels: Kernels = defaultKernels): Mat {
    return new Mat(kernels, dtype, rows, cols);
  }

  /** A rows×cols matrix holding `values` in row-major order (rounded to float32 for f32). */
  static from(rows: number, cols: number, values: ArrayLike<number>, dtype: DType = "f32", kernels: Kernels = defaultKernels): Mat {
    if (values.length !== rows * cols) {
      throw new RangeError(`Mat.from: ${values.length} values do not fill a ${rows}×${cols} matrix (${rows * cols})`);
    }
    const m = new Mat(kernels, dtype, rows, cols);
    m.data.set(values);
    return m;
  }

  /** Byte offset in the heap. */
  get ptr(): number {
    if (this.ptr_ === 0) throw new Error("Mat: used after free()");
    return this.ptr_;
  }

  get size(): number {
    return this.rows * this.cols;
  }

  /** A view of the elements, valid until the heap next grows (re-read it after allocating). */
  get data(): Floats {
    const buffer = this.kernels.heap.memory.buffer;
    if (this.view === undefined || this.view.buffer !== buffer) {
      this.view = this.dtype === "f32" ? new Float32Array(buffer, this.ptr, this.size) : new Float64Array(buffer, this.ptr, this.size);
    }
    return this.view;
  }

  get(i: number, j: number): number {
    return this.data[this.index(i, j)];
  }

  set(i: number, j: number, v: number): void {
    this.data[this.index(i, j)] = v;
  }

  /** A copy of the elements as plain numbers, row-major. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** Return the memory to the heap; using the matrix afterwards is an error. Safe to call twice. */
  free(): void {
    if (this.ptr_ === 0) return;
    this.kernels.heap.free(this.ptr_);
    this.ptr_ = 0;
    this.view = undefined;
  }

  private index(i: number, j: number): number {
    if (!(Number.isInteger(i) && i >= 0 && i < this.rows && Number.isInteger(j) && j >= 0 && j < this.cols)) {
      throw new RangeError(`Mat: index (${i}, ${j}) is outside a ${this.rows}×${this.cols} matrix`);
    }
    return i * this.cols + j;
  }
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  epilogue?: Epilogue;
}

/**
 * C ← α·op(A)·op(B) + β·C (then the epilogue), with the shapes checked and named.
 *
 * @example
 * import { Mat, gemm } from "surfing";
 * const A = Mat.from(2, 2, [1, 2, 3, 4], "f64"), I = Mat.from(2, 2, [1, 0, 0, 1], "f64"), C = Mat.zeros(2, 2, "f64");
 * gemm(C, A, I, { transA: true });   // C ← Aᵀ·I
 * C.toArray();   // → [1, 3, 2, 4]
 */
export function gemm(C: Mat, A: Mat, B: Mat, options: GemmOptions = {}): void {
  const { transA = false, transB = false, alpha = 1, beta = 0, epilogue = NO_EPILOGUE } = options;
  for (const [name, M] of [["A", A], ["B", B]] as const) {
    if (M.dtype !== C.dtype) throw new TypeError(`gemm: ${name} is ${M.dtype} but C is ${C.dtype}`);
    if (M.kernels !== C.kernels) throw new Error(`gemm: ${name} and C live in different heaps`);
  }
  const [m, kA] = transA ? [A.cols, A.rows] : [A.rows, A.cols];
  const [kB, n] = transB ? [B.cols, B.rows] : [B.rows, B.cols];
  const opA = transA ? "Aᵀ" : "A", opB = transB ? "Bᵀ" : "B";
  if (kA !== kB) throw new RangeError(`gemm: ${opA} is ${m}×${kA} but ${opB} is ${kB}×${n}: inner dimensions differ (${kA} ≠ ${kB})`);
  if (C.rows !== m || C.cols !== n) throw new RangeError(`gemm: C is ${C.rows}×${C.cols} but ${opA}·${opB} is ${m}×${n}`);
  C.kernels.gemm(C.dtype, transA, transB, m, n, kA, alpha, A.ptr, Math.max(1, A.cols), B.ptr, Math.max(1, B.cols), beta, C.ptr, Math.max(1, C.cols), epilogue);
}
