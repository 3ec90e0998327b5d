/**
 * Batch normalization (Ioffe & Szegedy 2015) as PyTorch computes it, for BatchNorm1d ([features]) and
 * BatchNorm2d ([channels, H, W], statistics over samples and positions), followed by an optional
 * activation. Train mode: batch mean and biased variance normalize; the running statistics move by
 * `momentum` towards the batch mean and the *unbiased* variance. Eval mode (when it could not be
 * folded into a preceding affine layer): running statistics.
 *
 * The sums and elementwise passes run in the kernels (assembly/batchnorm.ts and its TS twin), in float64
 * arithmetic in a fixed order; the per-channel arithmetic between them (means, 1/√(var + ε), the running
 * statistics) is a few hundred values, here.
 */
import type { Param } from "../param.js";
import { BN_EPS, BN_MOMENTUM, size, type LayerSpec, type Shape } from "../spec.js";
import { Activation, BiasAxis, type ActivationSpec } from "./activation.js";
import type { Context, Op } from "./op.js";

type BNSpec = Extract<LayerSpec, { type: "BatchNorm1d" | "BatchNorm2d" }>;

export class BatchNormOp implements Op {
  readonly act: Activation;
  private readonly channels: number;
  private readonly spatial: number;
  private readonly eps: number;
  private readonly momentum: number;
  /** x̂ = (x − mean)·inv of the last train forward (batch × size). */
  private readonly xhat: number;
  /**
   * Per-channel float64 values in the heap, C each: the batch mean (eval: the shift b = β − a·mean) and
   * inv = 1/√(var + ε) (eval: the scale a = γ·inv) forward; Σ(x − mean)² forward, and Σg, Σg·x̂ backward
   * (Σg in the mean's place).
   */
  private readonly stats: number;
  private readonly mean: number;
  private readonly inv: number;
  private readonly acc2: number;
  private readonly epilogue;

  constructor(
    private readonly ctx: Context,
    readonly layers: readonly number[],
    readonly inShape: Shape,
    spec: BNSpec,
    private readonly params: readonly Param[],
    act: ActivationSpec | undefined,
    /** Counts batches seen in train mode (PyTorch's num_batches_tracked). */
    private readonly tracked: { count: number },
  ) {
    this.channels = spec.num_features;
    this.spatial = size(inShape) / this.channels;
    this.eps = spec.eps ?? BN_EPS;
    this.momentum = spec.momentum ?? BN_MOMENTUM;
    this.act = new Activation(ctx, act, size(inShape));
    this.xhat = ctx.mode === "train" ? ctx.K.alloc(ctx.batch * size(inShape) * ctx.S) : 0;
    this.stats = ctx.K.calloc(3 * this.channels * 8);
    this.mean = this.stats;
    this.inv = this.stats + this.channels * 8;
    this.acc2 = this.stats + 2 * this.channels * 8;
    this.epilogue = this.act.epilogues(0, BiasAxis.Column)[ctx.batch];
  }

  get outShape(): Shape {
    return this.inShape;
  }

  refresh(): void {}

