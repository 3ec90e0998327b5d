/** `surf train`: train a generator on Fashion-MNIST and record its checkpoint sequence (src/train/run.ts). */
import { positiveIntFlag, UsageError, type ParsedArgs } from "./args.js";
import { createKernels, kernels as defaultKernels, MAX_THREADS } from "../kernels/index.js";
import { progressBar } from "./progress.js";
import { loadFashionMnist } from "../data/fashion-mnist.js";
import { ARCH_KINDS, makeConfig, type ArchKind, type TrainConfig } from "../train/config.js";
import { flagOf } from "./flags.js";
import { HYPERPARAMETERS, MODEL_KINDS, type ModelKind } from "../train/hyperparameters.js";
import { readState } from "../train/state.js";
import { train } from "../train/run.js";

/** The configuration fields set by flags (flagOf names each; with --resume, given ones must match the stored run). */
const CONFIG_KEYS = ["model", "arch", "latent", "width", "criticWidth", "criticSteps", "hidden", "steps", "every", "batch"] as const;

export async function run(args: ParsedArgs): Promise<number> {
  const out = args.flags.out;
  if (out === undefined) throw new UsageError("--out is required (the directory of the checkpoint sequence)");
  const given: Partial<TrainConfig> = {};
  for (const name of CONFIG_KEYS) {
    const v = args.flags[flagOf(name)];
    if (v === undefined) continue;
    if (name === "model") {
      if (!MODEL_KINDS.includes(v as ModelKind)) throw new UsageError(`--model must be one of ${MODEL_KINDS.join(", ")}, got "${v}"`);
      given.model = v as ModelKind;
    } else if (name === "arch") {
      if (!ARCH_KINDS.includes(v as ArchKind)) throw new UsageError(`--arch must be one of ${ARCH_KINDS.join(", ")}, got "${v}"`);
      given.arch = v as ArchKind;
    } else if (name === "hidden") {
      const widths = String(v).split(",").map((s) => Number(s.trim()));
      if (widths.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new UsageError(`--hidden must be positive integers separated by commas, got "${v}"`);
      given.hidden = widths;
    } else {
      given[name] = v as number;
    }
  }
  let config: TrainConfig;
  if (args.flags.resume === true) {
    const stored = readState(String(out)).config;
    // --seed always has a value (default "0"): only a seed other than the default can conflict
    config = { ...stored, ...given, seed: args.seed === "0" ? stored.seed : args.seed };
  } else {
    if (given.model === undefined) throw new UsageError(`--model is required (${MODEL_KINDS.join(", ")})`);
    config = makeConfig({ ...given, model: given.model, seed: args.seed });
  }
  // Threads change no result (src/kernels/team.ts), so they are not part of the stored configuration: a run may
  // resume with another --workers. The TS backend computes on one thread.
  const workers = positiveIntFlag(args.flags.workers, "--workers", 1);
  if (workers > MAX_THREADS) throw new UsageError(`--workers must be at most ${MAX_THREADS} (threads sharing each product), got ${workers}`);
  const data = loadFashionMnist({ log: (m) => process.stderr.write(`surf: ${m}\n`) });
  const kernels = workers > 1 && defaultKernels.backend === "wasm" ? await createKernels("wasm", { threads: workers }) : defaultKernels;
  const threads = kernels.threads;
  const bar = progressBar(`train ${config.model}`);
  let first = -1;
  let result;
  try {
    result = train(config, data.train, {
      out: String(out),
      resume: args.flags.resume === true,
      kernels,
      onStep: (step, losses) => {
        if (first < 0) first = step - 1;
        bar.update(step - first, config.steps - first, `step ${step}  ${Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(" ")}`, "steps");
      },
    });
  } finally {
    if (kernels !== defaultKernels) kernels.close();
  }
  bar.done();
  const summary = {
    out: result.out,
    ...result.config,
    workers: threads,
    startStep: result.startStep,
    checkpoints: result.checkpoints.length,
    stepsRun: result.stepsRun,
    seconds: result.seconds,
    imagesPerSecond: result.imagesPerSecond,
    losses: result.last ?? null,
  };
  if (args.json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
  } else {
    const c = result.config, size = c.arch === "dcgan" ? `dcgan ×${c.width}, ${HYPERPARAMETERS[c.model].partner} ×${c.criticWidth}` : `mlp ${[c.latent, ...c.hidden, 784].join("→")}`;
    process.stdout.write([
      `trained ${c.model} (${size}, k = ${c.latent}, batch ${c.batch}, seed ${c.seed}): steps ${result.startStep}…${c.steps} in ${result.seconds.toFixed(1)} s (${result.imagesPerSecond.toFixed(0)} images/s)`,
      `${result.out}: ${result.checkpoints.length} checkpoints, steps ${result.checkpoints[0]}…${result.checkpoints[result.checkpoints.length - 1]} every ${c.every}; sample grids in ${result.out}/samples, losses in ${result.out}/loss.jsonl`,
      ...(result.last ? [`last losses: ${Object.entries(result.last).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(", ")}`] : []),
    ].join("\n") + "\n");
  }
  return 0;
}
