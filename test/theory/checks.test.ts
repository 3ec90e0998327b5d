// The checks of `surf verify`: the quick run passes; each check's judge fails on measurements that contradict its
// theorem (so the quick run could fail); units are deterministic; a killed run resumes from its store.
import { expect } from "chai";
import { rmSync, appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernels, inScratchDirectory } from "../helpers.js";
import { CHECKS } from "../../src/theory/checks/index.js";
import { selectChecks, verify } from "../../src/theory/verify.js";
import { verifyPage } from "../../src/theory/page.js";
import { rho } from "../../src/theory/angles.js";
import { ResultStore } from "../../src/store.js";
import { InputError } from "../../src/errors.js";
import type { Check, Unit } from "../../src/theory/check.js";
import { checkXml } from "../report/xml.js";
import { hasForm } from "../../src/form.js";
/* eslint-disable @typescript-eslint/no-explicit-any -- each check has its own unit and result types; these tests make them by hand */

const byName = (name: string): Check<any, any> => selectChecks(name)[0];

/** Judge the quick plan of `name` on synthetic results made from each unit. */
function judge(name: string, make: (u: any) => unknown): boolean {
  const check = byName(name), units = check.plan(true);
  return check.judge(units, units.map(make), true).pass;
}

describe(`theory: surf verify checks (${kernels.backend} backend)`, () => {
  it("the quick run: every check passes by its prediction, with JSON figures that plot as well-formed SVG", function () {
    this.timeout(300_000);
    const report = verify(CHECKS as Check[], { seed: "0", quick: true }, kernels.backend);
    const failed = report.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.summary}`);
    expect(failed, failed.join("\n")).to.deep.equal([]);
    expect(report.checks.map((c) => c.name)).to.deep.equal(["theorem-3.1", "lemma-5.4", "wdc", "rric", "lemma-5.2", "hv-theorem-1", "theorem-3.3"]);
    const json = JSON.parse(JSON.stringify(report));
    for (const c of json.checks) {
      expect(c).to.include.keys("name", "pass", "prediction", "figures", "summary", "constants");
      for (const f of byName(c.name).plot(c.figures)) checkXml(f.svg);
    }
    const html = verifyPage(json, "surf verify all --quick");
    expect(html).to.include("seed 0").and.include("7 of 7 checks pass");
  });

  it("wdc fails when a constant grows with n or Lemma 5.1(a)'s bound 2 is exceeded", () => {
    const good = (u: any) => ({ normW: 1.3, normB: 1.1, epsB: 1 / Math.sqrt(u.n), epsC: 1 / Math.sqrt(u.n), wdc: 2 / Math.sqrt(u.n) });
    expect(judge("wdc", good)).to.equal(true);
    expect(judge("wdc", (u) => ({ ...good(u), wdc: u.n / 1000 }))).to.equal(false);
    expect(judge("wdc", (u) => ({ ...good(u), normW: u.n === 80 ? 2.2 : 1.3 }))).to.equal(false);
  });

  it("lemma-5.4 and rric fail when the measured constant does not fall", () => {
    const ratio = (v: number) => ({ identity: { ratio: v, normY: 1 }, gaussian: { ratio: v, normY: 1 } });
    expect(judge("lemma-5.4", (u) => ratio(1 / Math.sqrt(u.c)))).to.equal(true);
    expect(judge("lemma-5.4", (u) => ratio(0.1 + 0.01 * u.c))).to.equal(false);
    expect(judge("lemma-5.4", (u) => ({ ...ratio(1 / Math.sqrt(u.c)), gaussian: { ratio: 0.3, normY: 1 } }))).to.equal(false);
    expect(judge("rric", (u) => ({ quadruple: 1 / Math.sqrt(u.m), subspace: 0.5 / Math.sqrt(u.m) }))).to.equal(true);
    expect(judge("rric", (u) => ({ quadruple: Math.sqrt(u.m) / 10, subspace: 0 }))).to.equal(false);
  });

  it("lemma-5.2 fails when a one-layer count differs from Zaslavsky's or a two-layer count exceeds its bound", () => {
    const exact = (u: any) => {
      const n = u.width, reference = u.series === "one-layer-hv" ? 2 * n : u.series === "one-layer-surf" ? 1 + n + (n * (n - 1)) / 2 : (1 + n + (n * (n - 1)) / 2) ** 2;
      return { widths: u.series === "two-layer-surf" ? [n, n] : [n], count: u.series === "two-layer-surf" ? 10 * n : reference, reference, log10Bound: 20, box: 4 };
    };
    expect(judge("lemma-5.2", exact)).to.equal(true);
    expect(judge("lemma-5.2", (u) => ({ ...exact(u), count: exact(u).count + (u.key === "one-layer-surf-16" ? 1 : 0) }))).to.equal(false);
    expect(judge("lemma-5.2", (u) => ({ ...exact(u), count: u.series === "two-layer-surf" ? 2 * exact(u).reference : exact(u).count }))).to.equal(false);
  });

  it("theorem-3.1 fails on a critical point outside the ball, on a missing descent direction, or when the radius does not shrink", () => {
    const m = (u: any, over: Record<string, unknown> = {}) => ({ normY: 1, eta: 0.2, cEps: 1, rCrit: 1 / u.c, critical: 3, outside: 100, descentFraction: 1, ...over });
    const both = (u: any, over: Record<string, unknown> = {}) => ({ identity: m(u, over), gaussian: m(u) });
    expect(judge("theorem-3.1", (u) => both(u))).to.equal(true);
    expect(judge("theorem-3.1", (u) => both(u, u.c === 8 ? { rCrit: 1.5 } : {}))).to.equal(false);
    expect(judge("theorem-3.1", (u) => both(u, u.c === 16 ? { descentFraction: 0.98 } : {}))).to.equal(false);
    expect(judge("theorem-3.1", (u) => both(u, { rCrit: 0.01 * u.c }))).to.equal(false);
    expect(judge("theorem-3.1", (u) => both(u, u.c === 32 ? { cEps: null, descentFraction: null, outside: 0 } : {}))).to.equal(false);
  });

  it("hv-theorem-1 fails when the spurious ratio settles away from ρ_d or descents end ever farther out", () => {
    const result = (u: any, offset = 0, far = 1) => {
      // Ray ratios scattered ±0.1/√width around ρ_d + offset; descents ending at x0 and near −ρ_d x0.
      const spread = (0.5 / Math.sqrt(u.width)) * (u.replicate % 2 ? 1 : -1) * (1 + u.replicate / 10);
      const ends = [[1 + far / u.width, 0], [-rho(u.d), far / u.width]];
      const one = { m: 10, ray: u.part === "ray" ? rho(u.d) + offset + spread : null, ends: u.part === "ray" ? [] : ends };
      return { identity: one, gaussian: one };
    };
    expect(judge("hv-theorem-1", (u) => result(u))).to.equal(true);
    expect(judge("hv-theorem-1", (u) => result(u, 0.2))).to.equal(false);
    expect(judge("hv-theorem-1", (u) => result(u, 0, u.width * u.width))).to.equal(false);
  });

  it("theorem-3.3 fails when a step below the bound misses the certified minimizer, or when Assumption 3.2 does not hold", () => {
    const run = (u: any, over: Record<string, unknown> = {}) => ({ M: 1.2, L: 1, deltaStar: 0.05, delta: u.multiple ? 0.045 : u.angle, errors: [0, 0, 0], pieces: [2, 3, 2], unique: true, assumption: 0, ...over });
    expect(judge("theorem-3.3", (u) => run(u))).to.equal(true);
    expect(judge("theorem-3.3", (u) => run(u, u.multiple && u.arch[1] === 8 ? { errors: [0, 1e-3, 0] } : {}))).to.equal(false);
    expect(judge("theorem-3.3", (u) => run(u, { unique: u.arch[1] !== 12 }))).to.equal(false);
    // Missing the minimizer far above the bound is no failure: the theorem promises nothing there.
    expect(judge("theorem-3.3", (u) => run(u, u.multiple ? {} : { errors: [0.5, 0.5, 0.5] }))).to.equal(true);
  });

  it("a unit's measurement depends only on the seed and its key", () => {
    for (const name of ["wdc", "lemma-5.2", "rric"]) {
      const check = byName(name), [unit] = check.plan(true);
      expect(JSON.stringify(check.measure(unit, "7")), name).to.equal(JSON.stringify(check.measure(unit, "7")));
      expect(JSON.stringify(check.measure(unit, "7")), name).to.not.equal(JSON.stringify(check.measure(unit, "8")));
    }
  });

  it("every check's measurement, stored as JSON and read back, has the check's form (or it would be measured again on every resume)", function () {
    this.timeout(300000);
    for (const check of selectChecks("all")) {
      const [unit] = check.plan(true);
      expect(hasForm(JSON.parse(JSON.stringify(check.measure(unit, "form"))), check.form), check.name).to.equal(true);
    }
  });

  it("a killed run resumes from its store: stored units are not measured again, a torn last line is", () => {
    inScratchDirectory("verify", (dir) => {
      let calls = 0;
      const counting: Check<Unit & { i: number }, { value: number }> = {
        name: "counting", title: "t", source: "s", prediction: "p", form: { value: "number" },
        plan: () => [0, 1, 2].map((i) => ({ key: `u${i}`, i })),
        measure: (u) => (calls++, { value: u.i * 10 }),
        judge: (_units, results) => ({ pass: results.every((r, i) => r.value === 10 * i), summary: "", constants: "", figures: { values: results.map((r) => r.value) } }),
        plot: () => [],
      };
      const path = join(dir, "units.jsonl");
      const first = verify([counting as Check], { seed: "1", quick: true, store: new ResultStore(path) }, "test");
      expect(calls).to.equal(3);
      const again = verify([counting as Check], { seed: "1", quick: true, store: new ResultStore(path) }, "test");
      expect(calls).to.equal(3);
      expect(again.checks[0].figures).to.deep.equal(first.checks[0].figures);
      // Kill mid-write: the last record is torn. Only that unit is measured again.
      const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
      rmSync(path);
      appendFileSync(path, lines.slice(0, 2).join("\n") + "\n" + lines[2].slice(0, 10));
      const resumed = verify([counting as Check], { seed: "1", quick: true, store: new ResultStore(path) }, "test");
      expect(calls).to.equal(4);
      expect(resumed.checks[0].pass).to.equal(true);
      // Another seed or mode shares the file without mixing results.
      verify([counting as Check], { seed: "2", quick: true, store: new ResultStore(path) }, "test");
      expect(calls).to.equal(7);
      // Records damaged or written by hand are not judged: only their units are measured again.
      for (const bad of [null, "garbage", { value: "NaN" }, {}]) {
        appendFileSync(path, JSON.stringify({ key: "1/quick/counting/u1", result: bad, seconds: 0 }) + "\n");
        const remeasured = verify([counting as Check], { seed: "1", quick: true, store: new ResultStore(path) }, "test");
        expect(remeasured.checks[0].figures, JSON.stringify(bad)).to.deep.equal(first.checks[0].figures);
      }
      expect(calls).to.equal(7 + 4);
    });
  });

  it("an unknown check name is an InputError that lists the checks", () => {
    expect(() => selectChecks("theorem-9")).to.throw(InputError, /unknown check "theorem-9" \(checks: theorem-3.1, lemma-5.4, wdc, rric, lemma-5.2, hv-theorem-1, theorem-3.3, or all\)/);
    expect(selectChecks("all")).to.have.length(7);
  });
});
