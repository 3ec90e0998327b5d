/**
 * `--shard i/n`: a deterministic slice of a sweep's cells — cell j goes to shard (j mod n) + 1 — so a job runner
 * (a cluster array job, a CI matrix) can spread a sweep over machines and `surf merge` join the results.
 *
 * `--shard auto` takes i and n from the task variables a scheduler sets (shardFromEnvironment); such a shard
 * writes only under its own subdirectory of --out (shardDirectory), so the tasks of an array share one
 * directory on a network file system, and `surf merge --sweep NAME OUT` finds them there (findShards).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";

export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) throw new InputError(`\`shard\` must be i/n with 1 ≤ i ≤ n (or auto), got "${text}"`);
  return { index, count };
}

export function inShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, j) => j % shard.count === shard.index - 1);
}

/** The shard cell j (of a sweep's plan) falls in, among `count`: the inverse of inShard. */
export function shardOf(j: number, count: number): number {
  return (j % count) + 1;
}

/** A Slurm job array task's variables (sbatch --array), as --shard auto reads them. */
export const SLURM_ARRAY = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP"] as const;
/** A Kubernetes Indexed Job's pod index, 0 … completions − 1. */
export const KUBERNETES_INDEX = "JOB_COMPLETION_INDEX";
/** The shard count where the scheduler does not give it (Kubernetes), as --shards does. */
export const SHARDS_VARIABLE = "SURF_SHARDS";

export type Environment = Readonly<Record<string, string | undefined>>;

/** Whether `env` holds a scheduler's task variables: then a sweep without --shard runs as --shard auto. */
export function scheduled(env: Environment): boolean {
  return [...SLURM_ARRAY, KUBERNETES_INDEX].some((v) => env[v] !== undefined);
}

/** A shard taken from a scheduler's variables, and which ones (for the line announcing it). */
export interface ScheduledShard {
  shard: Shard;
  scheduler: "Slurm" | "Kubernetes";
  /** "NAME=value, …": the variables (and flag) the shard came from. */
  from: string;
}

/**
 * `--shard auto`: the shard of this task from a scheduler's variables in `env`; `shards` is --shards N.
 *
 * - A Slurm job array (`sbatch --array=MIN-MAX[:STEP]`): task SLURM_ARRAY_TASK_ID is shard
 *   (ID − MIN)/STEP + 1 of SLURM_ARRAY_TASK_COUNT (or (MAX − MIN)/STEP + 1). With a count given (--shards N or
 *   SURF_SHARDS) the task ID is the shard itself, 1 … N: so one task can be run again alone
 *   (`sbatch --array=2`), where the array's own variables would make it shard 1 of 1.
 * - A Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0 … completions − 1) is shard index + 1; the count is
 *   --shards N or SURF_SHARDS (the Job's completions: Kubernetes does not pass it to the pod).
 *
 * Missing, partial or inconsistent variables throw an InputError (exit 2) naming them.
 *
 * @example
 * shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "3" }).shard   // { index: 2, count: 3 }
 * shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", SURF_SHARDS: "3" }).shard                                        // { index: 1, count: 3 }
 */
