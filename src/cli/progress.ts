/**
 * A progress bar with ETA on stderr. Draws in place on a terminal; elsewhere (CI logs, pipes) prints
 * a line every 10 %, and only once the work has run for 2 s, so logs stay short.
 */
export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  done(): void;
}

export function progressBar(label: string, stream: Pick<NodeJS.WriteStream, "write" | "isTTY"> = process.stderr,
                            now: () => number = () => performance.now()): ProgressBar {
  const start = now();
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let drawn = false;
  // The ETA's rate counts from the first update: what a run skips before it (a stored trial, a trained
  // sequence — resume) arrives at once and would otherwise read as speed.
  let first: { elapsed: number; frac: number } | undefined;
  return {
    update(done, total, note = "") {
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const elapsed = (now() - start) / 1000;
      first ??= { elapsed, frac };
      const rate = (frac - first.frac) / (elapsed - first.elapsed);
      const eta = frac >= 1 ? 0 : rate > 0 ? (1 - frac) / rate : NaN;
      const text = `${label} ${(100 * frac).toFixed(0).padStart(3)}% ${done}/${total}  ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}${note ? "  " + note : ""}`;
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
    },
    done() {
      if (tty && drawn) stream.write("\r\x1b[K");
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
