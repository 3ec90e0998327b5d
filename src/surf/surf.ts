/**
 * Surfing (Song, Fan & Lafferty 2019, Algorithm 3.1) and its baselines over a batch of trials.
 *
 *   surf       x_{−1} = x_init; for t = 0..T descend on f_{θ_t} from x_{t−1}, within the schedule's budget for t
 *   regular    the optimizer on f_{θ_T} alone from x_init, to convergence (the paper's "regular Adam")
 *   restarts   best, by f, of R descents on f_{θ_T} from fresh starts, sharing each trial's budget (the total
 *              steps surfing used on that trial): the comparison at equal compute the paper's reviewers asked for
 *   restart-until   descents on f_{θ_T} from x_init, then from fresh starts, each to convergence, until one ends
 *              with f < τ or the trial's budget is spent; the best by f (what a practitioner runs instead)
 *   adam-then-surf  regular Adam on θ_T within the trial's budget; where it ends with f ≥ τ, surfing from x_init
 *              with the steps left; the better of the two by f (the hybrid a practitioner would build)
 *   certify, surf-projected   the exact methods of src/geometry, per trial (exact.ts)
 *
 * Trial i's randomness (x*, x_init, restart starts, observation noise) comes from Rng.derive(seed, "trial", i)
 * alone, and descent never mixes rows, so a trial's result is the same in any batch and on any worker.
 */
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import { Objective } from "../objective/objective.js";
import { measurementFromSpec, observe, type Measurement } from "../objective/measurement.js";
import { createOptimizer, type OptimizerOptions } from "../optim/optimizer.js";
import { Rng, type Seed } from "../random/rng.js";
import { descend, SUCCESS_RADIUS, type DescentOptions, type PathStep, type TrialState } from "./descent.js";
import { distance, norm } from "../tensor/vector.js";
import { stepBudgets, type Schedule } from "./schedule.js";
import type { ExactMethod, ExactOutcome, ExactSolver } from "./exact.js";

/** θ_0..θ_T, loaded one at a time (the caller's sequence frees nothing; surf frees what it loads). */
export interface NetworkSequence {
  readonly length: number;
  load(t: number): Network;
}

/** Where the targets come from: x* ~ U[−1, 1]^k with y = G_{θ_T}(x*) (the paper's), given x*, or given y. */
export type Targets =
  | { kind: "synthetic" }
  | { kind: "latent"; xStar: number[][] }
  | { kind: "signal"; y: number[][] };

/** The measurement A (one for the run; a Gaussian A or a subsample drawn from its seed). */
export type MeasurementChoice =
  | { kind: "identity" }
  | { kind: "gaussian"; m: number }
  /** Inpainting: observe the listed pixels, or every pixel outside the rectangle hide = [x, y, width, height]. */
  | { kind: "inpaint"; keep?: number[]; hide?: [number, number, number, number] }
  /** Super-resolution: average pooling by `factor` of the (channels ×) height × width image G outputs. */
  | { kind: "superres"; factor: number }
  /** m of the n pixels, chosen from the run's seed. */
  | { kind: "subsample"; m: number }
  /** Any m × n matrix, row-major. */
  | { kind: "matrix"; m: number; values: number[] };

export type Method =
  /** `networks`: the checkpoints surfed, θ_from, θ_{from+every}, … and θ_T (default from 0, every 1) — the ablations' subsets. */
  | { kind: "surf"; schedule: Schedule; networks?: { from?: number; every?: number } }
  | { kind: "regular" }
  | { kind: "restarts"; restarts: number; budgets: Record<number, number> }
  /** `until`: the τ of f < τ that ends the restarts (default foundThreshold(m)). */
  | { kind: "restart-until"; budgets: Record<number, number>; until?: number }
  /** `schedule`: surfing's networks θ_0..θ_{T−1} when it runs (each cut to the steps left); `until` as above. */
  | { kind: "adam-then-surf"; budgets: Record<number, number>; schedule: Schedule; until?: number }
  | ExactMethod;

/**
 * The RMS residual over the m measurements, √(2f/m), below which restart-until and adam-then-surf take a
 * descent to have found the target: f < ½·m·FOUND_RMS². On the 12 cells of our Table 1 (width ¼, 3,600
 * regular-Adam and 3,600 surfing trials) every success ended with f ≤ 0.016 and all but one failure with f ≥ 0.22; at
 * m = 784 pixels the threshold is f < 0.039.
 */
