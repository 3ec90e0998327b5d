/**
 * What makes a long run resumable (sweeps, `surf verify`, landscapes, `surf invert --journal`): its results,
 * one JSON record per line, appended as they finish, so a killed run loses nothing that finished and a run
 * started again skips what is there. Opening a store reads what is there: a torn last line — the run was
 * killed mid-write — is cut off; any other line that is not a record is an error naming the file and line,
 * never silently skipped. A store opened with the run's settings keeps them in its first record and refuses
 * to be resumed under other settings, saying which differ.
 *
 * At rest a store may be compressed: PATH.gz holds the records compacted (one per key, the settings first)
 * and PATH, if present, what was appended since; both are read, PATH's records last. compact() folds PATH
 * into PATH.gz atomically — a results file committed to a repository stays small, and a run continued from
 * it on another machine appends to PATH as before.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { readRegularFile, shown } from "./io.js";
import { dirname } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { InputError } from "./errors.js";
import { hasForm, type Form } from "./form.js";

export interface StoredRecord {
  key: string;
  [field: string]: unknown;
}

/** The key of the settings record. */
const SETTINGS = "#settings";

/** The compressed form of a store at PATH: PATH.gz. */
export const COMPRESSED = ".gz";

/**
 * A resumable run's results: one JSON record per line, appended as they finish and read back when the run
 * starts again, refused when it was left by a run with other settings.
 *
 * @example
 * import { ResultStore } from "surfing/node";
 * const store = new ResultStore("runs/sweep/results.jsonl", { seed: "0" });
 * store.getOrCompute("trial/0", () => 0.5);   // → 0.5
 * // started again, the run finds it there
 * new ResultStore("runs/sweep/results.jsonl", { seed: "0" }).get("trial/0").value;   // → 0.5
 */
export class ResultStore {
  private readonly records = new Map<string, StoredRecord>();
  private settingsRecord: StoredRecord | undefined;
  /** A new store's settings record, appended with the first records. */
  private pending: StoredRecord | undefined;

  /** Open (or start) the store at `path`; with `settings` (any JSON value), only for a run with the same ones. */
  constructor(readonly path: string, settings?: unknown) {
    const gz = path + COMPRESSED;
    if (existsSync(gz)) {
      let text: string;
      try {
        text = gunzipSync(readRegularFile(gz, "a compressed results file")).toString("utf8");
      } catch (e) {
        throw new InputError(`${gz}: not a gzip file (${(e as Error).message}); restore it, or delete it to start over`);
      }
      if (text.length > 0 && !text.endsWith("\n")) throw new InputError(`${gz}: its last record is cut short (a compacted store ends with a newline)`);
      this.parse(text, gz);
    }
    if (existsSync(path)) this.read();
    const stored = this.records.get(SETTINGS)?.settings;
    if (settings !== undefined) {
      // kept with the first results, not written now: a run refused before it has any leaves no file behind
      if (stored === undefined && this.records.size === 0) this.pending = { key: SETTINGS, settings };
      else if (JSON.stringify(stored) !== JSON.stringify(settings)) {
        throw new InputError(`${path}: left by a run with other settings (${difference(stored, settings)}); use another file, or delete it to start over`);
      }
    }
    this.settingsRecord = this.records.get(SETTINGS) ?? this.pending;
    this.records.delete(SETTINGS);   // the settings are not a result, whether or not they were checked
  }

  private read(): void {
    const path = this.path, text = readRegularFile(path, "a results file (JSON lines)").toString("utf8");
    const end = text.lastIndexOf("\n") + 1;
    this.parse(text.slice(0, end), path);   // every whole line a record, before the file is touched
    if (end < text.length) {
      // a torn last line — the run was killed mid-write — unless what is there is not a results file at all
      if (end === 0 && text.length > 0) throw new InputError(`${shown(path)}: not a results file (no whole JSON record in it); use another file`);
      truncateSync(path, Buffer.byteLength(text.slice(0, end)));
    }
  }

  private parse(text: string, path: string): void {
    text.split("\n").forEach((line, i) => {
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
    const lines = [...(this.pending ? [this.pending] : []), ...records].map((r) => JSON.stringify(r) + "\n");
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, lines.join(""));
    this.pending = undefined;
    for (const r of records) this.records.set(r.key, r);
  }

  /**
   * Fold everything into PATH.gz — the settings, then one record per key in the order first written — and
   * remove PATH. The new PATH.gz replaces the old by a rename, so a kill leaves either the old pair or the new
   * one (and at worst PATH beside a PATH.gz that already holds its records: read again, the same records).
   *
   * @example
   * import { ResultStore } from "surfing/node";
   * const store = new ResultStore("runs/x/results.jsonl", { seed: "0" });
   * store.append([{ key: "a", value: 1 }]);
   * store.compact();   // runs/x/results.jsonl.gz
   * new ResultStore("runs/x/results.jsonl").get("a").value;   // → 1
   */
  compact(): void {
    const lines = [...(this.settingsRecord ? [this.settingsRecord] : []), ...this.records.values()].map((r) => JSON.stringify(r) + "\n");
    const gz = this.path + COMPRESSED, tmp = `${gz}.tmp-${process.pid}`;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(tmp, gzipSync(lines.join(""), { level: 9 }));
    renameSync(tmp, gz);
    rmSync(this.path, { force: true });
    this.pending = undefined;   // in PATH.gz now
  }

  /**
   * The value stored under `key` (a record {key, value}), computing and appending it first when absent — or
   * when the stored value does not have `form` (a record damaged or written by hand is not used: form.ts).
   */
  getOrCompute<T>(key: string, compute: () => T, form?: Form): T {
    const stored = this.records.get(key);
    if (stored !== undefined && (form === undefined || hasForm(stored.value, form))) return stored.value as T;
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
