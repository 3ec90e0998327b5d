/**
 * Optimizers of network parameters θ (training), stepping every trainable Param of a set of networks
 * from its grad buffer (enabled here) and marking the networks changed, so that their compiled programs
 * re-pack the weights. The latent-batch optimizers are in optimizer.ts.
 *
 *  adam     Kingma & Ba (2015), Algorithm 1, arranged as torch.optim.Adam (the `adam` kernel)
 *  rmsprop  Tieleman & Hinton (2012), as torch.optim.RMSprop without momentum or centering:
 *           v ← α·v + (1 − α)·g²,  θ ← θ − lr·g / (√v + ε)
 *  sgd      θ ← θ − lr·g
 *
 * The state (moments and the step count t) is exposed by name, so a training run can save it and
 * resume bit for bit; names follow torch.optim's state keys (exp_avg, exp_avg_sq, square_avg).
 */
import { BYTES } from "../kernels/index.js";
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import type { Param } from "../nn/param.js";

export type ParamOptimizerKind = "adam" | "rmsprop" | "sgd";
export const PARAM_OPTIMIZER_KINDS: readonly ParamOptimizerKind[] = ["adam", "rmsprop", "sgd"];

export interface ParamOptimizerOptions {
  kind: ParamOptimizerKind;
  lr: number;
  /** Adam's β1, β2 (PyTorch's defaults 0.9, 0.999). */
  beta1?: number;
  beta2?: number;
  /** Adam's and RMSProp's ε (PyTorch's 1e-8). */
  eps?: number;
  /** RMSProp's smoothing constant α (PyTorch's 0.99). */
  alpha?: number;
}

/** torch.optim's defaults. */
export const PARAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99 } as const;

/** One state buffer of the optimizer: `${param}.${slot}`, the param's size and dtype, in the heap. */
export interface StateBuffer {
  readonly name: string;
  readonly param: Param;
  readonly ptr: number;
}

export class ParamOptimizer {
  readonly kind: ParamOptimizerKind;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly alpha: number;
  /** Steps taken (Adam's t). */
  t = 0;
  readonly params: readonly Param[];
  /** Moment buffers, zero before the first step: Adam m and v per param, RMSProp v, none for SGD. */
  readonly state: readonly StateBuffer[];
  /** The same buffers by parameter. */
  private readonly slots: StateBuffer[][];

  constructor(readonly networks: readonly Network[], options: ParamOptimizerOptions) {
    const { kind, lr } = options;
    if (!PARAM_OPTIMIZER_KINDS.includes(kind)) throw new InputError(`optimizer must be one of ${PARAM_OPTIMIZER_KINDS.join(", ")}, got "${String(kind)}"`);
    if (!(lr > 0 && Number.isFinite(lr))) throw new InputError(`optimizer: lr must be a positive number, got ${lr}`);
    this.kind = kind;
    this.lr = lr;
    this.beta1 = options.beta1 ?? PARAM_DEFAULTS.beta1;
    this.beta2 = options.beta2 ?? PARAM_DEFAULTS.beta2;
    this.eps = options.eps ?? PARAM_DEFAULTS.eps;
    this.alpha = options.alpha ?? PARAM_DEFAULTS.alpha;
    for (const [name, v] of [["beta1", this.beta1], ["beta2", this.beta2], ["alpha", this.alpha]] as const) {
      if (!(v >= 0 && v < 1)) throw new InputError(`optimizer: ${name} must be in [0, 1), got ${v}`);
    }
    if (!(this.eps > 0 && Number.isFinite(this.eps))) throw new InputError(`optimizer: eps must be a positive number, got ${this.eps}`);
    for (const net of networks) net.enableGrads();
    this.params = networks.flatMap((net) => net.params.filter((p) => p.trainable));
    const slots = kind === "adam" ? ["exp_avg", "exp_avg_sq"] : kind === "rmsprop" ? ["square_avg"] : [];
    this.slots = this.params.map((param) => slots.map((slot) => ({
      name: `${param.name}.${slot}`, param, ptr: param.kernels.calloc(param.size * BYTES[param.dtype]),
    })));
    this.state = this.slots.flat();
  }

  /** θ ← θ − update(∇θ) for every parameter, from the gradients as they are now. */
  step(): void {
    this.t++;
    this.params.forEach((p, i) => {
      const K = p.kernels, [a, b] = this.slots[i];
      if (this.kind === "adam") {
        K.adam(p.dtype, p.size, p.ptr, p.grad, a.ptr, b.ptr, this.lr, this.beta1, this.beta2, this.eps, this.t);
      } else if (this.kind === "rmsprop") {
        this.rmsprop(p, this.values(a));
      } else {
        K.axpy(p.dtype, p.size, -this.lr, p.grad, p.ptr);
      }
    });
    for (const net of this.networks) net.touch();
  }

  /** A view of a state buffer (re-read after any allocation). */
  values(buffer: StateBuffer): Float32Array | Float64Array {
    const { param } = buffer;
    return param.kernels.view(param.dtype, buffer.ptr, param.size);
  }

  free(): void {
    for (const b of this.state) b.param.kernels.free(b.ptr);
  }

  private rmsprop(p: Param, v: Float32Array | Float64Array): void {
    const x = p.values, g = p.grads;
    const { alpha, lr, eps } = this;
    for (let i = 0; i < x.length; i++) {
      v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
      x[i] -= (lr * g[i]) / (Math.sqrt(v[i]) + eps);
    }
  }
}
