// Batch normalization (Ioffe & Szegedy 2015) in training and unfolded eval mode: the per-channel sums and the
// elementwise passes of src/nn/ops/batchnorm.ts, in float64 arithmetic whatever T is, over NCHW rows:
// x[s][c][p] at element (s·C + c)·P + p, P positions per channel (1 for BatchNorm1d).
//
// Order of operations — the contract the TS twin (src/kernels/js.ts) reproduces bit for bit: a channel's
// sum starts at +0 and adds its elements sample by sample, position by position (s, then p, in order), one
// float64 addition each; every elementwise result is one float64 expression, evaluated as the twin writes it
// and rounded to T once, when stored. The vector loops below run across channels (P = 1: each lane is one
// channel's chain, still in order of s) or across positions of one channel (elementwise passes only), so
// they change no result. The per-channel sums of P > 1 are chains of dependent additions: four channels run
// side by side to hide the addition's latency, each still in its own order.

import { loadF64x2 } from "./layout";

// @ts-ignore: decorator
@inline function ld<T>(p: usize): f64 {
  return <f64>load<T>(p);
}

/** Two float64 lanes stored as T (float32: each rounded once, as a store into a Float32Array rounds). */
// @ts-ignore: decorator
@inline function storeF64x2<T>(p: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(p, v);
}

/** Elements 0 and 1 at p, and at q, as the lanes of one f64x2: (p[0], q[0]) — two channels' elements. */
// @ts-ignore: decorator
@inline function pair<T>(p: usize, q: usize): v128 {
  return f64x2.replace_lane(f64x2.splat(ld<T>(p)), 1, ld<T>(q));
}

/**
 * sum[c] = Σ_{s,p} a and, when b ≠ 0, sum2[c] = Σ_{s,p} a·b (sum, sum2: C float64). Each sum starts at +0 and
 * adds in order of s, then p.
 */
export function channelSums<T>(rows: i32, C: i32, P: i32, a: usize, b: usize, sum: usize, sum2: usize): void {
  const S = <usize>sizeof<T>();
  memory.fill(sum, 0, <usize>C << 3);
  if (b != 0) memory.fill(sum2, 0, <usize>C << 3);
  if (P == 1) {
    for (let s = 0; s < rows; s++) {
      const ra = a + <usize>s * <usize>C * S, rb = b + <usize>s * <usize>C * S;
      let c = 0;
      for (; c + 2 <= C; c += 2) {
        const o = <usize>c << 3, x = loadF64x2<T>(ra + <usize>c * S);
        v128.store(sum + o, f64x2.add(v128.load(sum + o), x));
        if (b != 0) v128.store(sum2 + o, f64x2.add(v128.load(sum2 + o), f64x2.mul(x, loadF64x2<T>(rb + <usize>c * S))));
      }
      for (; c < C; c++) {
        const o = <usize>c << 3, x = ld<T>(ra + <usize>c * S);
        store<f64>(sum + o, load<f64>(sum + o) + x);
        if (b != 0) store<f64>(sum2 + o, load<f64>(sum2 + o) + x * ld<T>(rb + <usize>c * S));
      }
    }
    return;
  }
  const plane = <usize>P * S;
  for (let s = 0; s < rows; s++) {
    const ra = a + <usize>s * <usize>C * plane, rb = b + <usize>s * <usize>C * plane;
    let c = 0;
    // Two channels per vector, two vectors: four chains at once.
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 3;
      let t01 = v128.load(sum + o), t23 = v128.load(sum + o, 16);
      let u01 = b != 0 ? v128.load(sum2 + o) : t01, u23 = b != 0 ? v128.load(sum2 + o, 16) : t23;
      let pa = ra + <usize>c * plane, pb = rb + <usize>c * plane;
      for (let p = 0; p < P; p++, pa += S, pb += S) {
        const x01 = pair<T>(pa, pa + plane), x23 = pair<T>(pa + 2 * plane, pa + 3 * plane);
        t01 = f64x2.add(t01, x01);
        t23 = f64x2.add(t23, x23);
        if (b != 0) {
          u01 = f64x2.add(u01, f64x2.mul(x01, pair<T>(pb, pb + plane)));
          u23 = f64x2.add(u23, f64x2.mul(x23, pair<T>(pb + 2 * plane, pb + 3 * plane)));
        }
      }
      v128.store(sum + o, t01);
      v128.store(sum + o, t23, 16);
      if (b != 0) {
        v128.store(sum2 + o, u01);
        v128.store(sum2 + o, u23, 16);
      }
    }
    for (; c < C; c++) {
      const o = <usize>c << 3;
      let t = load<f64>(sum + o), u = b != 0 ? load<f64>(sum2 + o) : 0;
      let pa = ra + <usize>c * plane, pb = rb + <usize>c * plane;
      for (let p = 0; p < P; p++, pa += S, pb += S) {
        const x = ld<T>(pa);
        t += x;
        if (b != 0) u += x * ld<T>(pb);
      }
      store<f64>(sum + o, t);
      if (b != 0) store<f64>(sum2 + o, u);
    }
  }
}

