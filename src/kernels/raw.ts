/**
 * The raw kernel interface: exactly the WebAssembly module's exports (assembly/index.ts). The TS twin
 * (js.ts) implements the same signatures over the same memory layout. Pointers are byte offsets into
 * the heap; nothing here checks its arguments — `Kernels` (kernels.ts) does, once, for both backends.
 *
 * Flags are 0/1; `opB` an OpB code; `act` an Act code, `biasAxis` a BiasAxis code; bias = 0 / mask = 0
 * mean none. Packed op(B) (pack_b_*): ⌈n / NR⌉ panels, each k rows of NR elements (NR = 32 bytes /
 * element size, zero-padded past column n), panel after panel — the same bytes on both backends.
 * exp, sigmoid and tanh (forward and backward) exist in float32 only; `Kernels` computes float64 in TS.
 */
export interface RawKernels {
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  gemm_part_f32: GemmPartFn;
  gemm_part_f64: GemmPartFn;
  count_zeros_f32: CountZerosFn;
  count_zeros_f64: CountZerosFn;
  pack_b_f32: PackBFn;
  pack_b_f64: PackBFn;
  bias_act_f32: BiasActFn;
  bias_act_f64: BiasActFn;
  act_backward_f32: ActBackwardFn;
  act_backward_f64: ActBackwardFn;
  axpy_f32: AxpyFn;
  axpy_f64: AxpyFn;
  scale_f32: ScaleFn;
  scale_f64: ScaleFn;
  sumsq_f32: SumsqFn;
  sumsq_f64: SumsqFn;
  row_sumsq_f32: RowSumsqFn;
  row_sumsq_f64: RowSumsqFn;
  col_sums_f32: ColSumsFn;
  col_sums_f64: ColSumsFn;
  adam_f32: AdamFn;
  adam_f64: AdamFn;
  exp_f32: UnaryFn;
  sigmoid_f32: UnaryFn;
  tanh_f32: UnaryFn;
  sigmoid_backward_f32: UnaryBackwardFn;
  tanh_backward_f32: UnaryBackwardFn;
  im2col_f32: Im2colFn;
  im2col_f64: Im2colFn;
  col2im_f32: Col2imFn;
  col2im_f64: Col2imFn;
  permute_f32: PermuteFn;
  permute_f64: PermuteFn;
  channel_sums_f32: ChannelSumsFn;
  channel_sums_f64: ChannelSumsFn;
  squared_deviations_f32: SquaredDeviationsFn;
  squared_deviations_f64: SquaredDeviationsFn;
  bn_pass_f32: BnPassFn;
  bn_pass_f64: BnPassFn;
}

export type GemmFn = (
  transA: number, opB: number, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  bias: number, biasAxis: number, act: number, slope: number, mask: number,
) => void;
/**
 * gemm with the mask's row stride ldm (n for a whole product) and the sparse decision `sparse` (Sparse:
 * Auto decides by the rule of useSparse; Yes and No are a decision the caller took for a whole product it
 * splits into parts, so that every part skips exactly the terms the whole would).
 */
export type GemmPartFn = (
  transA: number, opB: number, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  bias: number, biasAxis: number, act: number, slope: number, mask: number, ldm: number, sparse: number,
) => void;
/** Entries ±0 of the rows×cols matrix at x (leading dimension ld), as a number. */
export type CountZerosFn = (rows: number, cols: number, x: number, ld: number) => number;
export type PackBFn = (transB: number, k: number, n: number, b: number, ldb: number, dst: number) => void;
export type BiasActFn = (
  m: number, n: number, c: number, ldc: number, bias: number, biasAxis: number, act: number, slope: number, mask: number,
) => void;
export type ActBackwardFn = (m: number, n: number, g: number, ldg: number, mask: number, act: number, slope: number) => void;
export type AxpyFn = (n: number, alpha: number, x: number, y: number) => void;
export type ScaleFn = (n: number, alpha: number, x: number) => void;
export type SumsqFn = (n: number, x: number) => number;
export type RowSumsqFn = (m: number, n: number, x: number, ldx: number, out: number) => void;
export type ColSumsFn = (m: number, n: number, x: number, ldx: number, out: number) => void;
export type AdamFn = (
  n: number, x: number, g: number, m: number, v: number,
  b1: number, c1: number, b2: number, c2: number, step: number, sqrtBc2: number, eps: number,
) => void;

