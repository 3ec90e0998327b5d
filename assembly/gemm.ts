// C = α·op(A)·op(B) + β·C, op ∈ {N, T}, with an optional fused epilogue (bias, activation, mask);
// op(B) may also be given prepacked (packB), for a matrix that is multiplied many times (weights).
//
// Order of operations — the contract the TS twin (src/kernels/js.ts) reproduces bit for bit:
//   c ← β = 0 ? 0 : β = 1 ? c : β·c
//   for k = 0 … K−1 in order:  c ← c + (α·a_ik)·b_kj     (α·a_ik rounded first; skipped when α = 1)
//   then the epilogue: z = c + bias, c = act(z), mask = z > 0.
// Every path below (tiles, edge tiles, row-by-row gemv, packed or not, sparse) keeps that per-element
// order, so a result does not depend on M, N, the blocking, prepacking, the path or the backend (with
// non-finite B, see the sparse path). No FMA: plain SIMD. α = 0 leaves A and B unread (BLAS convention),
// as does β = 0 for C.
//
// The sparse path (ReLU activations, and gradients masked by them, are about half zeros): when β = 0
// and the rule below (sparseShape, sparseEnough) holds for m, n and the count of entries ±0 among op(A)'s
// m·k, the terms with a_ik = ±0 are skipped; the TS twin applies the same rule to the same count. That
// changes no bit while B is finite: such a term is (α·a_ik)·b_kj = ±0, and c + ±0 = c unless c = −0;
// with β = 0, c starts at +0, and a sum under round-to-nearest is −0 only when both addends are, so c is
// never −0. (β ≠ 0 may start c at −0: never sparse there.) A b_kj = ±∞ or NaN facing a_ik = 0 would add
// a NaN, which the sparse path leaves out as well: with non-finite B the result depends on the decision,
// a pure function of m, n, k and op(A)'s zeros — the same on both backends, which still agree bit for bit.
//
// Layout (after XNNPACK rather than BLIS): op(B) is packed into panels of NR columns, [panel][k][NR]
// (per KC-block here, or whole by packB); A is mostly read in place by the micro-kernel through four
// row pointers (see packA in gemm): packing A costs as much as the product when N is small.

import { lanes, addr, opAt, transposeStore } from "./layout";
import { epilogue } from "./epilogue";

// Blocking, tuned on Zen 3: one B̃ micro-panel (KC×NR) stays in L1 while the micro-kernel sweeps an
// MC×KC block of A (L2); the B̃ block (KC×NC) sits in L3.
const MR: i32 = 4;      // micro-tile rows
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;
// Micro-tile: 4 rows × 2 vectors = 8 accumulators (4×8 f32, 4×4 f64). Larger tiles or a manually
// unrolled k loop spill V8's 15 usable SIMD registers and run at ~60 % of this speed (measured).
// @ts-ignore: decorator
@inline function NR<T>(): i32 { return 2 * lanes<T>(); }
// The sparse micro-tile: 1 row × SG panels = 6 accumulators. Each B̃ vector is used once, and V8 loads
// them all ahead: 4 panels (8 + 8 + 1 registers) spill and run at half speed (measured).
const SG: i32 = 3;

// Workspace, given by the host once (sized for f64): Ã (α ≠ 1, staging for gemv rows, or the sparse
// path's values), B̃, one C tile for edges; for the sparse path the B̃ row offsets of its values, their
// counts per row and the packing shuffles of compress (16 for 4-byte lanes, 4 for 8-byte, 16 bytes each).
let wsA: usize = 0;
let wsB: usize = 0;
let wsT: usize = 0;
let wsK: usize = 0;
let wsN: usize = 0;
let wsP: usize = 0;

export function workspaceBytes(): usize {
  return <usize>(MC * KC + KC * NC + MR * 8) * 8 + <usize>(MC * KC + MC) * 4 + 20 * 16;
}

export function setWorkspace(ptr: usize): void {
  wsA = ptr;
  wsB = wsA + <usize>(MC * KC) * 8;
  wsT = wsB + <usize>(KC * NC) * 8;
  wsK = wsT + <usize>(MR * 8) * 8;
  wsN = wsK + <usize>(MC * KC) * 4;
  wsP = wsN + <usize>MC * 4;
  packingShuffles(wsP, 4, 4);
  packingShuffles(wsP + 256, 2, 8);
}

