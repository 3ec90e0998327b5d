// Figure 4's targets: trial i's held-out image depends on i alone, and any first n spread over the classes.
import { expect } from "chai";
import { cellSpecs, FULL, heldOutImages, heldOutIndices, plan, scaleWith } from "../../src/experiments/sweeps.js";
import { cellName } from "../../src/experiments/report.js";
import { expectUsageErrors } from "../cli/cli.test.js";
import { PIXELS, type FashionMnist } from "../../src/data/fashion-mnist.js";
import { InputError } from "../../src/errors.js";

describe("experiments: fig4's held-out targets", () => {
  const classOf = (j: number) => Math.floor(j / 1000);   // our held-out set: 1,000 per class, sorted by class

  it("trial i's image is the same whatever the trial count, so a run extended to more trials keeps its stored ones", () => {
    const a = heldOutIndices(10000, 100), b = heldOutIndices(10000, 200);
    expect(b.slice(0, 100)).to.deep.equal(a);
    expect(a.slice(0, 5)).to.deep.equal([0, 5000, 2500, 7500, 1250]);
  });

  it("every first n trials spread over the classes, and up to 8,192 of 10,000 images are distinct", () => {
    for (const n of [16, 100, 200, 300]) {
      const counts = new Array<number>(10).fill(0);
      for (const j of heldOutIndices(10000, n)) counts[classOf(j)]++;
      expect(Math.max(...counts) - Math.min(...counts), `n = ${n}: ${counts}`).to.be.at.most(Math.ceil(n / 10 / 4) + 1);
    }
    expect(new Set(heldOutIndices(10000, 8192)).size).to.equal(8192);
    expect(() => heldOutIndices(10000, 8193)).to.throw(InputError, /8193 trials need 8193 distinct held-out images; this scheme gives at most 8192 of the 10000/);
  });

  it("returns those images as signals in [0, 1]", () => {
    const count = 16, images = new Uint8Array(count * PIXELS).map((_, p) => 15 * Math.floor(p / PIXELS));
    const data = { heldOut: { count, images, labels: new Uint8Array(count) } } as unknown as FashionMnist;
    const y = heldOutImages(data, 4);
    expect(y.map((s) => s.length)).to.deep.equal([PIXELS, PIXELS, PIXELS, PIXELS]);
    expect(y.map((s) => s[PIXELS - 1])).to.deep.equal([0, 8, 4, 12].map((j) => (15 * j) / 255));
  });
});

