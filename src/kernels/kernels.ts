/**
 * The kernels as the rest of the library calls them: one class over either backend, checking every
 * argument once (sizes, finiteness, leading dimensions, that each operand lies inside the heap, that
 * the output does not overlap an input) and naming the argument in the error. The checks are O(1)
 * and allocation-free, so they stay on in the hot loop.
 */
import type { Heap } from "./heap.js";
import type { Backend } from "./env.js";
import { createFloat64Activations, type Float64Activations } from "./js.js";
import { Act, BiasAxis, BnPass, OpB, packedBBytes, type RawKernels, type UnaryBackwardFn, type UnaryFn } from "./raw.js";

export type DType = "f32" | "f64";
/**
 * Bytes per element of each dtype (heap sizes and pointers are in bytes).
 *
 * @example
 * import { BYTES, kernels } from "surfing";
 * const ptr = kernels.heap.alloc(10 * BYTES.f32);   // room for 10 float32 values
 * BYTES.f64;   // → 8
 * kernels.heap.free(ptr);
 */
export const BYTES: Readonly<Record<DType, number>> = { f32: 4, f64: 8 };

/** What a gemm or biasAct does after the product: z = c + bias, c = act(z), mask = (z > 0). */
export interface Epilogue {
  readonly bias: number;        // pointer to the bias vector, 0 for none
  readonly biasAxis: BiasAxis;  // Column: bias[j] (length n); Row: bias[i] (length m)
  readonly act: Act;
  readonly slope: number;       // LeakyReLU negative slope
  readonly mask: number;        // pointer to an m×n byte mask, 0 for none
}

/**
 * The epilogue that does nothing after a product — no bias, no activation, no mask: gemm's default.
 *
 * @example
 * import { NO_EPILOGUE, Act } from "surfing";
 * const relu = { ...NO_EPILOGUE, act: Act.ReLU };   // an epilogue that only applies ReLU
 * relu.bias;   // → 0
 */
export const NO_EPILOGUE: Epilogue = Object.freeze({ bias: 0, biasAxis: BiasAxis.Column, act: Act.None, slope: 0, mask: 0 });

/** op(B) packed once by Kernels.packB, for any number of gemmPacked calls (a weight matrix). */
export interface PackedB {
  readonly dtype: DType;
  readonly k: number;
  readonly n: number;
  readonly ptr: number;
}

const MAX_I32 = 0x7fffffff;

/**
 * Threads that share the heap and take parts of a product (team.ts, Node only): `gemm` does the product,
 * split, and returns true, or returns false for one too small to split. The parts' results are the whole's,
 * bit for bit.
 */
export interface Splitter {
  readonly threads: number;
  gemm(f32: boolean, transA: number, opB: number, m: number, n: number, k: number, alpha: number,
       a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
       bias: number, biasAxis: number, act: number, slope: number, mask: number): boolean;
  packB(f32: boolean, transB: number, k: number, n: number, b: number, ldb: number, dst: number): boolean;
  unfold(f32: boolean, adjoint: boolean, samples: number, c: number, h: number, w: number, kh: number, kw: number,
         stride: number, pad: number, oh: number, ow: number, x: number, cols: number, ldc: number): boolean;
  adam(f32: boolean, n: number, x: number, g: number, m: number, v: number,
       b1: number, c1: number, b2: number, c2: number, step: number, sqrtBc2: number, eps: number): boolean;
  close(): void;
}

/**
 * im2col of samples lo..hi−1 — sample s's image at x + s·c·h·w elements, its columns from column s·oh·ow of
 * cols (leading dimension ldc) — or, adjoint, their col2im, each image zeroed first: one kernel call per
 * sample, in order, on whichever thread (Kernels.im2colBatch, team.ts).
 */
export function unfoldSamples(raw: RawKernels, zero: (ptr: number, bytes: number) => void, f32: boolean, adjoint: boolean, lo: number, hi: number,
                              c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, oh: number, ow: number,
                              x: number, cols: number, ldc: number): void {
  const S = f32 ? 4 : 8, image = c * h * w * S, block = oh * ow * S;
  for (let s = lo; s < hi; s++) {
    if (adjoint) {
      zero(x + s * image, image);
      (f32 ? raw.col2im_f32 : raw.col2im_f64)(c, h, w, kh, kw, stride, pad, oh, ow, cols + s * block, ldc, x + s * image);
    } else {
      (f32 ? raw.im2col_f32 : raw.im2col_f64)(c, h, w, kh, kw, stride, pad, oh, ow, x + s * image, cols + s * block, ldc);
    }
  }
}

