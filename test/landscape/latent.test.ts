// Latent space: f_θ(x) = ½‖G_θ(x) − y‖² as a DSS loss, and DSS along a (synthetic) training run.
import { expect } from "chai";
import { join } from "node:path";
import { InputError } from "../../src/errors.js";
import { connect } from "../../src/landscape/dss.js";
import { ResultStore } from "../../src/store.js";
import { LatentLoss, latentDss, latentStarts, type LatentDssOptions } from "../../src/landscape/latent.js";
import { Network } from "../../src/nn/network.js";
import { Rng } from "../../src/random/rng.js";
import { linearSpec, smallGenerator, syntheticRun } from "./nets.js";
import { inScratchDirectory } from "../helpers.js";

const FD_STEP = 1e-6;
/** Central differences of a piecewise-smooth f: exact to O(h²) away from the ReLU kinks the random points miss. */
const FD_TOL = 1e-6;

function target(n: number, seed: string): Float64Array {
  const rng = Rng.derive(seed);
  return Float64Array.from({ length: n }, () => rng.uniform());
}

describe("landscape: the latent loss x ↦ f_θ(x) − shift", () => {
  it("equals ½‖G(x) − y‖² − shift, batched or one point at a time, and its gradient equals central differences", () => {
    const net = new Network(smallGenerator(), { dtype: "f64", seed: "latent-loss" });
    const y = target(24, "y");
    const loss = new LatentLoss(net, y, 0.25, 4);   // a batch of 4: 10 points take three passes
    try {
      const rng = Rng.derive("latent-points");
      const points = Float64Array.from({ length: 20 }, () => rng.uniformIn(-3, 3));
      const batched = loss.values(points, 10);
      const outputs = net.forward(points);
      for (let i = 0; i < 10; i++) {
        const direct = 0.5 * outputs[i].reduce((s, g, j) => s + (g - y[j]) ** 2, 0) - 0.25;
        expect(batched[i]).to.be.closeTo(direct, 1e-14);
        const x = points.slice(2 * i, 2 * i + 2);
        expect(loss.value(x)).to.equal(batched[i]);
        const grad = new Float64Array(2);
        expect(loss.valueAndGradient(x, grad)).to.be.closeTo(direct, 1e-14);
        for (let j = 0; j < 2; j++) {
          const plus = x.slice(), minus = x.slice();
          plus[j] += FD_STEP;
          minus[j] -= FD_STEP;
          const fd = (loss.value(plus) - loss.value(minus)) / (2 * FD_STEP);
          expect(Math.abs(grad[j] - fd), `point ${i}, ∂f/∂x_${j}`).to.be.below(FD_TOL * Math.max(1, Math.abs(fd)));
        }
      }
    } finally {
      loss.free();
      net.free();
    }
  });

  it("a ReLU generator whose sublevel set is a ring: DSS in x goes around the hole", () => {
    // G(x) = ReLU([x1, −x1, x2, −x2]), y = (1, 1, 1, 1): f(x) = ½[(|x1| − 1)² + (|x2| − 1)²] + 1, so with the
    // shift f* = 1 the set F ≤ L0 is four discs of radius √(2·L0) around (±1, ±1): for L0 = 0.7 (radius 1.18)
    // they overlap into a ring whose hole holds the origin (F(0) = 1 > L0).
    const net = new Network({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 4, bias: true }, { type: "ReLU" }] }, { dtype: "f64" });
    net.param("0.weight").values.set([1, 0, -1, 0, 0, 1, 0, -1]);
    net.touch();
    const loss = new LatentLoss(net, [1, 1, 1, 1], 1);
    try {
      const a = [1.1, 0.9], b = [-0.9, -1.2];
      const r = connect(loss, a, b, { level: 0.7, train: { lr: 0.01, maxSteps: 3000 } });
      expect(r.outcome).to.equal("connected");
      expect(r.beads).to.be.at.least(1);
      // the chord passes the hole; going by way of a third disc (around (1, −1) or (−1, 1)) is longer
      expect(r.normalizedLength!).to.be.within(1.02, 1.5);
      for (const x of r.string) expect(0.5 * ((Math.abs(x[0]) - 1) ** 2 + (Math.abs(x[1]) - 1) ** 2)).to.be.at.most(0.7);
      expect(r.string.slice(1, -1).some((x) => x[0] * x[1] < 0), "a bead in the (+, −) or (−, +) disc").to.equal(true);
    } finally {
      loss.free();
      net.free();
    }
  });

  it("refuses a float32 network and a target of the wrong size", () => {
    const f32 = new Network(smallGenerator(), { seed: "x" }), f64 = new Network(smallGenerator(), { dtype: "f64", seed: "x" });
    try {
      expect(() => new LatentLoss(f32, target(24, "y"))).to.throw(InputError, /float64/);
      expect(() => new LatentLoss(f64, target(23, "y"))).to.throw(InputError, /23 values, the network outputs 24/);
    } finally {
      f32.free();
      f64.free();
    }
  });

  it("the starts are uniform on [−box, box]^k, each from its own stream", () => {
    const a = latentStarts("s", 3, 5, 2), b = latentStarts("s", 3, 8, 2);
    expect(b.slice(0, 5).map((x) => Array.from(x))).to.deep.equal(a.map((x) => Array.from(x)));
    const all = b.flatMap((x) => Array.from(x));
    for (const v of all) expect(v).to.be.within(-2, 2);
    expect(Math.max(...all.map(Math.abs))).to.be.above(1);
  });
});

