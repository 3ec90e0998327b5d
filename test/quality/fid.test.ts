// FID: the Fréchet distance against closed forms; the moments against a two-pass computation; and our
// classifier's FID showing what it must — train against held-out images small, a random generator large, a
// longer-trained generator smaller — with the shipped classifier's accuracy and its reproduction from the seed.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { frechetDistance, MomentAccumulator, type FeatureMoments } from "../../src/quality/fid.js";
import { accuracy, CLASSIFIER_FILE, classifierSpec, CLASSIFIER_TRAINING, featureNetwork, loadClassifier, trainClassifier } from "../../src/quality/classifier.js";
import { generatorFid, imageMoments } from "../../src/quality/score.js";
import { loadFashionMnist, type ImageSet } from "../../src/data/fashion-mnist.js";
import { networkToSafetensors } from "../../src/nn/checkpoint.js";
import { CheckpointSequence } from "../../src/nn/files.js";
import { Network } from "../../src/nn/network.js";
import { Rng } from "../../src/random/rng.js";
import { makeConfig, generatorSpec } from "../../src/train/config.js";
import { train } from "../../src/train/run.js";
import { kernels, scratchDirectory } from "../helpers.js";

const gaussian = (mean: number[], covariance: number[]): FeatureMoments =>
  ({ count: 100, dim: mean.length, mean: Float64Array.from(mean), covariance: Float64Array.from(covariance) });

describe("quality: the Fréchet distance", () => {
  it("matches closed forms: 1-D, diagonal, commuting covariances, and a rotation", () => {
    expect(frechetDistance(gaussian([0], [1]), gaussian([3], [4]))).to.be.closeTo(10, 1e-12);
    // diagonal: Σ (μ₁ − μ₂)² + (σ₁ − σ₂)²
    expect(frechetDistance(gaussian([1, 2], [4, 0, 0, 9]), gaussian([0, 0], [1, 0, 0, 16]))).to.be.closeTo(1 + 4 + 1 + 1, 1e-12);
    // Σ₂ = R diag(a) Rᵀ and Σ₁ = R diag(b) Rᵀ commute: Σ (√a − √b)²
    const c = Math.cos(0.7), s = Math.sin(0.7), rot = (a: number, b: number) => [a * c * c + b * s * s, (a - b) * c * s, (a - b) * c * s, a * s * s + b * c * c];
    expect(frechetDistance(gaussian([0, 0], rot(4, 1)), gaussian([0, 0], rot(9, 16)))).to.be.closeTo(1 + 9, 1e-10);
    // a general pair: symmetric in its arguments, zero for itself
    const a = gaussian([0.3, -1, 2], [2, 0.5, 0.1, 0.5, 1, -0.3, 0.1, -0.3, 0.7]), b = gaussian([0, 0, 1], [1, -0.2, 0, -0.2, 3, 0.4, 0, 0.4, 0.5]);
    expect(frechetDistance(a, b)).to.be.closeTo(frechetDistance(b, a), 1e-10);
    expect(frechetDistance(a, a)).to.be.closeTo(0, 1e-10);
  });

  it("accumulates the mean and unbiased covariance of batches as a two-pass computation does", () => {
    const rng = Rng.derive("fid-test", "moments"), n = 257, d = 5, x = new Float64Array(n * d);
    rng.fillNormal(x);
    for (let i = 0; i < n * d; i++) x[i] = 1000 + 3 * x[i] * ((i % d) + 1);   // far from 0: the shift keeps precision
    const acc = new MomentAccumulator(d);
    acc.add(x.subarray(0, 100 * d), 100);
    acc.add(x.subarray(100 * d), n - 100);
    const m = acc.moments();
    for (let j = 0; j < d; j++) {
      let mean = 0;
      for (let r = 0; r < n; r++) mean += x[r * d + j] / n;
      expect(m.mean[j]).to.be.closeTo(mean, 1e-9);
      for (let k = 0; k < d; k++) {
        let mk = 0, cov = 0;
        for (let r = 0; r < n; r++) mk += x[r * d + k] / n;
        for (let r = 0; r < n; r++) cov += ((x[r * d + j] - mean) * (x[r * d + k] - mk)) / (n - 1);
        expect(m.covariance[j * d + k], `${j},${k}`).to.be.closeTo(cov, 1e-9 * Math.abs(cov) + 1e-9);
      }
    }
    expect(() => new MomentAccumulator(2).moments()).to.throw(/at least 2 feature vectors/);
  });
});

