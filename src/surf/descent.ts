/**
 * Descent of a batch of trials on one network: the inner loop of Algorithm 3.1 (Song, Fan & Lafferty 2019) and of every
 * baseline. All running trials form one batch X (rows × k) in the program's input buffer, so a step is one
 * forward and one backward pass, a gemm per layer for all of them. A trial that stops (converged, out of
 * budget, diverged) is compacted out: the last running row moves into its place, so finished trials cost
 * nothing and the result of a trial never depends on which others share its batch.
 */
import type { Objective } from "../objective/objective.js";
import type { LatentOptimizer } from "../optim/optimizer.js";
import { distance } from "../tensor/vector.js";

/**
 * Convergence: a trial stops when f has stopped falling — its best value has not dropped by the fraction
 * PROGRESS within the last WINDOW steps — and either ‖∇f‖ ≤ GRAD_TOL (a smooth minimum) or f has not
 * fallen for STALL steps (a minimum on a ReLU kink, where the gradient never vanishes and Adam oscillates
 * across the kink: without STALL a third of DCGAN k = 5 descents ran to the 20,000-step cap at f ≈ 27).
 * In float32 a gradient of a 784-pixel residual cannot always be resolved much below 1e-5 (about
 * n·ε_f32·‖J‖·‖r‖ at the optimum), so no gradient level alone serves every network; and an absolute test on
 * f (an absolute |Δf| ≤ 1e-9, our first rule) stopped descents whose f was still falling by a factor of ten every few hundred
 * steps along directions in which G is nearly flat — on a VAE with unused latents that halted every trial
 * short of ‖x̂ − x*‖ < 0.01 (0 of 60 successes against 60 of 60 when run on). Progress, not a level, is what
 * ends a descent.
 */
export const GRAD_TOL = 1e-4;
export const PROGRESS = 1e-3;
export const WINDOW = 100;
export const STALL = 1000;
/** Success as in the paper (Song, Fan & Lafferty 2019, Section 4): ‖x̂ − x*‖ < 0.01. */
export const SUCCESS_RADIUS = 0.01;

/** What a trial carries from network to network. x is always its last finite point. */
export interface TrialState {
  readonly index: number;
  x: Float64Array;
  f: number;
  /** Gradient steps over all networks so far. */
  steps: number;
  /** Extra forward evaluations (line searches, sign-flip tests). */
  evaluations: number;
  diverged: boolean;
  /** Whether the last descent ended by the convergence test (not by its budget). */
  converged: boolean;
  /** Total steps when ‖x − x*‖ < SUCCESS_RADIUS first held on a network with x* monitored. */
  stepsToSuccess: number | undefined;
  xStar: Float64Array | undefined;
}

/** Where a surf run stands after one network θ_t of its sequence. */
export interface PathStep {
  /** Steps spent on θ_t. */
  steps: number;
  /** f_θt at the point reached. */
  f: number;
  /** ‖x‖ at the point reached: shows a path leaving the box its targets come from. */
  norm: number;
  /** |P(x_{t−1}, θ_t, τ)|, the pieces searched (surf-projected). */
  pieces?: number;
}

export interface DescentOptions {
  /** Gradient steps allowed on this network: one for all trials, or per trial. */
  budget: number | ((trial: TrialState) => number);
  /** Stop a trial at convergence (else it uses its whole budget). */
  untilConverged: boolean;
  /** Record stepsToSuccess on this network. */
  monitorSuccess: boolean;
  /** Huang, Hand, Heckel & Voroninski (2018): whenever f(−x) < f(x), jump to −x (for the hv family). */
  signFlip?: boolean;
  /** Called after every step with the number of trials still running. */
  onStep?: (running: number) => void;
  /** Called with a trial each time its x takes a new finite point, the start included (to draw paths). */
  onPoint?: (trial: TrialState) => void;
}

/**
 * Descend from each trial's x on the objective's network (its observations must be in the trials' order,
 * one row each, or shared). Updates the trials' states in place.
 */
