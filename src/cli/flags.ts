/**
 * The library names an option of the call it refuses in backticks — "`maxRegions` must be …" (src/errors.ts);
 * a user of `surf` set that option with a flag. Here each such name becomes the flag of the running command
 * ("--max-regions must be …"), so the message speaks of what the user typed.
 */
import type { CommandSpec } from "./args.js";

/** The flag of a library option: its name in kebab case (criticWidth is --critic-width). */
export function flagOf(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Library options whose flag has another name. */
const RENAMED: Readonly<Record<string, string>> = { measurement: "measure" };

/** Flags every command takes (src/cli/args.ts). */
const COMMON = ["json", "seed", "help"];

/**
 * `message` with each `option` that is a flag of `spec`'s command written as that flag; other names in
 * backticks are left as they are.
 *
 * @example
 * withFlags("raise the limit (`maxRegions`)", regionsSpec);   // "raise the limit (--max-regions)"
 */
export function withFlags(message: string, spec: CommandSpec): string {
  const flags = new Set([...COMMON, ...spec.flags.map((f) => f.name)]);
  return message.replace(/`([A-Za-z][A-Za-z0-9]*)`/g, (written, option: string) => {
    const flag = RENAMED[option] ?? flagOf(option);
    return flags.has(flag) ? `--${flag}` : written;
  });
}
