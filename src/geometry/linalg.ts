/**
 * Small dense float64 linear algebra for the LP/QP solver (dimensions ≤ a few dozen): a Householder QR
 * with the full orthogonal factor, and Jacobi's eigenvalue method for symmetric matrices. Row-major.
 */

export interface QR {
  /** n × n orthogonal, row-major: its first w columns span the columns of M, the rest their orthogonal complement. */
  readonly Q: Float64Array;
  /** w × w upper triangular, row-major (row stride w): M = Q[:, :w] R. */
  readonly R: Float64Array;
}

/** Householder QR of n × w matrices (w ≤ n) with the full orthogonal factor, reusing its buffers across calls. */
export class QRWorkspace {
  private readonly M: Float64Array;
  private readonly V: Float64Array;
  private readonly beta: Float64Array;
  private readonly col: Float64Array;
  private readonly Q: Float64Array;
  private readonly R: Float64Array;

  constructor(readonly n: number) {
    this.M = new Float64Array(n * n);
    this.V = new Float64Array(n * n);
    this.beta = new Float64Array(n);
    this.col = new Float64Array(n);
    this.Q = new Float64Array(n * n);
    this.R = new Float64Array(n * n);
  }

  /** QR of the matrix whose j-th column `col(j, out)` writes; the result's arrays are overwritten by the next call. */
  factor(w: number, col: (j: number, out: Float64Array) => void): QR {
    const { n, M, V, beta, Q } = this;
    for (let j = 0; j < w; j++) {
      col(j, this.col);
      M.set(this.col, j * n); // column-major
    }
    for (let j = 0; j < w; j++) {
      // Householder vector v (stored in V[j·n + j…]) for M[j:, j].
      let norm = 0;
      for (let i = j; i < n; i++) norm += M[j * n + i] ** 2;
      norm = Math.sqrt(norm);
      const alpha = M[j * n + j] >= 0 ? -norm : norm;
      let vv = 0;
      for (let i = j; i < n; i++) {
        const vi = M[j * n + i] - (i === j ? alpha : 0);
        V[j * n + i] = vi;
        vv += vi * vi;
      }
      beta[j] = vv > 0 ? 2 / vv : 0;
      for (let q = j; q < w; q++) {
        let s = 0;
        for (let i = j; i < n; i++) s += V[j * n + i] * M[q * n + i];
        s *= beta[j];
        for (let i = j; i < n; i++) M[q * n + i] -= s * V[j * n + i];
      }
    }
    const R = this.R.subarray(0, w * w);
    for (let i = 0; i < w; i++) for (let q = 0; q < w; q++) R[i * w + q] = q >= i ? M[q * n + i] : 0;
    // Q = H_0 H_1 … H_{w−1}: the reflections applied in reverse to the identity.
    Q.fill(0);
    for (let i = 0; i < n; i++) Q[i * n + i] = 1;
    for (let j = w - 1; j >= 0; j--) {
      const b = beta[j];
      if (b === 0) continue;
      for (let q = j; q < n; q++) {
        let s = 0;
        for (let i = j; i < n; i++) s += V[j * n + i] * Q[i * n + q];
        s *= b;
        for (let i = j; i < n; i++) Q[i * n + q] -= s * V[j * n + i];
      }
    }
    return { Q, R };
  }
}

/** QR of the n × w matrix whose j-th column `col(j, out)` writes (fresh arrays). */
export function qrColumns(n: number, w: number, col: (j: number, out: Float64Array) => void): QR {
  const { Q, R } = new QRWorkspace(n).factor(w, col);
  return { Q, R: R.slice() };
}

/** Solve R x = y for upper-triangular w × w R (row-major); returns x. */
export function solveUpper(R: Float64Array, w: number, y: Float64Array): Float64Array {
  const x = new Float64Array(w);
  for (let i = w - 1; i >= 0; i--) {
    let s = y[i];
    for (let q = i + 1; q < w; q++) s -= R[i * w + q] * x[q];
    x[i] = s / R[i * w + i];
  }
  return x;
}

export interface SymmetricEigen {
  readonly values: Float64Array;
  /** Column i (row-major r × r) is the eigenvector of values[i]. */
  readonly vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric r × r matrix by cyclic Jacobi rotations (quadratically convergent; exact orthogonality).
 *
 * @example
 * import { geometry } from "surfing";
 * const { values } = geometry.symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
 * [...values].sort();   // ≈ [1, 3]
 */
export function symmetricEigen(S: Float64Array, r: number): SymmetricEigen {
  const a = Float64Array.from(S), U = new Float64Array(r * r);
  for (let i = 0; i < r; i++) U[i * r + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, diag = 0;
    for (let p = 0; p < r; p++) {
      diag += a[p * r + p] ** 2;
      for (let q = p + 1; q < r; q++) off += a[p * r + q] ** 2;
    }
    // Off-diagonal mass below rounding of the diagonal: converged.
    if (off <= 1e-32 * diag || off === 0) break;
    for (let p = 0; p < r; p++) {
      for (let q = p + 1; q < r; q++) {
        const apq = a[p * r + q];
        if (apq === 0) continue;
        const theta = (a[q * r + q] - a[p * r + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
        for (let i = 0; i < r; i++) {
          const aip = a[i * r + p], aiq = a[i * r + q];
          a[i * r + p] = cs * aip - sn * aiq;
          a[i * r + q] = sn * aip + cs * aiq;
        }
        for (let i = 0; i < r; i++) {
          const api = a[p * r + i], aqi = a[q * r + i];
          a[p * r + i] = cs * api - sn * aqi;
          a[q * r + i] = sn * api + cs * aqi;
        }
        for (let i = 0; i < r; i++) {
          const uip = U[i * r + p], uiq = U[i * r + q];
          U[i * r + p] = cs * uip - sn * uiq;
          U[i * r + q] = sn * uip + cs * uiq;
        }
      }
    }
  }
  const values = new Float64Array(r);
  for (let i = 0; i < r; i++) values[i] = a[i * r + i];
  return { values, vectors: U };
}
