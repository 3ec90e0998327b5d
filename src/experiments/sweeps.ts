/**
 * The paper's experiments as sweeps of cells (Song, Fan & Lafferty 2019 and NeurIPS 2019, Section 4), full and --quick:
 *   table1 / fig2 / fig5   VAE, DCGAN, WGAN, WGAN-GP × k ∈ {5, 10, 20}; A = I; x*, x_init ~ U[−1, 1]^k; 300 trials;
 *                          regular Adam, surfing, best of R ∈ {1, 2, 4, 8} restarts at surfing's step count
 *                          (R = 1: regular Adam stopped there; the paper's reviewers asked for R > 1)
 *   fig3                   compressed sensing, k = 20, DCGAN and WGAN, Gaussian A with m rows, 200 trials,
 *                          checkpoints every 100 steps: recovery rate against m
 *   fig4                   the same networks and m on held-out real images y: per-pixel error against m
 * Departures from the paper, stated in the report: the generators are the `dcgan` architecture at width
 * DEFAULT_WIDTH (a quarter of InfoGAN's widths) and the WGANs' critics a CRITIC_FRACTION of that, to
 * train a sequence in under 10 minutes on two cores; --quick shrinks everything to a tiny MLP generator
 * and a few trials.
 */
import { join } from "node:path";
import type { FashionMnist } from "../data/fashion-mnist.js";
import { PIXELS } from "../data/fashion-mnist.js";
import { CRITIC_FRACTION, DEFAULT_WIDTH, makeConfig, type TrainConfig } from "../train/config.js";
import { HYPERPARAMETERS, type ModelKind } from "../train/hyperparameters.js";
import { isComplete, trainOrResume } from "../train/run.js";
import { InputError } from "../errors.js";
import { MAX_TENSOR_VALUES } from "../nn/network.js";
import type { Ablation, Cell, Rival, Stage } from "./cell.js";

export const SWEEPS = ["table1", "fig2", "fig3", "fig4", "fig5"] as const;
export type SweepName = (typeof SWEEPS)[number];

export interface SweepScale {
  arch: "dcgan" | "mlp";
  width: number;
  /** The partner's (encoder, discriminator, critic) width; undefined: CRITIC_FRACTION of the generator's. */
  criticWidth?: number;
  /** Partner updates per generator update; undefined: the model's (HYPERPARAMETERS). */
  criticSteps?: number;
  hidden: number[];
  /** Training seeds: one checkpoint sequence, and one cell, per seed. */
  trainSeeds: number[];
  /** Training steps and checkpoint spacing of table1's and of fig3/fig4's sequences. */
  steps: number;
  every: number;
  csSteps: number;
  csEvery: number;
  trials: number;
  csTrials: number;
  restarts: number[];
  /** The practitioner's rivals at surfing's steps (table1), beside best-of-R. */
  rivals: Rival[];
  /** Surfing with one thing changed (table1). */
  ablations: Ablation[];
  maxSteps: number;
  ks: number[];
  ms: number[];
  /** table1: Gaussian measurements with these m rows, a cell each (empty: A = I, the paper's). */
  tableMs: number[];
  /** The standard deviations σ of Gaussian noise added to each observation, a cell each (the paper's: 0). */
  noises: number[];
  models: ModelKind[];
  csModels: ModelKind[];
  batch: number;
  /** Generated images per FID (src/quality); --quick's tiny generators need fewer. */
  fidSamples: number;
}

export const FULL: SweepScale = {
  arch: "dcgan", width: DEFAULT_WIDTH, hidden: [], trainSeeds: [0], steps: 4000, every: 40, csSteps: 10000, csEvery: 100,
  trials: 300, csTrials: 200, restarts: [1, 2, 4, 8], rivals: [], ablations: [], maxSteps: 20000, ks: [5, 10, 20],
  ms: [10, 20, 30, 40, 50, 70, 100, 200, 400], tableMs: [], noises: [0], models: ["vae", "gan", "wgan", "wgan-gp"], csModels: ["gan", "wgan"], batch: 64, fidSamples: 10000,
};