// When gemm with β = 0 takes the sparse path (src/kernels/raw.ts, useSparse, is the same rule for the
// TS twin): m ≥ MR rows (fewer go row by row, unpacked), n ≥ SPARSE_MIN_N columns (compressing A costs
// O(mk): narrower products lose more than they save) and at least 40 % of op(A)'s entries ±0. Measured
// on 300 × 512 × n with A's zeros at random (f32 and f64 prepacked, and f32 TN): at 60 % nonzeros the
// sparse path takes 0.82–0.96 of the dense path's time at n = 128 and 0.73–0.88 at n ≥ 256, but up to
// 1.25 at n = 64 (TN, whose compress is scalar); its time ≈ (1.25·density + 0.1 + 12/n) × dense.
// bench/gemm.ts times the surfing step's four products at 100, 60, 50 and 30 % nonzeros.
const SPARSE_MIN_N: i32 = 128;

// @ts-ignore: decorator
@inline function sparseShape(m: i32, n: i32): bool {
  return m >= MR && n >= SPARSE_MIN_N;
}

// @ts-ignore: decorator
@inline function sparseEnough(m: i32, k: i32, zeros: i64): bool {
  return zeros * 5 >= <i64>m * <i64>k * 2;
}

/** op(B), the k×n matrix B or Bᵀ, or B prepacked by packB. */
export const OPB_N: i32 = 0;
export const OPB_T: i32 = 1;
export const OPB_PACKED: i32 = 2;

/**
 * Pack op(B) (k×n, transposed when transB) once, for any number of gemm calls with OPB_PACKED:
 * ⌈n / NR⌉ panels of k × NR elements (src/kernels/raw.ts, packedBBytes).
 */
export function packB<T>(transB: bool, k: i32, n: i32, b: usize, ldb: i32, dst: usize): void {
  packRows<T>(b, ldb, !transB, 0, n, 0, k, NR<T>(), <T>1, dst);
}

/**
 * Pack rows i0..i0+rows of op(X) (element (i, k) = trans ? X[k][i] : X[i][k]), columns p0..p0+kc,
 * into panels of P rows laid out [panel][k][P], zero-padding the last panel; multiply by α ≠ 1.
 * Ã is packRows(A, transA, P = MR); B̃ is packRows of op(B)ᵀ, i.e. (B, !transB, P = NR).
 */
function packRows<T>(x: usize, ld: i32, trans: bool, i0: i32, rows: i32, p0: i32, kc: i32, P: i32,
                     alpha: T, dst: usize): void {
  if (trans) packAlongRows<T>(x, ld, i0, rows, p0, kc, P, alpha, dst);
  else packTransposing<T>(x, ld, i0, rows, p0, kc, P, alpha, dst);
}

/** packRows when op(X)'s rows run along memory (trans): a copy, h elements per k and zeros after. */
function packAlongRows<T>(x: usize, ld: i32, i0: i32, rows: i32, p0: i32, kc: i32, P: i32, alpha: T, dst: usize): void {
  const L = lanes<T>();
  const S = <usize>sizeof<T>();
  const scale = alpha != <T>1;
  const va = v128.splat<T>(alpha);
  const panelBytes = <usize>kc * <usize>P * S;
  // Eight k at a time across all panels: each line of X read is used up while it is in L1
  // (panel by panel, every k would touch a new line: 20 % slower at 64×512×784, measured).
  for (let k0 = 0; k0 < kc; k0 += 8) {
    const k1 = min(kc, k0 + 8);
    for (let ip = 0; ip < rows; ip += P) {
      const h = min(P, rows - ip);
      let d = dst + <usize>(ip / P) * panelBytes + <usize>k0 * <usize>P * S;
      for (let k = k0; k < k1; k++) {
        const src = addr<T>(x, ld, p0 + k, i0 + ip);
        let r = 0;
        for (; r + L <= h; r += L) {
          const v = v128.load(src + <usize>r * S);
          v128.store(d + <usize>r * S, scale ? v128.mul<T>(v, va) : v);
        }
        for (; r < h; r++) store<T>(d + <usize>r * S, scale ? alpha * load<T>(src + <usize>r * S) : load<T>(src + <usize>r * S));
        for (; r < P; r++) store<T>(d + <usize>r * S, <T>0);
        d += <usize>P * S;
      }
    }
  }
}

