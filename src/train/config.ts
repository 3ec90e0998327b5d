/**
 * What a training run is: the procedure, the architecture and its size, the schedule and the seed. It is
 * stored with the run's state, so that --resume continues the same run; each check names its `surf train` flag.
 */
import type { DType } from "../kernels/index.js";
import { InputError } from "../errors.js";
import { dcganDiscriminator, dcganEncoder, dcganGenerator, mlpDiscriminator, mlpEncoder, mlpGenerator } from "../nn/architectures.js";
import type { NetworkSpec } from "../nn/spec.js";
import { BATCH, HYPERPARAMETERS, MODEL_KINDS, type ModelKind } from "./hyperparameters.js";

export type ArchKind = "dcgan" | "mlp";
export const ARCH_KINDS: readonly ArchKind[] = ["dcgan", "mlp"];

/**
 * The dcgan width multiplier by default: ¼ of InfoGAN's widths (FC 256, 7·7·32, ConvT 32→16→1). With it a
 * T = 100 sequence (4,000 steps of 64) of the VAE or the GAN takes about 7 minutes on the shared 2-core
 * machine of bench/train.ts (4–6 minutes of CPU); twice as wide would take about four times as long. The
 * WGANs update their critic 5 times per step and take 4–6 times longer at any width
 * (bench/results/train.json).
 */
export const DEFAULT_WIDTH = 0.25;
/** The mlp generator's hidden widths by default (k → 256 → 512 → 784, expansive). */
export const DEFAULT_HIDDEN: readonly number[] = [256, 512];
/** Seed 000 Section 4: θ_t every 40 steps, T = 100. */
export const DEFAULT_EVERY = 40;
export const DEFAULT_STEPS = 4000;

export interface TrainConfig {
  model: ModelKind;
  arch: ArchKind;
  /** Latent dimension k. */
  latent: number;
  /** dcgan: the width multiplier. */
  width: number;
  /** mlp: the hidden widths n_1, …, n_d. */
  hidden: number[];
  /** Generator updates, and a checkpoint every `every` of them (steps = T·every). */
  steps: number;
  every: number;
  batch: number;
  seed: string;
  /** Float32 for training (DESIGN: Numbers); float64 for the gradient tests. */
  dtype: DType;
}

/** A configuration from the given fields; a field left out or undefined takes its default. */
export function makeConfig(partial: Partial<TrainConfig> & { model: ModelKind }): TrainConfig {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainConfig> & { model: ModelKind };
  const config: TrainConfig = {
    arch: "dcgan", latent: 20, width: DEFAULT_WIDTH, hidden: [...DEFAULT_HIDDEN], steps: DEFAULT_STEPS, every: DEFAULT_EVERY,
    batch: BATCH, seed: "0", dtype: "f32", ...given,
  };
  checkConfig(config);
  return config;
}

export function checkConfig(c: TrainConfig): void {
  const positiveInt = (flag: string, v: unknown) => {
    if (!(Number.isSafeInteger(v) && (v as number) >= 1)) throw new InputError(`--${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  };
  if (!MODEL_KINDS.includes(c.model)) throw new InputError(`--model must be one of ${MODEL_KINDS.join(", ")}, got "${c.model}"`);
  if (!ARCH_KINDS.includes(c.arch)) throw new InputError(`--arch must be one of ${ARCH_KINDS.join(", ")}, got "${c.arch}"`);
  positiveInt("latent", c.latent);
  positiveInt("steps", c.steps);
  positiveInt("every", c.every);
  positiveInt("batch", c.batch);
  if (!(c.width > 0 && Number.isFinite(c.width))) throw new InputError(`--width must be a positive number, got ${c.width}`);
  if (!Array.isArray(c.hidden) || c.hidden.length === 0) throw new InputError("--hidden must list at least one width");
  c.hidden.forEach((n) => positiveInt("hidden", n));
  if (c.steps % c.every !== 0) throw new InputError(`--steps (${c.steps}) must be a multiple of --every (${c.every}): the sequence is θ_0, θ_every, …, θ_steps`);
  if (c.dtype !== "f32" && c.dtype !== "f64") throw new InputError(`dtype must be f32 or f64, got ${String(c.dtype)}`);
}

export function generatorSpec(c: TrainConfig): NetworkSpec {
  return c.arch === "dcgan" ? dcganGenerator(c.latent, c.width) : mlpGenerator(c.latent, c.hidden);
}

/** The generator's partner: the VAE's encoder, the GAN's discriminator or the WGAN's critic. */
export function partnerSpec(c: TrainConfig): NetworkSpec {
  if (c.model === "vae") return c.arch === "dcgan" ? dcganEncoder(c.latent, c.width) : mlpEncoder(c.latent, c.hidden);
  const batchNorm = HYPERPARAMETERS[c.model].criticBatchNorm;
  return c.arch === "dcgan" ? dcganDiscriminator(c.width, { batchNorm }) : mlpDiscriminator(c.hidden, { batchNorm });
}
