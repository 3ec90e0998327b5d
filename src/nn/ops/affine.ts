/**
 * Affine steps y = act(W ∗ x + b): Linear here, the convolutions in conv.ts. In eval mode a following
 * batch norm is folded into W and b (it is affine then: a_c = γ_c/√(var_c + ε), y = a_c·z + β_c − a_c·mean_c),
 * which is also what makes a trained generator piecewise linear for inversion and geometry.
 */
import { BiasAxis, NO_EPILOGUE, type Epilogue, type PackedB } from "../../kernels/index.js";
import { InputError } from "../../errors.js";
import type { Param } from "../param.js";
import { BN_EPS, size, type Shape } from "../spec.js";
import { Activation, type ActivationSpec } from "./activation.js";
import type { Context, Op } from "./op.js";

/** Where the output channels sit in a weight tensor viewed as (outer, channels, inner). */
export interface ChannelAxis {
  outer: number;
  channels: number;
  inner: number;
}

export abstract class AffineOp implements Op {
  readonly act: Activation;
  protected readonly weight: Param;
  protected readonly bias: Param | undefined;
  /** The weight and bias the products use: the parameters, or folded copies. */
  protected effW: number;
  protected effB: number;
  private readonly folded: boolean;
  /** Float64 per-channel sums (bias gradients), channels long. */
  private sums = 0;

  constructor(
    protected readonly ctx: Context,
    readonly layers: readonly number[],
    readonly inShape: Shape,
    readonly outShape: Shape,
    params: readonly Param[],
    private readonly bn: { params: readonly Param[]; eps: number } | undefined,
    act: ActivationSpec | undefined,
    private readonly axis: ChannelAxis,
  ) {
    this.weight = params[0];
    this.bias = params[1];
    this.act = new Activation(ctx, act, size(outShape));
    this.folded = bn !== undefined;
    const { K, S } = ctx;
    this.effW = this.folded ? K.alloc(this.weight.size * S) : this.weight.ptr;
    this.effB = this.folded ? K.alloc(axis.channels * S) : (this.bias?.ptr ?? 0);
  }

  /** Output channels (features for Linear). */
  get channels(): number {
    return this.axis.channels;
  }

  refresh(): void {
    if (this.bn) this.fold(this.bn.params, this.bn.eps);
    this.prepare();
  }

  /** Derived data of a subclass (packed weights), after the effective weights are current. */
  protected prepare(): void {}

  abstract forward(rows: number, x: number, y: number): void;
  abstract backward(rows: number, x: number, y: number, gy: number, gx: number, params: boolean): void;

  /** See Op.tangent: the weight's share δ ⊗ t, then the tangent through the linear part and the activation's mask. */
  tangent(rows: number, tIn: number, tOut: number, gy: number): void {
    this.checkTrainable(true);
    this.act.checkPiecewise(`layers ${this.layers.join(", ")}`);
    this.weightGradient(rows, tIn, gy);
    if (tOut === 0) return;
    this.linear(rows, tIn, tOut);
    this.act.tangent(rows, tOut);
  }

  /** ∂L/∂W += the weight gradient of the cotangent gy (rows × output) at the input t (backward's x, or a tangent of it). */
  protected abstract weightGradient(rows: number, t: number, gy: number): void;
  /** y ← W ∗ x, the linear part alone: no bias, no activation. */
  protected abstract linear(rows: number, x: number, y: number): void;

  /** Parameter gradients need the unfolded layer. */
  protected checkTrainable(params: boolean): void {
    if (params && this.folded) {
      throw new InputError(`layers ${this.layers.join(", ")}: parameter gradients need a "train" program (batch norm is folded in "eval")`);
    }
  }

  /** Add the per-channel sums of gy (rows × channels·spatial) into the bias gradient. */
  protected accumulateBiasGrad(rows: number, gy: number, spatial: number): void {
    if (!this.bias) return;
    const { K, dtype } = this.ctx;
    const n = this.axis.channels * spatial;
    if (this.sums === 0) this.sums = K.alloc(n * 8);
    K.colSums(dtype, rows, n, gy, n, this.sums);
    const sums = K.f64View(this.sums, n), grad = this.bias.grads;
    for (let c = 0; c < this.axis.channels; c++) {
      let s = 0;
      for (let p = 0; p < spatial; p++) s += sums[c * spatial + p];
      grad[c] += s;
    }
  }

