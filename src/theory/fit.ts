/**
 * The trend of a measured constant over growing sizes: an ordinary least-squares line through
 * (log x, log y), so a power law y ∝ x^s shows as slope s.
 */
import { InputError } from "../errors.js";

export interface LineFit {
  readonly slope: number;
  readonly intercept: number;
  /** Standard error of the slope (NaN with two points: no residual degrees of freedom). */
  readonly slopeError: number;
}

/** Least-squares line y = intercept + slope·x. */
export function fitLine(x: readonly number[], y: readonly number[]): LineFit {
  if (x.length !== y.length || x.length < 2) throw new InputError(`fit: need at least two (x, y) pairs of equal count, got ${x.length} and ${y.length}`);
  for (const [name, v] of [["x", x], ["y", y]] as const) {
    const bad = v.findIndex((t) => !Number.isFinite(t));
    if (bad >= 0) throw new InputError(`fit: ${name}[${bad}] is ${v[bad]}`);
  }
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx === 0) throw new InputError("fit: all x are equal");
  const slope = sxy / sxx, intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
  const slopeError = n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : NaN;
  return { slope, intercept, slopeError };
}

/** The line through (log x, log y): y ≈ e^intercept · x^slope. Every value must be positive. */
export function fitLogLog(x: readonly number[], y: readonly number[]): LineFit {
  for (const [name, v] of [["x", x], ["y", y]] as const) {
    const bad = v.findIndex((t) => !(t > 0));
    if (bad >= 0) throw new InputError(`log–log fit: ${name}[${bad}] = ${v[bad]} is not positive`);
  }
  return fitLine(x.map(Math.log), y.map(Math.log));
}
