// The JSDoc of the package's public exports and the @example blocks in it, made runnable. A runtime export is
// found in src/ by following the entry point's re-exports with the TypeScript parser (parsing only: no type
// checking, so the whole of src/ is read in well under a second). An example is plain JavaScript (an ES module
// importing "surfing" or "surfing/node"); a statement whose trailing comment is `// → VALUE` or `// ≈ VALUE`
// is checked to give VALUE — exactly, or (≈) to the digits shown, half a unit in the last one.
import ts from "typescript";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface Example {
  /** The export it documents ("invert", "geometry.certify", "ResultStore.compact"), numbered when it has several. */
  name: string;
  /** Where its first line is, relative to the repository. */
  file: string;
  line: number;
  code: string;
}

export interface ExportDoc {
  /** The name a user writes: "invert", "readNetwork", "geometry.certify". */
  symbol: string;
  /** Where the declaration is, relative to the repository; undefined when the export was not found in src/. */
  file?: string;
  line?: number;
  /** The first line of the JSDoc text ("" when there is none). */
  summary: string;
  examples: Example[];
  /** For `export * as name from "./m.js"`: the module's source (its exports are documented in turn). */
  namespace?: string;
}

/** The source file an entry point of package.json "exports" is built from: ./dist/src/node.js → src/node.ts. */
export function entrySource(root: string, subpath: "." | "./node"): string {
  const target = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports[subpath];
  const built: string = typeof target === "string" ? target : target.default;
  return join(root, built.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));
}

