/**
 * The objective f(x) = ½‖A·G(x) − A·y‖² of a float64 network at many points at once (src/objective on
 * the kernels), with what the checks need beyond it: the pull-back J(x)ᵀv of an output-space vector
 * (J the Jacobian of G at x, i.e. (Π W_{i,x})ᵀVᵀv of Song, Fan & Lafferty 2019, Section 5, by one backward pass), and
 * gradient descent from many starts.
 */
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import type { Program } from "../nn/program.js";
import { Objective } from "../objective/objective.js";
import { observe, type Measurement } from "../objective/measurement.js";
import { createOptimizer } from "../optim/optimizer.js";
import { descend, type TrialState } from "../surf/descent.js";

export interface Evaluations {
  /** f at each point. */
  readonly f: Float64Array;
  /** ∇f at each point, points × k row-major. */
  readonly grad: Float64Array;
}

export class Landscape {
  readonly program: Program;
  readonly objective: Objective;
  readonly k: number;

  /** `batch` is how many points one pass takes (larger sets are taken in chunks). */
  constructor(readonly net: Network, readonly measurement: Measurement, readonly y: Float64Array, readonly batch = 256) {
    if (net.dtype !== "f64") throw new InputError("landscape: the theory checks run in float64 (new Network(spec, { dtype: \"f64\" }))");
    this.program = net.program(batch);
    this.objective = new Objective(this.program, measurement, observe(measurement, [y])[0]);
    this.k = net.inputSize;
  }

  /** f and ∇f at the points (points × k). */
  evaluate(points: Float64Array): Evaluations {
    const count = this.count(points);
    const f = new Float64Array(count), grad = new Float64Array(count * this.k);
    this.chunks(count, (at, rows) => {
      this.program.setInput(points.subarray(at * this.k, (at + rows) * this.k));
      f.set(this.objective.evaluate(rows, true).subarray(0, rows), at);
      grad.set(this.program.view(this.program.gradInput, rows * this.k), at * this.k);
    });
    return { f, grad };
  }

  /** J(x_r)ᵀ v_r for each point x_r and output-space vector v_r (vectors: points × n, or one n-vector for all). */
  pullback(points: Float64Array, vectors: Float64Array): Float64Array {
    const count = this.count(points), n = this.net.outputSize;
    const shared = vectors.length === n;
    if (!shared && vectors.length !== count * n) throw new InputError(`pullback: ${vectors.length} values are neither one output vector of ${n} nor one per point`);
    const out = new Float64Array(count * this.k);
    this.chunks(count, (at, rows) => {
      const p = this.program;
      p.setInput(points.subarray(at * this.k, (at + rows) * this.k));
      p.forward(rows);
      const gOut = p.view(p.gradOutput, rows * n);
      for (let r = 0; r < rows; r++) gOut.set(shared ? vectors : vectors.subarray((at + r) * n, (at + r + 1) * n), r * n);
      p.backward(rows);
      out.set(p.view(p.gradInput, rows * this.k), at * this.k);
    });
    return out;
  }

  /** G at the points, points × n. */
  outputs(points: Float64Array): Float64Array {
    const count = this.count(points), n = this.net.outputSize;
    const out = new Float64Array(count * n);
    this.chunks(count, (at, rows) => {
      this.program.setInput(points.subarray(at * this.k, (at + rows) * this.k));
      this.program.forward(rows);
      out.set(this.program.view(this.program.output, rows * n), at * n);
    });
    return out;
  }

  /**
   * Gradient descent with Armijo backtracking from each start (src/surf/descent.ts, in chunks of the
   * batch): a start stops at that module's convergence test or after `budget` steps. f is piecewise
   * quadratic and its minima often sit on a kink, where ∇f does not vanish and the budget ends the descent.
   */
  descend(starts: Float64Array, options: { budget: number; lr?: number; untilConverged?: boolean }): { x: Float64Array; f: Float64Array; converged: Uint8Array } {
    const count = this.count(starts), k = this.k;
    const x = new Float64Array(count * k), f = new Float64Array(count), converged = new Uint8Array(count);
    const optimizer = createOptimizer(this.objective, { kind: "armijo", lr: options.lr ?? 1 });
    this.chunks(count, (at, rows) => {
      const trials: TrialState[] = Array.from({ length: rows }, (_, r) => ({
        index: at + r, x: starts.slice((at + r) * k, (at + r + 1) * k), f: NaN, steps: 0, evaluations: 0,
        diverged: false, converged: false, stepsToSuccess: undefined, xStar: undefined,
      }));
      descend(this.objective, optimizer, trials, { budget: options.budget, untilConverged: options.untilConverged ?? true, monitorSuccess: false });
      for (const t of trials) {
        x.set(t.x, t.index * k);
        f[t.index] = t.f;
        converged[t.index] = t.converged ? 1 : 0;
      }
    });
    optimizer.free();
    return { x, f, converged };
  }

  free(): void {
    this.objective.free();
  }

  private count(points: Float64Array): number {
    if (points.length % this.k !== 0) throw new InputError(`landscape: ${points.length} values are not whole points of R^${this.k}`);
    return points.length / this.k;
  }

  private chunks(count: number, run: (at: number, rows: number) => void): void {
    for (let at = 0; at < count; at += this.batch) run(at, Math.min(this.batch, count - at));
  }
}
