/**
 * What Dynamic String Sampling (Freeman & Bruna 2017, Algorithm 1) asks of a landscape: a loss F on R^d with its
 * gradient, both in float64. The weight-space losses (regression.ts: θ ↦ training loss of a network) and
 * the latent-space ones (latent.ts: x ↦ f_θ(x) of a generator) implement it, and so do the test functions.
 */
import { InputError } from "../errors.js";

export interface Loss {
  /** d, the length of a parameter vector. */
  readonly dimension: number;
  /** F(θ). */
  value(theta: Float64Array): number;
  /** F(θ), with ∇F(θ) written into `grad` (d values). */
  valueAndGradient(theta: Float64Array, grad: Float64Array): number;
  /**
   * F at `count` points stored one after another (count × d, row-major), into a new array. Optional: a loss
   * that evaluates many points in one pass (a batch of latent points through a network) provides it.
   */
  values?(points: Float64Array, count: number): Float64Array;
}

/** F at each of `count` points (count × d): the batched form when the loss has one. */
export function valuesAt(loss: Loss, points: Float64Array, count: number): Float64Array {
  if (loss.values) return loss.values(points, count);
  const d = loss.dimension, out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = loss.value(points.subarray(i * d, (i + 1) * d));
  return out;
}

/** A point of R^d as a Float64Array; InputError naming `what` for a wrong length or a non-finite entry. */
export function checkPoint(loss: Loss, theta: ArrayLike<number>, what: string): Float64Array {
  if (theta.length !== loss.dimension) throw new InputError(`${what}: has ${theta.length} values, the loss takes ${loss.dimension}`);
  const out = Float64Array.from(theta);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(`${what}: entry ${bad} is ${out[bad]}`);
  return out;
}

/** Rows laid one after another (count × d). */
export function concat(rows: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(rows.reduce((s, r) => s + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
