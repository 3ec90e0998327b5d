// The training procedures' gradients end to end, in float64 on tiny networks: the VAE's negative ELBO in
// both networks' parameters (through the reparameterization), each GAN family's partner loss (WGAN-GP's
// penalty included) and generator loss, all against central differences.
import { kernels } from "../helpers.js";
import { makeConfig, type TrainConfig } from "../../src/train/config.js";
import { Gan } from "../../src/train/gan.js";
import { Vae } from "../../src/train/vae.js";
import type { ModelKind } from "../../src/train/hyperparameters.js";
import { checkParamGradients, patternOf } from "./fd.js";
import { syntheticImages } from "./images.js";

const DATA = syntheticImages(24, "procedures");

function config(model: ModelKind, arch: "mlp" | "dcgan"): TrainConfig {
  return makeConfig({ model, arch, latent: 3, width: 1 / 32, hidden: [5, 7], batch: 4, steps: 10, every: 5, seed: `proc-${model}-${arch}`, dtype: "f64" });
}

/** Entries compared per parameter tensor (every tensor is covered); the dcgan networks cost more per evaluation on the TS backend. */
const PER_TENSOR = { mlp: 8, dcgan: 3 };

describe(`training procedures: gradients against central differences (${kernels.backend} backend)`, function () {
  this.timeout(300000);

  for (const arch of ["mlp", "dcgan"] as const) {
    it(`vae (${arch}): ∂(−ELBO)/∂θ of the decoder and the encoder`, () => {
      const c = config("vae", arch), vae = new Vae(c, DATA, kernels);
      const programs = () => patternOf(vae.generator.program(c.batch, "train"), vae.partner.program(c.batch, "train"));
      checkParamGradients([vae.generator, vae.partner], {
        loss: () => vae.loss(3).loss,
        gradient: () => void vae.loss(3),
        pattern: programs,
      }, `vae-${arch}`, PER_TENSOR[arch]);
      vae.free();
    });

    for (const model of ["gan", "wgan", "wgan-gp"] as const) {
      it(`${model} (${arch}): the partner's loss in its parameters, the generator's in the generator's`, () => {
        const c = config(model, arch), gan = new Gan(c, DATA, kernels);
        const programs = () => patternOf(gan.generator.program(c.batch, "train"), gan.partner.program(c.batch, "train"));
        checkParamGradients([gan.partner], {
          loss: () => gan.criticLoss(2, 1).d,
          gradient: () => void gan.criticLoss(2, 1),
          pattern: programs,
        }, `${model}-${arch}-critic`, PER_TENSOR[arch]);
        checkParamGradients([gan.generator], {
          loss: () => gan.generatorLoss(2),
          gradient: () => void gan.generatorLoss(2),
          pattern: programs,
        }, `${model}-${arch}-generator`, PER_TENSOR[arch]);
        gan.free();
      });
    }
  }
});
