/**
 * Reading a user's file safely: only a regular file is read — a directory, FIFO, device, socket or symlink
 * loop is refused up front with one line (a FIFO or /dev/zero would block or never end) — and names are
 * printed with control characters escaped, so a file name cannot write to the terminal.
 */
import { lstatSync, readFileSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "./errors.js";

/**
 * A path for a message: control characters JSON-escaped (\n, \u001b …), otherwise as given.
 *
 * @example
 * shown("a\nb.json");   // 'a\\nb.json'
 */
export function shown(path: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return /[\u0000-\u001f\u007f-\u009f]/.test(path) ? JSON.stringify(path).slice(1, -1) : path;
}

/** What a path is (symlinks followed), or an InputError saying in words why it cannot be read. */
export function statOf(path: string): Stats {
  if (path === "") throw new InputError(`a path is empty (""): name a file or directory`);
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? (isSymlink(path) ? "a symlink to nothing" : "no such file or directory")
      : code === "ELOOP" ? "a symlink loop" : code === "ENOTDIR" ? "a path through something that is not a directory"
      : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new InputError(`${shown(path)}: ${why}`);
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The kind of a file that is not a regular one, for the refusal. */
function kindOf(s: Stats): string {
  return s.isDirectory() ? "a directory" : s.isFile() ? "a file" : s.isFIFO() ? "a FIFO (named pipe)" : s.isCharacterDevice() || s.isBlockDevice() ? "a device"
    : s.isSocket() ? "a socket" : "not a regular file";
}

/**
 * Refuse anything but a regular file (following symlinks), and one larger than `maxBytes`; `what` names what
 * the file should have been.
 *
 * @example
 * checkRegularFile("/dev/zero", "a network");   // throws InputError("/dev/zero: a device, not a network")
 */
export function checkRegularFile(path: string, what = "a file", maxBytes = Number.MAX_SAFE_INTEGER): Stats {
  const s = statOf(path);
  if (!s.isFile()) throw new InputError(`${shown(path)}: ${kindOf(s)}, not ${what}`);
  if (s.size > maxBytes) throw new InputError(`${shown(path)}: ${s.size} bytes, more than ${what} may have (${maxBytes})`);
  return s;
}

/** The bytes of a regular file (see checkRegularFile). */
export function readRegularFile(path: string, what = "a file", maxBytes?: number): Buffer {
  checkRegularFile(path, what, maxBytes);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`${shown(path)}: ${(e as Error).message}`);
  }
}

/** The nearest existing ancestor of a path (the path itself when it exists); `flag` names the path in a refusal. */
function existingAncestor(path: string, flag: string): { path: string; stats: Stats } {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return { path: p, stats: statSync(p) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ELOOP") throw new InputError(`${flag} ${shown(path)}: ${p === resolve(path) ? "a symlink loop" : `${shown(p)} is a symlink loop`}`);
      if ((code !== "ENOENT" && code !== "ENOTDIR") || dirname(p) === p) throw new InputError(`${flag} ${shown(path)}: ${(e as Error).message}`);
    }
  }
}

/**
 * Refuse an output path that cannot be a directory — empty, an existing file, or under a file — before
 * anything is computed or written. A missing directory is fine: the command makes it (and its parents).
 *
 * @example
 * checkOutputDirectory("results/table1", "--out");   // ok: made when the run writes
 */
export function checkOutputDirectory(path: string, flag: string): void {
  if (path === "") throw new InputError(`${flag} must name a directory`);
  const { path: found, stats } = existingAncestor(path, flag);
  if (!stats.isDirectory()) {
    throw new InputError(found === resolve(path) ? `${flag} ${shown(path)}: ${kindOf(stats)}, not a directory` : `${flag} ${shown(path)}: ${shown(found)} is ${kindOf(stats).replace(/^not a/, "no")}, so nothing can be made under it`);
  }
}

/**
 * Refuse an output path that cannot be a file — empty, an existing directory or other non-regular file, or
 * under a file — before anything is computed or written. A missing parent directory is made by the writer.
 */
export function checkOutputFile(path: string, flag: string): void {
  if (path === "") throw new InputError(`${flag} must name a file`);
  const { path: found, stats } = existingAncestor(path, flag);
  if (found === resolve(path)) {
    if (!stats.isFile()) throw new InputError(`${flag} ${shown(path)}: ${kindOf(stats)}, not a file`);
  } else if (!stats.isDirectory()) {
    throw new InputError(`${flag} ${shown(path)}: ${shown(found)} is ${kindOf(stats).replace(/^not a/, "no")}, so nothing can be made under it`);
  }
}
