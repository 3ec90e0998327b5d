/**
 * The objective of the theorems' settings on one float64 network of a Gaussian ensemble: a target y (independent
 * of the network for Theorem 3.1 — N(0, I/n) entries, ‖y‖ ≈ 1 — or G(x0) for Hand–Voroninski), a measurement A
 * (the identity, or Gaussian with N(0, 1/m) entries and m = ⌈n/2⌉ rows unless given: m then grows with the widths,
 * as Theorem 3.1's m ≳ k log(n_1⋯n_d)/ε asks), and f(x) = ½‖A·G(x) − A·y‖² both on the kernels (batched) and as
 * exact geometry (src/geometry).
 */
import type { LeastSquares, PiecewiseLinearNet } from "../geometry/index.js";
import { kernels } from "../kernels/index.js";
import { randomNetwork, type Family } from "../nn/ensembles.js";
import type { Network } from "../nn/network.js";
import { gaussianMeasurement, Identity, observe, type Measurement } from "../objective/measurement.js";
import type { Rng } from "../random/rng.js";
import { randomDirection } from "./check.js";
import { Landscape } from "./landscape.js";
import { norm } from "../tensor/vector.js";
import { fromNetwork } from "../geometry/from-network.js";

export type MeasurementKind = "identity" | "gaussian";
export const MEASUREMENTS: readonly MeasurementKind[] = ["identity", "gaussian"];

/** Radii of sampled x relative to 1 + ‖y‖: from well inside Theorem 3.1's ball to far outside it. */
export const SAMPLE_RADII: readonly [number, number] = [1e-2, 1e2];

/** [k, ck, c²k, …, c^d k, c^d k]: every layer c times wider than the one before, and n = n_d (Theorem 3.1 allows n ≥ n_d). */
export function expansiveArch(k: number, d: number, c: number): number[] {
  const arch = [k];
  for (let i = 1; i <= d; i++) arch.push(arch[i - 1] * c);
  arch.push(arch[d]);
  return arch;
}

/** A float64 network of the ensemble, seeded. */
export function ensembleNet(family: Family, arch: readonly number[], seed: string): Network {
  return randomNetwork(family, arch, seed, { dtype: "f64", kernels });
}

/** Theorem 3.1's target: y ∈ R^n with N(0, 1/n) entries, independent of the network (‖y‖ ≈ 1). */
export function independentTarget(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal() / Math.sqrt(n));
}

export class Instance {
  readonly pl: PiecewiseLinearNet;
  readonly A: Measurement;
  readonly ls: LeastSquares;
  readonly landscape: Landscape;
  readonly normY: number;
  /** Number of ReLU layers d. */
  readonly d: number;
  readonly k: number;

  /**
   * f_0 for `net` (float64, not owned: free it yourself), target `y` and a measurement of `kind`; the Gaussian A is
   * drawn from `seedA` with `rows` rows (default ⌈n/2⌉). `batch` is how many points one pass takes.
   */
  constructor(readonly net: Network, kind: MeasurementKind, y: Float64Array, seedA: string, options: { rows?: number; batch?: number } = {}) {
    this.pl = fromNetwork(net);
    const n = net.outputSize;
    this.k = net.inputSize;
    this.d = this.pl.layers.filter((l) => l.act === "relu").length;
    this.normY = norm(y);
    this.A = kind === "identity" ? new Identity(kernels, "f64", n) : gaussianMeasurement(kernels, "f64", options.rows ?? Math.ceil(n / 2), n, seedA);
    this.ls = { A: kind === "identity" ? null : this.A.dense(), m: this.A.m, obs: observe(this.A, [y])[0] };
    this.landscape = new Landscape(net, this.A, y, options.batch ?? 256);
  }

  get y(): Float64Array {
    return this.landscape.y;
  }

  /** `count` points with uniformly random directions and radii log-uniform in [lo, hi] (count × k). */
  samplePoints(rng: Rng, count: number, lo: number, hi: number): Float64Array {
    const X = new Float64Array(count * this.k);
    for (let r = 0; r < count; r++) {
      const u = randomDirection(rng, this.k), radius = lo * (hi / lo) ** rng.uniform();
      for (let j = 0; j < this.k; j++) X[r * this.k + j] = radius * u[j];
    }
    return X;
  }

  /**
   * At each point: ‖∇f(x) − g_x‖ / (1 + ‖x‖ + ‖y‖) with Lemma 5.4's g_x = 2^{−d}x − (Π W_{i,x}ᵀ)Vᵀy, and
   * ‖∇f(x) − 2^{−d}x‖ / (1 + ‖x‖ + ‖y‖), the constant Cε the proof of Theorem 3.1 gets from Lemmas 5.4 and 5.5.
   */
  gradientDeviations(points: Float64Array): { lemma54: Float64Array; theorem31: Float64Array } {
    const k = this.k, count = points.length / k, scale = 2 ** -this.d;
    const { grad } = this.landscape.evaluate(points);
    const pulled = this.landscape.pullback(points, this.y);   // (Π W_{i,x}ᵀ)Vᵀy = J(x)ᵀy
    const lemma54 = new Float64Array(count), theorem31 = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      let a = 0, b = 0, xx = 0;
      for (let j = 0; j < k; j++) {
        const x = points[r * k + j], dev = grad[r * k + j] - scale * x;
        xx += x * x;
        a += (dev + pulled[r * k + j]) ** 2;
        b += dev * dev;
      }
      const denominator = 1 + Math.sqrt(xx) + this.normY;
      lemma54[r] = Math.sqrt(a) / denominator;
      theorem31[r] = Math.sqrt(b) / denominator;
    }
    return { lemma54, theorem31 };
  }

  /** Free the measurement and the objective (not the network). */
  free(): void {
    this.landscape.free();
    this.A.free();
  }
}
