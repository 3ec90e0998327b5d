/**
 * A check of one theorem or lemma on seeded Gaussian ensembles. A check plans *units* — one measurement
 * at one size (and replicate) — that run independently, each from a seed derived from the run seed, the
 * check's name and the unit's key, so a killed run resumes unit by unit and a unit's result does not
 * depend on which others ran. `judge` turns the units' results into pass/fail by the theorem's
 * prediction, and `plot` draws the figure from the judged `figures` alone (so a stored report can be
 * redrawn).
 */
import { Rng } from "../random/rng.js";
import type { Form } from "../form.js";

/** One measurement; `key` names it uniquely within its check (it is also the resume key). */
export interface Unit {
  readonly key: string;
}

export interface Verdict {
  readonly pass: boolean;
  /** One or two sentences: what was measured against what was predicted. */
  readonly summary: string;
  /** Which constants (C′, ε, tolerances) the verdict uses, and why. */
  readonly constants: string;
  /** The measured data by size, JSON, as drawn by `plot`. */
  readonly figures: Record<string, unknown>;
}

export interface Check<U extends Unit = Unit, R = unknown> {
  readonly name: string;
  readonly title: string;
  /** Where the statement is: seed and theorem. */
  readonly source: string;
  /** The statement's prediction, in words, as the check tests it. */
  readonly prediction: string;
  /** The form of R, by which a result read back from a store is trusted or measured again (form.ts). */
  readonly form: Form;
  plan(quick: boolean): U[];
  measure(unit: U, seed: string): R;
  judge(units: readonly U[], results: readonly R[], quick: boolean): Verdict;
  /** One SVG per figure, from Verdict.figures. */
  plot(figures: Record<string, unknown>): { svg: string; caption: string }[];
}

/** What the report says about a check. */
export interface CheckResult extends Verdict {
  readonly name: string;
  readonly title: string;
  readonly source: string;
  readonly prediction: string;
}

/** The generator of a unit's randomness: depends only on the run seed, the check and the unit's key (and `what`). */
export function unitRng(seed: string, check: string, unit: string, ...what: (string | number)[]): Rng {
  return Rng.derive(seed, "verify", check, unit, ...what);
}

/** The seed string handed to library constructors (randomNetwork, gaussianMeasurement) for a unit. */
export function unitSeed(seed: string, check: string, unit: string, what: string): string {
  return [seed, "verify", check, unit, what].join("/");
}

/** A uniformly random unit vector of R^k. */
export function randomDirection(rng: Rng, k: number): Float64Array {
  const v = new Float64Array(k);
  let s = 0;
  while (s === 0) {
    rng.fillNormal(v);
    s = Math.hypot(...v);
  }
  for (let i = 0; i < k; i++) v[i] /= s;
  return v;
}

/** Two unit vectors of R^k at angle θ. */
export function pairAtAngle(rng: Rng, k: number, theta: number): [Float64Array, Float64Array] {
  const x = randomDirection(rng, k);
  let u = randomDirection(rng, k), dot = 0;
  for (let i = 0; i < k; i++) dot += u[i] * x[i];
  u = u.map((v, i) => v - dot * x[i]);
  const un = Math.hypot(...u);
  const y = x.map((v, i) => Math.cos(theta) * v + Math.sin(theta) * (u[i] / un));
  return [x, y];
}

/** Mean of the finite values (NaN when there are none). */
export function mean(values: readonly number[]): number {
  const ok = values.filter(Number.isFinite);
  return ok.length === 0 ? NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/** Group results by a size label, keeping the order sizes first appear in. */
export function bySize<T>(items: readonly T[], size: (t: T) => number): { size: number; items: T[] }[] {
  const out: { size: number; items: T[] }[] = [];
  for (const t of items) {
    const s = size(t);
    let g = out.find((o) => o.size === s);
    if (!g) out.push((g = { size: s, items: [] }));
    g.items.push(t);
  }
  return out;
}

/** A number for a summary line: 3 significant digits. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}
