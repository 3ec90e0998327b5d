/** Summaries of a run's trials: rates with Wilson intervals, percentiles of step counts. */

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/**
 * Wilson's score interval for a binomial proportion (successes of n), 95 %.
 *
 * @example
 * import { wilson } from "surfing";
 * wilson(8, 10);   // ≈ { rate: 0.8, low: 0.49, high: 0.94 }
 */
export function wilson(successes: number, n: number): { rate: number; low: number; high: number } {
  if (n === 0) return { rate: NaN, low: 0, high: 1 };
  const p = successes / n, z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The q-th percentile (0 ≤ q ≤ 100) by linear interpolation between order statistics (NumPy's default).
 *
 * @example
 * import { percentile } from "surfing";
 * percentile([1, 2, 3, 4], 75);   // → 3.25
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (q / 100) * (sorted.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** What a run's trials add up to. Rates count only trials with a known x*. */
export interface RunSummary {
  trials: number;
  successes: number;
  successRate: number | null;
  /** 95 % Wilson interval of the success rate. */
  successInterval: [number, number] | null;
  diverged: number;
  converged: number;
  steps: { p50: number; p75: number; max: number };
  /** 75th percentile of the steps until ‖x − x*‖ < 0.01 over the successful trials (Table 1's "# iterations"). */
  stepsToSuccessP75: number | null;
  pixelErrorMedian: number;
}

/**
 * What a run's trials add up to: the success rate with its Wilson interval, step percentiles, the median pixel error.
 *
 * @example
 * import { summarize } from "surfing";
 * const summary = summarize([
 *   { success: true, diverged: false, converged: true, steps: 120, stepsToSuccess: 100, pixelError: 0.001 },
 *   { success: false, diverged: false, converged: true, steps: 300, stepsToSuccess: null, pixelError: 0.2 },
 * ]);
 * summary.successRate;   // → 0.5
 * summary.steps;   // → { p50: 210, p75: 255, max: 300 }
 */
export function summarize(results: readonly { success: boolean | null; diverged: boolean; converged: boolean; steps: number; stepsToSuccess: number | null; pixelError: number }[]): RunSummary {
  const known = results.filter((r) => r.success !== null);
  const successes = known.filter((r) => r.success).length;
  const w = known.length > 0 ? wilson(successes, known.length) : null;
  const steps = results.map((r) => r.steps);
  const toSuccess = results.filter((r) => r.success && r.stepsToSuccess !== null).map((r) => r.stepsToSuccess!);
  return {
    trials: results.length,
    successes,
    successRate: w ? w.rate : null,
    successInterval: w ? [w.low, w.high] : null,
    diverged: results.filter((r) => r.diverged).length,
    converged: results.filter((r) => r.converged).length,
    steps: { p50: percentile(steps, 50), p75: percentile(steps, 75), max: Math.max(0, ...steps) },
    stepsToSuccessP75: toSuccess.length > 0 ? percentile(toSuccess, 75) : null,
    pixelErrorMedian: percentile(results.map((r) => r.pixelError), 50),
  };
}

/**
 * ln Γ(x) for x > 0, Lanczos' approximation (g = 7, 9 coefficients; relative error below 1e-15), with the
 * reflection formula below ½.
 */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a): the series for P below x < a + 1,
 * Lentz's continued fraction above (Press et al., Numerical Recipes, §6.2).
 */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let sum = 1 / a, term = sum;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) sum += (term *= x / (a + n));
    return Math.max(0, 1 - sum * front);
  }
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, front * h);
}

/**
 * Pearson's chi-square test that g binomial samples (successes of trials each) share one success rate: the
 * statistic over the 2 × g table, g − 1 degrees of freedom, and its p-value. When every sample is all
 * successes or all failures the rates cannot differ more than the data allow: χ² = 0, p = 1.
 *
 * @example
 * homogeneity([50, 50], [100, 100]).p;   // 1: the same rate
 * homogeneity([30, 60], [100, 100]).p;   // ≈ 2e-5
 */
