/**
 * What makes a long run resumable (sweeps, `surf verify`, landscapes, `surf invert --journal`): its results,
 * one JSON record per line, appended as they finish, so a killed run loses nothing that finished and a run
 * started again skips what is there. Opening a store reads what is there: a torn last line — the run was
 * killed mid-write — is cut off; any other line that is not a record is an error naming the file and line,
 * never silently skipped. A store opened with the run's settings keeps them in its first record and refuses
 * to be resumed under other settings, saying which differ.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "./errors.js";

export interface StoredRecord {
  key: string;
  [field: string]: unknown;
}

/** The key of the settings record. */
const SETTINGS = "#settings";

export class ResultStore {
  private readonly records = new Map<string, StoredRecord>();

  /** Open (or start) the store at `path`; with `settings` (any JSON value), only for a run with the same ones. */
  constructor(readonly path: string, settings?: unknown) {
    if (existsSync(path)) this.read();
    const stored = this.records.get(SETTINGS)?.settings;
    if (settings !== undefined) {
      if (stored === undefined && this.records.size === 0) this.append([{ key: SETTINGS, settings }]);
      else if (JSON.stringify(stored) !== JSON.stringify(settings)) {
        throw new InputError(`${path}: left by a run with other settings (${difference(stored, settings)}); use another file, or delete it to start over`);
      }
    }
    this.records.delete(SETTINGS);   // the settings are not a result, whether or not they were checked
  }

  private read(): void {
    const path = this.path, text = readFileSync(path, "utf8");
    const end = text.lastIndexOf("\n") + 1;
    if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));   // a torn last line
    text.slice(0, end).split("\n").forEach((line, i) => {
      if (line === "") return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new InputError(`${path}:${i + 1}: not a JSON record (a results file holds one per line)`);
      }
      if (typeof record !== "object" || record === null || typeof (record as StoredRecord).key !== "string") {
        throw new InputError(`${path}:${i + 1}: a record without a "key"`);
      }
      this.records.set((record as StoredRecord).key, record as StoredRecord);
    });
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  get(key: string): StoredRecord | undefined {
    return this.records.get(key);
  }

  /** Every record whose key starts with `prefix`, in the order first written. */
  matching(prefix: string): StoredRecord[] {
    return [...this.records.values()].filter((r) => r.key.startsWith(prefix));
  }

  get size(): number {
    return this.records.size;
  }

  append(records: readonly StoredRecord[]): void {
    if (records.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, records.map((r) => JSON.stringify(r) + "\n").join(""));
    for (const r of records) this.records.set(r.key, r);
  }

  /** The value stored under `key` (a record {key, value}), computing and appending it first when absent. */
  getOrCompute<T>(key: string, compute: () => T): T {
    const stored = this.records.get(key);
    if (stored !== undefined) return stored.value as T;
    const value = compute();
    this.append([{ key, value }]);
    return value;
  }
}

/** Which settings differ, "name: stored there, given now" (for objects), for the refusal's message. */
function difference(stored: unknown, settings: unknown): string {
  if (stored === undefined) return "none recorded there";
  if (typeof stored !== "object" || stored === null || typeof settings !== "object" || settings === null) return "different settings";
  const a = stored as Record<string, unknown>, b = settings as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.length > 0 ? keys.map((k) => `${k}: ${JSON.stringify(a[k])} there, ${JSON.stringify(b[k])} now`).join("; ") : "different settings";
}
