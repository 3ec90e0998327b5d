// Every value the package exports — from "surfing", "surfing/node" and the `geometry` namespace, as a user
// imports them — has a JSDoc summary and an @example, and every example runs: written out as an ES module
// that imports the package by its own name (a scratch directory whose node_modules/surfing is this
// repository), all run in one node process, each from its own empty working directory (examples that need
// files make them there), with `// → VALUE` and `// ≈ VALUE` comments checked (jsdoc-examples.ts). The child
// inherits SURF_BACKEND, so under npm test the examples run once on each backend (about 10 s each here).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scratchDirectory } from "./helpers.js";
import { checkedModule, entrySource, exportDocs, type Example, type ExportDoc } from "./jsdoc-examples.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNNER = fileURLToPath(new URL("./examples-runner.js", import.meta.url));

/** A file name for an example: geometry.certify, ResultStore.compact, invert#2 → invert-2. */
const fileName = (e: Example) => e.name.replace(/[^\w.-]/g, "-");

describe("JSDoc: every public export has a runnable example", function () {
  this.timeout(180000);
  let dir = "";
  scratchDirectory("examples", (d) => (dir = d));
  let docs: ExportDoc[] = [], examples: Example[] = [];
  before(async () => {
    const lib = await import("surfing" as string), node = await import("surfing/node" as string);
    const top = [...exportDocs(ROOT, entrySource(ROOT, "."), Object.keys(lib)), ...exportDocs(ROOT, entrySource(ROOT, "./node"), Object.keys(node))];
    const namespaces = top.filter((d) => d.namespace !== undefined)
      .flatMap((d) => exportDocs(ROOT, d.namespace!, Object.keys(lib[d.symbol] as object), `${d.symbol}.`));
    docs = [...top, ...namespaces];
    examples = docs.flatMap((d) => d.examples);
  });

  it("finds the declaration of every runtime export of surfing, surfing/node and geometry in src/", () => {
    expect(docs.length, "exports").to.be.at.least(80);
    expect(docs.filter((d) => d.file === undefined).map((d) => d.symbol), "exports not found in src/").to.deep.equal([]);
  });

  it("each has a one-line summary and an @example", () => {
    const missing = docs.filter((d) => d.summary === "" || d.examples.length === 0)
      .map((d) => `${d.symbol} (${d.file}:${d.line}): ${d.summary === "" ? "no JSDoc summary" : "no @example"}`);
    expect(missing, "exports without a summary or an @example").to.deep.equal([]);
  });

  it("each example imports the package by its own name and uses what it documents", () => {
    const bad = examples.filter((e) => !/(from|import\()\s*"surfing(\/node)?"/.test(e.code) || /from\s*"\.{1,2}\//.test(e.code)).map((e) => `${e.name} (${e.file}:${e.line})`);
    expect(bad, 'examples without an import from "surfing" or "surfing/node", or with a relative one').to.deep.equal([]);
    const unused = examples.filter((e) => !new RegExp(`\\b${e.name.replace(/#\d+$/, "").split(".").pop()}\\b`).test(e.code)).map((e) => `${e.name} (${e.file}:${e.line})`);
    expect(unused, "examples that never name what they document").to.deep.equal([]);
  });

  it("every example runs, and every // → and // ≈ comment in them holds", () => {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "surfing"), "dir");
    let checks = 0;
    const jobs = examples.map((e) => {
      const checked = checkedModule(e), module = join(dir, `${fileName(e)}.mjs`);
      checks += checked.checks;
      writeFileSync(module, checked.code + "\n");
      return { name: e.name, module, cwd: join(dir, "work", fileName(e)) };
    });
    writeFileSync(join(dir, "jobs.json"), JSON.stringify(jobs));
    const out = join(dir, "outcomes.jsonl");
    const r = spawnSync(process.execPath, [RUNNER, join(dir, "jobs.json"), out], { cwd: dir, encoding: "utf8", timeout: 150000 });
    const records = existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { start?: string; name?: string; ms?: number; checks?: number; error?: string }) : [];
    const outcomes = records.filter((o) => o.name !== undefined);
    const started = records.filter((o) => o.start !== undefined).pop()?.start;
    if (outcomes.length < examples.length) {
      const e = examples.find((x) => x.name === started);
      // status 13: an await at the top of the module that never settles (nothing left to run in the meantime)
      expect.fail(`the runner stopped (status ${r.status}${r.status === 13 ? ": a top-level await never settled" : ""}, signal ${r.signal}) in the example ${started}${e ? ` (${e.file}:${e.line})` : ""}:\n${r.stderr.slice(-3000)}`);
    }
    const byName = new Map(examples.map((e) => [e.name, e]));
    const failures = outcomes.filter((o) => o.error !== undefined).map((o) => {
      const e = byName.get(o.name!)!;
      // a line of the example module is a line of the JSDoc: name it so
      const error = o.error!.replace(new RegExp(`file://[^\\s()]*/${fileName(e).replace(/[.]/g, "\\.")}\\.mjs:(\\d+)(:\\d+)?`, "g"), (_, line: string) => `${e.file}:${e.line + Number(line) - 1}`);
      return `${e.name} (${e.file}:${e.line}):\n${error.split("\n").filter((l) => !/node:internal|examples-runner\.js/.test(l)).join("\n")}`;
    });
    if (failures.length > 0) expect.fail(`${failures.length} of ${examples.length} examples fail:\n\n${failures.join("\n\n")}\n`);
    expect(outcomes.reduce((s, o) => s + (o.checks ?? 0), 0), "// → and // ≈ checks run").to.equal(checks);
  });
});
