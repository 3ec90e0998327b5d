/**
 * Convolutions by im2col / col2im and one gemm per chunk of samples, in PyTorch's NCHW layout.
 *   Conv2d           Y = W · [im2col(x_1) … im2col(x_B)] + b        W: Cout × (Cin·kh·kw)
 *   ConvTranspose2d  y_s = col2im(Wᵀ · X)_s + b, X = [x_1 … x_B]      W: Cin × (Cout·kh·kw)   (the adjoint of a Conv2d)
 * The columns of all samples of a chunk sit side by side (leading dimension chunk·oh·ow), so a chunk of
 * samples costs one matrix product per layer, the chunk sized to keep the columns in cache.
 * The grid-side activations are channel-major (C × chunk·oh·ow) for the product and are permuted to and from
 * the sample-major NCHW layout every other layer, the activation mask included, uses.
 * The im2col geometry is always that of the Conv2d: image (channels, H, W) → grid (oh, ow).
 */
import { BiasAxis, type Epilogue } from "../../kernels/index.js";
import { InputError } from "../../errors.js";
import type { Param } from "../param.js";
import { pair, type LayerSpec, type Shape } from "../spec.js";
import type { ActivationSpec } from "./activation.js";
import { AffineOp } from "./affine.js";
import type { Context } from "./op.js";

type ConvSpec = Extract<LayerSpec, { type: "Conv2d" | "ConvTranspose2d" }>;

/**
 * Elements of a conv layer's column buffer, read when a program is compiled. The generators' convolutions have
 * few input channels, so their products are memory-bound: a chunk must keep its columns in cache, and one
 * product over a whole batch of 300 is slower than one per sample (dcgan ×¼, B = 300, forward + backward:
 * 4 Mi elements 12–14 steps/s, 1 Mi 14, 256 Ki 17, per sample 15; best of three, on a loaded machine).
 * 256 Ki (1 MB in float32) still joins tens of samples per product. The tests shrink it to exercise chunking.
 */
export const convColumns = { budget: 1 << 18 };

interface Geometry {
  /** The image side of im2col: channels, height, width. */
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  /** The grid side: output positions of the equivalent Conv2d. */
  oh: number;
  ow: number;
}

abstract class ConvOp extends AffineOp {
  protected readonly g: Geometry;
  /** Rows of a sample's column matrix (image channels · kh · kw) and its columns (oh · ow). */
  protected readonly colRows: number;
  protected readonly colCols: number;
  /** Channels on the grid side (Cout of a Conv2d, Cin of a ConvTranspose2d). */
  protected readonly gridChannels: number;
  /** Samples per product. */
  protected readonly chunk: number;
  /** colRows × chunk·colCols columns; gridChannels × chunk·colCols channel-major activations. */
  protected readonly cols: number;
  protected readonly channelMajor: number;
  protected readonly epilogues: Epilogue[];
  protected readonly inSize: number;
  protected readonly outSize: number;

  constructor(ctx: Context, layers: readonly number[], inShape: Shape, outShape: Shape, params: readonly Param[],
              bn: { params: readonly Param[]; eps: number } | undefined, act: ActivationSpec | undefined, spec: ConvSpec) {
    const [kh, kw] = pair(spec.kernel_size, 1), [sh, sw] = pair(spec.stride, 1), [ph, pw] = pair(spec.padding, 0);
    if (sh !== sw || ph !== pw) throw new InputError(`layer ${layers[0]} (${spec.type}): only equal stride and padding along height and width are supported`);
    const transposed = spec.type === "ConvTranspose2d";
    super(ctx, layers, inShape, outShape, params, bn, act,
      transposed ? { outer: spec.in_channels, channels: spec.out_channels, inner: kh * kw } : { outer: 1, channels: spec.out_channels, inner: spec.in_channels * kh * kw });
    const [image, grid] = transposed ? [outShape, inShape] : [inShape, outShape];
    this.g = { c: image[0], h: image[1], w: image[2], kh, kw, stride: sh, pad: ph, oh: grid[1], ow: grid[2] };
    this.colRows = image[0] * kh * kw;
    this.colCols = grid[1] * grid[2];
    this.gridChannels = grid[0];
    this.chunk = Math.max(1, Math.min(ctx.batch, Math.floor(convColumns.budget / Math.max(1, this.colRows * this.colCols))));
    this.cols = ctx.K.alloc(this.colRows * this.chunk * this.colCols * ctx.S);
    this.channelMajor = ctx.K.alloc(this.gridChannels * this.chunk * this.colCols * ctx.S);
    this.epilogues = this.act.epilogues(this.effB, BiasAxis.Row);
    this.inSize = inShape[0] * inShape[1] * inShape[2];
    this.outSize = outShape[0] * outShape[1] * outShape[2];
  }

