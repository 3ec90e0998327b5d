/**
 * A run's results, one JSON record per line, appended as trials finish (so a killed run loses nothing that
 * finished). Opening a store reads what is there: a torn last line — the run was killed mid-write — is cut
 * off; any other line that is not a record is an error naming the file and line, never silently skipped.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "../errors.js";

export interface StoredRecord {
  key: string;
  [field: string]: unknown;
}

export class ResultStore {
  private readonly records = new Map<string, StoredRecord>();

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const text = readFileSync(path, "utf8");
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
}
