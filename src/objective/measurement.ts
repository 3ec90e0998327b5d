/**
 * Measurement operators A: R^n → R^m, applied to a batch of signals (one per row) at once.
 *   identity         A = I (m = n)
 *   gaussian         A with i.i.d. N(0, 1/m) entries (the papers'), regenerated from its seed
 *   inpaint          keep the listed pixels (A = rows of I)
 *   superres         average pooling by an integer factor over a channels × height × width image
 *   dense            any m × n matrix
 * Dense operators keep Aᵀ and A prepacked, so applying A or Aᵀ is one gemm for the whole batch.
 */
import { BYTES, type DType, type Kernels, type PackedB } from "../kernels/index.js";
import { Rng, type Seed } from "../random/rng.js";
import { InputError } from "../errors.js";
import { MAX_TENSOR_VALUES } from "../nn/network.js";

export type MeasurementSpec =
  | { kind: "identity"; n: number }
  | { kind: "gaussian"; m: number; n: number; seed: string }
  | { kind: "inpaint"; n: number; keep: number[] }
  | { kind: "superres"; shape: [number, number, number]; factor: number }
  | { kind: "dense"; m: number; n: number };

export interface Measurement {
  readonly spec: MeasurementSpec;
  readonly m: number;
  readonly n: number;
  /** out (rows × m) = x (rows × n) · Aᵀ, in the heap of K. */
  apply(rows: number, x: number, out: number): void;
  /** out (rows × n) = r (rows × m) · A. */
  adjoint(rows: number, r: number, out: number): void;
  /** A as a dense m × n float64 matrix (geometry, tests). */
  dense(): Float64Array;
  free(): void;
}

/**
 * The identity measurement A = I (m = n): the observation is the signal itself.
 *
 * @example
 * import { Identity, observe, kernels } from "surfing";
 * const A = new Identity(kernels, "f64", 3);
 * observe(A, [[1, 2, 3]])[0];   // → [1, 2, 3]
 */
export class Identity implements Measurement {
  readonly spec: MeasurementSpec;
  readonly m: number;
  constructor(private readonly K: Kernels, private readonly dtype: DType, readonly n: number) {
    this.m = n;
    this.spec = { kind: "identity", n };
  }
  apply(rows: number, x: number, out: number): void {
    if (x !== out) this.K.copy(out, x, rows * this.n * BYTES[this.dtype]);
  }
  adjoint(rows: number, r: number, out: number): void {
    this.apply(rows, r, out);
  }
  dense(): Float64Array {
    const A = new Float64Array(this.n * this.n);
    for (let i = 0; i < this.n; i++) A[i * this.n + i] = 1;
    return A;
  }
  free(): void {}
}

/**
 * Any m × n measurement matrix A (row-major), kept packed so that A and Aᵀ are one gemm for a whole batch.
 *
 * @example
 * import { DenseMeasurement, observe, kernels } from "surfing";
 * const A = new DenseMeasurement(kernels, "f64", 1, 3, [1, 1, 1]);   // the sum of the three values
 * observe(A, [[1, 2, 3]])[0];   // → [6]
 * A.free();
 */
export class DenseMeasurement implements Measurement {
  private readonly a: number;
  private readonly forwardPack: PackedB;
  private readonly adjointPack: PackedB;

  constructor(private readonly K: Kernels, private readonly dtype: DType, readonly m: number, readonly n: number,
              values: ArrayLike<number>, readonly spec: MeasurementSpec = { kind: "dense", m, n }) {
    if (!Number.isSafeInteger(m) || m < 1) throw new InputError(`measurement: m must be a positive integer, got ${m}`);
    if (values.length !== m * n) throw new InputError(`measurement: ${values.length} entries do not fill an ${m}×${n} matrix`);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new InputError(`measurement: entry (${Math.floor(i / n)}, ${i % n}) is ${values[i]}`);
    }
    const S = BYTES[dtype];
    this.a = K.alloc(m * n * S);
    K.view(dtype, this.a, m * n).set(values);
    this.forwardPack = K.packB(dtype, true, n, m, this.a, n);
    this.adjointPack = K.packB(dtype, false, m, n, this.a, n);
  }

  apply(rows: number, x: number, out: number): void {
    this.K.gemmPacked(this.dtype, false, rows, this.m, this.n, 1, x, this.n, this.forwardPack, 0, out, this.m);
  }
  adjoint(rows: number, r: number, out: number): void {
    this.K.gemmPacked(this.dtype, false, rows, this.n, this.m, 1, r, this.m, this.adjointPack, 0, out, this.n);
  }
  dense(): Float64Array {
    return Float64Array.from(this.K.view(this.dtype, this.a, this.m * this.n));
  }
  free(): void {
    for (const p of [this.a, this.forwardPack.ptr, this.adjointPack.ptr]) this.K.free(p);
  }
}

/** Keep the pixels `keep` (distinct indices in [0, n)): A·v = v[keep]. */
export class Inpaint implements Measurement {
  readonly spec: MeasurementSpec;
  readonly m: number;
  private readonly keep: Int32Array;

