// README.md's examples are tests: every `sh` command and the library example run here, in README order, in a
// scratch directory — each rewritten only to be small (tiny generators, a few trials, --quick sweeps), never
// to change what it exercises — and must exit 0. A README example can no longer rot unnoticed.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAIN } from "./cli/cli.test.js";
import { kernels, scratchDirectory } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Block {
  lang: string;
  line: number;
  text: string;
}

/** The fenced code blocks of a Markdown text, with their language and first line. */
export function codeBlocks(markdown: string): Block[] {
  const out: Block[] = [], lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    while (++i < lines.length && lines[i] !== "```");
    out.push({ lang: open[1], line: start + 1, text: lines.slice(start, i).join("\n") });
  }
  return out;
}

/** Commands the test does not run, and why (each is run elsewhere, or needs what CI does not have). */
const NOT_RUN: [RegExp, string][] = [
  [/^npm ci && npm start/, "the newcomer's first command: CI runs npm ci; the demo is npm start, timed in the README"],
  [/^npm test/, "this test is part of it"],
  [/git archive|cd \/tmp\/base|npm run bench:step/, "a benchmark against PyTorch and the older build: minutes, and OpenBLAS, which CI does not install"],
];

/** A README command made small: the same command and flags, on tiny generators and a few trials. */
function small(command: string, dir: string): string {
  let c = command.replace(/\s+#.*$/, "").replace(/\/tmp\/q/g, join(dir, "q"));
  if (/ train --model gan --latent 20 /.test(c)) c += " --arch mlp --hidden 16,32 --steps 40 --every 10";
  if (/ invert /.test(c)) c = c.replace(/--trials \d+/, "--trials 3") + (/--trials/.test(c) ? "" : " --trials 3");
  if (/ reproduce (table1|fig3|fig4) /.test(c) && !/--quick/.test(c)) c += " --quick";
  if (/ reproduce (table1) /.test(c) && !/--models/.test(c)) c += " --models gan --k 5 --trials 1";
  if (/ reproduce (fig3|fig4) /.test(c)) c += " --models gan --m 10 --trials 1";
  if (/ merge /.test(c)) c += " --quick --models gan --k 5 --trials 1";
  if (/ fid /.test(c)) c = c.replace(/--samples \d+/, "--samples 200");
  return c.replace(/^npx surf /, `"${process.execPath}" "${MAIN}" `);
}

describe("README.md: every example runs", function () {
  this.timeout(900000);
  // the commands exercise orchestration and files, not arithmetic (the kernel tests hold the TS twin to the WASM
  // kernels bit for bit): on the WASM backend only
  before(function () {
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: the same commands, orchestration only (see above)
  });
  let dir = "";
  scratchDirectory("readme", (d) => (dir = d));
  const readme = readFileSync(join(ROOT, "README.md"), "utf8"), blocks = codeBlocks(readme);

  it("finds the README's shell, Python and JavaScript examples", () => {
    expect(blocks.filter((b) => b.lang === "sh").length).to.be.at.least(5);
    expect(blocks.filter((b) => b.lang === "js")).to.have.length(1);
  });

  it("runs every sh command in README order, each exiting 0 without an internal error", () => {
    const ran: string[] = [];
    for (const block of blocks.filter((b) => b.lang === "sh")) {
      for (const raw of block.text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"))) {
        if (NOT_RUN.some(([re]) => re.test(raw))) continue;
        // the merge joins shards 1 and 3 the README leaves to other machines: run them here first
        if (/ merge --sweep table1 --out runs\/all runs\/s1 runs\/s2 runs\/s3/.test(raw)) {
          for (const s of [1, 3]) shell(small(`npx surf reproduce table1 --shard ${s}/3 --out runs/s${s}`, dir), dir, raw);
        }
        shell(small(raw, dir), dir, raw);
        ran.push(raw);
      }
    }
    expect(ran.length).to.be.at.least(20);
  });

  it("runs the library example (on the generator the commands trained)", () => {
    const js = blocks.find((b) => b.lang === "js")!.text
      .replace(/from "surfing\/node"/g, `from ${JSON.stringify(join(ROOT, "dist/src/node.js"))}`)
      .replace(/from "surfing"/g, `from ${JSON.stringify(join(ROOT, "dist/src/index.js"))}`)
      .replace(/trials: 20/, "trials: 3");
    writeFileSync(join(dir, "example.mjs"), js);
    const r = spawnSync(process.execPath, ["example.mjs"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^[\d.]+ \[/);
  });

  it("the PyTorch export snippet is valid Python (compiled; running it needs torch and the safetensors package)", function () {
    const python = blocks.find((b) => b.lang === "python")!.text;
    const r = spawnSync("python3", ["-c", `import ast, sys; ast.parse(sys.stdin.read())`], { input: python, encoding: "utf8" });
    if (r.error) this.skip();   // no python3 on this machine: nothing to compile the snippet with
    expect(r.status, r.stderr).to.equal(0);
  });
});

function shell(command: string, cwd: string, asWritten: string): void {
  const r = spawnSync("bash", ["-c", command], { cwd, encoding: "utf8", env: { ...process.env } });
  expect(r.status, `README: ${asWritten}\n(ran: ${command})\n${r.stderr.slice(-2000)}`).to.equal(0);
  expect(r.stderr, asWritten).to.not.match(/internal error/);
}
