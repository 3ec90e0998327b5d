/**
 * The pure-TS twin of the WebAssembly kernels: the same signatures (raw.ts), the same memory, and the
 * same order of floating-point operations (see the header of assembly/gemm.ts), so its float32 and
 * float64 results are bit-identical to the SIMD kernels.
 *
 * Rounding: every operation is computed in float64 and rounded to the element type by storing it in
 * a typed array of that type — the heap itself where the result goes there, else a one-element
 * scratch `t`. For float32 this is exact emulation: a single +, −, ×, ÷ or √ of float32 values
 * computed in float64 and rounded once is the correctly rounded float32 result. (A rounding
 * *function* — Math.fround for f32, identity for f64 — would make every call site polymorphic once
 * both dtypes have run, and V8 then runs these loops ~10× slower; typed-array stores stay fast.)
 */
import type { Heap } from "./heap.js";
import { Act, BiasAxis, BnPass, OpB, panelWidth, Sparse, useSparse, type RawKernels, type UnaryBackwardFn, type UnaryFn } from "./raw.js";

type Floats = Float32Array | Float64Array;

/**
 * Scratch: op(B) copied once per call into a dense row-major k×n float64 array, and the terms of a row of
 * op(A): scaled values and their k. float64 holds float32 values exactly, and reads from these are
 * monomorphic whatever the dtype.
 */
let denseB = new Float64Array(1024);
let rowA = new Float64Array(1024);
let rowK = new Int32Array(1024);

function gemm(
  X: Floats, t: Floats, sh: number, U8: Uint8Array,
  transA: number, opB: number, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  bias: number, biasAxis: number, act: number, slope: number, mask: number, ldm: number, sparseMode: number,
): void {
  if (m <= 0 || n <= 0) return;
  t[0] = alpha; alpha = t[0];
  t[0] = beta; beta = t[0];
  const A = a >> sh, B = b >> sh, C = c >> sh;
  // β = 0 sets C to +0 without reading it, as the SIMD kernel's zeroed accumulators do.
  if (beta !== 1) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) X[C + i * ldc + j] = beta === 0 ? 0 : beta * X[C + i * ldc + j];
    }
  }
  if (k > 0 && alpha !== 0) {
    if (denseB.length < k * n) denseB = new Float64Array(k * n);
    if (rowA.length < k) {
      rowA = new Float64Array(k);
      rowK = new Int32Array(k);
    }
    // The sparse path of assembly/gemm.ts (its header): with β = 0 and op(A) mostly zeros, terms with
    // a_ip = 0 are skipped — the same decision from the same count, so a 0·∞ is left out on both backends.
    const sparse = sparseMode === Sparse.Auto
      ? beta === 0 && useSparse(m, n, k, () => countZeros(X, A, lda, transA ? k : m, transA ? m : k))
      : sparseMode === Sparse.Yes;
    const nr = panelWidth(1 << sh);
    for (let p = 0; p < k; p++) {
      for (let j = 0; j < n; j++) {
        denseB[p * n + j] = opB === OpB.Packed ? X[B + (Math.floor(j / nr) * k + p) * nr + (j % nr)]
          : opB === OpB.T ? X[B + j * ldb + p] : X[B + p * ldb + j];
      }
    }
    for (let i = 0; i < m; i++) {
      let terms = 0;
      for (let p = 0; p < k; p++) {
        const v = transA ? X[A + p * lda + i] : X[A + i * lda + p];
        if (sparse && v === 0) continue;
        t[0] = alpha * v;
        rowA[terms] = alpha !== 1 ? t[0] : v;
        rowK[terms++] = p;
      }
      // c_ij ← c_ij + a_ip·b_pj for p in order: the product is rounded through t, the sum by the store.
      const ci = C + i * ldc;
      for (let q = 0; q < terms; q++) {
        const av = rowA[q], bp = rowK[q] * n;
        for (let j = 0; j < n; j++) {
          t[0] = av * denseB[bp + j];
          X[ci + j] += t[0];
        }
      }
    }
  }
  if (bias !== 0 || act !== Act.None || mask !== 0) epilogue(X, t, sh, U8, m, n, c, ldc, bias, biasAxis, act, slope, mask, ldm);
}

