/**
 * The activation that ends a step: ReLU / LeakyReLU (piecewise linear: applied in the gemm epilogue,
 * recording the activation mask, the network's activation pattern) or Sigmoid / Tanh (smooth:
 * applied in place after the step, differentiated from its output).
 */
import { Act, BiasAxis, type Epilogue } from "../../kernels/index.js";
import { InputError } from "../../errors.js";
import { LEAKY_SLOPE, type LayerSpec } from "../spec.js";
import type { Context } from "./op.js";

export type ActivationSpec = Extract<LayerSpec, { type: "ReLU" | "LeakyReLU" | "Sigmoid" | "Tanh" }>;

export function isActivation(layer: LayerSpec | undefined): layer is ActivationSpec {
  return layer !== undefined && (layer.type === "ReLU" || layer.type === "LeakyReLU" || layer.type === "Sigmoid" || layer.type === "Tanh");
}

export class Activation {
  readonly code: Act;
  readonly slope: number;
  readonly smooth: "Sigmoid" | "Tanh" | undefined;
  /** Activation mask, batch × count bytes (piecewise only; 0 otherwise). */
  readonly mask: number;

  constructor(
    private readonly ctx: Context,
    spec: ActivationSpec | undefined,
    /** Elements per sample. */
    readonly count: number,
  ) {
    this.code = spec?.type === "ReLU" ? Act.ReLU : spec?.type === "LeakyReLU" ? Act.LeakyReLU : Act.None;
    this.slope = spec?.type === "LeakyReLU" ? (spec.negative_slope ?? LEAKY_SLOPE) : 0;
    this.smooth = spec?.type === "Sigmoid" || spec?.type === "Tanh" ? spec.type : undefined;
    this.mask = this.code === Act.None ? 0 : ctx.K.calloc(ctx.batch * count);
  }

  /**
   * Epilogues for the gemm or biasAct that produces this output, one per sample (so that per-sample
   * products write their own slice of the mask) plus one for the whole batch (index `batch`); built
   * once, so the hot loop allocates nothing.
   */
  epilogues(bias: number, biasAxis: BiasAxis): Epilogue[] {
    const out: Epilogue[] = [];
    for (let s = 0; s <= this.ctx.batch; s++) {
      const mask = this.mask === 0 ? 0 : this.mask + (s === this.ctx.batch ? 0 : s * this.count);
      out.push(Object.freeze({ bias, biasAxis, act: this.code, slope: this.slope, mask }));
    }
    return out;
  }

  /** Apply a smooth activation in place to rows × count outputs (piecewise ones are in the epilogue). */
  applySmooth(rows: number, y: number): void {
    const { K, dtype } = this.ctx;
    if (this.smooth === "Sigmoid") K.sigmoid(dtype, rows * this.count, y, y);
    else if (this.smooth === "Tanh") K.tanh(dtype, rows * this.count, y, y);
  }

  /** gy ← gy ⊙ act'(·), in place, from the mask or the output y. */
  backward(rows: number, y: number, gy: number): void {
    const { K, dtype } = this.ctx;
    if (this.code !== Act.None) K.actBackward(dtype, rows, this.count, gy, this.count, this.mask, this.code, this.slope);
    else if (this.smooth === "Sigmoid") K.sigmoidBackward(dtype, rows * this.count, y, gy);
    else if (this.smooth === "Tanh") K.tanhBackward(dtype, rows * this.count, y, gy);
  }

  /**
   * Refuse a smooth activation where a step must be piecewise linear (`where` names the step): its
   * Jacobian is not constant on a region, and second derivatives would need its curvature.
   */
  checkPiecewise(where: string): void {
    if (this.smooth) throw new InputError(`${where}: ${this.smooth} is not piecewise linear (the gradient penalty's second derivative needs ReLU or LeakyReLU)`);
  }

  /** t ← act′ ⊙ t at the recorded activation pattern: the activation's Jacobian (ReLU / LeakyReLU), in place. */
  tangent(rows: number, t: number): void {
    const { K, dtype } = this.ctx;
    if (this.code !== Act.None) K.actBackward(dtype, rows, this.count, t, this.count, this.mask, this.code, this.slope);
  }

  free(): void {
    if (this.mask !== 0) this.ctx.K.free(this.mask);
  }
}

export { BiasAxis };