/** sq[c] = Σ_{s,p} (x − mean_c)², in channelSums' order (mean, sq: C float64). */
export function squaredDeviations<T>(rows: i32, C: i32, P: i32, x: usize, mean: usize, sq: usize): void {
  const S = <usize>sizeof<T>();
  memory.fill(sq, 0, <usize>C << 3);
  if (P == 1) {
    for (let s = 0; s < rows; s++) {
      const r = x + <usize>s * <usize>C * S;
      let c = 0;
      for (; c + 2 <= C; c += 2) {
        const o = <usize>c << 3, d = f64x2.sub(loadF64x2<T>(r + <usize>c * S), v128.load(mean + o));
        v128.store(sq + o, f64x2.add(v128.load(sq + o), f64x2.mul(d, d)));
      }
      for (; c < C; c++) {
        const o = <usize>c << 3, d = ld<T>(r + <usize>c * S) - load<f64>(mean + o);
        store<f64>(sq + o, load<f64>(sq + o) + d * d);
      }
    }
    return;
  }
  const plane = <usize>P * S;
  for (let s = 0; s < rows; s++) {
    const r = x + <usize>s * <usize>C * plane;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 3, m01 = v128.load(mean + o), m23 = v128.load(mean + o, 16);
      let t01 = v128.load(sq + o), t23 = v128.load(sq + o, 16);
      let pa = r + <usize>c * plane;
      for (let p = 0; p < P; p++, pa += S) {
        const d01 = f64x2.sub(pair<T>(pa, pa + plane), m01), d23 = f64x2.sub(pair<T>(pa + 2 * plane, pa + 3 * plane), m23);
        t01 = f64x2.add(t01, f64x2.mul(d01, d01));
        t23 = f64x2.add(t23, f64x2.mul(d23, d23));
      }
      v128.store(sq + o, t01);
      v128.store(sq + o, t23, 16);
    }
    for (; c < C; c++) {
      const o = <usize>c << 3, m = load<f64>(mean + o);
      let t = load<f64>(sq + o), pa = r + <usize>c * plane;
      for (let p = 0; p < P; p++, pa += S) {
        const d = ld<T>(pa) - m;
        t += d * d;
      }
      store<f64>(sq + o, t);
    }
  }
}

/**
 * The elementwise passes, one per `kind`, with per-channel constants (f64 arrays of C, or T arrays gamma, beta):
 *   NORMALIZE  x̂ = (x − mean_c)·inv_c, stored as T; y = γ_c·x̂ + β_c with x̂ as stored     (out = x̂, out2 = y)
 *   AFFINE     y = a_c·x + b_c                                                            (out = y)
 *   SCALE      y = a_c·x                                                                  (out = y)
 *   GRADIENT   ∂L/∂x = k_c·(N·g − Σg_c − x̂·Σ(g·x̂)_c), k_c = γ_c·inv_c / N, N = rows·P    (x = g, in2 = x̂, out = ∂L/∂x)
 */
export const BN_NORMALIZE: i32 = 0;
export const BN_AFFINE: i32 = 1;
export const BN_SCALE: i32 = 2;
export const BN_GRADIENT: i32 = 3;

/** Two elements of `kind` at byte offset o: the vector form of `one`, lane by lane the same expression. */
// @ts-ignore: decorator
@inline function two<T>(kind: i32, o: usize, x: usize, in2: usize, out: usize, out2: usize, v0: v128, v1: v128, v2: v128, v3: v128, vN: v128): void {
  const xv = loadF64x2<T>(x + o);
  if (kind == BN_NORMALIZE) {
    storeF64x2<T>(out + o, f64x2.mul(f64x2.sub(xv, v0), v1));
    storeF64x2<T>(out2 + o, f64x2.add(f64x2.mul(v2, loadF64x2<T>(out + o)), v3));
  } else if (kind == BN_AFFINE) {
    storeF64x2<T>(out + o, f64x2.add(f64x2.mul(v0, xv), v1));
  } else if (kind == BN_SCALE) {
    storeF64x2<T>(out + o, f64x2.mul(v0, xv));
  } else {
    storeF64x2<T>(out + o, f64x2.mul(v0, f64x2.sub(f64x2.sub(f64x2.mul(vN, xv), v1), f64x2.mul(loadF64x2<T>(in2 + o), v2))));
  }
}

