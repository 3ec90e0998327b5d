/**
 * Reads a setting such as SURF_BACKEND from wherever this runtime keeps it: process.env in Node,
 * Deno.env when the env permission is already granted (never prompting), or a global of that
 * name in a browser (set `globalThis.SURF_BACKEND = "js"` before importing the library).
 */
interface DenoLike {
  env: { get(name: string): string | undefined };
  permissions: { querySync(d: { name: "env"; variable: string }): { state: string } };
}

export function readSetting(name: string): string | undefined {
  const g = globalThis as { Deno?: DenoLike; process?: { env?: Record<string, string | undefined> } } & Record<string, unknown>;
  if (g.Deno) {
    try {
      return g.Deno.permissions.querySync({ name: "env", variable: name }).state === "granted" ? g.Deno.env.get(name) : undefined;
    } catch {
      return undefined;
    }
  }
  if (g.process?.env) return g.process.env[name];
  const v = g[name];
  return typeof v === "string" ? v : undefined;
}

/** Whether Node's modules (node:fs, node:worker_threads, …) exist here: in Node and in Deno, not in a browser. */
export function hasNodeModules(): boolean {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  return g.Deno !== undefined || g.process?.versions?.node !== undefined;
}

export type Backend = "wasm" | "js";

/**
 * The backend named by SURF_BACKEND, or undefined when unset; a bad value is an error naming it.
 *
 * @example
 * import { requestedBackend, kernels } from "surfing";
 * const asked = requestedBackend();   // "wasm" or "js" when SURF_BACKEND names one, else undefined
 * asked === undefined || asked === kernels.backend;   // → true
 */
export function requestedBackend(): Backend | undefined {
  const v = readSetting("SURF_BACKEND");
  if (v === undefined || v === "") return undefined;
  if (v === "wasm" || v === "js") return v;
  throw new RangeError(`SURF_BACKEND must be "wasm" or "js", got "${v}"`);
}
