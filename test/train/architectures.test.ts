// The networks training builds: InfoGAN's discriminator and its width multiplier, the critic without batch
// norm for WGAN-GP, the partner's width by model, the VAE encoders (2k outputs), the mlp family's partners — shapes and parameter counts
// computed by hand from the layer definitions.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { Network } from "../../src/nn/network.js";
import { CRITIC_SLOPE, dcganDiscriminator, dcganEncoder, mlpDiscriminator, mlpEncoder } from "../../src/nn/architectures.js";
import { InputError } from "../../src/errors.js";
import { DEFAULT_HIDDEN, DEFAULT_STEPS, makeConfig, partnerSpec, type TrainConfig } from "../../src/train/config.js";

const count = (spec: ConstructorParameters<typeof Network>[0]) => {
  const net = new Network(spec, { kernels });
  const out = { params: net.parameterCount, output: net.outputShape, types: spec.layers.map((l) => l.type) };
  net.free();
  return out;
};

describe("training architectures", () => {
  it("dcganDiscriminator(1): Conv(1→64,4,2)-LReLU, Conv(64→128,4,2)-BN-LReLU, FC(6272→1024)-BN-LReLU, FC(1024→1)", () => {
    const d = count(dcganDiscriminator(1));
    // 64·16 + 64, 128·64·16 + 128, γβ of 128, 6272·1024 + 1024, γβ of 1024, 1024 + 1
    expect(d.params).to.equal(1088 + 131200 + 256 + 6423552 + 2048 + 1025);
    expect(d.output).to.deep.equal([1]);
    expect(d.types).to.deep.equal(["Unflatten", "Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU", "Flatten", "Linear", "BatchNorm1d", "LeakyReLU", "Linear"]);
    expect(dcganDiscriminator(1).layers.filter((l) => l.type === "LeakyReLU").every((l) => l.type === "LeakyReLU" && l.negative_slope === CRITIC_SLOPE)).to.equal(true);
  });

  it("the width multiplier scales every width; the WGAN-GP critic has no batch norm; encoders give μ and log σ²", () => {
    // ×¼: Conv(1→16), Conv(16→32), FC(1568→256)
    expect(count(dcganDiscriminator(0.25, { batchNorm: false })).params).to.equal(16 * 16 + 16 + 32 * 16 * 16 + 32 + 1568 * 256 + 256 + 256 + 1);
    expect(partnerSpec(makeConfig({ model: "wgan-gp" })).layers.some((l) => l.type.startsWith("BatchNorm"))).to.equal(false);
    for (const model of ["gan", "wgan"] as const) expect(partnerSpec(makeConfig({ model })).layers.filter((l) => l.type.startsWith("BatchNorm"))).to.have.length(2);
    expect(count(dcganEncoder(20, 0.25)).output).to.deep.equal([40]);
    expect(count(mlpEncoder(5, [16, 32])).output).to.deep.equal([10]);
  });

  it("the partner's width: the generator's for the VAE's encoder and the GAN's discriminator, ¼ of it for the WGANs' critics, or as given", () => {
    const convs = (c: TrainConfig) => partnerSpec(c).layers.flatMap((l) => (l.type === "Conv2d" ? [l.out_channels] : []));
    expect([makeConfig({ model: "vae" }), makeConfig({ model: "gan", width: 0.5 })].map((c) => c.criticWidth)).to.deep.equal([0.25, 0.5]);
    expect(convs(makeConfig({ model: "gan" }))).to.deep.equal([16, 32]);
    for (const model of ["wgan", "wgan-gp"] as const) {
      expect(makeConfig({ model, width: 0.5 }).criticWidth).to.equal(0.125);
      expect(convs(makeConfig({ model }))).to.deep.equal([4, 8]);
      expect(convs(makeConfig({ model, criticWidth: 0.25 }))).to.deep.equal([16, 32]);
    }
    expect(count(partnerSpec(makeConfig({ model: "vae", criticWidth: 0.5 }))).output).to.deep.equal([40]);
    expect(() => makeConfig({ model: "gan", criticWidth: 0 })).to.throw(InputError, /`criticWidth` must be a positive number/);
  });

  it("a configuration field given as undefined takes its default (the full sweeps pass no mlp widths)", () => {
    expect(makeConfig({ model: "gan", hidden: undefined, steps: undefined }).hidden).to.deep.equal([...DEFAULT_HIDDEN]);
    expect(makeConfig({ model: "gan", steps: undefined }).steps).to.equal(DEFAULT_STEPS);
  });

  it("mlpDiscriminator mirrors the generator's widths: 784 → n_d → … → n_1 → 1", () => {
    const spec = mlpDiscriminator([16, 32]);
    expect(spec.layers.filter((l) => l.type === "Linear").map((l) => l.type === "Linear" && [l.in_features, l.out_features])).to.deep.equal([[784, 32], [32, 16], [16, 1]]);
    expect(count(spec).params).to.equal(784 * 32 + 32 + 32 * 16 + 16 + 16 + 1);
    expect(count(mlpDiscriminator([16, 32], { batchNorm: true })).types).to.deep.equal(["Linear", "BatchNorm1d", "LeakyReLU", "Linear", "BatchNorm1d", "LeakyReLU", "Linear"]);
  });
});