export const FOUND_RMS = 0.01;

/**
 * τ for m measurements: f < τ ⇔ √(2f/m) < FOUND_RMS; with noise of standard deviation σ on each
 * observation, f at the truth is ½‖σε‖², ½·m·σ² on average, and τ grows by that: ½·m·(FOUND_RMS² + σ²).
 *
 * @example
 * foundThreshold(784);   // 0.0392
 * foundThreshold(50, 0.05);   // 0.065
 */
export function foundThreshold(m: number, noise = 0): number {
  return 0.5 * m * (FOUND_RMS ** 2 + noise ** 2);
}

export interface RunOptions {
  seed: Seed;
  targets: Targets;
  measurement: MeasurementChoice;
  /** Standard deviation of Gaussian noise added to each observation A·y. */
  noise?: number;
  optimizer: OptimizerOptions;
  /** Cap on the steps of a descent run to convergence. */
  maxSteps: number;
  /** x_init: uniform on [−1, 1]^k (the paper's experiments), 0 (Algorithm 3.1's x_{−1} = 0), or given (one for all, or per trial). */
  start: "uniform" | "zero" | number[][];
  /** Rows per batch (the trials of a run are processed this many at a time). */
  batch: number;
  /** The hv baseline's sign flip (Huang, Hand, Heckel & Voroninski 2018) in every descent. */
  signFlip?: boolean;
  /** Progress, a fraction in [0, 1]: networks done (surfing) or trials finished, after every step. */
  onProgress?: (fraction: number) => void;
  /** Cancels the run: checked after every step (and the pool stops its workers); the run rejects with its reason. */
  signal?: AbortSignal;
  /**
   * Every point a trial's descent visits, in order: the start on each network, then one per step; `t` is the
   * network (T for the baselines). For drawing paths; in this thread only (runParallel refuses it with workers).
   * x is the trial's own buffer, overwritten by the next step: copy what you keep.
   */
  onPoint?: (index: number, t: number, x: Float64Array) => void;
}

export interface TrialResult {
  index: number;
  /** The start (surf-projected: the certified minimizer of f_θ0; empty for certify, which has none). */
  xInit: number[];
  xStar: number[] | null;
  xHat: number[];
  f: number;
  distToXStar: number | null;
  success: boolean | null;
  /** Gradient steps (evaluations of f and ∇f that moved x) over all networks. */
  steps: number;
  stepsToSuccess: number | null;
  /** Extra evaluations of f alone (line searches, sign-flip tests). */
  evaluations: number;
  converged: boolean;
  diverged: boolean;
  /** √(‖G_{θ_T}(x̂) − y‖² / n), y the true signal. */
  pixelError: number;
  /** Surfing's (and surf-projected's) steps, f and ‖x‖ at each network, in order. */
  path: PathStep[];
  /** certify: the regions of G_θT in the box, the per-region QPs solved, and whether the minimizer is unique. */
  certificate?: { regions: number; solved: number; unique: boolean };
}

interface Trial {
  state: TrialState;
  xInit: Float64Array;
  signal: Float64Array;
  observation: Float64Array;
}

/**
 * Run `method` on the trials `indices`; results in the order of `indices`. The exact methods need `solveExact` (exact.ts; the pool passes it).
 *
 * @example
 * import { run, openSequence, networkToSafetensors, randomNetwork } from "surfing";
 * // three networks standing in for θ_0, θ_1, θ_2 of a training run
 * const files = [0, 1, 2].map((t) => networkToSafetensors(randomNetwork("surf", [2, 8, 5], `θ${t}`), t));
 * const results = run(openSequence({ kind: "bytes", files }), { kind: "surf", schedule: { kind: "converge" } }, [0, 1], {
 *   seed: "0", targets: { kind: "synthetic" }, measurement: { kind: "identity" }, optimizer: { kind: "adam" },
 *   maxSteps: 1000, start: "uniform", batch: 2,
 * });
 * results.map((r) => r.index);   // → [0, 1]
 * results[0].path.length;   // → 3
 */
