/**
 * A network compiled for a batch of `batch` rows (one sample per row) in one mode. Compiling groups the
 * layers into steps: an affine layer (Linear, Conv2d, ConvTranspose2d) with, in eval mode, the batch norm
 * after it folded in, and the activation after that fused (ReLU / LeakyReLU in the gemm epilogue with the
 * activation mask; Sigmoid / Tanh in place); a batch norm that could not be folded, with its activation;
 * or a lone activation. Reshapes (Unflatten, Flatten) cost nothing: NCHW rows are already flat.
 *
 * All buffers are allocated once, here; forward and backward allocate nothing and copy nothing between
 * JS and the heap. Parameters changed since the last run (Network.touch) are re-folded and re-packed.
 */
import { BYTES, type DType, type Kernels } from "../kernels/index.js";
import { InputError } from "../errors.js";
import type { Network } from "./network.js";
import { BN_EPS, size, type LayerSpec, type Shape } from "./spec.js";
import { isActivation } from "./ops/activation.js";
import { LinearOp } from "./ops/affine.js";
import { Conv2dOp, ConvTranspose2dOp } from "./ops/conv.js";
import { ActivationOp, BatchNormOp } from "./ops/batchnorm.js";
import type { Context, Mode, Op } from "./ops/op.js";

export type { Mode };

export class Program {
  readonly ops: Op[];
  /** Activations at each boundary: acts[0] is the input, acts[ops.length] the output (batch × size). */
  readonly acts: number[];
  /** Gradients at each boundary, allocated by the first backward. */
  private grads: number[] = [];
  /** Tangents at each boundary, allocated by the first mixedBackward. */
  private tangents: number[] = [];
  private readonly sizes: number[];
  private readonly ctx: Context;
  private version = -1;

  constructor(readonly net: Network, readonly batch: number, readonly mode: Mode) {
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`program: batch must be a positive integer, got ${batch}`);
    const K = net.kernels;
    this.ctx = { net, K, dtype: net.dtype, S: BYTES[net.dtype], batch, mode };
    this.ops = compile(this.ctx);
    this.sizes = [size(net.inputShape), ...this.ops.map((op) => size(op.outShape))];
    this.acts = this.sizes.map((n) => K.calloc(batch * n * this.ctx.S));
  }

  get kernels(): Kernels {
    return this.ctx.K;
  }
  get dtype(): DType {
    return this.ctx.dtype;
  }
  /** Input buffer (batch × inputSize): write X here, or use setInput. */
  get input(): number {
    return this.acts[0];
  }
  /** Output buffer (batch × outputSize): G(X) after forward. */
  get output(): number {
    return this.acts[this.acts.length - 1];
  }
  /** ∂L/∂G(X), batch × outputSize: write it before backward (backward overwrites it). */
  get gradOutput(): number {
    this.ensureGrads();
    return this.grads[this.grads.length - 1];
  }
  /** ∂L/∂X after backward. */
  get gradInput(): number {
    this.ensureGrads();
    return this.grads[0];
  }

  /** G for the first `rows` rows of the input buffer. */
  forward(rows = this.batch): void {
    this.checkRows(rows);
    if (this.version !== this.net.version) {
      for (const op of this.ops) op.refresh();
      this.version = this.net.version;
    }
    for (let i = 0; i < this.ops.length; i++) this.ops[i].forward(rows, this.acts[i], this.acts[i + 1]);
  }

  /**
   * Backpropagate gradOutput (destroyed) through the last forward: ∂L/∂X into gradInput when `input`, and
   * the parameters' gradients added into their grad buffers (Network.enableGrads) when `params`.
   */
  backward(rows = this.batch, { input = true, params = false }: { input?: boolean; params?: boolean } = {}): void {
    this.checkRows(rows);
    this.ensureGrads();
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const gx = i > 0 || input ? this.grads[i] : 0;
      if (i === 0 && !input && !params) break;
      this.ops[i].backward(rows, this.acts[i], this.acts[i + 1], this.grads[i + 1], gx, params);
    }
  }

  /** The direction u of mixedBackward (batch × inputSize): write it before the call. */
  get direction(): number {
    this.ensureTangents();
    return this.tangents[0];
  }

  /**
   * The mixed second derivative a gradient penalty needs (WGAN-GP: Gulrajani et al. 2017, eq. 3). After
   * forward(rows) and backward(rows, {input: true}) of a cotangent c that does not depend on θ, gradInput
   * holds g = J(x)ᵀc, one row per sample; given u at `direction`, add ∂⟨g, u⟩/∂θ (summed over the rows)
   * into the parameters' gradients. With u = ∂P/∂g this is the θ-gradient of a penalty P(g).
   *
   * The program must be piecewise linear in x: then g = W_1ᵀM_1 W_2ᵀM_2 ⋯ W_LᵀM_L c with the activation
   * masks M_l fixed (almost everywhere), so ⟨g, u⟩ = ⟨c, t_L⟩ for the tangent t_0 = u, t_l = M_l W_l t_{l−1}
   * pushed forward through the linear part, and ∂⟨g, u⟩/∂W_l = δ_l ⊗ t_{l−1}, δ_l = M_l W_{l+1}ᵀ ⋯ M_L c
   * being the backward's cotangent before layer l's activation, which backward left in the gradient
   * buffers. One tangent forward without biases and one weight-gradient product per layer; biases get
   * nothing (g does not depend on them, a.e.). Smooth activations and batch norm are refused.
   */
  mixedBackward(rows = this.batch): void {
    this.checkRows(rows);
    const missing = this.ops.find((op) => op.tangent === undefined);
    if (missing) {
      throw new InputError(`${this.net.describeLayer(missing.layers[0])}: the gradient penalty's second derivative needs a piecewise-linear network without batch norm`);
    }
    this.ensureGrads();
    this.ensureTangents();
    for (let i = 0; i < this.ops.length; i++) {
      this.ops[i].tangent!(rows, this.tangents[i], i + 1 < this.ops.length ? this.tangents[i + 1] : 0, this.grads[i + 1]);
    }
  }

  /** Copy inputs (rows × inputSize values, or a list of rows) into the input buffer. */
  setInput(values: readonly ArrayLike<number>[] | Float32Array | Float64Array): void {
    const n = this.sizes[0];
    const view = this.view(this.input, this.batch * n);
    if (values instanceof Float32Array || values instanceof Float64Array) {
      if (values.length > view.length || values.length % n !== 0) throw new RangeError(`setInput: ${values.length} values are not at most ${this.batch} rows of ${n}`);
      view.set(values);
    } else {
      if (values.length > this.batch) throw new RangeError(`setInput: ${values.length} rows exceed the batch of ${this.batch}`);
      values.forEach((row, r) => {
        if (row.length !== n) throw new RangeError(`setInput: row ${r} has ${row.length} values, the network takes ${n}`);
        view.set(row, r * n);
      });
    }
  }

  /** The first `rows` outputs, as float64 rows. */
  readOutput(rows = this.batch): Float64Array[] {
    const n = this.sizes[this.sizes.length - 1];
    const view = this.view(this.output, rows * n);
    return Array.from({ length: rows }, (_, r) => Float64Array.from(view.subarray(r * n, (r + 1) * n)));
  }

  /** The activation mask (0/1 bytes, batch × size) of the step ending at network layer `layer`, if it has one. */
  mask(layer: number): Uint8Array | undefined {
    const i = this.ops.findIndex((op) => op.layers.includes(layer));
    const act = i < 0 ? undefined : (this.ops[i] as Op & { act?: { mask: number; count: number } }).act;
    if (!act || act.mask === 0) return undefined;
    return this.ctx.K.bytes(act.mask, this.batch * act.count);
  }

  /** A view of a buffer of this program (re-read after any allocation). */
  view(ptr: number, count: number): Float32Array | Float64Array {
    return this.ctx.K.view(this.ctx.dtype, ptr, count);
  }

  free(): void {
    const K = this.ctx.K;
    for (const op of this.ops) op.free();
    for (const p of [...this.acts, ...this.grads, ...this.tangents]) K.free(p);
    this.grads = [];
    this.tangents = [];
  }

  private ensureGrads(): void {
    if (this.grads.length === 0) this.grads = this.sizes.map((n) => this.ctx.K.calloc(this.batch * n * this.ctx.S));
  }

  private ensureTangents(): void {
    if (this.tangents.length === 0) this.tangents = this.sizes.slice(0, -1).map((n) => this.ctx.K.calloc(this.batch * n * this.ctx.S));
  }

  private checkRows(rows: number): void {
    if (!Number.isInteger(rows) || rows < 0 || rows > this.batch) throw new RangeError(`program: rows must be an integer in [0, ${this.batch}], got ${rows}`);
  }
}

