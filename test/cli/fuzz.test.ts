// The fuzz corpus (test/cli/fuzz/corpus.ts) run against the built `surf`: every malformed or hostile file and
// every bad command line is refused — exit 2, exactly one line on stderr starting "surf: ", no stack trace,
// nothing on stdout, within the time limit, and whatever it was told to write left as it was — and the
// legitimately valid inputs among them run (exit 0, one line of JSON, the clean run's where one is known).
import { expect } from "chai";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { MAIN, surf } from "./cli.test.js";
import { commandCorpus, fileCorpus, fixtures, type Corpus, type FuzzCase, type Fixtures } from "./fuzz/corpus.js";
import { commandOf } from "../../src/cli/commands.js";
import { parseArgs, UsageError } from "../../src/cli/args.js";
import { InputError } from "../../src/errors.js";
import { kernels, scratchDirectory } from "../helpers.js";

/** A case that has not ended by then hangs: it is killed and fails, named. */
const CASE_SECONDS = 10;
/** Cases run at once (each is a process). */
const CONCURRENCY = 2;

/** What is at `path` now — absent, a file's digest, a directory's entries, a link, a FIFO — to tell whether a run changed it. */
function stateOf(path: string): string {
  let s;
  try {
    s = lstatSync(path);
  } catch {
    return "absent";
  }
  if (s.isSymbolicLink()) return `link ${readlinkSync(path)}`;
  if (s.isFile()) return `file ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  if (s.isDirectory()) return `directory {${readdirSync(path).sort().map((e) => `${e}: ${stateOf(join(path, e))}`).join(", ")}}`;
  return s.isFIFO() ? "fifo" : "other";
}

interface Outcome {
  c: FuzzCase;
  /** Why the case failed, or undefined. */
  failure?: string;
  seconds: number;
}

/**
 * A case refused when its flags are parsed, tried in this process: the command's parseArgs — what `surf` runs
 * first, reading and writing nothing — must refuse it with one line that main.ts prints and exits 2 on.
 */
function checkParsed(c: FuzzCase): Outcome {
  const before = (c.outputs ?? []).map(stateOf), start = performance.now();
  const outcome = (failure?: string): Outcome => ({ c, failure, seconds: (performance.now() - start) / 1000 });
  try {
    const { command, rest } = commandOf(c.args);
    parseArgs(command.spec, rest);
    return outcome("not refused when its flags are parsed");
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof InputError)) return outcome(`threw ${String(e)}, not a usage error`);
    const message = e.message;
    if (message.includes("\n") || message === "") return outcome(`not one line: ${JSON.stringify(message)}`);
    if (c.mentions && !c.mentions.some((m) => message.includes(m))) return outcome(`the line does not name ${c.mentions.join(" or ")}: ${JSON.stringify(message)}`);
    const changed = (c.outputs ?? []).filter((p, i) => stateOf(p) !== before[i]);
    return outcome(changed.length > 0 ? `left changed: ${changed.join(", ")}` : undefined);
  }
}

/** Run one case as the user does and check it against the contract. */
function check(c: FuzzCase): Promise<Outcome> {
  if (c.parse) return Promise.resolve(checkParsed(c));
  const before = (c.outputs ?? []).map(stateOf), start = performance.now();
  return new Promise((done) => {
    const resolve = (o: Omit<Outcome, "seconds">) => done({ ...o, seconds: (performance.now() - start) / 1000 });
    // stdin stays an open pipe: a command that read it would hang, and fail here
    const child = spawn(process.execPath, [MAIN, ...c.args], { env: { ...process.env, ...c.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "", hung = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, CASE_SECONDS * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const fail = (why: string) => resolve({ c, failure: `${why}; stderr: ${JSON.stringify(stderr.slice(0, 400))}` });
      if (hung) return fail(`no end within ${CASE_SECONDS} s`);
      if (/\n\s+at |internal error/.test(stderr)) return fail(`a stack trace or internal error (exit ${code ?? signal})`);
      if (c.valid) {
        if (code !== 0) return fail(`exit ${code ?? signal} for a valid input`);
        const lines = stdout.split("\n");
        if (lines.length !== 2 || lines[1] !== "") return fail(`stdout is not one line: ${JSON.stringify(stdout.slice(0, 200))}`);
        try {
          JSON.parse(lines[0]);
        } catch {
          return fail(`stdout is not JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
        }
        if (c.stdout !== undefined && stdout !== c.stdout) return fail("a different result from the clean run's");
        return resolve({ c });
      }
      if (code !== 2) return fail(`exit ${code ?? signal}, not 2`);
      if (stdout !== "") return fail(`stdout not empty: ${JSON.stringify(stdout.slice(0, 200))}`);
      if (!/^surf: [^\n]*\n$/.test(stderr)) return fail("stderr is not one line starting \"surf: \"");
      if (c.mentions !== undefined && !c.mentions.some((m) => stderr.includes(m))) return fail(`the line does not name ${c.mentions.join(" or ")}`);
      const changed = (c.outputs ?? []).filter((p, i) => stateOf(p) !== before[i]);
      if (changed.length > 0) return fail(`left changed: ${changed.join(", ")}`);
      resolve({ c });
    });
  });
}

