/** `surf reproduce table1|fig2|fig3|fig4|fig5`, `surf merge` and `surf demo` (issue #9). */
import { createRequire } from "node:module";
import { positiveIntFlag, UsageError, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { defaultWorkers } from "../surf/pool.js";
import { merge as mergeShards, reproduce } from "../experiments/reproduce.js";
import { parseShard } from "../experiments/shard.js";
import { SWEEPS, type SweepName } from "../experiments/sweeps.js";
import { demo as runDemo } from "../experiments/demo.js";

export function version(): string {
  return (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;
}

function workersOf(args: ParsedArgs): number {
  return positiveIntFlag(args.flags.workers, "--workers", defaultWorkers());
}

function trialsOf(args: ParsedArgs): number | undefined {
  return args.flags.trials === undefined ? undefined : positiveIntFlag(args.flags.trials, "--trials");
}

/** The runner of one sweep, for the `reproduce` command's table of names. */
export function sweep(name: SweepName): (args: ParsedArgs) => Promise<number> {
  return async (args) => {
    if (args.flags.out === undefined) throw new UsageError("--out is required (the directory for checkpoints, results and the report)");
    const bar = progressBar(name);
    const result = await reproduce(name, {
      quick: args.flags.quick === true, trials: trialsOf(args), shard: parseShard(String(args.flags.shard ?? "1/1")),
      out: String(args.flags.out), seed: args.seed, workers: workersOf(args), version: version(),
      onProgress: (label, f) => bar.update(Math.round(1000 * f), 1000, label),
    });
    bar.done();
    process.stdout.write(args.json ? JSON.stringify(result.summary) + "\n" : `wrote ${result.report}\n`);
    return 0;
  };
}

export async function merge(args: ParsedArgs): Promise<number> {
  const name = String(args.flags.sweep ?? "table1") as SweepName;
  if (!SWEEPS.includes(name)) throw new UsageError(`--sweep must be one of ${SWEEPS.join(", ")}, got "${name}"`);
  if (args.flags.out === undefined) throw new UsageError("--out is required (where the merged results and report go)");
  if (args.positionals.length === 0) throw new UsageError("give the shards' directories to merge");
  const result = mergeShards(name, args.positionals, { quick: args.flags.quick === true, trials: trialsOf(args), out: String(args.flags.out), seed: args.seed, version: version() });
  process.stdout.write(args.json ? JSON.stringify(result.summary) + "\n" : `wrote ${result.report}\n`);
  return 0;
}

export async function demo(args: ParsedArgs): Promise<number> {
  const out = String(args.flags.out);
  const bar = progressBar("demo");
  const { report, table } = await runDemo(out, args.seed, workersOf(args), version(), (label, f) => bar.update(Math.round(1000 * f), 1000, label));
  bar.done();
  if (args.json) {
    process.stdout.write(JSON.stringify({ report, table }) + "\n");
  } else {
    const widths = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
    process.stdout.write(table.map((r) => r.map((c, j) => c.padEnd(widths[j])).join("  ")).join("\n") + `\n\nreport: ${report}\n`);
  }
  return 0;
}
