/**
 * `surf reproduce table1|fig2|fig3|fig4|fig5` and `surf merge`: plan the sweep's cells, train each cell's
 * checkpoint sequence if needed (or check that a regenerated one is the one the stored trials ran on), measure
 * its generator's FID, run the cells of this shard (appending every trial to DIR/results.jsonl), and write the
 * report (DIR/report.html, DIR/summary.json; the results compacted into DIR/results.jsonl.gz). Rerunning the
 * same command resumes, on this machine or another. A shard records its settings in DIR/shard.json, by which
 * `surf merge --sweep NAME OUT` (mergeShards) finds the shards of --shard auto under OUT and checks them.
 */
import { existsSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { readRegularFile } from "../io.js";
import { basename, join, resolve } from "node:path";
import { loadFashionMnist, type FashionMnist } from "../data/fashion-mnist.js";
import { renderPage, type Section } from "../report/html.js";
import { ABLATIONS, mergeCell, RIVALS, runCell, stageResults, type Stage } from "./cell.js";
import { findShards, inShard, shardDirectory, shardOf, WHOLE, type Shard } from "./shard.js";
import { lockedBy } from "../lock.js";
import { ResultStore } from "../store.js";
import { InputError } from "../errors.js";
import { cellSpecs, defaultsOf, ensureTrained, isTrained, plan, planCell, scaleWith, type CellPlan, type CellSpec, type ScaleOverrides, type SweepName, type SweepScale } from "./sweeps.js";
import { CRITIC_FRACTION } from "../train/config.js";
import { HYPERPARAMETERS, MODEL_KINDS } from "../train/hyperparameters.js";
import { DEFAULTS } from "../optim/optimizer.js";
import { GRAD_TOL, PROGRESS, STALL, WINDOW } from "../surf/descent.js";
import { cellName, costs, costTable, distanceFigures, distortionFigure, distortionTable, fitsWithoutRecovery, outcomes, pairedComparisons, pairedTable, pooledComparisons, pooledTable, pathFigure, recoveryFigure, recoveryTable, seedSpread, table1 } from "./report.js";
import { checkSequence, fidFigure, FID_CAPTION, GENERATOR_PREFIX, generatorSummary, measureGenerator } from "./generator.js";
import { sampleImages, SAMPLES_PER_CELL } from "./samples.js";

export const RESULTS_FILE = "results.jsonl";
/** A shard's settings, written before it runs a cell (ShardRecord). */
export const SHARD_FILE = "shard.json";

export interface ReproduceOptions {
  quick: boolean;
  /** Settings that differ from the sweep's default scale (trials, widths, training seeds, the cells run). */
  scale?: ScaleOverrides;
  shard: Shard;
  /** Write OUT/shard.json (what `surf merge --sweep NAME OUT` reads): the CLI does for every --shard run. */
  recordShard?: boolean;
  out: string;
  /** Where the checkpoint sequences live (default OUT/checkpoints): a cache outside a results directory. */
  checkpoints?: string;
  seed: string;
  workers: number;
  /** What is happening, for a progress bar: a label and the fraction of the shard done. */
  onProgress?: (label: string, fraction: number) => void;
  /** The software version, for the report. */
  version: string;
}

export interface ReproduceResult {
  report: string;
  summary: Record<string, unknown>;
}

function dataLoader(): () => FashionMnist {
  let data: FashionMnist | undefined;
  return () => (data ??= loadFashionMnist());
}

/** The sweep the cells of a report belong to: fig2 and fig5 report table1's. */
function sweepOf(name: SweepName): CellSpec["sweep"] {
  return name === "fig3" || name === "fig4" ? name : "table1";
}

export async function reproduce(name: SweepName, options: ReproduceOptions): Promise<ReproduceResult> {
  const defaults = defaultsOf(options.quick), scale = scaleWith(defaults, options.scale), data = dataLoader();
  const checkpoints = options.checkpoints ?? join(options.out, "checkpoints");
  const plans = plan(name, scale, options.out, options.seed, data, defaults, checkpoints);
  const mine = inShard(plans, options.shard);
  const store = openResults(options.out, options);
  if (options.recordShard) {
    const record: ShardRecord = {
      sweep: name, shard: options.shard, quick: options.quick, seed: options.seed, scale,
      checkpoints: options.checkpoints === undefined ? null : resolve(options.checkpoints),
    };
    mkdirSync(options.out, { recursive: true });
    writeAtomically(join(options.out, SHARD_FILE), JSON.stringify(record, null, 2) + "\n");
  }
  // Each cell's inversion weighs 1 in the progress fraction and the training of a sequence not yet trained
  // another 1, at its first cell; a reused sequence weighs nothing, so it does not read as a jump of progress.
  const training = mine.map((p, i): number => (isTrained(p) || mine.findIndex((q) => q.dir === p.dir) < i ? 0 : 1));
  const total = mine.length + training.reduce((a, b) => a + b, 0);
  let before = 0;
  for (const [i, p] of mine.entries()) {
    const share = (f: number) => (before + f) / total;
    recordSpec(store, p);
    ensureTrained(p, data, (step, steps) => options.onProgress?.(`${p.cell.id}: training ${step}/${steps}`, share(training[i] * step / steps)));
    checkSequence(store, p);
    measureGenerator(store, p, data, scale.fidSamples, (what) => options.onProgress?.(`${p.cell.id}: ${what}`, share(training[i])));
    await runCell(p.cell, store, { trials: p.trials, seed: options.seed, workers: options.workers, batch: 300, maxSteps: p.spec.maxSteps, chunk: 50 },
      (stage: Stage, f: number) => options.onProgress?.(`${p.cell.id}: ${stage}`, share(training[i] + f)));
    before += training[i] + 1;
  }
  return writeReport(name, reportPlans(name, plans, [store], defaults, checkpoints, options.seed, data), store, options.out, { ...options, defaults, shard: options.shard });
}

/**
 * Join the results of shards (their DIRs) into `out` and write the report of the whole sweep: every cell the
 * flags plan and every cell recorded in a shard (at whatever width, critic or training seed), with the
 * generators' records (their checkpoints' digest and FID).
 */
export function merge(name: SweepName, dirs: readonly string[], options: Omit<ReproduceOptions, "shard" | "workers">): ReproduceResult {
  const defaults = defaultsOf(options.quick), data = dataLoader();
  const checkpoints = options.checkpoints ?? join(options.out, "checkpoints");
  // every shard read and checked before a byte of OUT is written
  const parts = dirs.map((dir) => {
    if (!hasResults(dir)) {
      const shards = findShards(dir).length > 0 ? `; it holds shards: surf merge --sweep ${name} ${dir} finds them` : "";
      throw new InputError(`${dir}: no ${RESULTS_FILE}(.gz) there: not the \`out\` of a surf reproduce run${shards}`);
    }
    return openResults(dir, options);
  });
  const planned = plan(name, scaleWith(defaults, options.scale), options.out, options.seed, data, defaults, checkpoints);
  return joinShards(name, planned, parts, { ...options, defaults, checkpoints }, data);
}

/** Join the shards' stores `parts` into OUT's and write the report: merge's and mergeShards' common end. */
function joinShards(name: SweepName, planned: readonly CellPlan[], parts: readonly ResultStore[],
                    o: { out: string; quick: boolean; seed: string; version: string; defaults: SweepScale; checkpoints: string; partial?: PartialMerge },
                    data: () => FashionMnist): ReproduceResult {
  const store = openResults(o.out, o);
  const plans = reportPlans(name, planned, [store, ...parts], o.defaults, o.checkpoints, o.seed, data);
  for (const p of plans) {
    recordSpec(store, p);
    mergeCell(p.cell, parts, store, p.trials);
  }
  for (const part of parts) store.append(part.matching(GENERATOR_PREFIX).filter((r) => !store.has(r.key)));
  return writeReport(name, plans, store, o.out, { ...o, shard: WHOLE });
}

function hasResults(dir: string): boolean {
  return existsSync(join(dir, RESULTS_FILE)) || existsSync(join(dir, RESULTS_FILE + ".gz"));
}

/** What a run with --shard (i/n or auto) records in its directory (SHARD_FILE) before it runs a cell. */
export interface ShardRecord {
  sweep: SweepName;
  shard: Shard;
  quick: boolean;
  seed: string;
  /** The scale it ran at, the flags applied (every shard of one sweep must have the same). */
  scale: SweepScale;
  /** Its --checkpoints as an absolute path, or null: its own DIR/checkpoints. */
  checkpoints: string | null;
}

/** Which shards a partial merge lacks, and why (summary.json's `partial`). */
export interface PartialMerge {
  shards: number;
  missing: string[];
}

export interface MergeShardsOptions {
  /** Merge what is there when shards are missing or unfinished (the report and summary.json say so). */
  allowPartial: boolean;
  /** Settings given to `surf merge`: each must agree with the shards' (which are what the merge uses). */
  quick?: boolean;
  seed?: string;
  scale?: ScaleOverrides;
  /** Where the sequences are for the report's sample images (default: where each shard kept them). */
  checkpoints?: string;
  version: string;
}

/**
 * `surf merge --sweep NAME OUT`: find the shards of `surf reproduce NAME --shard auto --out OUT` under OUT
 * (OUT/shard-I-of-N), check that all N are there, finished, and ran with the same settings (their
 * shard.json), and join them into OUT as merge() does, at the shards' settings. Missing or unfinished shards
 * (a shard still running counts as unfinished) are refused, naming them, unless allowPartial; then the
 * report and summary.json's `partial` name them.
 *
 * @example
 * mergeShards("table1", "runs/table1", { allowPartial: false, version: "0.1.0" });   // runs/table1/report.html
 */
export function mergeShards(name: SweepName, out: string, options: MergeShardsOptions): ReproduceResult & { partial?: PartialMerge } {
  const found = findShards(out);
  const where = `surf reproduce ${name} --shard auto --out ${out}`;
  if (found.length === 0) throw new InputError(`${out}: no shards under it (shard-I-of-N directories, written by ${where})`);
  const counts = [...new Set(found.map((f) => f.shard.count))];
  if (counts.length > 1) {
    const groups = counts.map((n) => found.filter((f) => f.shard.count === n).map((f) => basename(f.dir)).join(", "));
    throw new InputError(`${out}: shards of ${counts.join(" and ")} tasks side by side (${groups.join("; ")}): runs with other shard counts; move one set away`);
  }
  const n = counts[0], missing: string[] = [];
  const present: { dir: string; index: number; record: ShardRecord }[] = [];
  for (let index = 1; index <= n; index++) {
    const dir = shardDirectory(out, { index, count: n }), label = basename(dir), running = lockedBy(dir, "directory");
    if (!found.some((f) => f.shard.index === index)) missing.push(`${label} (not there)`);
    else if (running?.here) missing.push(`${label} (still running: PID ${running.pid})`);
    else if (running) missing.push(`${label} (locked by PID ${running.pid} on ${running.host}: still running, or killed there; then delete ${join(label, ".surf.lock")} and run it again)`);
    else if (!existsSync(join(dir, SHARD_FILE))) missing.push(`${label} (no ${SHARD_FILE}: not started)`);
    else present.push({ dir, index, record: readShardRecord(dir, index, n) });
  }
  if (present.length === 0) throw new InputError(`${out}: none of its ${n} shards has run yet (${missing.join(", ")})`);
  for (const p of present) {
    if (sweepOf(p.record.sweep) !== sweepOf(name)) throw new InputError(`${join(p.dir, SHARD_FILE)}: a shard of ${p.record.sweep}, not of ${name} (\`sweep\`)`);
  }
  const settings = sameSettings(out, present.map((p) => ({ label: basename(p.dir), record: p.record })));
  checkGiven(name, out, settings, options);
  const defaults = defaultsOf(settings.quick), data = dataLoader();
  const checkpoints = options.checkpoints ?? join(out, "checkpoints");
  const owner = (j: number) => present.find((p) => p.index === shardOf(j, n));
  // the report's sample images need each cell's sequence: where the shard that ran the cell kept it
  const planned = plan(name, settings.scale, out, settings.seed, data, defaults, checkpoints).map((p, j) => {
    const o = owner(j);
    return options.checkpoints !== undefined || o === undefined ? p : withCheckpoints(p, o.record.checkpoints ?? join(o.dir, "checkpoints"));
  });
  // every shard read and checked before a byte of OUT is written
  const parts = present.map((p) => openResults(p.dir, settings));
  for (const [i, p] of present.entries()) {
    const cells = planned.filter((_, j) => shardOf(j, n) === p.index);
    const unfinished = cells.filter((c) => c.cell.stages.some((stage) => stageResults(parts[i], c.cell.id, stage, c.trials).length < c.trials));
    if (unfinished.length > 0) missing.push(`${basename(p.dir)} (unfinished: ${unfinished.length} of its ${cells.length} cells)`);
  }
  missing.sort((a, b) => Number(/^shard-(\d+)/.exec(a)![1]) - Number(/^shard-(\d+)/.exec(b)![1]));
  if (missing.length > 0 && !options.allowPartial) {
    throw new InputError(`${out}: ${missing.length} of ${n} shards missing or unfinished: ${missing.join(", ")}; run them (a rerun resumes), or merge what is there with \`allowPartial\``);
  }
  const partial = missing.length > 0 ? { shards: n, missing } : undefined;
  const result = joinShards(name, planned, parts, { out, quick: settings.quick, seed: settings.seed, version: options.version, defaults, checkpoints, partial }, data);
  return { ...result, ...(partial ? { partial } : {}) };
}

/** A shard's shard.json, checked for the fields merging needs and for being this directory's. */
function readShardRecord(dir: string, index: number, count: number): ShardRecord {
  const path = join(dir, SHARD_FILE);
  const text = readRegularFile(path, "a shard's record (JSON)").toString("utf8");
  let r: Partial<ShardRecord> & Record<string, unknown>;
  try {
    r = JSON.parse(text) as typeof r;
  } catch (e) {
    throw new InputError(`${path}: not JSON (${(e as Error).message}); run the shard again to rewrite it`);
  }
  const ok = typeof r === "object" && r !== null && typeof r.sweep === "string" && typeof r.quick === "boolean" && typeof r.seed === "string"
    && typeof r.scale === "object" && r.scale !== null && typeof r.shard === "object" && r.shard !== null && (typeof r.checkpoints === "string" || r.checkpoints === null);
  if (!ok) throw new InputError(`${path}: not a shard's record (sweep, shard, quick, seed, scale, checkpoints); run the shard again to rewrite it`);
  if (r.shard!.index !== index || r.shard!.count !== count) {
    throw new InputError(`${path}: written by shard ${r.shard!.index}/${r.shard!.count}, in the directory of ${index}/${count} (moved?)`);
  }
  // a record written before the problem's settings were scale fields ran the paper's: A = I, no noise
  return { ...r, scale: { tableMs: [], noises: [0], ...r.scale } } as ShardRecord;
}

/** The shards' common settings; refused, naming the first that differs and the shards on each side. */
function sameSettings(out: string, shards: { label: string; record: ShardRecord }[]): { quick: boolean; seed: string; scale: SweepScale } {
  const flat = (r: ShardRecord): Record<string, unknown> => ({ quick: r.quick, seed: r.seed, ...r.scale });
  const keys = [...new Set(shards.flatMap((s) => Object.keys(flat(s.record))))];
  for (const key of keys) {
    const groups = new Map<string, string[]>();
    for (const s of shards) {
      const value = JSON.stringify(flat(s.record)[key]) ?? "unset";
      groups.set(value, [...(groups.get(value) ?? []), s.label]);
    }
    if (groups.size > 1) {
      throw new InputError(`${out}: its shards ran with different settings: ${key} ${[...groups].map(([v, labels]) => `${v} in ${labels.join(", ")}`).join(" but ")}; run them alike`);
    }
  }
  const { quick, seed, scale } = shards[0].record;
  return { quick, seed, scale };
}

/** Each scale flag: its name, and the field it sets for table1's cells and for fig3's and fig4's. */
const SCALE_FLAG: Record<keyof ScaleOverrides, [string, keyof SweepScale, keyof SweepScale]> = {
  trials: ["--trials", "trials", "csTrials"], width: ["--width", "width", "width"], criticWidth: ["--critic-width", "criticWidth", "criticWidth"],
  criticSteps: ["--critic-steps", "criticSteps", "criticSteps"], trainSeeds: ["--train-seed", "trainSeeds", "trainSeeds"], steps: ["--steps", "steps", "csSteps"],
  every: ["--every", "every", "csEvery"], models: ["--models", "models", "csModels"], ks: ["--k", "ks", "ks"], ms: ["--m", "tableMs", "ms"], noises: ["--noise", "noises", "noises"], restarts: ["--restarts", "restarts", "restarts"],
  rivals: ["--rivals", "rivals", "rivals"], ablations: ["--ablations", "ablations", "ablations"],
};

/**
 * Settings given to `surf merge --sweep NAME OUT` must be the shards' (merge uses theirs): a scale flag is
 * refused if it would change the cells the shards planned (so --models gan,wgan agrees with fig3's default).
 */
function checkGiven(name: SweepName, out: string, s: { quick: boolean; seed: string; scale: SweepScale }, o: MergeShardsOptions): void {
  if (o.quick !== undefined && o.quick !== s.quick) throw new InputError(`\`quick\`${o.quick ? "" : "=false"}, but the shards under ${out} ran ${s.quick ? "with" : "without"} it`);
  if (o.seed !== undefined && o.seed !== s.seed) throw new InputError(`\`seed\` ${o.seed}, but the shards under ${out} ran with \`seed\` ${s.seed}`);
  const cells = JSON.stringify(cellSpecs(name, s.scale)), shown = (v: unknown) => (v === undefined ? "the default" : Array.isArray(v) ? v.join(",") : String(v));
  for (const [key, value] of Object.entries(o.scale ?? {}) as [keyof ScaleOverrides, unknown][]) {
    if (value === undefined || JSON.stringify(cellSpecs(name, scaleWith(s.scale, { [key]: value }))) === cells) continue;
    const [flag, field, csField] = SCALE_FLAG[key];
    throw new InputError(`${flag} ${shown(value)} given, but the shards under ${out} ran with ${shown(s.scale[sweepOf(name) === "table1" ? field : csField])} (give no scale flags: merge takes the shards')`);
  }
}

/** The plan with its sequence in `checkpoints` instead (same name; the results record its digest by name). */
function withCheckpoints(p: CellPlan, checkpoints: string): CellPlan {
  const dir = join(checkpoints, basename(p.dir));
  return { ...p, dir, cell: { ...p.cell, source: { kind: "path", path: dir } } };
}

/**
 * A sweep's results in DIR, refused if they came from another seed or scale: every trial's draws depend on
 * the seed alone, so only --trials and --shard may differ between the runs that fill one file.
 */
function openResults(dir: string, o: { quick: boolean; seed: string }): ResultStore {
  return new ResultStore(join(dir, RESULTS_FILE), { quick: o.quick, seed: o.seed });
}

const SPEC_PREFIX = "cell/";

/** Record the cell's spec with its results (again when it changed: more trials, say). */
function recordSpec(store: ResultStore, p: CellPlan): void {
  const key = SPEC_PREFIX + p.cell.id;
  if (JSON.stringify(store.get(key)?.spec) !== JSON.stringify(p.spec)) store.append([{ key, spec: p.spec }]);
}

/**
 * The cells a report shows: those the flags plan, then those recorded in the stores that the flags do not
 * plan (other widths, critics, training seeds), in a fixed order. A cell recorded with different trial
 * counts in several stores takes the largest; recorded with other settings under one id, it is refused.
 */
function reportPlans(name: SweepName, planned: readonly CellPlan[], stores: readonly ResultStore[], defaults: SweepScale,
                     checkpoints: string, seed: string, data: () => FashionMnist): CellPlan[] {
  const byId = new Map(planned.map((p) => [p.cell.id, p]));
  const recorded = new Map<string, CellSpec>();
  for (const store of stores) {
    for (const r of store.matching(SPEC_PREFIX)) {
      // a spec recorded before criticSteps was a setting ran with the model's
      const spec = { ...(r.spec as CellSpec), criticSteps: (r.spec as CellSpec).criticSteps ?? HYPERPARAMETERS[(r.spec as CellSpec).model].criticSteps };
      const id = r.key.slice(SPEC_PREFIX.length);
      if (spec.sweep !== sweepOf(name) || byId.has(id)) continue;
      const other = recorded.get(id);
      if (other && canonical(problemOf(other)) !== canonical(problemOf(spec))) {
        throw new InputError(`${store.path}: cell ${id} was run with other settings than in another results directory; merge them separately`);
      }
      recorded.set(id, other ? joinSpecs(other, spec) : spec);
    }
  }
  const extra = [...recorded.values()].map((spec) => planCell(spec, defaults, checkpoints, seed, data));
  return [...planned, ...extra.sort((a, b) => specOrder(a.spec, b.spec))];
}

/** JSON with the keys in order: specs written by different versions list their fields in different orders. */
function canonical(x: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** A spec without what a later run of the cell may add: more trials, more restarts, rivals, ablations. */
function problemOf(spec: CellSpec): Omit<CellSpec, "trials" | "restarts" | "rivals" | "ablations"> {
  const { trials: _t, restarts: _r, rivals: _v, ablations: _a, ...rest } = spec;
  return rest;
}

/**
 * One cell recorded in two results directories, one run with more trials or stages than the other (the
 * rivals added to a cell run before, say): the most trials and every stage of either, in the canonical order.
 */
function joinSpecs(a: CellSpec, b: CellSpec): CellSpec {
  const union = <T extends string>(all: readonly T[], x: readonly T[] | undefined, y: readonly T[] | undefined): T[] => all.filter((s) => x?.includes(s) || y?.includes(s));
  const rivals = union(RIVALS, a.rivals, b.rivals), ablations = union(ABLATIONS, a.ablations, b.ablations);
  return {
    ...a, trials: Math.max(a.trials, b.trials), restarts: [...new Set([...a.restarts, ...b.restarts])].sort((x, y) => x - y),
    ...(rivals.length > 0 ? { rivals } : {}), ...(ablations.length > 0 ? { ablations } : {}),
  };
}

/** Model in the paper's order, then k, m, widths, training length and seed. */
function specOrder(a: CellSpec, b: CellSpec): number {
  const key = (s: CellSpec) => [MODEL_KINDS.indexOf(s.model), s.k, s.m ?? 0, s.width, s.criticWidth, s.criticSteps ?? 0, s.trainSteps, s.every, s.trainSeed, s.noise ?? 0];
  const ka = key(a), kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return 0;
}

/** A grid of sample reconstructions per cell (where this machine has the cell's checkpoints). */
function samplesSection(plans: readonly CellPlan[], store: ResultStore): Section {
  const grids = plans.flatMap((p) => sampleImages(p.cell, store, p.trials, SAMPLES_PER_CELL, cellName(p.cell.id)) ?? []);
  const missing = plans.length - grids.length;
  return {
    heading: "Sample reconstructions",
    paragraphs: missing > 0 ? [`${missing} of ${plans.length} cells have no images here: no stored trials yet, or (merged shards) their checkpoints are in the shards' directories.`] : [],
    images: grids,
  };
}

function writeReport(name: SweepName, plans: CellPlan[], store: ResultStore, out: string,
                     o: { quick: boolean; seed: string; version: string; defaults: SweepScale; shard: Shard; partial?: PartialMerge }): ReproduceResult {
  const cells = outcomes(plans, store), d = o.defaults;
  const widths = [...new Set(plans.map((p) => p.spec.width))];
  const sections: Section[] = [{
    heading: "Settings",
    facts: [
      ["sweep", name + (o.quick ? " --quick" : "")],
      ["seed", o.seed],
      ["software", `surfing ${o.version}`],
      ["shard", o.partial ? `PARTIAL: merged without ${o.partial.missing.join(", ")}: their cells' trials are missing or short` : o.shard.count > 1 ? `${o.shard.index}/${o.shard.count} (merge the shards for the whole sweep)` : "all cells"],
      ["generators", d.arch === "dcgan" ? `InfoGAN's FC-FC-ConvT-ConvT at width ${widths.join(", ")} of the paper's (by default ${d.width}: a departure, to train a sequence in minutes on two cores), the encoder and discriminator as wide, the WGANs' critics at ${CRITIC_FRACTION.wgan} of the generator's width unless a cell says otherwise` : `MLP k → ${d.hidden.join(" → ")} → 784 (quick)`],
      ["training", `by default ${d.steps} steps, θ_t every ${d.every} (T = ${d.steps / d.every}); compressed sensing: ${d.csSteps} steps every ${d.csEvery}; each cell's own in the table of cells`],
      ["trials", `${plans.map((p) => p.trials).filter((t, i, a) => a.indexOf(t) === i).join(", ")} per cell; paper: 300 (compressed sensing 200)`],
      ["descent", `Adam lr ${DEFAULTS.adamLr}; stop once f has not fallen by ${100 * PROGRESS} % in ${WINDOW} steps and ‖∇f‖ ≤ ${GRAD_TOL}, or in ${STALL} steps (a kink), or at ${plans[0]?.spec.maxSteps ?? d.maxSteps} steps`],
      ["budget", BUDGET_RULE],
    ],
  }, cellsSection(plans, store)];
  if (name === "table1" || name === "fig2" || name === "fig5") {
    sections.push({ heading: "Table 1: surfing against regular Adam and its rivals at equal compute", tables: [table1(cells)], notes: fitsWithoutRecovery(cells) });
    sections.push({ heading: "Paired comparisons: surfing against each method, trial by trial", tables: [pairedTable(cells)] });
    sections.push({ heading: "Cost in gradient steps, the paper's way and like for like", tables: [costTable(cells)] });
    const seeds = seedSpread(cells), pooled = pooledComparisons(cells);
    if (seeds) sections.push({ heading: "Across training seeds", tables: [seeds.table, ...(pooled.length > 0 ? [pooledTable(pooled)] : [])], notes: seeds.notes });
    sections.push({ heading: "Figure 2: distance to the truth, DCGAN", figures: distanceFigures(cells, ["gan"]) });
    sections.push({ heading: "Figure 5: distance to the truth, VAE, WGAN, WGAN-GP", figures: distanceFigures(cells, ["vae", "wgan", "wgan-gp"]) });
    sections.push(samplesSection(plans, store));
  } else if (name === "fig3") {
    sections.push({ heading: "Figure 3: compressed sensing, exact recovery", tables: [recoveryTable(cells)], figures: [...recoveryFigure(cells), ...pathFigure(cells)] });
  } else {
    sections.push({ heading: "Figure 4: rate–distortion on held-out real images", tables: [distortionTable(cells)], figures: [...distortionFigure(cells), ...pathFigure(cells)] });
    sections.push(samplesSection(plans, store));
  }
  mkdirSync(out, { recursive: true });
  const report = join(out, "report.html");
  writeAtomically(report, renderPage({ title: `surfing: ${name}${o.quick ? " (quick)" : ""}`, subtitle: [`seed ${o.seed}`, `surfing ${o.version}`], sections }));
  const summary = {
    sweep: name, quick: o.quick, seed: o.seed, ...(o.partial ? { partial: o.partial } : {}),
    ...(name === "table1" ? { pooled: pooledComparisons(cells) } : {}),
    cells: cells.map((c) => ({
      id: c.plan.cell.id, settings: describeSpec(c.plan.spec, c.plan.training.seed), generator: generatorSummary(store, c.plan),
      stages: Object.fromEntries([...c.stages].map(([s, v]) => [s, v.summary])),
      ...(c.plan.spec.sweep === "table1" ? { comparison: pairedComparisons(c) ?? null, cost: costs(c) ?? null } : {}),
    })),
  };
  writeAtomically(join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  store.compact();
  return { report, summary };
}

/** Write a whole file or nothing: a temporary file beside it, then a rename. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** How surfing's budget is set (the schedule of Song, Fan & Lafferty, NeurIPS 2019, Section 4, with our harmonic split). */
export const BUDGET_RULE = "surfing's θ_0..θ_{T−1} share the 75th percentile of regular Adam's steps to converge over the cell's trials, split harmonically (w_t ∝ 1/(t+1)); θ_T runs to convergence; best-of-R restarts, restart-until and adam-then-surf each spend at most the trial's surfing step count";

/**
 * Everything that shaped a cell, for summary.json and the report: the spec, the training procedure's
 * optimizer and its rates (HYPERPARAMETERS), the descent of the inversions and the budget rule.
 */
export function describeSpec(spec: CellSpec, trainingSeed: string): Record<string, unknown> {
  const h = HYPERPARAMETERS[spec.model];
  return {
    ...spec, trainingSeed,
    training: { optimizer: h.optimizer, criticSteps: spec.criticSteps ?? h.criticSteps, ...(h.clip !== undefined ? { clip: h.clip } : {}), ...(h.penalty !== undefined ? { penalty: h.penalty } : {}), latent: h.latent },
    inversion: { optimizer: "adam", lr: DEFAULTS.adamLr, beta1: DEFAULTS.beta1, beta2: DEFAULTS.beta2, progress: PROGRESS, window: WINDOW, gradTol: GRAD_TOL, stall: STALL },
    budget: BUDGET_RULE,
  };
}

/** The table of cells: what each was run with, and how good its generator is. */
function cellsSection(plans: readonly CellPlan[], store: ResultStore): Section {
  const rows = plans.map((p) => {
    const s = p.spec, g = generatorSummary(store, p);
    return [
      cellName(p.cell.id), s.arch === "dcgan" ? `${s.width}` : `mlp ${s.hidden.join(",")}`, s.arch === "dcgan" ? `${s.criticWidth}` : "—", s.trainSeed,
      `${s.trainSteps} / ${s.every}`, s.batch, `${HYPERPARAMETERS[s.model].optimizer.kind} ${HYPERPARAMETERS[s.model].optimizer.lr}`, s.criticSteps ?? HYPERPARAMETERS[s.model].criticSteps,
      s.trials, g?.fid !== undefined ? g.fid.toFixed(1) : "—",
    ];
  });
  const path = fidFigure(plans.map((p) => ({ label: cellName(p.cell.id), g: generatorSummary(store, p) })));
  return {
    heading: "Cells",
    tables: [{
      columns: ["cell", "generator width", "partner width", "training seed", "steps / θ_t every", "batch", "training optimizer, lr", "partner steps", "trials", "FID of θ_T"],
      rows,
      caption: `Width: a multiple of InfoGAN's (1 = the paper's). Partner: the VAE's encoder, the GAN's discriminator, the WGANs' critic. FID: ${FID_CAPTION}`,
    }],
    figures: path ? [path] : [],
  };
}
