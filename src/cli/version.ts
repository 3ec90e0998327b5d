/** The package's version, from its package.json (for `surf --version` and the reports). */
import { createRequire } from "node:module";

export function version(): string {
  return (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;
}