export function run(sequence: NetworkSequence, method: Method, indices: readonly number[], options: RunOptions, solveExact?: ExactSolver): TrialResult[] {
  validate(sequence, indices, options);
  const T = sequence.length - 1;
  const final = sequence.load(T);
  try {
    const A = measurementFor(final, options);
    try {
      const trials = indices.map((i) => makeTrial(final, A, i, options));
      let paths: TrialResult["path"][] = trials.map(() => []);
      const certificates: ExactOutcome["certificate"][] = [];
      const report = (share: number) => {
        options.signal?.throwIfAborted();
        options.onProgress?.(share);
      };
      if (method.kind === "certify" || method.kind === "surf-projected") {
        if (!solveExact) throw new InputError(`surf: ${method.kind} is solved by src/surf/exact.ts: run it through runParallel, or pass solveExact`);
        paths = trials.map((tr, i) => {
          const outcome = solveExact(sequence, final, A, tr.state, tr.observation, method, options.seed, (share) => report((i + share) / trials.length));
          tr.xInit = outcome.start;
          certificates[i] = outcome.certificate;
          return outcome.path;
        });
      } else if (method.kind === "surf") {
        const visited = subsequence(sequence, final, method.networks);
        const budgets = stepBudgets(method.schedule, visited.length, options.maxSteps);
        surfAll(visited, final, A, trials, paths, (t) => budgets[t], options, report);
      } else if (method.kind === "regular") {
        descendAll(final, A, trials, options, { budget: options.maxSteps, untilConverged: true, monitorSuccess: true, onPoint: pointsOn(T, options) },
          (finished) => report(finished / trials.length));
      } else if (method.kind === "restarts") {
        restarts(final, T, A, trials, method, options, report);
      } else if (method.kind === "restart-until") {
        restartUntil(final, T, A, trials, method, options, report);
      } else {
        adamThenSurf(sequence, final, A, trials, paths, method, options, report);
      }
      return finish(final, trials, paths, certificates);
    } finally {
      A.free();
    }
  } finally {
    final.free();
  }
}

function validate(sequence: NetworkSequence, indices: readonly number[], options: RunOptions): void {
  if (sequence.length < 1) throw new InputError("surf: the network sequence is empty");
  if (!(Number.isSafeInteger(options.batch) && options.batch >= 1)) throw new InputError(`surf: batch must be a positive integer, got ${options.batch}`);
  if (!(Number.isSafeInteger(options.maxSteps) && options.maxSteps >= 1)) throw new InputError(`surf: max steps must be a positive integer, got ${options.maxSteps}`);
  if (!(options.noise === undefined || (options.noise >= 0 && Number.isFinite(options.noise)))) throw new InputError(`surf: noise must be ≥ 0, got ${options.noise}`);
  for (const i of indices) if (!(Number.isSafeInteger(i) && i >= 0)) throw new InputError(`surf: trial indices must be integers ≥ 0, got ${i}`);
}

/**
 * The run's measurement operator for generator `final` (its output size n, and its image shape for inpainting
 * and super-resolution), from the run's choice; the caller frees it.
 *
 * @example
 * measurementFor(net, { ...options, measurement: { kind: "superres", factor: 2 } }).m;   // n / 4
 */
export function measurementFor(final: Network, options: Pick<RunOptions, "measurement" | "seed">): Measurement {
  const n = final.outputSize, choice = options.measurement, seed = `${options.seed}/measurement`;
  switch (choice.kind) {
    case "identity":
      return measurementFromSpec(final.kernels, final.dtype, { kind: "identity", n });
    case "gaussian":
      if (!(Number.isSafeInteger(choice.m) && choice.m >= 1)) throw new InputError(`\`measurement\` gaussian:M needs a positive integer M, got ${choice.m}`);
      return measurementFromSpec(final.kernels, final.dtype, { kind: "gaussian", m: choice.m, n, seed });
    case "inpaint":
      return measurementFromSpec(final.kernels, final.dtype, { kind: "inpaint", n, keep: choice.keep ?? outsideRectangle(imageShape(final), choice.hide!) });
    case "superres":
      return measurementFromSpec(final.kernels, final.dtype, { kind: "superres", shape: imageShape(final), factor: choice.factor });
    case "subsample":
      return measurementFromSpec(final.kernels, final.dtype, { kind: "inpaint", n, keep: subsample(n, choice.m, seed) });
    case "matrix":
      if (choice.values.length !== choice.m * n) throw new InputError(`\`measurement\` matrix: ${choice.m} rows of ${choice.values.length / choice.m} values, the network outputs n = ${n} (the matrix must be m × ${n})`);
      return measurementFromSpec(final.kernels, final.dtype, { kind: "dense", m: choice.m, n }, choice.values);
  }
}