  constructor(private readonly K: Kernels, private readonly dtype: DType, readonly n: number, keep: readonly number[]) {
    const seen = new Set<number>();
    for (const i of keep) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= n) throw new InputError(`inpaint: pixel index ${i} is outside [0, ${n})`);
      if (seen.has(i)) throw new InputError(`inpaint: pixel index ${i} is listed twice`);
      seen.add(i);
    }
    if (keep.length === 0) throw new InputError("inpaint: no pixels kept");
    this.keep = Int32Array.from(keep);
    this.m = keep.length;
    this.spec = { kind: "inpaint", n, keep: [...keep] };
  }
  apply(rows: number, x: number, out: number): void {
    const X = this.view(x, rows * this.n), O = this.view(out, rows * this.m);
    for (let r = 0; r < rows; r++) for (let j = 0; j < this.m; j++) O[r * this.m + j] = X[r * this.n + this.keep[j]];
  }
  adjoint(rows: number, v: number, out: number): void {
    const V = this.view(v, rows * this.m), O = this.view(out, rows * this.n);
    O.fill(0);
    for (let r = 0; r < rows; r++) for (let j = 0; j < this.m; j++) O[r * this.n + this.keep[j]] = V[r * this.m + j];
  }
  dense(): Float64Array {
    const A = new Float64Array(this.m * this.n);
    this.keep.forEach((i, j) => (A[j * this.n + i] = 1));
    return A;
  }
  private view(ptr: number, count: number): Float32Array | Float64Array {
    return this.K.view(this.dtype, ptr, count);
  }
  free(): void {}
}

/**
 * The papers' Gaussian A: m × n with i.i.d. N(0, 1/m) entries, from Rng.derive(seed, "measurement", m, n).
 *
 * @example
 * import { gaussianMeasurement, observe, kernels } from "surfing";
 * const A = gaussianMeasurement(kernels, "f64", 3, 5, "0");   // 3 × 5, entries N(0, 1/3), drawn from seed "0"
 * observe(A, [[1, 0, 0, 0, 0]])[0].length;   // → 3
 * A.free();
 */
export function gaussianMeasurement(K: Kernels, dtype: DType, m: number, n: number, seed: Seed): DenseMeasurement {
  if (!(Number.isSafeInteger(m) && m >= 1 && m * n <= MAX_TENSOR_VALUES)) {
    throw new InputError(`gaussian measurement: m = ${m} rows of n = ${n} is ${(m * n).toExponential(2)} entries; at most ${MAX_TENSOR_VALUES} (m ≤ ${Math.floor(MAX_TENSOR_VALUES / n)})`);
  }
  if (!Number.isSafeInteger(m) || m < 1) throw new InputError(`measurement: m must be a positive integer, got ${m}`);
  const A = new Float64Array(m * n);
  Rng.derive(seed, "measurement", m, n).fillNormal(A, 0, 1 / Math.sqrt(m));
  return new DenseMeasurement(K, dtype, m, n, A, { kind: "gaussian", m, n, seed: String(seed) });
}

/** Average pooling of a channels × height × width image by `factor` in each direction (super-resolution). */
export function superResolution(K: Kernels, dtype: DType, shape: [number, number, number], factor: number): DenseMeasurement {
  const [c, h, w] = shape;
  if (!Number.isSafeInteger(factor) || factor < 1 || h % factor !== 0 || w % factor !== 0) {
    throw new InputError(`superres: factor ${factor} must be a positive integer dividing the image's ${h}×${w}`);
  }
  const oh = h / factor, ow = w / factor, m = c * oh * ow, n = c * h * w;
  const A = new Float64Array(m * n);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const row = (ch * oh + Math.floor(y / factor)) * ow + Math.floor(x / factor);
        A[row * n + (ch * h + y) * w + x] = 1 / (factor * factor);
      }
    }
  }
  return new DenseMeasurement(K, dtype, m, n, A, { kind: "superres", shape, factor });
}

/**
 * Rebuild a measurement from its description (a Gaussian A from its seed).
 *
 * @example
 * import { measurementFromSpec, kernels } from "surfing";
 * const A = measurementFromSpec(kernels, "f64", { kind: "superres", shape: [1, 4, 4], factor: 2 });   // 2×2 average pooling
 * [A.m, A.n];   // → [4, 16]
 * A.free();
 */
export function measurementFromSpec(K: Kernels, dtype: DType, spec: MeasurementSpec, dense?: ArrayLike<number>): Measurement {
  switch (spec.kind) {
    case "identity":
      return new Identity(K, dtype, spec.n);
    case "gaussian":
      return gaussianMeasurement(K, dtype, spec.m, spec.n, spec.seed);
    case "inpaint":
      return new Inpaint(K, dtype, spec.n, spec.keep);
    case "superres":
      return superResolution(K, dtype, spec.shape, spec.factor);
    case "dense":
      if (!dense) throw new InputError("a dense measurement needs its matrix");
      return new DenseMeasurement(K, dtype, spec.m, spec.n, dense);
  }
}

/**
 * The observation A·y + σ·ε of each signal y (ε standard normal from Rng.derive(seed, "noise", row)),
 * computed in float64.
 *
 * @example
 * import { observe, gaussianMeasurement, kernels } from "surfing";
 * const A = gaussianMeasurement(kernels, "f64", 2, 3, "0");
 * const [clean] = observe(A, [[1, 2, 3]]);
 * const [noisy] = observe(A, [[1, 2, 3]], 0.1, "0");   // plus N(0, 0.1²) noise, seeded
 * noisy.length;   // → 2
 * clean[0] !== noisy[0];   // → true
 */
export function observe(A: Measurement, signals: readonly ArrayLike<number>[], noise = 0, seed: Seed = 0): Float64Array[] {
  const D = A.dense();
  return signals.map((y, r) => {
    if (y.length !== A.n) throw new InputError(`observe: signal ${r} has ${y.length} values, the measurement takes ${A.n}`);
    const out = new Float64Array(A.m);
    for (let i = 0; i < A.m; i++) {
      let s = 0;
      for (let j = 0; j < A.n; j++) s += D[i * A.n + j] * y[j];
      out[i] = s;
    }
    if (noise > 0) {
      const rng = Rng.derive(seed, "noise", r);
      for (let i = 0; i < A.m; i++) out[i] += noise * rng.normal();
    }
    return out;
  });
}
