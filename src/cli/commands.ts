/** The `surf` commands. Implementations load lazily, so `surf --help` and usage errors stay instant. */
import { UsageError, type CommandSpec, type FlagSpec, type ParsedArgs } from "./args.js";

export interface Command {
  spec: CommandSpec;
  /** Settle the arguments before the outputs are locked (surf reproduce --shard auto: the shard's own --out). */
  prepare?(args: ParsedArgs): Promise<ParsedArgs>;
  run(args: ParsedArgs): Promise<number>;
}

/**
 * The flags that set a sweep's scale (src/experiments/sweeps.ts): what trains its generators and which cells
 * run. Every one that differs from the default is named in the cell's id and recorded in its settings.
 */
const SCALE_FLAGS: FlagSpec[] = [
  { name: "width", type: "number", placeholder: "W", help: "table1, fig2–fig5: generator width, a multiple of InfoGAN's (default 0.25; 1 = the paper's)" },
  { name: "critic-width", type: "number", placeholder: "W", help: "table1, fig2–fig5: width of the encoder, discriminator or critic (default: --width; ¼ of it for wgan, wgan-gp)" },
  { name: "critic-steps", type: "int", placeholder: "N", help: "table1, fig2–fig5: partner updates per generator update (default: the model's, 5 for the WGANs)" },
  { name: "train-seed", type: "string", placeholder: "LIST", help: "table1, fig2–fig5: training seeds, one sequence and cell per seed (default 0)" },
  { name: "steps", type: "int", placeholder: "S", help: "table1, fig2–fig5: training steps of each sequence (default 4000; fig3/fig4 10000)" },
  { name: "every", type: "int", placeholder: "E", help: "table1, fig2–fig5: a checkpoint every E steps (default 40; fig3/fig4 100)" },
  { name: "models", type: "string", placeholder: "LIST", help: "table1, fig2–fig5: the models run (default vae,gan,wgan,wgan-gp; fig3/fig4 gan,wgan)" },
  { name: "k", type: "string", placeholder: "LIST", help: "table1, fig2, fig5: latent dimensions (default 5,10,20)" },
  { name: "m", type: "string", placeholder: "LIST", help: "fig3, fig4: measurement counts (default 10,20,30,40,50,70,100,200,400); table1: a Gaussian A with m rows instead of A = I, a cell per m" },
  { name: "noise", type: "string", placeholder: "LIST", help: "table1, fig3, fig4: σ of Gaussian noise added to each observation A·y, a cell per σ (default 0; at most 1e6)" },
  { name: "restarts", type: "string", placeholder: "LIST", help: "table1: the R of best-of-R restarts at surfing's step count (default 1,2,4,8)" },
  { name: "rivals", type: "string", placeholder: "LIST", help: "table1: also run these rivals at surfing's step count: restart-until, adam-then-surf (as surf invert --method; default none)" },
  { name: "ablations", type: "string", placeholder: "LIST", help: "table1: also run surfing with one thing changed: surf-uniform, surf-linear (the budget's split), surf-skip0 (no θ_0), surf-half, surf-double (the budget), surf-every2, surf-every5 (the checkpoints used) (default none)" },
  { name: "checkpoints", type: "string", placeholder: "DIR", help: "table1, fig2–fig5: where the checkpoint sequences live (default OUT/checkpoints; a cache outside a results directory)", output: "directory" },
];

/**
 * The command `argv` starts with — one or two words ("selfcheck", "net random") — and the arguments after it;
 * a UsageError naming the choices when there is none.
 */
