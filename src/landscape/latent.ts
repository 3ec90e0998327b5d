/**
 * Landscapes in latent space: the surface x ↦ f_θ(x) = ½‖G_θ(x) − y‖² of a generator (Song, Fan & Lafferty 2019, eq. 1.1) as a
 * Loss for Dynamic String Sampling, and DSS along a training run — for each checkpoint θ_t, pairs of points
 * trained from different random starts down into a sublevel set of f_θt and connected by DSS in x. Normalized
 * length and bead count against t measure Song, Fan & Lafferty 2019's premise that f_θ0 is "nice" and the surface grows wavy
 * as training proceeds (its Figure 1).
 *
 * The level. f_θt has a positive minimum f*_t (y is rarely in the range of G) that moves during training, so
 * DSS runs on the excess F_t(x) = f_θt(x) − f*_t, at the level L0_t = λ·(f̄_t − f*_t): the lowest fraction λ of
 * the surface's range between its typical value f̄_t (the mean of f_θt over the random starts) and f*_t (the
 * least f reached by Adam from those starts, src/surf's "regular" descent within a step budget). Every start is
 * trained with Adam to α·L0_t like the beads (Algorithm 1 lines 2–3); the pairs are consecutive ones among
 * those that got there. The starts are uniform on a box [−L, L]^k, the same at every checkpoint.
 */
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import { Identity } from "../objective/measurement.js";
import { Objective } from "../objective/objective.js";
import { Rng, type Seed } from "../random/rng.js";
import { run, type NetworkSequence } from "../surf/surf.js";
import { checkDssOptions, connect, DSS_SUMMARY_FORM, SPREAD_FORM, statistics, summarize, type DssOptions, type DssSummary, type RunStatistics } from "./dss.js";
import type { ResultStore } from "../store.js";
import { concat, type Loss } from "./loss.js";
import { checkTrainOptions, trainBelow, type TrainOptions } from "./train.js";
import type { Form } from "../form.js";

/** Points per pass of the network (grids and interpolation checks are taken in chunks of this many). */
export const LATENT_BATCH = 256;

/** x ↦ f_θ(x) − shift for a float64 network θ and target y; batched evaluations run through src/objective. */
export class LatentLoss implements Loss {
  readonly dimension: number;
  private readonly objective: Objective;

  constructor(readonly net: Network, y: ArrayLike<number>, readonly shift = 0, readonly batch = LATENT_BATCH) {
    if (net.dtype !== "f64") throw new InputError("latent landscape: load the network in float64 ({ dtype: \"f64\" }): DSS compares small excesses of f with the level");
    if (y.length !== net.outputSize) throw new InputError(`latent landscape: the target has ${y.length} values, the network outputs ${net.outputSize}`);
    if (!Number.isFinite(shift)) throw new InputError(`latent landscape: the shift must be finite, got ${shift}`);
    this.dimension = net.inputSize;
    this.objective = new Objective(net.program(batch), new Identity(net.kernels, "f64", net.outputSize), Float64Array.from(y));
  }

  value(x: Float64Array): number {
    return this.values(x, 1)[0];
  }

  valueAndGradient(x: Float64Array, grad: Float64Array): number {
    const { program } = this.objective;
    program.setInput(x.subarray(0, this.dimension));
    const f = this.objective.evaluate(1, true)[0];
    grad.set(program.view(program.gradInput, this.dimension));
    return f - this.shift;
  }

  values(points: Float64Array, count: number): Float64Array {
    const { program } = this.objective, k = this.dimension, out = new Float64Array(count);
    if (points.length < count * k) throw new InputError(`latent landscape: ${points.length} values are fewer than ${count} points of R^${k}`);
    for (let at = 0; at < count; at += this.batch) {
      const rows = Math.min(this.batch, count - at);
      program.setInput(points.subarray(at * k, (at + rows) * k));
      const f = this.objective.evaluate(rows, false);
      for (let r = 0; r < rows; r++) out[at + r] = f[r] - this.shift;
    }
    return out;
  }

