/**
 * `surf reproduce table1|fig2|fig3|fig4|fig5` and `surf merge`: plan the sweep's cells, train each cell's
 * checkpoint sequence if needed, run the cells of this shard (appending every trial to DIR/results.jsonl),
 * and write the report (DIR/report.html, DIR/summary.json). Rerunning the same command resumes.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadFashionMnist, type FashionMnist } from "../data/fashion-mnist.js";
import { renderPage, type Section } from "../report/html.js";
import { mergeCell, runCell, type Stage } from "./cell.js";
import { inShard, WHOLE, type Shard } from "./shard.js";
import { ResultStore } from "../store.js";
import { FULL, QUICK, ensureTrained, isTrained, plan, type CellPlan, type SweepName, type SweepScale } from "./sweeps.js";
import { CRITIC_FRACTION } from "../train/config.js";
import { GRAD_TOL, PROGRESS, STALL, WINDOW } from "../surf/descent.js";
import { cellName, distanceFigures, distortionFigure, distortionTable, fitsWithoutRecovery, outcomes, pathFigure, recoveryFigure, recoveryTable, table1 } from "./report.js";
import { sampleImages, SAMPLES_PER_CELL } from "./samples.js";

export const RESULTS_FILE = "results.jsonl";

export interface ReproduceOptions {
  quick: boolean;
  /** Override the trials per cell. */
  trials?: number;
  shard: Shard;
  out: string;
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

function scaleOf(options: { quick: boolean; trials?: number }): SweepScale {
  const base = options.quick ? QUICK : FULL;
  return options.trials ? { ...base, trials: options.trials, csTrials: options.trials } : base;
}

function dataLoader(): () => FashionMnist {
  let data: FashionMnist | undefined;
  return () => (data ??= loadFashionMnist());
}

export async function reproduce(name: SweepName, options: ReproduceOptions): Promise<ReproduceResult> {
  const scale = scaleOf(options), data = dataLoader();
  const plans = plan(name, scale, options.out, options.seed, data);
  const mine = inShard(plans, options.shard);
  const store = openResults(options.out, options);
  // Each cell's inversion weighs 1 in the progress fraction and the training of a sequence not yet trained
  // another 1, at its first cell; a reused sequence weighs nothing, so it does not read as a jump of progress.
  const training = mine.map((p, i): number => (isTrained(p) || mine.findIndex((q) => q.dir === p.dir) < i ? 0 : 1));
  const total = mine.length + training.reduce((a, b) => a + b, 0);
  let before = 0;
  for (const [i, p] of mine.entries()) {
    const share = (f: number) => (before + f) / total;
    ensureTrained(p, data, (step, steps) => options.onProgress?.(`${p.cell.id}: training ${step}/${steps}`, share(training[i] * step / steps)));
    await runCell(p.cell, store, { trials: p.trials, seed: options.seed, workers: options.workers, batch: 300, maxSteps: scale.maxSteps, chunk: 50 },
      (stage: Stage, f: number) => options.onProgress?.(`${p.cell.id}: ${stage}`, share(training[i] + f)));
    before += training[i] + 1;
  }
  return writeReport(name, plans, store, options.out, { ...options, scale });
}

/** Join the results of shards (their DIRs) into `out` and write the report of the whole sweep. */
export function merge(name: SweepName, dirs: readonly string[], options: Omit<ReproduceOptions, "shard" | "workers">): ReproduceResult {
  const store = openResults(options.out, options), parts = dirs.map((dir) => openResults(dir, options));
  const plans = plan(name, scaleOf(options), options.out, options.seed, dataLoader());
  for (const p of plans) mergeCell(p.cell, parts, store, p.trials);
  return writeReport(name, plans, store, options.out, { ...options, scale: scaleOf(options), shard: WHOLE });
}

/**
 * A sweep's results in DIR, refused if they came from another seed or scale: every trial's draws depend on
 * the seed alone, so only --trials and --shard may differ between the runs that fill one file.
 */
function openResults(dir: string, o: { quick: boolean; seed: string }): ResultStore {
  return new ResultStore(join(dir, RESULTS_FILE), { quick: o.quick, seed: o.seed });
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
                     o: { quick: boolean; seed: string; version: string; scale: SweepScale; shard: Shard }): ReproduceResult {
  const cells = outcomes(plans, store);
  const sections: Section[] = [{
    heading: "Settings",
    facts: [
      ["sweep", name + (o.quick ? " --quick" : "")],
      ["seed", o.seed],
      ["software", `surfing ${o.version}`],
      ["shard", o.shard.count > 1 ? `${o.shard.index}/${o.shard.count} (merge the shards for the whole sweep)` : "all cells"],
      ["generators", o.scale.arch === "dcgan" ? `InfoGAN's FC-FC-ConvT-ConvT at width ${o.scale.width} of the paper's, the encoder and discriminator likewise, the WGANs' critics at ${o.scale.width * CRITIC_FRACTION.wgan} (departures: to train a sequence in under 10 minutes on two cores)` : `MLP k → ${o.scale.hidden.join(" → ")} → 784 (quick)`],
      ["training", `${o.scale.steps} steps, θ_t every ${o.scale.every} (T = ${o.scale.steps / o.scale.every}); compressed sensing: ${o.scale.csSteps} steps every ${o.scale.csEvery}`],
      ["trials", `${o.scale.trials} per cell (compressed sensing ${o.scale.csTrials}); paper: 300 (200)`],
      ["descent", `Adam lr 0.01; stop once f has not fallen by ${100 * PROGRESS} % in ${WINDOW} steps and ‖∇f‖ ≤ ${GRAD_TOL}, or in ${STALL} steps (a kink), or at ${o.scale.maxSteps} steps`],
    ],
  }];
  if (name === "table1" || name === "fig2" || name === "fig5") {
    sections.push({ heading: "Table 1: surfing against regular Adam and equal-compute restarts", tables: [table1(cells)], notes: fitsWithoutRecovery(cells) });
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
  writeFileSync(report, renderPage({ title: `surfing: ${name}${o.quick ? " (quick)" : ""}`, subtitle: [`seed ${o.seed}`, `surfing ${o.version}`], sections }));
  const summary = {
    sweep: name, quick: o.quick, seed: o.seed,
    cells: cells.map((c) => ({ id: c.plan.cell.id, stages: Object.fromEntries([...c.stages].map(([s, v]) => [s, v.summary])) })),
  };
  writeFileSync(join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  return { report, summary };
}
