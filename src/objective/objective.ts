/**
 * The inversion objective for a batch of trials, one row each (Song, Fan & Lafferty 2019, eq. 3.1):
 *   f_b(x_b) = ½‖A·G(x_b) − obs_b‖² + λ‖x_b‖²,   obs_b = A·y_b (+ noise), one per trial or one shared,
 * and its gradient ∇ₓf_b = J_G(x_b)ᵀ Aᵀ (A·G(x_b) − obs_b) + 2λ x_b by backpropagation (Hand & Voroninski 2018, eq. 5
 * is the special case of the hv family). One evaluation is one forward and one backward of the program,
 * a gemm per layer for all B trials; nothing is allocated.
 */
import { BYTES, BiasAxis, Act, type Epilogue } from "../kernels/index.js";
import { InputError } from "../errors.js";
import type { Program } from "../nn/program.js";
import type { Measurement } from "./measurement.js";
import { Identity } from "./measurement.js";

export interface ObjectiveOptions {
  /** Weight of the penalty λ‖x‖² (default 0). */
  lambda?: number;
}

/**
 * The inversion objective f_b(x_b) = ½‖A·G(x_b) − obs_b‖² (+ λ‖x_b‖²) for a batch of latents, one row each,
 * with its gradient by backpropagation.
 *
 * @example
 * import { Objective, Identity, randomNetwork, kernels } from "surfing";
 * const G = randomNetwork("surf", [2, 8, 5], "example", { dtype: "f64" });
 * const y = G.forward([[0.5, -0.25]])[0];   // y = G(x*)
 * const f = new Objective(G.program(1), new Identity(kernels, "f64", 5), y);   // one observation, shared by the batch
 * f.at([[0.5, -0.25]]).f;   // → [0]
 * f.at([[0, 0]]).grad[0].length;   // → 2
 */
export class Objective {
  readonly lambda: number;
  /** f of each row after evaluate (float64, batch long). */
  readonly values: Float64Array;
  private readonly shared: boolean;
  private readonly obs: number;           // rows × m, or 1 × m negated (shared)
  private readonly measured: number;      // A·G, rows × m (0 for the identity: G itself)
  private readonly residual: number;      // rows × m (the identity: program.gradOutput)
  private readonly f: number;             // float64 rows
  private readonly penalty: number;       // float64 rows
  private readonly subtractShared: Epilogue;

  constructor(
    readonly program: Program,
    readonly measurement: Measurement,
    observations: Float64Array | readonly ArrayLike<number>[],
    options: ObjectiveOptions = {},
  ) {
    const { kernels: K, dtype, batch } = program;
    const S = BYTES[dtype], m = measurement.m;
    if (measurement.n !== program.net.outputSize) {
      throw new InputError(`objective: the measurement takes signals of ${measurement.n} values but the network outputs ${program.net.outputSize}`);
    }
    this.lambda = options.lambda ?? 0;
    if (!(this.lambda >= 0 && Number.isFinite(this.lambda))) throw new InputError(`objective: lambda must be a finite number ≥ 0, got ${options.lambda}`);
    const rows: ArrayLike<number>[] = observations instanceof Float64Array ? [observations] : [...observations];
    this.shared = observations instanceof Float64Array;
    if (!this.shared && rows.length !== batch) throw new InputError(`objective: ${rows.length} observations for a batch of ${batch} trials (give one per trial, or one shared)`);
    rows.forEach((o, r) => {
      if (o.length !== m) throw new InputError(`objective: observation ${r} has ${o.length} values, the measurement gives ${m}`);
      for (let i = 0; i < m; i++) if (!Number.isFinite(o[i])) throw new InputError(`objective: observation ${r}, entry ${i} is ${o[i]}`);
    });
    this.obs = K.alloc(rows.length * m * S);
    const view = K.view(dtype, this.obs, rows.length * m);
    rows.forEach((o, r) => {
      for (let i = 0; i < m; i++) view[r * m + i] = this.shared ? -o[i] : o[i];
    });
    const identity = measurement instanceof Identity;
    this.measured = identity ? 0 : K.alloc(batch * m * S);
    this.residual = identity ? program.gradOutput : K.alloc(batch * m * S);
    this.f = K.alloc(batch * 8);
    this.penalty = K.alloc(batch * 8);
    this.values = new Float64Array(batch);
    this.subtractShared = Object.freeze({ bias: this.obs, biasAxis: BiasAxis.Column, act: Act.None, slope: 0, mask: 0 });
  }