/** packRows when op(X)'s rows run across memory (not trans): lanes×lanes transposes, the rest by element. */
function packTransposing<T>(x: usize, ld: i32, i0: i32, rows: i32, p0: i32, kc: i32, P: i32, alpha: T, dst: usize): void {
  const L = lanes<T>();
  const S = <usize>sizeof<T>();
  const ldB = <usize>ld * S;
  for (let ip = 0; ip < rows; ip += P) {
    const h = min(P, rows - ip);
    const hv = h - h % L;
    const panel = dst;
    let k = 0;
    for (; k + L <= kc; k += L) {
      for (let g = 0; g < hv; g += L) {
        transposeStore<T>(addr<T>(x, ld, i0 + ip + g, p0 + k), ldB, dst + <usize>g * S, <usize>P * S);
      }
      if (hv < P) {
        for (let q = 0; q < L; q++) {
          const d = dst + <usize>(q * P) * S;
          for (let r = hv; r < P; r++) store<T>(d + <usize>r * S, r < h ? load<T>(addr<T>(x, ld, i0 + ip + r, p0 + k + q)) : <T>0);
        }
      }
      dst += <usize>(L * P) * S;
    }
    for (; k < kc; k++) {
      for (let r = 0; r < P; r++) store<T>(dst + <usize>r * S, r < h ? load<T>(addr<T>(x, ld, i0 + ip + r, p0 + k)) : <T>0);
      dst += <usize>P * S;
    }
    if (alpha != <T>1) {
      const va = v128.splat<T>(alpha);
      for (let q = panel; q < dst; q += 16) v128.store(q, v128.mul<T>(v128.load(q), va));
    }
  }
}

/** c + a·b, rounded after the product and after the sum (no FMA: the order of the header). */
// @ts-ignore: decorator
@inline function madd<T>(c: v128, a: v128, b: v128): v128 {
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/** An accumulator's start: zero, or the vector of C at p. */
// @ts-ignore: decorator
@inline function start<T>(zero: bool, p: usize): v128 {
  return zero ? v128.splat<T>(<T>0) : v128.load(p);
}

/**
 * The micro-kernel: a MR × NR tile of C (row stride ldc bytes) plus A-rows × B̃ panel, sequential in k.
 * Row r of the A block is read at ar + k·ak for r = 0..3: packed Ã (ak = MR·S, rows S apart), or A in
 * place (rows lda·S apart with ak = S, or the reverse when A is transposed).
 */
// @ts-ignore: decorator
@inline function microTile<T>(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, ak: usize,
                              b: usize, c: usize, ldc: usize, fromZero: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (fromZero) {
    c00 = v128.splat<T>(<T>0);
    c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00;
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  const bEnd = b + (<usize>kc << 5);
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let av = v128.load_splat<T>(a0);
    c00 = madd<T>(c00, av, b0); c01 = madd<T>(c01, av, b1);
    av = v128.load_splat<T>(a1);
    c10 = madd<T>(c10, av, b0); c11 = madd<T>(c11, av, b1);
    av = v128.load_splat<T>(a2);
    c20 = madd<T>(c20, av, b0); c21 = madd<T>(c21, av, b1);
    av = v128.load_splat<T>(a3);
    c30 = madd<T>(c30, av, b0); c31 = madd<T>(c31, av, b1);
    a0 += ak; a1 += ak; a2 += ak; a3 += ak;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/**
 * One MR×NR tile of C from rows i..i+h of the A block (h ≤ MR; rows past h re-read row h−1 and are
 * discarded), w ≤ NR columns. A partial tile goes through a full-size copy in the workspace.
 */
// @ts-ignore: decorator
@inline function tile<T>(kc: i32, a: usize, ar: usize, ak: usize, h: i32, b: usize, c: usize, ldc: i32, w: i32, fromZero: bool): void {
  const nr = NR<T>();
  const a1 = a + <usize>min(1, h - 1) * ar, a2 = a + <usize>min(2, h - 1) * ar, a3 = a + <usize>min(3, h - 1) * ar;
  if (h == MR && w == nr) {
    microTile<T>(kc, a, a1, a2, a3, ak, b, c, <usize>ldc << alignof<T>(), fromZero);
    return;
  }
  stageTile<T>(MR, c, ldc, h, w, fromZero);
  microTile<T>(kc, a, a1, a2, a3, ak, b, wsT, 32, false);
  unstageTile<T>(c, ldc, h, w);
}

/**
 * A partial tile's way through wsT: the h×w corner of the C tile at c into rows × NR of wsT, zeros
 * elsewhere (everywhere when fromZero), for a micro-kernel that writes whole vectors; unstageTile copies
 * the corner back.
 */
// @ts-ignore: decorator
@inline function stageTile<T>(rows: i32, c: usize, ldc: i32, h: i32, w: i32, fromZero: bool): void {
  const nr = NR<T>();
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < nr; q++) {
      store<T>(addr<T>(wsT, nr, r, q), !fromZero && r < h && q < w ? load<T>(addr<T>(c, ldc, r, q)) : <T>0);
    }
  }
}

// @ts-ignore: decorator
@inline function unstageTile<T>(c: usize, ldc: i32, h: i32, w: i32): void {
  const nr = NR<T>();
  for (let r = 0; r < h; r++) {
    for (let q = 0; q < w; q++) store<T>(addr<T>(c, ldc, r, q), load<T>(addr<T>(wsT, nr, r, q)));
  }
}

/** Entries ±0 of the rows×cols matrix X (leading dimension ld): what sparseEnough decides on. */
export function countZeros<T>(x: usize, ld: i32, rows: i32, cols: i32): i64 {
  const L = lanes<T>();
  const zero = v128.splat<T>(<T>0);
  let zeros: i64 = 0;
  for (let i = 0; i < rows; i++) {
    const row = addr<T>(x, ld, i, 0);
    // v128.eq gives −1 in each lane that is ±0: subtracting counts them, per lane.
    let acc = i32x4.splat(0);
    let j = 0;
    for (; j + L <= cols; j += L) {
      const eq = v128.eq<T>(v128.load(row + (<usize>j << alignof<T>())), zero);
      acc = sizeof<T>() == 4 ? i32x4.sub(acc, eq) : i64x2.sub(acc, eq);
    }
    zeros += sizeof<T>() == 4
      ? <i64>(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3))
      : i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1);
    for (; j < cols; j++) zeros += <i64>(load<T>(addr<T>(x, ld, i, j)) == <T>0);
  }
  return zeros;
}

