/**
 * The variational autoencoder (Kingma & Welling 2014): an encoder q(z | x) = N(μ(x), diag σ²(x)) and the
 * generator as a Bernoulli decoder p(x | z) with pixel probabilities G(z), trained by maximizing the
 * ELBO = E_q log p(x | z) − KL(q(z | x) ‖ N(0, I)) with one reparameterized draw z = μ + σ·ε per image
 * (Section 2.4; Appendix B for the Gaussian KL). Both networks are updated from one gradient.
 */
import { kernels as defaultKernels, type Kernels } from "../kernels/index.js";
import { PIXELS, type ImageSet } from "../data/fashion-mnist.js";
import { BatchSampler } from "../data/sampler.js";
import type { Network } from "../nn/network.js";
import type { Program } from "../nn/program.js";
import { ParamOptimizer } from "../optim/params.js";
import type { TrainConfig } from "./config.js";
import { HYPERPARAMETERS } from "./hyperparameters.js";
import { bernoulliReconstruction, gaussianKl, reparameterize, reparameterizeBackward } from "./losses.js";
import { createNetworks, drawLatent, heapView, type Losses, type Procedure } from "./procedure.js";

export class Vae implements Procedure {
  readonly generator: Network;
  readonly partner: Network;
  readonly optimizers: readonly ParamOptimizer[];
  private readonly encode: Program;
  private readonly decode: Program;
  private readonly sampler: BatchSampler;
  private readonly eps: Float64Array;

  constructor(readonly config: TrainConfig, data: ImageSet, private readonly K: Kernels = defaultKernels) {
    ({ generator: this.generator, partner: this.partner } = createNetworks(config, K));
    const opt = HYPERPARAMETERS.vae.optimizer;
    this.optimizers = [new ParamOptimizer([this.generator], opt), new ParamOptimizer([this.partner], opt)];
    this.encode = this.partner.program(config.batch, "train");
    this.decode = this.generator.program(config.batch, "train");
    this.sampler = new BatchSampler(data, config.batch, config.seed);
    this.eps = new Float64Array(config.batch * config.latent);
  }

  step(step: number): Losses {
    this.generator.zeroGrads();
    this.partner.zeroGrads();
    const losses = this.loss(step);
    for (const opt of this.optimizers) opt.step();
    return losses;
  }

  /**
   * The negative ELBO of step s's batch (mean over it), its gradient added into both networks' gradients:
   * the decoder's by backprop from the reconstruction loss, the encoder's from ∂/∂z through the
   * reparameterization plus the KL term's own.
   */
  loss(step: number): Losses {
    const { K, config, encode, decode, eps } = this, B = config.batch, k = config.latent, scale = 1 / B;
    this.sampler.fill(step - 1, K, config.dtype, encode.input);
    encode.forward(B);
    drawLatent(config, eps, "noise", step);
    reparameterize(heapView(K, config, encode.output, B * 2 * k), eps, B, k, heapView(K, config, decode.input, B * k));
    decode.forward(B);
    const gradOut = decode.gradOutput;
    const reconstruction = bernoulliReconstruction(heapView(K, config, encode.input, B * PIXELS), heapView(K, config, decode.output, B * PIXELS),
      scale, heapView(K, config, gradOut, B * PIXELS));
    decode.backward(B, { input: true, params: true });
    const gradEncoded = encode.gradOutput;
    const encoded = heapView(K, config, encode.output, B * 2 * k), gEnc = heapView(K, config, gradEncoded, B * 2 * k);
    reparameterizeBackward(encoded, eps, heapView(K, config, decode.gradInput, B * k), B, k, gEnc);
    const kl = gaussianKl(encoded, B, k, scale, gEnc);
    encode.backward(B, { input: false, params: true });
    return { loss: reconstruction + kl, reconstruction, kl };
  }

  free(): void {
    for (const opt of this.optimizers) opt.free();
    this.generator.free();
    this.partner.free();
  }
}