/** y = f(x) on n elements. */
export type UnaryFn = (n: number, x: number, y: number) => void;
/** g ← g·f′ on n elements, f′ from f's output y. */
export type UnaryBackwardFn = (n: number, y: number, g: number) => void;
export type Im2colFn = (
  c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, oh: number, ow: number,
  x: number, cols: number, ldc: number,
) => void;
export type Col2imFn = (
  c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, oh: number, ow: number,
  cols: number, ldc: number, x: number,
) => void;

export type PermuteFn = (n: number, C: number, P: number, sampleMajor: number, channelMajor: number, toChannelMajor: number) => void;
export type ChannelSumsFn = (rows: number, C: number, P: number, a: number, b: number, sum: number, sum2: number) => void;
export type SquaredDeviationsFn = (rows: number, C: number, P: number, x: number, mean: number, sq: number) => void;
export type BnPassFn = (
  kind: number, rows: number, C: number, P: number, x: number, in2: number, out: number, out2: number,
  c0: number, c1: number, c2: number, t0: number, t1: number,
) => void;

/** The elementwise passes of batch norm (bn_pass_*), codes of assembly/batchnorm.ts. */
export const BnPass = { Normalize: 0, Affine: 1, Scale: 2, Gradient: 3 } as const;
export type BnPass = (typeof BnPass)[keyof typeof BnPass];

/** How gemm reads B: op(B) = B, Bᵀ, or prepacked by pack_b (codes of assembly/gemm.ts). */
export const OpB = { N: 0, T: 1, Packed: 2 } as const;
export type OpB = (typeof OpB)[keyof typeof OpB];

/** Columns per packed panel: 32 bytes of elements (8 f32, 4 f64), as assembly/gemm.ts's NR. */
export function panelWidth(elementBytes: number): number {
  return 32 / elementBytes;
}

/** Bytes of a packed k×n op(B): ⌈n / NR⌉ panels of k·NR elements. */
export function packedBBytes(elementBytes: number, k: number, n: number): number {
  const nr = panelWidth(elementBytes);
  return Math.ceil(n / nr) * nr * k * elementBytes;
}

/**
 * Whether gemm with β = 0 takes its sparse path, which skips the terms with a_ik = 0: m ≥ 4 rows, n ≥ 128
 * columns and at least 40 % of op(A)'s m·k entries ±0 — the rule of assembly/gemm.ts (sparseShape,
 * sparseEnough), so both backends decide alike. `zeros` counts them, called only when the shape qualifies.
 */
export function useSparse(m: number, n: number, k: number, zeros: () => number): boolean {
  return m >= 4 && n >= 128 && zeros() * 5 >= 2 * m * k;
}

/** gemm_part's sparse argument (assembly/gemm.ts: SPARSE_AUTO, SPARSE_NO, SPARSE_YES). */
export const Sparse = { Auto: -1, No: 0, Yes: 1 } as const;
export type Sparse = (typeof Sparse)[keyof typeof Sparse];

/**
 * Activation codes shared with assembly/epilogue.ts.
 *
 * @example
 * import { Mat, gemm, Act, NO_EPILOGUE } from "surfing";
 * const A = Mat.from(1, 2, [1, -1], "f64"), I = Mat.from(2, 2, [1, 0, 0, 1], "f64"), C = Mat.zeros(1, 2, "f64");
 * gemm(C, A, I, { epilogue: { ...NO_EPILOGUE, act: Act.ReLU } });   // C = ReLU(A·I)
 * C.toArray();   // → [1, 0]
 */
export const Act = { None: 0, ReLU: 1, LeakyReLU: 2 } as const;
export type Act = (typeof Act)[keyof typeof Act];

/**
 * Bias broadcast: one value per column (Linear layers) or per row (channels of a conv).
 *
 * @example
 * import { Mat, gemm, BiasAxis, NO_EPILOGUE } from "surfing";
 * const A = Mat.from(2, 1, [1, 2], "f64"), B = Mat.from(1, 3, [1, 1, 1], "f64"), C = Mat.zeros(2, 3, "f64");
 * const bias = Mat.from(1, 3, [10, 20, 30], "f64");   // one value per column, as a Linear layer's
 * gemm(C, A, B, { epilogue: { ...NO_EPILOGUE, bias: bias.ptr, biasAxis: BiasAxis.Column } });
 * C.toArray();   // → [11, 21, 31, 12, 22, 32]
 */
export const BiasAxis = { Column: 0, Row: 1 } as const;
export type BiasAxis = (typeof BiasAxis)[keyof typeof BiasAxis];