export const QUICK: SweepScale = {
  arch: "mlp", width: 1, hidden: [16, 32], trainSeeds: [0], steps: 40, every: 10, csSteps: 40, csEvery: 10,
  trials: 4, csTrials: 4, restarts: [1, 2], rivals: [], ablations: [], maxSteps: 300, ks: [5, 10, 20],
  ms: [10, 50], tableMs: [], noises: [0], models: ["vae", "gan", "wgan", "wgan-gp"], csModels: ["gan", "wgan"], batch: 16, fidSamples: 500,
};

/**
 * What a user may change of a sweep's scale (each a `surf reproduce` flag): the generators' widths, training
 * seeds, steps and spacing, and which cells run. steps and every set table1's sequences, or fig3/fig4's.
 */
export interface ScaleOverrides {
  trials?: number;
  width?: number;
  criticWidth?: number;
  criticSteps?: number;
  trainSeeds?: number[];
  steps?: number;
  every?: number;
  models?: ModelKind[];
  ks?: number[];
  /** fig3, fig4: the m swept; table1: Gaussian measurements with m rows instead of A = I. */
  ms?: number[];
  noises?: number[];
  restarts?: number[];
  rivals?: Rival[];
  ablations?: Ablation[];
}

/** The base scale (FULL, or QUICK) with the overrides. */
export function scaleWith(base: SweepScale, o: ScaleOverrides = {}): SweepScale {
  const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ScaleOverrides;
  const scale: SweepScale = { ...base, ...defined };
  if (o.trials !== undefined) scale.csTrials = o.trials;
  if (o.steps !== undefined) scale.csSteps = o.steps;
  if (o.every !== undefined) scale.csEvery = o.every;
  if (o.models !== undefined) scale.csModels = o.models;
  if (o.ms !== undefined) scale.tableMs = o.ms;
  return scale;
}

/**
 * Everything that shapes a cell, recorded with its results (summary.json's `settings`): a results directory
 * can hold cells at several widths, critics or training seeds, and the report and `surf merge` plan each
 * again from its record. Its id names every setting that differs from the sweep's default scale.
 */
export interface CellSpec {
  /** fig2 and fig5 are reports of table1's cells. */
  sweep: "table1" | "fig3" | "fig4";
  model: ModelKind;
  k: number;
  /** Rows of the Gaussian A (compressed sensing; table1: absent for A = I). */
  m?: number;
  /** σ of the Gaussian noise added to each observation A·y (absent: none). */
  noise?: number;
  arch: "dcgan" | "mlp";
  width: number;
  criticWidth: number;
  /** Partner updates per generator update; absent in specs recorded before it was a setting (the model's). */
  criticSteps?: number;
  hidden: number[];
  trainSeed: number;
  trainSteps: number;
  every: number;
  batch: number;
  trials: number;
  /** Best-of-R restarts at surfing's step count (table1). */
  restarts: number[];
  /** The rivals at surfing's step count (table1; absent when none, as in specs recorded before they existed). */
  rivals?: Rival[];
  /** Surfing's ablations (table1; absent when none). */
  ablations?: Ablation[];
  maxSteps: number;
}

/** What a cell needs trained before it runs. */
export interface CellPlan {
  spec: CellSpec;
  cell: Cell;
  training: TrainConfig;
  dir: string;
  /** Trials of this cell (fig3/fig4 use fewer than table1). */
  trials: number;
}

/** The cells a sweep's flags ask for, in a fixed order (shards slice this list). */
export function cellSpecs(name: SweepName, scale: SweepScale): CellSpec[] {
  const cs = name === "fig3" || name === "fig4";
  const base = (model: ModelKind, k: number, trainSeed: number): Omit<CellSpec, "sweep" | "trials" | "restarts"> => ({
    model, k, arch: scale.arch, width: scale.width, criticWidth: scale.criticWidth ?? scale.width * CRITIC_FRACTION[model],
    criticSteps: scale.criticSteps ?? HYPERPARAMETERS[model].criticSteps, hidden: scale.hidden,
    trainSeed, trainSteps: cs ? scale.csSteps : scale.steps, every: cs ? scale.csEvery : scale.every, batch: scale.batch, maxSteps: scale.maxSteps,
  });
  const noisy = (noise: number) => (noise > 0 ? { noise } : {});
  if (!cs) {
    const ms = scale.tableMs.length > 0 ? scale.tableMs : [undefined];
    return scale.models.flatMap((model) => scale.ks.flatMap((k) => scale.trainSeeds.flatMap((t) => ms.flatMap((m) => scale.noises.map((noise) =>
      ({ sweep: "table1" as const, ...base(model, k, t), ...(m !== undefined ? { m } : {}), ...noisy(noise), trials: scale.trials, restarts: scale.restarts,
        ...(scale.rivals.length > 0 ? { rivals: scale.rivals } : {}), ...(scale.ablations.length > 0 ? { ablations: scale.ablations } : {}) }))))));
  }
  return scale.csModels.flatMap((model) => scale.ms.flatMap((m) => scale.trainSeeds.flatMap((t) => scale.noises.map((noise) =>
    ({ sweep: name, ...base(model, 20, t), m, ...noisy(noise), trials: scale.csTrials, restarts: [] })))));
}

