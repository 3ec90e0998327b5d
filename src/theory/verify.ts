/**
 * `surf verify`: run checks unit by unit, keeping each unit's result in a resumable store (one JSON
 * line per unit, src/store.ts) so a killed run loses nothing; then judge each check.
 */
import { InputError } from "../errors.js";
import { ResultStore } from "../store.js";
import type { Check, CheckResult, Unit } from "./check.js";
import { CHECKS } from "./checks/index.js";
import { hasForm } from "../form.js";

export interface VerifyOptions {
  readonly seed: string;
  readonly quick: boolean;
  /** Where finished units are kept and found again (none: nothing is saved). */
  readonly store?: ResultStore;
  /** After each unit: units done (including ones found in the store) and the total. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export interface VerifyReport {
  readonly seed: string;
  readonly quick: boolean;
  /** ISO date (UTC) the report was made. */
  readonly date: string;
  readonly backend: string;
  /** Time spent measuring the units, summed over the runs that measured them (a resumed run counts its earlier parts). */
  readonly seconds: number;
  readonly checks: CheckResult[];
}

/** The checks named (every one for "all"), in the report's order (CHECKS); an unknown name is an InputError listing the known ones. */
export function selectChecks(name: string): Check[] {
  if (name === "all") return CHECKS as Check[];
  const found = CHECKS.find((c) => c.name === name);
  if (!found) throw new InputError(`unknown check "${name}" (checks: ${CHECKS.map((c) => c.name).join(", ")}, or all)`);
  return [found as Check];
}

export function verify(checks: readonly Check[], options: VerifyOptions, backend: string): VerifyReport {
  const plans = checks.map((c) => ({ check: c, units: c.plan(options.quick) }));
  const total = plans.reduce((s, p) => s + p.units.length, 0);
  let done = 0, seconds = 0;
  const results: CheckResult[] = [];
  for (const { check, units } of plans) {
    const measured = units.map((u: Unit) => {
      const key = storeKey(options, check.name, u.key);
      // a stored result is judged only if whole (a damaged or hand-written record: its unit is measured again)
      const stored = options.store?.get(key);
      let result: unknown;
      if (stored && hasForm(stored.result, check.form)) {
        result = stored.result;
        seconds += typeof stored.seconds === "number" ? stored.seconds : NaN;
      } else {
        const start = performance.now();
        result = check.measure(u, options.seed);
        const took = (performance.now() - start) / 1000;
        seconds += took;
        options.store?.append([{ key, result, seconds: took }]);
      }
      options.onProgress?.(++done, total, `${check.name} ${u.key}`);
      return result;
    });
    const verdict = check.judge(units, measured, options.quick);
    results.push({ name: check.name, title: check.title, source: check.source, prediction: check.prediction, ...verdict });
  }
  return { seed: options.seed, quick: options.quick, date: new Date().toISOString(), backend, seconds, checks: results };
}

/** A unit's key in the store: the seed and mode are part of it, so one file never mixes runs. */
function storeKey(options: VerifyOptions, check: string, unit: string): string {
  return `${options.seed}/${options.quick ? "quick" : "full"}/${check}/${unit}`;
}