/** Group the layers into steps (see the header). */
function compile(ctx: Context): Op[] {
  const { net } = ctx;
  const layers = net.spec.layers, shapes = net.shapes;
  const ops: Op[] = [];
  let i = 0;
  while (i < layers.length) {
    const layer = layers[i];
    const inShape: Shape = shapes[i];
    if (layer.type === "Unflatten" || layer.type === "Flatten") {
      i++;
      continue;
    }
    const start = i;
    if (layer.type === "Linear" || layer.type === "Conv2d" || layer.type === "ConvTranspose2d") {
      i++;
      let bn: { params: Network["layerParams"][number]; eps: number } | undefined;
      const next = layers[i];
      if (ctx.mode === "eval" && (next?.type === "BatchNorm1d" || next?.type === "BatchNorm2d")) {
        bn = { params: net.layerParams[i], eps: next.eps ?? BN_EPS };
        i++;
      }
      const act = isActivation(layers[i]) ? (layers[i++] as Extract<LayerSpec, { type: "ReLU" | "LeakyReLU" | "Sigmoid" | "Tanh" }>) : undefined;
      const outShape = shapes[i];
      const ids = range(start, i);
      const params = net.layerParams[start];
      if (layer.type === "Linear") ops.push(new LinearOp(ctx, ids, inShape, outShape, params, bn, act));
      else if (layer.type === "Conv2d") ops.push(new Conv2dOp(ctx, ids, inShape, outShape, params, bn, act, layer));
      else ops.push(new ConvTranspose2dOp(ctx, ids, inShape, outShape, params, bn, act, layer));
    } else if (layer.type === "BatchNorm1d" || layer.type === "BatchNorm2d") {
      i++;
      const act = isActivation(layers[i]) ? (layers[i++] as Extract<LayerSpec, { type: "ReLU" | "LeakyReLU" | "Sigmoid" | "Tanh" }>) : undefined;
      ops.push(new BatchNormOp(ctx, range(start, i), inShape, layer, net.layerParams[start], act, net.batchesTracked[start]));
    } else if (isActivation(layer)) {
      i++;
      ops.push(new ActivationOp(ctx, [start], inShape, layer));
    } else {
      throw new Error(`unreachable: layer type ${layer.type}`);
    }
  }
  return ops;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, j) => a + j);
}