describe("experiments: a sweep's scale, cell ids and sequences", () => {
  const noData = () => expect.fail("table1 needs no images");
  const ids = (o: Parameters<typeof scaleWith>[1]) => plan("table1", scaleWith(FULL, o), "/out", "0", noData, FULL).map((p) => p.cell.id);

  it("the default scale's ids and sequences are today's; every other setting is named in the id", () => {
    const [first] = plan("table1", FULL, "/out", "0", noData);
    expect([first.cell.id, first.dir, first.training.seed, first.training.width, first.training.criticWidth]).to.deep.equal(["table1/vae/k5", "/out/checkpoints/vae-k5-every40", "0/vae/k5", 0.25, 0.25]);
    expect(ids({ models: ["gan"], ks: [5, 20], width: 1 })).to.deep.equal(["table1/gan/k5/w1", "table1/gan/k20/w1"]);
    expect(ids({ models: ["wgan-gp"], ks: [10], criticWidth: 0.25 })).to.deep.equal(["table1/wgan-gp/k10/cw0.25"]);
    expect(ids({ models: ["wgan-gp"], ks: [10], criticWidth: 0.0625 })).to.deep.equal(["table1/wgan-gp/k10"]);   // the default critic
    expect(ids({ models: ["gan"], ks: [5], width: 0.5, criticWidth: 0.5 })).to.deep.equal(["table1/gan/k5/w0.5"]);   // the GAN's default: as wide
    expect(ids({ models: ["gan"], ks: [5], trainSeeds: [0, 3], steps: 8000, every: 80 })).to.deep.equal(["table1/gan/k5/steps8000/every80", "table1/gan/k5/steps8000/every80/trainseed3"]);
    expect(ids({ models: ["wgan-gp", "gan"], ks: [5], criticSteps: 5 })).to.deep.equal(["table1/wgan-gp/k5", "table1/gan/k5/csteps5"]);   // the WGANs' default is 5, the GAN's 1
    const [p] = plan("table1", scaleWith(FULL, { models: ["wgan-gp"], ks: [5], width: 1, criticWidth: 1, trainSeeds: [2], restarts: [2, 4] }), "/out", "0", noData, FULL, "/cache");
    expect([p.dir, p.training.seed, p.training.width, p.training.criticWidth, p.training.criticSteps, p.cell.stages]).to.deep.equal(
      ["/cache/wgan-gp-k5-every40-w1-cw1-trainseed2", "0/wgan-gp/k5/trainseed2", 1, 1, 5, ["regular", "surf", "restarts-2", "restarts-4"]]);
  });

  it("fig3 and fig4 take --steps and --every for their sequences; their m cells share one", () => {
    const specs = cellSpecs("fig3", scaleWith(FULL, { models: ["wgan"], ms: [50, 100], steps: 20000 }));
    expect(specs.map((s) => [s.model, s.m, s.trainSteps, s.every])).to.deep.equal([["wgan", 50, 20000, 100], ["wgan", 100, 20000, 100]]);
    const plans = plan("fig3", scaleWith(FULL, { models: ["wgan"], ms: [50, 100], steps: 20000 }), "/out", "0", noData, FULL);
    expect(plans.map((p) => p.cell.id)).to.deep.equal(["fig3/wgan/m50/steps20000", "fig3/wgan/m100/steps20000"]);
    expect(new Set(plans.map((p) => p.dir)).size).to.equal(1);
  });

  it("table1 with --m and --noise: a cell per m and σ, on the problem's settings, sharing the generator", () => {
    const plans = plan("table1", scaleWith(FULL, { models: ["gan"], ks: [5], ms: [50], noises: [0, 0.01] }), "/out", "0", noData, FULL);
    expect(plans.map((p) => p.cell.id)).to.deep.equal(["table1/gan/k5/m50", "table1/gan/k5/m50/noise0.01"]);
    expect(plans.map((p) => [p.cell.measurement, p.cell.noise, p.spec.noise])).to.deep.equal([
      [{ kind: "gaussian", m: 50 }, undefined, undefined], [{ kind: "gaussian", m: 50 }, 0.01, 0.01]]);
    expect(new Set(plans.map((p) => p.dir))).to.deep.equal(new Set(["/out/checkpoints/gan-k5-every40"]));
    // without --m: A = I, the paper's; fig3's m cells take the noise too
    expect(ids({ models: ["gan"], ks: [5], noises: [0.05] })).to.deep.equal(["table1/gan/k5/noise0.05"]);
    expect(plan("table1", scaleWith(FULL, { models: ["gan"], ks: [5], noises: [0.05] }), "/out", "0", noData, FULL)[0].cell.measurement).to.deep.equal({ kind: "identity" });
    expect(plan("fig3", scaleWith(FULL, { models: ["gan"], ms: [20], noises: [0.1] }), "/out", "0", noData, FULL).map((p) => [p.cell.id, p.cell.noise])).to.deep.equal([["fig3/gan/m20/noise0.1", 0.1]]);
    expect(cellName("table1/gan/k5/m50/noise0.01")).to.equal("DCGAN, k = 5 (Gaussian A, m = 50, noise σ = 0.01)");
  });

  it("surf reproduce refuses bad scale flags with one line naming the flag", () => {
    const out = "/nonexistent/never-written";
    expectUsageErrors([
      [["reproduce", "table1", "--train-seed", "0,,1", "--out", out], /--train-seed must be integers ≥ 0 separated by commas, got "0,,1"/],
      [["reproduce", "table1", "--train-seed", "1,1", "--out", out], /--train-seed lists a value twice/],
      [["reproduce", "table1", "--k", "0", "--out", out], /--k must be integers ≥ 1/],
      [["reproduce", "table1", "--restarts", "2,x", "--out", out], /--restarts must be integers ≥ 1/],
      [["reproduce", "table1", "--models", "gan,gann", "--out", out], /--models must list models among vae, gan, wgan, wgan-gp, got "gann"/],
      [["reproduce", "table1", "--width", "0", "--out", out], /--width must be a positive number/],
      [["reproduce", "table1", "--critic-width", "-1", "--out", out], /--critic-width must be a positive number/],
      [["reproduce", "table1", "--steps", "4001", "--out", out], /--steps \(4001\) must be a multiple of --every \(40\)/],
      [["reproduce", "table1", "--checkpoints", "", "--out", out], /--checkpoints must name a directory/],
      [["reproduce", "table1", "--noise", "0.01,-1", "--out", out], /--noise must be numbers σ with 0 ≤ σ ≤ 1000000 separated by commas, got "0.01,-1"/],
      [["reproduce", "table1", "--noise", "0x10", "--out", out], /--noise must be numbers σ/],
      [["reproduce", "table1", "--noise", "1e7", "--out", out], /--noise must be numbers σ/],
      [["reproduce", "table1", "--noise", "0.1,0.1", "--out", out], /--noise lists a value twice/],
      [["merge", "--sweep", "table1", "--k", "5,", "--out", out, "/nonexistent/a"], /--k must be integers ≥ 1 separated by commas, got "5,"/],
    ]);
  });
});