/** Entries ±0 of the rows×cols matrix at element X[x] (leading dimension ld): what useSparse decides on. */
function countZeros(X: Floats, x: number, ld: number, rows: number, cols: number): number {
  let zeros = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (X[x + i * ld + j] === 0) zeros++;
  return zeros;
}

/** op(B) into panels of NR columns, [panel][k][NR], zero-padded: the layout of assembly/gemm.ts. */
function packB(X: Floats, sh: number, transB: number, k: number, n: number, b: number, ldb: number, dst: number): void {
  const nr = panelWidth(1 << sh), B = b >> sh, D = dst >> sh;
  const panels = Math.ceil(n / nr);
  for (let q = 0; q < panels; q++) {
    for (let p = 0; p < k; p++) {
      for (let r = 0; r < nr; r++) {
        const j = q * nr + r;
        X[D + (q * k + p) * nr + r] = j >= n ? 0 : transB ? X[B + j * ldb + p] : X[B + p * ldb + j];
      }
    }
  }
}

function epilogue(
  X: Floats, t: Floats, sh: number, U8: Uint8Array,
  m: number, n: number, c: number, ldc: number, bias: number, biasAxis: number, act: number, slope: number, mask: number, ldm: number,
): void {
  t[0] = slope; slope = t[0];
  const C = c >> sh, Bi = bias >> sh;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const p = C + i * ldc + j;
      let z = X[p];
      if (bias !== 0) {
        t[0] = z + X[Bi + (biasAxis === BiasAxis.Row ? i : j)];
        z = t[0];
      }
      // ReLU = max(z, 0): NaN stays NaN and −0 becomes +0, as f32x4.max does.
      if (act === Act.ReLU) X[p] = z > 0 ? z : z !== z ? z : 0;
      else if (act === Act.LeakyReLU) X[p] = z > 0 ? z : z * slope;
      else X[p] = z;
      if (mask !== 0) U8[mask + i * ldm + j] = z > 0 ? 1 : 0;
    }
  }
}

function actBackward(
  X: Floats, t: Floats, sh: number, U8: Uint8Array,
  m: number, n: number, g: number, ldg: number, mask: number, act: number, slope: number,
): void {
  t[0] = slope; slope = t[0];
  const G = g >> sh;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if (U8[mask + i * n + j] === 0) X[G + i * ldg + j] = act === Act.LeakyReLU ? X[G + i * ldg + j] * slope : 0;
    }
  }
}

function axpy(X: Floats, t: Floats, sh: number, n: number, alpha: number, x: number, y: number): void {
  t[0] = alpha; alpha = t[0];
  const xi = x >> sh, yi = y >> sh;
  for (let i = 0; i < n; i++) {
    t[0] = alpha * X[xi + i];
    X[yi + i] += t[0];
  }
}

function scale(X: Floats, t: Floats, sh: number, n: number, alpha: number, x: number): void {
  t[0] = alpha; alpha = t[0];
  const xi = x >> sh;
  for (let i = 0; i < n; i++) X[xi + i] *= alpha;
}

/** Σ x², in float64, in the order of assembly/vector.ts: four striped partial sums, then the tail. */
function sumsq(X: Floats, sh: number, n: number, x: number): number {
  const xi = x >> sh;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    const v0 = X[xi + i], v1 = X[xi + i + 1], v2 = X[xi + i + 2], v3 = X[xi + i + 3];
    s0 += v0 * v0;
    s1 += v1 * v1;
    s2 += v2 * v2;
    s3 += v3 * v3;
  }
  let s = s0 + s1 + (s2 + s3);
  for (; i < n; i++) s += X[xi + i] * X[xi + i];
  return s;
}

function rowSumsq(X: Floats, sh: number, F64: Float64Array, m: number, n: number, x: number, ldx: number, out: number): void {
  for (let i = 0; i < m; i++) F64[(out >> 3) + i] = sumsq(X, sh, n, x + ((i * ldx) << sh));
}

