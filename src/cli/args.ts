/**
 * Command-line parsing for `surf`: each command declares its flags; anything else is a UsageError
 * (exit 2, one line naming the flag). Every command also takes --json, --seed and --help.
 */

import { checkOutputDirectory, checkOutputFile } from "../io.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export type FlagType = "string" | "int" | "number" | "boolean";

export interface FlagSpec {
  name: string;            // without the leading --
  type: FlagType;
  help: string;
  default?: string | number | boolean;
  placeholder?: string;    // shown in help, e.g. "FILE"
  /** A path the command writes: checked when the flags are parsed, before any work (src/io.ts). */
  output?: "file" | "directory";
  /** The output a long run writes: locked for the run (src/lock.ts), so a second writer is refused. */
  lock?: boolean;
}

export interface PositionalSpec {
  name: string;
  help: string;
  required?: boolean;
  /** The last positional may take any number of arguments. */
  variadic?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  flags: FlagSpec[];
  positionals?: PositionalSpec[];
}

export type FlagValue = string | number | boolean;

export interface ParsedArgs {
  flags: Record<string, FlagValue | undefined>;
  positionals: string[];
  json: boolean;
  seed: string;
  help: boolean;
}

/** A parsed flag's value as a finite number (`fallback` when absent); the UsageError names the flag. */
export function numberFlag(v: FlagValue | undefined, flag: string, fallback?: number): number {
  const x = v ?? fallback;
  if (typeof x !== "number" || !Number.isFinite(x)) throw new UsageError(`${flag} must be a number, got ${String(x)}`);
  return x;
}
export function positiveFlag(v: FlagValue | undefined, flag: string, fallback?: number): number {
  const x = numberFlag(v, flag, fallback);
  if (!(x > 0)) throw new UsageError(`${flag} must be a positive number, got ${x}`);
  return x;
}
/**
 * A box half-width: a positive number, or `inf` for all of R^k (Infinity) where `infinite` allows it; a
 * number too large for float64 is refused rather than read as inf.
 * @example boxFlag("inf", "--box", true) // Infinity
 */
export function boxFlag(v: FlagValue | undefined, flag: string, infinite: boolean, fallback = 1): number {
  const raw = v ?? fallback;
  if (infinite && typeof raw === "string" && /^(\+?inf|\+?infinity)$/i.test(raw.trim())) return Infinity;
  const x = typeof raw === "number" ? raw : raw === "" ? NaN : Number(raw);
  const all = infinite ? " or inf (all of R^k)" : "";
  if (x === Infinity) throw new UsageError(`${flag} ${String(raw)} is beyond float64's range: give a half-width up to 1.79e308${all}`);
  if (!(x > 0) || !Number.isFinite(x)) throw new UsageError(`${flag} must be a positive half-width L of [−L, L]^k${all}, got "${String(raw)}"`);
  return x;
}
export function nonNegativeFlag(v: FlagValue | undefined, flag: string, fallback?: number): number {
  const x = numberFlag(v, flag, fallback);
  if (!(x >= 0)) throw new UsageError(`${flag} must be a number ≥ 0, got ${x}`);
  return x;
}
export function nonNegativeIntFlag(v: FlagValue | undefined, flag: string, fallback?: number): number {
  const x = numberFlag(v, flag, fallback);
  if (!(Number.isSafeInteger(x) && x >= 0)) throw new UsageError(`${flag} must be an integer ≥ 0, got ${x}`);
  return x;
}
export function positiveIntFlag(v: FlagValue | undefined, flag: string, fallback?: number): number {
  const x = numberFlag(v, flag, fallback);
  if (!(Number.isSafeInteger(x) && x >= 1)) throw new UsageError(`${flag} must be a positive integer, got ${x}`);
  return x;
}

/** The most trials a run may ask for: every trial's record (a few kB) is held in memory. */
export const MAX_TRIALS = 1_000_000;

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "json", type: "boolean", help: "machine-readable result on stdout (and nothing else there)" },
  { name: "seed", type: "string", help: "seed of every random draw", default: "0", placeholder: "S" },
  { name: "help", type: "boolean", help: "show this help" },
];

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const all = [...spec.flags, ...GLOBAL_FLAGS];
  const byName = new Map(all.map((f) => [f.name, f]));
  const flags: Record<string, FlagValue | undefined> = {};
  for (const f of all) flags[f.name] = f.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {   // the one short flag: help, as every command line tool takes it
      flags.help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) {
        throw new UsageError(`unknown flag ${arg} for 'surf ${spec.name}' (flags are long: --name)`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const f = byName.get(name);
    if (!f) throw new UsageError(`unknown flag --${name} for 'surf ${spec.name}'${suggest(name, all)}`);
    if (f.type === "boolean") {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== "true" && v !== "false") throw new UsageError(`--${name} takes no value or true/false, got "${v}"`);
        flags[name] = v === "true";
      } else flags[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value (${f.placeholder ?? f.type})`);
      raw = argv[++i];
    }
    flags[name] = convert(f, raw);
  }
  const declared = spec.positionals ?? [];
  const required = declared.filter((p) => p.required).length;
  if (positionals.length > declared.length && !declared[declared.length - 1]?.variadic) {
    throw new UsageError(`unexpected argument "${positionals[declared.length]}" for 'surf ${spec.name}'`);
  }
  const help = flags.help === true;
  if (!help) {
    for (const f of all) {
      const v = flags[f.name];
      if (f.output === undefined || v === undefined) continue;
      try {
        if (f.output === "file") checkOutputFile(String(v), `--${f.name}`);
        else checkOutputDirectory(String(v), `--${f.name}`);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
  }
  if (!help && positionals.length < required) {
    throw new UsageError(`'surf ${spec.name}' needs ${declared[positionals.length].name.toUpperCase()}`);
  }
  return { flags, positionals, json: flags.json === true, seed: String(flags.seed), help };
}

/** Placeholders of the flags that take a path: an empty one names nothing. */
const PATHS = new Set(["FILE", "DIR", "PATH"]);

function convert(f: FlagSpec, raw: string): FlagValue {
  if (f.type === "string" && raw === "" && PATHS.has(f.placeholder ?? "")) throw new UsageError(`--${f.name} must name a ${f.placeholder === "FILE" ? "file" : f.placeholder === "DIR" ? "directory" : "file or directory"}, got ""`);
  if (f.type === "string") return raw;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v)) throw new UsageError(`--${f.name} must be a number, got "${raw}"`);
  if (f.type === "int" && !Number.isInteger(v)) throw new UsageError(`--${f.name} must be an integer, got "${raw}"`);
  return v;
}

function suggest(name: string, flags: FlagSpec[]): string {
  const close = flags.map((f) => f.name).find((n) => editDistance(n, name) <= 2);
  return close ? ` (did you mean --${close}?)` : "";
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The help text of a command. */
export function helpText(spec: CommandSpec): string {
  const pos = (spec.positionals ?? []).map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`)).join(" ");
  const lines = [`surf ${spec.name}${pos ? " " + pos : ""} [flags]`, "", spec.summary, ""];
  for (const p of spec.positionals ?? []) lines.push(`  ${p.name.toUpperCase().padEnd(22)} ${p.help}`);
  for (const f of [...spec.flags, ...GLOBAL_FLAGS]) {
    const head = `--${f.name}${f.type === "boolean" ? "" : " " + (f.placeholder ?? f.type.toUpperCase())}`;
    const def = f.default !== undefined && f.type !== "boolean" ? ` (default ${f.default})` : "";
    lines.push(`  ${head.padEnd(22)} ${f.help}${def}`);
  }
  return lines.join("\n");
}