  /** W′ = a ⊙ W along the channel axis, b′ = a ⊙ b + β − a ⊙ mean, computed in float64. */
  private fold(bnParams: readonly Param[], eps: number): void {
    const [gamma, beta, mean, variance] = bnParams.map((p) => p.values);
    const { outer, channels, inner } = this.axis;
    const W = this.weight.values, b = this.bias?.values;
    const K = this.ctx.K;
    const effW = K.view(this.ctx.dtype, this.effW, W.length), effB = K.view(this.ctx.dtype, this.effB, channels);
    for (let c = 0; c < channels; c++) {
      const a = gamma[c] / Math.sqrt(variance[c] + eps);
      effB[c] = a * (b ? b[c] : 0) + beta[c] - a * mean[c];
      for (let o = 0; o < outer; o++) {
        const base = (o * channels + c) * inner;
        for (let i = 0; i < inner; i++) effW[base + i] = a * W[base + i];
      }
    }
  }

  free(): void {
    const K = this.ctx.K;
    if (this.folded) {
      K.free(this.effW);
      K.free(this.effB);
    }
    if (this.sums !== 0) K.free(this.sums);
    this.act.free();
  }
}

/** Linear: Y = act(X·Wᵀ + b), W out × in; W is prepacked both ways (forward Wᵀ, backward W). */
export class LinearOp extends AffineOp {
  private readonly epilogues: Epilogue[];
  private packForward: PackedB | undefined;
  private packBackward: PackedB | undefined;
  private readonly nIn: number;
  private readonly nOut: number;

  constructor(ctx: Context, layers: readonly number[], inShape: Shape, outShape: Shape, params: readonly Param[],
              bn: { params: readonly Param[]; eps: number } | undefined, act: ActivationSpec | undefined) {
    super(ctx, layers, inShape, outShape, params, bn, act, { outer: 1, channels: outShape[0], inner: inShape[0] });
    this.nIn = inShape[0];
    this.nOut = outShape[0];
    const e = this.act.epilogues(this.effB, BiasAxis.Column);
    this.epilogues = e;
  }

  protected override prepare(): void {
    const { K, dtype } = this.ctx;
    this.packForward = K.packB(dtype, true, this.nIn, this.nOut, this.effW, this.nIn, this.packForward);
    this.packBackward = K.packB(dtype, false, this.nOut, this.nIn, this.effW, this.nIn, this.packBackward);
  }

  forward(rows: number, x: number, y: number): void {
    const { K, dtype, batch } = this.ctx;
    K.gemmPacked(dtype, false, rows, this.nOut, this.nIn, 1, x, this.nIn, this.packForward!, 0, y, this.nOut, this.epilogues[batch]);
    this.act.applySmooth(rows, y);
  }

  backward(rows: number, x: number, y: number, gy: number, gx: number, params: boolean): void {
    this.checkTrainable(params);
    const { K, dtype } = this.ctx;
    this.act.backward(rows, y, gy);
    if (params) {
      this.weightGradient(rows, x, gy);
      this.accumulateBiasGrad(rows, gy, 1);
    }
    if (gx !== 0) K.gemmPacked(dtype, false, rows, this.nIn, this.nOut, 1, gy, this.nOut, this.packBackward!, 0, gx, this.nIn, NO_EPILOGUE);
  }

  /** ∂L/∂W += gyᵀ·t. */
  protected weightGradient(rows: number, t: number, gy: number): void {
    const { K, dtype } = this.ctx;
    K.gemm(dtype, true, false, this.nOut, this.nIn, rows, 1, gy, this.nOut, t, this.nIn, 1, this.weight.grad, this.nIn);
  }

  protected linear(rows: number, x: number, y: number): void {
    const { K, dtype } = this.ctx;
    K.gemmPacked(dtype, false, rows, this.nOut, this.nIn, 1, x, this.nIn, this.packForward!, 0, y, this.nOut, NO_EPILOGUE);
  }

  override free(): void {
    const K = this.ctx.K;
    if (this.packForward) K.free(this.packForward.ptr);
    if (this.packBackward) K.free(this.packBackward.ptr);
    super.free();
  }
}

export { BN_EPS };