/** Column sums in float64, rows added in order onto +0, as assembly/vector.ts does. */
function colSums(X: Floats, sh: number, F64: Float64Array, m: number, n: number, x: number, ldx: number, out: number): void {
  const xi = x >> sh, o = out >> 3;
  F64.fill(0, o, o + n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) F64[o + j] += X[xi + i * ldx + j];
  }
}

/** The Adam step of assembly/vector.ts, one rounding per operation. */
function adam(
  X: Floats, t: Floats, sh: number, n: number, x: number, g: number, m: number, v: number,
  b1: number, c1: number, b2: number, c2: number, step: number, sqrtBc2: number, eps: number,
): void {
  t[0] = b1; b1 = t[0];
  t[0] = c1; c1 = t[0];
  t[0] = b2; b2 = t[0];
  t[0] = c2; c2 = t[0];
  t[0] = step; step = t[0];
  t[0] = sqrtBc2; sqrtBc2 = t[0];
  t[0] = eps; eps = t[0];
  const xi = x >> sh, gi = g >> sh, mi = m >> sh, vi = v >> sh;
  for (let i = 0; i < n; i++) {
    const gv = X[gi + i];
    t[0] = b1 * X[mi + i]; const m1 = t[0];
    t[0] = c1 * gv; t[0] += m1; const mv = t[0];
    t[0] = b2 * X[vi + i]; const v1 = t[0];
    t[0] = c2 * gv; t[0] *= gv; t[0] += v1; const vv = t[0];
    t[0] = Math.sqrt(vv); t[0] /= sqrtBc2; t[0] += eps; const d = t[0];
    t[0] = mv / d; t[0] *= step;
    X[mi + i] = mv;
    X[vi + i] = vv;
    X[xi + i] -= t[0];
  }
}

/** im2col of assembly/conv.ts: cols[(ci·kh + i)·kw + j][oy·ow + ox] = x[ci][iy][ix], 0 outside the image. */
function im2col(
  X: Floats, sh: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number,
  oh: number, ow: number, x: number, cols: number, ldc: number,
): void {
  const xi = x >> sh;
  for (let ci = 0, r = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        let d = (cols >> sh) + r * ldc;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * stride - pad + i;
          for (let ox = 0; ox < ow; ox++, d++) {
            const ix = ox * stride - pad + j;
            X[d] = iy >= 0 && iy < h && ix >= 0 && ix < w ? X[xi + (ci * h + iy) * w + ix] : 0;
          }
        }
      }
    }
  }
}

/** col2im of assembly/conv.ts: x[ci][iy][ix] += cols[…], visiting ci, i, j, oy, ox in that order. */
function col2im(
  X: Floats, sh: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number,
  oh: number, ow: number, cols: number, ldc: number, x: number,
): void {
  const xi = x >> sh;
  for (let ci = 0, r = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        let s = (cols >> sh) + r * ldc;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * stride - pad + i;
          for (let ox = 0; ox < ow; ox++, s++) {
            const ix = ox * stride - pad + j;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) X[xi + (ci * h + iy) * w + ix] += X[s];
          }
        }
      }
    }
  }
}

/** permute of assembly/conv.ts: block (s, c) of n × C × P ↔ block (c, s) of C × n·P, P elements each. */
function permute(U8: Uint8Array, S: number, n: number, C: number, P: number, sampleMajor: number, channelMajor: number, toChannelMajor: number): void {
  const bytes = P * S;
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < C; c++) {
      const a = sampleMajor + (s * C + c) * bytes, b = channelMajor + (c * n + s) * bytes;
      if (toChannelMajor) U8.copyWithin(b, a, a + bytes);
      else U8.copyWithin(a, b, b + bytes);
    }
  }
}

// Batch norm's loops (assembly/batchnorm.ts; its header states the order), over NCHW rows x[s][c][p] at
// element (s·C + c)·P + p, in float64 arithmetic (float32 values widen exactly; each result is rounded once,
// by its store). Each loop is a function of its own: V8 optimizes a small hot loop once, where one function
// of several big loops is deoptimized again and again.