/**
 * The settings of a cell that differ from the default scale, as id parts: w (generator width), cw (partner
 * width), csteps (partner updates per generator update), steps, every, trainseed — e.g. table1/gan/k5/w1,
 * table1/wgan-gp/k10/cw0.25, table1/gan/k5/trainseed3.
 */
export function settingTags(spec: CellSpec, defaults: SweepScale): string[] {
  const cs = spec.sweep !== "table1", tags: string[] = [];
  if (spec.arch === "dcgan" && spec.width !== defaults.width) tags.push(`w${spec.width}`);
  if (spec.arch === "dcgan" && spec.criticWidth !== spec.width * CRITIC_FRACTION[spec.model]) tags.push(`cw${spec.criticWidth}`);
  if (spec.criticSteps !== undefined && spec.criticSteps !== HYPERPARAMETERS[spec.model].criticSteps) tags.push(`csteps${spec.criticSteps}`);
  if (spec.trainSteps !== (cs ? defaults.csSteps : defaults.steps)) tags.push(`steps${spec.trainSteps}`);
  if (spec.every !== (cs ? defaults.csEvery : defaults.every)) tags.push(`every${spec.every}`);
  if (spec.trainSeed !== 0) tags.push(`trainseed${spec.trainSeed}`);
  return tags;
}

/** The default scale a spec's id is named against. */
export function defaultsOf(quick: boolean): SweepScale {
  return quick ? QUICK : FULL;
}

/**
 * A cell's id: sweep, model, k (or fig3/fig4's m), the training settings that differ from the default
 * (settingTags), then the problem's: table1's Gaussian m and the noise σ — e.g. table1/gan/k5/m50/noise0.01.
 * The problem's settings are not the sequence's: cells that differ only in them share one generator.
 */
export function cellId(spec: CellSpec, defaults: SweepScale): string {
  const table = spec.sweep === "table1";
  return [spec.sweep, spec.model, table || spec.m === undefined ? `k${spec.k}` : `m${spec.m}`, ...settingTags(spec, defaults),
    ...(table && spec.m !== undefined ? [`m${spec.m}`] : []), ...(spec.noise ? [`noise${spec.noise}`] : [])].join("/");
}

/**
 * The sequence directory's name: model, k and spacing, then the other settings that differ from the default
 * (as in the cell's id). Cells that share a generator (fig3's and fig4's m) share it.
 */
export function sequenceName(spec: CellSpec, defaults: SweepScale): string {
  return [`${spec.model}-k${spec.k}-every${spec.every}`, ...settingTags(spec, defaults).filter((t) => !t.startsWith("every"))].join("-");
}

/** The training seed of a cell's sequence: the run's seed, the model and k, and the training seed past 0. */
export function trainingSeed(spec: CellSpec, seed: string): string {
  return `${seed}/${spec.model}/k${spec.k}${spec.trainSeed === 0 ? "" : `/trainseed${spec.trainSeed}`}`;
}

/**
 * A cell from its spec: its training, its sequence directory under `checkpoints`, and the Cell its stages run.
 * fig4's targets are held-out images, loaded from `data` only for such a cell.
 */