  forward(rows: number, x: number, y: number): void {
    const { ctx, channels: C, spatial: P } = this, { K, dtype } = ctx;
    const [gamma, beta, runMean, runVar] = this.params.map((p) => p.values);
    const n = C * P;
    if (ctx.mode === "train") {
      const N = rows * P;
      K.channelSums(dtype, rows, C, P, x, 0, this.mean, 0);
      const mean = this.view(this.mean), sq = this.view(this.acc2), inv = this.view(this.inv);
      for (let c = 0; c < C; c++) mean[c] /= N;
      K.squaredDeviations(dtype, rows, C, P, x, this.mean, this.acc2);
      for (let c = 0; c < C; c++) {
        const variance = sq[c] / N;
        inv[c] = 1 / Math.sqrt(variance + this.eps);
        runMean[c] = (1 - this.momentum) * runMean[c] + this.momentum * mean[c];
        runVar[c] = (1 - this.momentum) * runVar[c] + this.momentum * (N > 1 ? (sq[c] / (N - 1)) : variance);
      }
      K.bnNormalize(dtype, rows, C, P, x, this.xhat, y, this.mean, this.inv, this.params[0].ptr, this.params[1].ptr);
      this.tracked.count++;
    } else {
      const inv = this.view(this.inv), shift = this.view(this.mean);
      for (let c = 0; c < C; c++) {
        inv[c] = gamma[c] / Math.sqrt(runVar[c] + this.eps);
        shift[c] = beta[c] - inv[c] * runMean[c];   // the shift b = β − a·mean
      }
      K.channelAffine(dtype, rows, C, P, x, y, this.inv, this.mean);
    }
    if (this.act.mask !== 0) K.biasAct(dtype, rows, n, y, n, this.epilogue);
    this.act.applySmooth(rows, y);
  }

  backward(rows: number, _x: number, y: number, gy: number, gx: number, params: boolean): void {
    const { ctx, channels: C, spatial: P } = this, { K, dtype } = ctx;
    this.act.backward(rows, y, gy);
    if (ctx.mode !== "train") {
      if (params) throw new RangeError(`layer ${this.layers[0]}: parameter gradients of batch norm need a "train" program`);
      if (gx !== 0) K.channelAffine(dtype, rows, C, P, gy, gx, this.inv, 0);
      return;
    }
    // Σg into the mean's place, Σg·x̂ into acc2
    K.channelSums(dtype, rows, C, P, gy, this.xhat, this.mean, this.acc2);
    if (params) {
      const dGamma = this.params[0].grads, dBeta = this.params[1].grads, sumG = this.view(this.mean), sumGX = this.view(this.acc2);
      for (let c = 0; c < C; c++) {
        dGamma[c] += sumGX[c];
        dBeta[c] += sumG[c];
      }
    }
    if (gx !== 0) K.bnInputGradient(dtype, rows, C, P, gy, this.xhat, gx, this.mean, this.acc2, this.inv, this.params[0].ptr);
  }

  /** The C float64 values at ptr (one of the stats; re-made after anything that may allocate). */
  private view(ptr: number): Float64Array {
    return this.ctx.K.f64View(ptr, this.channels);
  }

  free(): void {
    if (this.xhat !== 0) this.ctx.K.free(this.xhat);
    this.ctx.K.free(this.stats);
    this.act.free();
  }
}

/** An activation with nothing before it in its step (first layer, after a reshape, after another activation). */
export class ActivationOp implements Op {
  readonly act: Activation;
  private readonly epilogue;
  private readonly n: number;

  constructor(private readonly ctx: Context, readonly layers: readonly number[], readonly inShape: Shape, spec: ActivationSpec) {
    this.n = size(inShape);
    this.act = new Activation(ctx, spec, this.n);
    this.epilogue = this.act.epilogues(0, BiasAxis.Column)[ctx.batch];
  }

  get outShape(): Shape {
    return this.inShape;
  }

  refresh(): void {}

  forward(rows: number, x: number, y: number): void {
    const { K, dtype, S } = this.ctx;
    K.copy(y, x, rows * this.n * S);
    if (this.act.mask !== 0) K.biasAct(dtype, rows, this.n, y, this.n, this.epilogue);
    this.act.applySmooth(rows, y);
  }

  backward(rows: number, _x: number, y: number, gy: number, gx: number): void {
    this.act.backward(rows, y, gy);
    if (gx !== 0) this.ctx.K.copy(gx, gy, rows * this.n * this.ctx.S);
  }

  tangent(rows: number, tIn: number, tOut: number): void {
    this.act.checkPiecewise(`layer ${this.layers[0]}`);
    if (tOut === 0) return;
    this.ctx.K.copy(tOut, tIn, rows * this.n * this.ctx.S);
    this.act.tangent(rows, tOut);
  }

  free(): void {
    this.act.free();
  }
}
