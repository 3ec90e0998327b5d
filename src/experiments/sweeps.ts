/**
 * The paper's experiments as sweeps of cells (seed 000 §4, seed 001 §4), full and --quick:
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
import { existsSync } from "node:fs";
import type { FashionMnist } from "../data/fashion-mnist.js";
import { PIXELS } from "../data/fashion-mnist.js";
import { DEFAULT_WIDTH, makeConfig, type TrainConfig } from "../train/config.js";
import type { ModelKind } from "../train/hyperparameters.js";
import { sameRun, train } from "../train/run.js";
import { readState, STATE_DIR } from "../train/state.js";
import { CheckpointSequence } from "../nn/files.js";
import { InputError } from "../errors.js";
import type { Cell, Stage } from "./cell.js";

export const SWEEPS = ["table1", "fig2", "fig3", "fig4", "fig5"] as const;
export type SweepName = (typeof SWEEPS)[number];

export interface SweepScale {
  arch: "dcgan" | "mlp";
  width: number;
  hidden: number[];
  /** Training steps and checkpoint spacing of table1's and of fig3/fig4's sequences. */
  steps: number;
  every: number;
  csSteps: number;
  csEvery: number;
  trials: number;
  csTrials: number;
  restarts: number[];
  maxSteps: number;
  ks: number[];
  ms: number[];
  models: ModelKind[];
  csModels: ModelKind[];
  batch: number;
}

export const FULL: SweepScale = {
  arch: "dcgan", width: DEFAULT_WIDTH, hidden: [], steps: 4000, every: 40, csSteps: 10000, csEvery: 100,
  trials: 300, csTrials: 200, restarts: [1, 2, 4, 8], maxSteps: 20000, ks: [5, 10, 20],
  ms: [10, 20, 30, 40, 50, 70, 100, 200, 400], models: ["vae", "gan", "wgan", "wgan-gp"], csModels: ["gan", "wgan"], batch: 64,
};

export const QUICK: SweepScale = {
  arch: "mlp", width: 1, hidden: [16, 32], steps: 40, every: 10, csSteps: 40, csEvery: 10,
  trials: 4, csTrials: 4, restarts: [1, 2], maxSteps: 300, ks: [5, 10, 20],
  ms: [10, 50], models: ["vae", "gan", "wgan", "wgan-gp"], csModels: ["gan", "wgan"], batch: 16,
};

/** What a cell needs trained before it runs. */
export interface CellPlan {
  cell: Cell;
  training: TrainConfig;
  dir: string;
  /** Trials of this cell (fig3/fig4 use fewer than table1). */
  trials: number;
}

/** The cells of a sweep, in a fixed order (shards slice this list). */
export function plan(name: SweepName, scale: SweepScale, out: string, seed: string, data: () => FashionMnist): CellPlan[] {
  const config = (model: ModelKind, latent: number, steps: number, every: number) =>
    makeConfig({ model, arch: scale.arch, latent, width: scale.width, hidden: scale.hidden.length > 0 ? scale.hidden : undefined, steps, every, batch: scale.batch, seed: `${seed}/${model}/k${latent}` });
  const sequence = (training: TrainConfig) => join(out, "checkpoints", `${training.model}-k${training.latent}-every${training.every}`);
  const stages: Stage[] = ["regular", "surf", ...scale.restarts.map((r) => `restarts-${r}` as Stage)];
  if (name === "table1" || name === "fig2" || name === "fig5") {
    return scale.models.flatMap((model) => scale.ks.map((k) => {
      const training = config(model, k, scale.steps, scale.every), dir = sequence(training);
      const cell: Cell = { id: `table1/${model}/k${k}`, source: { kind: "path", path: dir }, measurement: { kind: "identity" }, targets: { kind: "synthetic" }, stages };
      return { cell, training, dir, trials: scale.trials };
    }));
  }
  return scale.csModels.flatMap((model) => scale.ms.map((m) => {
    const training = config(model, 20, scale.csSteps, scale.csEvery), dir = sequence(training);
    const targets = name === "fig3" ? { kind: "synthetic" as const } : { kind: "signal" as const, y: heldOutImages(data(), scale.csTrials) };
    const cell: Cell = { id: `${name}/${model}/m${m}`, source: { kind: "path", path: dir }, measurement: { kind: "gaussian", m }, targets, stages: ["regular", "surf"] };
    return { cell, training, dir, trials: scale.csTrials };
  }));
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

/**
 * Train a cell's (or any) checkpoint sequence unless it is complete; resumes a partial one. A complete one
 * is used only if its stored configuration is the cell's (another seed or scale in the same --out is refused).
 */
export function ensureTrained(p: Pick<CellPlan, "training" | "dir">, data: () => FashionMnist, onStep?: (step: number, total: number) => void): void {
  const resume = existsSync(join(p.dir, STATE_DIR));
  if (isTrained(p) && resume) sameRun(readState(p.dir).config, p.training, p.dir, "use another --out for this run");
  if (isTrained(p)) return;
  train(p.training, data().train, { out: p.dir, resume, onStep: (s) => onStep?.(s, p.training.steps) });
}

/** Whether the directory holds the whole sequence (every checkpoint); not whether it is this configuration's. */
export function isTrained(p: Pick<CellPlan, "training" | "dir">): boolean {
  if (!existsSync(p.dir)) return false;
  try {
    return CheckpointSequence.open(p.dir).length === p.training.steps / p.training.every + 1;
  } catch {
    return false; // not yet a sequence: train (resume refuses a directory that holds something else)
  }
}