  /**
   * f (into `values`) at the first `rows` rows of program.input and, when `gradient`, ∇ₓf into
   * program.gradInput; with `params`, also add ∂(Σ_b f_b)/∂θ into the parameters' gradients (a "train"
   * program after Network.enableGrads). Returns `values`.
   */
  evaluate(rows = this.program.batch, gradient = true, params = false): Float64Array {
    const { program, measurement } = this;
    const { kernels: K, dtype } = program;
    const S = BYTES[dtype], m = measurement.m, k = program.net.inputSize;
    program.forward(rows);
    const ag = this.measured === 0 ? program.output : this.measured;
    if (this.measured !== 0) measurement.apply(rows, program.output, ag);
    // r = A·G − obs
    K.copy(this.residual, ag, rows * m * S);
    if (this.shared) K.biasAct(dtype, rows, m, this.residual, m, this.subtractShared);
    else K.axpy(dtype, rows * m, -1, this.obs, this.residual);
    K.rowSumsq(dtype, rows, m, this.residual, m, this.f);
    if (this.lambda > 0) K.rowSumsq(dtype, rows, k, program.input, k, this.penalty);
    const f = K.f64View(this.f, rows), pen = K.f64View(this.penalty, rows);
    for (let r = 0; r < rows; r++) this.values[r] = 0.5 * f[r] + (this.lambda > 0 ? this.lambda * pen[r] : 0);
    if (gradient) {
      if (this.residual !== program.gradOutput) measurement.adjoint(rows, this.residual, program.gradOutput);
      program.backward(rows, { input: true, params });
      if (this.lambda > 0) K.axpy(dtype, rows * k, 2 * this.lambda, program.input, program.gradInput);
    }
    return this.values;
  }

  /**
   * Row `from` of the batch takes the place of row `to`: its x, ∇f, f and (one per trial) observation.
   * Lets a caller compact the trials still running to the front, so finished ones cost nothing.
   */
  moveRow(from: number, to: number): void {
    const { program, measurement } = this, K = program.kernels;
    const S = BYTES[program.dtype], k = program.net.inputSize * S, m = measurement.m * S;
    K.copy(program.input + to * k, program.input + from * k, k);
    K.copy(program.gradInput + to * k, program.gradInput + from * k, k);
    if (!this.shared) K.copy(this.obs + to * m, this.obs + from * m, m);
    this.values[to] = this.values[from];
  }

  /** f and ∇f at single points (a convenience for tests and small work; allocates). */
  at(points: readonly ArrayLike<number>[]): { f: number[]; grad: Float64Array[] } {
    const { program } = this;
    const k = program.net.inputSize;
    if (points.length > program.batch) throw new RangeError(`objective.at: ${points.length} points exceed the batch of ${program.batch}`);
    program.setInput(points);
    const f = Array.from(this.evaluate(points.length, true).subarray(0, points.length));
    const g = program.view(program.gradInput, points.length * k);
    return { f, grad: points.map((_, r) => Float64Array.from(g.subarray(r * k, (r + 1) * k))) };
  }

  free(): void {
    const K = this.program.kernels;
    for (const p of [this.obs, this.f, this.penalty]) K.free(p);
    if (this.measured !== 0) {
      K.free(this.measured);
      K.free(this.residual);
    }
  }
}