/** The JSDoc of each of `names`, exported by the module `file`, under names prefixed by `prefix`. */
export function exportDocs(root: string, file: string, names: readonly string[], prefix = ""): ExportDoc[] {
  return names.map((name) => {
    const symbol = prefix + name, found = declarationOf(file, name, new Set());
    if (!found) return { symbol, summary: "", examples: [] };
    const { sf, node } = found, path = relative(root, sf.fileName);
    const doc = jsdocOf(sf, node);
    const examples = doc ? doc.examples.map((e, i) => ({ name: symbol + (doc.examples.length > 1 ? `#${i + 1}` : ""), file: path, line: e.line, code: e.code })) : [];
    // the members of an exported class carry examples of their own (ResultStore.compact): they run too
    if (ts.isClassDeclaration(node)) {
      for (const member of node.members) {
        const mdoc = member.name && ts.isIdentifier(member.name) ? jsdocOf(sf, member) : undefined;
        mdoc?.examples.forEach((e, i) => examples.push({ name: `${symbol}.${(member.name as ts.Identifier).text}${mdoc.examples.length > 1 ? `#${i + 1}` : ""}`, file: path, line: e.line, code: e.code }));
      }
    }
    const namespace = ts.isExportDeclaration(node) && node.moduleSpecifier ? moduleFile(sf.fileName, node.moduleSpecifier) : undefined;
    return { symbol, file: path, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, summary: doc?.summary ?? "", examples, namespace };
  });
}

const parsed = new Map<string, ts.SourceFile>();

function sourceFile(path: string): ts.SourceFile {
  let sf = parsed.get(path);
  if (!sf) {
    sf = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    parsed.set(path, sf);
  }
  return sf;
}

/** "./x.js" next to `from` → its TypeScript source. */
function moduleFile(from: string, specifier: ts.Expression): string {
  return resolve(dirname(from), (specifier as ts.StringLiteral).text.replace(/\.js$/, ".ts"));
}

function exported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The top-level statement of `sf` that declares `name` (for `export * as name`: the export declaration itself). */
function declarationOf(path: string, name: string, seen: Set<string>): { sf: ts.SourceFile; node: ts.Node } | undefined {
  const key = `${path}#${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const sf = sourceFile(path);
  for (const stmt of sf.statements) {
    if (ts.isExportDeclaration(stmt) && !stmt.isTypeOnly) {
      const clause = stmt.exportClause;
      if (clause && ts.isNamespaceExport(clause)) {
        if (clause.name.text === name) return { sf, node: stmt };
      } else if (clause) {
        for (const el of clause.elements) {
          if (el.isTypeOnly || el.name.text !== name) continue;
          const local = (el.propertyName ?? el.name).text;
          return stmt.moduleSpecifier ? declarationOf(moduleFile(path, stmt.moduleSpecifier), local, seen) : localDeclaration(sf, local, seen);
        }
      } else if (stmt.moduleSpecifier) {
        const found = declarationOf(moduleFile(path, stmt.moduleSpecifier), name, seen);
        if (found) return found;
      }
    } else if (exported(stmt) && declares(stmt, name)) {
      return { sf, node: stmt };
    }
  }
  return undefined;
}

/** `name` declared in `sf`, or imported into it (then followed to its module). */
function localDeclaration(sf: ts.SourceFile, name: string, seen: Set<string>): { sf: ts.SourceFile; node: ts.Node } | undefined {
  for (const stmt of sf.statements) {
    if (declares(stmt, name)) return { sf, node: stmt };
    if (!ts.isImportDeclaration(stmt)) continue;
    const named = stmt.importClause?.namedBindings;
    if (named && ts.isNamedImports(named)) {
      const el = named.elements.find((e) => e.name.text === name);
      if (el) return declarationOf(moduleFile(sf.fileName, stmt.moduleSpecifier), (el.propertyName ?? el.name).text, seen);
    }
  }
  return undefined;
}

function declares(stmt: ts.Statement, name: string): boolean {
  if (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt)) return stmt.name?.text === name;
  if (ts.isVariableStatement(stmt)) return stmt.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name);
  return false;
}

interface Parsed {
  summary: string;
  examples: { line: number; code: string }[];
}

/** The `/** … *\/` comment just before `node`: its first line and its @example blocks, each with its first line in the file. */
function jsdocOf(sf: ts.SourceFile, node: ts.Node): Parsed | undefined {
  const text = sf.getFullText();
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const range = ranges.filter((r) => text.startsWith("/**", r.pos)).pop();
  if (!range) return undefined;
  const first = sf.getLineAndCharacterOfPosition(range.pos).line + 1;
  const lines = text.slice(range.pos + 3, range.end - 2).split("\n").map((l, i) => (i === 0 ? l : l.replace(/^\s*\* ?/, "")));
  const summary = lines.map((l) => l.trim()).find((l) => l !== "") ?? "";
  const examples: Parsed["examples"] = [];
  let current: { line: number; lines: string[] } | undefined;
  const close = () => {
    if (!current) return;
    while (current.lines.length > 0 && current.lines[current.lines.length - 1].trim() === "") current.lines.pop();
    examples.push({ line: current.line, code: current.lines.join("\n") });
    current = undefined;
  };
  lines.forEach((l, i) => {
    const tag = /^\s*@(\w+)\s?(.*)$/.exec(l);
    if (tag) {
      close();
      if (tag[1] === "example") current = tag[2].trim() !== "" ? { line: first + i, lines: [tag[2]] } : { line: first + i + 1, lines: [] };
    } else if (current) {
      current.lines.push(l);
    }
  });
  close();
  return { summary: summary.startsWith("@") ? "" : summary, examples };
}

/**
 * The example as a module that checks its `// → VALUE` and `// ≈ VALUE` comments: `EXPR; // → V` becomes
 * `__expect(EXPR, V, …)` and `const x = EXPR; // → V` is followed by `__expect(x, V, …)`, on the same line
 * (line numbers stay those of the example). Under ≈ each number literal N in V becomes `__approx(N, tol)`.
 * A checked comment after anything else is an error, so that no stated value goes unchecked.
 */
export function checkedModule(example: Example): { code: string; checks: number } {
  const code = example.code;
  const sf = ts.createSourceFile("example.mjs", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const where = (pos: number) => `${example.file}:${example.line + sf.getLineAndCharacterOfPosition(pos).line}`;
  const claims = new Set<number>();   // positions of checked comments attached to a statement
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node)) {
      const comment = (ts.getTrailingCommentRanges(code, node.end) ?? [])[0];
      const m = comment && /^\/\/\s*([→≈])\s*(.+?)\s*$/.exec(code.slice(comment.pos, comment.end));
      if (comment && m) {
        claims.add(comment.pos);
        const expected = m[1] === "≈" ? approximate(m[2]) : m[2];
        const args = `${expected}, ${JSON.stringify(`${where(node.getStart(sf))}: ${node.getText(sf).replace(/;$/, "")} ${m[1]} ${m[2]}`)}`;
        if (ts.isExpressionStatement(node)) {
          edits.push({ start: node.getStart(sf), end: node.end, text: `__expect((${node.expression.getText(sf)}), ${args});` });
        } else {
          const decls = node.declarationList.declarations;
          if (decls.length !== 1 || !ts.isIdentifier(decls[0].name)) throw new Error(`${where(node.getStart(sf))}: a checked comment after a declaration of several names`);
          edits.push({ start: node.end, end: node.end, text: ` __expect(${decls[0].name.text}, ${args});` });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // every `// →` and `// ≈` in the code must have been attached to a statement above (each comment is the
  // leading trivia of some token, the end of the file's included, or trailing trivia on a token's line)
  const tokens = (node: ts.Node): void => {
    for (const c of [...ts.getLeadingCommentRanges(code, node.pos) ?? [], ...ts.getTrailingCommentRanges(code, node.end) ?? []]) {
      if (/^\/\/\s*[→≈]/.test(code.slice(c.pos, c.end)) && !claims.has(c.pos)) {
        throw new Error(`${where(c.pos)}: a checked comment (// → or // ≈) must follow an expression statement or the declaration of one name`);
      }
    }
    node.getChildren(sf).forEach(tokens);
  };
  tokens(sf);
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { code: out, checks: edits.length };
}

/** Every number literal N in a value as __approx(N, half a unit in N's last digit). */
function approximate(value: string): string {
  return value.replace(/(?<![\w.$"'])(-?)(\d+)(?:\.(\d+))?(?:e([-+]?\d+))?(?![\w.])/gi, (literal, _sign, _int, frac = "", exp = "0") =>
    `__approx(${literal}, ${0.5 * 10 ** (Number(exp) - frac.length)})`);
}
