/**
 * Small dense float64 matrices (row-major) for the checks: products, Gram matrices and the spectral
 * norm ‖B‖ = √λ_max(BᵀB) — the norm of Lemma 5.1 and of the WDC (Hand & Voroninski 2018, eq. 2).
 */
import { symmetricEigen } from "../geometry/linalg.js";
import { norm } from "../tensor/vector.js";

/** C = A·B for A (r × s) and B (s × c). */
export function matmul(A: Float64Array, B: Float64Array, r: number, s: number, c: number): Float64Array {
  const C = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < s; l++) {
      const a = A[i * s + l];
      if (a === 0) continue;
      for (let j = 0; j < c; j++) C[i * c + j] += a * B[l * c + j];
    }
  }
  return C;
}

/** C = Aᵀ·B for A (r × s) and B (r × c): s × c. */
export function matmulTN(A: Float64Array, B: Float64Array, r: number, s: number, c: number): Float64Array {
  const C = new Float64Array(s * c);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < s; l++) {
      const a = A[i * s + l];
      if (a === 0) continue;
      for (let j = 0; j < c; j++) C[l * c + j] += a * B[i * c + j];
    }
  }
  return C;
}

/** Spectral norm of an r × c matrix: the square root of the largest eigenvalue of BᵀB (c × c). */
export function spectralNorm(B: Float64Array, r: number, c: number): number {
  const { values } = symmetricEigen(matmulTN(B, B, r, c, c), c);
  return Math.sqrt(Math.max(0, ...values));
}

/** An orthonormal basis (as columns, r × rank) of the column space of B (r × c), by Gram–Schmidt twice; columns below `tol`·max‖column‖ are dropped. */
export function orthonormalColumns(B: Float64Array, r: number, c: number, tol = 1e-10): { Q: Float64Array; rank: number } {
  const cols: Float64Array[] = [];
  let scale = 0;
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += B[i * c + j] ** 2;
    scale = Math.max(scale, Math.sqrt(s));
  }
  for (let j = 0; j < c; j++) {
    const v = new Float64Array(r);
    for (let i = 0; i < r; i++) v[i] = B[i * c + j];
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        let dot = 0;
        for (let i = 0; i < r; i++) dot += q[i] * v[i];
        for (let i = 0; i < r; i++) v[i] -= dot * q[i];
      }
    }
    const length = norm(v);
    if (length <= tol * scale) continue;
    for (let i = 0; i < r; i++) v[i] /= length;
    cols.push(v);
  }
  const rank = cols.length, Q = new Float64Array(r * rank);
  cols.forEach((q, j) => {
    for (let i = 0; i < r; i++) Q[i * rank + j] = q[i];
  });
  return { Q, rank };
}
