/**
 * Optimizers of the latent inputs of a batch of trials, one row each, in the program's input buffer
 * (X, rows × k). A step starts from f and ∇f already evaluated at X (objective.values, program.gradInput)
 * and leaves X updated; rows are independent of each other, so the first `rows` rows can be any subset
 * of trials compacted to the front (moveRow follows the compaction).
 */
import { BYTES } from "../kernels/index.js";
import { InputError } from "../errors.js";
import type { Objective } from "../objective/objective.js";

export type OptimizerKind = "adam" | "gd" | "armijo";
/**
 * The optimizers createOptimizer makes (`surf invert --optimizer`).
 *
 * @example
 * import { OPTIMIZER_KINDS } from "surfing";
 * OPTIMIZER_KINDS;   // → ["adam", "gd", "armijo"]
 */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ["adam", "gd", "armijo"];

export interface OptimizerOptions {
  kind: OptimizerKind;
  /** Step size: Adam's lr, GD's fixed η, Armijo's initial η. */
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Defaults: Adam as in PyTorch but lr = 0.01 (the scale of the paper's step counts: see README); GD η = 0.1. */
export const DEFAULTS = { adamLr: 0.01, gdLr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

export interface LatentOptimizer {
  readonly kind: OptimizerKind;
  /** Fresh state for the first `rows` rows (a new network, a new start). */
  reset(rows: number): void;
  /** One step; returns the objective evaluations it used beyond the one it started from. */
  step(rows: number): number;
  /** Row `from` takes the place of row `to` (its state moves with it). */
  moveRow(from: number, to: number): void;
  free(): void;
}

/**
 * An optimizer of the latents of a batch of trials: Adam (lr 0.01 by default), gradient descent with a fixed
 * step, or with Armijo's backtracking line search.
 *
 * @example
 * import { createOptimizer, Objective, Identity, randomNetwork, kernels } from "surfing";
 * const G = randomNetwork("surf", [2, 8, 5], "example", { dtype: "f64" });
 * const program = G.program(1);
 * const f = new Objective(program, new Identity(kernels, "f64", 5), G.forward([[0.5, -0.25]])[0]);
 * const adam = createOptimizer(f, { kind: "adam", lr: 0.05 });
 * program.setInput([[0, 0]]);
 * const start = f.evaluate()[0];   // a step starts from f and ∇f evaluated at x
 * for (let step = 0; step < 100; step++) {
 *   adam.step(1);
 *   f.evaluate();
 * }
 * f.values[0] < start;   // → true
 */
export function createOptimizer(objective: Objective, options: OptimizerOptions): LatentOptimizer {
  const lr = options.lr ?? (options.kind === "adam" ? DEFAULTS.adamLr : DEFAULTS.gdLr);
  if (!(lr > 0 && Number.isFinite(lr))) throw new InputError(`optimizer: lr must be a positive number, got ${options.lr}`);
  switch (options.kind) {
    case "adam":
      return new Adam(objective, lr, options.beta1 ?? DEFAULTS.beta1, options.beta2 ?? DEFAULTS.beta2, options.eps ?? DEFAULTS.eps);
    case "gd":
      return new FixedStep(objective, lr);
    case "armijo":
      return new Armijo(objective, lr);
    default:
      throw new InputError(`optimizer must be one of ${OPTIMIZER_KINDS.join(", ")}, got "${String(options.kind)}"`);
  }
}

/** Copy row `from` of a rows × k buffer over row `to`. */
function moveRowOf(objective: Objective, ptr: number, from: number, to: number): void {
  const { program } = objective, k = program.net.inputSize, S = BYTES[program.dtype];
  program.kernels.copy(ptr + to * k * S, ptr + from * k * S, k * S);
}

/** Adam (Kingma & Ba 2015), PyTorch's arrangement, one shared step count t for the batch. */
class Adam implements LatentOptimizer {
  readonly kind = "adam";
  private readonly m: number;
  private readonly v: number;
  private t = 0;

  constructor(private readonly objective: Objective, private readonly lr: number,
              private readonly beta1: number, private readonly beta2: number, private readonly eps: number) {
    const { program } = objective;
    const bytes = program.batch * program.net.inputSize * BYTES[program.dtype];
    this.m = program.kernels.calloc(bytes);
    this.v = program.kernels.calloc(bytes);
  }

  reset(rows: number): void {
    const { program } = this.objective, bytes = rows * program.net.inputSize * BYTES[program.dtype];
    program.kernels.clear(this.m, bytes);
    program.kernels.clear(this.v, bytes);
    this.t = 0;
  }

  step(rows: number): number {
    const { program } = this.objective;
    this.t++;
    program.kernels.adam(program.dtype, rows * program.net.inputSize, program.input, program.gradInput, this.m, this.v,
      this.lr, this.beta1, this.beta2, this.eps, this.t);
    return 0;
  }

  moveRow(from: number, to: number): void {
    moveRowOf(this.objective, this.m, from, to);
    moveRowOf(this.objective, this.v, from, to);
  }

  free(): void {
    this.objective.program.kernels.free(this.m);
    this.objective.program.kernels.free(this.v);
  }
}

/** Gradient descent with a fixed step: x ← x − η∇f. */
class FixedStep implements LatentOptimizer {
  readonly kind = "gd";
  constructor(private readonly objective: Objective, private readonly lr: number) {}
  reset(): void {}
  step(rows: number): number {
    const { program } = this.objective;
    program.kernels.axpy(program.dtype, rows * program.net.inputSize, -this.lr, program.gradInput, program.input);
    return 0;
  }
  moveRow(): void {}
  free(): void {}
}

/** Armijo's sufficient decrease: f(x − η∇f) ≤ f(x) − c·η‖∇f‖², c from Nocedal & Wright's usual 1e-4. */
const ARMIJO_C = 1e-4;
/** Halvings before a row gives up this step (η then is 2^-40 of its start: no descent at this precision). */
const MAX_BACKTRACK = 40;

/**
 * Gradient descent with a backtracking line search, each trial with its own step: η halves until
 * Armijo's condition holds, then doubles for the next step. f is piecewise quadratic, so a few
 * evaluations (forward passes only) suffice; a row that finds no decrease keeps its point.
 */
class Armijo implements LatentOptimizer {
  readonly kind = "armijo";
  private readonly eta: Float64Array;
  private readonly start: Float64Array;   // x and f at the start of the step
  private readonly f0: Float64Array;
  private readonly grad: Float64Array;
  private readonly accepted: Uint8Array;

  constructor(private readonly objective: Objective, private readonly lr: number) {
    const { batch } = objective.program, k = objective.program.net.inputSize;
    this.eta = new Float64Array(batch).fill(lr);
    this.start = new Float64Array(batch * k);
    this.grad = new Float64Array(batch * k);
    this.f0 = new Float64Array(batch);
    this.accepted = new Uint8Array(batch);
  }

  reset(rows: number): void {
    this.eta.fill(this.lr, 0, rows);
  }

  step(rows: number): number {
    const { objective } = this, program = objective.program, k = program.net.inputSize;
    this.start.set(program.view(program.input, rows * k));
    this.grad.set(program.view(program.gradInput, rows * k));
    this.f0.set(objective.values.subarray(0, rows));
    this.accepted.fill(0, 0, rows);
    let evaluations = 0, open = rows;
    for (let attempt = 0; attempt <= MAX_BACKTRACK && open > 0; attempt++) {
      const X = program.view(program.input, rows * k);
      for (let r = 0; r < rows; r++) {
        if (this.accepted[r]) continue;
        for (let j = 0; j < k; j++) X[r * k + j] = this.start[r * k + j] - this.eta[r] * this.grad[r * k + j];
      }
      const f = objective.evaluate(rows, false);
      evaluations++;
      for (let r = 0; r < rows; r++) {
        if (this.accepted[r]) continue;
        let g2 = 0;
        for (let j = 0; j < k; j++) g2 += this.grad[r * k + j] ** 2;
        if (f[r] <= this.f0[r] - ARMIJO_C * this.eta[r] * g2) {
          this.accepted[r] = 1;
          this.eta[r] *= 2;
          open--;
        } else {
          this.eta[r] /= 2;
        }
      }
    }
    if (open > 0) {
      // no decrease found: those rows stay where they were (their step counts as taken)
      const X = program.view(program.input, rows * k);
      for (let r = 0; r < rows; r++) {
        if (this.accepted[r]) continue;
        for (let j = 0; j < k; j++) X[r * k + j] = this.start[r * k + j];
        this.eta[r] = this.lr;
      }
    }
    return evaluations;
  }

  moveRow(from: number, to: number): void {
    this.eta[to] = this.eta[from];
  }

  free(): void {}
}