/**
 * The sparse path's Ã, for rows ic..ic+mc of op(A) and columns pc..pc+kc: each row's nonzero α·a_ik in
 * order of k (at wsA, kc elements apart), the byte offset of row k in a B̃ panel for each (at wsK) and
 * their count (at wsN). Branch-free: a lanes-wide step packs its nonzero lanes to the front with a
 * shuffle (wsP) and stores the whole vector, which the next step overwrites past the count.
 */
function compress<T>(transA: bool, a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32, alpha: T): void {
  const L = lanes<T>();
  const S = <usize>sizeof<T>();
  const rowBytes = NR<T>() * <i32>S;
  const zero = v128.splat<T>(<T>0), va = v128.splat<T>(alpha);
  const scale = alpha != <T>1;
  for (let r = 0; r < mc; r++) {
    const v = wsA + <usize>r * <usize>kc * S, o = wsK + (<usize>r * <usize>kc << 2);
    let count = 0, q = 0;
    if (!transA) {
      const src = addr<T>(a, lda, ic + r, pc);
      let offsets = i32x4(0, rowBytes, 2 * rowBytes, 3 * rowBytes);
      const step = i32x4.splat(L * rowBytes);
      for (; q + L <= kc; q += L) {
        const x = v128.load(src + <usize>q * S);
        const nonzero = v128.ne<T>(x, zero);
        const bits = sizeof<T>() == 4 ? i32x4.bitmask(nonzero) : i64x2.bitmask(nonzero);
        const pick32 = v128.load(wsP + (<usize>bits << 4));
        const pick = sizeof<T>() == 4 ? pick32 : v128.load(wsP + 256 + (<usize>bits << 4));
        v128.store(v + <usize>count * S, i8x16.swizzle(scale ? v128.mul<T>(x, va) : x, pick));
        const packed = i8x16.swizzle(offsets, pick32);
        if (sizeof<T>() == 4) v128.store(o + (<usize>count << 2), packed);
        else v128.store64_lane(o + (<usize>count << 2), packed, 0);
        count += popcnt(bits);
        offsets = i32x4.add(offsets, step);
      }
    }
    for (; q < kc; q++) {
      const x = opAt<T>(a, lda, transA, ic + r, pc + q);
      store<T>(v + <usize>count * S, scale ? alpha * x : x);
      store<u32>(o + (<usize>count << 2), <u32>(q * rowBytes));
      count += <i32>(x != <T>0);
    }
    store<i32>(wsN + (<usize>r << 2), count);
  }
}

/** For each mask of `count` lanes of `bytes` bytes, the i8x16.swizzle that packs the set lanes to the front. */
function packingShuffles(dst: usize, count: i32, bytes: i32): void {
  for (let mask = 0; mask < 1 << count; mask++) {
    const d = dst + (<usize>mask << 4);
    memory.fill(d, 0xff, 16);
    let j = 0;
    for (let lane = 0; lane < count; lane++) {
      if ((mask & (1 << lane)) == 0) continue;
      for (let b = 0; b < bytes; b++) store<u8>(d + <usize>(j * bytes + b), <u8>(lane * bytes + b));
      j++;
    }
  }
}

/**
 * The sparse micro-kernel: G ≤ SG panels of one row of C (a constant at each call), at c, c + NR, …
 * but the last at cl, plus the row's terms a_k·B̃[k] from its compressed list (values at v, B̃ row
 * offsets at o, count of them), in list order, which is k order. No branch in the loop: the list holds
 * only terms to add.
 */