/** sum[c] = Σ_{s,p} a and, when b ≠ 0, sum2[c] = Σ_{s,p} a·b: each from +0, sample by sample, position by position. */
function channelSums(X: Floats, sh: number, F64: Float64Array, rows: number, C: number, P: number, a: number, b: number, sum: number, sum2: number): void {
  const A = a >> sh, B = b >> sh, su = sum >> 3, su2 = sum2 >> 3;
  F64.fill(0, su, su + C);
  if (b !== 0) F64.fill(0, su2, su2 + C);
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      let t = F64[su + c], t2 = b !== 0 ? F64[su2 + c] : 0;
      if (b !== 0) {
        for (let p = 0; p < P; p++, i++) {
          t += X[A + i];
          t2 += X[A + i] * X[B + i];
        }
      } else {
        for (let p = 0; p < P; p++, i++) t += X[A + i];
      }
      F64[su + c] = t;
      if (b !== 0) F64[su2 + c] = t2;
    }
  }
}

/** sq[c] = Σ_{s,p} (x − mean_c)². */
function squaredDeviations(X: Floats, sh: number, F64: Float64Array, rows: number, C: number, P: number, x: number, mean: number, sq: number): void {
  const xi = x >> sh, me = mean >> 3, q = sq >> 3;
  F64.fill(0, q, q + C);
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const m = F64[me + c];
      let t = F64[q + c];
      for (let p = 0; p < P; p++, i++) t += (X[xi + i] - m) * (X[xi + i] - m);
      F64[q + c] = t;
    }
  }
}

/** x̂ = (x − mean)·inv (stored, then read back at the stored precision), y = γ·x̂ + β. */
function bnNormalize(X: Floats, sh: number, F64: Float64Array, rows: number, C: number, P: number, x: number, xhat: number, y: number,
                     mean: number, inv: number, gamma: number, beta: number): void {
  const xi = x >> sh, h = xhat >> sh, yi = y >> sh, me = mean >> 3, iv = inv >> 3, g = gamma >> sh, be = beta >> sh;
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const m = F64[me + c], k = F64[iv + c], gc = X[g + c], bc = X[be + c];
      for (let p = 0; p < P; p++, i++) {
        X[h + i] = (X[xi + i] - m) * k;
        X[yi + i] = gc * X[h + i] + bc;
      }
    }
  }
}

/** y = a_c·x + b_c, or a_c·x when b = 0. */
function channelAffine(X: Floats, sh: number, F64: Float64Array, rows: number, C: number, P: number, x: number, y: number, a: number, b: number): void {
  const xi = x >> sh, yi = y >> sh, ai = a >> 3, bi = b >> 3;
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const k = F64[ai + c], d = b !== 0 ? F64[bi + c] : 0;
      for (let p = 0; p < P; p++, i++) X[yi + i] = b !== 0 ? k * X[xi + i] + d : k * X[xi + i];
    }
  }
}

/** ∂L/∂x = γ·inv/N · (N·g − Σg − x̂·Σ(g·x̂)), N = rows·P. */
function bnInputGradient(X: Floats, sh: number, F64: Float64Array, rows: number, C: number, P: number, g: number, xhat: number, gx: number,
                         sumG: number, sumGX: number, inv: number, gamma: number): void {
  const G = g >> sh, h = xhat >> sh, o = gx >> sh, sg = sumG >> 3, sgx = sumGX >> 3, iv = inv >> 3, ga = gamma >> sh, N = rows * P;
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const k = (X[ga + c] * F64[iv + c]) / N, a = F64[sg + c], b = F64[sgx + c];
      for (let p = 0; p < P; p++, i++) X[o + i] = k * (N * X[G + i] - a - X[h + i] * b);
    }
  }
}

/** The dispatch of bn_pass (raw.ts, BnPass): the argument roles of assembly/batchnorm.ts's bnPass. */
function bnPass(X: Floats, sh: number, F64: Float64Array, kind: number, rows: number, C: number, P: number, x: number, in2: number,
                out: number, out2: number, c0: number, c1: number, c2: number, t0: number, t1: number): void {
  if (kind === BnPass.Normalize) bnNormalize(X, sh, F64, rows, C, P, x, out, out2, c0, c1, t0, t1);
  else if (kind === BnPass.Affine) channelAffine(X, sh, F64, rows, C, P, x, out, c0, c1);
  else if (kind === BnPass.Scale) channelAffine(X, sh, F64, rows, C, P, x, out, c0, 0);
  else bnInputGradient(X, sh, F64, rows, C, P, x, in2, out, c0, c1, c2, t0);
}