  /** Columns of samples first..first+n−1 of `images` (samples `size` apart), side by side in this.cols. */
  protected im2col(images: number, size: number, first: number, n: number): void {
    const { g, ctx } = this;
    ctx.K.im2colBatch(ctx.dtype, n, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow, images + first * size * ctx.S, this.cols);
  }

  /** images_s ← col2im(this.cols)_s for samples first..first+n−1 (col2imBatch zeroes each image first: col2im adds). */
  protected col2im(images: number, size: number, first: number, n: number): void {
    const { g, ctx } = this;
    ctx.K.col2imBatch(ctx.dtype, n, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow, this.cols, images + first * size * ctx.S);
  }

  /**
   * Between the grid side's sample-major layout (samples × C × P, P = oh·ow) and this.channelMajor (C × n·P):
   * toChannelMajor copies samples first..first+n−1 in, otherwise out.
   */
  protected permute(samples: number, first: number, n: number, toChannelMajor: boolean): void {
    const { K, dtype, S } = this.ctx, C = this.gridChannels, P = this.colCols;
    K.permute(dtype, n, C, P, samples + first * C * P * S, this.channelMajor, toChannelMajor);
  }

  /** Bias and piecewise activation (recording the mask) on samples first..first+n−1 of the output y. */
  protected biasAct(y: number, first: number, n: number): void {
    if (this.effB === 0 && this.act.mask === 0) return;
    const { K, dtype, S } = this.ctx, cout = this.outShape[0], spatial = this.outSize / cout;
    for (let s = first; s < first + n; s++) K.biasAct(dtype, cout, spatial, y + s * this.outSize * S, spatial, this.epilogues[s]);
  }

  forward(rows: number, x: number, y: number): void {
    for (let first = 0; first < rows; first += this.chunk) {
      const n = Math.min(this.chunk, rows - first);
      this.linearChunk(x, y, first, n);
      this.biasAct(y, first, n);
    }
    this.act.applySmooth(rows, y);
  }

  protected linear(rows: number, x: number, y: number): void {
    for (let first = 0; first < rows; first += this.chunk) this.linearChunk(x, y, first, Math.min(this.chunk, rows - first));
  }

  protected weightGradient(rows: number, t: number, gy: number): void {
    for (let first = 0; first < rows; first += this.chunk) {
      const n = Math.min(this.chunk, rows - first);
      this.cotangentChunk(gy, first, n);
      this.weightGradientChunk(t, first, n);
    }
  }

  /** The linear part (no bias) of samples first..first+n−1, into y (sample-major). */
  protected abstract linearChunk(x: number, y: number, first: number, n: number): void;
  /** Put the chunk of the output cotangent gy where weightGradientChunk reads it. */
  protected abstract cotangentChunk(gy: number, first: number, n: number): void;
  /** ∂L/∂W += the chunk's outer products of the cotangent (placed by cotangentChunk) and the inputs t. */
  protected abstract weightGradientChunk(t: number, first: number, n: number): void;

  override free(): void {
    this.ctx.K.free(this.cols);
    this.ctx.K.free(this.channelMajor);
    super.free();
  }
}