export function commandOf(argv: readonly string[]): { command: Command; rest: string[] } {
  const [name] = argv;
  const command = COMMANDS.find((c) => c.spec.name.split(" ").every((w, i) => argv[i] === w));
  if (!command) {
    const group = COMMANDS.filter((c) => c.spec.name.startsWith(name + " ")).map((c) => `'${c.spec.name}'`);
    throw new UsageError(group.length > 0 ? `'${name}' needs a subcommand: ${group.join(", ")}` : `unknown command '${name}' (commands: ${COMMANDS.map((c) => c.spec.name).join(", ")})`);
  }
  return { command, rest: argv.slice(command.spec.name.split(" ").length) };
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
        { name: "out", type: "string", placeholder: "FILE", help: "where to write the .safetensors file", output: "file" },
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
      summary: "the exact linear regions of a piecewise-linear network inside the box [−L, L]^k or in all of R^k",
      flags: [
        { name: "box", type: "string", default: "1", placeholder: "L|inf", help: "half-width L of the box [−L, L]^k, or inf for all of R^k (unbounded regions with their recession rays)" },
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
        { name: "out", type: "string", placeholder: "DIR", help: "write DIR/verify.json and DIR/index.html; finished units go to DIR/units.jsonl, so a killed run resumes", output: "directory", lock: true },
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
        { name: "width", type: "number", placeholder: "W", help: "dcgan generator width multiplier (default 0.25: a 4,000-step sequence in 4–10 minutes)" },
        { name: "critic-width", type: "number", placeholder: "W", help: "dcgan width multiplier of the encoder, discriminator or critic (default: --width; ¼ of it for wgan, wgan-gp)" },
        { name: "critic-steps", type: "int", placeholder: "N", help: "partner updates per generator update (default: the model's, 5 for wgan and wgan-gp, 1 otherwise)" },
        { name: "hidden", type: "string", placeholder: "n1,…", help: "mlp hidden widths (default 256,512)" },
        { name: "steps", type: "int", placeholder: "S", help: "generator updates, a multiple of --every (default 4000)" },
        { name: "every", type: "int", placeholder: "E", help: "a checkpoint every E steps, after θ_0 (default 40)" },
        { name: "batch", type: "int", placeholder: "B", help: "images per batch (default 64)" },
        { name: "out", type: "string", placeholder: "DIR", help: "the checkpoint sequence directory (also samples/, loss.jsonl, state/)", output: "directory", lock: true },
        { name: "resume", type: "boolean", help: "continue the run in --out from its last checkpoint (with its stored flags; --steps may grow)" },
        { name: "workers", type: "int", placeholder: "N", help: "threads for the products, at most 64 (default 1; WASM backend): the same files, bit for bit, for every N" },
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
        { name: "method", type: "string", default: "surf", placeholder: "surf|adam|gd|armijo|restarts|restart-until|adam-then-surf|certify|surf-projected", help: "surf: Algorithm 3.1; adam/gd/armijo: regular descent on θ_T; at surfing's per-trial step count: restarts (best of R), restart-until (fresh starts until f < τ), adam-then-surf (regular Adam, then surfing where f ≥ τ); certify: the exact global minimum of f_θT over the box (small k); surf-projected: Algorithm 3.2 (exact pieces)" },
        { name: "x-star", type: "string", placeholder: "LIST", help: "the true latent x* (comma-separated), y = G_θT(x*); default: x* ~ U[−1,1]^k per trial" },
        { name: "target", type: "string", placeholder: "FILE", help: "the signal y: a PNG image the generator's size (grey or RGB), or JSON (n numbers, or one array per trial)" },
        { name: "measure", type: "string", default: "identity", placeholder: "A", help: "identity; gaussian:M (M rows, N(0, 1/M) entries); inpaint:MASK.png (white observed) or inpaint:rect:x,y,w,h (that rectangle hidden); superres:F (F × F average pooling); subsample:M (M pixels from the seed); matrix:FILE (.npy or .safetensors, m × n)" },
        { name: "noise", type: "number", default: 0, placeholder: "σ", help: "Gaussian noise added to each observation A·y" },
        { name: "trials", type: "int", placeholder: "N", help: "number of trials, each with its own x_init and x* when drawn (default 10; one per given target when several are given, and 1 for certify with one)" },
        { name: "optimizer", type: "string", default: "adam", placeholder: "adam|gd|armijo", help: "the descent inside surfing and restarts" },
        { name: "lr", type: "number", placeholder: "η", help: "step size (Adam 0.01, GD 0.1, Armijo's initial 0.1 by default)" },
        { name: "schedule", type: "string", default: "neurips", placeholder: "neurips|converge", help: "surfing's steps per network: the NeurIPS budget split harmonically, or each network to convergence" },
        { name: "budget", type: "int", placeholder: "N", help: "total steps for θ_0..θ_{T−1} under neurips (default: 75th percentile of regular Adam's steps, measured first)" },
        { name: "max-steps", type: "int", default: 10000, placeholder: "N", help: "cap on a descent run to convergence" },
        { name: "restarts", type: "int", default: 4, placeholder: "R", help: "restarts for --method restarts" },
        { name: "until", type: "number", placeholder: "τ", help: "restart-until, adam-then-surf: a descent has found the target once f < τ (default ½·m·(0.01² + σ²): an RMS residual of 0.01 over the m measurements, plus the noise --noise σ)" },
        { name: "start", type: "string", default: "uniform", placeholder: "uniform|zero", help: "x_init ~ U[−1,1]^k (the paper's experiments) or 0" },
        { name: "sign-flip", type: "boolean", help: "jump to −x whenever f(−x) < f(x) (Huang et al. 2018, for hv networks)" },
        { name: "batch", type: "int", default: 300, placeholder: "B", help: "trials per batch (one gemm per layer for all of them)" },
        { name: "workers", type: "int", placeholder: "N", help: "worker threads, at most 256 (default: the number of cores)" },
        { name: "save-images", type: "string", placeholder: "DIR", help: "write each trial's target, observation (inpainting, subsampling, super-resolution), reconstruction G_θT(x̂) and error as PNGs, and index.html showing them", output: "directory" },
        { name: "journal", type: "string", placeholder: "FILE", help: "keep finished trials in FILE (JSON lines) as the run goes: the same command again resumes a killed run", output: "file", lock: true },
        { name: "box", type: "string", default: "1", placeholder: "L", help: "certify, surf-projected: the box [−L, L]^k the exact geometry works in" },
        { name: "tau", type: "number", default: 0.05, placeholder: "τ", help: "surf-projected: the slack of S(x, θ, τ); the pieces searched differ from x's only on neurons with |pre-activation| ≤ τ" },
        { name: "inner", type: "string", default: "gradient", placeholder: "gradient|exact", help: "surf-projected: projected gradient on each piece (Algorithm 3.2 as written) or the exact per-piece QP" },
        { name: "max-regions", type: "int", default: 1000000, placeholder: "N", help: "certify: refuse (exit 2) when more regions are estimated or found" },
        { name: "interpolate", type: "int", placeholder: "T", help: "experimental: surf θ(s) = (1−s)θ_0 + sθ_T on T+1 points from a fresh θ_0 when only θ_T exists (measured on two DCGANs: above regular Adam on one, below it on the other, below surfing on both; docs/surfing/interpolation.md)" },
      ],
    },
    run: async (args) => (await import("./invert.js")).run(args),
  },
  {
    spec: {
      name: "demo",
      summary: "the main job: train a small DCGAN on Fashion-MNIST, surf vs regular Adam on 36 targets, write a report",
      flags: [
        { name: "out", type: "string", default: "surfing-demo", placeholder: "DIR", help: "where the checkpoints, results and report go (rerun to resume)", output: "directory", lock: true },
        { name: "workers", type: "int", placeholder: "N", help: "worker threads, at most 256 (default: the number of cores)" },
      ],
    },
    run: async (args) => (await import("./reproduce.js")).demo(args),
  },
  {
    spec: {
      name: "merge",
      summary: "join the shards of `surf reproduce --shard` into one report: those found under OUT (--shard auto), or the directories named (with --out)",
      flags: [
        { name: "sweep", type: "string", default: "table1", placeholder: "table1|fig2|fig3|fig4|fig5", help: "the sweep the shards ran" },
        { name: "quick", type: "boolean", help: "the shards ran with --quick (with OUT, as the scale flags: read from the shards, checked if given)" },
        { name: "trials", type: "int", placeholder: "N", help: "the shards' --trials" },
        { name: "out", type: "string", placeholder: "DIR", help: "where the merged results and report go (with the shards' directories named)", output: "directory", lock: true },
        { name: "allow-partial", type: "boolean", help: "with OUT: merge the shards there even if some are missing or unfinished (the report and summary.json say so)" },
        ...SCALE_FLAGS.filter((f) => f.name !== "trials"),
      ],
      positionals: [{ name: "dirs", help: "OUT, the --out of surf reproduce --shard auto (its shards found there, merged into it, at their settings); or, with --out, the shards' directories", variadic: true }],
    },
    prepare: async (args) => (await import("./reproduce.js")).prepareMerge(args),
    run: async (args) => (await import("./reproduce.js")).merge(args),
  },
  {
    spec: {
      name: "landscape dss",
      summary: "Dynamic String Sampling (Freeman & Bruna): normalized geodesic length and beads of level sets, in weight space (--task) or along a checkpoint sequence in x (--net)",
      flags: [
        { name: "task", type: "string", placeholder: "quadratic|cubic|both", help: "weight space: the 1-4-4-1 sigmoid network of Freeman & Bruna 2017, Section 4.1, DSS against the loss level L0" },
        { name: "net", type: "string", placeholder: "DIR", help: "latent space: a checkpoint directory θ_0..θ_T; DSS in x on f_θt at each checkpoint" },
        { name: "levels", type: "string", placeholder: "LIST", help: "weight space: levels L0 / Var(y) (default 0.3,0.1,0.03,0.01,0.003,0.001)" },
        { name: "level", type: "number", placeholder: "λ", help: "latent space: L0_t = λ·(f̄_t − f*_t) (default 0.2)" },
        { name: "pairs", type: "int", placeholder: "N", help: "pairs connected per level or checkpoint (default 8 in weight space, 4 in latent space)" },
        { name: "starts", type: "int", placeholder: "N", help: "latent space: random starts per checkpoint, for f* and the pairs (default 8, at least 2·pairs)" },
        { name: "box", type: "number", placeholder: "L", help: "latent space: starts uniform on [−L, L]^k (default 2)" },
        { name: "stride", type: "int", placeholder: "S", help: "latent space: every S-th checkpoint, and the last (default 1)" },
        { name: "target", type: "string", placeholder: "FILE", help: "latent space: JSON, the signal y (default y = G_θT(x*), x* ~ U[−1,1]^k)" },
        { name: "image", type: "int", placeholder: "I", help: "latent space: y = held-out Fashion-MNIST image I" },
        { name: "alpha", type: "number", placeholder: "α", help: "beads are trained to α·L0 (default 0.5)" },
        { name: "samples", type: "int", placeholder: "S", help: "interpolation points checked per segment, at most 10000 (default 31)" },
        { name: "insertion", type: "string", placeholder: "argmax|midpoint", help: "where a bead starts: the interpolated maximum or t = 1/2 (default argmax)" },
        { name: "max-beads", type: "int", placeholder: "B", help: "beads before a run stops unconverged (default 200)" },
        { name: "bead-steps", type: "int", placeholder: "N", help: "Adam steps allowed per bead (default 20000 in weight space, 5000 in latent space)" },
        { name: "end-steps", type: "int", placeholder: "N", help: "weight space: Adam steps to train each endpoint network (default 50000)" },
        { name: "lr", type: "number", placeholder: "η", help: "Adam's step size for the beads (default 0.01)" },
        { name: "out", type: "string", placeholder: "DIR", help: "where the JSON, the HTML report and the resume journal go (rerun to resume)", output: "directory", lock: true },
      ],
    },
    run: async (args) => (await import("./landscape.js")).dss(args),
  },
  {
    spec: {
      name: "fid",
      summary: "FID of a generator (a network or along a checkpoint sequence) against the held-out Fashion-MNIST images, in our classifier's features",
      flags: [
        { name: "samples", type: "int", default: 10000, placeholder: "N", help: "generated images per network" },
        { name: "stride", type: "int", placeholder: "S", help: "a checkpoint directory: every S-th checkpoint and θ_T (default: T/10)" },
        { name: "latent", type: "string", default: "uniform", placeholder: "uniform|normal", help: "the distribution of z: uniform on [−1, 1]^k (the GANs') or N(0, I) (the VAE's)" },
        { name: "train-classifier", type: "boolean", help: "instead: train the classifier from its seed (src/quality/classifier.ts) into --out" },
        { name: "out", type: "string", placeholder: "DIR", help: "--train-classifier: where fid-classifier.safetensors and fid-classifier.json go", output: "directory" },
      ],
      positionals: [{ name: "net", help: "a .safetensors generator or a checkpoint directory (not with --train-classifier)" }],
    },
    run: async (args) => (await import("./fid.js")).run(args),
  },
  {
    spec: {
      name: "reproduce",
      summary: "reproduce the paper's experiments: table1, fig1 (surfaces during training, with DSS), fig2–fig5 (resumable, shardable)",
      flags: [
        { name: "out", type: "string", placeholder: "DIR", help: "where the generator (if trained), results and report go (rerun to resume)", output: "directory", lock: true },
        { name: "quick", type: "boolean", help: "fig1: a small mlp generator on a short run, a coarser grid, fewer pairs and starts: under a minute" },
        { name: "net", type: "string", placeholder: "DIR", help: "fig1: use this k = 2 checkpoint sequence instead of training one into OUT/net" },
        { name: "trials", type: "int", placeholder: "N", help: "fig1: DSS pairs per checkpoint and target (default 4; 2 with --quick)" },
        { name: "grid", type: "int", placeholder: "N", help: "fig1: N×N points over [−4, 4]², N at most 1001 (default 81; 41 with --quick)" },
        { name: "stages", type: "string", placeholder: "LIST", help: "fig1: checkpoint indices shown (default 0, T/10, T)" },
        { name: "images", type: "string", placeholder: "LIST", help: "fig1: held-out image indices of the targets (default two drawn from --seed)" },
        { name: "stride", type: "int", placeholder: "S", help: "fig1: DSS at every S-th checkpoint and the last (default T/20; T/5 with --quick)" },
        { name: "shard", type: "string", placeholder: "i/n|auto", help: "table1, fig2–fig5: run the cells j with j mod n = i − 1 (join the shards with surf merge); auto: i and n from a Slurm job array or Kubernetes Indexed Job, written to OUT/shard-i-of-n (the default inside one)" },
        { name: "shards", type: "int", placeholder: "N", help: "--shard auto: the count of shards (a Kubernetes Indexed Job's completions; or SURF_SHARDS); in Slurm, the task ID is then the shard" },
        { name: "workers", type: "int", placeholder: "N", help: "table1, fig2–fig5: worker threads, at most 256 (default: the number of cores)" },
        ...SCALE_FLAGS,
      ],
      positionals: [{ name: "name", help: "table1, fig1, fig2, fig3, fig4 or fig5", required: true }],
    },
    prepare: async (args) => (await import("./reproduce.js")).prepareSweep(args),
    // name → runner
    run: async (args) => {
      const runners: Record<string, (a: ParsedArgs) => Promise<number>> = {
        fig1: async (a) => (await import("./landscape.js")).fig1(a),
        ...Object.fromEntries(["table1", "fig2", "fig3", "fig4", "fig5"].map((name) =>
          [name, async (a: ParsedArgs) => (await import("./reproduce.js")).sweep(name as "table1")(a)])),
      };
      const runner = Object.hasOwn(runners, args.positionals[0]) ? runners[args.positionals[0]] : undefined;   // not "__proto__"
      if (!runner) {
        throw new UsageError(`'surf reproduce ${args.positionals[0]}': unknown experiment (one of ${Object.keys(runners).join(", ")})`);
      }
      return runner(args);
    },
  },
];
