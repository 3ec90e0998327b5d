/**
 * A training run that records the generator's checkpoint sequence (Song, Fan & Lafferty 2019, Section 4): θ_0, the
 * random initialization before any step, then θ after every `every` generator updates, T = steps/every.
 *
 *   DIR/000000000.safetensors …   the sequence (generators only, batch-norm running statistics included)
 *   DIR/samples/000000040.png …   a sample grid per checkpoint, the same latent draws throughout
 *   DIR/loss.jsonl                one line per step: {"step", losses…}
 *   DIR/state/state.safetensors   what --resume needs (state.ts)
 *
 * At a checkpoint the generator file, the grid and the log lines come first and the state last, so the
 * state never runs ahead of the rest. Resuming starts from the state's step, discards what a killed run
 * wrote after it, and — every draw being derived from the seed and the step — repeats exactly what the
 * uninterrupted run would have done.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { kernels as defaultKernels, type Kernels } from "../kernels/index.js";
import { InputError } from "../errors.js";
import type { ImageSet } from "../data/fashion-mnist.js";
import { CheckpointSequence } from "../nn/files.js";
import { networkToSafetensors } from "../nn/checkpoint.js";
import { acquireLock } from "../lock.js";
import { checkConfig, type TrainConfig } from "./config.js";
import { Gan } from "./gan.js";
import { GRID_SIDE, sampleGrid } from "./grid.js";
import { drawLatent, type Losses, type Procedure } from "./procedure.js";
import { readState, saveState, statePath, STATE_DIR } from "./state.js";
import { Vae } from "./vae.js";

export const SAMPLES_DIR = "samples";
export const LOSS_LOG = "loss.jsonl";

export interface RunOptions {
  /** The run's directory (the checkpoint sequence). */
  out: string;
  /** Continue the run in `out` from its last checkpoint (its stored configuration must match, `steps` aside). */
  resume?: boolean;
  /** Told after every step (progress); may throw to stop the run. */
  onStep?: (step: number, losses: Losses) => void;
  kernels?: Kernels;
}

export interface RunResult {
  out: string;
  config: TrainConfig;
  /** The step the run started from: 0, or the resumed state's. */
  startStep: number;
  /** Steps of all checkpoints now in the sequence. */
  checkpoints: number[];
  /** Steps run by this call, their wall-clock seconds, and generator images per second (steps · batch / s). */
  stepsRun: number;
  seconds: number;
  imagesPerSecond: number;
  /** Losses of the last step run. */
  last: Losses | undefined;
}

export function createProcedure(config: TrainConfig, data: ImageSet, K: Kernels = defaultKernels): Procedure {
  return config.model === "vae" ? new Vae(config, data, K) : new Gan(config, data, K);
}

/**
 * Train a generator (VAE, GAN, WGAN or WGAN-GP) and record its checkpoint sequence θ_0, θ_every, … in `out`:
 * what `surf train` runs. Every draw comes from the configuration's seed, so a run is repeated bit for bit.
 *
 * @example
 * import { loadFashionMnist, makeConfig, train, CheckpointSequence } from "surfing/node";
 * const config = makeConfig({ model: "vae", arch: "mlp", latent: 2, hidden: [8], steps: 2, every: 1 });
 * const result = train(config, loadFashionMnist().train, { out: "runs/vae" });
 * result.checkpoints;   // → [0, 1, 2]
 * CheckpointSequence.open("runs/vae").length;   // → 3
 */
export function train(config: TrainConfig, data: ImageSet, options: RunOptions): RunResult {
  const { out } = options;
  checkConfig(config);
  const release = acquireLock(out, "directory", "`out`");   // two runs appending to one sequence would interleave their steps
  try {
    return trainLocked(config, data, options);
  } finally {
    release();
  }
}

function trainLocked(config: TrainConfig, data: ImageSet, options: RunOptions): RunResult {
  const { out } = options;
  let start = 0;
  const saved = options.resume ? readState(out) : undefined;
  if (saved) {
    sameRun(saved.config, config, out, "leave it out to resume that run");
    if (saved.step > config.steps) throw new InputError(`\`steps\` ${config.steps} is below the step the run in ${out} has reached (${saved.step})`);
  }
  const proc = createProcedure(config, data, options.kernels);
  if (!saved && existsSync(out) && readdirSync(out).some((n) => n.endsWith(".safetensors") || n === STATE_DIR) && !killedAtFirstCheckpoint(out, proc)) {
    proc.free();
    throw new InputError(`${out}: already holds a training run (continue it with \`resume\`, or choose another \`out\`)`);
  }
  try {
    const gridNoise = Array.from({ length: GRID_SIDE * GRID_SIDE }, (_, i) => {
      const z = new Float64Array(config.latent);
      drawLatent(config, z, "grid", i);
      return z;
    });
    const checkpoint = (step: number, lines: string[]): void => {
      CheckpointSequence.write(out, proc.generator, step);
      mkdirSync(join(out, SAMPLES_DIR), { recursive: true });
      writeFileSync(join(out, SAMPLES_DIR, `${stepName(step)}.png`), sampleGrid(proc.generator, gridNoise));
      if (lines.length > 0) appendFileSync(join(out, LOSS_LOG), lines.join(""));
      saveState(out, proc, step);
    };
    if (saved) {
      saved.restore(proc);
      start = saved.step;
      discardAfter(out, start);
    } else {
      if (existsSync(out)) discardAfter(out, 0);   // what a run killed at its first checkpoint left half-written
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, LOSS_LOG), "");
      checkpoint(0, []);
    }
    const began = performance.now();
    let pending: string[] = [], last: Losses | undefined;
    for (let step = start + 1; step <= config.steps; step++) {
      last = proc.step(step);
      for (const [name, v] of Object.entries(last)) {
        if (!Number.isFinite(v)) throw new Error(`step ${step}: the ${name} loss is ${v}: training diverged (the checkpoints up to step ${step - (step % config.every || config.every)} are intact)`);
      }
      pending.push(JSON.stringify({ step, ...last }) + "\n");
      options.onStep?.(step, last);
      if (step % config.every === 0) {
        checkpoint(step, pending);
        pending = [];
      }
    }
    const seconds = (performance.now() - began) / 1000, stepsRun = Math.max(0, config.steps - start);
    return {
      out, config, startStep: start, stepsRun, seconds, last,
      imagesPerSecond: seconds > 0 ? (stepsRun * config.batch) / seconds : 0,
      checkpoints: CheckpointSequence.open(out).steps,
    };
  } finally {
    proc.free();
  }
}

