/**
 * `surf reproduce table1|fig2|fig3|fig4|fig5` and `surf merge`: plan the sweep's cells, train each cell's
 * checkpoint sequence if needed (or check that a regenerated one is the one the stored trials ran on), measure
 * its generator's FID, run the cells of this shard (appending every trial to DIR/results.jsonl), and write the
 * report (DIR/report.html, DIR/summary.json; the results compacted into DIR/results.jsonl.gz). Rerunning the
 * same command resumes, on this machine or another.
 */
import { existsSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { loadFashionMnist, type FashionMnist } from "../data/fashion-mnist.js";
import { renderPage, type Section } from "../report/html.js";
import { mergeCell, runCell, type Stage } from "./cell.js";
import { inShard, WHOLE, type Shard } from "./shard.js";
import { ResultStore } from "../store.js";
import { InputError } from "../errors.js";
import { defaultsOf, ensureTrained, isTrained, plan, planCell, scaleWith, type CellPlan, type CellSpec, type ScaleOverrides, type SweepName, type SweepScale } from "./sweeps.js";
import { CRITIC_FRACTION } from "../train/config.js";
import { HYPERPARAMETERS, MODEL_KINDS } from "../train/hyperparameters.js";
import { DEFAULTS } from "../optim/optimizer.js";
import { GRAD_TOL, PROGRESS, STALL, WINDOW } from "../surf/descent.js";
import { cellName, distanceFigures, distortionFigure, distortionTable, fitsWithoutRecovery, outcomes, pairedComparisons, pairedTable, pathFigure, recoveryFigure, recoveryTable, seedSpread, table1 } from "./report.js";
import { checkSequence, fidFigure, FID_CAPTION, GENERATOR_PREFIX, generatorSummary, measureGenerator } from "./generator.js";
import { sampleImages, SAMPLES_PER_CELL } from "./samples.js";

export const RESULTS_FILE = "results.jsonl";

export interface ReproduceOptions {
  quick: boolean;
  /** Settings that differ from the sweep's default scale (trials, widths, training seeds, the cells run). */
  scale?: ScaleOverrides;
  shard: Shard;
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
    if (!existsSync(join(dir, RESULTS_FILE)) && !existsSync(join(dir, RESULTS_FILE + ".gz"))) {
      throw new InputError(`${dir}: no ${RESULTS_FILE}(.gz) there: not the --out of a surf reproduce run`);
    }
    return openResults(dir, options);
  });
  const store = openResults(options.out, options);
  const planned = plan(name, scaleWith(defaults, options.scale), options.out, options.seed, data, defaults, checkpoints);
  const plans = reportPlans(name, planned, [store, ...parts], defaults, checkpoints, options.seed, data);
  for (const p of plans) {
    recordSpec(store, p);
    mergeCell(p.cell, parts, store, p.trials);
  }
  for (const part of parts) store.append(part.matching(GENERATOR_PREFIX).filter((r) => !store.has(r.key)));
  return writeReport(name, plans, store, options.out, { ...options, defaults, shard: WHOLE });
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
      if (other && JSON.stringify({ ...other, trials: 0 }) !== JSON.stringify({ ...spec, trials: 0 })) {
        throw new InputError(`${store.path}: cell ${id} was run with other settings than in another results directory; merge them separately`);
      }
      if (!other || spec.trials > other.trials) recorded.set(id, spec);
    }
  }
  const extra = [...recorded.values()].map((spec) => planCell(spec, defaults, checkpoints, seed, data));
  return [...planned, ...extra.sort((a, b) => specOrder(a.spec, b.spec))];
}

/** Model in the paper's order, then k, m, widths, training length and seed. */
function specOrder(a: CellSpec, b: CellSpec): number {
  const key = (s: CellSpec) => [MODEL_KINDS.indexOf(s.model), s.k, s.m ?? 0, s.width, s.criticWidth, s.criticSteps ?? 0, s.trainSteps, s.every, s.trainSeed];
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
                     o: { quick: boolean; seed: string; version: string; defaults: SweepScale; shard: Shard }): ReproduceResult {
  const cells = outcomes(plans, store), d = o.defaults;
  const widths = [...new Set(plans.map((p) => p.spec.width))];
  const sections: Section[] = [{
    heading: "Settings",
    facts: [
      ["sweep", name + (o.quick ? " --quick" : "")],
      ["seed", o.seed],
      ["software", `surfing ${o.version}`],
      ["shard", o.shard.count > 1 ? `${o.shard.index}/${o.shard.count} (merge the shards for the whole sweep)` : "all cells"],
      ["generators", d.arch === "dcgan" ? `InfoGAN's FC-FC-ConvT-ConvT at width ${widths.join(", ")} of the paper's (by default ${d.width}: a departure, to train a sequence in minutes on two cores), the encoder and discriminator as wide, the WGANs' critics at ${CRITIC_FRACTION.wgan} of the generator's width unless a cell says otherwise` : `MLP k → ${d.hidden.join(" → ")} → 784 (quick)`],
      ["training", `by default ${d.steps} steps, θ_t every ${d.every} (T = ${d.steps / d.every}); compressed sensing: ${d.csSteps} steps every ${d.csEvery}; each cell's own in the table of cells`],
      ["trials", `${plans.map((p) => p.trials).filter((t, i, a) => a.indexOf(t) === i).join(", ")} per cell; paper: 300 (compressed sensing 200)`],
      ["descent", `Adam lr ${DEFAULTS.adamLr}; stop once f has not fallen by ${100 * PROGRESS} % in ${WINDOW} steps and ‖∇f‖ ≤ ${GRAD_TOL}, or in ${STALL} steps (a kink), or at ${plans[0]?.spec.maxSteps ?? d.maxSteps} steps`],
      ["budget", BUDGET_RULE],
    ],
  }, cellsSection(plans, store)];
  if (name === "table1" || name === "fig2" || name === "fig5") {
    sections.push({ heading: "Table 1: surfing against regular Adam and equal-compute restarts", tables: [table1(cells)], notes: fitsWithoutRecovery(cells) });
    sections.push({ heading: "Paired comparisons: surfing against each method, trial by trial", tables: [pairedTable(cells)] });
    const seeds = seedSpread(cells);
    if (seeds) sections.push({ heading: "Across training seeds", tables: [seeds.table], notes: seeds.notes });
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
    sweep: name, quick: o.quick, seed: o.seed,
    cells: cells.map((c) => ({
      id: c.plan.cell.id, settings: describeSpec(c.plan.spec, c.plan.training.seed), generator: generatorSummary(store, c.plan),
      stages: Object.fromEntries([...c.stages].map(([s, v]) => [s, v.summary])),
      ...(c.plan.spec.sweep === "table1" ? { comparison: pairedComparisons(c) ?? null } : {}),
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

/** How surfing's budget is set (the NeurIPS schedule, seed 001 §4, with our harmonic split). */
export const BUDGET_RULE = "surfing's θ_0..θ_{T−1} share the 75th percentile of regular Adam's steps to converge over the cell's trials, split harmonically (w_t ∝ 1/(t+1)); θ_T runs to convergence; best-of-R restarts share each trial's surfing step count";

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

