/**
 * What a training run is: the procedure, the architecture and its size, the schedule and the seed. It is
 * stored with the run's state, so that --resume continues the same run; each check names its `surf train` flag.
 */
import type { DType } from "../kernels/index.js";
import { InputError } from "../errors.js";
import { dcganDiscriminator, dcganEncoder, dcganGenerator, mlpDiscriminator, mlpEncoder, mlpGenerator } from "../nn/architectures.js";
import { checkedShapes, MAX_TENSOR_VALUES } from "../nn/network.js";
import { size, type NetworkSpec } from "../nn/spec.js";
import { BATCH, HYPERPARAMETERS, MODEL_KINDS, type ModelKind } from "./hyperparameters.js";

export type ArchKind = "dcgan" | "mlp";
export const ARCH_KINDS: readonly ArchKind[] = ["dcgan", "mlp"];

/**
 * The dcgan width multiplier by default: ¼ of InfoGAN's widths (FC 256, 7·7·32, ConvT 32→16→1). With it a
 * T = 100 sequence (4,000 steps of 64) of the VAE or the GAN takes about 4–5 minutes of CPU
 * (bench/results/train.json); twice as wide would take about four times as long.
 */
export const DEFAULT_WIDTH = 0.25;
/**
 * The partner's width (encoder, discriminator, critic) as a fraction of the generator's, by default. The
 * WGANs update their critic 5 times per generator step, so at the generator's width a sequence takes 23
 * (WGAN) and 28 (WGAN-GP) minutes of CPU; a critic CRITIC_FRACTION as wide brings both under 10. The
 * critic only shapes training: the generator, which is what gets inverted, is the same in every model.
 */
export const CRITIC_FRACTION: Readonly<Record<ModelKind, number>> = { vae: 1, gan: 1, wgan: 0.25, "wgan-gp": 0.25 };
/** The mlp generator's hidden widths by default (k → 256 → 512 → 784, expansive). */
export const DEFAULT_HIDDEN: readonly number[] = [256, 512];
/** Song, Fan & Lafferty 2019, Section 4: θ_t every 40 training steps (T = 100 in Song, Fan & Lafferty, NeurIPS 2019). */
export const DEFAULT_EVERY = 40;
export const DEFAULT_STEPS = 4000;

export interface TrainConfig {
  model: ModelKind;
  arch: ArchKind;
  /** Latent dimension k. */
  latent: number;
  /** dcgan: the generator's width multiplier. */
  width: number;
  /** dcgan: the partner's (the VAE's encoder, the GAN's discriminator, the WGAN's critic) width multiplier. */
  criticWidth: number;
  /** mlp: the hidden widths n_1, …, n_d. */
  hidden: number[];
  /**
   * Partner updates per generator update (the WGANs' n_critic: 5 in Arjovsky et al. 2017 and Gulrajani et
   * al. 2017); absent in runs stored before it was a setting, which used the model's default.
   */
  criticSteps?: number;
  /** Generator updates, and a checkpoint every `every` of them (steps = T·every). */
  steps: number;
  every: number;
  batch: number;
  seed: string;
  /** Float32 for training; float64 for the gradient tests. */
  dtype: DType;
}

/**
 * A configuration from the given fields; a field left out or undefined takes its default.
 *
 * @example
 * import { makeConfig } from "surfing/node";
 * const config = makeConfig({ model: "gan", arch: "mlp", latent: 2, hidden: [16, 32] });
 * [config.steps, config.every];   // → [4000, 40]
 */
export function makeConfig(partial: Partial<TrainConfig> & { model: ModelKind }): TrainConfig {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainConfig> & { model: ModelKind };
  const width = given.width ?? DEFAULT_WIDTH;
  const config: TrainConfig = {
    arch: "dcgan", latent: 20, width, criticWidth: width * CRITIC_FRACTION[given.model], criticSteps: HYPERPARAMETERS[given.model].criticSteps, hidden: [...DEFAULT_HIDDEN], steps: DEFAULT_STEPS,
    every: DEFAULT_EVERY, batch: BATCH, seed: "0", dtype: "f32", ...given,
  };
  checkConfig(config);
  return config;
}