// exp, sigmoid and tanh in float32: assembly/activation.ts step by step (its header states the order).
// These run on float32 only, so Math.fround is monomorphic here and rounds each step as fast as a store.
const fround = Math.fround;
const LOG2E = fround(1.442695), SHIFTER = 12582912, C1 = 0.693359375, C2 = fround(-2.12194440e-4);
const P6 = fround(0.001403554), P5 = fround(0.0083722705), P4 = fround(0.041665554), P3 = fround(0.16666488);
const EXP_LO = -104, EXP_HI = 89;
const TANH_SMALL = 0.625;
const T4 = fround(-5.70498872745e-3), T3 = fround(2.06390887954e-2), T2 = fround(-5.37397155531e-2);
const T1 = fround(1.33314422036e-1), T0 = fround(-3.33332819422e-1);
/** 2^n for n = −150 … 129 (every n that exp's reduction yields), exact, at index n + 150. */
const POW2 = new Float64Array(280);
POW2[150] = 1;
for (let i = 151; i < 280; i++) POW2[i] = 2 * POW2[i - 1];
for (let i = 149; i >= 0; i--) POW2[i] = POW2[i + 1] / 2;

function exp32(x: number): number {
  x = x < EXP_LO ? EXP_LO : x;
  x = EXP_HI < x ? EXP_HI : x;
  const k = fround(fround(x * LOG2E) + SHIFTER);
  const n = k - SHIFTER;   // exact: an integer
  let r = fround(x - fround(n * C1));
  r = fround(r - fround(n * C2));
  let p = fround(fround(P6 * r) + P5);
  p = fround(fround(p * r) + P4);
  p = fround(fround(p * r) + P3);
  p = fround(fround(p * r) + 0.5);
  p = fround(fround(p * r) + 1);
  p = fround(fround(p * r) + 1);
  // (p·2^⌊n/2⌋)·2^(n − ⌊n/2⌋) in float32 is p·2^n rounded once (its first product is exact). A NaN x
  // gives n | 0 = 0 and p = NaN.
  return fround(p * POW2[(n | 0) + 150]);
}

function tanh32(x: number): number {
  const a = Math.abs(x);
  let y: number;
  if (a < TANH_SMALL) {
    const z = fround(a * a);
    let q = fround(fround(T4 * z) + T3);
    q = fround(fround(q * z) + T2);
    q = fround(fround(q * z) + T1);
    q = fround(fround(q * z) + T0);
    y = fround(a + fround(fround(q * z) * a));
  } else {
    y = fround(1 - fround(2 / fround(1 + exp32(fround(a + a)))));
  }
  return x > 0 ? y : x < 0 ? -y : x;   // copysign; ±0 and NaN map to themselves
}

// The stores into the float32 heap round the last step.
function exp(F32: Float32Array, n: number, x: number, y: number): void {
  const X = x >> 2, Y = y >> 2;
  for (let i = 0; i < n; i++) F32[Y + i] = exp32(F32[X + i]);
}

function sigmoid(F32: Float32Array, n: number, x: number, y: number): void {
  const X = x >> 2, Y = y >> 2;
  for (let i = 0; i < n; i++) F32[Y + i] = 1 / fround(1 + exp32(-F32[X + i]));
}

function tanh(F32: Float32Array, n: number, x: number, y: number): void {
  const X = x >> 2, Y = y >> 2;
  for (let i = 0; i < n; i++) F32[Y + i] = tanh32(F32[X + i]);
}

function sigmoidBackward(F32: Float32Array, n: number, y: number, g: number): void {
  const Y = y >> 2, G = g >> 2;
  for (let i = 0; i < n; i++) {
    const v = F32[Y + i];
    F32[G + i] *= fround(v * fround(1 - v));
  }
}