export function descend(objective: Objective, optimizer: LatentOptimizer, trials: TrialState[], options: DescentOptions): void {
  const { program } = objective, k = program.net.inputSize;
  if (trials.length > program.batch) throw new RangeError(`descend: ${trials.length} trials exceed the batch of ${program.batch}`);
  let rows = trials.length;
  if (rows === 0) return;
  const slot = trials.slice();
  // best: f when it last fell by PROGRESS (its level since), at step bestAt of this descent
  const stepsHere = new Int32Array(rows), best = new Float64Array(rows).fill(Infinity), bestAt = new Int32Array(rows);
  const budget = Float64Array.from(slot, (t) => (typeof options.budget === "number" ? options.budget : options.budget(t)));
  program.setInput(slot.map((t) => t.x));
  optimizer.reset(rows);
  let f = objective.evaluate(rows, true);
  if (options.signFlip) flipSigns(objective, rows, slot);
  for (;;) {
    const X = program.view(program.input, rows * k), G = program.view(program.gradInput, rows * k);
    for (let r = 0; r < rows;) {
      const t = slot[r];
      let finite = Number.isFinite(f[r]), g2 = 0;
      for (let j = 0; j < k; j++) {
        const x = X[r * k + j], g = G[r * k + j];
        finite &&= Number.isFinite(x) && Number.isFinite(g);
        g2 += g * g;
      }
      if (finite) {
        for (let j = 0; j < k; j++) t.x[j] = X[r * k + j];
        t.f = f[r];
        options.onPoint?.(t);
        if (options.monitorSuccess && t.stepsToSuccess === undefined && t.xStar && distance(t.x, t.xStar) < SUCCESS_RADIUS) t.stepsToSuccess = t.steps;
      } else {
        t.diverged = true;   // t.x keeps the last finite point
      }
      if (finite && f[r] < best[r] * (1 - PROGRESS)) {
        best[r] = f[r];
        bestAt[r] = stepsHere[r];
      }
      const still = stepsHere[r] - bestAt[r];
      const converged = finite && still >= WINDOW && (Math.sqrt(g2) <= GRAD_TOL || still >= STALL);
      if (!finite || stepsHere[r] >= budget[r] || (options.untilConverged && converged)) {
        t.converged = converged;
        rows--;
        if (r !== rows) {
          objective.moveRow(rows, r);
          optimizer.moveRow(rows, r);
          slot[r] = slot[rows];
          stepsHere[r] = stepsHere[rows];
          budget[r] = budget[rows];
          best[r] = best[rows];
          bestAt[r] = bestAt[rows];
        }
        continue;
      }
      r++;
    }
    if (rows === 0) return;
    const extra = optimizer.step(rows);
    f = objective.evaluate(rows, true);
    for (let r = 0; r < rows; r++) {
      stepsHere[r]++;
      slot[r].steps++;
      slot[r].evaluations += extra;
    }
    if (options.signFlip) flipSigns(objective, rows, slot);
    options.onStep?.(rows);
  }
}

/** For each row, f(−x) < f(x) ⇒ x ← −x; f and ∇f are current afterwards. Costs one or two evaluations. */
function flipSigns(objective: Objective, rows: number, slot: TrialState[]): void {
  const { program, values } = objective, k = program.net.inputSize;
  const fx = values.slice(0, rows);
  const X = program.view(program.input, rows * k);
  for (let i = 0; i < rows * k; i++) X[i] = -X[i];
  const fNeg = objective.evaluate(rows, false);
  let flipped = false;
  for (let r = 0; r < rows; r++) {
    slot[r].evaluations++;
    if (fNeg[r] < fx[r]) flipped = true;
    else for (let j = 0; j < k; j++) X[r * k + j] = -X[r * k + j];
  }
  if (flipped) {
    objective.evaluate(rows, true);
    for (let r = 0; r < rows; r++) slot[r].evaluations++;
  } else {
    values.set(fx);   // every row is back at x, where ∇f (untouched by a forward pass) was computed
  }
}