// @ts-ignore: decorator
@inline function sparseMicroTile<T>(G: i32, count: i32, v: usize, o: usize, b: usize, panelBytes: usize,
                                    c: usize, cl: usize, fromZero: bool): void {
  const p0 = G == 1 ? cl : c, p1 = G == 2 ? cl : c + 32, p2 = cl;
  let c0 = start<T>(fromZero, p0), c1 = start<T>(fromZero, p0 + 16), c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  if (G > 1) { c2 = start<T>(fromZero, p1); c3 = start<T>(fromZero, p1 + 16); }
  if (G > 2) { c4 = start<T>(fromZero, p2); c5 = start<T>(fromZero, p2 + 16); }
  const b1 = b + panelBytes, b2 = b1 + panelBytes;
  const oEnd = o + (<usize>count << 2);
  while (o < oEnd) {
    const q = <usize>load<u32>(o);
    const av = v128.load_splat<T>(v);
    c0 = madd<T>(c0, av, v128.load(b + q)); c1 = madd<T>(c1, av, v128.load(b + q, 16));
    if (G > 1) { c2 = madd<T>(c2, av, v128.load(b1 + q)); c3 = madd<T>(c3, av, v128.load(b1 + q, 16)); }
    if (G > 2) { c4 = madd<T>(c4, av, v128.load(b2 + q)); c5 = madd<T>(c5, av, v128.load(b2 + q, 16)); }
    o += 4;
    v += sizeof<T>();
  }
  v128.store(p0, c0); v128.store(p0, c1, 16);
  if (G > 1) { v128.store(p1, c2); v128.store(p1, c3, 16); }
  if (G > 2) { v128.store(p2, c4); v128.store(p2, c5, 16); }
}

/**
 * Row r of the compressed block times the B̃ panels from b on, into w ≤ SG·NR columns of C at c, in one
 * pass over the row's list; a partial last panel goes through wsT.
 */
// @ts-ignore: decorator
@inline function sparseTile<T>(r: i32, kc: i32, w: i32, b: usize, panelBytes: usize, c: usize, ldc: i32, fromZero: bool): void {
  const S = <usize>sizeof<T>();
  const nr = NR<T>();
  const count = load<i32>(wsN + (<usize>r << 2));
  const v = wsA + <usize>r * <usize>kc * S, o = wsK + (<usize>r * <usize>kc << 2);
  const whole = w / nr, rest = w - whole * nr;
  const G = whole + <i32>(rest > 0);
  const last = c + <usize>((G - 1) * nr) * S;
  if (rest > 0) stageTile<T>(1, last, ldc, 1, rest, fromZero);
  const cl = rest > 0 ? wsT : last;
  if (G == SG) sparseMicroTile<T>(SG, count, v, o, b, panelBytes, c, cl, fromZero);
  else if (G == 2) sparseMicroTile<T>(2, count, v, o, b, panelBytes, c, cl, fromZero);
  else sparseMicroTile<T>(1, count, v, o, b, panelBytes, c, cl, fromZero);
  if (rest > 0) unstageTile<T>(last, ldc, 1, rest);
}

/**
 * s (lane r = output j + r) += Σ_{q < lanes} a[q] · B[j + r][q], in order of q: the lanes×lanes block of B
 * at src (row stride ld bytes) is transposed in registers.
 */
// @ts-ignore: decorator
@inline function dotBlock<T>(s: v128, src: usize, ld: usize, a: usize): v128 {
  if (sizeof<T>() == 4) {
    const r0 = v128.load(src), r1 = v128.load(src + ld), r2 = v128.load(src + 2 * ld), r3 = v128.load(src + 3 * ld);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    s = madd<T>(s, v128.load_splat<T>(a), i64x2.shuffle(t0, t2, 0, 2));
    s = madd<T>(s, v128.load_splat<T>(a, 4), i64x2.shuffle(t0, t2, 1, 3));
    s = madd<T>(s, v128.load_splat<T>(a, 8), i64x2.shuffle(t1, t3, 0, 2));
    s = madd<T>(s, v128.load_splat<T>(a, 12), i64x2.shuffle(t1, t3, 1, 3));
  } else {
    const r0 = v128.load(src), r1 = v128.load(src + ld);
    s = madd<T>(s, v128.load_splat<T>(a), i64x2.shuffle(r0, r1, 0, 2));
    s = madd<T>(s, v128.load_splat<T>(a, 8), i64x2.shuffle(r0, r1, 1, 3));
  }
  return s;
}

