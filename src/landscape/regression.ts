/**
 * Freeman & Bruna 2017, Section 4.1: "a 1-4-4-1 fully connected multilayer perceptron style architecture with sigmoid
 * nonlinearities", fit to a quadratic and to a cubic on x ∈ [0, 1] with f(x) ∈ [0, 1], as a Loss in the
 * network's parameters θ (33 of them) for Dynamic String Sampling in weight space.
 *
 * The paper names neither the polynomials nor the sample. Ours are the Chebyshev polynomials T_2 and T_3
 * mapped onto [0, 1] — quadratic (2x − 1)², cubic (T_3(2x − 1) + 1)/2 — which span [0, 1] with one and two
 * turns, on the fixed grid x_i = (i + ½)/N. The output layer is linear (the sigmoids are the hidden
 * nonlinearities). The loss is the mean squared error F(θ) = (1/N) Σ (Φ(x_i; θ) − y_i)².
 *
 * F and ∇F come from src/nn in float64: the data are one batch of N rows of a compiled program, so one
 * evaluation is a forward (and a backward) pass of the network over the whole sample.
 */
import { kernels as defaultKernels, type Kernels } from "../kernels/index.js";
import { InputError } from "../errors.js";
import { Network } from "../nn/network.js";
import type { NetworkSpec } from "../nn/spec.js";
import { Objective } from "../objective/objective.js";
import { Identity } from "../objective/measurement.js";
import type { Seed } from "../random/rng.js";
import { checkPoint, type Loss } from "./loss.js";

export type RegressionTask = "quadratic" | "cubic";
export const REGRESSION_TASKS: readonly RegressionTask[] = ["quadratic", "cubic"];

/** Sample size N of the regression data. */
export const REGRESSION_POINTS = 64;

/** The target polynomial of `task` at x ∈ [0, 1]. */
export function regressionTarget(task: RegressionTask, x: number): number {
  const u = 2 * x - 1;
  switch (task) {
    case "quadratic":
      return u * u;
    case "cubic":
      return (4 * u * u * u - 3 * u + 1) / 2;
    default:
      throw new InputError(`regression task must be ${REGRESSION_TASKS.join(" or ")}, got "${String(task)}"`);
  }
}

/** 1-4-4-1 with sigmoids after the hidden layers, as an nn.Sequential. */
export function regressionSpec(): NetworkSpec {
  return {
    input: [1],
    layers: [
      { type: "Linear", in_features: 1, out_features: 4, bias: true },
      { type: "Sigmoid" },
      { type: "Linear", in_features: 4, out_features: 4, bias: true },
      { type: "Sigmoid" },
      { type: "Linear", in_features: 4, out_features: 1, bias: true },
    ],
  };
}

export class RegressionLoss implements Loss {
  readonly dimension: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Var(y) over the sample: the loss of the best constant fit, the scale of the levels L0. */
  readonly variance: number;
  private readonly net: Network;
  private readonly objective: Objective;

  constructor(readonly task: RegressionTask, readonly points = REGRESSION_POINTS, kernels: Kernels = defaultKernels) {
    if (!REGRESSION_TASKS.includes(task)) throw new InputError(`regression task must be ${REGRESSION_TASKS.join(" or ")}, got "${String(task)}"`);
    if (!(Number.isSafeInteger(points) && points >= 2)) throw new InputError(`regression: the sample needs at least 2 points, got ${points}`);
    this.xs = Float64Array.from({ length: points }, (_, i) => (i + 0.5) / points);
    this.ys = this.xs.map((x) => regressionTarget(task, x));
    const mean = this.ys.reduce((s, y) => s + y, 0) / points;
    this.variance = this.ys.reduce((s, y) => s + (y - mean) ** 2, 0) / points;
    this.net = new Network(regressionSpec(), { dtype: "f64", kernels });
    this.dimension = this.net.parameterCount;
    this.net.enableGrads();
    // Row i of the batch is data point i, observing y_i: Σ_i ½(Φ(x_i) − y_i)² is the objective's sum over rows.
    this.objective = new Objective(this.net.program(points, "train"), new Identity(kernels, "f64", 1), Array.from(this.ys, (y) => [y]));
  }

  /** PyTorch's default initialization of the network (uniform on ±1/√fan_in) from `seed`, as a parameter vector. */
  initialTheta(seed: Seed): Float64Array {
    this.net.initialize(seed);
    const theta = new Float64Array(this.dimension);
    let at = 0;
    for (const p of this.trainable()) {
      theta.set(p.values, at);
      at += p.size;
    }
    return theta;
  }

  value(theta: Float64Array): number {
    return this.evaluate(theta, undefined);
  }

  valueAndGradient(theta: Float64Array, grad: Float64Array): number {
    return this.evaluate(theta, grad);
  }

  /** Φ(x; θ) at the given inputs. */
  predict(theta: Float64Array, xs: ArrayLike<number>): Float64Array {
    this.load(theta);
    return Float64Array.from(this.net.forward(Array.from(xs, (x) => [x])), (row) => row[0]);
  }

  free(): void {
    this.objective.free();
    this.net.free();
  }

  private trainable() {
    return this.net.params.filter((p) => p.trainable);
  }

  private load(theta: Float64Array): void {
    checkPoint(this, theta, "regression: θ");
    let at = 0;
    for (const p of this.trainable()) {
      p.values.set(theta.subarray(at, at + p.size));
      at += p.size;
    }
    this.net.touch();
  }

  private evaluate(theta: Float64Array, grad: Float64Array | undefined): number {
    this.load(theta);
    const { program } = this.objective, N = this.points;
    program.setInput(this.xs);
    if (grad) this.net.zeroGrads();
    const f = this.objective.evaluate(N, grad !== undefined, grad !== undefined);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += f[i];
    if (grad) {
      let at = 0;
      for (const p of this.trainable()) {
        const g = p.grads;
        for (let j = 0; j < p.size; j++) grad[at + j] = (2 / N) * g[j];
        at += p.size;
      }
    }
    return (2 / N) * sum;
  }
}
