/**
 * Hand & Voroninski's angle contraction (Hand & Voroninski 2018, Section 2.1) and the ratio ρ_d of the spurious
 * stationary point −ρ_d·x0 (Lemma 10).
 *
 *   g(θ) = arccos(((π − θ) cos θ + sin θ) / π)                                   (eq. 4)
 *   θ̌_0 = π,  θ̌_i = g(θ̌_{i−1}),   ρ_d = Σ_{i=0}^{d−1} (sin θ̌_i / π) Π_{j=i+1}^{d−1} (π − θ̌_j) / π
 *
 * Worked by hand from these definitions: θ̌_1 = g(π) = arccos(0) = π/2, so ρ_1 = sin(π)/π = 0 and
 * ρ_2 = sin(π)/π · (π − π/2)/π + sin(π/2)/π = 1/π.
 */
import { InputError } from "../errors.js";

/** g(θ) of eq. (4) on [0, π]: the angle between W_{+,x}x and W_{+,y}y in expectation, for ∠(x, y) = θ. */
export function g(theta: number): number {
  if (!(theta >= 0 && theta <= Math.PI)) throw new InputError(`g: θ must lie in [0, π], got ${theta}`);
  // Clamp: for θ near 0 the argument is 1 − O(θ³) and rounding can push it past 1.
  const c = ((Math.PI - theta) * Math.cos(theta) + Math.sin(theta)) / Math.PI;
  return Math.acos(Math.min(1, Math.max(-1, c)));
}

/** θ̌_0, …, θ̌_{d−1}: the angles a layer-by-layer image of −x0 makes with that of x0. */
export function checkAngles(d: number): number[] {
  checkDepth(d);
  const out = [Math.PI];
  for (let i = 1; i < d; i++) out.push(g(out[i - 1]));
  return out;
}

/** ρ_d of Lemma 10 (Hand & Voroninski 2018), by its recursion. */
export function rho(d: number): number {
  const th = checkAngles(d);
  let sum = 0;
  for (let i = 0; i < d; i++) {
    let prod = 1;
    for (let j = i + 1; j < d; j++) prod *= (Math.PI - th[j]) / Math.PI;
    sum += (Math.sin(th[i]) / Math.PI) * prod;
  }
  return sum;
}

function checkDepth(d: number): void {
  if (!Number.isSafeInteger(d) || d < 1) throw new InputError(`depth d must be a positive integer, got ${d}`);
}
