/**
 * The feature extractor of our FID: a small convolutional classifier of Fashion-MNIST — InfoGAN's
 * discriminator body (Chen et al. 2016, Appendix C.1) at ⅛ of its widths with 10 outputs:
 * Conv(1→8, 4×4, s2)-LReLU, Conv(8→16, 4×4, s2)-BN-LReLU, FC(784→128)-BN-LReLU, FC(128→10) — trained on the
 * 60,000 training images with softmax cross-entropy and Adam, its features the 128 activations before the
 * last layer. FID in this feature space (Heusel et al. 2017 use Inception-v3's 2,048 pool features of
 * ImageNet photographs) measures Fashion-MNIST generators against each other and is not comparable with
 * Inception-FID figures.
 *
 * The weights ship with the package (assets/fid-classifier.safetensors, with its training settings and
 * test accuracy in assets/fid-classifier.json); `surf fid --train-classifier` retrains them from the seed,
 * bit for bit (every batch and initial weight is drawn from the seed; the kernels are deterministic).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { kernels as defaultKernels, type Kernels } from "../kernels/index.js";
import { CLASSES, PIXELS, type ImageSet } from "../data/fashion-mnist.js";
import { BatchSampler } from "../data/sampler.js";
import { dcganDiscriminator } from "../nn/architectures.js";
import { readNetwork } from "../nn/files.js";
import { Network } from "../nn/network.js";
import type { NetworkSpec } from "../nn/spec.js";
import { ParamOptimizer } from "../optim/params.js";
import { softmaxCrossEntropy } from "../train/losses.js";
import { InputError } from "../errors.js";

/** The classifier's width, as a multiple of InfoGAN's discriminator's. */
export const CLASSIFIER_WIDTH = 1 / 8;

/** How the shipped classifier was trained (assets/fid-classifier.json repeats it, with the accuracy). */
export interface ClassifierTraining {
  seed: string;
  epochs: number;
  batch: number;
  lr: number;
}

export const CLASSIFIER_TRAINING: Readonly<ClassifierTraining> = { seed: "fid-classifier/0", epochs: 12, batch: 64, lr: 1e-3 };

/** What assets/fid-classifier.json records. */
export interface ClassifierRecord extends ClassifierTraining {
  /** Of the 10,000 held-out images, in eval mode. */
  testAccuracy: number;
  trainImages: number;
  testImages: number;
  /** SHA-256 of the .safetensors file. */
  sha256: string;
}

export const CLASSIFIER_FILE = fileURLToPath(new URL("../../../assets/fid-classifier.safetensors", import.meta.url));
export const CLASSIFIER_RECORD = fileURLToPath(new URL("../../../assets/fid-classifier.json", import.meta.url));

/**
 * The classifier's architecture.
 *
 * @example
 * classifierSpec().layers.at(-1);   // { type: "Linear", in_features: 128, out_features: 10, bias: true }
 */
export function classifierSpec(): NetworkSpec {
  return dcganDiscriminator(CLASSIFIER_WIDTH, { batchNorm: true, outputs: CLASSES });
}

/**
 * Train the classifier on `train` (images 0…255, labels 0…9): epochs × ⌊count/batch⌋ Adam steps, batch b
 * drawn by BatchSampler from the seed. onStep gets the step, the steps in all and the batch's loss.
 */
export function trainClassifier(train: ImageSet, t: ClassifierTraining = CLASSIFIER_TRAINING, onStep?: (step: number, steps: number, loss: number) => void,
                                K: Kernels = defaultKernels): Network {
  const net = new Network(classifierSpec(), { dtype: "f32", kernels: K, seed: `${t.seed}/init` });
  const optimizer = new ParamOptimizer([net], { kind: "adam", lr: t.lr });
  const sampler = new BatchSampler(train, t.batch, t.seed), program = net.program(t.batch, "train");
  const steps = t.epochs * Math.floor(train.count / t.batch), labels = new Uint8Array(t.batch);
  try {
    for (let step = 0; step < steps; step++) {
      sampler.fill(step, K, "f32", program.input);
      sampler.indices(step).forEach((index, j) => (labels[j] = train.labels[index]));
      program.forward(t.batch);
      net.zeroGrads();
      const loss = softmaxCrossEntropy(program.view(program.output, t.batch * CLASSES), labels, CLASSES, 1 / t.batch, program.view(program.gradOutput, t.batch * CLASSES));
      program.backward(t.batch, { input: false, params: true });
      optimizer.step();
      onStep?.(step + 1, steps, loss);
    }
  } finally {
    optimizer.free();
  }
  return net;
}

/** The share of `set` the classifier labels right (eval mode: batch norm's running statistics). */
export function accuracy(net: Network, set: ImageSet, batch = 500): number {
  const program = net.program(batch, "eval");
  let right = 0;
  for (let first = 0; first < set.count; first += batch) {
    const rows = Math.min(batch, set.count - first), input = program.view(program.input, rows * PIXELS);
    for (let i = 0; i < rows * PIXELS; i++) input[i] = set.images[first * PIXELS + i] / 255;
    program.forward(rows);
    const out = program.view(program.output, rows * CLASSES);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (out[r * CLASSES + c] > out[r * CLASSES + best]) best = c;
      if (best === set.labels[first + r]) right++;
    }
  }
  return right / set.count;
}

/**
 * The feature network of a classifier: its layers but the last (the 128 activations the logits are read
 * from), with its parameters copied.
 */
export function featureNetwork(classifier: Network): Network {
  const spec: NetworkSpec = { input: classifier.spec.input, layers: classifier.spec.layers.slice(0, -1) };
  const features = new Network(spec, { dtype: classifier.dtype, kernels: classifier.kernels });
  for (const p of features.params) p.values.set(classifier.param(p.name).values);
  features.spec.layers.forEach((_, i) => (features.batchesTracked[i].count = classifier.batchesTracked[i].count));
  features.touch();
  return features;
}

/** The shipped classifier and what it was trained with; refused with what to do when it is missing. */
export function loadClassifier(K: Kernels = defaultKernels): { network: Network; record: ClassifierRecord } {
  if (!existsSync(CLASSIFIER_FILE) || !existsSync(CLASSIFIER_RECORD)) {
    throw new InputError(`${CLASSIFIER_FILE}: the FID classifier is missing (reinstall the package, or make it with surf fid --train-classifier)`);
  }
  const record = JSON.parse(readFileSync(CLASSIFIER_RECORD, "utf8")) as ClassifierRecord;
  return { network: readNetwork(CLASSIFIER_FILE, { dtype: "f32", kernels: K }).network, record };
}
