/**
 * `--shard i/n`: a deterministic slice of a sweep's cells — cell j goes to shard (j mod n) + 1 — so a job runner
 * (a cluster array job, a CI matrix) can spread a sweep over machines and `surf merge` join the results.
 */
import { InputError } from "../errors.js";

export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) throw new InputError(`--shard must be i/n with 1 ≤ i ≤ n, got "${text}"`);
  return { index, count };
}

export function inShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, j) => j % shard.count === shard.index - 1);
}
