/**
 * One writer per output: a long command takes an exclusive lock on its --out directory or --journal file —
 * a lock file created with O_EXCL holding its PID and host — and a second writer is refused, naming the
 * holder. A lock left by a process that is gone (killed) is taken over. A lock is released by the function
 * acquireLock returns, or when the process exits, whatever the exit.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, type Stats } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { InputError } from "./errors.js";
import { shown } from "./io.js";

/** The lock file of an output: DIR/.surf.lock, or FILE.lock. */
export function lockPath(path: string, kind: "file" | "directory"): string {
  return kind === "directory" ? join(path, ".surf.lock") : `${path}.lock`;
}

/** Locks this process holds, each with the directories taking it created (removed again if left empty). */
const held = new Map<string, { path: string; created: string | undefined }>();
let hooked = false;

/** Remove a lock, and the directories made for it when nothing else was written there (a run refused early). */
function release(lock: string): void {
  const entry = held.get(lock);
  if (!entry) return;
  held.delete(lock);
  rmSync(lock, { force: true });
  if (entry.created === undefined) return;
  for (let d = entry.path; ; d = dirname(d)) {
    try {
      rmdirSync(d);   // only an empty directory
    } catch {
      return;
    }
    if (resolve(d) === resolve(entry.created)) return;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";   // alive, someone else's
  }
}

/**
 * Take the lock of `path` (a directory or file output; `flag` names it in the refusal) for this process.
 *
 * @example
 * acquireLock("runs/table1", "directory", "--out");   // a second `surf reproduce --out runs/table1` exits 2
 */
export function acquireLock(path: string, kind: "file" | "directory", flag: string): () => void {
  const lock = lockPath(path, kind);
  if (held.has(lock)) return () => {};   // held already (the command's own): its holder releases it
  const dir = kind === "directory" ? path : dirname(path);
  const created = mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname() }) + "\n", { flag: "wx" });
      held.set(lock, { path: dir, created });
      if (!hooked) {
        hooked = true;
        process.on("exit", () => {
          for (const l of [...held.keys()]) release(l);
        });
        // No SIGTERM or SIGINT handler to release the lock: JavaScript handles a signal only between tasks, so
        // one would hold off Ctrl-C and a scheduler's SIGTERM for as long as a synchronous phase runs (a
        // training run: minutes). Killed, a run leaves its lock; the next run takes it over (see below).
      }
      return () => release(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new InputError(`${flag} ${shown(path)}: cannot take its lock (${(e as Error).message})`);
    }
    const holder = holderOf(lock);
    if (holder?.host === hostname() && holder.pid !== process.pid) {
      throw new InputError(`${flag} ${shown(path)} is being written by another surf run (PID ${holder.pid}); wait for it to finish or stop it`);
    }
    if (holder !== undefined && holder.host !== hostname()) {
      throw new InputError(`${flag} ${shown(path)} is locked by a surf run on ${holder.host} (PID ${holder.pid}); if that run is gone, delete ${shown(lock)}`);
    }
    rmSync(lock, { force: true });   // stale: its process is gone
  }
  throw new InputError(`${flag} ${shown(path)}: could not take its lock (${shown(lock)} keeps reappearing)`);
}

/**
 * Who holds the lock file `lock`: a process alive on this host (this one too), or any on another host (whose
 * liveness this host cannot see); undefined when there is none, or its process here is gone (a stale lock),
 * or the file cannot be read (being written this instant, or damaged: treated as stale).
 */
function holderOf(lock: string): { pid: number; host: string } | undefined {
  // not a file surf writes: reading a FIFO would block, and removing a directory as stale would fail
  let kind: Stats | undefined;
  try {
    kind = lstatSync(lock);
  } catch {
    return undefined;   // gone since: released this instant
  }
  if (!kind.isFile()) throw new InputError(`${shown(lock)}: ${kind.isDirectory() ? "a directory" : kind.isSymbolicLink() ? "a symlink" : "not a regular file"} where surf keeps its lock file; remove it`);
  let holder: { pid?: unknown; host?: unknown };
  try {
    holder = JSON.parse(readFileSync(lock, "utf8")) as typeof holder;
  } catch {
    return undefined;
  }
  const { pid, host } = holder;
  if (typeof pid !== "number" || typeof host !== "string") return undefined;
  return host !== hostname() || alive(pid) ? { pid, host } : undefined;
}

/**
 * Who else holds the lock of `path`, or undefined: for a reader that must not read an output half-written
 * (`surf merge` and a shard still running). On this host the holder is alive; on another, it may be a run
 * killed there (its lock stays: see acquireLock).
 *
 * @example
 * lockedBy("runs/table1/shard-2-of-3", "directory")   // { pid: 4242, host: "node7", here: false } while that shard runs there
 */
export function lockedBy(path: string, kind: "file" | "directory"): { pid: number; host: string; here: boolean } | undefined {
  const lock = lockPath(path, kind);
  if (held.has(lock) || !existsSync(lock)) return undefined;
  const holder = holderOf(lock);
  // this process's own PID in a lock it does not hold: left by an earlier process that had the same PID
  if (holder === undefined || (holder.host === hostname() && holder.pid === process.pid)) return undefined;
  return { ...holder, here: holder.host === hostname() };
}
