/**
 * What makes a long landscape run resumable: every finished item (a DSS pair, a checkpoint's measurements) is
 * appended to a JSON-lines file as soon as it is done, under the run's settings. A run started again with the
 * same settings and --out reads the file and skips what is there, so a killed run loses at most the item it
 * was working on; a last line cut off by the kill is dropped.
 *
 *   line 1        {"settings": …}
 *   lines 2…      {"key": "…", "value": …}
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "../errors.js";

export class Journal<T> {
  private readonly done = new Map<string, T>();

  private constructor(readonly path: string) {}

  /** Open (or start) the journal at `path` for a run with `settings` (any JSON value). */
  static open<T>(path: string, settings: unknown): Journal<T> {
    const journal = new Journal<T>(path);
    const header = JSON.stringify({ settings });
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeAtomically(path, header + "\n");
      return journal;
    }
    const lines = readFileSync(path, "utf8").split("\n");
    if (lines[0] !== header) {
      throw new InputError(`${path}: left by a run with other settings (${describeDifference(lines[0], settings)}); use another --out, or delete the file to start over`);
    }
    const entries = lines.slice(1).filter((l) => l !== "");
    for (let i = 0; i < entries.length; i++) {
      let entry: { key?: unknown; value?: unknown };
      try {
        entry = JSON.parse(entries[i]) as { key?: unknown; value?: unknown };
      } catch {
        if (i < entries.length - 1) throw new InputError(`${path}: entry ${i + 1} is not JSON (the file is damaged; delete it to start over)`);
        // the line a killed run was writing: drop it
        writeAtomically(path, [header, ...entries.slice(0, i)].join("\n") + "\n");
        break;
      }
      if (typeof entry.key !== "string" || !("value" in entry)) throw new InputError(`${path}: entry ${i + 1} has no "key" and "value"`);
      journal.done.set(entry.key, entry.value as T);
    }
    return journal;
  }

  has(key: string): boolean {
    return this.done.has(key);
  }

  get(key: string): T | undefined {
    return this.done.get(key);
  }

  get size(): number {
    return this.done.size;
  }

  /** Record a finished item (written before this returns). */
  put(key: string, value: T): void {
    appendFileSync(this.path, JSON.stringify({ key, value }) + "\n");
    this.done.set(key, value);
  }

  /** The stored value of `key`, computing and recording it first when it is not there. */
  getOrCompute(key: string, compute: () => T): T {
    if (this.done.has(key)) return this.done.get(key)!;
    const value = compute();
    this.put(key, value);
    return value;
  }
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function describeDifference(line: string, settings: unknown): string {
  let stored: unknown;
  try {
    stored = (JSON.parse(line) as { settings?: unknown }).settings;
  } catch {
    return "its first line is not a settings record";
  }
  if (typeof stored !== "object" || stored === null || typeof settings !== "object" || settings === null) return "different settings";
  const a = stored as Record<string, unknown>, b = settings as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.length > 0 ? keys.map((k) => `${k}: ${JSON.stringify(a[k])} there, ${JSON.stringify(b[k])} now`).join("; ") : "different settings";
}
