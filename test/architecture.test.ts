// The architecture of docs/ARCHITECTURE.md holds in the code: dependency-cruiser finds no import that breaks
// the rules of .dependency-cruiser.cjs (and those rules do catch a break, on a small tree made to break them),
// the document names every module of src/ with the layering the rules enforce, only the listed files outside
// src/kernels and src/tensor touch the kernels' heap, only the listed ones outside src/cli name a flag in an
// error message, and comments cite papers (docs/references.md), not the files they were read from or issue
// numbers.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import ts from "typescript";
import { kernels } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** A function a reader can hold in mind. */
const MAX_FUNCTION_LINES = 80;
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

interface Architecture {
  MAY_IMPORT: Record<string, string[]>;
  HEAP_EXCEPTIONS: Record<string, number>;
  FLAG_MESSAGE_EXCEPTIONS: Record<string, number>;
}
const { architecture } = createRequire(import.meta.url)(CONFIG) as { architecture: Architecture };

/** The rules broken in the tree under `baseDir` (its src/), as "rule: from → to" lines. */
async function violations(baseDir: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfig = extractTSConfig(join(ROOT, "tsconfig.json"));
  const result = await cruise(["src"], { ...options, baseDir }, undefined, { tsConfig });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

/** The modules of src/: its directories and its top-level .ts files. */
function srcModules(): string[] {
  return readdirSync(join(ROOT, "src"), { withFileTypes: true })
    .filter((e) => e.isDirectory() || e.name.endsWith(".ts"))
    .map((e) => e.name)
    .sort();
}

/** For each hand-written .ts file of src/ outside `skip`, how many nodes `count` finds (files with none left out). */
function countIn(skip: RegExp, count: (node: ts.Node, source: ts.SourceFile) => boolean): Record<string, number> {
  const found: Record<string, number> = {};
  for (const e of readdirSync(join(ROOT, "src"), { withFileTypes: true, recursive: true })) {
    const file = relative(ROOT, join(e.parentPath, e.name));
    if (!e.isFile() || !file.endsWith(".ts") || file.endsWith(".generated.ts") || skip.test(file)) continue;
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.ES2022, true);
    let n = 0;
    const visit = (node: ts.Node): void => {
      if (count(node, source)) n++;
      ts.forEachChild(node, visit);
    };
    visit(source);
    if (n > 0) found[file] = n;
  }
  return found;
}

/** The literal text of an expression's strings and templates, `…` where a value goes in. */
function literalText(node: ts.Node): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => `…${literalText(s.expression)}…${s.literal.text}`).join("");
  const parts: string[] = [];
  ts.forEachChild(node, (child) => void parts.push(literalText(child)));
  return parts.join("…");
}