describe("quality: FID in our classifier's features", function () {
  this.timeout(600000);
  let dir = "";
  scratchDirectory("fid", (d) => (dir = d));
  const data = () => loadFashionMnist();
  const subset = (set: ImageSet, first: number, count: number): ImageSet =>
    ({ count, images: set.images.subarray(first * 784, (first + count) * 784), labels: set.labels.subarray(first, first + count) });

  it("the shipped classifier is the recorded one and labels ≥ 90 % of the held-out images right", () => {
    const { network, record } = loadClassifier();
    try {
      expect(createHash("sha256").update(readFileSync(CLASSIFIER_FILE)).digest("hex")).to.equal(record.sha256);
      expect(network.spec).to.deep.equal(classifierSpec());
      expect(record.testAccuracy).to.be.at.least(0.9);
      expect(accuracy(network, data().heldOut)).to.equal(record.testAccuracy);
    } finally {
      network.free();
    }
  });

  it("train against held-out images: small; a random generator: large; a longer-trained generator: smaller", () => {
    const { network } = loadClassifier(), features = featureNetwork(network);
    network.free();
    try {
      const { train: trainSet, heldOut } = data();
      // held-out spread over the classes: every 5th of the class-sorted 10,000
      const spread: ImageSet = { count: 2000, images: new Uint8Array(2000 * 784), labels: new Uint8Array(2000) };
      for (let i = 0; i < 2000; i++) spread.images.set(heldOut.images.subarray(5 * i * 784, (5 * i + 1) * 784), i * 784);
      const reference = imageMoments(features, spread);
      // the training images are in the package's (class-sorted) order too: every 30th of the first 60,000
      const trainSpread: ImageSet = { count: 2000, images: new Uint8Array(2000 * 784), labels: new Uint8Array(2000) };
      for (let i = 0; i < 2000; i++) trainSpread.images.set(trainSet.images.subarray(30 * i * 784, (30 * i + 1) * 784), i * 784);
      const real = imageMoments(features, trainSpread);
      const one = imageMoments(features, subset(trainSet, 0, 2000));   // one class only: far
      const fidReal = frechetDistance(real, reference);
      expect(fidReal, "train vs held-out").to.be.below(5);
      expect(frechetDistance(one, reference), "one class vs all").to.be.above(10 * fidReal);
      // a small VAE decoder trained 300 steps, θ_t every 100: FID falls along the sequence, θ_0 far above all
      const out = join(dir, "vae");
      train(makeConfig({ model: "vae", arch: "mlp", hidden: [32, 64], latent: 5, steps: 300, every: 100, seed: "fid-test" }), trainSet, { out });
      const sequence = CheckpointSequence.open(out);
      const fids = sequence.steps.map((_, t) => {
        const g = sequence.load(t);
        try {
          return generatorFid(features, g, reference, { latent: "normal", samples: 1000 });
        } finally {
          g.free();
        }
      });
      expect(fids[0], `θ_0: ${fids}`).to.be.above(150);
      for (let t = 1; t < fids.length; t++) expect(fids[t], `step ${sequence.steps[t]} vs ${sequence.steps[t - 1]}: ${fids}`).to.be.below(fids[t - 1]);
      expect(fids.at(-1)).to.be.above(10 * fidReal);
      // the same draws for every network: FID of one network is a number, not a sample
      const g = new Network(generatorSpec(makeConfig({ model: "vae", arch: "mlp", hidden: [32, 64], latent: 5 })), { seed: "x" });
      expect(generatorFid(features, g, reference, { latent: "normal", samples: 600 })).to.equal(generatorFid(features, g, reference, { latent: "normal", samples: 600 }));
      g.free();
    } finally {
      features.free();
    }
  });

  it("retrained from its seed, the classifier is the shipped one bit for bit", function () {
    // A minute of training: on the WASM backend only, as the TS twin's kernels are held to the WASM ones bit
    // for bit by the kernel tests, so the twin would make the same bytes at several times the cost.
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: the same arithmetic, bit for bit (see above)
    const net = trainClassifier(data().train, CLASSIFIER_TRAINING);
    try {
      expect(Buffer.from(networkToSafetensors(net)).equals(readFileSync(CLASSIFIER_FILE))).to.equal(true);
    } finally {
      net.free();
    }
  });
});
