/** The `surf` commands. Implementations load lazily, so `surf --help` and usage errors stay instant. */
import type { CommandSpec, ParsedArgs } from "./args.js";

export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

export const COMMANDS: Command[] = [
  {
    spec: {
      name: "selfcheck",
      summary: "check the WASM kernels against the TS twin bit for bit and time the gemm",
      flags: [],
    },
    run: async (args) => (await import("./selfcheck.js")).run(args),
  },
  {
    spec: {
      name: "net random",
      summary: "write a random network of a Gaussian ensemble (Theorem 3.1's, or Hand–Voroninski's)",
      flags: [
        { name: "arch", type: "string", placeholder: "k,n1,…", help: "widths: k,n1,…,nd,n for the surf family (n = output of V), k,n1,…,nd for hv" },
        { name: "family", type: "string", default: "surf", placeholder: "surf|hv", help: "surf: V·σ(W_d…σ(W_1x+b_1)…+b_d); hv: σ(W_d…σ(W_1x)…), no biases" },
        { name: "dtype", type: "string", default: "f32", placeholder: "f32|f64", help: "element type of the weights" },
        { name: "out", type: "string", placeholder: "FILE", help: "where to write the .safetensors file" },
      ],
    },
    run: async (args) => (await import("./net.js")).random(args),
  },
  {
    spec: {
      name: "info",
      summary: "describe a network file or checkpoint directory: architecture, parameters, checkpoints",
      flags: [],
      positionals: [{ name: "path", help: "a .safetensors file or a checkpoint directory", required: true }],
    },
    run: async (args) => (await import("./net.js")).info(args),
  },
  {
    spec: {
      name: "regions",
      summary: "the exact linear regions of a piecewise-linear network inside the box [−L, L]^k",
      flags: [
        { name: "box", type: "number", default: 1, placeholder: "L", help: "half-width L of the box [−L, L]^k" },
        { name: "max-regions", type: "int", default: 1000000, placeholder: "N", help: "refuse (exit 2) when more regions are estimated or found" },
      ],
      positionals: [{ name: "net", help: "a .safetensors network (Linear, Conv2d, ConvTranspose2d, BatchNorm, ReLU, LeakyReLU)", required: true }],
    },
    run: async (args) => (await import("./regions.js")).run(args),
  },
  {
    spec: {
      name: "verify",
      summary: "check the theorems (Theorem 3.1, Lemmas 5.1–5.4, WDC, RRIC, Hand–Voroninski, Theorem 3.3) on Gaussian ensembles",
      flags: [
        { name: "quick", type: "boolean", help: "small sizes: under a minute (the npm test run)" },
        { name: "out", type: "string", placeholder: "DIR", help: "write DIR/verify.json and DIR/index.html; finished units go to DIR/units.jsonl, so a killed run resumes" },
      ],
      positionals: [{ name: "name", help: "a check (theorem-3.1, lemma-5.4, wdc, rric, lemma-5.2, hv-theorem-1, theorem-3.3) or all (default)" }],
    },
    run: async (args) => (await import("./verify.js")).run(args),
  },
  {
    spec: {
      name: "train",
      summary: "train a generator on Fashion-MNIST (VAE, GAN, WGAN, WGAN-GP) and record its checkpoint sequence",
      flags: [
        { name: "model", type: "string", placeholder: "vae|gan|wgan|wgan-gp", help: "the training procedure (hyper-parameters: src/train/hyperparameters.ts)" },
        { name: "arch", type: "string", placeholder: "dcgan|mlp", help: "the generator: InfoGAN's FC-FC-ConvT-ConvT, or an MLP k→hidden→784 (default dcgan)" },
        { name: "latent", type: "int", placeholder: "K", help: "latent dimension k (default 20)" },
        { name: "width", type: "number", placeholder: "W", help: "dcgan width multiplier (default 0.25: 4,000 VAE or GAN steps in about 7 minutes)" },
        { name: "hidden", type: "string", placeholder: "n1,…", help: "mlp hidden widths (default 256,512)" },
        { name: "steps", type: "int", placeholder: "S", help: "generator updates, a multiple of --every (default 4000)" },
        { name: "every", type: "int", placeholder: "E", help: "a checkpoint every E steps, after θ_0 (default 40)" },
        { name: "batch", type: "int", placeholder: "B", help: "images per batch (default 64)" },
        { name: "out", type: "string", placeholder: "DIR", help: "the checkpoint sequence directory (also samples/, loss.jsonl, state/)" },
        { name: "resume", type: "boolean", help: "continue the run in --out from its last checkpoint (with its stored flags; --steps may grow)" },
      ],
    },
    run: async (args) => (await import("./train.js")).run(args),
  },
  {
    spec: {
      name: "invert",
      summary: "invert a network by surfing (Algorithm 3.1) or a baseline: success rate, steps, x̂ per trial",
      flags: [
        { name: "net", type: "string", placeholder: "PATH", help: "a checkpoint directory (θ_0..θ_T, for surf) or one .safetensors network" },
        { name: "method", type: "string", default: "surf", placeholder: "surf|adam|gd|armijo|restarts", help: "surf: Algorithm 3.1; adam/gd/armijo: regular descent on θ_T; restarts: best of R at surfing's per-trial step count" },
        { name: "x-star", type: "string", placeholder: "LIST", help: "the true latent x* (comma-separated), y = G_θT(x*); default: x* ~ U[−1,1]^k per trial" },
        { name: "target", type: "string", placeholder: "FILE", help: "JSON: the signal y (n numbers), or one per trial" },
        { name: "measure", type: "string", default: "identity", placeholder: "identity|gaussian:M", help: "A = I, or Gaussian A with M rows and N(0, 1/M) entries" },
        { name: "noise", type: "number", default: 0, placeholder: "σ", help: "Gaussian noise added to each observation A·y" },
        { name: "trials", type: "int", default: 10, placeholder: "N", help: "number of trials (each with its own x_init, and x* when drawn)" },
        { name: "optimizer", type: "string", default: "adam", placeholder: "adam|gd|armijo", help: "the descent inside surfing and restarts" },
        { name: "lr", type: "number", placeholder: "η", help: "step size (Adam 0.01, GD 0.1, Armijo's initial 0.1 by default)" },
        { name: "schedule", type: "string", default: "neurips", placeholder: "neurips|converge", help: "surfing's steps per network: the NeurIPS budget split harmonically, or each network to convergence" },
        { name: "budget", type: "int", placeholder: "N", help: "total steps for θ_0..θ_{T−1} under neurips (default: 75th percentile of regular Adam's steps, measured first)" },
        { name: "max-steps", type: "int", default: 10000, placeholder: "N", help: "cap on a descent run to convergence" },
        { name: "restarts", type: "int", default: 4, placeholder: "R", help: "restarts for --method restarts" },
        { name: "start", type: "string", default: "uniform", placeholder: "uniform|zero", help: "x_init ~ U[−1,1]^k (the paper's experiments) or 0" },
        { name: "sign-flip", type: "boolean", help: "jump to −x whenever f(−x) < f(x) (Huang et al. 2018, for hv networks)" },
        { name: "batch", type: "int", default: 300, placeholder: "B", help: "trials per batch (one gemm per layer for all of them)" },
        { name: "workers", type: "int", placeholder: "N", help: "worker threads (default: the number of cores)" },
        { name: "interpolate", type: "int", placeholder: "T", help: "experimental: surf θ(s) = (1−s)θ_0 + sθ_T on T+1 points from a fresh θ_0 when only θ_T exists" },
      ],
    },
    run: async (args) => (await import("./invert.js")).run(args),
  },
];
