/** `surf reproduce table1|fig2|fig3|fig4|fig5`, `surf merge` and `surf demo`. */
import { MAX_TRIALS, positiveFlag, positiveIntFlag, UsageError, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { checkWorkers, defaultWorkers } from "../surf/pool.js";
import { merge as mergeDirs, mergeShards, reproduce } from "../experiments/reproduce.js";
import { parseShard, scheduled, shardDirectory, shardFromEnvironment, type Environment } from "../experiments/shard.js";
import { checkOutputDirectory } from "../io.js";
import { SWEEPS, type ScaleOverrides, type SweepName } from "../experiments/sweeps.js";
import { ABLATIONS, RIVALS } from "../experiments/cell.js";
import { MODEL_KINDS, type ModelKind } from "../train/hyperparameters.js";
import { demo as runDemo } from "../experiments/demo.js";

import { version } from "./version.js";

function workersOf(args: ParsedArgs): number {
  return checkWorkers(positiveIntFlag(args.flags.workers, "--workers", defaultWorkers()));
}

function trialsOf(args: ParsedArgs): number | undefined {
  if (args.flags.trials === undefined) return undefined;
  const trials = positiveIntFlag(args.flags.trials, "--trials");
  if (trials > MAX_TRIALS) throw new UsageError(`--trials must be at most ${MAX_TRIALS.toLocaleString("en")}, got ${trials}`);
  return trials;
}

/** A comma-separated list of integers ≥ min (no empty items), or undefined when the flag is absent. */
function intList(args: ParsedArgs, name: string, min: number): number[] | undefined {
  const v = args.flags[name];
  if (v === undefined) return undefined;
  const items = String(v).split(",").map((s) => s.trim());
  const values = items.map(Number);
  if (items.some((s) => s === "") || values.some((n) => !Number.isSafeInteger(n) || n < min)) {
    throw new UsageError(`--${name} must be integers ≥ ${min} separated by commas, got "${v}"`);
  }
  if (new Set(values).size !== values.length) throw new UsageError(`--${name} lists a value twice: "${v}"`);
  return values;
}

/** --noise: a comma-separated list of σ, each finite, ≥ 0 and ≤ MAX_NOISE, each once. */
function noiseList(args: ParsedArgs): number[] | undefined {
  const v = args.flags.noise;
  if (v === undefined) return undefined;
  const items = String(v).split(",").map((s) => s.trim()), values = items.map(Number);
  if (items.some((s) => s === "" || !/^[0-9.eE+-]+$/.test(s)) || values.some((x) => !(x >= 0 && x <= MAX_NOISE))) {
    throw new UsageError(`--noise must be numbers σ with 0 ≤ σ ≤ ${MAX_NOISE} separated by commas, got "${v}"`);
  }
  if (new Set(values).size !== values.length) throw new UsageError(`--noise lists a value twice: "${v}"`);
  return values;
}
const MAX_NOISE = 1e6;

/** The scale flags (commands.ts SCALE_FLAGS), checked. */
function scaleOf(args: ParsedArgs): ScaleOverrides {
  const f = args.flags, models = f.models === undefined ? undefined : String(f.models).split(",").map((s) => s.trim());
  const bad = models?.find((m) => !MODEL_KINDS.includes(m as ModelKind));
  if (bad !== undefined) throw new UsageError(`--models must list models among ${MODEL_KINDS.join(", ")}, got "${bad}"`);
  if (models && new Set(models).size !== models.length) throw new UsageError(`--models lists a model twice: "${f.models}"`);
  return {
    trials: trialsOf(args),
    width: f.width === undefined ? undefined : positiveFlag(f.width, "--width"),
    criticWidth: f["critic-width"] === undefined ? undefined : positiveFlag(f["critic-width"], "--critic-width"),
    criticSteps: f["critic-steps"] === undefined ? undefined : positiveIntFlag(f["critic-steps"], "--critic-steps"),
    trainSeeds: intList(args, "train-seed", 0),
    steps: f.steps === undefined ? undefined : positiveIntFlag(f.steps, "--steps"),
    every: f.every === undefined ? undefined : positiveIntFlag(f.every, "--every"),
    models: models as ModelKind[] | undefined,
    ks: intList(args, "k", 1),
    ms: intList(args, "m", 1),
    noises: noiseList(args),
    restarts: intList(args, "restarts", 1),
    rivals: listOf(args, "rivals", RIVALS),
    ablations: listOf(args, "ablations", ABLATIONS),
  };
}

/** --rivals, --ablations: a list of stage names among `allowed`, each once. */
function listOf<T extends string>(args: ParsedArgs, flag: "rivals" | "ablations", allowed: readonly T[]): T[] | undefined {
  const v = args.flags[flag];
  if (v === undefined) return undefined;
  const names = String(v).split(",").map((s) => s.trim());
  const bad = names.find((n) => !(allowed as readonly string[]).includes(n));
  if (bad !== undefined) throw new UsageError(`--${flag} must list stages among ${allowed.join(", ")}, got "${bad}"`);
  if (new Set(names).size !== names.length) throw new UsageError(`--${flag} lists a stage twice: "${v}"`);
  return names as T[];
}

function checkpointsOf(args: ParsedArgs): string | undefined {
  const v = args.flags.checkpoints;
  if (v === undefined) return undefined;
  if (String(v) === "") throw new UsageError("--checkpoints must name a directory");
  return String(v);
}

/**
 * Before a sweep's --out is locked: `--shard auto` — or no --shard inside a scheduler's array task, said on
 * stderr — becomes the task's shard i/n (shardFromEnvironment), and --out its own subdirectory OUT/shard-i-of-n,
 * so that directory is what the run locks and writes, and the tasks of one array share OUT.
 *
 * @example
 * // in Slurm array task 2 of --array=1-3:
 * prepareSweep(parseArgs(spec, ["table1", "--out", "runs/t1"])).flags   // { shard: "2/3", out: "runs/t1/shard-2-of-3", … }
 */
export function prepareSweep(args: ParsedArgs, env: Environment = process.env): ParsedArgs {
  if (!(SWEEPS as readonly string[]).includes(args.positionals[0])) return args;   // fig1 has no shards
  const flag = args.flags.shard === undefined ? undefined : String(args.flags.shard);
  const shards = args.flags.shards === undefined ? undefined : positiveIntFlag(args.flags.shards, "--shards");
  if (flag !== "auto" && (flag !== undefined || !scheduled(env))) {
    if (shards !== undefined) throw new UsageError(`--shards goes with --shard auto${flag === undefined ? " (or inside a Slurm array or Kubernetes Indexed Job)" : " (the count of --shard i/n is n)"}`);
    if (flag !== undefined) parseShard(flag);
    return args;
  }
  if (args.flags.out === undefined) throw new UsageError("--out is required (the directory the shards share: each writes OUT/shard-i-of-n)");
  const { shard, scheduler, from } = shardFromEnvironment(env, shards);
  const out = shardDirectory(String(args.flags.out), shard);
  try {
    checkOutputDirectory(out, "--out");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const why = flag === undefined ? `no --shard given in a ${scheduler} task, so --shard auto` : "--shard auto";
  process.stderr.write(`surf: ${why}: shard ${shard.index}/${shard.count} (${from}); writing ${out}\n`);
  return { ...args, flags: { ...args.flags, shard: `${shard.index}/${shard.count}`, out } };
}

/** The runner of one sweep, for the `reproduce` command's table of names. */
export function sweep(name: SweepName): (args: ParsedArgs) => Promise<number> {
  return async (args) => {
    if (args.flags.out === undefined) throw new UsageError("--out is required (the directory for checkpoints, results and the report)");
    const bar = progressBar(name);
    const result = await reproduce(name, {
      quick: args.flags.quick === true, scale: scaleOf(args), shard: parseShard(String(args.flags.shard ?? "1/1")), recordShard: args.flags.shard !== undefined,
      out: String(args.flags.out), checkpoints: checkpointsOf(args), seed: args.seed, workers: workersOf(args), version: version(),
      onProgress: (label, f) => bar.fraction(f, label),
    });
    bar.done();
    process.stdout.write(args.json ? JSON.stringify(result.summary) + "\n" : `wrote ${result.report}\n`);
    return 0;
  };
}

/**
 * Before merge's --out is locked: `surf merge --sweep NAME OUT` (one directory, no --out) merges the shards
 * found under OUT into OUT, so OUT is the output.
 */
export function prepareMerge(args: ParsedArgs): ParsedArgs {
  if (args.flags.out !== undefined || args.positionals.length !== 1) return args;
  try {
    checkOutputDirectory(args.positionals[0], "OUT");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { ...args, flags: { ...args.flags, out: args.positionals[0] }, positionals: [] };
}

export async function merge(args: ParsedArgs): Promise<number> {
  const name = String(args.flags.sweep ?? "table1") as SweepName;
  if (!SWEEPS.includes(name)) throw new UsageError(`--sweep must be one of ${SWEEPS.join(", ")}, got "${name}"`);
  if (args.flags.out === undefined) throw new UsageError("give OUT (the --out of surf reproduce --shard auto: its shards are found there), or --out DIR and the shards' directories");
  const out = String(args.flags.out);
  let result: Awaited<ReturnType<typeof mergeShards>>;
  if (args.positionals.length === 0) {
    result = mergeShards(name, out, {
      allowPartial: args.flags["allow-partial"] === true, quick: args.flags.quick as boolean | undefined,
      seed: args.seed === "0" ? undefined : args.seed,   // --seed always has a value: only one other than the default can conflict
      scale: scaleOf(args), checkpoints: checkpointsOf(args), version: version(),
    });
    if (result.partial) process.stderr.write(`surf: a partial merge, without ${result.partial.missing.join(", ")} (the report and summary.json say so)\n`);
  } else {
    if (args.flags["allow-partial"] !== undefined) throw new UsageError("--allow-partial goes with surf merge --sweep NAME OUT (the shards found under OUT), not with the shards' directories named");
    result = mergeDirs(name, args.positionals, { quick: args.flags.quick === true, scale: scaleOf(args), out, checkpoints: checkpointsOf(args), seed: args.seed, version: version() });
  }
  process.stdout.write(args.json ? JSON.stringify(result.summary) + "\n" : `wrote ${result.report}\n`);
  return 0;
}

export async function demo(args: ParsedArgs): Promise<number> {
  const out = String(args.flags.out);
  const bar = progressBar("demo");
  const { report, table } = await runDemo(out, args.seed, workersOf(args), version(), (label, f) => bar.fraction(f, label));
  bar.done();
  if (args.json) {
    process.stdout.write(JSON.stringify({ report, table }) + "\n");
  } else {
    const widths = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
    const legend = [
      "",
      "Success: ‖x̂ − x*‖ < 0.01. Each cell: success rate in % [95 % Wilson interval] (trials).",
      "Regular Adam runs on θ_T alone; surfing over θ_0 … θ_T (Algorithm 3.1) under the NeurIPS budget;",
      "regular at surfing's steps and best of 2 share each target's surfing step count (equal compute).",
    ];
    process.stdout.write(table.map((r) => r.map((c, j) => c.padEnd(widths[j])).join("  ")).join("\n") + "\n" + legend.join("\n") + `\n\nreport: ${report}\n`);
  }
  return 0;
}
