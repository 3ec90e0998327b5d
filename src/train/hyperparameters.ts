/**
 * The training procedures of Song, Fan & Lafferty 2019, Section 4 and their hyper-parameters, each from its paper, in one
 * table (also in the README of docs/training):
 *
 * | model   | loss                                                        | optimizer (both nets)            | critic steps | other                         |
 * |---------|-------------------------------------------------------------|----------------------------------|--------------|-------------------------------|
 * | vae     | −ELBO: Bernoulli decoder (binary cross-entropy on sigmoid   | Adam lr 1e-3, β = (0.9, 0.999)   | —            | z = μ + σ·ε, ε ~ N(0, I)      |
 * |         | outputs) + KL(N(μ, σ²) ‖ N(0, I)); Kingma & Welling 2014     |                                  |              | (reparameterization)          |
 * | gan     | non-saturating (Goodfellow et al. 2014, Section 3)          | Adam lr 2e-4, β = (0.5, 0.999)   | 1            | DCGAN, Radford et al. 2015    |
 * | wgan    | E D(G(z)) − E D(x) (Arjovsky et al. 2017, Algorithm 1)      | RMSProp lr 5e-5                  | 5            | weights clipped to ±0.01      |
 * | wgan-gp | the same + λ·E(‖∇D(x̂)‖ − 1)² (Gulrajani et al. 2017, eq. 3) | Adam lr 1e-4, β = (0.5, 0.9)     | 5            | λ = 10, x̂ = εx + (1 − ε)G(z)  |
 *
 * Batch 64 throughout. GAN latents are uniform on [−1, 1]^k — the box the inversion experiments draw x*
 * and x_init from (Song, Fan & Lafferty 2019, Section 4); the VAE's prior is N(0, I). WGAN-GP's Algorithm 1 has β1 = 0;
 * β1 = 0.5 is the choice made for this project (as in the authors' DCGAN-critic code). WGAN's reference code
 * also runs 100 critic steps in the first 25 and every 500th generator step; Algorithm 1 does not, nor
 * do we. Generators, discriminators, critics and encoders start from PyTorch's default initialization.
 */
import type { ParamOptimizerOptions } from "../optim/params.js";

export type ModelKind = "vae" | "gan" | "wgan" | "wgan-gp";
/**
 * The training procedures: "vae", "gan", "wgan" and "wgan-gp".
 *
 * @example
 * import { MODEL_KINDS, makeConfig } from "surfing/node";
 * MODEL_KINDS;   // → ["vae", "gan", "wgan", "wgan-gp"]
 * const configs = MODEL_KINDS.map((model) => makeConfig({ model }));
 */
export const MODEL_KINDS: readonly ModelKind[] = ["vae", "gan", "wgan", "wgan-gp"];

export interface Hyperparameters {
  /** What the generator trains against. */
  partner: "encoder" | "discriminator" | "critic";
  /** The optimizer of the generator and of its partner (encoder, discriminator or critic). */
  optimizer: ParamOptimizerOptions;
  /** Partner updates per generator update. */
  criticSteps: number;
  /** WGAN: the partner's parameters are clipped to [−clip, clip] after each of its updates. */
  clip?: number;
  /** WGAN-GP: weight λ of the gradient penalty. */
  penalty?: number;
  /** Batch norm in the discriminator / critic (InfoGAN's); WGAN-GP's critic has none (its penalty is per sample). */
  criticBatchNorm: boolean;
  /** The latent distribution: the VAE's prior, or the GAN's noise. */
  latent: "normal" | "uniform";
}

/**
 * Each procedure's hyper-parameters, from its paper: the optimizer, critic steps per generator step, weight
 * clipping or gradient penalty, and the latent distribution.
 *
 * @example
 * import { HYPERPARAMETERS } from "surfing/node";
 * HYPERPARAMETERS.wgan.criticSteps;   // → 5
 * HYPERPARAMETERS["wgan-gp"].penalty;   // → 10
 */
export const HYPERPARAMETERS: Readonly<Record<ModelKind, Readonly<Hyperparameters>>> = {
  vae: { partner: "encoder", optimizer: { kind: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999 }, criticSteps: 1, criticBatchNorm: true, latent: "normal" },
  gan: { partner: "discriminator", optimizer: { kind: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999 }, criticSteps: 1, criticBatchNorm: true, latent: "uniform" },
  wgan: { partner: "critic", optimizer: { kind: "rmsprop", lr: 5e-5 }, criticSteps: 5, clip: 0.01, criticBatchNorm: true, latent: "uniform" },
  "wgan-gp": { partner: "critic", optimizer: { kind: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.9 }, criticSteps: 5, penalty: 10, criticBatchNorm: false, latent: "uniform" },
};

/** Images per batch (all four procedures). */
export const BATCH = 64;
