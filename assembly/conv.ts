// im2col and col2im: a 2-D convolution (dilation 1) of one NCHW sample as a matrix product.
//
// cols is the (c·kh·kw) × (oh·ow) matrix, stored with leading dimension ldc ≥ oh·ow, whose row
// (ci·kh + i)·kw + j, column oy·ow + ox holds x[ci][oy·stride − pad + i][ox·stride − pad + j], or 0 where
// that lies in the zero padding. (ldc > oh·ow lets the samples of a batch sit side by side in one
// matrix, so that a convolution layer is one gemm for the whole batch.)
// im2col writes cols (a pure copy). col2im is its adjoint: it adds every element of cols into the
// element of x it came from, visiting ci, i, j, oy, ox in that nested order — the contract the TS
// twin follows, so each element of x receives its terms in the same order on both backends (the
// vector steps run over ox within one row of cols, whose terms all go to different elements of x).

import { lanes } from "./layout";

// Rows of cols are short (ow elements, 3 to 28 in the DCGAN layers): plain loops, as memory.fill and
// memory.copy are calls into the engine that cost more than such a row (im2col ran 2.5× slower with them).

/** dst[q] = src[q·stride] for q < len. */
// @ts-ignore: decorator
@inline function gather<T>(dst: usize, src: usize, stride: i32, len: i32): void {
  const step = <usize>stride * sizeof<T>(), end = dst + <usize>len * sizeof<T>();
  for (; dst < end; dst += sizeof<T>(), src += step) store<T>(dst, load<T>(src));
}

/** dst[q] = 0 for q0 ≤ q < q1. */
// @ts-ignore: decorator
@inline function zero<T>(dst: usize, q0: i32, q1: i32): void {
  const end = dst + <usize>q1 * sizeof<T>();
  for (dst += <usize>q0 * sizeof<T>(); dst < end; dst += sizeof<T>()) store<T>(dst, <T>0);
}

/** dst[q·stride] += src[q] for q < len, in order of q. */
// @ts-ignore: decorator
@inline function scatterAdd<T>(dst: usize, stride: i32, src: usize, len: i32): void {
  const S = <usize>sizeof<T>();
  let q = 0;
  if (stride == 1) {
    for (; q + lanes<T>() <= len; q += lanes<T>()) {
      const o = <usize>q * S;
      v128.store(dst + o, v128.add<T>(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; q < len; q++) {
    const d = dst + <usize>q * <usize>stride * S;
    store<T>(d, load<T>(d) + load<T>(src + <usize>q * S));
  }
}

/** im2col (adjoint = false) or col2im (adjoint = true): one walk over the rows of cols. */
// @ts-ignore: decorator
@inline function unfold<T>(adjoint: bool, c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32,
                           oh: i32, ow: i32, x: usize, cols: usize, ldc: i32): void {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>ow * S;
  let start = cols;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + <usize>ci * <usize>h * <usize>w * S;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, start += <usize>ldc * S) {
        let row = start;
        // The ox whose input column ox·stride − pad + j lies inside [0, w): ox0 ≤ ox < ox1.
        const ox0 = min(ow, pad > j ? (pad - j + stride - 1) / stride : 0);
        const ox1 = max(ox0, w + pad > j ? min(ow, (w + pad - j + stride - 1) / stride) : 0);
        for (let oy = 0; oy < oh; oy++, row += rowBytes) {
          const iy = oy * stride - pad + i;
          const inside = iy >= 0 && iy < h && ox1 > ox0;
          const src = plane + <usize>(iy * w + ox0 * stride - pad + j) * S;
          if (adjoint) {
            if (inside) scatterAdd<T>(src, stride, row + <usize>ox0 * S, ox1 - ox0);
          } else if (!inside) {
            zero<T>(row, 0, ow);
          } else {
            zero<T>(row, 0, ox0);
            gather<T>(row + <usize>ox0 * S, src, stride, ox1 - ox0);
            zero<T>(row, ox1, ow);
          }
        }
      }
    }
  }
}

export function im2col<T>(c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32,
                          oh: i32, ow: i32, x: usize, cols: usize, ldc: i32): void {
  unfold<T>(false, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
}

export function col2im<T>(c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32,
                          oh: i32, ow: i32, cols: usize, ldc: i32, x: usize): void {
  unfold<T>(true, c, h, w, kh, kw, stride, pad, oh, ow, x, cols, ldc);
}

/** Copy `bytes` (a multiple of 4) from src to dst, regions disjoint: 16 bytes at a time, then the rest. */
// @ts-ignore: decorator
@inline function copyBytes(dst: usize, src: usize, bytes: usize): void {
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < bytes; o += 4) store<u32>(dst + o, load<u32>(src + o));
}

/**
 * Between a chunk's sample-major layout, n samples × C channels × P positions, and the channel-major one,
 * C × (n·P) (src/nn/ops/conv.ts): toChannelMajor copies block (s, c) of the first to block (c, s) of the
 * second, else back. A pure copy: V8's copyWithin per block of a few hundred bytes cost more than the copy.
 */
export function permute<T>(n: i32, C: i32, P: i32, sampleMajor: usize, channelMajor: usize, toChannelMajor: bool): void {
  const bytes = <usize>P * sizeof<T>();
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < C; c++) {
      const a = sampleMajor + (<usize>s * <usize>C + <usize>c) * bytes, b = channelMajor + (<usize>c * <usize>n + <usize>s) * bytes;
      if (toChannelMajor) copyBytes(b, a, bytes);
      else copyBytes(a, b, bytes);
    }
  }
}