describe("the architecture (docs/ARCHITECTURE.md, .dependency-cruiser.cjs)", function () {
  this.timeout(60000);
  // the source's import rules do not depend on the kernels' backend: checked once, on the WASM pass of npm test
  before(function () {
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: nothing here runs on the kernels (see above)
  });

  it("src/ keeps the import rules", async () => {
    expect(await violations(ROOT)).to.deep.equal([]);
  });

  it("the rules catch a module importing above its layer, the library importing the CLI, and cycles", async () => {
    const dir = mkdtempSync(join(tmpdir(), "surfing-architecture-"));
    try {
      const files: Record<string, string> = {
        "src/errors.ts": "export class InputError extends Error {}\n",
        "src/geometry/region.ts": 'import type { Run } from "../surf/surf.js";\nexport type R = Run;\n',
        "src/surf/surf.ts": 'import { InputError } from "../errors.js";\nexport type Run = InputError;\n',
        "src/report/png.ts": 'import { main } from "../cli/main.js";\nexport const m = main;\n',
        "src/cli/main.ts": "export function main(): void {}\n",
        "src/optim/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
        "src/optim/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
        "tsconfig.json": readFileSync(join(ROOT, "tsconfig.json"), "utf8"),
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const found = await violations(dir);
      expect(found).to.include.members([
        "layers: geometry: src/geometry/region.ts → src/surf/surf.ts",
        "layers: report: src/report/png.ts → src/cli/main.ts",
        "not-to-cli: src/report/png.ts → src/cli/main.ts",
        "no-circular: src/optim/a.ts → src/optim/b.ts",
        "no-circular: none at run time: src/optim/a.ts → src/optim/b.ts",
      ]);
      expect(found.filter((v) => v.includes("surf/surf.ts →")), "surf may import errors.ts").to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every module of src/ has its place in the layering, and imports run one way: down the list", () => {
    const order = Object.keys(architecture.MAY_IMPORT);
    expect(order.slice().sort()).to.deep.equal(srcModules());
    for (const [i, module] of order.entries()) {
      const above = architecture.MAY_IMPORT[module].filter((m) => !order.slice(0, i).includes(m));
      expect(above, `src/${module} may import only modules listed before it`).to.deep.equal([]);
    }
  });

  it("docs/ARCHITECTURE.md names every module of src/, and what it may import is what the rules allow", () => {
    const doc = readFileSync(join(ROOT, "docs/ARCHITECTURE.md"), "utf8");
    // The module table: | `src/nn/` | what it owns | `kernels`, `tensor`, … (or —) |
    const table = new Map<string, string[]>();
    for (const line of doc.split("\n")) {
      const row = /^\| `src\/([^`]+?)\/?` \|.*\| ([^|]*) \|$/.exec(line);
      if (row) table.set(row[1], row[2].trim() === "—" ? [] : [...row[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    }
    expect([...table.keys()], "the modules in the document's table, in the rules' order").to.deep.equal(Object.keys(architecture.MAY_IMPORT));
    for (const [module, allowed] of Object.entries(architecture.MAY_IMPORT)) {
      expect(table.get(module)?.slice().sort(), `what src/${module} may import`).to.deep.equal(allowed.slice().sort());
    }
  });

  it("code, tests, benchmarks and scripts cite papers, not the files they were read from or tracker items (docs/references.md)", () => {
    const cited: string[] = [];
    for (const dir of ["src", "test", "bench", "scripts"]) {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
        if (!e.isFile() || !/\.(ts|mjs|cjs|js|py)$/.test(e.name) || e.name.endsWith(".generated.ts")) continue;
        const file = relative(ROOT, join(e.parentPath, e.name));
        readFileSync(join(ROOT, file), "utf8").split("\n").forEach((line, i) => {
          if (/\bseeds? 0\d\d\b|\bissues? #?\d|#\d+'s\b/i.test(line)) cited.push(`${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(cited).to.deep.equal([]);
  });

  it("only src/kernels, src/tensor and the listed exceptions touch the kernels' heap", () => {
    const found = countIn(/^src\/(kernels|tensor)\//, (node) => ts.isPropertyAccessExpression(node) && node.name.text === "heap");
    expect(found, "`.heap` accesses per file (HEAP_EXCEPTIONS in .dependency-cruiser.cjs)").to.deep.equal(architecture.HEAP_EXCEPTIONS);
  });

  it("no function in src/ runs past 80 lines of its own (its named inner steps apart) unless its comment says why it is long", () => {
    const isFunction = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
      (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n)) && n.body !== undefined;
    const found = countIn(/^$/, (node, source) => {
      if (!isFunction(node)) return false;
      const lines = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.end).line - source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
      let nested = 0;
      const inner = (m: ts.Node): void => (isFunction(m) && lines(m) > 3 ? void (nested += lines(m)) : ts.forEachChild(m, inner));
      ts.forEachChild(node.body!, inner);
      // the comment above the declaration (of the function, or of the const holding it)
      const holder = ts.isArrowFunction(node) || ts.isFunctionExpression(node) ? node.parent.parent ?? node : node;
      const comment = source.text.slice(holder.getFullStart(), holder.getStart(source));
      return lines(node) - nested > MAX_FUNCTION_LINES && !/\blong\b/i.test(comment);
    });
    expect(found, "functions over 80 lines per file: split them along their steps, or say at their top why they are long").to.deep.equal({});
  });

  it("outside src/cli, only the listed exceptions name a flag in an error message (the library names its options)", () => {
    const found = countIn(/^src\/cli\//, (node, source) =>
      ts.isNewExpression(node) && /Error$/.test(node.expression.getText(source)) && /(^|[\s(:…])--[a-z]/.test(literalText(node.arguments?.[0] ?? node)));
    expect(found, "messages naming a flag, per file (FLAG_MESSAGE_EXCEPTIONS in .dependency-cruiser.cjs)").to.deep.equal(architecture.FLAG_MESSAGE_EXCEPTIONS);
  });
});