export function shardFromEnvironment(env: Environment, shards?: number): ScheduledShard {
  const slurm = SLURM_ARRAY.filter((v) => env[v] !== undefined);
  const kubernetes = env[KUBERNETES_INDEX] !== undefined;
  if (slurm.length > 0 && kubernetes) throw new InputError(`\`shard\` auto: both ${slurm[0]} (Slurm) and ${KUBERNETES_INDEX} (Kubernetes) are set; give \`shard\` i/n`);
  if (slurm.length === 0 && !kubernetes) {
    throw new InputError(`\`shard\` auto: no scheduler's task variables (SLURM_ARRAY_TASK_ID of a Slurm job array, ${KUBERNETES_INDEX} of a Kubernetes Indexed Job) in the environment; give \`shard\` i/n`);
  }
  const int = (name: string, min: number): number => {
    const text = env[name]!, n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new InputError(`\`shard\` auto: ${name} must be an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  const given = env[SHARDS_VARIABLE] !== undefined ? int(SHARDS_VARIABLE, 1) : undefined;
  if (shards !== undefined && given !== undefined && shards !== given) {
    throw new InputError(`\`shard\` auto: \`shards\` ${shards} and ${SHARDS_VARIABLE}=${given} differ`);
  }
  const count = shards ?? given, countFrom = shards !== undefined ? `--shards ${shards}` : `${SHARDS_VARIABLE}=${given}`;
  const shown = (names: readonly string[]) => names.filter((v) => env[v] !== undefined).map((v) => `${v}=${env[v]}`);

  if (kubernetes) {
    const i = int(KUBERNETES_INDEX, 0);
    if (count === undefined) throw new InputError(`\`shard\` auto: ${KUBERNETES_INDEX}=${i} is set but not the shard count: give \`shards\` N or ${SHARDS_VARIABLE}=N (the Job's completions)`);
    if (i >= count) throw new InputError(`\`shard\` auto: ${KUBERNETES_INDEX}=${i} is past the ${count} shards of ${countFrom} (indices 0 … ${count - 1})`);
    return { shard: { index: i + 1, count }, scheduler: "Kubernetes", from: [`${KUBERNETES_INDEX}=${i}`, countFrom].join(", ") };
  }

  const [ID, MIN, MAX, COUNT, STEP] = SLURM_ARRAY;
  if (env[ID] === undefined) throw new InputError(`\`shard\` auto: ${slurm[0]} is set but not ${ID} (a partial Slurm array environment)`);
  const id = int(ID, 0);
  if (count !== undefined) {
    // the task ID is the shard: the array may be a part of 1 … N (a task run again alone, a list)
    if (id < 1 || id > count) throw new InputError(`\`shard\` auto: ${ID}=${id}, but with ${countFrom} the task IDs are the shards, 1 … ${count} (sbatch --array=1-${count})`);
    if (env[MAX] !== undefined && int(MAX, 0) > count) throw new InputError(`\`shard\` auto: ${MAX}=${env[MAX]} is past the ${count} shards of ${countFrom}`);
    return { shard: { index: id, count }, scheduler: "Slurm", from: [`${ID}=${id}`, countFrom].join(", ") };
  }
  if (env[MIN] === undefined) throw new InputError(`\`shard\` auto: ${ID} is set but not ${MIN} (a partial Slurm array environment)`);
  if (env[COUNT] === undefined && env[MAX] === undefined) throw new InputError(`\`shard\` auto: ${ID} is set but neither ${COUNT} nor ${MAX} (a partial Slurm array environment)`);
  const min = int(MIN, 0), step = env[STEP] === undefined ? 1 : int(STEP, 1);
  const span = env[MAX] === undefined ? undefined : (int(MAX, 0) - min) / step + 1;
  const n = env[COUNT] === undefined ? span! : int(COUNT, 1);
  const from = shown([ID, MIN, MAX, COUNT, STEP]).join(", ");
  if (span !== undefined && span !== n) {
    // a list (--array=1,3,7) has no stride to map task IDs onto shards
    throw new InputError(`\`shard\` auto: ${from} is not a range MIN-MAX[:STEP] of ${COUNT} tasks (a list of task IDs?); submit --array=1-N, or give \`shards\` N (the task ID is then the shard)`);
  }
  if (id < min || (id - min) % step !== 0 || (id - min) / step >= n) throw new InputError(`\`shard\` auto: ${ID}=${id} is not a task of the array (${from})`);
  return { shard: { index: (id - min) / step + 1, count: n }, scheduler: "Slurm", from };
}

/** A --shard auto run's own subdirectory of --out: OUT/shard-I-of-N. */
export function shardDirectory(out: string, shard: Shard): string {
  return join(out, `shard-${shard.index}-of-${shard.count}`);
}

const SHARD_NAME = /^shard-(\d+)-of-(\d+)$/;

/**
 * The shard subdirectories under `out` (see shardDirectory), ordered by count and index; none if `out` is
 * missing.
 *
 * @example
 * findShards("runs/table1")   // [{ dir: "runs/table1/shard-1-of-3", shard: { index: 1, count: 3 } }, …]
 */
export function findShards(out: string): { dir: string; shard: Shard }[] {
  if (!existsSync(out) || !statSync(out).isDirectory()) return [];
  return readdirSync(out, { withFileTypes: true }).flatMap((e) => {
    const m = SHARD_NAME.exec(e.name);
    if (!e.isDirectory() || !m) return [];
    const shard = { index: Number(m[1]), count: Number(m[2]) };
    return shard.index >= 1 && shard.index <= shard.count ? [{ dir: join(out, e.name), shard }] : [];
  }).sort((a, b) => a.shard.count - b.shard.count || a.shard.index - b.shard.index);
}