/**
 * The kernels of one backend over one heap, as the library calls them: gemm with a fused bias and activation,
 * axpy, Adam, im2col …, on pointers into the heap, every argument checked and named in the error.
 *
 * @example
 * import { Kernels, kernels } from "surfing";
 * // the library's own kernels (createKernels makes more, each with a heap of its own)
 * kernels instanceof Kernels;   // → true
 * const x = kernels.heap.alloc(3 * 8), y = kernels.heap.alloc(3 * 8);   // byte offsets of 3 float64 values each
 * kernels.heap.f64.set([1, 2, 3], x / 8);
 * kernels.heap.f64.set([10, 20, 30], y / 8);
 * kernels.axpy("f64", 3, 2, x, y);   // y ← 2·x + y
 * Array.from(kernels.heap.f64.subarray(y / 8, y / 8 + 3));   // → [12, 24, 36]
 * kernels.heap.free(x);
 * kernels.heap.free(y);
 */
export class Kernels {
  /** exp, sigmoid and tanh in float64: TS on both backends (the WASM module has them in float32 only). */
  private readonly f64: Float64Activations;

  constructor(
    readonly backend: Backend,
    readonly heap: Heap,
    private readonly raw: RawKernels,
    /** Helper threads for large products (createKernels' `threads`); none by default. */
    private team?: Splitter,
  ) {
    this.f64 = createFloat64Activations(heap);
  }

  /** Zero `bytes` bytes of the heap from ptr. */
  private readonly zero = (ptr: number, bytes: number): void => void this.heap.u8.fill(0, ptr, ptr + bytes);

  // The door to the heap for the rest of the library (docs/ARCHITECTURE.md): memory is allocated, viewed,
  // copied and freed through these, so only src/kernels and src/tensor know it is a WASM linear memory.