function tanhBackward(F32: Float32Array, n: number, y: number, g: number): void {
  const Y = y >> 2, G = g >> 2;
  for (let i = 0; i < n; i++) {
    const v = F32[Y + i];
    F32[G + i] *= fround(1 - fround(v * v));
  }
}

/** exp, sigmoid and tanh with their backward in float64: what `Kernels` runs for f64 on either backend. */
export interface Float64Activations {
  exp: UnaryFn;
  sigmoid: UnaryFn;
  tanh: UnaryFn;
  sigmoidBackward: UnaryBackwardFn;
  tanhBackward: UnaryBackwardFn;
}

/**
 * The float64 activations over `heap`: one TS implementation shared by both backends, on Math.exp and
 * Math.tanh (accurate to an ulp or two, for gradient checks), in the float32 kernels' order of operations.
 */
export function createFloat64Activations(heap: Heap): Float64Activations {
  return {
    exp: (n, x, y) => {
      const F = heap.f64, X = x >> 3, Y = y >> 3;
      for (let i = 0; i < n; i++) F[Y + i] = Math.exp(F[X + i]);
    },
    sigmoid: (n, x, y) => {
      const F = heap.f64, X = x >> 3, Y = y >> 3;
      for (let i = 0; i < n; i++) F[Y + i] = 1 / (1 + Math.exp(-F[X + i]));
    },
    tanh: (n, x, y) => {
      const F = heap.f64, X = x >> 3, Y = y >> 3;
      for (let i = 0; i < n; i++) F[Y + i] = Math.tanh(F[X + i]);
    },
    sigmoidBackward: (n, y, g) => {
      const F = heap.f64, Y = y >> 3, G = g >> 3;
      for (let i = 0; i < n; i++) F[G + i] *= F[Y + i] * (1 - F[Y + i]);
    },
    tanhBackward: (n, y, g) => {
      const F = heap.f64, Y = y >> 3, G = g >> 3;
      for (let i = 0; i < n; i++) F[G + i] *= 1 - F[Y + i] * F[Y + i];
    },
  };
}

