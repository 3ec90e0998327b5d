/** Summaries of a run's trials: rates with Wilson intervals, percentiles of step counts. */

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** Wilson's score interval for a binomial proportion (successes of n), 95 %. */
export function wilson(successes: number, n: number): { rate: number; low: number; high: number } {
  if (n === 0) return { rate: NaN, low: 0, high: 1 };
  const p = successes / n, z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The q-th percentile (0 ≤ q ≤ 100) by linear interpolation between order statistics (NumPy's default). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (q / 100) * (sorted.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** What a run's trials add up to (issue #8, item 7). Rates count only trials with a known x*. */
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