/**
 * The one train-or-resume of every command that needs a generator (`surf reproduce`, `surf demo`, `surf
 * reproduce fig1`): train `config` into `out`; or finish the run stopped there, from its state; or, when
 * the whole sequence is there already, nothing. A sequence or state of another configuration is refused.
 * The state file, not its directory, says whether there is a run to resume: a run killed while writing
 * its first state has a directory and no file, and starts over.
 *
 * @example
 * import { loadFashionMnist, makeConfig, trainOrResume } from "surfing/node";
 * const config = makeConfig({ model: "vae", arch: "mlp", latent: 2, hidden: [8], steps: 2, every: 1 });
 * trainOrResume(config, () => loadFashionMnist().train, "runs/vae");   // trains
 * trainOrResume(config, () => loadFashionMnist().train, "runs/vae");   // nothing to do: the data are not even loaded
 */
export function trainOrResume(config: TrainConfig, data: () => ImageSet, out: string, onStep?: (step: number, total: number) => void): void {
  const resume = existsSync(statePath(out));
  const complete = isComplete(config, out);
  if (complete && resume) sameRun(readState(out).config, config, out, "use another --out for this run");
  if (complete) return;
  train(config, data(), { out, resume, onStep: (step) => onStep?.(step, config.steps) });
}

/** Whether `out` holds every checkpoint of `config`'s sequence; not whether they are this configuration's. */
export function isComplete(config: Pick<TrainConfig, "steps" | "every">, out: string): boolean {
  if (!existsSync(out)) return false;
  try {
    return CheckpointSequence.open(out).length === config.steps / config.every + 1;
  } catch {
    return false; // not yet a sequence: train (resume refuses a directory that holds something else)
  }
}

/**
 * Whether `out` holds only what this run writes at step 0 before its first state — θ_0, byte for byte the
 * generator this configuration initializes, its grid, and at most a half-written state — so a run killed
 * in that window starts over instead of being stuck (with no state there is nothing to resume, and θ_0
 * would block a fresh start).
 */
function killedAtFirstCheckpoint(out: string, proc: Procedure): boolean {
  if (existsSync(statePath(out))) return false;
  const networks = readdirSync(out).filter((n) => n.endsWith(".safetensors"));
  if (networks.length !== 1 || networks[0] !== `${stepName(0)}.safetensors`) return false;
  const path = join(out, networks[0]);
  try {
    return Buffer.from(networkToSafetensors(proc.generator, 0)).equals(readFileSync(path));
  } catch {
    return false;
  }
}

function stepName(step: number): string {
  return String(step).padStart(9, "0");
}

/** A resumed (or reused) run must be the stored one; only the number of steps may grow. `advice` ends the refusal. */
export function sameRun(stored: TrainConfig, given: TrainConfig, out: string, advice: string): void {
  for (const key of Object.keys(stored) as (keyof TrainConfig)[]) {
    if (key === "steps") continue;
    if (JSON.stringify(stored[key]) !== JSON.stringify(given[key])) {
      throw new InputError(`\`${key}\` ${JSON.stringify(given[key])} differs from the run in ${out} (${JSON.stringify(stored[key])}); ${advice}`);
    }
  }
}

/** Remove what a killed run wrote after the state's step: checkpoints, grids, log lines and half-written temporary files. */
function discardAfter(out: string, step: number): void {
  for (const [dir, ext] of [[out, ".safetensors"], [join(out, SAMPLES_DIR), ".png"], [join(out, STATE_DIR), ""]] as const) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const s = ext !== "" && name.endsWith(ext) && /^\d+$/.test(name.slice(0, -ext.length)) ? Number(name.slice(0, -ext.length)) : -1;
      if (s > step || /\.tmp-\d+$/.test(name)) rmSync(join(dir, name));
    }
  }
  const log = join(out, LOSS_LOG);
  const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.trim() !== "") : [];
  const stepOf = (line: string): number => {
    try {
      return (JSON.parse(line) as { step: number }).step;
    } catch {
      return Infinity;   // a line cut short by the kill
    }
  };
  writeFileSync(log, lines.filter((l) => stepOf(l) <= step).map((l) => l + "\n").join(""));
}
