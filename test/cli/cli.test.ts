// The surf command as a user meets it: exit codes, one-line errors on stderr, JSON on stdout.
import { expect } from "chai";
import { readFileSync, statSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export function surf(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Kill-anywhere: start `surf argv(i)` `times` times, each killed (SIGKILL) at an instant tied to what the run has
 * done rather than to the clock (CI machines differ in speed): every fifth as soon as `early(pid)` holds (in
 * start-up), the others `delay(i)` ms after `progress()` grew past its value at the start — so each lands at
 * another point of the run and the run advances. Returns how many kills landed inside a run (the rest found it
 * finished).
 */
export async function killRepeatedly(argv: (i: number) => string[], o: { progress: () => number; early: (pid: number) => boolean; delay: (i: number) => number; times?: number }): Promise<number> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let kills = 0;
  for (let i = 0; i < (o.times ?? 20); i++) {
    const before = o.progress();
    const child = spawn(process.execPath, [MAIN, ...argv(i)], { stdio: "ignore" });
    let exited = false;
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_, signal) => ((exited = true), resolve(signal))));
    if (i % 5 === 0) {
      while (!exited && !o.early(child.pid!)) await sleep(1);
    } else {
      while (!exited && o.progress() <= before) await sleep(2);
      await sleep(o.delay(i));
    }
    child.kill("SIGKILL");
    if ((await exit) === "SIGKILL") kills++;
  }
  return kills;
}

/** The PID in a surf lock file, if there is one whole. */
export function lockHolder(path: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;   // none yet, or being written this instant
  }
}

/** Each case exits 2 with nothing on stdout and one line on stderr matching its pattern (the contract for bad input). */
export function expectUsageErrors(cases: readonly (readonly [string[], RegExp, Record<string, string>?])[]): void {
  for (const [args, message, env] of cases) {
    const r = surf(args, env);
    const what = `${args.join(" ")}: ${r.stderr}`;
    expect(r.code, what).to.equal(2);
    expect(r.stdout, what).to.equal("");
    expect(r.stderr.trim().split("\n"), what).to.have.length(1);
    expect(r.stderr, what).to.match(message);
  }
}

describe("surf command", () => {
  it("lists its commands with no arguments and with --help", () => {
    for (const args of [[], ["--help"], ["help"]]) {
      const r = surf(args);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/selfcheck/);
    }
  });

  it("rejects an unknown command, an unknown flag and a bad value with exit 2 and one line naming it", () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["selfcheck", "--bogus"], /unknown flag --bogus/],
      [["selfcheck", "--jsn"], /did you mean --json\?/],
      [["selfcheck", "--seed"], /--seed needs a value/],
      [["selfcheck", "extra"], /unexpected argument "extra"/],
      [["selfcheck"], /SURF_BACKEND must be "wasm" or "js", got "gpu"/, { SURF_BACKEND: "gpu" }],
    ];
    expectUsageErrors(cases);
  });

  it("--version prints the package's version; -h is --help for every command", () => {
    const version = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version;
    for (const args of [["--version"], ["version"]]) {
      const r = surf(args);
      expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, `surf ${version}\n`, ""]);
    }
    for (const command of [["invert"], ["reproduce"], ["net", "random"], ["fid"]]) {
      const r = surf([...command, "-h"]);
      expect(r.code, command.join(" ")).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^surf ${command.join(" ")} `));
    }
  });

  it("the built bin is executable (npx surf runs it directly)", () => {
    expect(statSync(MAIN).mode & 0o111, MAIN).to.equal(0o111);
  });

  it("selfcheck --json prints only JSON, reporting bit-identical backends", () => {
    const r = surf(["selfcheck", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout);
    expect(report.pass).to.equal(true);
    expect(report.mismatches).to.deep.equal([]);
    expect(report.compared).to.be.greaterThan(0);
    expect(report.float32Error).to.be.below(1e-5);
    expect(report.speed.map((s: { shape: string }) => s.shape)).to.include("1x784x512");
  });
});