/** One element of `kind` at byte offset o, with its channel's constants k0…k3. */
// @ts-ignore: decorator
@inline function one<T>(kind: i32, o: usize, x: usize, in2: usize, out: usize, out2: usize, k0: f64, k1: f64, k2: f64, k3: f64, N: f64): void {
  const xv = ld<T>(x + o);
  if (kind == BN_NORMALIZE) {
    store<T>(out + o, <T>((xv - k0) * k1));
    store<T>(out2 + o, <T>(k2 * ld<T>(out + o) + k3));
  } else if (kind == BN_AFFINE) {
    store<T>(out + o, <T>(k0 * xv + k1));
  } else if (kind == BN_SCALE) {
    store<T>(out + o, <T>(k0 * xv));
  } else {
    store<T>(out + o, <T>(k0 * (N * xv - k1 - ld<T>(in2 + o) * k2)));
  }
}

/**
 * One pass of `kind` over rows × C × P. The constants: c0, c1 float64 arrays of C (mean and inv; a and b;
 * Σg and Σ(g·x̂)), c2 = inv for GRADIENT; t0, t1 T arrays of C (γ and β for NORMALIZE; γ for GRADIENT).
 * GRADIENT's k_c = (γ_c·inv_c) / N is computed per element's channel as the twin does.
 */
// @ts-ignore: decorator
@inline export function bnPass<T>(kind: i32, rows: i32, C: i32, P: i32, x: usize, in2: usize, out: usize, out2: usize,
                          c0: usize, c1: usize, c2: usize, t0: usize, t1: usize): void {
  const S = <usize>sizeof<T>();
  const N = <f64>rows * <f64>P, vN = f64x2.splat(N);
  if (P == 1) {
    // across channels: lanes c, c + 1 with their own constants
    for (let s = 0; s < rows; s++) {
      const e = <usize>s * <usize>C * S;
      let c = 0;
      for (; c + 2 <= C; c += 2) {
        const cc = <usize>c << 3, ct = <usize>c * S;
        let v0 = f64x2.splat(0), v1 = v0, v2 = v0, v3 = v0;
        if (kind == BN_NORMALIZE) { v0 = v128.load(c0 + cc); v1 = v128.load(c1 + cc); v2 = loadF64x2<T>(t0 + ct); v3 = loadF64x2<T>(t1 + ct); }
        else if (kind == BN_AFFINE) { v0 = v128.load(c0 + cc); v1 = v128.load(c1 + cc); }
        else if (kind == BN_SCALE) { v0 = v128.load(c0 + cc); }
        else { v0 = f64x2.div(f64x2.mul(loadF64x2<T>(t0 + ct), v128.load(c2 + cc)), vN); v1 = v128.load(c0 + cc); v2 = v128.load(c1 + cc); }
        two<T>(kind, e + ct, x, in2, out, out2, v0, v1, v2, v3, vN);
      }
      for (; c < C; c++) bnChannel<T>(kind, e + <usize>c * S, 1, c, N, x, in2, out, out2, c0, c1, c2, t0, t1);
    }
    return;
  }
  for (let s = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) bnChannel<T>(kind, (<usize>s * <usize>C + <usize>c) * <usize>P * S, P, c, N, x, in2, out, out2, c0, c1, c2, t0, t1);
  }
}

/** The P elements of channel c from byte offset e: its constants splatted, two positions at a time. */
// @ts-ignore: decorator
@inline function bnChannel<T>(kind: i32, e: usize, P: i32, c: i32, N: f64, x: usize, in2: usize, out: usize, out2: usize,
                              c0: usize, c1: usize, c2: usize, t0: usize, t1: usize): void {
  const S = <usize>sizeof<T>();
  const cc = <usize>c << 3, ct = <usize>c * S;
  let k0: f64 = 0, k1: f64 = 0, k2: f64 = 0, k3: f64 = 0;
  if (kind == BN_NORMALIZE) { k0 = load<f64>(c0 + cc); k1 = load<f64>(c1 + cc); k2 = ld<T>(t0 + ct); k3 = ld<T>(t1 + ct); }
  else if (kind == BN_AFFINE) { k0 = load<f64>(c0 + cc); k1 = load<f64>(c1 + cc); }
  else if (kind == BN_SCALE) { k0 = load<f64>(c0 + cc); }
  else { k0 = (ld<T>(t0 + ct) * load<f64>(c2 + cc)) / N; k1 = load<f64>(c0 + cc); k2 = load<f64>(c1 + cc); }
  const v0 = f64x2.splat(k0), v1 = f64x2.splat(k1), v2 = f64x2.splat(k2), v3 = f64x2.splat(k3), vN = f64x2.splat(N);
  let p = 0;
  for (; p + 2 <= P; p += 2) two<T>(kind, e + <usize>p * S, x, in2, out, out2, v0, v1, v2, v3, vN);
  for (; p < P; p++) one<T>(kind, e + <usize>p * S, x, in2, out, out2, k0, k1, k2, k3, N);
}