/** The image G outputs as channels × height × width: its 3-D output shape, or a square of n values (1 × √n × √n). */
function imageShape(final: Network): [number, number, number] {
  const shape = final.outputShape;
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  const side = Math.round(Math.sqrt(final.outputSize));
  if (shape.length === 1 && side * side === final.outputSize) return [1, side, side];
  throw new InputError(`the measurement needs an image: the network outputs shape [${shape}], neither channels × height × width nor a square`);
}

/** The pixels (every channel) outside the rectangle [x, x + w) × [y, y + h) of a c × H × W image. */
function outsideRectangle([c, H, W]: [number, number, number], [x, y, w, h]: [number, number, number, number]): number[] {
  if (![x, y, w, h].every((v) => Number.isSafeInteger(v) && v >= 0) || w < 1 || h < 1 || x + w > W || y + h > H) {
    throw new InputError(`\`measurement\` inpaint:rect:${x},${y},${w},${h}: the rectangle must lie inside the ${W}×${H} image`);
  }
  const keep: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < H; r++) for (let col = 0; col < W; col++) if (!(col >= x && col < x + w && r >= y && r < y + h)) keep.push((ch * H + r) * W + col);
  }
  return keep;
}

/** m of n pixel indices, in increasing order, from a Fisher–Yates shuffle drawn from the seed. */
function subsample(n: number, m: number, seed: string): number[] {
  if (!(Number.isSafeInteger(m) && m >= 1 && m <= n)) throw new InputError(`\`measurement\` subsample:M needs 1 ≤ M ≤ n = ${n}, got ${m}`);
  const order = Array.from({ length: n }, (_, i) => i), rng = Rng.derive(seed, "subsample");
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, m).sort((a, b) => a - b);
}

/** Trial i: x* and x_init ~ U[−1, 1]^k from its own stream, its signal y and observation A·y (+ noise). */
function makeTrial(final: Network, A: Measurement, index: number, options: RunOptions): Trial {
  const k = final.inputSize, n = final.outputSize, { targets } = options;
  const rng = Rng.derive(options.seed, "trial", index);
  const uniform = () => Float64Array.from({ length: k }, () => rng.uniformIn(-1, 1));
  let xStar: Float64Array | undefined = targets.kind === "synthetic" ? uniform() : undefined;
  const xInit = options.start === "uniform" ? uniform() : options.start === "zero" ? new Float64Array(k) : Float64Array.from(pick(options.start, index, k, "x_init"));
  if (targets.kind === "latent") xStar = Float64Array.from(pick(targets.xStar, index, k, "x*"));
  const signal = targets.kind === "signal" ? Float64Array.from(pick(targets.y, index, n, "target")) : Float64Array.from(final.forward([xStar!])[0]);
  const observation = observe(A, [signal], options.noise ?? 0, `${options.seed}/trial/${index}/noise`)[0];
  const state: TrialState = {
    index, x: xInit.slice(), f: NaN, steps: 0, evaluations: 0, diverged: false, converged: false, stepsToSuccess: undefined, xStar,
  };
  return { state, xInit, signal, observation };
}

/** One given vector for all trials, or one per trial. */
function pick(list: number[][], index: number, length: number, what: string): number[] {
  const v = list.length === 1 ? list[0] : list[index];
  if (v === undefined) throw new InputError(`${what}: ${list.length} given, but trial ${index} needs one (give one for all trials, or one per trial)`);
  if (v.length !== length) throw new InputError(`${what}: has ${v.length} values, the network needs ${length}`);
  if (v.some((x) => !Number.isFinite(x))) throw new InputError(`${what}: values must be finite numbers`);
  return v;
}

/** The descent's onPoint for network t, from the run's. */
function pointsOn(t: number, options: RunOptions): DescentOptions["onPoint"] {
  const { onPoint } = options;
  return onPoint && ((trial) => onPoint(trial.index, t, trial.x));
}

/**
 * Algorithm 3.1 for `trials` from their current x: descend on θ_0, θ_1, …, θ_T in turn, at most budget(t)
 * steps on θ_t (one for all trials, or per trial), each to convergence; a step of paths[i] per network.
 */