export function homogeneity(successes: readonly number[], trials: readonly number[]): { chi2: number; df: number; p: number } {
  const g = successes.length, n = trials.reduce((a, b) => a + b, 0), s = successes.reduce((a, b) => a + b, 0), pooled = s / n;
  if (g < 2 || pooled === 0 || pooled === 1) return { chi2: 0, df: Math.max(0, g - 1), p: 1 };
  let chi2 = 0;
  for (let i = 0; i < g; i++) {
    const expected = trials[i] * pooled, expectedFail = trials[i] * (1 - pooled);
    chi2 += (successes[i] - expected) ** 2 / expected + (trials[i] - successes[i] - expectedFail) ** 2 / expectedFail;
  }
  return { chi2, df: g - 1, p: gammaQ((g - 1) / 2, chi2 / 2) };
}

/**
 * McNemar's exact test for two methods run on the same trials: of the discordant trials, `onlyA` succeeded
 * with A alone and `onlyB` with B alone; under "same success rate" each discordant trial is a fair coin, so
 * the two-sided p-value is 2·P(X ≤ min(onlyA, onlyB)), X ~ Binomial(onlyA + onlyB, ½), capped at 1
 * (McNemar 1947; the exact binomial form, as in Fagerland, Lydersen & Laake 2013).
 *
 * @example
 * mcnemarExact(10, 2);   // 2·(1 + 12 + 66)/2¹² ≈ 0.0386
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB, k = Math.min(onlyA, onlyB);
  if (n === 0) return 1;
  // Σ_{i ≤ k} C(n, i) / 2ⁿ in logs: n reaches a few hundred trials
  let logTerm = -n * Math.LN2, tail = 0;
  for (let i = 0; i <= k; i++) {
    tail += Math.exp(logTerm);
    logTerm += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, 2 * tail);
}

/**
 * Holm's step-down adjustment of p-values for a family of tests (Holm 1979): sorted ascending, the i-th
 * (from 0) is multiplied by (m − i), then made non-decreasing; returned in the original order.
 *
 * @example
 * holm([0.01, 0.04, 0.03]);   // [0.03, 0.06, 0.06]
 */
export function holm(p: readonly number[]): number[] {
  const m = p.length, order = p.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]), out = new Array<number>(m);
  let running = 0;
  order.forEach(([v, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * v));
    out[i] = running;
  });
  return out;
}

/**
 * A 95 % interval for the difference p_A − p_B of two success rates measured on the same n trials, from the
 * 2 × 2 table of outcomes (both, A only, B only, neither): Newcombe's hybrid score interval for paired
 * proportions (Newcombe 1998, "Improved confidence intervals for the difference between binomial
 * proportions based on paired data", method 10) — Wilson intervals of the two rates combined with the
 * correlation φ of the outcomes.
 */
export function pairedDifferenceInterval(both: number, onlyA: number, onlyB: number, neither: number): { difference: number; low: number; high: number } {
  const n = both + onlyA + onlyB + neither;
  if (n === 0) return { difference: NaN, low: -1, high: 1 };
  const a = wilson(both + onlyA, n), b = wilson(both + onlyB, n), difference = a.rate - b.rate;
  const denominator = (both + onlyA) * (onlyB + neither) * (both + onlyB) * (onlyA + neither);
  const phi = denominator > 0 ? (both * neither - onlyA * onlyB) / Math.sqrt(denominator) : 0;
  const delta = Math.sqrt(Math.max(0, (a.rate - a.low) ** 2 - 2 * phi * (a.rate - a.low) * (b.high - b.rate) + (b.high - b.rate) ** 2));
  const epsilon = Math.sqrt(Math.max(0, (a.high - a.rate) ** 2 - 2 * phi * (a.high - a.rate) * (b.rate - b.low) + (b.rate - b.low) ** 2));
  return { difference, low: Math.max(-1, difference - delta), high: Math.min(1, difference + epsilon) };
}