export function planCell(spec: CellSpec, defaults: SweepScale, checkpoints: string, seed: string, data: () => FashionMnist): CellPlan {
  const id = cellId(spec, defaults);
  // every cell's sizes checked when the sweep is planned, before a sequence is trained for the first
  if (spec.m !== undefined && spec.m * PIXELS > MAX_TENSOR_VALUES) {
    throw new InputError(`${id}: \`m\` ${spec.m}: a Gaussian A of m × ${PIXELS} would have more than the ${MAX_TENSOR_VALUES} entries a tensor may have here (m ≤ ${Math.floor(MAX_TENSOR_VALUES / PIXELS)})`);
  }
  let training: TrainConfig;
  try {
    training = makeConfig({
      model: spec.model, arch: spec.arch, latent: spec.k, width: spec.width, criticWidth: spec.criticWidth, criticSteps: spec.criticSteps,
      hidden: spec.hidden.length > 0 ? spec.hidden : undefined, steps: spec.trainSteps, every: spec.every, batch: spec.batch, seed: trainingSeed(spec, seed),
    });
  } catch (e) {
    throw e instanceof InputError ? new InputError(`${id}: ${e.message}`) : e;
  }
  const dir = join(checkpoints, sequenceName(spec, defaults)), source = { kind: "path" as const, path: dir };
  const noisy = spec.noise ? { noise: spec.noise } : {};
  if (spec.sweep === "table1") {
    const stages: Stage[] = ["regular", "surf", ...spec.restarts.map((r) => `restarts-${r}` as Stage), ...(spec.rivals ?? []), ...(spec.ablations ?? [])];
    const measurement = spec.m === undefined ? { kind: "identity" as const } : { kind: "gaussian" as const, m: spec.m };
    return { spec, training, dir, trials: spec.trials, cell: { id, source, measurement, ...noisy, targets: { kind: "synthetic" }, stages } };
  }
  const targets = spec.sweep === "fig3" ? { kind: "synthetic" as const } : { kind: "signal" as const, y: heldOutImages(data(), spec.trials) };
  return { spec, training, dir, trials: spec.trials, cell: { id, source, measurement: { kind: "gaussian", m: spec.m! }, ...noisy, targets, stages: ["regular", "surf"] } };
}

/** The cells of a sweep, in a fixed order (shards slice this list). */
export function plan(name: SweepName, scale: SweepScale, out: string, seed: string, data: () => FashionMnist, defaults: SweepScale = scale.arch === "mlp" ? QUICK : FULL,
                     checkpoints = join(out, "checkpoints")): CellPlan[] {
  return cellSpecs(name, scale).map((spec) => planCell(spec, defaults, checkpoints, seed, data));
}

/** The held-out images of trials 0 … n − 1 (see heldOutIndices), as signals in [0, 1]. */
export function heldOutImages(data: FashionMnist, n: number): number[][] {
  const { heldOut } = data;
  return heldOutIndices(heldOut.count, n).map((j) => Array.from(heldOut.images.subarray(j * PIXELS, (j + 1) * PIXELS), (v) => v / 255));
}

/**
 * Trial i's held-out image: ⌊count·φ(i)⌋, φ the base-2 radical inverse (van der Corput: 0, ½, ¼, ¾, ⅛ …).
 * The held-out set is sorted by class, and this spreads every first n trials over it while trial i's image
 * does not depend on n — so a run extended to more trials keeps the ones it stored (a stride of count/n
 * did not). Distinct while n ≤ the largest power of two ≤ count.
 */
export function heldOutIndices(count: number, n: number): number[] {
  const distinct = 2 ** Math.floor(Math.log2(count));
  if (!(n <= distinct)) throw new InputError(`${n} trials need ${n} distinct held-out images; this scheme gives at most ${distinct} of the ${count}`);
  return Array.from({ length: n }, (_, i) => {
    let phi = 0;
    for (let bits = i, f = 0.5; bits > 0; bits >>>= 1, f /= 2) if (bits & 1) phi += f;
    return Math.floor(count * phi);
  });
}

/** Train a cell's (or any) checkpoint sequence unless it is complete (trainOrResume). */
export function ensureTrained(p: Pick<CellPlan, "training" | "dir">, data: () => FashionMnist, onStep?: (step: number, total: number) => void): void {
  trainOrResume(p.training, () => data().train, p.dir, onStep);
}

/** Whether the directory holds the whole sequence (every checkpoint); not whether it is this configuration's. */
export function isTrained(p: Pick<CellPlan, "training" | "dir">): boolean {
  return isComplete(p.training, p.dir);
}
