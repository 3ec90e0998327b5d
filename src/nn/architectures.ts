/**
 * The generator architectures of the paper's experiments (Song, Fan & Lafferty 2019, Section 4: "the same as those reported
 * by Chen et al. (2016)", InfoGAN) and of the theory.
 *
 *  dcgan(k, width):  FC(k→1024)-BN-ReLU, FC(1024→7·7·128)-BN-ReLU, ConvT(128→64, 4×4, stride 2)-BN-ReLU,
 *                    ConvT(64→1, 4×4, stride 2)-Sigmoid → a 1×28×28 image; every width scaled by `width`.
 *  mlp(k, hidden):   k → n_1 → … → 784 with ReLU between and a Sigmoid output (the expansive family).
 * And what trains them (src/train): the matching discriminators / critics and VAE encoders.
 */
import { InputError } from "../errors.js";
import type { LayerSpec, NetworkSpec } from "./spec.js";

export const IMAGE_SHAPE: [number, number, number] = [1, 28, 28];

/**
 * The paper's DCGAN generator (InfoGAN's): FC-BN-ReLU, FC-BN-ReLU, two transposed convolutions up to a 1×28×28
 * image and a sigmoid, every width scaled by `width`.
 *
 * @example
 * import { dcganGenerator, Network } from "surfing";
 * const G = new Network(dcganGenerator(20, 0.25), { seed: "0" });   // k = 20, a quarter of InfoGAN's widths
 * G.inputSize;   // → 20
 * G.outputSize;   // → 784
 */
export function dcganGenerator(k: number, width = 1): NetworkSpec {
  if (!(width > 0 && Number.isFinite(width))) throw new InputError(`dcgan: width must be a positive number, got ${width}`);
  const fc = Math.max(1, Math.round(1024 * width)), c1 = Math.max(1, Math.round(128 * width)), c2 = Math.max(1, Math.round(64 * width));
  return {
    input: [k],
    layers: [
      { type: "Linear", in_features: k, out_features: fc, bias: true },
      { type: "BatchNorm1d", num_features: fc },
      { type: "ReLU" },
      { type: "Linear", in_features: fc, out_features: 7 * 7 * c1, bias: true },
      { type: "BatchNorm1d", num_features: 7 * 7 * c1 },
      { type: "ReLU" },
      { type: "Unflatten", dim: 1, unflattened_size: [c1, 7, 7] },
      { type: "ConvTranspose2d", in_channels: c1, out_channels: c2, kernel_size: 4, stride: 2, padding: 1, bias: true },
      { type: "BatchNorm2d", num_features: c2 },
      { type: "ReLU" },
      { type: "ConvTranspose2d", in_channels: c2, out_channels: 1, kernel_size: 4, stride: 2, padding: 1, bias: true },
      { type: "Sigmoid" },
      { type: "Flatten" },
    ],
  };
}

/**
 * The expansive MLP generator k → n_1 → … → n_d → n, ReLU between the layers and a sigmoid at the output.
 *
 * @example
 * import { mlpGenerator, Network } from "surfing";
 * const G = new Network(mlpGenerator(2, [8, 16], 10), { seed: "0" });
 * G.parameterCount;   // → 338
 */
export function mlpGenerator(k: number, hidden: readonly number[], n = 784): NetworkSpec {
  const widths = [k, ...hidden, n];
  const layers: LayerSpec[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push({ type: "Linear", in_features: widths[i - 1], out_features: widths[i], bias: true });
    layers.push(i < widths.length - 1 ? { type: "ReLU" } : { type: "Sigmoid" });
  }
  return { input: [k], layers };
}

/**
 * LeakyReLU slope of the discriminators, critics and encoders: 0.2, as in DCGAN (Radford et al. 2015,
 * Section 3) and the WGAN / WGAN-GP reference code.
 */
export const CRITIC_SLOPE = 0.2;

export interface CriticOptions {
  /** Batch norm after the second conv and the first FC (InfoGAN's discriminator); off for WGAN-GP's critic. */
  batchNorm?: boolean;
  /** Outputs: 1 for a discriminator / critic (a logit or a score), 2k for an encoder (μ and log σ²). */
  outputs?: number;
}

/**
 * The discriminator matching dcganGenerator (InfoGAN's, Chen et al. 2016, Appendix C.1), on 784-pixel rows:
 * Conv(1→64, 4×4, stride 2)-LReLU, Conv(64→128, 4×4, stride 2)-[BN]-LReLU, FC(7·7·128→1024)-[BN]-LReLU,
 * FC(1024→outputs); every width scaled by `width` as in the generator.
 */
export function dcganDiscriminator(width = 1, { batchNorm = true, outputs = 1 }: CriticOptions = {}): NetworkSpec {
  if (!(width > 0 && Number.isFinite(width))) throw new InputError(`dcgan: width must be a positive number, got ${width}`);
  const c1 = Math.max(1, Math.round(64 * width)), c2 = Math.max(1, Math.round(128 * width)), fc = Math.max(1, Math.round(1024 * width));
  const lrelu: LayerSpec = { type: "LeakyReLU", negative_slope: CRITIC_SLOPE };
  return {
    input: [IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2]],
    layers: [
      { type: "Unflatten", dim: 1, unflattened_size: [...IMAGE_SHAPE] },
      { type: "Conv2d", in_channels: 1, out_channels: c1, kernel_size: 4, stride: 2, padding: 1, bias: true },
      lrelu,
      { type: "Conv2d", in_channels: c1, out_channels: c2, kernel_size: 4, stride: 2, padding: 1, bias: true },
      ...(batchNorm ? [{ type: "BatchNorm2d", num_features: c2 } as LayerSpec] : []),
      lrelu,
      { type: "Flatten" },
      { type: "Linear", in_features: 7 * 7 * c2, out_features: fc, bias: true },
      ...(batchNorm ? [{ type: "BatchNorm1d", num_features: fc } as LayerSpec] : []),
      lrelu,
      { type: "Linear", in_features: fc, out_features: outputs, bias: true },
    ],
  };
}

/** The VAE encoder of dcganGenerator(k, width): the discriminator's body with 2k outputs (μ, log σ²). */
export function dcganEncoder(k: number, width = 1): NetworkSpec {
  return dcganDiscriminator(width, { batchNorm: true, outputs: 2 * k });
}

/**
 * The discriminator matching mlpGenerator(k, hidden, n): n → n_d → … → n_1 → outputs with LeakyReLU
 * between (the generator's widths in reverse), optionally with batch norm before each LeakyReLU.
 */
export function mlpDiscriminator(hidden: readonly number[], { batchNorm = false, outputs = 1 }: CriticOptions = {}, n = 784): NetworkSpec {
  const widths = [n, ...[...hidden].reverse(), outputs];
  const layers: LayerSpec[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push({ type: "Linear", in_features: widths[i - 1], out_features: widths[i], bias: true });
    if (i < widths.length - 1) {
      if (batchNorm) layers.push({ type: "BatchNorm1d", num_features: widths[i] });
      layers.push({ type: "LeakyReLU", negative_slope: CRITIC_SLOPE });
    }
  }
  return { input: [n], layers };
}

/** The VAE encoder of mlpGenerator(k, hidden, n): n → n_d → … → n_1 → 2k (μ, log σ²). */
export function mlpEncoder(k: number, hidden: readonly number[], n = 784): NetworkSpec {
  return mlpDiscriminator(hidden, { outputs: 2 * k }, n);
}