/** c[r] += Σ_{q < len} a[q] · B[j + r][p + q] for r < count, in order of q (the k tail of a dot block). */
function dotTail<T>(c: usize, count: i32, b: usize, ldb: i32, j: i32, p: i32, len: i32, a: usize): void {
  if (len <= 0) return;
  for (let r = 0; r < count; r++) {
    const cp = c + (<usize>r << alignof<T>());
    let t: T = load<T>(cp);
    for (let q = 0; q < len; q++) t = t + load<T>(a + (<usize>q << alignof<T>())) * load<T>(addr<T>(b, ldb, j + r, p + q));
    store<T>(cp, t);
  }
}

/**
 * G·lanes outputs c_j.. of one row (G = 1, 2 or 4, a constant at each call, so each call is
 * specialized): c_j += Σ_k a_k · B[j][k] with B's rows transposed in registers by dotBlock.
 */
// @ts-ignore: decorator
@inline function dotRows<T>(G: i32, first: bool, cp: usize, row: usize, ldbB: usize, kc: i32,
                            b: usize, ldb: i32, j: i32, p0: i32): void {
  const L = lanes<T>();
  const S = <usize>sizeof<T>();
  const Lrows = <usize>L * ldbB;
  let s0 = start<T>(first, cp), s1 = s0, s2 = s0, s3 = s0;
  if (G > 1) s1 = start<T>(first, cp + 16);
  if (G > 2) { s2 = start<T>(first, cp + 32); s3 = start<T>(first, cp + 48); }
  let q = 0;
  for (; q + L <= kc; q += L) {
    const ap = wsA + <usize>q * S, bp = row + <usize>q * S;
    s0 = dotBlock<T>(s0, bp, ldbB, ap);
    if (G > 1) s1 = dotBlock<T>(s1, bp + Lrows, ldbB, ap);
    if (G > 2) {
      s2 = dotBlock<T>(s2, bp + 2 * Lrows, ldbB, ap);
      s3 = dotBlock<T>(s3, bp + 3 * Lrows, ldbB, ap);
    }
  }
  v128.store(cp, s0);
  if (G > 1) v128.store(cp, s1, 16);
  if (G > 2) { v128.store(cp, s2, 32); v128.store(cp, s3, 48); }
  dotTail<T>(cp, G * L, b, ldb, j, p0 + q, kc - q, wsA + <usize>q * S);
}

/**
 * One row of C for M < MR, without packing: c_j ← c_j + Σ_k (α·a_k)·op(B)_kj, sequential in k.
 * The scaled row of op(A) is staged in the workspace in chunks of the Ã area.
 */