export function checkConfig(c: TrainConfig): void {
  const positiveInt = (key: keyof TrainConfig, v: unknown) => {
    if (!(Number.isSafeInteger(v) && (v as number) >= 1)) throw new InputError(`\`${key}\` must be a positive integer, got ${JSON.stringify(v)}`);
  };
  if (!MODEL_KINDS.includes(c.model)) throw new InputError(`\`model\` must be one of ${MODEL_KINDS.join(", ")}, got "${c.model}"`);
  if (!ARCH_KINDS.includes(c.arch)) throw new InputError(`\`arch\` must be one of ${ARCH_KINDS.join(", ")}, got "${c.arch}"`);
  positiveInt("latent", c.latent);
  positiveInt("steps", c.steps);
  positiveInt("every", c.every);
  positiveInt("batch", c.batch);
  if (c.criticSteps !== undefined) positiveInt("criticSteps", c.criticSteps);
  if (!(c.width > 0 && Number.isFinite(c.width))) throw new InputError(`\`width\` must be a positive number, got ${c.width}`);
  if (!(c.criticWidth > 0 && Number.isFinite(c.criticWidth))) throw new InputError(`\`criticWidth\` must be a positive number, got ${c.criticWidth}`);
  if (!Array.isArray(c.hidden) || c.hidden.length === 0) throw new InputError("`hidden` must list at least one width");
  c.hidden.forEach((n) => positiveInt("hidden", n));
  if (c.steps % c.every !== 0) throw new InputError(`\`steps\` (${c.steps}) must be a multiple of \`every\` (${c.every}): the sequence is θ_0, θ_every, …, θ_steps`);
  if (c.dtype !== "f32" && c.dtype !== "f64") throw new InputError(`\`dtype\` must be f32 or f64, got ${String(c.dtype)}`);
  // The networks' sizes, before anything is allocated: each parameter tensor, and each activation of a whole
  // batch, within what one tensor may hold; a refusal names the options that set the size.
  const sizeFlags = c.arch === "dcgan" ? `\`latent\` ${c.latent}, \`width\` ${c.width}, \`criticWidth\` ${c.criticWidth}` : `\`latent\` ${c.latent}, \`hidden\` ${c.hidden.join(",")}`;
  for (const [role, spec] of [["generator", generatorSpec(c)], [HYPERPARAMETERS[c.model].partner, partnerSpec(c)]] as const) {
    const widest = Math.max(...checkedShapes(spec, `the ${role} of ${sizeFlags}`).map(size));
    if (c.batch * widest > MAX_TENSOR_VALUES) {
      throw new InputError(`\`batch\` ${c.batch}: the ${role}'s widest activation, ${widest} values per image, would hold more than the ${MAX_TENSOR_VALUES} values one tensor may have here for the batch (\`batch\` ≤ ${Math.floor(MAX_TENSOR_VALUES / widest)})`);
    }
  }
}

export function generatorSpec(c: TrainConfig): NetworkSpec {
  return c.arch === "dcgan" ? dcganGenerator(c.latent, c.width) : mlpGenerator(c.latent, c.hidden);
}

/** The generator's partner: the VAE's encoder, the GAN's discriminator or the WGAN's critic. */
export function partnerSpec(c: TrainConfig): NetworkSpec {
  if (c.model === "vae") return c.arch === "dcgan" ? dcganEncoder(c.latent, c.criticWidth) : mlpEncoder(c.latent, c.hidden);
  const batchNorm = HYPERPARAMETERS[c.model].criticBatchNorm;
  return c.arch === "dcgan" ? dcganDiscriminator(c.criticWidth, { batchNorm }) : mlpDiscriminator(c.hidden, { batchNorm });
}

/** Partner updates per generator update of a configuration (a run stored before the setting: the model's default). */
export function criticStepsOf(c: Pick<TrainConfig, "model" | "criticSteps">): number {
  return c.criticSteps ?? HYPERPARAMETERS[c.model].criticSteps;
}
