/** `surf invert`: surfing and its baselines on a network or checkpoint sequence (issue #8). */
import { readFileSync } from "node:fs";
import { boxFlag, nonNegativeFlag, nonNegativeIntFlag, positiveFlag, positiveIntFlag, UsageError, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { InputError } from "../errors.js";
import { OPTIMIZER_KINDS, type OptimizerKind } from "../optim/optimizer.js";
import { defaultWorkers, runParallel } from "../surf/pool.js";
import { runStored } from "../experiments/cell.js";
import { ResultStore } from "../store.js";
import type { SequenceSource } from "../surf/sequence.js";
import { neuripsTotal, SCHEDULE_KINDS, type Schedule } from "../surf/schedule.js";
import { summarize } from "../surf/metrics.js";
import type { MeasurementChoice, Method, RunOptions, Targets, TrialResult } from "../surf/surf.js";

export const METHODS = ["surf", "adam", "gd", "armijo", "restarts", "certify", "surf-projected"] as const;
type MethodName = (typeof METHODS)[number];

export async function run(args: ParsedArgs): Promise<number> {
  const f = args.flags;
  if (f.net === undefined) throw new UsageError("--net is required (a .safetensors network or a checkpoint directory)");
  const method = String(f.method) as MethodName;
  if (!METHODS.includes(method)) throw new UsageError(`--method must be one of ${METHODS.join(", ")}, got "${method}"`);
  const optimizer = String(f.optimizer) as OptimizerKind;
  if (!OPTIMIZER_KINDS.includes(optimizer)) throw new UsageError(`--optimizer must be one of ${OPTIMIZER_KINDS.join(", ")}, got "${optimizer}"`);
  const scheduleKind = String(f.schedule);
  if (!(SCHEDULE_KINDS as readonly string[]).includes(scheduleKind)) throw new UsageError(`--schedule must be one of ${SCHEDULE_KINDS.join(", ")}, got "${scheduleKind}"`);
  const start = String(f.start);
  if (start !== "uniform" && start !== "zero") throw new UsageError(`--start must be uniform or zero, got "${start}"`);
  const targets = parseTargets(f["x-star"], f.target);
  // Given targets: one trial per target; certify has no x_init, so one given target is one trial.
  const given = targets.kind === "latent" ? targets.xStar.length : targets.kind === "signal" ? targets.y.length : 0;
  const trials = positiveIntFlag(f.trials ?? (given > 1 || (given === 1 && method === "certify") ? given : 10), "--trials");
  const workers = positiveIntFlag(f.workers ?? defaultWorkers(), "--workers"), restarts = positiveIntFlag(f.restarts, "--restarts");
  const options: RunOptions = {
    seed: args.seed,
    targets,
    measurement: parseMeasure(String(f.measure)),
    noise: nonNegativeFlag(f.noise, "--noise"),
    optimizer: { kind: method === "gd" || method === "armijo" ? method : optimizer, lr: f.lr === undefined ? undefined : positiveFlag(f.lr, "--lr") },
    maxSteps: positiveIntFlag(f["max-steps"], "--max-steps"),
    start,
    batch: positiveIntFlag(f.batch, "--batch"),
    signFlip: f["sign-flip"] === true,
  };
  const path = String(f.net);
  const source: SequenceSource = f.interpolate === undefined ? { kind: "path", path }
    : { kind: "interpolate", path, networks: positiveIntFlag(f.interpolate, "--interpolate") + 1, seed: args.seed };
  if (source.kind === "interpolate" && source.networks < 3) throw new UsageError("--interpolate needs at least 2 steps");
  const indices = Array.from({ length: trials }, (_, i) => i);
  // With --journal, finished trials are kept in the file a tenth of the run at a time: a killed run resumes.
  const { workers: _w, batch: _b, journal, json: _j, ...settings } = f;
  const store = journal === undefined ? undefined : new ResultStore(String(journal), { ...settings, trials, seed: args.seed });
  const stage = async (label: string, name: string, m: Method, opts = options): Promise<TrialResult[]> => {
    const bar = progressBar(label);
    try {
      const o = { ...opts, onProgress: (x: number) => bar.update(Math.round(x * 1000), 1000) };
      return store ? await runStored(store, "invert", name, source, m, trials, o, { workers, chunk: Math.max(workers, Math.ceil(trials / 10)) })
        : await runParallel(source, m, indices, o, workers);
    } finally {
      bar.done();
    }
  };
  const out: Record<string, unknown> = { method, trials, seed: args.seed, workers, ...(source.kind === "interpolate" ? { interpolate: source.networks - 1, experimental: true } : {}) };
  let results: TrialResult[];
  if (method === "certify" || method === "surf-projected") {
    const box = boxFlag(f.box, "--box", false), maxRegions = positiveIntFlag(f["max-regions"], "--max-regions");
    const inner = String(f.inner);
    if (inner !== "gradient" && inner !== "exact") throw new UsageError(`--inner must be gradient or exact, got "${inner}"`);
    const exact: Method = method === "certify" ? { kind: "certify", box, maxRegions }
      : { kind: "surf-projected", box, tau: nonNegativeFlag(f.tau, "--tau"), inner };
    Object.assign(out, method === "certify" ? { box } : { box, tau: f.tau, inner });
    results = await stage(method === "certify" ? "certifying the global minimum" : "projected-gradient surfing (Algorithm 3.2)", method, exact);
    if (method === "certify" && results.length === 1) {
      // DESIGN.md's certify output, for the one target: {"xGlobal", "fGlobal", "regions"}
      Object.assign(out, { xGlobal: results[0].xHat, fGlobal: results[0].f, regions: results[0].certificate!.regions });
    }
  } else if (method === "surf" || method === "restarts") {
    let schedule: Schedule = { kind: "converge" };
    if (scheduleKind === "neurips") {
      let total: number, capped: number | null = null;
      if (f.budget !== undefined) total = nonNegativeIntFlag(f.budget, "--budget");
      else {
        // the paper's rule: the 75th percentile of regular Adam's steps to convergence on θ_T
        const regular = await stage("regular adam (for the budget)", "regular-adam", { kind: "regular" }, { ...options, optimizer: { ...options.optimizer, kind: "adam" } });
        ({ total, capped } = neuripsTotal(regular));
        out.regular = summarize(regular);
      }
      schedule = { kind: "neurips", total };
      out.budget = { total, capped, maxSteps: options.maxSteps };
    }
    out.schedule = schedule.kind;
    results = await stage("surfing", "surf", { kind: "surf", schedule });
    if (method === "restarts") {
      out.surf = summarize(results);
      const budgets = Object.fromEntries(results.map((r) => [r.index, r.steps]));
      results = await stage(`best of ${restarts} restarts`, `restarts-${restarts}`, { kind: "restarts", restarts, budgets });
      out.restarts = restarts;
    }
  } else {
    results = await stage(`regular ${options.optimizer.kind}`, "regular", { kind: "regular" });
  }
  const summary = summarize(results);
  Object.assign(out, { successRate: summary.successRate, summary, trials: results });
  if (args.json) process.stdout.write(JSON.stringify(out) + "\n");
  else process.stdout.write(describe(method, summary, results, out) + "\n");
  return 0;
}

function describe(method: string, s: ReturnType<typeof summarize>, results: TrialResult[], out: Record<string, unknown>): string {
  const pct = (x: number) => (100 * x).toFixed(1) + "%";
  const lines = [`${method}: ${s.trials} trial${s.trials === 1 ? "" : "s"}${out.box !== undefined ? ` in the box [−${out.box}, ${out.box}]^k` : ""}`];
  if (out.budget) {
    const b = out.budget as { total: number; capped: number | null };
    lines.push(`  budget for θ_0..θ_{T−1}: ${b.total} steps${b.capped !== null ? ` (75th percentile of regular Adam; ${b.capped} of ${s.trials} runs hit the cap)` : ""}`);
  }
  if (s.successRate !== null) lines.push(`  success (‖x̂ − x*‖ < 0.01): ${s.successes}/${s.trials} = ${pct(s.successRate)}  [95% ${pct(s.successInterval![0])}, ${pct(s.successInterval![1])}]`);
  if (method !== "certify") lines.push(`  steps: median ${s.steps.p50}, 75th percentile ${s.steps.p75}, max ${s.steps.max}${s.stepsToSuccessP75 !== null ? `; to success, 75th percentile ${s.stepsToSuccessP75}` : ""}`);
  lines.push(`  per-pixel error, median: ${s.pixelErrorMedian.toPrecision(3)}; converged ${s.converged}, diverged ${s.diverged}`);
  for (const r of results.slice(0, 10)) {
    const c = r.certificate;
    const work = c ? `global minimum over ${c.regions} regions (${c.solved} QPs solved; minimizer ${c.unique ? "unique" : "not unique, one shown"}), x = [${r.xHat.map((v) => v.toPrecision(4)).join(", ")}]` : `${r.steps} steps`;
    lines.push(`  trial ${r.index}: f = ${r.f.toExponential(3)}${r.distToXStar !== null ? `, ‖x̂ − x*‖ = ${r.distToXStar.toExponential(2)}` : ""}, ${work}${r.diverged ? " (diverged)" : ""}`);
  }
  if (results.length > 10) lines.push(`  … ${results.length - 10} more (--json for all)`);
  return lines.join("\n");
}

function parseMeasure(text: string): MeasurementChoice {
  if (text === "identity") return { kind: "identity" };
  const m = /^gaussian:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: "gaussian", m: Number(m[1]) };
  throw new UsageError(`--measure must be identity or gaussian:M with M ≥ 1 rows, got "${text}"`);
}

function parseTargets(xStar: unknown, target: unknown): Targets {
  if (xStar !== undefined && target !== undefined) throw new UsageError("give --x-star or --target, not both");
  if (xStar !== undefined) {
    const v = String(xStar).split(",").map((s) => Number(s.trim()));
    if (v.some((x) => !Number.isFinite(x))) throw new UsageError(`--x-star must be numbers separated by commas, got "${xStar}"`);
    return { kind: "latent", xStar: [v] };
  }
  if (target !== undefined) {
    const path = String(target);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new InputError(`${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not a JSON array of numbers (${(e as Error).message})`}`);
    }
    const rows = Array.isArray(data) && data.every((x) => typeof x === "number") ? [data as number[]] : data;
    if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.every((x) => typeof x === "number" && Number.isFinite(x)))) {
      throw new InputError(`${path}: the target must be a JSON array of finite numbers (one signal) or an array of such arrays (one per trial)`);
    }
    return { kind: "signal", y: rows as number[][] };
  }
  return { kind: "synthetic" };
}
