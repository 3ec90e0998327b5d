// Runs the JSDoc examples examples.test.ts wrote, in this one process and in turn, each imported as an ES module
// from its own empty working directory (so an example that writes "runs/demo" writes it there). Usage:
//   node examples-runner.js JOBS.json OUT.jsonl
// JOBS.json lists {name, module, cwd}; OUT.jsonl gets {start: name} before each example and {name, ms, checks,
// error?} after it, so that a run that hangs or dies still tells which example it was in.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";

interface Job {
  name: string;
  module: string;
  cwd: string;
}

/** A number shown to some digits in a `// ≈` comment: within tol of value. */
class Approx {
  constructor(readonly value: number, readonly tol: number) {}
  [inspect.custom](): string {
    return `${this.value} ± ${this.tol}`;
  }
}

/** actual is expected: numbers exactly (NaN is NaN) or within an Approx, typed arrays as arrays, objects key by key (the same keys). */
function same(actual: unknown, expected: unknown): boolean {
  if (expected instanceof Approx) return typeof actual === "number" && Math.abs(actual - expected.value) <= expected.tol * (1 + 1e-9);
  if (ArrayBuffer.isView(actual) && !(actual instanceof DataView)) actual = Array.from(actual as unknown as ArrayLike<unknown>);
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return false;
    const keys = Object.keys(expected), a = actual as Record<string, unknown>;
    return keys.length === Object.keys(a).length && keys.every((k) => k in a && same(a[k], (expected as Record<string, unknown>)[k]));
  }
  return actual === expected || (Number.isNaN(actual) && Number.isNaN(expected));
}

let checks = 0;
const g = globalThis as Record<string, unknown>;
g.__approx = (value: number, tol: number) => new Approx(value, tol);
g.__expect = (actual: unknown, expected: unknown, claim: string) => {
  checks++;
  if (!same(actual, expected)) throw new Error(`${claim}, but it gives ${inspect(actual, { depth: 4, breakLength: Infinity })}`);
};

const [jobsFile, outFile] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsFile, "utf8")) as Job[];
const log = (record: object) => appendFileSync(outFile, JSON.stringify(record) + "\n");
// an error an example leaves behind (a promise nobody awaited) is reported against the example that is running
let stray: unknown;
process.on("unhandledRejection", (e) => (stray ??= e));
process.on("uncaughtException", (e) => (stray ??= e));
const describe = (e: unknown) => (e instanceof Error ? e.stack ?? String(e) : inspect(e));
for (const job of jobs) {
  log({ start: job.name });
  mkdirSync(job.cwd, { recursive: true });
  process.chdir(job.cwd);
  checks = 0;
  stray = undefined;
  const t0 = performance.now();
  let error: string | undefined;
  try {
    await import(pathToFileURL(job.module).href);
  } catch (e) {
    error = describe(e);
  }
  await new Promise((r) => setTimeout(r, 0));   // let a rejection left behind be reported
  if (error === undefined && stray !== undefined) error = `left behind: ${describe(stray)}`;
  log({ name: job.name, ms: Math.round(performance.now() - t0), checks, ...(error === undefined ? {} : { error }) });
}
process.exit(0);   // examples may leave timers or workers behind: they are done