function surfAll(sequence: NetworkSequence, final: Network, A: Measurement, trials: Trial[], paths: PathStep[][], budget: (t: number) => DescentOptions["budget"],
                 options: RunOptions, report: (fraction: number) => void): void {
  const T = sequence.length - 1;
  for (let t = 0; t <= T; t++) {
    const net = t === T ? final : sequence.load(t);
    try {
      const live = trials.filter((tr) => !tr.state.diverged);
      const before = live.map((tr) => tr.state.steps);
      descendAll(net, A, live, options, { budget: budget(t), untilConverged: true, monitorSuccess: t === T, onPoint: pointsOn(t, options) },
        (finished) => report((t + finished / Math.max(1, live.length)) / (T + 1)));
      live.forEach((tr, j) => paths[trials.indexOf(tr)].push({ steps: tr.state.steps - before[j], f: tr.state.f, norm: norm(tr.state.x) }));
    } finally {
      if (t !== T) net.free();
    }
  }
}

/** θ_from, θ_{from+every}, … (below T) and θ_T of a sequence, as a sequence of their own whose last is `final`. */
function subsequence(sequence: NetworkSequence, final: Network, networks: { from?: number; every?: number } = {}): NetworkSequence {
  const T = sequence.length - 1, { from = 0, every = 1 } = networks;
  if (!(Number.isSafeInteger(from) && from >= 0 && from <= T)) throw new InputError(`surf: the first network surfed must be one of 0 … ${T}, got ${from}`);
  if (!(Number.isSafeInteger(every) && every >= 1)) throw new InputError(`surf: every must be a positive integer, got ${every}`);
  if (from === 0 && every === 1) return sequence;
  const visited: number[] = [];
  for (let t = from; t < T; t += every) visited.push(t);
  visited.push(T);
  return { length: visited.length, load: (i) => (i === visited.length - 1 ? final : sequence.load(visited[i])) };
}

/** Descend every trial on `net`, `options.batch` rows at a time; `finished(count)` after every step. */
function descendAll(net: Network, A: Measurement, trials: Trial[], options: RunOptions,
                    descent: Pick<DescentOptions, "budget" | "untilConverged" | "monitorSuccess" | "onPoint">,
                    finished: (count: number) => void): void {
  for (let first = 0; first < trials.length; first += options.batch) {
    const chunk = trials.slice(first, first + options.batch);
    const objective = new Objective(net.program(chunk.length), A, chunk.map((t) => t.observation));
    const optimizer = createOptimizer(objective, options.optimizer);
    try {
      descend(objective, optimizer, chunk.map((t) => t.state), { ...descent, signFlip: options.signFlip, onStep: (running) => finished(first + chunk.length - running) });
    } finally {
      optimizer.free();
      objective.free();
    }
  }
}

/**
 * Best of R descents on θ_T, sharing trial i's budget B_i: restart j starts at x_init (j = 0) or at a fresh
 * U[−1, 1]^k point from the trial's stream, and runs to convergence or ⌊B_i / R⌋ steps.
 */
function restarts(final: Network, T: number, A: Measurement, trials: Trial[], method: Extract<Method, { kind: "restarts" }>, options: RunOptions,
                  report: (fraction: number) => void): void {
  const R = method.restarts;
  if (!(Number.isSafeInteger(R) && R >= 1)) throw new InputError(`restarts: R must be a positive integer, got ${R}`);
  const k = final.inputSize;
  const share = (t: TrialState) => {
    const b = method.budgets[t.index];
    if (!(Number.isSafeInteger(b) && b >= 0)) throw new InputError(`restarts: no step budget for trial ${t.index}`);
    return Math.max(1, Math.floor(b / R));
  };
  const best: TrialState[] = trials.map((tr) => ({ ...tr.state, x: tr.state.x.slice() }));
  const spent = trials.map(() => ({ steps: 0, evaluations: 0, toSuccess: undefined as number | undefined }));
  for (let j = 0; j < R; j++) {
    const runs = trials.map((tr, i) => {
      const rng = Rng.derive(options.seed, "trial", tr.state.index, "restart", j);
      const x = j === 0 ? tr.xInit.slice() : Float64Array.from({ length: k }, () => rng.uniformIn(-1, 1));
      const state: TrialState = { ...tr.state, x, f: NaN, steps: spent[i].steps, evaluations: spent[i].evaluations, diverged: false, converged: false, stepsToSuccess: spent[i].toSuccess };
      return { ...tr, state };
    });
    descendAll(final, A, runs, options, { budget: share, untilConverged: true, monitorSuccess: true, onPoint: pointsOn(T, options) },
      (finished) => report((j + finished / trials.length) / R));
    runs.forEach((r, i) => {
      spent[i] = { steps: r.state.steps, evaluations: r.state.evaluations, toSuccess: r.state.stepsToSuccess };
      if (j === 0 || (!r.state.diverged && !(r.state.f >= best[i].f))) best[i] = { ...r.state };
    });
  }
  trials.forEach((tr, i) => {
    Object.assign(tr.state, best[i], { steps: spent[i].steps, evaluations: spent[i].evaluations, stepsToSuccess: spent[i].toSuccess });
  });
}

