/**
 * "Train Φ(x; θ) to L0" (Freeman & Bruna 2017, Algorithm 1 lines 2, 3 and 8): Adam on a parameter vector until the loss is
 * at or below a level, or a step budget runs out. The paper trained with RMSProp/Adam (Section 4.1); Adam is
 * arranged as torch.optim.Adam (Kingma & Ba 2015, Algorithm 1) with full-batch gradients, so a run is
 * deterministic.
 */
import { InputError } from "../errors.js";
import type { Loss } from "./loss.js";

export interface TrainOptions {
  /** Adam's step size. */
  lr: number;
  /** Gradient steps allowed. */
  maxSteps: number;
}

/** torch.optim.Adam's β1, β2, ε. */
const BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

export interface TrainResult {
  /** F at the returned θ. */
  value: number;
  /** Gradient steps taken. */
  steps: number;
  /** F(θ) ≤ level was reached. */
  reached: boolean;
}

export function checkTrainOptions(options: TrainOptions, what = "training"): void {
  if (!(options.lr > 0 && Number.isFinite(options.lr))) throw new InputError(`${what}: the learning rate must be a positive number, got ${options.lr}`);
  if (!(Number.isSafeInteger(options.maxSteps) && options.maxSteps >= 0)) throw new InputError(`${what}: the step budget must be an integer ≥ 0, got ${options.maxSteps}`);
}

/**
 * Train θ (in place) until F(θ) ≤ level or `maxSteps` steps. A non-finite F or gradient stops the run with θ
 * at its last finite point (reached = false).
 */
export function trainBelow(loss: Loss, theta: Float64Array, level: number, options: TrainOptions): TrainResult {
  checkTrainOptions(options);
  const d = loss.dimension;
  const grad = new Float64Array(d), m = new Float64Array(d), v = new Float64Array(d), last = theta.slice();
  let lastValue = NaN;
  for (let step = 0; ; step++) {
    const value = loss.valueAndGradient(theta, grad);
    if (!Number.isFinite(value) || !grad.every(Number.isFinite)) {
      theta.set(last);
      return { value: lastValue, steps: step, reached: false };
    }
    if (value <= level) return { value, steps: step, reached: true };
    if (step >= options.maxSteps) return { value, steps: step, reached: false };
    last.set(theta);
    lastValue = value;
    const t = step + 1, c1 = 1 - BETA1 ** t, c2 = 1 - BETA2 ** t;
    for (let i = 0; i < d; i++) {
      m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
      v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
      theta[i] -= (options.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPS);
    }
  }
}