  free(): void {
    this.objective.free();
  }
}

/** The random starts x_j ~ U[−box, box]^k, j = 0..count−1, each from its own stream. */
export function latentStarts(seed: Seed, k: number, count: number, box: number): Float64Array[] {
  return Array.from({ length: count }, (_, j) => {
    const rng = Rng.derive(seed, "latent-start", j);
    return Float64Array.from({ length: k }, () => rng.uniformIn(-box, box));
  });
}

/**
 * Defaults of the latent-space runs. λ = 0.2: the lowest fifth of the range between f̄ and f*. Adam in x with
 * src/surf's step size 0.01 (DEFAULTS in src/optim/optimizer.ts). f* is the least f reached within 1,000 steps:
 * Adam does not settle on a minimum that sits on a kink of f (it stays within about lr of it), and f* only sets
 * the scale of the level. Beads and endpoints get 5,000 steps each, enough to cross [−4, 4] at that step size.
 * Eight starts make the four pairs; they are drawn from [−2, 2]^k — two standard deviations of the VAE's N(0, I)
 * prior, inside Figure 1's [−4, 4]² — so that the pairs' ends land on different sides of the sublevel set
 * (starts from Song, Fan & Lafferty 2019's x_init box [−1, 1]^k end up close together, and their segment says little).
 */
export const LATENT_DEFAULTS = {
  level: 0.2,
  pairs: 4,
  starts: 8,
  box: 2,
  minimize: { lr: 0.01, maxSteps: 1000 },
  beads: { lr: 0.01, maxSteps: 5000 },
  endpoints: { lr: 0.01, maxSteps: 5000 },
} as const;

export interface LatentDssOptions {
  /** The target signal y. */
  y: ArrayLike<number>;
  seed: Seed;
  pairs: number;
  /** λ ∈ (0, 1]: L0_t = λ·(f̄_t − f*_t). */
  level: number;
  /** Random starts, for f*_t and for the pairs' endpoints (at least 2·pairs). */
  starts: number;
  /** The starts are uniform on [−box, box]^k. */
  box: number;
  /** Adam from each start, for f*_t (src/surf's regular descent, to convergence or maxSteps). */
  minimize: { lr: number; maxSteps: number };
  dss: Omit<DssOptions, "level" | "onBead">;
  endpoints: TrainOptions;
  journal?: ResultStore;
  onCheckpoint?: (done: number, total: number) => void;
}

export interface LatentPair {
  /** The indices of its two starts. */
  starts: [number, number];
  dss: DssSummary;
}

/** The form of a CheckpointRecord read back from the journal. */
const CHECKPOINT_FORM: Form = {
  t: "number", step: "number", fMean: "number", fStar: "number", L0: "number", startsBelow: "number",
  runs: "number", connected: "number", unconverged: "number", normalizedLength: SPREAD_FORM, beads: SPREAD_FORM, depth: SPREAD_FORM,
  pairs: [{ starts: ["number"], dss: DSS_SUMMARY_FORM }],
};

export interface CheckpointRecord extends RunStatistics {
  t: number;
  /** The training step of θ_t. */
  step: number;
  /** f̄_t, f*_t and the level L0_t (of the excess f − f*_t). */
  fMean: number;
  fStar: number;
  L0: number;
  /**
   * Starts whose descent reached α·L0_t within its budget (the others stopped above the level, in a local
   * minimum of f_θt or on a plateau: a count that itself grows as the surface grows wavy). Pairs are taken
   * from these, so fewer than `pairs` are measured when fewer than 2·pairs reached the level.
   */
  startsBelow: number;
  pairs: LatentPair[];
}