/** Every case, CONCURRENCY at a time; the outcomes in the corpus's order. */
async function runAll(cases: readonly FuzzCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < cases.length) {
      const i = next++;
      outcomes[i] = await check(cases[i]);
    }
  }));
  return outcomes;
}

function shell(args: readonly string[]): string {
  return ["surf", ...args].map((a) => (/^[\w./:,=+-]+$/.test(a) ? a : JSON.stringify(a))).join(" ").slice(0, 300);
}

/** Temporary files a run left: NAME.tmp-PID (the corpus's own stale one, .tmp-99999, aside). */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => /\.tmp-\d+$/.test(p) && !p.endsWith(".tmp-99999"));
}

describe("fuzz corpus: hostile files and bad command lines", function () {
  this.timeout(30 * 60 * 1000);
  // The corpus tests the command, not the arithmetic: the processes it starts are the same on either
  // backend, so it runs once, on the WASM backend's pass of npm test.
  before(function () {
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: the same processes, checked once (see above)
  });
  let fx: Fixtures;
  scratchDirectory("fuzz", (d) => (fx = fixtures(d, surf)));

  const run = async (label: string, corpus: Corpus, minimum: { files?: number; cases: number }) => {
    const start = performance.now();
    const outcomes = await runAll(corpus.cases);
    const seconds = (performance.now() - start) / 1000;
    const valid = corpus.cases.filter((c) => c.valid).length, parsed = corpus.cases.filter((c) => c.parse).length;
    console.log(`      ${label}: ${corpus.files > 0 ? `${corpus.files} files, ` : ""}${corpus.cases.length} command lines (${corpus.cases.length - valid} to refuse, ${valid} valid; ${corpus.cases.length - parsed} run, ${parsed} parsed here) in ${seconds.toFixed(0)} s`);
    const slowest = [...outcomes].sort((a, b) => b.seconds - a.seconds).slice(0, 3);
    console.log(`      slowest: ${slowest.map((o) => `${o.c.name} ${o.seconds.toFixed(1)} s`).join("; ")}`);
    const failed = outcomes.filter((o) => o.failure !== undefined);
    if (failed.length > 0) expect.fail(`${failed.length} of ${outcomes.length} cases failed:\n${failed.map((o) => `${o.c.name}: ${o.failure}\n        ${shell(o.c.args)}`).join("\n")}`);
    expect(leftovers(fx.dir), "temporary files left behind").to.deep.equal([]);
    if (minimum.files !== undefined) expect(corpus.files).to.be.at.least(minimum.files);
    expect(corpus.cases.length).to.be.at.least(minimum.cases);
  };

  it("refuses every malformed or hostile file (networks, sequences, targets, masks, matrices, journals, states, shards) and runs the valid ones", async () => {
    await run("files", fileCorpus(fx), { files: 250, cases: 250 });
  });

  it("refuses every bad command line over every command and flag", async () => {
    await run("command lines", commandCorpus(fx), { cases: 350 });
  });
});
