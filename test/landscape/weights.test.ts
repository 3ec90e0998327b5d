// Weight space (Freeman & Bruna 2017, Section 4.1): the 1-4-4-1 sigmoid network's regression loss, its exact gradient,
// and the sweep of DSS over levels L0, resumable from its journal.
import { expect } from "chai";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../src/errors.js";
import { ResultStore } from "../../src/store.js";
import { RegressionLoss, regressionTarget } from "../../src/landscape/regression.js";
import { weightSweep, type WeightSweepOptions } from "../../src/landscape/weights.js";
import { Rng } from "../../src/random/rng.js";
import { inScratchDirectory } from "../helpers.js";

/** Central differences in float64: the truncation error is O(h²)·F''' ≈ 1e-12 and the rounding ε·F/h ≈ 1e-10. */
const FD_STEP = 1e-6;
const FD_TOL = 1e-7;

describe("landscape: the 1-4-4-1 sigmoid regression (Freeman & Bruna 2017, Section 4.1)", () => {
  it("the targets are (2x − 1)² and (T₃(2x − 1) + 1)/2, inside [0, 1] on [0, 1]", () => {
    for (const x of [0, 0.1, 0.25, 0.5, 0.8, 1]) {
      const u = 2 * x - 1;
      expect(regressionTarget("quadratic", x)).to.be.closeTo(u * u, 1e-15);
      expect(regressionTarget("cubic", x)).to.be.closeTo((Math.cos(3 * Math.acos(u)) + 1) / 2, 1e-12);
      for (const task of ["quadratic", "cubic"] as const) expect(regressionTarget(task, x)).to.be.within(0, 1);
    }
  });

  for (const task of ["quadratic", "cubic"] as const) {
    it(`${task}: F is the mean squared error of the network, and ∇F equals central differences`, () => {
      const loss = new RegressionLoss(task, 16);
      try {
        expect(loss.dimension).to.equal(33);   // 1·4 + 4 + 4·4 + 4 + 4·1 + 1
        const theta = loss.initialTheta("fd");
        const rng = Rng.derive("fd-perturb");
        for (let i = 0; i < theta.length; i++) theta[i] += rng.uniformIn(-0.5, 0.5);
        // F against a hand-written forward pass of the 1-4-4-1 network
        const sigma = (z: number) => 1 / (1 + Math.exp(-z));
        const W1 = theta.subarray(0, 4), b1 = theta.subarray(4, 8), W2 = theta.subarray(8, 24), b2 = theta.subarray(24, 28), W3 = theta.subarray(28, 32), b3 = theta[32];
        let mse = 0;
        for (let i = 0; i < 16; i++) {
          const x = loss.xs[i];
          const h1 = [0, 1, 2, 3].map((o) => sigma(W1[o] * x + b1[o]));
          const h2 = [0, 1, 2, 3].map((o) => sigma(b2[o] + [0, 1, 2, 3].reduce((s, q) => s + W2[o * 4 + q] * h1[q], 0)));
          const out = b3 + [0, 1, 2, 3].reduce((s, q) => s + W3[q] * h2[q], 0);
          mse += (out - regressionTarget(task, x)) ** 2 / 16;
        }
        expect(loss.value(theta)).to.be.closeTo(mse, 1e-14);
        const grad = new Float64Array(33);
        expect(loss.valueAndGradient(theta, grad)).to.be.closeTo(mse, 1e-14);
        for (let i = 0; i < 33; i++) {
          const plus = theta.slice(), minus = theta.slice();
          plus[i] += FD_STEP;
          minus[i] -= FD_STEP;
          const fd = (loss.value(plus) - loss.value(minus)) / (2 * FD_STEP);
          expect(Math.abs(grad[i] - fd), `∂F/∂θ_${i}: ${grad[i]} vs ${fd}`).to.be.below(FD_TOL * Math.max(1, Math.abs(fd)));
        }
      } finally {
        loss.free();
      }
    });
  }

  it("Var(y) is the loss of the best constant fit (the scale of the levels)", () => {
    const loss = new RegressionLoss("cubic", 32);
    try {
      const mean = loss.ys.reduce((a, b) => a + b, 0) / 32;
      // the network with zero hidden-to-output weights and bias = mean(y) is that constant fit
      const theta = new Float64Array(33);
      theta[32] = mean;
      expect(loss.value(theta)).to.be.closeTo(loss.variance, 1e-15);
    } finally {
      loss.free();
    }
  });

  it("refuses an unknown task", () => {
    expect(() => new RegressionLoss("quartic" as never)).to.throw(InputError, /quadratic or cubic/);
  });
});

describe("landscape: weight-space DSS sweep over L0 (Freeman & Bruna 2017, Figure 1 rows 1–2)", () => {
  const options: WeightSweepOptions = {
    task: "quadratic",
    levels: [0.3, 0.05],
    pairs: 2,
    seed: "sweep-test",
    dss: { maxBeads: 60, train: { lr: 0.01, maxSteps: 5000 } },
    endpoints: { lr: 0.03, maxSteps: 20000 },
  };

  it("connects every pair, with beads, and summarizes each level over its pairs", () => {
    const sweep = weightSweep(options);
    expect(sweep.parameters).to.equal(33);
    expect(sweep.pairs).to.have.length(4);
    for (const r of sweep.pairs) {
      expect(r.endpoints.every((e) => e.reached && e.value <= 0.5 * r.L0)).to.equal(true);
      expect(r.dss!.outcome).to.equal("connected");
      expect(r.dss!.normalizedLength!).to.be.at.least(1);
      expect(r.L0).to.be.closeTo(r.level * sweep.variance, 1e-15);
    }
    for (const level of sweep.levels) {
      const here = sweep.pairs.filter((p) => p.level === level.level).map((p) => p.dss!);
      expect(level.connected).to.equal(2);
      expect(level.normalizedLength!.mean).to.be.closeTo((here[0].normalizedLength! + here[1].normalizedLength!) / 2, 1e-15);
      expect(level.beads!.mean).to.equal((here[0].beads + here[1].beads) / 2);
    }
  });

  it("resumes from its journal: a run cut short and restarted gives what one run gives", () => {
    inScratchDirectory("landscape", (dir) => {
      const path = join(dir, "weights.jsonl");
      const settings = { ...options, seed: String(options.seed) };
      const whole = weightSweep({ ...options, journal: new ResultStore(join(dir, "whole.jsonl"), settings) });
      // a killed run: two pairs done, the third cut off in the middle of its line
      const lines = readFileSync(join(dir, "whole.jsonl"), "utf8").split("\n");
      writeFileSync(path, lines.slice(0, 3).join("\n") + "\n" + lines[3].slice(0, 40));
      const resumed = weightSweep({ ...options, journal: new ResultStore(path, settings) });
      expect(resumed).to.deep.equal(whole);
      expect(readFileSync(path, "utf8")).to.equal(readFileSync(join(dir, "whole.jsonl"), "utf8"));
      // other settings in the same file are refused
      expect(() => new ResultStore(path, { ...settings, pairs: 3 })).to.throw(InputError, /pairs: 2 there, 3 now/);
      // a record damaged or written by hand is not used: its pair is measured again
      const first = JSON.parse(lines[1]) as { key: string; value: Record<string, unknown> };
      for (const bad of [null, "garbage", {}, { ...first.value, endpoints: "two" }]) {
        appendFileSync(path, JSON.stringify({ key: first.key, value: bad }) + "\n");
        expect(weightSweep({ ...options, journal: new ResultStore(path, settings) }), JSON.stringify(bad)).to.deep.equal(whole);
      }
    });
  });
});