/** DSS in x at each checkpoint θ_t (networks loaded in float64 by `load`); `steps[t]` is θ_t's training step. */
export function latentDss(sequence: NetworkSequence, steps: readonly number[], options: LatentDssOptions): CheckpointRecord[] {
  const { pairs, level, starts: startCount } = options;
  if (!(Number.isSafeInteger(pairs) && pairs >= 1)) throw new InputError(`latent DSS: pairs must be a positive integer, got ${pairs}`);
  if (!(level > 0 && level <= 1)) throw new InputError(`latent DSS: the level λ (a fraction of f̄ − f*) must be in (0, 1], got ${level}`);
  if (!(Number.isSafeInteger(startCount) && startCount >= 2 * pairs)) throw new InputError(`latent DSS: need at least 2·pairs = ${2 * pairs} starts, got ${startCount}`);
  if (!(options.box > 0 && Number.isFinite(options.box))) throw new InputError(`latent DSS: the box of the starts must be a positive half-width, got ${options.box}`);
  if (steps.length !== sequence.length) throw new InputError(`latent DSS: ${steps.length} steps for ${sequence.length} checkpoints`);
  checkTrainOptions(options.endpoints, "latent DSS endpoint training");
  checkTrainOptions(options.minimize, "latent DSS minimization");
  const { alpha } = checkDssOptions({ ...options.dss, level: 1 });   // α (and the settings' validity) before any work
  const records: CheckpointRecord[] = [];
  for (let t = 0; t < sequence.length; t++) {
    const compute = (): CheckpointRecord => {
      const net = sequence.load(t);
      try {
        const starts = latentStarts(options.seed, net.inputSize, startCount, options.box);
        const fStar = leastMinimum(net, options.y, starts, options);
        const shifted = new LatentLoss(net, options.y, fStar);
        try {
          const atStarts = shifted.values(concat(starts), starts.length);
          const fMean = fStar + atStarts.reduce((a, b) => a + b, 0) / starts.length;
          const L0 = level * (fMean - fStar);
          if (!(L0 > 0)) throw new InputError(`latent DSS: checkpoint ${t} has a flat surface (f̄ = f* = ${fStar}); no level to measure`);
          // Algorithm 1 lines 2–3 for every start; the pairs are taken in order from those that reached the level
          const ends = starts.map((x) => x.slice());
          const trained = ends.map((x) => trainBelow(shifted, x, alpha * L0, options.endpoints));
          const below = trained.flatMap((r, j) => (r.reached ? [j] : []));
          const runs: LatentPair[] = [];
          for (let p = 0; p < pairs && 2 * p + 1 < below.length; p++) {
            const [i, j] = [below[2 * p], below[2 * p + 1]];
            runs.push({ starts: [i, j], dss: summarize(connect(shifted, ends[i], ends[j], { ...options.dss, level: L0 })) });
          }
          return { t, step: steps[t], fMean, fStar, L0, startsBelow: below.length, ...statistics(runs.map((r) => r.dss)), pairs: runs };
        } finally {
          shifted.free();
        }
      } finally {
        net.free();
      }
    };
    records.push(options.journal ? options.journal.getOrCompute(String(t), compute, CHECKPOINT_FORM) : compute());
    options.onCheckpoint?.(t + 1, sequence.length);
  }
  return records;
}

/** The least f_θ reached by Adam from each start within its budget (Song, Fan & Lafferty 2019's "regular Adam"). */
function leastMinimum(net: Network, y: ArrayLike<number>, starts: Float64Array[], options: LatentDssOptions): number {
  const results = run({ length: 1, load: () => net.clone() }, { kind: "regular" }, starts.map((_, j) => j), {
    seed: options.seed,
    targets: { kind: "signal", y: [Array.from(y)] },
    measurement: { kind: "identity" },
    optimizer: { kind: "adam", lr: options.minimize.lr },
    maxSteps: options.minimize.maxSteps,
    start: starts.map((x) => Array.from(x)),
    batch: starts.length,
  });
  const reached = results.map((r) => r.f).filter(Number.isFinite);
  if (reached.length === 0) throw new InputError("latent DSS: every descent diverged (no f* to measure the level from)");
  return Math.min(...reached);
}
