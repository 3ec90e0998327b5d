/**
 * `surf landscape dss`: Dynamic String Sampling in weight space (Freeman & Bruna 2017, Section 4.1) or in the
 * latent space of a checkpoint sequence; and `surf reproduce fig1` (Song, Fan & Lafferty 2019, Figure 1, with DSS against
 * training time for the same run). Results go to --out as JSON and a self-contained HTML report; every finished
 * item is journaled there first, so a killed run resumes where it stopped when started again with the same flags.
 */
import { createHash } from "node:crypto";
import { readRegularFile } from "../io.js";
import { join, resolve } from "node:path";
import { nonNegativeIntFlag, numberFlag, positiveFlag, positiveIntFlag, UsageError, type FlagValue, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { InputError } from "../errors.js";
import { loadFashionMnist, PIXELS } from "../data/fashion-mnist.js";
import { DEFAULT_ALPHA, DEFAULT_MAX_BEADS, DEFAULT_SAMPLES, INSERTIONS, MAX_SAMPLES, type DssOptions, type Insertion } from "../landscape/dss.js";
import { figure1, SURFING_DEFAULTS, type Figure1Target } from "../landscape/figure1.js";
import { ResultStore } from "../store.js";
import { LATENT_DEFAULTS, latentDss, type CheckpointRecord, type LatentDssOptions } from "../landscape/latent.js";
import { REGRESSION_TASKS, type RegressionTask } from "../landscape/regression.js";
import { regionOverlay } from "../landscape/regions.js";
import { figure1Sections, latentSections, weightSections, writeReport } from "../landscape/report.js";
import { FIGURE1_BOX } from "../landscape/surface.js";
import { WEIGHT_DEFAULTS, weightSweep } from "../landscape/weights.js";
import { CheckpointSequence } from "../nn/files.js";
import { Rng } from "../random/rng.js";
import type { NetworkSequence } from "../surf/surf.js";
import { makeConfig } from "../train/config.js";
import { trainOrResume } from "../train/run.js";

export async function dss(args: ParsedArgs): Promise<number> {
  const f = args.flags;
  const out = requiredString(f.out, "--out", "the directory for the results");
  if (f.task !== undefined && f.net !== undefined) throw new UsageError("give --task (weight space) or --net (latent space), not both");
  if (f.task === undefined && f.net === undefined) {
    throw new UsageError("give --task quadratic|cubic|both (weight space, Freeman & Bruna 2017, Section 4.1) or --net DIR (latent space along a checkpoint sequence)");
  }
  return f.task !== undefined ? weightSpace(args, out) : latentSpace(args, out);
}

/** DSS settings shared by both spaces, from the flags (bead training from `beads` unless given). */
function dssSettings(f: ParsedArgs["flags"], beads: { lr: number; maxSteps: number }): Omit<DssOptions, "level" | "onBead"> {
  const insertion = String(f.insertion ?? "argmax") as Insertion;
  if (!INSERTIONS.includes(insertion)) throw new UsageError(`--insertion must be ${INSERTIONS.join(" or ")}, got "${insertion}"`);
  const alpha = numberFlag(f.alpha, "--alpha", DEFAULT_ALPHA);
  if (!(alpha > 0 && alpha <= 1)) throw new UsageError(`--alpha must be in (0, 1], got ${alpha}`);
  return {
    alpha,
    samples: samplesFlag(f.samples),
    insertion,
    maxBeads: nonNegativeIntFlag(f["max-beads"], "--max-beads", DEFAULT_MAX_BEADS),
    train: { lr: positiveFlag(f.lr, "--lr", beads.lr), maxSteps: nonNegativeIntFlag(f["bead-steps"], "--bead-steps", beads.maxSteps) },
  };
}

function samplesFlag(v: FlagValue | undefined): number {
  const samples = positiveIntFlag(v, "--samples", DEFAULT_SAMPLES);
  if (samples > MAX_SAMPLES) throw new UsageError(`--samples must be at most ${MAX_SAMPLES} (points checked per segment), got ${samples}`);
  return samples;
}

async function weightSpace(args: ParsedArgs, out: string): Promise<number> {
  const f = args.flags;
  const task = String(f.task);
  const tasks: RegressionTask[] = task === "both" ? [...REGRESSION_TASKS] : [task as RegressionTask];
  if (!tasks.every((t) => REGRESSION_TASKS.includes(t))) throw new UsageError(`--task must be quadratic, cubic or both, got "${task}"`);
  const levels = f.levels === undefined ? [...WEIGHT_DEFAULTS.levels] : numberList(f.levels, "--levels");
  if (!levels.every((l) => l > 0 && l <= 1)) throw new UsageError(`--levels are L0 / Var(y), each in (0, 1], got "${f.levels}"`);
  const settings = {
    levels,
    pairs: positiveIntFlag(f.pairs, "--pairs", WEIGHT_DEFAULTS.pairs),
    seed: args.seed,
    dss: dssSettings(f, WEIGHT_DEFAULTS.beads),
    endpoints: { ...WEIGHT_DEFAULTS.endpoints, maxSteps: nonNegativeIntFlag(f["end-steps"], "--end-steps", WEIGHT_DEFAULTS.endpoints.maxSteps) },
  };
  const sweeps = tasks.map((t) => {
    const bar = progressBar(`dss ${t}`);
    try {
      return weightSweep({ ...settings, task: t, journal: new ResultStore(join(out, `weights-${t}.jsonl`), settings), onPair: (d, n) => bar.update(d, n) });
    } finally {
      bar.done();
    }
  });
  const result = { space: "weights", ...settings, sweeps };
  const paths = writeReport(out, "landscape-weights", result, {
    title: "Dynamic String Sampling in weight space",
    subtitle: [`seed ${args.seed}; ${settings.pairs} pairs per level; α = ${settings.dss.alpha}, ${settings.dss.samples} samples per segment, insertion at the ${settings.dss.insertion}, at most ${settings.dss.maxBeads} beads`],
    sections: weightSections(sweeps),
  });
  if (args.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    const lines = sweeps.flatMap((s) => [
      `${s.task} (Var(y) = ${s.variance.toPrecision(4)}): L0/Var(y), connected, mean normalized length, mean beads`,
      ...s.levels.map((l) => `  ${String(l.level).padEnd(7)} ${`${l.connected}/${l.runs + l.endpointsMissed}`.padEnd(6)} ${l.normalizedLength ? l.normalizedLength.mean.toFixed(3) : "—"}  ${l.beads ? l.beads.mean.toFixed(1) : "—"}`),
    ]);
    process.stdout.write([...lines, `wrote ${paths.json} and ${paths.html}`].join("\n") + "\n");
  }
  return 0;
}

async function latentSpace(args: ParsedArgs, out: string): Promise<number> {
  const f = args.flags;
  const dir = resolve(String(f.net));
  const checkpoints = CheckpointSequence.open(dir);
  const picked = pickCheckpoints(checkpoints.length, positiveIntFlag(f.stride, "--stride", 1));
  const sequence = subsequence(checkpoints, picked);
  const { label, y } = latentTarget(f, checkpoints, args.seed);
  const settings = latentSettings(f, args.seed, positiveIntFlag(f.pairs, "--pairs", LATENT_DEFAULTS.pairs));
  const records = measureLatent(sequence, picked.map((t) => checkpoints.steps[t]), { ...settings, y }, join(out, "latent.jsonl"), { net: dir, checkpoints: picked, target: digest(y) }, "dss latent");
  const result = { space: "latent", net: dir, checkpoints: picked, target: label, ...settings, records };
  const paths = writeReport(out, "landscape-latent", result, {
    title: "Dynamic String Sampling in latent space",
    subtitle: [`${dir}: ${picked.length} of ${checkpoints.length} checkpoints; target ${label}; seed ${args.seed}; λ = ${settings.level}`],
    sections: latentSections([{ label, records }], settings),
  });
  if (args.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    process.stdout.write([
      `step, starts below the level, connected, mean normalized length, mean beads (target ${label})`,
      ...records.map((r) => `  ${String(r.step).padEnd(7)} ${`${r.startsBelow}/${settings.starts}`.padEnd(6)} ${`${r.connected}/${r.runs}`.padEnd(5)} ${r.normalizedLength ? r.normalizedLength.mean.toFixed(3) : "—"}  ${r.beads ? r.beads.mean.toFixed(1) : "—"}`),
      `wrote ${paths.json} and ${paths.html}`,
    ].join("\n") + "\n");
  }
  return 0;
}

/** Latent DSS settings from the flags; `starts` by default LATENT_DEFAULTS.starts, or just enough for the pairs when `few`. */
function latentSettings(f: ParsedArgs["flags"], seed: string, pairs: number, few = false): Omit<LatentDssOptions, "y" | "journal" | "onCheckpoint"> {
  const level = numberFlag(f.level, "--level", LATENT_DEFAULTS.level);
  if (!(level > 0 && level <= 1)) throw new UsageError(`--level must be in (0, 1] (a fraction of f̄ − f*), got ${level}`);
  const starts = positiveIntFlag(f.starts, "--starts", few ? 2 * pairs : Math.max(LATENT_DEFAULTS.starts, 2 * pairs));
  if (starts < 2 * pairs) throw new UsageError(`--starts must be at least 2·pairs = ${2 * pairs}, got ${starts}`);
  const box = positiveFlag(f.box, "--box", LATENT_DEFAULTS.box);
  return { seed, pairs, level, starts, box, minimize: { ...LATENT_DEFAULTS.minimize }, dss: dssSettings(f, LATENT_DEFAULTS.beads), endpoints: { ...LATENT_DEFAULTS.endpoints } };
}

/** Run (or resume) latent DSS over `sequence`, journaled at `path`. */
function measureLatent(sequence: NetworkSequence, steps: number[], options: Omit<LatentDssOptions, "journal" | "onCheckpoint">, path: string, identity: object, label: string): CheckpointRecord[] {
  const { y, ...rest } = options;
  const journal = new ResultStore(path, { ...identity, ...rest });
  const bar = progressBar(label);
  try {
    return latentDss(sequence, steps, { ...options, journal, onCheckpoint: (d, n) => bar.update(d, n) });
  } finally {
    bar.done();
  }
}

/** Checkpoints 0, s, 2s, … and always the last. */
function pickCheckpoints(count: number, stride: number): number[] {
  const picked = Array.from({ length: Math.ceil(count / stride) }, (_, i) => i * stride);
  if (picked[picked.length - 1] !== count - 1) picked.push(count - 1);
  return picked;
}

function subsequence(checkpoints: CheckpointSequence, picked: readonly number[]): NetworkSequence {
  return { length: picked.length, load: (t) => checkpoints.load(picked[t], { dtype: "f64" }) };
}

/** y from --target FILE, --image I (a held-out Fashion-MNIST image), or G_θT(x*) with x* ~ U[−1, 1]^k from the seed. */
function latentTarget(f: ParsedArgs["flags"], checkpoints: CheckpointSequence, seed: string): { label: string; y: Float64Array } {
  if (f.target !== undefined && f.image !== undefined) throw new UsageError("give --target or --image, not both");
  if (f.image !== undefined) {
    const i = nonNegativeIntFlag(f.image, "--image", 0);
    return { label: `held-out image ${i}`, y: heldOutImages([i])[0] };
  }
  const final = checkpoints.load(checkpoints.length - 1, { dtype: "f64" });
  try {
    if (f.target !== undefined) return { label: String(f.target), y: readTarget(String(f.target), final.outputSize) };
    const rng = Rng.derive(seed, "x-star");
    const xStar = Array.from({ length: final.inputSize }, () => rng.uniformIn(-1, 1));
    return { label: `G_θT(x*), x* = (${xStar.map((v) => v.toFixed(3)).join(", ")})`, y: Float64Array.from(final.forward([xStar])[0]) };
  } finally {
    final.free();
  }
}

function readTarget(path: string, n: number): Float64Array {
  let data: unknown;
  try {
    data = JSON.parse(readText(path));
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(`${path}: not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data) || data.length !== n || !data.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new InputError(`${path}: the target must be a JSON array of ${n} finite numbers (the network's output size)`);
  }
  return Float64Array.from(data as number[]);
}

function readText(path: string): string {
  return readRegularFile(path, "a JSON target").toString("utf8");
}

/** Held-out Fashion-MNIST images as signals in [0, 1] (the generators' sigmoid range). */
function heldOutImages(indices: readonly number[]): Float64Array[] {
  const { heldOut } = loadFashionMnist({ log: (m) => process.stderr.write(`surf: ${m}\n`) });
  return indices.map((i) => {
    if (!(i < heldOut.count)) throw new InputError(`--image ${i}: the held-out set has ${heldOut.count} images (0…${heldOut.count - 1})`);
    return Float64Array.from(heldOut.images.subarray(i * PIXELS, (i + 1) * PIXELS), (v) => v / 255);
  });
}

/** A short fingerprint of a target, so that a journal is never resumed for another y. */
function digest(y: Float64Array): string {
  return createHash("sha256").update(new Uint8Array(y.buffer, y.byteOffset, y.byteLength)).digest("hex").slice(0, 16);
}

/**
 * Song, Fan & Lafferty 2019's Figure 1 with DSS against training time. Without --net, trains the k = 2 generator first into
 * OUT/net (a VAE, as the paper's Figure 1; dcgan, the paper's architecture — or, with --quick, a small mlp
 * 2→32→64→784 on a 1,000-step run, small enough for its linear regions to be drawn), resuming a training run
 * found there.
 */
export async function fig1(args: ParsedArgs): Promise<number> {
  const f = args.flags, quick = f.quick === true;
  const out = requiredString(f.out, "--out", "the directory for the results");
  // the flags' forms checked before a generator is trained; their ranges once its T is known
  const givenStages = f.stages === undefined ? undefined : numberList(f.stages, "--stages");
  const givenImages = f.images === undefined ? undefined : numberList(f.images, "--images");
  const gridSize = positiveIntFlag(f.grid, "--grid", quick ? 41 : 81);
  if (gridSize > MAX_GRID) throw new UsageError(`--grid must be at most ${MAX_GRID} (N × N points, each a forward pass per stage and target), got ${gridSize}`);
  if (f.stride !== undefined) positiveIntFlag(f.stride, "--stride");
  const pairs = positiveIntFlag(f.trials, "--trials", quick ? 2 : LATENT_DEFAULTS.pairs);
  const dir = f.net !== undefined ? resolve(String(f.net)) : trainGenerator(join(out, "net"), args.seed, quick);
  const checkpoints = CheckpointSequence.open(dir);
  const T = checkpoints.length - 1;
  if (T < 2) throw new InputError(`${dir}: Figure 1 needs at least three checkpoints (random, partly and fully trained), found ${checkpoints.length}`);
  const sequence = subsequence(checkpoints, checkpoints.steps.map((_, t) => t));
  const first = sequence.load(0);
  const k = first.inputSize, n = first.outputSize;
  first.free();
  if (k !== 2) throw new InputError(`${dir}: Figure 1 draws surfaces over the plane: the generator needs latent dimension k = 2, it has k = ${k}`);
  if (n !== PIXELS) throw new InputError(`${dir}: Figure 1's targets are Fashion-MNIST images: the generator needs ${PIXELS} outputs (28 × 28), it has ${n}`);
  const stages = givenStages ?? defaultStages(T);
  if (!stages.every((t) => Number.isSafeInteger(t) && t >= 0 && t <= T)) throw new UsageError(`--stages must be checkpoint indices in 0…${T}, got "${f.stages}"`);
  const images = givenImages ?? defaultImages(args.seed);
  if (images.length === 0 || !images.every((i) => Number.isSafeInteger(i) && i >= 0)) throw new UsageError(`--images must be held-out image indices, got "${f.images}"`);
  const signals = heldOutImages(images);
  const targets: Figure1Target[] = images.map((i, j) => ({ label: `target ${"ab"[j] ?? j + 1} (held-out image ${i})`, y: signals[j] }));
  const grid = { lo: -FIGURE1_BOX, hi: FIGURE1_BOX, size: gridSize };
  // every flag checked before the figure is computed and written
  const stride = positiveIntFlag(f.stride, "--stride", Math.max(1, Math.round(T / (quick ? 5 : 20))));
  const dssSettingsLatent = latentSettings(f, args.seed, pairs, quick);
  const surfing = SURFING_DEFAULTS;
  const settings = { net: dir, stages, images, grid, seed: args.seed, surfing };
  const bar = progressBar("figure 1");
  let fig;
  try {
    fig = figure1({ ...settings, sequence, steps: checkpoints.steps, targets, regions: (net, square) => regionOverlay(net, square), journal: new ResultStore(join(out, "fig1.jsonl"), settings), onProgress: (d, n) => bar.update(d, n) });
  } finally {
    bar.done();
  }
  // DSS in x against training time, for the same targets
  const picked = pickCheckpoints(checkpoints.length, stride);
  const landscapes = targets.map((target, j) => ({
    label: target.label,
    records: measureLatent(subsequence(checkpoints, picked), picked.map((t) => checkpoints.steps[t]), { ...dssSettingsLatent, y: target.y },
      join(out, `fig1-dss-${j}.jsonl`), { net: dir, checkpoints: picked, target: digest(target.y) }, `dss ${target.label}`),
  }));
  const result = { figure: "fig1", ...settings, figure1: fig, dss: { checkpoints: picked, ...dssSettingsLatent, targets: landscapes } };
  const paths = writeReport(out, "fig1", result, {
    title: "Figure 1: how the surface of f_θt changes during training",
    subtitle: [`${dir}: ${checkpoints.length} checkpoints (steps ${checkpoints.steps[0]}…${checkpoints.steps[T]}); seed ${args.seed}`],
    sections: [...figure1Sections(fig, signals), ...latentSections(landscapes, dssSettingsLatent)],
  });
  if (args.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    const lines = landscapes.flatMap((l) => [
      `${l.label}: step, starts below the level, connected, mean normalized length, mean beads`,
      ...l.records.map((r) => `  ${String(r.step).padEnd(7)} ${`${r.startsBelow}/${dssSettingsLatent.starts}`.padEnd(6)} ${`${r.connected}/${r.runs}`.padEnd(5)} ${r.normalizedLength ? r.normalizedLength.mean.toFixed(3) : "—"}  ${r.beads ? r.beads.mean.toFixed(1) : "—"}`),
    ]);
    process.stdout.write([`figure 1: stages t = ${stages.join(", ")} (steps ${stages.map((t) => checkpoints.steps[t]).join(", ")})`, ...lines, `wrote ${paths.json} and ${paths.html}`].join("\n") + "\n");
  }
  return 0;
}

/** Figure 1's largest grid: N × N points. */
const MAX_GRID = 1001;

/** The random network, one a tenth of the way through training (the surface changes fastest early), the last. */
function defaultStages(T: number): number[] {
  return [0, Math.max(1, Math.round(T / 10)), T];
}

/** Two held-out images, drawn from the seed. */
function defaultImages(seed: string): number[] {
  const rng = Rng.derive(seed, "fig1-targets");
  const a = rng.int(1000);
  return [a, 1000 + ((a + 1 + rng.int(999)) % 1000)];
}

/** Train (or finish training) the k = 2 VAE generator of Figure 1 into `dir`. */
function trainGenerator(dir: string, seed: string, quick: boolean): string {
  const config = quick
    ? makeConfig({ model: "vae", arch: "mlp", latent: 2, hidden: [32, 64], steps: 1000, every: 50, seed })
    : makeConfig({ model: "vae", arch: "dcgan", latent: 2, seed });
  const data = () => loadFashionMnist({ log: (m) => process.stderr.write(`surf: ${m}\n`) }).train;
  const bar = progressBar("train the k = 2 generator");
  try {
    trainOrResume(config, data, dir, (step) => bar.update(step, config.steps, "", "steps"));
  } finally {
    bar.done();
  }
  return dir;
}

function requiredString(v: FlagValue | undefined, flag: string, what: string): string {
  if (v === undefined || v === "") throw new UsageError(`${flag} is required (${what})`);
  return String(v);
}

function numberList(v: FlagValue | undefined, flag: string): number[] {
  const items = String(v).split(",").map((s) => s.trim()), list = items.map(Number);
  // Number("") is 0: an empty item (--stages "", a doubled or trailing comma) must not become index 0
  if (items.some((s) => s === "") || list.some((x) => !Number.isFinite(x))) throw new UsageError(`${flag} must be numbers separated by commas, got "${v}"`);
  return list;
}
