// `surf verify` from a user's side: exit codes, one-line errors, JSON on stdout, the report files and resuming.
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expectUsageErrors, surf } from "../cli/cli.test.js";
import { inScratchDirectory } from "../helpers.js";

describe("theory: surf verify command", () => {
  it("bad usage exits 2 with one line naming the check or flag", () => {
    const cases: [string[], RegExp][] = [
      [["verify", "theorem-9"], /unknown check "theorem-9" \(checks: theorem-3.1,/],
      [["verify", "--bogus"], /unknown flag --bogus/],
      [["verify", "wdc", "rric"], /unexpected argument "rric"/],
      [["verify", "--quik"], /did you mean --quick\?/],
      [["verify", "--out"], /--out needs a value/],
    ];
    expectUsageErrors(cases);
    expect(surf(["verify", "--help"]).stdout).to.match(/surf verify \[NAME\]/);
  });

  it("--json prints only the report; --out writes verify.json and index.html, and a rerun reuses the stored units", function () {
    this.timeout(120_000);
    inScratchDirectory("verify-cli", (dir) => {
      const r = surf(["verify", "lemma-5.2", "--quick", "--json", "--seed", "3", "--out", dir]);
      expect(r.code, r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout);
      expect(report).to.include({ seed: "3", quick: true });
      expect(report.checks).to.have.length(1);
      expect(report.checks[0]).to.include({ name: "lemma-5.2", pass: true });
      expect(report.checks[0]).to.include.keys("prediction", "figures");
      for (const f of ["verify.json", "index.html", "units.jsonl"]) expect(existsSync(join(dir, f)), f).to.equal(true);
      expect(readFileSync(join(dir, "index.html"), "utf8")).to.include("seed 3");
      const units = readFileSync(join(dir, "units.jsonl"), "utf8");
      const again = surf(["verify", "lemma-5.2", "--quick", "--json", "--seed", "3", "--out", dir]);
      expect(again.code).to.equal(0);
      expect(readFileSync(join(dir, "units.jsonl"), "utf8")).to.equal(units);
      expect(JSON.parse(again.stdout).checks).to.deep.equal(report.checks);
      const text = surf(["verify", "lemma-5.2", "--quick", "--seed", "3"]);
      expect(text.stdout).to.match(/^pass {2}lemma-5.2/).and.match(/1\/1 checks pass/);
    });
  });
});