describe("landscape: DSS in latent space along a training run", () => {
  const options = (y: Float64Array): LatentDssOptions => ({
    y, seed: "latent-dss", pairs: 2, level: 0.2, starts: 6, box: 2,
    minimize: { lr: 0.02, maxSteps: 3000 },
    dss: { maxBeads: 40, train: { lr: 0.01, maxSteps: 3000 } },
    endpoints: { lr: 0.01, maxSteps: 3000 },
  });

  it("a linear generator (f convex in x at every checkpoint): one segment and normalized length 1 throughout", () => {
    const run = syntheticRun(linearSpec(3, 12), 2, "linear");
    try {
      const records = latentDss(run.sequence, run.steps, options(target(12, "linear-y")));
      expect(records).to.have.length(3);
      for (const r of records) {
        expect(r.step).to.equal(10 * r.t);
        expect(r.L0).to.be.closeTo(0.2 * (r.fMean - r.fStar), 1e-12);
        expect(r.connected).to.equal(2);
        expect(r.beads!.max).to.equal(0);
        expect(r.normalizedLength!.min).to.be.closeTo(1, 1e-12);
        expect(r.normalizedLength!.max).to.be.closeTo(1, 1e-12);
        expect(r.startsBelow).to.equal(6);   // convex: every descent reaches the level
        expect(r.pairs.map((p) => p.starts)).to.deep.equal([[0, 1], [2, 3]]);
      }
    } finally {
      run.final.free();
    }
  });

  it("a ReLU generator: every checkpoint measured, each pair connected or reported unconverged; resumable", () => {
    const run = syntheticRun(smallGenerator(), 2, "relu");
    try {
      inScratchDirectory("latent", (dir) => {
        const opts = options(target(24, "relu-y"));
        const settings = { ...opts, y: Array.from(opts.y) };
        const whole = latentDss(run.sequence, run.steps, { ...opts, journal: new ResultStore(join(dir, "a.jsonl"), settings) });
        for (const r of whole) {
          expect(r.pairs).to.have.length(Math.min(2, Math.floor(r.startsBelow / 2)));
          expect(r.connected + r.unconverged).to.equal(r.pairs.length);
          expect(r.fStar).to.be.at.most(r.fMean);
          for (const p of r.pairs) {
            expect(p.dss.level).to.equal(r.L0);
            if (p.dss.converged) expect(p.dss.normalizedLength!).to.be.at.least(1);
            else expect(p.dss.outcome).to.be.oneOf(["bead-budget", "bead-above-level"]);
          }
        }
        // the journal holds every checkpoint: a second run reads them instead of computing
        let loads = 0;
        const counted = { length: run.sequence.length, load: (t: number) => (loads++, run.sequence.load(t)) };
        const again = latentDss(counted, run.steps, { ...opts, journal: new ResultStore(join(dir, "a.jsonl"), settings) });
        expect(loads).to.equal(0);
        expect(again).to.deep.equal(whole);
      });
    } finally {
      run.final.free();
    }
  });

  it("refuses bad settings with InputError", () => {
    const run = syntheticRun(linearSpec(2, 4), 1, "bad");
    try {
      const ok = options(target(4, "bad-y"));
      expect(() => latentDss(run.sequence, run.steps, { ...ok, starts: 3 })).to.throw(InputError, /at least 2·pairs = 4 starts/);
      expect(() => latentDss(run.sequence, run.steps, { ...ok, level: 1.5 })).to.throw(InputError, /level λ/);
      expect(() => latentDss(run.sequence, run.steps, { ...ok, box: 0 })).to.throw(InputError, /positive half-width/);
      expect(() => latentDss(run.sequence, [0], ok)).to.throw(InputError, /1 steps for 2 checkpoints/);
    } finally {
      run.final.free();
    }
  });
});
