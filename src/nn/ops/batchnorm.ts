/**
 * Batch normalization (Ioffe & Szegedy 2015) as PyTorch computes it, for BatchNorm1d ([features]) and
 * BatchNorm2d ([channels, H, W], statistics over samples and positions), followed by an optional
 * activation. Train mode: batch mean and biased variance normalize; the running statistics move by
 * `momentum` towards the batch mean and the *unbiased* variance. Eval mode (when it could not be
 * folded into a preceding affine layer): running statistics.
 *
 * Plain TypeScript over heap views, in float64 arithmetic, shared by both backends: batch norm is not in
 * the inversion hot loop (eval programs fold it), and its reductions are cheap next to the products.
 */
import type { Param } from "../param.js";
import { BN_EPS, BN_MOMENTUM, size, type LayerSpec, type Shape } from "../spec.js";
import { Activation, BiasAxis, type ActivationSpec } from "./activation.js";
import type { Context, Op } from "./op.js";

type BNSpec = Extract<LayerSpec, { type: "BatchNorm1d" | "BatchNorm2d" }>;
type Floats = Float32Array | Float64Array;

export class BatchNormOp implements Op {
  readonly act: Activation;
  private readonly channels: number;
  private readonly spatial: number;
  private readonly eps: number;
  private readonly momentum: number;
  /** x̂ = (x − mean)·inv of the last train forward (batch × size), and the per-channel inv = 1/√(var + ε). */
  private readonly xhat: number;
  private readonly inv: Float64Array;
  /** Per-channel sums: the batch mean (eval: the shift) and Σ(x − mean)² forward, Σg and Σg·x̂ backward. */
  private readonly mean: Float64Array;
  private readonly acc2: Float64Array;
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
    this.xhat = ctx.mode === "train" ? ctx.K.heap.alloc(ctx.batch * size(inShape) * ctx.S) : 0;
    this.inv = new Float64Array(this.channels);
    this.mean = new Float64Array(this.channels);
    this.acc2 = new Float64Array(this.channels);
    this.epilogue = this.act.epilogues(0, BiasAxis.Column)[ctx.batch];
  }

  get outShape(): Shape {
    return this.inShape;
  }

  refresh(): void {}

  forward(rows: number, x: number, y: number): void {
    const { ctx, channels: C, spatial: P, mean, inv } = this;
    const [gamma, beta, runMean, runVar] = this.params.map((p) => p.values);
    const X = this.view(x, rows), Y = this.view(y, rows), n = C * P;
    if (ctx.mode === "train") {
      const N = rows * P, sq = this.acc2;
      channelSums(X, undefined, rows, C, P, mean, undefined);
      for (let c = 0; c < C; c++) mean[c] /= N;
      squaredDeviations(X, rows, C, P, mean, sq);
      for (let c = 0; c < C; c++) {
        const variance = sq[c] / N;
        inv[c] = 1 / Math.sqrt(variance + this.eps);
        runMean[c] = (1 - this.momentum) * runMean[c] + this.momentum * mean[c];
        runVar[c] = (1 - this.momentum) * runVar[c] + this.momentum * (N > 1 ? (sq[c] / (N - 1)) : variance);
      }
      normalize(X, this.view(this.xhat, rows), Y, rows, C, P, mean, inv, gamma, beta);
      this.tracked.count++;
    } else {
      for (let c = 0; c < C; c++) {
        inv[c] = gamma[c] / Math.sqrt(runVar[c] + this.eps);
        mean[c] = beta[c] - inv[c] * runMean[c];   // the shift b = β − a·mean
      }
      scaleShift(X, Y, rows, C, P, inv, mean);
    }
    if (this.act.mask !== 0) ctx.K.biasAct(ctx.dtype, rows, n, y, n, this.epilogue);
    this.act.applySmooth(rows, y);
  }

  backward(rows: number, _x: number, y: number, gy: number, gx: number, params: boolean): void {
    const { ctx, channels: C, spatial: P, inv } = this;
    this.act.backward(rows, y, gy);
    const G = this.view(gy, rows);
    const GX = gx !== 0 ? this.view(gx, rows) : undefined;
    if (ctx.mode !== "train") {
      if (params) throw new RangeError(`layer ${this.layers[0]}: parameter gradients of batch norm need a "train" program`);
      if (GX) scaleShift(G, GX, rows, C, P, inv, undefined);
      return;
    }
    const Xh = this.view(this.xhat, rows), gamma = this.params[0].values, N = rows * P;
    const sumG = this.mean, sumGX = this.acc2;
    channelSums(G, Xh, rows, C, P, sumG, sumGX);
    if (params) {
      const dGamma = this.params[0].grads, dBeta = this.params[1].grads;
      for (let c = 0; c < C; c++) {
        dGamma[c] += sumGX[c];
        dBeta[c] += sumG[c];
      }
    }
    if (GX) inputGradient(G, Xh, GX, rows, C, P, N, gamma, inv, sumG, sumGX);
  }

  private view(ptr: number, rows: number): Floats {
    const buf = this.ctx.K.heap.memory.buffer, len = rows * size(this.inShape);
    return this.ctx.dtype === "f32" ? new Float32Array(buf, ptr, len) : new Float64Array(buf, ptr, len);
  }

  free(): void {
    if (this.xhat !== 0) this.ctx.K.heap.free(this.xhat);
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
    K.heap.u8.copyWithin(y, x, x + rows * this.n * S);
    if (this.act.mask !== 0) K.biasAct(dtype, rows, this.n, y, this.n, this.epilogue);
    this.act.applySmooth(rows, y);
  }

  backward(rows: number, _x: number, y: number, gy: number, gx: number): void {
    this.act.backward(rows, y, gy);
    if (gx !== 0) this.ctx.K.heap.u8.copyWithin(gx, gy, gy + rows * this.n * this.ctx.S);
  }

  tangent(rows: number, tIn: number, tOut: number): void {
    this.act.checkPiecewise(`layer ${this.layers[0]}`);
    if (tOut === 0) return;
    this.ctx.K.heap.u8.copyWithin(tOut, tIn, tIn + rows * this.n * this.ctx.S);
    this.act.tangent(rows, tOut);
  }

  free(): void {
    this.act.free();
  }
}

