// The surfing WebAssembly module: every kernel in f32 and f64. Pointers are byte offsets into this
// module's memory, which the host (src/kernels/heap.ts) owns and allocates; nothing here allocates.

import { gemm, packB, countZeros, workspaceBytes, setWorkspace, SPARSE_AUTO } from "./gemm";
import { epilogue, actBackward } from "./epilogue";
import { axpy, scale, sumsq, rowSumsq, colSums, adam } from "./vector";
import { exp, sigmoid, tanh, sigmoidBackward, tanhBackward } from "./activation";
import { im2col, col2im, permute } from "./conv";
import { channelSums, squaredDeviations, bnPass, BN_NORMALIZE, BN_AFFINE, BN_SCALE, BN_GRADIENT } from "./batchnorm";

export { workspaceBytes, setWorkspace };

/** First byte the host may allocate. */
export function heapBase(): usize {
  return __heap_base;
}

export function gemm_f32(transA: i32, opB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32,
                         b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
                         bias: usize, biasAxis: i32, act: i32, slope: f32, mask: usize): void {
  gemm<f32>(transA != 0, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, biasAxis, act, slope, mask, n, SPARSE_AUTO);
}
export function pack_b_f32(transB: i32, k: i32, n: i32, b: usize, ldb: i32, dst: usize): void {
  packB<f32>(transB != 0, k, n, b, ldb, dst);
}
export function gemm_f64(transA: i32, opB: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32,
                         b: usize, ldb: i32, beta: f64, c: usize, ldc: i32,
                         bias: usize, biasAxis: i32, act: i32, slope: f64, mask: usize): void {
  gemm<f64>(transA != 0, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, biasAxis, act, slope, mask, n, SPARSE_AUTO);
}
// A part of a product split between threads: gemm with the mask's row stride and the sparse decision given.
export function gemm_part_f32(transA: i32, opB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32,
                              b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
                              bias: usize, biasAxis: i32, act: i32, slope: f32, mask: usize, ldm: i32, sparse: i32): void {
  gemm<f32>(transA != 0, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, biasAxis, act, slope, mask, ldm, sparse);
}
export function gemm_part_f64(transA: i32, opB: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32,
                              b: usize, ldb: i32, beta: f64, c: usize, ldc: i32,
                              bias: usize, biasAxis: i32, act: i32, slope: f64, mask: usize, ldm: i32, sparse: i32): void {
  gemm<f64>(transA != 0, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, biasAxis, act, slope, mask, ldm, sparse);
}
/** Entries ±0 of the rows×cols matrix at x (leading dimension ld): what gemm's sparse rule counts. */
export function count_zeros_f32(rows: i32, cols: i32, x: usize, ld: i32): f64 { return <f64>countZeros<f32>(x, ld, rows, cols); }
export function count_zeros_f64(rows: i32, cols: i32, x: usize, ld: i32): f64 { return <f64>countZeros<f64>(x, ld, rows, cols); }
export function pack_b_f64(transB: i32, k: i32, n: i32, b: usize, ldb: i32, dst: usize): void {
  packB<f64>(transB != 0, k, n, b, ldb, dst);
}

export function bias_act_f32(m: i32, n: i32, c: usize, ldc: i32, bias: usize, biasAxis: i32, act: i32, slope: f32, mask: usize): void {
  epilogue<f32>(c, ldc, 0, m, 0, n, bias, biasAxis, act, slope, mask, n);
}
export function bias_act_f64(m: i32, n: i32, c: usize, ldc: i32, bias: usize, biasAxis: i32, act: i32, slope: f64, mask: usize): void {
  epilogue<f64>(c, ldc, 0, m, 0, n, bias, biasAxis, act, slope, mask, n);
}

export function act_backward_f32(m: i32, n: i32, g: usize, ldg: i32, mask: usize, act: i32, slope: f32): void {
  actBackward<f32>(m, n, g, ldg, mask, n, act, slope);
}
export function act_backward_f64(m: i32, n: i32, g: usize, ldg: i32, mask: usize, act: i32, slope: f64): void {
  actBackward<f64>(m, n, g, ldg, mask, n, act, slope);
}

export function axpy_f32(n: i32, alpha: f32, x: usize, y: usize): void { axpy<f32>(n, alpha, x, y); }
export function axpy_f64(n: i32, alpha: f64, x: usize, y: usize): void { axpy<f64>(n, alpha, x, y); }
export function scale_f32(n: i32, alpha: f32, x: usize): void { scale<f32>(n, alpha, x); }
export function scale_f64(n: i32, alpha: f64, x: usize): void { scale<f64>(n, alpha, x); }
export function sumsq_f32(n: i32, x: usize): f64 { return sumsq<f32>(n, x); }
export function sumsq_f64(n: i32, x: usize): f64 { return sumsq<f64>(n, x); }
export function row_sumsq_f32(m: i32, n: i32, x: usize, ldx: i32, out: usize): void { rowSumsq<f32>(m, n, x, ldx, out); }
export function row_sumsq_f64(m: i32, n: i32, x: usize, ldx: i32, out: usize): void { rowSumsq<f64>(m, n, x, ldx, out); }
export function col_sums_f32(m: i32, n: i32, x: usize, ldx: i32, out: usize): void { colSums<f32>(m, n, x, ldx, out); }
export function col_sums_f64(m: i32, n: i32, x: usize, ldx: i32, out: usize): void { colSums<f64>(m, n, x, ldx, out); }