/** Trial i's step budget B_i of an equal-compute method (the steps surfing used on it). */
function budgetFor(method: { kind: string; budgets: Record<number, number> }, index: number): number {
  const b = method.budgets[index];
  if (!(Number.isSafeInteger(b) && b >= 0)) throw new InputError(`${method.kind}: no step budget for trial ${index}`);
  return b;
}

/** τ of an equal-compute method: given, or foundThreshold(m, σ). */
function untilFor(method: { kind: string; until?: number }, A: Measurement, noise = 0): number {
  const until = method.until ?? foundThreshold(A.m, noise);
  if (!(until >= 0 && Number.isFinite(until))) throw new InputError(`${method.kind}: until (τ) must be a finite number ≥ 0, got ${method.until}`);
  return until;
}

/** A copy of a trial starting afresh from x: the steps and evaluations spent so far carried, so budgets count all of them. */
function startFrom(tr: Trial, x: Float64Array, spent: TrialState): Trial {
  return { ...tr, state: { ...tr.state, x, f: NaN, steps: spent.steps, evaluations: spent.evaluations, diverged: false, converged: false, stepsToSuccess: spent.stepsToSuccess } };
}

/** Trial i's fresh start j ≥ 1 (the same points best-of-R restarts start from). */
function freshStart(options: RunOptions, index: number, j: number, k: number): Float64Array {
  const rng = Rng.derive(options.seed, "trial", index, "restart", j);
  return Float64Array.from({ length: k }, () => rng.uniformIn(-1, 1));
}

/** `candidate` replaces `best` when it did not diverge and its f is no larger. */
function better(candidate: TrialState, best: TrialState | undefined): boolean {
  return best === undefined || (!candidate.diverged && !(candidate.f >= best.f)) || (best.diverged && !candidate.diverged);
}

/**
 * Restart until found: descend on θ_T from x_init, then from fresh starts, each to convergence within the
 * steps left of B_i, until a descent ends with f < τ or B_i is spent; keep the best by f. Never more than
 * B_i steps; exactly B_i when no descent reaches τ (every descent makes at least one step).
 */
function restartUntil(final: Network, T: number, A: Measurement, trials: Trial[], method: Extract<Method, { kind: "restart-until" }>, options: RunOptions,
                      report: (fraction: number) => void): void {
  const until = untilFor(method, A, options.noise), k = final.inputSize;
  const budgets = trials.map((tr) => budgetFor(method, tr.state.index));
  const best: (TrialState | undefined)[] = trials.map(() => undefined);
  const spent: TrialState[] = trials.map((tr) => ({ ...tr.state }));
  let active = trials.map((_, i) => i);   // a budget of 0 too: its one descent of no steps evaluates f at x_init
  const total = Math.max(1, budgets.reduce((a, b) => a + b, 0));
  for (let j = 0; active.length > 0; j++) {
    const runs = active.map((i) => startFrom(trials[i], j === 0 ? trials[i].xInit.slice() : freshStart(options, trials[i].state.index, j, k), spent[i]));
    const left = new Map(active.map((i, r) => [runs[r].state, budgets[i] - spent[i].steps]));
    const settled = spent.reduce((a, s, i) => a + (active.includes(i) ? 0 : s.steps), 0);
    descendAll(final, A, runs, options, { budget: (s) => left.get(s)!, untilConverged: true, monitorSuccess: true, onPoint: pointsOn(T, options) },
      () => report((settled + runs.reduce((a, r) => a + r.state.steps, 0)) / total));
    active = active.filter((i, r) => {
      const state = runs[r].state, moved = state.steps > spent[i].steps;
      spent[i] = { ...state };
      if (better(state, best[i])) best[i] = { ...state };
      return moved && !(state.f < until) && state.steps < budgets[i];
    });
  }
  trials.forEach((tr, i) => {
    Object.assign(tr.state, best[i] ?? tr.state, { steps: spent[i].steps, evaluations: spent[i].evaluations, stepsToSuccess: spent[i].stepsToSuccess });
  });
}

