/**
 * A progress bar with ETA on stderr. Draws in place on a terminal; elsewhere (CI logs, pipes) prints
 * a line every 10 %, and only once the work has run for 2 s, so logs stay short.
 */
export interface ProgressBar {
  /** `done` of `total` units (steps, cells, …): the count, its rate in `unit`/s when given, and the ETA. */
  update(done: number, total: number, note?: string, unit?: string): void;
  /** A fraction of the work (0…1), where the work has no natural unit: the percentage and the ETA. */
  fraction(f: number, note?: string): void;
  done(): void;
}

/** Before this much time and progress since the first update, the rate is noise: no ETA is shown. */
const STEADY_SECONDS = 3, STEADY_FRACTION = 0.01;

export function progressBar(label: string, stream: Pick<NodeJS.WriteStream, "write" | "isTTY"> = process.stderr,
                            now: () => number = () => performance.now()): ProgressBar {
  const start = now();
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let drawn = false;
  // The ETA's rate counts from the first update: what a run skips before it (a stored trial, a trained
  // sequence — resume) arrives at once and would otherwise read as speed.
  let first: { elapsed: number; frac: number; done: number } | undefined;
  const show = (frac: number, count: { done: number; total: number; unit?: string } | undefined, note: string) => {
    frac = Math.min(1, Math.max(0, frac));
    const elapsed = (now() - start) / 1000;
    first ??= { elapsed, frac, done: count?.done ?? 0 };
    const since = elapsed - first.elapsed, rate = (frac - first.frac) / since;
    const steady = since >= STEADY_SECONDS && frac - first.frac >= STEADY_FRACTION;
    const eta = frac >= 1 ? 0 : steady && rate > 0 ? (1 - frac) / rate : NaN;
    const counted = count ? ` ${count.done}/${count.total}${count.unit ? ` ${count.unit}` : ""}` : "";
    const speed = count?.unit && since > 0 && count.done > first.done ? `, ${formatRate((count.done - first.done) / since)} ${count.unit}/s` : "";
    const text = `${label} ${(100 * frac).toFixed(0).padStart(3)}%${counted}  ${formatSeconds(elapsed)} elapsed${speed}, ETA ${formatSeconds(eta)}${note ? "  " + note : ""}`;
    if (tty) {
      const width = 24, fill = Math.round(frac * width);
      stream.write(`\r[${"#".repeat(fill)}${".".repeat(width - fill)}] ${text}\x1b[K`);
      drawn = true;
    } else {
      const tenth = Math.floor(frac * 10);
      if (tenth > lastTenth && elapsed >= 2) {
        lastTenth = tenth;
        stream.write(text + "\n");
      }
    }
  };
  return {
    update(done, total, note = "", unit) {
      show(total > 0 ? done / total : 1, { done, total, unit }, note);
    },
    fraction(f, note = "") {
      show(f, undefined, note);
    },
    done() {
      if (tty && drawn) stream.write("\r\x1b[K");
    },
  };
}

/** A rate with three significant figures at most: 1234 → "1234", 12.34 → "12.3", 0.1234 → "0.123". */
function formatRate(r: number): string {
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toPrecision(3);
}

/** A duration as a person reads it: "4.3s", "42s", "1m01s", "5h07m" — rounded in the unit shown, so never "34m60s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 9.95) return `${s.toFixed(1)}s`;
  const r = Math.round(s);
  if (r < 60) return `${r}s`;
  if (r < 3600) return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, "0")}s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
