/**
 * What the training loop (run.ts) asks of a training procedure — VAE (vae.ts) or GAN / WGAN / WGAN-GP
 * (gan.ts) — and the pieces they share: their networks, freshly initialized, and the latent draws.
 */
import { kernels as defaultKernels, BYTES, type Kernels } from "../kernels/index.js";
import { Network } from "../nn/network.js";
import type { ParamOptimizer } from "../optim/params.js";
import { Rng } from "../random/rng.js";
import { generatorSpec, partnerSpec, type TrainConfig } from "./config.js";
import { HYPERPARAMETERS } from "./hyperparameters.js";

/** Losses of one step, means over the batch (named as in the loss log). */
export type Losses = Record<string, number>;

export interface Procedure {
  readonly config: TrainConfig;
  readonly generator: Network;
  /** The VAE's encoder, the GAN's discriminator, the WGAN's critic. */
  readonly partner: Network;
  /** The generator's optimizer, then its partner's. */
  readonly optimizers: readonly ParamOptimizer[];
  /** Generator update `step` (1, 2, …) and the partner updates that precede it; returns the losses. */
  step(step: number): Losses;
  free(): void;
}

/** The generator and its partner of `config`, initialized as PyTorch does from the run's seed. */
export function createNetworks(config: TrainConfig, K: Kernels = defaultKernels): { generator: Network; partner: Network } {
  const generator = new Network(generatorSpec(config), { dtype: config.dtype, kernels: K, seed: `${config.seed}/generator` });
  const partner = new Network(partnerSpec(config), { dtype: config.dtype, kernels: K, seed: `${config.seed}/partner` });
  return { generator, partner };
}

/**
 * The latent draws `what` of step s (and partner iteration i) into `out`: the GAN's noise uniform on
 * [−1, 1]^k, the VAE's ε standard normal. Derived from the seed and the indices alone (resumable).
 */
export function drawLatent(config: TrainConfig, out: Float32Array | Float64Array, ...path: (string | number)[]): void {
  const rng = Rng.derive(config.seed, ...path);
  if (HYPERPARAMETERS[config.model].latent === "uniform") rng.fillUniform(out, -1, 1);
  else rng.fillNormal(out);
}

/** A view of `count` values of the heap at ptr (make a new one after anything that may allocate). */
export function heapView(K: Kernels, config: TrainConfig, ptr: number, count: number): Float32Array | Float64Array {
  return K.view(config.dtype, ptr, count);
}

/** Copy `count` values from src to dst in the heap. */
export function heapCopy(K: Kernels, config: TrainConfig, dst: number, src: number, count: number): void {
  K.copy(dst, src, count * BYTES[config.dtype]);
}