function gemvRow<T>(transA: bool, opB: i32, i: i32, n: i32, k: i32, alpha: T, a: usize, lda: i32,
                    b: usize, ldb: i32, c: usize, ldc: i32, fromZero: bool): void {
  const L = lanes<T>();
  const S = <usize>sizeof<T>();
  const crow = addr<T>(c, ldc, i, 0);
  const chunk = MC * KC;
  let first = fromZero;
  for (let p0 = 0; p0 < k; p0 += chunk) {
    const kc = min(chunk, k - p0);
    for (let q = 0; q < kc; q++) {
      const v = opAt<T>(a, lda, transA, i, p0 + q);
      store<T>(wsA + <usize>q * S, alpha != <T>1 ? alpha * v : v);
    }
    if (opB == OPB_PACKED) {
      // c_j += a_k · B̃[j / NR][k][j % NR]: two panels at a time, each contiguous in k.
      const nr = NR<T>();
      const panelBytes = <usize>k * <usize>nr * S;
      let j = 0;
      for (; j + 2 * nr <= n; j += 2 * nr) {
        const cp = crow + <usize>j * S;
        let s0 = start<T>(first, cp), s1 = start<T>(first, cp + 16), s2 = start<T>(first, cp + 32), s3 = start<T>(first, cp + 48);
        let bp = b + <usize>(j / nr) * panelBytes + <usize>p0 * <usize>nr * S;
        for (let q = 0; q < kc; q++) {
          const av = v128.load_splat<T>(wsA + <usize>q * S);
          s0 = madd<T>(s0, av, v128.load(bp));
          s1 = madd<T>(s1, av, v128.load(bp, 16));
          s2 = madd<T>(s2, av, v128.load(bp + panelBytes));
          s3 = madd<T>(s3, av, v128.load(bp + panelBytes, 16));
          bp += 32;
        }
        v128.store(cp, s0); v128.store(cp, s1, 16); v128.store(cp, s2, 32); v128.store(cp, s3, 48);
      }
      for (; j < n; j++) {
        const cp = crow + <usize>j * S;
        const bp = b + <usize>(j / nr) * panelBytes + (<usize>p0 * <usize>nr + <usize>(j % nr)) * S;
        let t: T = first ? <T>0 : load<T>(cp);
        for (let q = 0; q < kc; q++) t = t + load<T>(wsA + <usize>q * S) * load<T>(bp + <usize>q * 32);
        store<T>(cp, t);
      }
    } else if (opB == OPB_N) {
      // c_j += a_k · B[k][j]: stream four rows of B at a time, contiguously (prefetch-friendly),
      // accumulating into the row of C, which stays in L1. Each c_j still adds its terms in order of k.
      const stage = wsA;
      const bstep = <usize>ldb * S;
      if (first) memory.fill(crow, 0, <usize>n * S);
      let q = 0;
      for (; q + 4 <= kc; q += 4) {
        const a0 = v128.load_splat<T>(stage + <usize>q * S), a1 = v128.load_splat<T>(stage + <usize>(q + 1) * S);
        const a2 = v128.load_splat<T>(stage + <usize>(q + 2) * S), a3 = v128.load_splat<T>(stage + <usize>(q + 3) * S);
        const b0 = addr<T>(b, ldb, p0 + q, 0);
        let j = 0;
        for (; j + L <= n; j += L) {
          const o = <usize>j * S;
          const bp = b0 + o;
          let s = v128.load(crow + o);
          s = madd<T>(s, a0, v128.load(bp));
          s = madd<T>(s, a1, v128.load(bp + bstep));
          s = madd<T>(s, a2, v128.load(bp + 2 * bstep));
          s = madd<T>(s, a3, v128.load(bp + 3 * bstep));
          v128.store(crow + o, s);
        }
        for (; j < n; j++) {
          const o = <usize>j * S;
          let s: T = load<T>(crow + o);
          for (let r = 0; r < 4; r++) s = s + load<T>(stage + <usize>(q + r) * S) * load<T>(b0 + o + <usize>r * bstep);
          store<T>(crow + o, s);
        }
      }
      for (; q < kc; q++) {
        const av = v128.load_splat<T>(stage + <usize>q * S);
        const b0 = addr<T>(b, ldb, p0 + q, 0);
        let j = 0;
        for (; j + L <= n; j += L) {
          const o = <usize>j * S;
          v128.store(crow + o, madd<T>(v128.load(crow + o), av, v128.load(b0 + o)));
        }
        for (; j < n; j++) {
          const o = <usize>j * S;
          store<T>(crow + o, load<T>(crow + o) + load<T>(stage + <usize>q * S) * load<T>(b0 + o));
        }
      }
    } else {
      // c_j += a_k · B[j][k]: rows of B are contiguous in k. Each output is one chain of dependent adds,
      // so several output vectors run at once — four, or two when the row stride is a multiple of 4 KiB
      // (then sixteen rows would share one L1 set and evict each other: 4.7 vs 8.3 GFLOP/s measured).
      const ldbB = <usize>ldb * S;
      let j = 0;
      if ((ldbB & 4095) != 0) for (; j + 4 * L <= n; j += 4 * L) dotRows<T>(4, first, crow + <usize>j * S, addr<T>(b, ldb, j, p0), ldbB, kc, b, ldb, j, p0);
      for (; j + 2 * L <= n; j += 2 * L) dotRows<T>(2, first, crow + <usize>j * S, addr<T>(b, ldb, j, p0), ldbB, kc, b, ldb, j, p0);
      for (; j + L <= n; j += L) dotRows<T>(1, first, crow + <usize>j * S, addr<T>(b, ldb, j, p0), ldbB, kc, b, ldb, j, p0);
      for (; j < n; j++) {
        const cp = crow + <usize>j * S;
        if (first) store<T>(cp, <T>0);
        dotTail<T>(cp, 1, b, ldb, j, p0, kc, wsA);
      }
    }
    first = false;
  }
}

/** The sparse path by the rule of the header (gemm's `sparse` argument), or taken / not taken as a caller decided. */
export const SPARSE_AUTO: i32 = -1;
export const SPARSE_NO: i32 = 0;
export const SPARSE_YES: i32 = 1;

/**
 * C = α·op(A)·op(B) + β·C and the epilogue, its mask m × n with row stride ldm (n for a whole product). With
 * `sparse` SPARSE_AUTO the sparse path is decided here (the header); a caller that splits one product into
 * parts (src/kernels/team.ts) decides once for the whole and passes SPARSE_YES or SPARSE_NO to every part, so
 * the parts skip exactly the terms the whole would. SPARSE_YES requires β = 0, k > 0, α ≠ 0 and m ≥ MR.
 */