// float32 only: float64 is computed by the host (src/kernels/js.ts).
export function exp_f32(n: i32, x: usize, y: usize): void { exp(n, x, y); }
export function sigmoid_f32(n: i32, x: usize, y: usize): void { sigmoid(n, x, y); }
export function tanh_f32(n: i32, x: usize, y: usize): void { tanh(n, x, y); }
export function sigmoid_backward_f32(n: i32, y: usize, g: usize): void { sigmoidBackward(n, y, g); }
export function tanh_backward_f32(n: i32, y: usize, g: usize): void { tanhBackward(n, y, g); }

export function im2col_f32(c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32, x: usize, cols: usize, ldc: i32): void {
  im2col<f32>(c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
}
export function im2col_f64(c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32, x: usize, cols: usize, ldc: i32): void {
  im2col<f64>(c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
}
export function col2im_f32(c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32, cols: usize, ldc: i32, x: usize): void {
  col2im<f32>(c, h, w, kh, kw, stride, pad, oh, ow, cols, ldc, x);
}
export function col2im_f64(c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32, cols: usize, ldc: i32, x: usize): void {
  col2im<f64>(c, h, w, kh, kw, stride, pad, oh, ow, cols, ldc, x);
}

export function permute_f32(n: i32, C: i32, P: i32, sampleMajor: usize, channelMajor: usize, toChannelMajor: i32): void {
  permute<f32>(n, C, P, sampleMajor, channelMajor, toChannelMajor != 0);
}
export function permute_f64(n: i32, C: i32, P: i32, sampleMajor: usize, channelMajor: usize, toChannelMajor: i32): void {
  permute<f64>(n, C, P, sampleMajor, channelMajor, toChannelMajor != 0);
}

export function channel_sums_f32(rows: i32, C: i32, P: i32, a: usize, b: usize, sum: usize, sum2: usize): void {
  channelSums<f32>(rows, C, P, a, b, sum, sum2);
}
export function channel_sums_f64(rows: i32, C: i32, P: i32, a: usize, b: usize, sum: usize, sum2: usize): void {
  channelSums<f64>(rows, C, P, a, b, sum, sum2);
}
export function squared_deviations_f32(rows: i32, C: i32, P: i32, x: usize, mean: usize, sq: usize): void {
  squaredDeviations<f32>(rows, C, P, x, mean, sq);
}
export function squared_deviations_f64(rows: i32, C: i32, P: i32, x: usize, mean: usize, sq: usize): void {
  squaredDeviations<f64>(rows, C, P, x, mean, sq);
}
// One specialized copy of the pass per kind (a constant inside it).
export function bn_pass_f32(kind: i32, rows: i32, C: i32, P: i32, x: usize, in2: usize, out: usize, out2: usize,
                            c0: usize, c1: usize, c2: usize, t0: usize, t1: usize): void {
  if (kind == BN_NORMALIZE) bnPass<f32>(BN_NORMALIZE, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
  else if (kind == BN_AFFINE) bnPass<f32>(BN_AFFINE, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
  else if (kind == BN_SCALE) bnPass<f32>(BN_SCALE, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
  else bnPass<f32>(BN_GRADIENT, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
}
export function bn_pass_f64(kind: i32, rows: i32, C: i32, P: i32, x: usize, in2: usize, out: usize, out2: usize,
                            c0: usize, c1: usize, c2: usize, t0: usize, t1: usize): void {
  if (kind == BN_NORMALIZE) bnPass<f64>(BN_NORMALIZE, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
  else if (kind == BN_AFFINE) bnPass<f64>(BN_AFFINE, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
  else if (kind == BN_SCALE) bnPass<f64>(BN_SCALE, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
  else bnPass<f64>(BN_GRADIENT, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1);
}

export function adam_f32(n: i32, x: usize, g: usize, m: usize, v: usize,
                         b1: f32, c1: f32, b2: f32, c2: f32, step: f32, sqrtBc2: f32, eps: f32): void {
  adam<f32>(n, x, g, m, v, b1, c1, b2, c2, step, sqrtBc2, eps);
}
export function adam_f64(n: i32, x: usize, g: usize, m: usize, v: usize,
                         b1: f64, c1: f64, b2: f64, c2: f64, step: f64, sqrtBc2: f64, eps: f64): void {
  adam<f64>(n, x, g, m, v, b1, c1, b2, c2, step, sqrtBc2, eps);
}