export class Conv2dOp extends ConvOp {
  backward(rows: number, x: number, y: number, gy: number, gx: number, params: boolean): void {
    this.checkTrainable(params);
    const { K, dtype } = this.ctx, cout = this.outShape[0];
    this.act.backward(rows, y, gy);
    if (params) this.accumulateBiasGrad(rows, gy, this.colCols);
    for (let first = 0; first < rows; first += this.chunk) {
      const n = Math.min(this.chunk, rows - first), N = n * this.colCols;
      this.cotangentChunk(gy, first, n);
      if (params) this.weightGradientChunk(x, first, n);
      if (gx !== 0) {
        // ∂L/∂x_s = col2im(Wᵀ · GY)_s
        K.gemm(dtype, true, false, this.colRows, N, cout, 1, this.effW, this.colRows, this.channelMajor, N, 0, this.cols, N);
        this.col2im(gx, this.inSize, first, n);
      }
    }
  }

  /** GY, the chunk of gy, where weightGradientChunk reads it: channel-major. */
  protected cotangentChunk(gy: number, first: number, n: number): void {
    this.permute(gy, first, n, true);
  }

  /** Y = W · [im2col(x_s)] for samples first..first+n−1, into y (sample-major). */
  protected linearChunk(x: number, y: number, first: number, n: number): void {
    const { K, dtype } = this.ctx, N = n * this.colCols;
    this.im2col(x, this.inSize, first, n);
    K.gemm(dtype, false, false, this.outShape[0], N, this.colRows, 1, this.effW, this.colRows, this.cols, N, 0, this.channelMajor, N);
    this.permute(y, first, n, false);
  }

  /** ∂L/∂W += GY · [im2col(t_s)]ᵀ for samples first..first+n−1, GY (the chunk of gy) already in channelMajor. */
  protected weightGradientChunk(t: number, first: number, n: number): void {
    const { K, dtype } = this.ctx, N = n * this.colCols;
    this.im2col(t, this.inSize, first, n);
    K.gemm(dtype, false, true, this.outShape[0], this.colRows, N, 1, this.channelMajor, N, this.cols, N, 1, this.weight.grad, this.colRows);
  }
}

export class ConvTranspose2dOp extends ConvOp {
  backward(rows: number, x: number, y: number, gy: number, gx: number, params: boolean): void {
    this.checkTrainable(params);
    const { K, dtype } = this.ctx, cin = this.inShape[0];
    this.act.backward(rows, y, gy);
    if (params) this.accumulateBiasGrad(rows, gy, this.outSize / this.outShape[0]);
    for (let first = 0; first < rows; first += this.chunk) {
      const n = Math.min(this.chunk, rows - first), N = n * this.colCols;
      this.cotangentChunk(gy, first, n);
      if (params) this.weightGradientChunk(x, first, n);
      if (gx !== 0) {
        K.gemm(dtype, false, false, cin, N, this.colRows, 1, this.effW, this.colRows, this.cols, N, 0, this.channelMajor, N);
        this.permute(gx, first, n, false);
      }
    }
  }

  /** im2col(GY), the chunk of gy's columns, where weightGradientChunk reads it. */
  protected cotangentChunk(gy: number, first: number, n: number): void {
    this.im2col(gy, this.outSize, first, n);
  }

  /** y_s = col2im(Wᵀ · X)_s for samples first..first+n−1. */
  protected linearChunk(x: number, y: number, first: number, n: number): void {
    const { K, dtype } = this.ctx, N = n * this.colCols;
    this.permute(x, first, n, true);
    K.gemm(dtype, true, false, this.colRows, N, this.inShape[0], 1, this.effW, this.colRows, this.channelMajor, N, 0, this.cols, N);
    this.col2im(y, this.outSize, first, n);
  }

  /** ∂L/∂W += T · im2col(GY)ᵀ for samples first..first+n−1 (T the chunk of t, channel-major), im2col(GY) already in cols. */
  protected weightGradientChunk(t: number, first: number, n: number): void {
    const { K, dtype } = this.ctx, N = n * this.colCols;
    this.permute(t, first, n, true);
    K.gemm(dtype, false, true, this.inShape[0], this.colRows, N, 1, this.channelMajor, N, this.cols, N, 1, this.weight.grad, this.colRows);
  }
}