export function gemm<T>(transA: bool, opB: i32, m: i32, n: i32, k: i32, alpha: T,
                        a: usize, lda: i32, b: usize, ldb: i32, beta: T, c: usize, ldc: i32,
                        bias: usize, biasAxis: i32, act: i32, slope: T, mask: usize, ldm: i32, sparseMode: i32): void {
  if (m <= 0 || n <= 0) return;
  const S = <usize>sizeof<T>();
  const nr = NR<T>();
  const hasProduct = k > 0 && alpha != <T>0;
  const hasEpilogue = bias != 0 || act != 0 || mask != 0;
  // β = 0 with a product is folded into the first k-block (accumulators start at zero).
  const fromZero = hasProduct && beta == <T>0;
  if (beta != <T>1 && !fromZero) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const p = addr<T>(c, ldc, i, j);
        store<T>(p, beta == <T>0 ? <T>0 : beta * load<T>(p));
      }
    }
  }
  if (!hasProduct) {
    if (hasEpilogue) epilogue<T>(c, ldc, 0, m, 0, n, bias, biasAxis, act, slope, mask, ldm);
    return;
  }
  if (m < MR) {
    for (let i = 0; i < m; i++) {
      gemvRow<T>(transA, opB, i, n, k, alpha, a, lda, b, ldb, c, ldc, fromZero);
      if (hasEpilogue) epilogue<T>(c, ldc, i, 1, 0, n, bias, biasAxis, act, slope, mask, ldm);
    }
    return;
  }
  // The sparse path (see the header); the shape first, as counting the zeros costs O(mk).
  const sparse = sparseMode == SPARSE_AUTO
    ? fromZero && sparseShape(m, n) && sparseEnough(m, k, transA ? countZeros<T>(a, lda, k, m) : countZeros<T>(a, lda, m, k))
    : sparseMode == SPARSE_YES;
  // A is read in place unless α ≠ 1 (folded into Ã), or A is transposed and N is large: then every k
  // of an A row is a new cache line, and a packed Ã reused across many panels pays for itself
  // (512³ TN: 29.7 packed vs 25.5 in place; 20×1024×20 TN: 12 packed vs 17 in place, measured).
  const packA = !sparse && (alpha != <T>1 || (transA && n > 64));
  // Row r of the A block at ar, k-step ak: packed Ã, or A in place (see microTile).
  const ar: usize = packA || transA ? S : <usize>lda * S;
  const ak: usize = packA ? <usize>MR * S : transA ? <usize>lda * S : S;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const zeroStart = fromZero && pc == 0;
      const last = pc + kc == k;
      // B̃ for this block: panel jr / NR at bBlock + (jr / NR)·panelBytes.
      let bBlock: usize, panelBytes: usize;
      if (opB == OPB_PACKED) {
        panelBytes = <usize>k * <usize>nr * S;
        bBlock = b + <usize>(jc / nr) * panelBytes + <usize>pc * <usize>nr * S;
      } else {
        packRows<T>(b, ldb, opB == OPB_N, jc, nc, pc, kc, nr, <T>1, wsB);
        panelBytes = <usize>kc * <usize>nr * S;
        bBlock = wsB;
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (sparse) {
          // Row by row over SG panels at a time: the B̃ panels stay in cache across the block's rows.
          compress<T>(transA, a, lda, ic, mc, pc, kc, alpha);
          for (let jr = 0; jr < nc; jr += SG * nr) {
            const w = min(SG * nr, nc - jr);
            const bp = bBlock + <usize>(jr / nr) * panelBytes;
            for (let r = 0; r < mc; r++) {
              sparseTile<T>(r, kc, w, bp, panelBytes, addr<T>(c, ldc, ic + r, jc + jr), ldc, zeroStart);
              if (last && hasEpilogue) epilogue<T>(c, ldc, ic + r, 1, jc + jr, w, bias, biasAxis, act, slope, mask, ldm);
            }
          }
          continue;
        }
        if (packA) packRows<T>(a, lda, transA, ic, mc, pc, kc, MR, alpha, wsA);
        for (let jr = 0; jr < nc; jr += nr) {
          const w = min(nr, nc - jr);
          const bp = bBlock + <usize>(jr / nr) * panelBytes;
          for (let ir = 0; ir < mc; ir += MR) {
            const h = min(MR, mc - ir);
            const ap = packA ? wsA + <usize>ir * <usize>kc * S : transA ? addr<T>(a, lda, pc, ic + ir) : addr<T>(a, lda, ic + ir, pc);
            tile<T>(kc, ap, ar, ak, h, bp, addr<T>(c, ldc, ic + ir, jc + jr), ldc, w, zeroStart);
            if (last && hasEpilogue) epilogue<T>(c, ldc, ic + ir, h, jc + jr, w, bias, biasAxis, act, slope, mask, ldm);
          }
        }
      }
    }
  }
}
