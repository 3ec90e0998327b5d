// Closed-form region counts of hyperplane arrangements, the oracles of the geometry tests.

export function binomial(n: number, k: number): number {
  let b = 1;
  for (let i = 0; i < k; i++) b = (b * (n - i)) / (i + 1);
  return Math.round(b);
}

/** Σ_{i ≤ k} C(n, i): regions of n hyperplanes in general position in R^k (Zaslavsky 1975). */
export function zaslavsky(n: number, k: number): number {
  let s = 0;
  for (let i = 0; i <= k; i++) s += binomial(n, i);
  return s;
}

/** 2 Σ_{i < k} C(n − 1, i): regions of n hyperplanes through one point, otherwise in general position (Cover 1965). */
export function cover(n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += binomial(n - 1, i);
  return 2 * s;
}