/**
 * Regular Adam, then surfing where it failed: Adam on θ_T from x_init within B_i steps; where it ends with
 * f ≥ τ, surfing (Algorithm 3.1) from x_init over θ_0..θ_T with the L_i steps left, in miniature: under the
 * NeurIPS schedule θ_0..θ_{T−1} share the fraction of L_i that its total is of B_i (surfing's own share of
 * its steps on the trial), so θ_T keeps steps to converge — the schedule as given, cut to what remains,
 * would spend them all on the early networks and never reach θ_T. θ_T gets the rest; the better result of
 * the two by f. Never more than B_i steps.
 */
function adamThenSurf(sequence: NetworkSequence, final: Network, A: Measurement, trials: Trial[], paths: PathStep[][],
                      method: Extract<Method, { kind: "adam-then-surf" }>, options: RunOptions, report: (fraction: number) => void): void {
  const until = untilFor(method, A, options.noise), T = sequence.length - 1;
  const budgets = new Map(trials.map((tr) => [tr.state.index, budgetFor(method, tr.state.index)]));
  const adam = { ...options, optimizer: { ...options.optimizer, kind: "adam" as const } };
  descendAll(final, A, trials, adam, { budget: (s) => budgets.get(s.index)!, untilConverged: true, monitorSuccess: true, onPoint: pointsOn(T, options) },
    (finished) => report((0.5 * finished) / Math.max(1, trials.length)));
  const failed = trials.filter((tr) => !(tr.state.f < until) && tr.state.steps < budgets.get(tr.state.index)!);
  if (failed.length === 0) return;
  const surfers = failed.map((tr) => startFrom(tr, tr.xInit.slice(), tr.state));
  const scheduleOf = new Map(failed.map((tr) => {
    const B = budgets.get(tr.state.index)!, left = B - tr.state.steps, given = method.schedule;
    const scaled = given.kind === "neurips" ? { ...given, total: Math.round(left * Math.min(1, given.total / Math.max(1, B))) } : given;
    return [tr.state.index, stepBudgets(scaled, sequence.length, options.maxSteps)];
  }));
  const surfPaths = surfers.map(() => [] as PathStep[]);
  surfAll(sequence, final, A, surfers, surfPaths, (t) => (s) => Math.min(t === T ? Infinity : scheduleOf.get(s.index)![t], budgets.get(s.index)! - s.steps), options,
    (f) => report(0.5 + 0.5 * f));
  failed.forEach((tr, j) => {
    const surfed = surfers[j].state;
    const kept = better(surfed, tr.state) ? surfed : tr.state;
    Object.assign(tr.state, kept, { steps: surfed.steps, evaluations: surfed.evaluations, stepsToSuccess: surfed.stepsToSuccess ?? tr.state.stepsToSuccess });
    paths[trials.indexOf(tr)] = surfPaths[j];
  });
}

function finish(final: Network, trials: Trial[], paths: TrialResult["path"][], certificates: ExactOutcome["certificate"][]): TrialResult[] {
  const n = final.outputSize;
  const outputs = trials.length > 0 ? final.forward(trials.map((t) => t.state.x)) : [];
  return trials.map((tr, i) => {
    const s = tr.state;
    let sq = 0;
    for (let j = 0; j < n; j++) sq += (outputs[i][j] - tr.signal[j]) ** 2;
    const dist = s.xStar ? distance(s.x, s.xStar) : null;
    return {
      index: s.index,
      xInit: Array.from(tr.xInit),
      xStar: s.xStar ? Array.from(s.xStar) : null,
      xHat: Array.from(s.x),
      f: s.f,
      distToXStar: dist,
      success: dist === null ? null : dist < SUCCESS_RADIUS,
      steps: s.steps,
      stepsToSuccess: s.stepsToSuccess ?? null,
      evaluations: s.evaluations,
      converged: s.converged,
      diverged: s.diverged,
      pixelError: Math.sqrt(sq / n),
      path: paths[i] ?? [],
      ...(certificates[i] ? { certificate: certificates[i] } : {}),
    };
  });
}
