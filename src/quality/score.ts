/**
 * FID of a generator against real images, in the feature space of our Fashion-MNIST classifier
 * (classifier.ts): the Fréchet distance (fid.ts) between the Gaussians fitted to the features of `samples`
 * generated images and of the reference images. Generated images are G(z) in eval mode — the network as it
 * is inverted — for z drawn from the training's latent distribution (uniform on [−1, 1]^k for the GANs,
 * N(0, I) for the VAE), the same draws for every network, so values along a checkpoint sequence differ by
 * the networks, not by the draws. With fewer samples FID is biased upward; compare values at equal counts.
 */
import { PIXELS, type ImageSet } from "../data/fashion-mnist.js";
import type { Network } from "../nn/network.js";
import { Rng, type Seed } from "../random/rng.js";
import { InputError } from "../errors.js";
import { frechetDistance, MomentAccumulator, type FeatureMoments } from "./fid.js";

/** 10,000 generated images against the 10,000 held-out ones: the whole test split, and a usual sample size for FID. */
export const FID_SAMPLES = 10000;
const BATCH = 500;

/** The feature moments of the first `count` images of a set (all by default). */
export function imageMoments(features: Network, set: ImageSet, count = set.count): FeatureMoments {
  if (features.inputSize !== PIXELS) throw new InputError(`FID: the feature network takes ${features.inputSize} inputs, images have ${PIXELS}`);
  const program = features.program(BATCH, "eval"), acc = new MomentAccumulator(features.outputSize);
  for (let first = 0; first < count; first += BATCH) {
    const rows = Math.min(BATCH, count - first), input = program.view(program.input, rows * PIXELS);
    for (let i = 0; i < rows * PIXELS; i++) input[i] = set.images[first * PIXELS + i] / 255;
    program.forward(rows);
    acc.add(program.view(program.output, rows * features.outputSize), rows);
  }
  return acc.moments();
}

export interface SampleOptions {
  samples?: number;
  latent: "uniform" | "normal";
  /** The draws of z (default "fid": the same for every generator). */
  seed?: Seed;
}

/** The feature moments of `samples` images G(z) of a generator with 784 outputs. */
export function generatorMoments(features: Network, generator: Network, o: SampleOptions): FeatureMoments {
  const samples = o.samples ?? FID_SAMPLES;
  if (generator.outputSize !== features.inputSize) throw new InputError(`FID: the generator makes ${generator.outputSize} values, the classifier takes ${features.inputSize}`);
  const g = generator.program(BATCH, "eval"), f = features.program(BATCH, "eval"), k = generator.inputSize;
  const acc = new MomentAccumulator(features.outputSize);
  for (let first = 0, b = 0; first < samples; first += BATCH, b++) {
    const rows = Math.min(BATCH, samples - first), z = g.view(g.input, rows * k), rng = Rng.derive(o.seed ?? "fid", "z", b);
    if (o.latent === "uniform") rng.fillUniform(z, -1, 1);
    else rng.fillNormal(z);
    g.forward(rows);
    f.view(f.input, rows * PIXELS).set(g.view(g.output, rows * PIXELS));
    f.forward(rows);
    acc.add(f.view(f.output, rows * features.outputSize), rows);
  }
  return acc.moments();
}

/**
 * FID of a generator against reference moments (imageMoments of the held-out images).
 *
 * @example
 * const { network } = loadClassifier(), features = featureNetwork(network);
 * const reference = imageMoments(features, loadFashionMnist().heldOut);
 * generatorFid(features, generator, reference, { latent: "uniform" });   // 10,000 samples
 */
export function generatorFid(features: Network, generator: Network, reference: FeatureMoments, o: SampleOptions): number {
  return frechetDistance(generatorMoments(features, generator, o), reference);
}
