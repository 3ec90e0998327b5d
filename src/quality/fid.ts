/**
 * The Fréchet distance between two Gaussians fitted to feature vectors (Heusel et al. 2017, "GANs trained by a
 * two time-scale update rule converge to a local Nash equilibrium", eq. 6; Dowson & Landau 1982):
 *
 *   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2})
 *
 * with the trace of the matrix square root taken from eigenvalues of the symmetric PSD matrix
 * Σ₁^{1/2} Σ₂ Σ₁^{1/2}, which has the eigenvalues of Σ₁Σ₂ (the usual (Σ₁Σ₂)^{1/2} of FID code, without its
 * non-symmetric square root). Covariances are unbiased (n − 1), as numpy's cov in the reference code.
 * Float64 throughout.
 */
import { symmetricEigen } from "../geometry/linalg.js";
import { InputError } from "../errors.js";

/** The mean and covariance of feature vectors (d-dimensional). */
export interface FeatureMoments {
  readonly count: number;
  readonly dim: number;
  readonly mean: Float64Array;
  /** d × d, row-major. */
  readonly covariance: Float64Array;
}

/**
 * Accumulates feature vectors a batch at a time (shifted by the first vector seen, so the sums stay
 * well-conditioned), then gives their moments.
 *
 * @example
 * const acc = new MomentAccumulator(2);
 * acc.add(Float64Array.of(0, 0, 2, 2), 2);   // two rows: (0, 0) and (2, 2)
 * acc.moments().mean;                        // Float64Array [1, 1]
 */
export class MomentAccumulator {
  private count = 0;
  private readonly shift: Float64Array;
  private readonly sum: Float64Array;
  private readonly cross: Float64Array;

  constructor(readonly dim: number) {
    this.shift = new Float64Array(dim);
    this.sum = new Float64Array(dim);
    this.cross = new Float64Array(dim * dim);
  }

  /** Add `rows` vectors, row-major in `values`. */
  add(values: ArrayLike<number>, rows: number): void {
    const d = this.dim, c = new Float64Array(d);
    if (values.length < rows * d) throw new RangeError(`moments: ${values.length} values are fewer than ${rows} rows of ${d}`);
    if (this.count === 0 && rows > 0) for (let j = 0; j < d; j++) this.shift[j] = values[j];
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) c[j] = values[r * d + j] - this.shift[j];
      for (let i = 0; i < d; i++) {
        const ci = c[i];
        this.sum[i] += ci;
        if (ci === 0) continue;
        const row = i * d;
        for (let j = i; j < d; j++) this.cross[row + j] += ci * c[j];
      }
    }
    this.count += rows;
  }

  moments(): FeatureMoments {
    const n = this.count, d = this.dim;
    if (n < 2) throw new InputError(`moments need at least 2 feature vectors, got ${n}`);
    const mean = new Float64Array(d), covariance = new Float64Array(d * d);
    for (let i = 0; i < d; i++) mean[i] = this.sum[i] / n;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = (this.cross[i * d + j] - n * mean[i] * mean[j]) / (n - 1);
        covariance[i * d + j] = v;
        covariance[j * d + i] = v;
      }
    }
    for (let i = 0; i < d; i++) mean[i] += this.shift[i];
    return { count: n, dim: d, mean, covariance };
  }
}

/** The symmetric PSD square root of S (r × r): U·diag(√max(λ, 0))·Uᵀ. */
function psdSqrt(S: Float64Array, r: number): Float64Array {
  const { values, vectors: U } = symmetricEigen(S, r), out = new Float64Array(r * r);
  const roots = values.map((v) => Math.sqrt(Math.max(v, 0)));
  for (let i = 0; i < r; i++) {
    for (let j = i; j < r; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += U[i * r + k] * roots[k] * U[j * r + k];
      out[i * r + j] = s;
      out[j * r + i] = s;
    }
  }
  return out;
}

/**
 * The Fréchet distance d² between the Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂) of two feature sets.
 *
 * @example
 * const a = { count: 10, dim: 1, mean: Float64Array.of(0), covariance: Float64Array.of(1) };
 * const b = { count: 10, dim: 1, mean: Float64Array.of(3), covariance: Float64Array.of(4) };
 * frechetDistance(a, b);   // 3² + 1 + 4 − 2·√4 = 10
 */
export function frechetDistance(a: FeatureMoments, b: FeatureMoments): number {
  if (a.dim !== b.dim) throw new InputError(`Fréchet distance: features of dimension ${a.dim} and ${b.dim}`);
  const d = a.dim, root = psdSqrt(a.covariance, d);
  // M = Σ₁^{1/2} Σ₂ Σ₁^{1/2}, symmetric PSD
  const tmp = new Float64Array(d * d), M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += root[i * d + k] * b.covariance[k * d + j];
      tmp[i * d + j] = s;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += tmp[i * d + k] * root[k * d + j];
      M[i * d + j] = s;
      M[j * d + i] = s;
    }
  }
  const traceRoot = symmetricEigen(M, d).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  let meanTerm = 0, trace = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (a.mean[i] - b.mean[i]) ** 2;
    trace += a.covariance[i * d + i] + b.covariance[i * d + i];
  }
  return Math.max(0, meanTerm + trace - 2 * traceRoot);
}
