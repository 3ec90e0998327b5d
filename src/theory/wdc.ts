/**
 * The Weight Distribution Condition (Hand & Voroninski 2018, Definition 2) and the quantities of Lemma 5.1 (Song, Fan & Lafferty 2019)
 * for one layer W ∈ R^{n×k} (rows w_i):
 *
 *   W_{+,x} = diag(Wx > 0) W,   W_{+,x}ᵀ W_{+,y} = Σ_i 1[w_i·x > 0] 1[w_i·y > 0] w_i w_iᵀ,
 *   Q_{x,y} = (π − θ)/(2π) I_k + sin θ/(2π) M_{x̂↔ŷ},   θ = ∠(x, y)                          (eq. 2)
 *
 * Q_{x,y} is the expectation of W_{+,x}ᵀ W_{+,y} for rows w_i ~ N(0, I_k/n); the WDC constant of W is
 * sup_{x,y} ‖W_{+,x}ᵀ W_{+,y} − Q_{x,y}‖ (spectral norm).
 */
import { dot, norm } from "../tensor/vector.js";

/** Below this sin θ the M_{x̂↔ŷ} term of Q (weighted by sin θ) is below rounding and is dropped (θ = 0 or π exactly in the paper's footnote). */
const PARALLEL_SIN = 1e-12;

/** Q_{x,y} of eq. (2), k × k. */
export function wdcMatrix(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const k = x.length, nx = norm(x), ny = norm(y);
  const xh = Float64Array.from(x, (v) => v / nx), yh = Float64Array.from(y, (v) => v / ny);
  const c = Math.max(-1, Math.min(1, dot(xh, yh)));
  const theta = Math.acos(c), s = Math.sin(theta);
  const Q = new Float64Array(k * k);
  for (let i = 0; i < k; i++) Q[i * k + i] = (Math.PI - theta) / (2 * Math.PI);
  if (s < PARALLEL_SIN) return Q;
  // Orthonormal e1 = x̂, e2 = (ŷ − cos θ x̂)/sin θ; in that basis M = [[cos θ, sin θ], [sin θ, −cos θ]] (footnote 1).
  const e2 = Float64Array.from(yh, (v, i) => (v - c * xh[i]) / s);
  const w = s / (2 * Math.PI);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const m = c * (xh[i] * xh[j] - e2[i] * e2[j]) + s * (xh[i] * e2[j] + e2[i] * xh[j]);
      Q[i * k + j] += w * m;
    }
  }
  return Q;
}

/** The activation pattern 1[Wx + b > 0] of a layer (b optional: Definition 2 has none). */
export function activeRows(W: Float64Array, n: number, k: number, x: ArrayLike<number>, b?: ArrayLike<number>): Uint8Array {
  const on = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let s = b ? b[i] : 0;
    for (let j = 0; j < k; j++) s += W[i * k + j] * x[j];
    on[i] = s > 0 ? 1 : 0;
  }
  return on;
}

/** W_{+,x}ᵀ W_{+,y} = Σ_i on_x[i] on_y[i] w_i w_iᵀ (k × k), from the two activation patterns. */
export function activeGram(W: Float64Array, n: number, k: number, onX: Uint8Array, onY: Uint8Array): Float64Array {
  const G = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    if (!onX[i] || !onY[i]) continue;
    const row = i * k;
    for (let a = 0; a < k; a++) {
      const wa = W[row + a];
      for (let b = 0; b < k; b++) G[a * k + b] += wa * W[row + b];
    }
  }
  return G;
}

/** The angle ∠(x, y) in [0, π]. */
export function angle(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return Math.acos(Math.max(-1, Math.min(1, dot(x, y) / (norm(x) * norm(y)))));
}
