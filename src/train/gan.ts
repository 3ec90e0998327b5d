/**
 * Adversarial training of the generator against a partner network D, one procedure for three papers:
 *
 *  gan      D a discriminator of logits; D minimizes −log σ(D(x)) − log(1 − σ(D(G(z)))), G the
 *           non-saturating −log σ(D(G(z))) (Goodfellow et al. 2014, Section 3; DCGAN, Radford et al. 2015).
 *  wgan     D a critic; D minimizes E D(G(z)) − E D(x), G minimizes −E D(G(z)); the critic's weights are
 *           clipped after each of its 5 updates per generator update (Arjovsky et al. 2017, Algorithm 1).
 *  wgan-gp  the same plus λ·E(‖∇ₓD(x̂)‖ − 1)² at x̂ = εx + (1 − ε)G(z), ε ~ U[0, 1] per image, instead
 *           of clipping (Gulrajani et al. 2017, Algorithm 1); its θ-gradient by Program.mixedBackward.
 *
 * Real and generated batches go through D separately (its batch norm sees one kind at a time, as in the
 * reference implementations). The generator update reuses G(z) of the last critic iteration, as
 * PyTorch's DCGAN example reuses `fake`: G has not changed since, so its forward is still current.
 */
import { kernels as defaultKernels, type Kernels } from "../kernels/index.js";
import { PIXELS, type ImageSet } from "../data/fashion-mnist.js";
import { BatchSampler } from "../data/sampler.js";
import type { Network } from "../nn/network.js";
import type { Program } from "../nn/program.js";
import { ParamOptimizer } from "../optim/params.js";
import { Rng } from "../random/rng.js";
import { criticStepsOf, type TrainConfig } from "./config.js";
import { HYPERPARAMETERS, type Hyperparameters } from "./hyperparameters.js";
import { criticScore, gradientPenalty, logitCrossEntropy } from "./losses.js";
import { createNetworks, drawLatent, heapCopy, heapView, type Losses, type Procedure } from "./procedure.js";

export class Gan implements Procedure {
  readonly generator: Network;
  readonly partner: Network;
  readonly optimizers: readonly ParamOptimizer[];
  private readonly hyper: Readonly<Hyperparameters>;
  private readonly wasserstein: boolean;
  /** Partner updates per generator update (criticStepsOf the configuration). */
  private readonly criticSteps: number;
  private readonly gen: Program;
  private readonly critic: Program;
  private readonly sampler: BatchSampler;
  /** The real batch of the current critic iteration (batch × 784). */
  private readonly real: number;
  private readonly mix: Float64Array;
  /** Which draw G's program holds: the step, the critic iteration and the generator's version. */
  private fake = { step: -1, iteration: -1, version: -1 };

  constructor(readonly config: TrainConfig, data: ImageSet, private readonly K: Kernels = defaultKernels) {
    if (config.model === "vae") throw new RangeError("Gan: the vae model is trained by Vae");
    this.hyper = HYPERPARAMETERS[config.model];
    this.wasserstein = config.model !== "gan";
    this.criticSteps = criticStepsOf(config);
    ({ generator: this.generator, partner: this.partner } = createNetworks(config, K));
    this.optimizers = [new ParamOptimizer([this.generator], this.hyper.optimizer), new ParamOptimizer([this.partner], this.hyper.optimizer)];
    this.gen = this.generator.program(config.batch, "train");
    this.critic = this.partner.program(config.batch, "train");
    this.sampler = new BatchSampler(data, config.batch, config.seed);
    this.real = K.alloc(config.batch * PIXELS * (config.dtype === "f32" ? 4 : 8));
    this.mix = new Float64Array(config.batch);
  }

  step(step: number): Losses {
    const sums: Losses = {};
    for (let i = 0; i < this.criticSteps; i++) {
      this.partner.zeroGrads();
      for (const [name, v] of Object.entries(this.criticLoss(step, i))) sums[name] = (sums[name] ?? 0) + v / this.criticSteps;
      this.optimizers[1].step();
      if (this.hyper.clip !== undefined) this.clip(this.hyper.clip);
    }
    this.generator.zeroGrads();
    sums.g = this.generatorLoss(step);
    this.optimizers[0].step();
    return sums;
  }