/** The TS twin over `heap`: the same RawKernels the WASM module exports. */
export function createJsKernels(heap: Heap): RawKernels {
  const t32 = new Float32Array(1), t64 = new Float64Array(1);
  return {
    gemm_f32: (tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask) =>
      gemm(heap.f32, t32, 2, heap.u8, tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask, n, Sparse.Auto),
    gemm_f64: (tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask) =>
      gemm(heap.f64, t64, 3, heap.u8, tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask, n, Sparse.Auto),
    gemm_part_f32: (tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask, ldm, sp) =>
      gemm(heap.f32, t32, 2, heap.u8, tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask, ldm, sp),
    gemm_part_f64: (tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask, ldm, sp) =>
      gemm(heap.f64, t64, 3, heap.u8, tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, bias, ax, act, sl, mask, ldm, sp),
    count_zeros_f32: (rows, cols, x, ld) => countZeros(heap.f32, x >> 2, ld, rows, cols),
    count_zeros_f64: (rows, cols, x, ld) => countZeros(heap.f64, x >> 3, ld, rows, cols),
    pack_b_f32: (tB, k, n, b, ldb, dst) => packB(heap.f32, 2, tB, k, n, b, ldb, dst),
    pack_b_f64: (tB, k, n, b, ldb, dst) => packB(heap.f64, 3, tB, k, n, b, ldb, dst),
    bias_act_f32: (m, n, c, ldc, bias, ax, act, sl, mask) => epilogue(heap.f32, t32, 2, heap.u8, m, n, c, ldc, bias, ax, act, sl, mask, n),
    bias_act_f64: (m, n, c, ldc, bias, ax, act, sl, mask) => epilogue(heap.f64, t64, 3, heap.u8, m, n, c, ldc, bias, ax, act, sl, mask, n),
    act_backward_f32: (m, n, g, ldg, mask, act, sl) => actBackward(heap.f32, t32, 2, heap.u8, m, n, g, ldg, mask, act, sl),
    act_backward_f64: (m, n, g, ldg, mask, act, sl) => actBackward(heap.f64, t64, 3, heap.u8, m, n, g, ldg, mask, act, sl),
    axpy_f32: (n, al, x, y) => axpy(heap.f32, t32, 2, n, al, x, y),
    axpy_f64: (n, al, x, y) => axpy(heap.f64, t64, 3, n, al, x, y),
    scale_f32: (n, al, x) => scale(heap.f32, t32, 2, n, al, x),
    scale_f64: (n, al, x) => scale(heap.f64, t64, 3, n, al, x),
    sumsq_f32: (n, x) => sumsq(heap.f32, 2, n, x),
    sumsq_f64: (n, x) => sumsq(heap.f64, 3, n, x),
    row_sumsq_f32: (m, n, x, ldx, out) => rowSumsq(heap.f32, 2, heap.f64, m, n, x, ldx, out),
    row_sumsq_f64: (m, n, x, ldx, out) => rowSumsq(heap.f64, 3, heap.f64, m, n, x, ldx, out),
    col_sums_f32: (m, n, x, ldx, out) => colSums(heap.f32, 2, heap.f64, m, n, x, ldx, out),
    col_sums_f64: (m, n, x, ldx, out) => colSums(heap.f64, 3, heap.f64, m, n, x, ldx, out),
    adam_f32: (n, x, g, m, v, b1, c1, b2, c2, st, bc, e) => adam(heap.f32, t32, 2, n, x, g, m, v, b1, c1, b2, c2, st, bc, e),
    adam_f64: (n, x, g, m, v, b1, c1, b2, c2, st, bc, e) => adam(heap.f64, t64, 3, n, x, g, m, v, b1, c1, b2, c2, st, bc, e),
    exp_f32: (n, x, y) => exp(heap.f32, n, x, y),
    sigmoid_f32: (n, x, y) => sigmoid(heap.f32, n, x, y),
    tanh_f32: (n, x, y) => tanh(heap.f32, n, x, y),
    sigmoid_backward_f32: (n, y, g) => sigmoidBackward(heap.f32, n, y, g),
    tanh_backward_f32: (n, y, g) => tanhBackward(heap.f32, n, y, g),
    im2col_f32: (c, h, w, kh, kw, st, pad, oh, ow, x, cols, ldc) => im2col(heap.f32, 2, c, h, w, kh, kw, st, pad, oh, ow, x, cols, ldc),
    im2col_f64: (c, h, w, kh, kw, st, pad, oh, ow, x, cols, ldc) => im2col(heap.f64, 3, c, h, w, kh, kw, st, pad, oh, ow, x, cols, ldc),
    col2im_f32: (c, h, w, kh, kw, st, pad, oh, ow, cols, ldc, x) => col2im(heap.f32, 2, c, h, w, kh, kw, st, pad, oh, ow, cols, ldc, x),
    col2im_f64: (c, h, w, kh, kw, st, pad, oh, ow, cols, ldc, x) => col2im(heap.f64, 3, c, h, w, kh, kw, st, pad, oh, ow, cols, ldc, x),
    permute_f32: (n, C, P, sm, cm, to) => permute(heap.u8, 4, n, C, P, sm, cm, to),
    permute_f64: (n, C, P, sm, cm, to) => permute(heap.u8, 8, n, C, P, sm, cm, to),
    channel_sums_f32: (rows, C, P, a, b, sum, sum2) => channelSums(heap.f32, 2, heap.f64, rows, C, P, a, b, sum, sum2),
    channel_sums_f64: (rows, C, P, a, b, sum, sum2) => channelSums(heap.f64, 3, heap.f64, rows, C, P, a, b, sum, sum2),
    squared_deviations_f32: (rows, C, P, x, mean, sq) => squaredDeviations(heap.f32, 2, heap.f64, rows, C, P, x, mean, sq),
    squared_deviations_f64: (rows, C, P, x, mean, sq) => squaredDeviations(heap.f64, 3, heap.f64, rows, C, P, x, mean, sq),
    bn_pass_f32: (kind, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1) => bnPass(heap.f32, 2, heap.f64, kind, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1),
    bn_pass_f64: (kind, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1) => bnPass(heap.f64, 3, heap.f64, kind, rows, C, P, x, in2, out, out2, c0, c1, c2, t0, t1),
  };
}
