// Shared by the benchmarks: a results table on stdout and JSON under bench/results/.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { Bench } from "tinybench";

/** Where results go: bench/results/ of the repository (this file runs from dist/bench/). */
export const RESULTS_DIR = new URL("../../bench/results/", import.meta.url);

/** Write `rows` to bench/results/<name>.json; returns the path. */
export function writeResults(name: string, rows: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const url = new URL(`${name}.json`, RESULTS_DIR);
  writeFileSync(url, JSON.stringify(rows, null, 2) + "\n");
  return url.pathname;
}

/** A table with one row per `rowKey` and one column per `colKey`, cells formatted by `cell`. */
export function table<R>(rows: R[], rowKey: (r: R) => string, colKey: (r: R) => string, cell: (r: R) => string): string {
  const rowNames = [...new Set(rows.map(rowKey))], colNames = [...new Set(rows.map(colKey))];
  const grid = rowNames.map((r) => [r, ...colNames.map((c) => {
    const hit = rows.find((x) => rowKey(x) === r && colKey(x) === c);
    return hit ? cell(hit) : "";
  })]);
  const widths = ["", ...colNames].map((h, i) => Math.max(h.length, ...grid.map((g) => g[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(["", ...colNames]), line(widths.map((w) => "-".repeat(w))), ...grid.map(line)].join("\n");
}

/** One line naming the machine and runtime, printed above every table. */
export function machine(): string {
  return `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}, single thread`;
}

/**
 * Run `bench` `rounds` times and keep each task's fastest latency (ms) by `statistic` over the rounds: this
 * machine's noise only ever slows a run down, so the best round is the closest to its true speed.
 */
export async function bestLatencies(bench: Bench, rounds: number, statistic: "p50" | "min"): Promise<Map<string, number>> {
  const best = new Map<string, number>();
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`round ${round}/${rounds}: timing ${bench.tasks.length} tasks…\n`);
    await bench.run();
    for (const t of bench.tasks) {
      const r = t.result;
      if (r.state !== "completed") throw new Error(`${t.name}: ${r.state} ${"error" in r ? String(r.error) : ""}`);
      best.set(t.name, Math.min(best.get(t.name) ?? Infinity, r.latency[statistic]));
    }
  }
  return best;
}
