/** `surf verify [NAME|all] [--quick] [--out DIR]`: the theorems checked on Gaussian ensembles (src/theory). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { kernels } from "../kernels/index.js";
import { ResultStore } from "../store.js";
import { selectChecks, verify } from "../theory/verify.js";
import { verifyPage } from "../theory/page.js";

export async function run(args: ParsedArgs): Promise<number> {
  const name = args.positionals[0] ?? "all";
  const checks = selectChecks(name);
  const quick = args.flags.quick === true;
  const out = args.flags.out === undefined ? undefined : String(args.flags.out);
  const store = out === undefined ? undefined : new ResultStore(join(out, "units.jsonl"));
  const bar = progressBar("verify");
  const report = verify(checks, { seed: args.seed, quick, store, onProgress: (done, total, label) => bar.update(done, total, label) }, kernels.backend);
  bar.done();
  const command = `surf verify ${name}${quick ? " --quick" : ""} --seed ${args.seed}${out ? ` --out ${out}` : ""}`;
  if (out !== undefined) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "verify.json"), JSON.stringify(report, null, 2) + "\n");
    writeFileSync(join(out, "index.html"), verifyPage(report, command));
  }
  if (args.json) {
    process.stdout.write(JSON.stringify(report) + "\n");
  } else {
    const lines = report.checks.map((c) => `${c.pass ? "pass" : "FAIL"}  ${c.name.padEnd(13)} ${c.title}\n      ${c.summary}`);
    const passed = report.checks.filter((c) => c.pass).length;
    lines.push("", `${passed}/${report.checks.length} checks pass (seed ${report.seed}, ${quick ? "quick" : "full"}, ${Number.isFinite(report.seconds) ? `${report.seconds.toFixed(1)} s of measurement` : "measurement time unknown"})${out ? `; wrote ${join(out, "verify.json")} and ${join(out, "index.html")}` : ""}`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  return report.checks.every((c) => c.pass) ? 0 : 1;
}