  /** `bytes` bytes of the heap, uninitialized: a pointer (byte offset) to free with free(). */
  alloc(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  /** `bytes` zeroed bytes of the heap: a pointer to free with free(). */
  calloc(bytes: number): number {
    return this.heap.calloc(bytes);
  }

  /** Give back a block from alloc() or calloc(). */
  free(ptr: number): void {
    this.heap.free(ptr);
  }

  /** `count` values of `dtype` at ptr, as a typed array over the heap: take it again after any allocation (the heap may grow). */
  view(dtype: DType, ptr: number, count: number): Float32Array | Float64Array {
    const buffer = this.heap.memory.buffer;
    return dtype === "f32" ? new Float32Array(buffer, ptr, count) : new Float64Array(buffer, ptr, count);
  }

  /** `count` float64 values at ptr (see view). */
  f64View(ptr: number, count: number): Float64Array {
    return new Float64Array(this.heap.memory.buffer, ptr, count);
  }

  /** `count` bytes at ptr (see view). */
  bytes(ptr: number, count: number): Uint8Array {
    return new Uint8Array(this.heap.memory.buffer, ptr, count);
  }

  /** Zero `bytes` bytes from ptr. */
  clear(ptr: number, bytes: number): void {
    this.zero(ptr, bytes);
  }

  /** Copy `bytes` bytes from `from` to `to` inside the heap (the two may overlap). */
  copy(to: number, from: number, bytes: number): void {
    this.heap.u8.copyWithin(to, from, from + bytes);
  }

  /** Threads these kernels compute on: 1, or the team's. */
  get threads(): number {
    return this.team?.threads ?? 1;
  }

  /** Stop the helper threads, if any (they never keep a process alive). The kernels stay usable on one thread. */
  close(): void {
    this.team?.close();
    this.team = undefined;
  }

  /**
   * C ← α·op(A)·op(B) + β·C, then the epilogue. op(A) is m×k, op(B) is k×n, row-major with leading
   * dimensions lda, ldb, ldc (elements). β = 0 ignores C's contents; α = 0 ignores A and B.
   */
  gemm(
    dtype: DType, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
    epilogue: Epilogue = NO_EPILOGUE,
  ): void {
    const S = elementBytes("gemm", dtype);
    sizes("gemm", m, n, k);
    const eb = this.matrix("gemm", "B", b, transB ? n : k, transB ? k : n, ldb, S, "ldb");
    this.product("gemm", dtype, S, transA, transB ? OpB.T : OpB.N, m, n, k, alpha, a, lda, b, eb, ldb, beta, c, ldc, epilogue);
  }

  /** gemm with op(B) prepacked by packB: the same result, bit for bit, without repacking B. */
  gemmPacked(
    dtype: DType, transA: boolean, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, packed: PackedB, beta: number, c: number, ldc: number,
    epilogue: Epilogue = NO_EPILOGUE,
  ): void {
    const S = elementBytes("gemmPacked", dtype);
    sizes("gemmPacked", m, n, k);
    if (packed.dtype !== dtype || packed.k !== k || packed.n !== n) {
      throw new RangeError(`gemmPacked: B was packed as a ${packed.dtype} ${packed.k}×${packed.n} op(B), but this product needs ${dtype} ${k}×${n}`);
    }
    const eb = this.range("gemmPacked", "B (packed)", packed.ptr, packedBBytes(S, k, n) / S, S);
    this.product("gemmPacked", dtype, S, transA, OpB.Packed, m, n, k, alpha, a, lda, packed.ptr, eb, 0, beta, c, ldc, epilogue);
  }

  /**
   * Pack the k×n op(B) (B, or Bᵀ when transB) for gemmPacked: into `into` when given (it must have
   * the same dtype and shape; repacking updated weights allocates nothing), else into a new block of
   * the heap that the caller frees with heap.free(packed.ptr).
   */
  packB(dtype: DType, transB: boolean, k: number, n: number, b: number, ldb: number, into?: PackedB): PackedB {
    const S = elementBytes("packB", dtype);
    sizes("packB", 1, n, k);
    const eb = this.matrix("packB", "B", b, transB ? n : k, transB ? k : n, ldb, S, "ldb");
    const bytes = packedBBytes(S, k, n);
    if (into && (into.dtype !== dtype || into.k !== k || into.n !== n)) {
      throw new RangeError(`packB: into holds a ${into.dtype} ${into.k}×${into.n} op(B), not ${dtype} ${k}×${n}`);
    }
    const packed: PackedB = into ?? { dtype, k, n, ptr: this.heap.alloc(bytes) };
    const ep = this.range("packB", "into", packed.ptr, bytes / S, S);
    if (k > 0 && n > 0) disjoint("packB", "into", packed.ptr, ep, "B", b, eb);
    if (!this.team?.packB(dtype === "f32", +transB, k, n, b, ldb, packed.ptr)) {
      (dtype === "f32" ? this.raw.pack_b_f32 : this.raw.pack_b_f64)(+transB, k, n, b, ldb, packed.ptr);
    }
    return packed;
  }

  /** The checks and the call shared by gemm and gemmPacked (B already checked: bytes b..bEnd). */
  private product(
    fn: string, dtype: DType, S: number, transA: boolean, opB: OpB, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, bEnd: number, ldb: number, beta: number, c: number, ldc: number, epilogue: Epilogue,
  ): void {
    finite(fn, "alpha", alpha);
    finite(fn, "beta", beta);
    const ea = this.matrix(fn, "A", a, transA ? k : m, transA ? m : k, lda, S, "lda");
    const ec = this.matrix(fn, "C", c, m, n, ldc, S, "ldc");
    if (k > 0 && alpha !== 0 && m > 0 && n > 0) {
      disjoint(fn, "C", c, ec, "A", a, ea);
      disjoint(fn, "C", c, ec, "B", b, bEnd);
    }
    this.epilogue(fn, epilogue, m, n, S, c, ec);
    if (this.team?.gemm(dtype === "f32", +transA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
      epilogue.bias, epilogue.biasAxis, epilogue.act, epilogue.slope, epilogue.mask)) return;
    (dtype === "f32" ? this.raw.gemm_f32 : this.raw.gemm_f64)(+transA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
      epilogue.bias, epilogue.biasAxis, epilogue.act, epilogue.slope, epilogue.mask);
  }

  /** In place on the m×n matrix C: z = c + bias, c = act(z), mask = (z > 0). */
  biasAct(dtype: DType, m: number, n: number, c: number, ldc: number, epilogue: Epilogue): void {
    const S = elementBytes("biasAct", dtype);
    size("biasAct", "m", m);
    size("biasAct", "n", n);
    const ec = this.matrix("biasAct", "C", c, m, n, ldc, S, "ldc");
    this.epilogue("biasAct", epilogue, m, n, S, c, ec);
    const fn = dtype === "f32" ? this.raw.bias_act_f32 : this.raw.bias_act_f64;
    fn(m, n, c, ldc, epilogue.bias, epilogue.biasAxis, epilogue.act, epilogue.slope, epilogue.mask);
  }

  /** Backward of a ReLU/LeakyReLU by its recorded mask, in place on the m×n gradient G. */
  actBackward(dtype: DType, m: number, n: number, g: number, ldg: number, mask: number, act: Act, slope: number): void {
    const S = elementBytes("actBackward", dtype);
    size("actBackward", "m", m);
    size("actBackward", "n", n);
    if (act !== Act.ReLU && act !== Act.LeakyReLU) throw new RangeError(`actBackward: act must be ReLU (1) or LeakyReLU (2), got ${act}`);
    finite("actBackward", "slope", slope);
    const eg = this.matrix("actBackward", "G", g, m, n, ldg, S, "ldg");
    const em = this.range("actBackward", "mask", mask, m * n, 1);
    if (m > 0 && n > 0) disjoint("actBackward", "G", g, eg, "mask", mask, em);
    (dtype === "f32" ? this.raw.act_backward_f32 : this.raw.act_backward_f64)(m, n, g, ldg, mask, act, slope);
  }

  /** y ← y + α·x (n elements). */
  axpy(dtype: DType, n: number, alpha: number, x: number, y: number): void {
    const S = elementBytes("axpy", dtype);
    size("axpy", "n", n);
    finite("axpy", "alpha", alpha);
    const ex = this.range("axpy", "x", x, n, S);
    const ey = this.range("axpy", "y", y, n, S);
    if (n > 0 && x !== y) disjoint("axpy", "y", y, ey, "x", x, ex);
    (dtype === "f32" ? this.raw.axpy_f32 : this.raw.axpy_f64)(n, alpha, x, y);
  }

  /** x ← α·x (n elements). */
  scale(dtype: DType, n: number, alpha: number, x: number): void {
    const S = elementBytes("scale", dtype);
    size("scale", "n", n);
    finite("scale", "alpha", alpha);
    this.range("scale", "x", x, n, S);
    (dtype === "f32" ? this.raw.scale_f32 : this.raw.scale_f64)(n, alpha, x);
  }

  /** Σ x_i² over n elements, accumulated in float64. */
  sumsq(dtype: DType, n: number, x: number): number {
    const S = elementBytes("sumsq", dtype);
    size("sumsq", "n", n);
    this.range("sumsq", "x", x, n, S);
    return (dtype === "f32" ? this.raw.sumsq_f32 : this.raw.sumsq_f64)(n, x);
  }

  /** out[i] = Σ_j X[i][j]² for the m rows of the m×n matrix X; out is float64. */
  rowSumsq(dtype: DType, m: number, n: number, x: number, ldx: number, out: number): void {
    const S = elementBytes("rowSumsq", dtype);
    size("rowSumsq", "m", m);
    size("rowSumsq", "n", n);
    const ex = this.matrix("rowSumsq", "X", x, m, n, ldx, S, "ldx");
    const eo = this.range("rowSumsq", "out", out, m, 8);
    if (m > 0 && n > 0) disjoint("rowSumsq", "out", out, eo, "X", x, ex);
    (dtype === "f32" ? this.raw.row_sumsq_f32 : this.raw.row_sumsq_f64)(m, n, x, ldx, out);
  }

  /** out[j] = Σ_i X[i][j] for the n columns of the m×n matrix X; out is float64, summed over i = 0 … m − 1 in order. */
  colSums(dtype: DType, m: number, n: number, x: number, ldx: number, out: number): void {
    const S = elementBytes("colSums", dtype);
    size("colSums", "m", m);
    size("colSums", "n", n);
    const ex = this.matrix("colSums", "X", x, m, n, ldx, S, "ldx");
    const eo = this.range("colSums", "out", out, n, 8);
    if (m > 0 && n > 0) disjoint("colSums", "out", out, eo, "X", x, ex);
    (dtype === "f32" ? this.raw.col_sums_f32 : this.raw.col_sums_f64)(m, n, x, ldx, out);
  }

  /**
   * y = eˣ on n elements; y may be x. float32: our SIMD exp, within 2 ulp (assembly/activation.ts);
   * float64: Math.exp. exp(−∞) = 0, exp(∞) = ∞, NaN stays NaN.
   */
  exp(dtype: DType, n: number, x: number, y: number): void {
    this.unary("exp", dtype, n, x, y, this.raw.exp_f32, this.f64.exp);
  }

  /** y = 1 / (1 + e⁻ˣ) on n elements; y may be x. sigmoid(−∞) = 0, sigmoid(∞) = 1, NaN stays NaN. */
  sigmoid(dtype: DType, n: number, x: number, y: number): void {
    this.unary("sigmoid", dtype, n, x, y, this.raw.sigmoid_f32, this.f64.sigmoid);
  }

  /** y = tanh x on n elements; y may be x. tanh(±∞) = ±1, tanh(±0) = ±0, NaN stays NaN. */
  tanh(dtype: DType, n: number, x: number, y: number): void {
    this.unary("tanh", dtype, n, x, y, this.raw.tanh_f32, this.f64.tanh);
  }

  /** Backward of sigmoid from its output y, in place on the gradient g: g ← g·(y·(1 − y)) (n elements). */
  sigmoidBackward(dtype: DType, n: number, y: number, g: number): void {
    this.unaryBackward("sigmoidBackward", dtype, n, y, g, this.raw.sigmoid_backward_f32, this.f64.sigmoidBackward);
  }

  /** Backward of tanh from its output y, in place on the gradient g: g ← g·(1 − y·y) (n elements). */
  tanhBackward(dtype: DType, n: number, y: number, g: number): void {
    this.unaryBackward("tanhBackward", dtype, n, y, g, this.raw.tanh_backward_f32, this.f64.tanhBackward);
  }

  /**
   * cols ← im2col(x) for a 2-D convolution (dilation 1) of one c×h×w NCHW sample x with a kh×kw kernel:
   * cols is (c·kh·kw) × (oh·ow) with leading dimension ldc (default oh·ow; larger to place a batch's
   * samples side by side), its row (ci·kh + i)·kw + j, column oy·ow + ox holding
   * x[ci][oy·stride − pad + i][ox·stride − pad + j], or 0 in the zero padding.
   * oh = ⌊(h + 2·pad − kh) / stride⌋ + 1 and ow = ⌊(w + 2·pad − kw) / stride⌋ + 1 (checked).
   */
  im2col(dtype: DType, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number,
         oh: number, ow: number, x: number, cols: number, ldc = oh * ow): void {
    const S = this.unfolding("im2col", dtype, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc, "cols");
    (S === 4 ? this.raw.im2col_f32 : this.raw.im2col_f64)(c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
  }

  /**
   * x ← x + col2im(cols), the adjoint of im2col (same geometry): adds each element of cols into the
   * element of x it was copied from, visiting ci, i, j, oy, ox in that nested order (so sums are
   * bit-identical on both backends). Zero x first for col2im alone.
   */
  col2im(dtype: DType, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number,
         oh: number, ow: number, cols: number, x: number, ldc = oh * ow): void {
    const S = this.unfolding("col2im", dtype, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc, "x");
    (S === 4 ? this.raw.col2im_f32 : this.raw.col2im_f64)(c, h, w, kh, kw, stride, pad, oh, ow, cols, ldc, x);
  }

  /**
   * im2col of `samples` images at once — image s at x + s·c·h·w elements, its columns at columns s·oh·ow …
   * (s + 1)·oh·ow − 1 of cols, whose leading dimension ldc ≥ samples·oh·ow — the same as one im2col per sample
   * (the samples of a chunk side by side, for one product over all of them).
   */
  im2colBatch(dtype: DType, samples: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number,
              oh: number, ow: number, x: number, cols: number, ldc = samples * oh * ow): void {
    this.unfoldBatch("im2colBatch", false, dtype, samples, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
  }

  /** The adjoint of im2colBatch: image s ← col2im(its columns), each image zeroed first (col2im itself adds). */
  col2imBatch(dtype: DType, samples: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number,
              oh: number, ow: number, cols: number, x: number, ldc = samples * oh * ow): void {
    this.unfoldBatch("col2imBatch", true, dtype, samples, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
  }

  private unfoldBatch(fn: string, adjoint: boolean, dtype: DType, samples: number, c: number, h: number, w: number, kh: number, kw: number,
                      stride: number, pad: number, oh: number, ow: number, x: number, cols: number, ldc: number): void {
    size(fn, "samples", samples);
    const S = this.unfolding(fn, dtype, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc, adjoint ? "x" : "cols", samples);
    if (samples === 0) return;
    if (this.team?.unfold(S === 4, adjoint, samples, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc)) return;
    unfoldSamples(this.raw, this.zero, S === 4, adjoint, 0, samples, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
  }

  /**
   * Between n samples × C channels × P positions (sample-major, NCHW) at sampleMajor and C × (n·P) (channel-major)
   * at channelMajor: toChannelMajor copies block (s, c) of the first to block (c, s) of the second, else back.
   */
  permute(dtype: DType, n: number, C: number, P: number, sampleMajor: number, channelMajor: number, toChannelMajor: boolean): void {
    const fn = "permute", S = elementBytes(fn, dtype), count = this.channelShape(fn, n, C, P);
    const es = this.range(fn, "sampleMajor", sampleMajor, count, S), ec = this.range(fn, "channelMajor", channelMajor, count, S);
    if (count > 0) disjoint(fn, toChannelMajor ? "channelMajor" : "sampleMajor", toChannelMajor ? channelMajor : sampleMajor, toChannelMajor ? ec : es,
      toChannelMajor ? "sampleMajor" : "channelMajor", toChannelMajor ? sampleMajor : channelMajor, toChannelMajor ? es : ec);
    (dtype === "f32" ? this.raw.permute_f32 : this.raw.permute_f64)(n, C, P, sampleMajor, channelMajor, +toChannelMajor);
  }

  // Batch norm (src/nn/ops/batchnorm.ts) over rows × C × P in NCHW order — x[s][c][p] at element (s·C + c)·P + p,
  // P positions per channel — in float64 arithmetic; per-channel arrays named f64 are C float64 values, γ and β
  // are C values of the dtype. Sums add sample by sample, position by position (assembly/batchnorm.ts).

  /** sum[c] = Σ_{s,p} a and, when b ≠ 0, sum2[c] = Σ_{s,p} a·b (both f64, from +0). */
  channelSums(dtype: DType, rows: number, C: number, P: number, a: number, b: number, sum: number, sum2: number): void {
    const fn = "channelSums", S = elementBytes(fn, dtype), n = this.channelShape(fn, rows, C, P);
    const ea = this.range(fn, "a", a, n, S), es = this.range(fn, "sum", sum, C, 8);
    if (n > 0 && C > 0) disjoint(fn, "sum", sum, es, "a", a, ea);
    if (b !== 0) {
      const eb = this.range(fn, "b", b, n, S), es2 = this.range(fn, "sum2", sum2, C, 8);
      if (C > 0) {
        disjoint(fn, "sum2", sum2, es2, "sum", sum, es);
        if (n > 0) {
          disjoint(fn, "sum", sum, es, "b", b, eb);
          disjoint(fn, "sum2", sum2, es2, "a", a, ea);
          disjoint(fn, "sum2", sum2, es2, "b", b, eb);
        }
      }
    }
    (dtype === "f32" ? this.raw.channel_sums_f32 : this.raw.channel_sums_f64)(rows, C, P, a, b, sum, b !== 0 ? sum2 : 0);
  }

  /** sq[c] = Σ_{s,p} (x − mean_c)² (mean, sq f64). */
  squaredDeviations(dtype: DType, rows: number, C: number, P: number, x: number, mean: number, sq: number): void {
    const fn = "squaredDeviations", S = elementBytes(fn, dtype), n = this.channelShape(fn, rows, C, P);
    const ex = this.range(fn, "x", x, n, S), em = this.range(fn, "mean", mean, C, 8), eq = this.range(fn, "sq", sq, C, 8);
    if (C > 0) {
      disjoint(fn, "sq", sq, eq, "mean", mean, em);
      if (n > 0) disjoint(fn, "sq", sq, eq, "x", x, ex);
    }
    (dtype === "f32" ? this.raw.squared_deviations_f32 : this.raw.squared_deviations_f64)(rows, C, P, x, mean, sq);
  }

  /** x̂ = (x − mean_c)·inv_c, stored, and y = γ_c·x̂ + β_c from x̂ as stored (mean, inv f64; γ, β of the dtype). */
  bnNormalize(dtype: DType, rows: number, C: number, P: number, x: number, xhat: number, y: number,
              mean: number, inv: number, gamma: number, beta: number): void {
    const fn = "bnNormalize", S = elementBytes(fn, dtype), n = this.channelShape(fn, rows, C, P);
    const ex = this.range(fn, "x", x, n, S), eh = this.range(fn, "xhat", xhat, n, S), ey = this.range(fn, "y", y, n, S);
    const em = this.range(fn, "mean", mean, C, 8), ei = this.range(fn, "inv", inv, C, 8);
    const eg = this.range(fn, "gamma", gamma, C, S), eb = this.range(fn, "beta", beta, C, S);
    if (n > 0) {
      disjoint(fn, "y", y, ey, "xhat", xhat, eh);
      disjoint(fn, "xhat", xhat, eh, "x", x, ex);
      disjoint(fn, "y", y, ey, "x", x, ex);
      disjoint(fn, "xhat", xhat, eh, "mean", mean, em);
      disjoint(fn, "xhat", xhat, eh, "inv", inv, ei);
      disjoint(fn, "xhat", xhat, eh, "gamma", gamma, eg);
      disjoint(fn, "xhat", xhat, eh, "beta", beta, eb);
      disjoint(fn, "y", y, ey, "mean", mean, em);
      disjoint(fn, "y", y, ey, "inv", inv, ei);
      disjoint(fn, "y", y, ey, "gamma", gamma, eg);
      disjoint(fn, "y", y, ey, "beta", beta, eb);
    }
    (dtype === "f32" ? this.raw.bn_pass_f32 : this.raw.bn_pass_f64)(BnPass.Normalize, rows, C, P, x, 0, xhat, y, mean, inv, 0, gamma, beta);
  }

  /** y = a_c·x + b_c, or a_c·x when b = 0 (a, b f64); y may be x. */
  channelAffine(dtype: DType, rows: number, C: number, P: number, x: number, y: number, a: number, b: number): void {
    const fn = "channelAffine", S = elementBytes(fn, dtype), n = this.channelShape(fn, rows, C, P);
    const ex = this.range(fn, "x", x, n, S), ey = this.range(fn, "y", y, n, S), ea = this.range(fn, "a", a, C, 8);
    const eb = b !== 0 ? this.range(fn, "b", b, C, 8) : 0;
    if (n > 0) {
      if (x !== y) disjoint(fn, "y", y, ey, "x", x, ex);
      disjoint(fn, "y", y, ey, "a", a, ea);
      if (b !== 0) disjoint(fn, "y", y, ey, "b", b, eb);
    }
    (dtype === "f32" ? this.raw.bn_pass_f32 : this.raw.bn_pass_f64)(b !== 0 ? BnPass.Affine : BnPass.Scale, rows, C, P, x, 0, y, 0, a, b, 0, 0, 0);
  }

  /**
   * Batch norm's input gradient in training, gx = k_c·(N·g − Σg_c − x̂·Σ(g·x̂)_c) with k_c = γ_c·inv_c / N and
   * N = rows·P, from the output gradient g and the normalized input x̂ (sumG, sumGX, inv f64; γ of the dtype).
   */
  bnInputGradient(dtype: DType, rows: number, C: number, P: number, g: number, xhat: number, gx: number,
                  sumG: number, sumGX: number, inv: number, gamma: number): void {
    const fn = "bnInputGradient", S = elementBytes(fn, dtype), n = this.channelShape(fn, rows, C, P);
    const eo = this.range(fn, "gx", gx, n, S), eg = this.range(fn, "g", g, n, S), eh = this.range(fn, "xhat", xhat, n, S);
    const es = this.range(fn, "sumG", sumG, C, 8), esx = this.range(fn, "sumGX", sumGX, C, 8);
    const ei = this.range(fn, "inv", inv, C, 8), ega = this.range(fn, "gamma", gamma, C, S);
    if (n > 0) {
      disjoint(fn, "gx", gx, eo, "g", g, eg);
      disjoint(fn, "gx", gx, eo, "xhat", xhat, eh);
      disjoint(fn, "gx", gx, eo, "sumG", sumG, es);
      disjoint(fn, "gx", gx, eo, "sumGX", sumGX, esx);
      disjoint(fn, "gx", gx, eo, "inv", inv, ei);
      disjoint(fn, "gx", gx, eo, "gamma", gamma, ega);
    }
    (dtype === "f32" ? this.raw.bn_pass_f32 : this.raw.bn_pass_f64)(BnPass.Gradient, rows, C, P, g, xhat, gx, 0, sumG, sumGX, inv, gamma, 0);
  }

  /**
   * Adam step t ≥ 1 (Kingma & Ba 2015, Algorithm 1, arranged as PyTorch does) on n parameters x with
   * gradient g and moment buffers m, v (zero before step 1).
   */
  adam(dtype: DType, n: number, x: number, g: number, m: number, v: number,
       lr: number, beta1: number, beta2: number, eps: number, t: number): void {
    const S = elementBytes("adam", dtype);
    size("adam", "n", n);
    if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`adam: lr must be positive and finite, got ${lr}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`adam: beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`adam: beta2 must be in [0, 1), got ${beta2}`);
    if (!(eps > 0 && Number.isFinite(eps))) throw new RangeError(`adam: eps must be positive and finite, got ${eps}`);
    if (!(Number.isInteger(t) && t >= 1)) throw new RangeError(`adam: t must be an integer ≥ 1, got ${t}`);
    const ex = this.range("adam", "x", x, n, S), eg = this.range("adam", "g", g, n, S);
    const em = this.range("adam", "m", m, n, S), ev = this.range("adam", "v", v, n, S);
    if (n > 0) {
      disjoint("adam", "x", x, ex, "g", g, eg);
      disjoint("adam", "x", x, ex, "m", m, em);
      disjoint("adam", "x", x, ex, "v", v, ev);
      disjoint("adam", "m", m, em, "v", v, ev);
    }
    const bc1 = 1 - powInt(beta1, t), bc2 = 1 - powInt(beta2, t);
    if (this.team?.adam(dtype === "f32", n, x, g, m, v, beta1, 1 - beta1, beta2, 1 - beta2, lr / bc1, Math.sqrt(bc2), eps)) return;
    (dtype === "f32" ? this.raw.adam_f32 : this.raw.adam_f64)(
      n, x, g, m, v, beta1, 1 - beta1, beta2, 1 - beta2, lr / bc1, Math.sqrt(bc2), eps);
  }

  /** The checks of the elementwise y = f(x): y is x, or disjoint from it. */
  private unary(fn: string, dtype: DType, n: number, x: number, y: number, f32: UnaryFn, f64: UnaryFn): void {
    const S = elementBytes(fn, dtype);
    size(fn, "n", n);
    const ex = this.range(fn, "x", x, n, S);
    const ey = this.range(fn, "y", y, n, S);
    if (n > 0 && x !== y) disjoint(fn, "y", y, ey, "x", x, ex);
    (dtype === "f32" ? f32 : f64)(n, x, y);
  }

  /** The checks of g ← g·f′(y): g and y disjoint. */
  private unaryBackward(fn: string, dtype: DType, n: number, y: number, g: number, f32: UnaryBackwardFn, f64: UnaryBackwardFn): void {
    const S = elementBytes(fn, dtype);
    size(fn, "n", n);
    const ey = this.range(fn, "y", y, n, S);
    const eg = this.range(fn, "g", g, n, S);
    if (n > 0) disjoint(fn, "g", g, eg, "y", y, ey);
    (dtype === "f32" ? f32 : f64)(n, y, g);
  }

  /** The checks shared by im2col and col2im (`out` names the one written); returns the element size. */
  private unfolding(fn: string, dtype: DType, c: number, h: number, w: number, kh: number, kw: number, stride: number,
                    pad: number, oh: number, ow: number, x: number, cols: number, ldc: number, out: "x" | "cols", samples = 1): number {
    const S = elementBytes(fn, dtype);
    size(fn, "c", c);
    size(fn, "h", h);
    size(fn, "w", w);
    positive(fn, "kh", kh);
    positive(fn, "kw", kw);
    positive(fn, "stride", stride);
    size(fn, "pad", pad);
    outputSize(fn, "oh", oh, "h", h, "kh", kh, stride, pad);
    outputSize(fn, "ow", ow, "w", w, "kw", kw, stride, pad);
    const ex = this.range(fn, "x", x, samples * c * h * w, S);
    const ec = this.matrix(fn, "cols", cols, c * kh * kw, samples * oh * ow, ldc, S, "ldc");
    if (out === "cols" && samples * c > 0) disjoint(fn, "cols", cols, ec, "x", x, ex);
    if (out === "x" && samples * c * h * w > 0) disjoint(fn, "x", x, ex, "cols", cols, ec);
    return S;
  }

  /** Checks the sizes of rows × C × P data (batch norm, permute); returns its element count. */
  private channelShape(fn: string, rows: number, C: number, P: number): number {
    size(fn, "rows", rows);
    size(fn, "C", C);
    size(fn, "P", P);
    const n = rows * C * P;
    if (n > MAX_I32) throw new RangeError(`${fn}: rows·C·P = ${n} exceeds 2³¹ − 1 elements`);
    return n;
  }

  /** Checks a rows×cols matrix at ptr with leading dimension ld; returns its end (exclusive byte). */
  private matrix(fn: string, name: string, ptr: number, rows: number, cols: number, ld: number, S: number, ldName: string): number {
    if (!Number.isInteger(ld) || ld < Math.max(1, cols) || ld > MAX_I32) {
      throw new RangeError(`${fn}: ${ldName} = ${ld} must be an integer ≥ max(1, ${cols}), the columns of ${name} as stored`);
    }
    if (rows === 0 || cols === 0) return ptr;
    return this.span(fn, name, ptr, ((rows - 1) * ld + cols) * S, S, `${rows}×${cols}, ${ldName} ${ld}`);
  }

  /** Checks a vector of count elements of S bytes; returns its end. */
  private range(fn: string, name: string, ptr: number, count: number, S: number): number {
    if (count === 0) return ptr;
    return this.span(fn, name, ptr, count * S, S, `${count} elements`);
  }

  private span(fn: string, name: string, ptr: number, bytes: number, S: number, what: string): number {
    if (!Number.isInteger(ptr) || ptr <= 0 || ptr % S !== 0) {
      throw new RangeError(`${fn}: ${name} must be a non-null pointer aligned to ${S} bytes, got ${ptr}`);
    }
    const end = ptr + bytes;
    if (end > this.heap.byteLength) {
      throw new RangeError(`${fn}: ${name} (${what} at byte ${ptr}) ends at byte ${end}, past the heap's ${this.heap.byteLength}`);
    }
    return end;
  }

  private epilogue(fn: string, e: Epilogue, m: number, n: number, S: number, c: number, ec: number): void {
    if (e === NO_EPILOGUE) return;
    if (e.act !== Act.None && e.act !== Act.ReLU && e.act !== Act.LeakyReLU) {
      throw new RangeError(`${fn}: epilogue.act must be 0 (none), 1 (ReLU) or 2 (LeakyReLU), got ${e.act}`);
    }
    if (e.biasAxis !== BiasAxis.Column && e.biasAxis !== BiasAxis.Row) {
      throw new RangeError(`${fn}: epilogue.biasAxis must be 0 (per column) or 1 (per row), got ${e.biasAxis}`);
    }
    finite(fn, "epilogue.slope", e.slope);
    if (m === 0 || n === 0) return;
    if (e.bias !== 0) {
      const eb = this.range(fn, "epilogue.bias", e.bias, e.biasAxis === BiasAxis.Row ? m : n, S);
      disjoint(fn, "C", c, ec, "epilogue.bias", e.bias, eb);
    }
    if (e.mask !== 0) {
      const em = this.range(fn, "epilogue.mask", e.mask, m * n, 1);
      disjoint(fn, "C", c, ec, "epilogue.mask", e.mask, em);
    }
  }
}

/**
 * b^t by squaring: a fixed sequence of IEEE multiplications, so the same bits in every engine (Math.pow
 * is not required to be correctly rounded, and engines differ in its last bit).
 */
function powInt(b: number, t: number): number {
  let r = 1;
  for (let e = t, x = b; e > 0; e >>= 1, x *= x) if (e & 1) r *= x;
  return r;
}

function elementBytes(fn: string, dtype: DType): number {
  if (dtype !== "f32" && dtype !== "f64") throw new RangeError(`${fn}: dtype must be "f32" or "f64", got ${String(dtype)}`);
  return BYTES[dtype];
}

function sizes(fn: string, m: number, n: number, k: number): void {
  size(fn, "m", m);
  size(fn, "n", n);
  size(fn, "k", k);
}

function size(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_I32) throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
}

function positive(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > MAX_I32) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
}

/** A convolution's output size along one axis: o = ⌊(n + 2·pad − k) / stride⌋ + 1, with the kernel inside the padded image. */
function outputSize(fn: string, name: string, o: number, nName: string, n: number, kName: string, k: number, stride: number, pad: number): void {
  if (n + 2 * pad < k) {
    throw new RangeError(`${fn}: ${kName} = ${k} exceeds the padded image: ${nName} + 2·pad = ${n + 2 * pad}`);
  }
  const want = Math.floor((n + 2 * pad - k) / stride) + 1;
  if (o !== want) {
    throw new RangeError(`${fn}: ${name} must be ⌊(${nName} + 2·pad − ${kName}) / stride⌋ + 1 = ⌊(${n} + ${2 * pad} − ${k}) / ${stride}⌋ + 1 = ${want}, got ${o}`);
  }
}

function finite(fn: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name} must be finite, got ${v}`);
}

function disjoint(fn: string, out: string, o0: number, o1: number, inp: string, i0: number, i1: number): void {
  if (o0 < i1 && i0 < o1) throw new RangeError(`${fn}: ${out} (bytes ${o0}–${o1}) overlaps ${inp} (bytes ${i0}–${i1})`);
}