  /**
   * The partner's loss at critic iteration i of step s (mean over the batch), its gradient added into the
   * partner's gradients: `d`, and for the Wasserstein models the critic's estimate `w` = E D(x) − E D(G(z))
   * and, for WGAN-GP, the `penalty` (included in d).
   */
  criticLoss(step: number, iteration: number): Losses {
    const { K, config, critic } = this, B = config.batch, scale = 1 / B;
    this.sampler.fill((step - 1) * this.criticSteps + iteration, K, config.dtype, this.real);
    this.generate(step, iteration);
    const score = (input: number, sign: 1 | -1): number => {
      heapCopy(K, config, critic.input, input, B * PIXELS);
      critic.forward(B);
      const grad = critic.gradOutput, out = heapView(K, config, critic.output, B), g = heapView(K, config, grad, B);
      const loss = this.wasserstein ? criticScore(out, sign, scale, g) : logitCrossEntropy(out, sign === -1 ? 1 : 0, scale, g);
      critic.backward(B, { input: false, params: true });
      return loss;
    };
    const real = score(this.real, -1), fake = score(this.gen.output, 1);
    const losses: Losses = { d: real + fake };
    if (this.wasserstein) losses.w = -(real + fake);
    if (this.hyper.penalty !== undefined) {
      losses.penalty = this.penalty(step, iteration, this.hyper.penalty);
      losses.d += losses.penalty;
    }
    return losses;
  }

  /** The generator's loss at step s (mean over the batch), its gradient added into the generator's gradients. */
  generatorLoss(step: number): number {
    const { K, config, critic, gen } = this, B = config.batch, last = this.criticSteps - 1;
    const f = this.fake;
    if (!(f.step === step && f.iteration === last && f.version === this.generator.version)) this.generate(step, last);
    heapCopy(K, config, critic.input, gen.output, B * PIXELS);
    critic.forward(B);
    const grad = critic.gradOutput, out = heapView(K, config, critic.output, B), g = heapView(K, config, grad, B);
    const loss = this.wasserstein ? criticScore(out, -1, 1 / B, g) : logitCrossEntropy(out, 1, 1 / B, g);
    critic.backward(B, { input: true, params: false });
    heapCopy(K, config, gen.gradOutput, critic.gradInput, B * PIXELS);
    gen.backward(B, { input: false, params: true });
    return loss;
  }

  free(): void {
    for (const opt of this.optimizers) opt.free();
    this.K.free(this.real);
    this.generator.free();
    this.partner.free();
  }

  /** G(z) for the noise of critic iteration i of step s, in the generator program's output. */
  private generate(step: number, iteration: number): void {
    const { K, config, gen } = this;
    drawLatent(config, heapView(K, config, gen.input, config.batch * config.latent), "noise", step, iteration);
    gen.forward(config.batch);
    this.fake = { step, iteration, version: this.generator.version };
  }

  /**
   * λ·mean (‖∇ₓD(x̂)‖ − 1)² at x̂ = εx + (1 − ε)G(z), its θ-gradient added into the critic's: ∇ₓD by a
   * backward of ones, then the mixed second derivative along u = ∂penalty/∂∇ₓD.
   */
  private penalty(step: number, iteration: number, lambda: number): number {
    const { K, config, critic } = this, B = config.batch;
    Rng.derive(config.seed, "interpolate", step, iteration).fillUniform(this.mix);
    const grad = critic.gradOutput;
    const x = heapView(K, config, critic.input, B * PIXELS), real = heapView(K, config, this.real, B * PIXELS), fake = heapView(K, config, this.gen.output, B * PIXELS);
    for (let r = 0; r < B; r++) {
      const e = this.mix[r];
      for (let p = r * PIXELS; p < (r + 1) * PIXELS; p++) x[p] = e * real[p] + (1 - e) * fake[p];
    }
    critic.forward(B);
    heapView(K, config, grad, B).fill(1);
    critic.backward(B, { input: true, params: false });
    const direction = critic.direction;
    const penalty = gradientPenalty(heapView(K, config, critic.gradInput, B * PIXELS), B, PIXELS, lambda, 1 / B, heapView(K, config, direction, B * PIXELS));
    critic.mixedBackward(B);
    return penalty;
  }

  /** WGAN's weight clipping: every parameter of the critic into [−c, c] (batch norm's γ and β included, as in the reference code). */
  private clip(c: number): void {
    for (const p of this.partner.params) {
      if (!p.trainable) continue;
      const v = p.values;
      for (let i = 0; i < v.length; i++) v[i] = Math.min(c, Math.max(-c, v[i]));
    }
    this.partner.touch();
  }
}