// The loops of batch norm, each in a function of its own (V8 optimizes a small hot loop once, where one
// function of several big loops is deoptimized again and again), all over the rows in memory order:
// x[s][c][p] at s·C·P + c·P + p. A channel's sums still add its elements sample by sample, position by
// position.

/** sum[c] = Σ_{s,p} a, and sum2[c] = Σ_{s,p} a·b when b is given. */
function channelSums(a: Floats, b: Floats | undefined, rows: number, C: number, P: number, sum: Float64Array, sum2: Float64Array | undefined): void {
  sum.fill(0);
  sum2?.fill(0);
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      let t = sum[c], t2 = sum2 ? sum2[c] : 0;
      if (b) {
        for (let p = 0; p < P; p++, i++) {
          t += a[i];
          t2 += a[i] * b[i];
        }
      } else {
        for (let p = 0; p < P; p++, i++) t += a[i];
      }
      sum[c] = t;
      if (sum2) sum2[c] = t2;
    }
  }
}

/** sq[c] = Σ_{s,p} (x − mean_c)². */
function squaredDeviations(X: Floats, rows: number, C: number, P: number, mean: Float64Array, sq: Float64Array): void {
  sq.fill(0);
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const m = mean[c];
      let t = sq[c];
      for (let p = 0; p < P; p++, i++) t += (X[i] - m) * (X[i] - m);
      sq[c] = t;
    }
  }
}

/** x̂ = (x − mean)·inv (stored, then read back at the stored precision), y = γ·x̂ + β. */
function normalize(X: Floats, Xh: Floats, Y: Floats, rows: number, C: number, P: number, mean: Float64Array, inv: Float64Array, gamma: Floats, beta: Floats): void {
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const m = mean[c], k = inv[c], g = gamma[c], b = beta[c];
      for (let p = 0; p < P; p++, i++) {
        Xh[i] = (X[i] - m) * k;
        Y[i] = g * Xh[i] + b;
      }
    }
  }
}

/** y = a_c·x + b_c (b omitted: 0). */
function scaleShift(X: Floats, Y: Floats, rows: number, C: number, P: number, a: Float64Array, b: Float64Array | undefined): void {
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const k = a[c], d = b ? b[c] : 0;
      for (let p = 0; p < P; p++, i++) Y[i] = b ? k * X[i] + d : k * X[i];
    }
  }
}

/** ∂L/∂x = γ·inv/N · (N·g − Σg − x̂·Σ(g·x̂)). */
function inputGradient(G: Floats, Xh: Floats, GX: Floats, rows: number, C: number, P: number, N: number, gamma: Floats, inv: Float64Array,
                       sumG: Float64Array, sumGX: Float64Array): void {
  for (let s = 0, i = 0; s < rows; s++) {
    for (let c = 0; c < C; c++) {
      const k = (gamma[c] * inv[c]) / N, a = sumG[c], b = sumGX[c];
      for (let p = 0; p < P; p++, i++) GX[i] = k * (N * G[i] - a - Xh[i] * b);
    }
  }
}
