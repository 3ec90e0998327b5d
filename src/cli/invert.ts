/** `surf invert`: surfing and its baselines on a network or checkpoint sequence. */
import { readRegularFile, shown } from "../io.js";
import { readPng } from "../report/png.js";
import { saveImages } from "./images.js";
import { readMatrix } from "../objective/matrix-file.js";
import { boxFlag, MAX_TRIALS, nonNegativeFlag, nonNegativeIntFlag, positiveFlag, positiveIntFlag, UsageError, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { InputError } from "../errors.js";
import { OPTIMIZER_KINDS, type OptimizerKind } from "../optim/optimizer.js";
import { checkWorkers, defaultWorkers, runParallel } from "../surf/pool.js";
import { runStored } from "../experiments/cell.js";
import { ResultStore } from "../store.js";
import { isDirectory, readSpec } from "../nn/files.js";
import { inferShapes, size } from "../nn/spec.js";
import type { SequenceSource } from "../surf/sequence.js";
import { SCHEDULE_KINDS } from "../surf/schedule.js";
import { invert, type InvertMethod } from "../surf/invert.js";
import { summarize } from "../surf/metrics.js";
import type { MeasurementChoice, Method, RunOptions, Targets, TrialResult } from "../surf/surf.js";

export const METHODS = ["surf", "adam", "gd", "armijo", "restarts", "restart-until", "adam-then-surf", "certify", "surf-projected"] as const;
type MethodName = (typeof METHODS)[number];

/** `surf invert`'s flags, every one checked (whichever method uses it) before a file is read or written. */
interface Invocation {
  method: MethodName;
  optimizer: OptimizerKind;
  scheduleKind: "neurips" | "converge";
  start: "uniform" | "zero";
  box: number;
  maxRegions: number;
  tau: number;
  inner: "gradient" | "exact";
  budget: number | undefined;
  until: number | undefined;
  targets: Targets;
  trials: number;
  workers: number;
  restarts: number;
  options: RunOptions;
  path: string;
  source: SequenceSource;
}

export async function run(args: ParsedArgs): Promise<number> {
  const f = args.flags, inv = parse(args);
  // With --journal, finished trials are kept in the file a tenth of the run at a time: a killed run resumes.
  const { workers: _w, batch: _b, journal, json: _j, ...settings } = f;
  const store = journal === undefined ? undefined : new ResultStore(String(journal), { ...settings, trials: inv.trials, seed: args.seed });
  const out: Record<string, unknown> = {
    method: inv.method, trials: inv.trials, seed: args.seed, workers: inv.workers,
    ...(inv.source.kind === "interpolate" ? { interpolate: inv.source.networks - 1, experimental: true } : {}),
  };
  const results = inv.method === "certify" || inv.method === "surf-projected" ? await runExact(inv, store, f.tau, out) : await runInvert(inv, args.seed, store, out);
  const summary = summarize(results);
  if (f["save-images"] !== undefined) out.images = saveImages(String(f["save-images"]), inv.source, inv.options, results);
  Object.assign(out, { successRate: summary.successRate, summary, trials: results });
  if (args.json) process.stdout.write(JSON.stringify(out) + "\n");
  else process.stdout.write(describe(inv.method, summary, results, out) + "\n");
  return 0;
}

/** The flags, checked: the method and its settings, the targets, the measurement, the sequence. */
function parse(args: ParsedArgs): Invocation {
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
  const box = boxFlag(f.box, "--box", false), maxRegions = positiveIntFlag(f["max-regions"], "--max-regions"), tau = nonNegativeFlag(f.tau, "--tau");
  const inner = String(f.inner);
  if (inner !== "gradient" && inner !== "exact") throw new UsageError(`--inner must be gradient or exact, got "${inner}"`);
  const budget = f.budget === undefined ? undefined : nonNegativeIntFlag(f.budget, "--budget");
  const until = f.until === undefined ? undefined : nonNegativeFlag(f.until, "--until");
  const targets = parseTargets(f["x-star"], f.target, String(f.net));
  // Given targets: one trial per target; certify has no x_init, so one given target is one trial.
  const given = targets.kind === "latent" ? targets.xStar.length : targets.kind === "signal" ? targets.y.length : 0;
  const trials = positiveIntFlag(f.trials ?? (given > 1 || (given === 1 && method === "certify") ? given : 10), "--trials");
  if (trials > MAX_TRIALS) throw new UsageError(`--trials must be at most ${MAX_TRIALS.toLocaleString("en")}, got ${trials}`);
  const workers = checkWorkers(positiveIntFlag(f.workers ?? defaultWorkers(), "--workers")), restarts = positiveIntFlag(f.restarts, "--restarts");
  const options: RunOptions = {
    seed: args.seed,
    targets,
    measurement: parseMeasure(String(f.measure), String(f.net)),
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
  if (source.kind === "interpolate" && source.networks > MAX_INTERPOLATE + 1) throw new UsageError(`--interpolate must be at most ${MAX_INTERPOLATE}, got ${source.networks - 1}`);
  // Surfing over one network would be plain descent on it, reported as surfing: refuse instead.
  if (!["adam", "gd", "armijo", "certify"].includes(method) && source.kind === "path" && !isDirectory(path)) {
    throw new UsageError(`--method ${method} surfs a checkpoint sequence: --net ${path} is one network (give the directory of θ_0 … θ_T, or --interpolate T to surf from a fresh θ_0)`);
  }
  return { method, optimizer, scheduleKind: scheduleKind as "neurips" | "converge", start, box, maxRegions, tau, inner, budget, until, targets, trials, workers, restarts, options, path, source };
}

/** A journal's chunk: a tenth of the trials, at least one per worker. */
const chunkOf = (trials: number, workers: number) => Math.max(workers, Math.ceil(trials / 10));

/** certify and surf-projected: one stage on the exact geometry, with a progress bar. */
async function runExact(inv: Invocation, store: ResultStore | undefined, tauFlag: unknown, out: Record<string, unknown>): Promise<TrialResult[]> {
  const certify = inv.method === "certify";
  const exact: Method = certify ? { kind: "certify", box: inv.box, maxRegions: inv.maxRegions } : { kind: "surf-projected", box: inv.box, tau: inv.tau, inner: inv.inner };
  Object.assign(out, certify ? { box: inv.box } : { box: inv.box, tau: tauFlag, inner: inv.inner });
  const bar = progressBar(certify ? "certifying the global minimum" : "projected-gradient surfing (Algorithm 3.2)");
  let results: TrialResult[];
  try {
    const o = { ...inv.options, onProgress: (x: number) => bar.fraction(x) };
    results = store ? await runStored(store, "invert", inv.method, inv.source, exact, inv.trials, o, { workers: inv.workers, chunk: chunkOf(inv.trials, inv.workers) })
      : await runParallel(inv.source, exact, Array.from({ length: inv.trials }, (_, i) => i), o, inv.workers);
  } finally {
    bar.done();
  }
  // the certificate of the one target: {"xGlobal", "fGlobal", "regions"}
  if (certify && results.length === 1) Object.assign(out, { xGlobal: results[0].xHat, fGlobal: results[0].f, regions: results[0].certificate!.regions });
  return results;
}

/** Surfing, regular descent and the equal-compute rivals: the library's one call, a progress bar per stage. */
async function runInvert(inv: Invocation, seed: string, store: ResultStore | undefined, out: Record<string, unknown>): Promise<TrialResult[]> {
  const { options, targets, source } = inv;
  let bar: ReturnType<typeof progressBar> | undefined, label = "";
  const result = await invert({
    net: inv.path, method: inv.method as InvertMethod, trials: inv.trials, seed, workers: inv.workers, restarts: inv.restarts, optimizer: inv.optimizer, until: inv.until,
    lr: options.optimizer.lr, schedule: inv.scheduleKind, budget: inv.budget,
    measure: options.measurement, noise: options.noise, maxSteps: options.maxSteps, start: inv.start, batch: options.batch, signFlip: options.signFlip,
    interpolate: source.kind === "interpolate" ? source.networks - 1 : undefined,
    ...(targets.kind === "latent" ? { xStar: targets.xStar } : targets.kind === "signal" ? { target: targets.y } : {}),
    onProgress: (stageLabel, fraction) => {
      if (stageLabel !== label) {
        bar?.done();
        bar = progressBar(stageLabel);
        label = stageLabel;
      }
      bar!.fraction(fraction);
    },
    runStage: store ? (name, src, m, n, opts, w) => runStored(store, "invert", name, src, m, n, opts, { workers: w, chunk: chunkOf(n, w) }) : undefined,
  }).finally(() => bar?.done());
  const { results, summary: _s, successRate: _r, method: _m, seed: _seed, workers: _workers, ...rest } = result;
  Object.assign(out, rest);
  return results;
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

/** Networks θ(s) an interpolated run may surf (each is made and loaded in turn). */
const MAX_INTERPOLATE = 100_000;

/** The forms of --measure, for its refusal. */
const MEASURES = "identity, gaussian:M, inpaint:MASK.png, inpaint:rect:x,y,w,h, superres:F, subsample:M or matrix:FILE (.npy or .safetensors)";

/**
 * --measure: A = I; the papers' Gaussian A with M rows; inpainting (a PNG mask: white observed, black
 * missing; or a hidden rectangle); super-resolution by average pooling over F × F blocks; M pixels drawn from
 * the seed; or the user's own matrix from a file. Files are read here, before any work.
 */
function parseMeasure(text: string, net: string): MeasurementChoice {
  if (text === "identity") return { kind: "identity" };
  const count = (s: string | undefined) => (s !== undefined && /^\d{1,15}$/.test(s) && Number(s) >= 1 ? Number(s) : undefined);
  const [kind, ...rest] = text.split(":"), arg = rest.join(":");
  if (kind === "gaussian" && count(arg) !== undefined) return { kind: "gaussian", m: count(arg)! };
  if (kind === "subsample" && count(arg) !== undefined) return { kind: "subsample", m: count(arg)! };
  if (kind === "superres" && count(arg) !== undefined) return { kind: "superres", factor: count(arg)! };
  if (kind === "inpaint" && arg.startsWith("rect:")) {
    const v = arg.slice(5).split(",");
    if (v.length === 4 && v.every((x) => /^\d{1,9}$/.test(x))) return { kind: "inpaint", hide: v.map(Number) as [number, number, number, number] };
    throw new UsageError(`--measure inpaint:rect:x,y,w,h takes four whole numbers (the hidden rectangle's corner and size), got "${text}"`);
  }
  if (kind === "inpaint" && arg !== "") {
    const { image } = generatorImage(net, arg);
    const { width, height, values } = readPng(readRegularFile(arg, "a PNG mask"), shown(arg));
    if (width !== image[2] || height !== image[1]) throw new InputError(`${shown(arg)}: a ${width}×${height} mask, the generator makes ${image[2]}×${image[1]} images (one mask pixel per image pixel)`);
    if (image[0] !== 1) throw new InputError(`${shown(arg)}: the generator makes RGB images; a PNG mask covers grey ones (give the pixels to keep as a matrix:FILE)`);
    const keep: number[] = [];
    values.forEach((v, i) => v >= 0.5 && keep.push(i));
    if (keep.length === 0) throw new InputError(`${shown(arg)}: the mask observes no pixel (white = observed, black = missing)`);
    return { kind: "inpaint", keep };
  }
  if (kind === "matrix" && arg !== "") {
    const { m, values } = readMatrix(readRegularFile(arg, "a matrix file (.npy or .safetensors)"), shown(arg));
    return { kind: "matrix", m, values: Array.from(values) };
  }
  throw new UsageError(`--measure must be ${MEASURES}; got "${text}"`);
}

/**
 * A PNG image as the target signal y of generator `net`: its size must be the generator's image (no silent
 * resizing), grey or RGB as the generator's channels, and pixel values mapped to the range of its output
 * layer — [0, 1] under a Sigmoid (and any other), [−1, 1] under a Tanh.
 */
function pngTarget(path: string, net: string): number[] {
  const { spec, image } = generatorImage(net, path);
  const { width, height, values } = readPng(readRegularFile(path, "a PNG target"), shown(path), image[0] as 1 | 3);
  if (width !== image[2] || height !== image[1]) throw new InputError(`${shown(path)}: ${width}×${height} pixels, the generator makes ${image[2]}×${image[1]} images (resize it first: nothing is resized silently)`);
  const tanh = spec.layers.filter((l) => l.type !== "Flatten" && l.type !== "Unflatten").at(-1)?.type === "Tanh";
  return Array.from(values, (v) => (tanh ? 2 * v - 1 : v));
}

/**
 * The image [channels, height, width] generator `net` makes — a square output taken as a grey image — for a
 * PNG (`path`, named in the refusal) that must match it.
 */
function generatorImage(net: string, path: string): { spec: ReturnType<typeof readSpec>; image: readonly number[] } {
  const spec = readSpec(net), shapes = inferShapes(spec, net), out = shapes[shapes.length - 1];
  const n = size(out), image = out.length === 3 ? out : [1, Math.round(Math.sqrt(n)), Math.round(Math.sqrt(n))];
  if (image[0] * image[1] * image[2] !== n || (image[0] !== 1 && image[0] !== 3)) {
    throw new InputError(`${shown(path)}: the generator's output [${out}] is not a grey or RGB image, so a PNG cannot go with it (give a JSON target, or the kept pixels as matrix:FILE)`);
  }
  return { spec, image };
}

function parseTargets(xStar: unknown, target: unknown, net: string): Targets {
  if (xStar !== undefined && target !== undefined) throw new UsageError("give --x-star or --target, not both");
  if (xStar !== undefined) {
    const items = String(xStar).split(",").map((s) => s.trim()), v = items.map(Number);
    // Number("") is 0: an empty item (a doubled, leading or trailing comma) must not become a coordinate
    if (items.some((s) => s === "") || v.some((x) => !Number.isFinite(x))) throw new UsageError(`--x-star must be numbers separated by commas, got "${xStar}"`);
    const k = size(inferShapes(readSpec(net), net)[0]);
    if (v.length !== k) throw new UsageError(`--x-star has ${v.length} coordinate${v.length === 1 ? "" : "s"}, the network's latent dimension is k = ${k}`);
    return { kind: "latent", xStar: [v] };
  }
  if (target !== undefined && /\.png$/i.test(String(target))) return { kind: "signal", y: [pngTarget(String(target), net)] };
  if (target !== undefined) {
    const path = String(target);
    const text = readRegularFile(path, "a JSON target").toString("utf8");
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${shown(path)}: not a JSON array of numbers (${(e as Error).message})`);
    }
    const rows = Array.isArray(data) && data.every((x) => typeof x === "number") ? [data as number[]] : data;
    if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.every((x) => typeof x === "number" && Number.isFinite(x)))) {
      throw new InputError(`${path}: the target must be a JSON array of finite numbers (one signal) or an array of such arrays (one per trial)`);
    }
    return { kind: "signal", y: rows as number[][] };
  }
  return { kind: "synthetic" };
}
