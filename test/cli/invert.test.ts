// `surf invert` from a user's side: a checkpoint directory in, JSON out; exit 2 and one line on bad input.
import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectUsageErrors, surf } from "./cli.test.js";
import { CheckpointSequence, writeNetwork } from "../../src/nn/files.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { Network } from "../../src/nn/network.js";
import { serializeSafetensors } from "../../src/nn/safetensors.js";
import { shiftFlow } from "../surf/flows.js";
import { scratchDirectory } from "../helpers.js";

describe("surf invert", function () {
  this.timeout(300000);
  let dir = "", seq = "";
  scratchDirectory("invert", (d) => {
    dir = d;
    seq = join(dir, "seq");
    const flow = shiftFlow("hv", [2, 30, 120], "cli", [-1.2, 0.8], 8);
    for (let t = 0; t <= 8; t++) {
      const net = flow.load(t);
      CheckpointSequence.write(seq, net, 40 * t);
      net.free();
    }
  });

  it("surfs a checkpoint directory with the NeurIPS budget measured from regular Adam, and reports JSON", () => {
    const r = surf(["invert", "--net", seq, "--trials", "6", "--workers", "2", "--json", "--seed", "3"]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out).to.include({ method: "surf", schedule: "neurips" });
    expect(out.budget.total).to.equal(Math.round(out.budget.total));
    expect(out.regular.trials).to.equal(6);
    expect(out.trials).to.have.length(6);
    for (const t of out.trials) {
      expect(t.xHat).to.have.length(2);
      expect(t.path).to.have.length(9);
      expect(t.success).to.equal(t.distToXStar < 0.01);
    }
    expect(out.successRate).to.equal(out.trials.filter((t: { success: boolean }) => t.success).length / 6);
  });

  it("the equal-compute rivals: restart-until and adam-then-surf spend, trial by trial, at most the steps surfing used", () => {
    const run = (argv: string[]) => {
      const r = surf(["invert", "--net", seq, "--trials", "6", "--workers", "1", "--json", "--seed", "3", ...argv]);
      expect(r.code, r.stderr).to.equal(0);
      return JSON.parse(r.stdout);
    };
    const surfed = run([]);
    for (const method of ["restart-until", "adam-then-surf"]) {
      const out = run(["--method", method]);
      expect(out.method).to.equal(method);
      expect(out.surf, method).to.deep.equal(surfed.summary);   // the same surfing stage, whose steps it spends
      out.trials.forEach((t: { index: number; steps: number }) => expect(t.steps, `${method} trial ${t.index}`).to.be.at.most(surfed.trials[t.index].steps));
    }
    // τ = 0 is never reached: restart-until spends exactly surfing's steps on every trial
    const never = run(["--method", "restart-until", "--until", "0"]);
    expect(never.trials.map((t: { steps: number }) => t.steps)).to.deep.equal(surfed.trials.map((t: { steps: number }) => t.steps));
  });

  it("runs regular Adam on one file with a given x* and Gaussian measurements", () => {
    const file = join(dir, "one.safetensors");
    writeNetwork(file, randomNetwork("surf", [3, 20, 60], "one"));
    const r = surf(["invert", "--net", file, "--method", "adam", "--x-star", "0.1,-0.2,0.3", "--measure", "gaussian:30", "--trials", "2", "--workers", "1", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.trials.map((t: { xStar: number[] }) => t.xStar)).to.deep.equal([[0.1, -0.2, 0.3], [0.1, -0.2, 0.3]]);
    // several given targets and no --trials: one trial per target
    const signals = join(dir, "three.json");
    writeFileSync(signals, JSON.stringify([0, 1, 2].map((i) => Array.from({ length: 60 }, (_, j) => Math.sin(i + j)))));
    const three = surf(["invert", "--net", file, "--method", "adam", "--target", signals, "--workers", "1", "--json"]);
    expect(three.code, three.stderr).to.equal(0);
    expect(JSON.parse(three.stdout).trials.map((t: { index: number; xStar: null }) => [t.index, t.xStar])).to.deep.equal([[0, null], [1, null], [2, null]]);
  });

  it("--journal: a run cut short resumes to exactly the uninterrupted result; other settings are refused", () => {
    const argv = (journal: string) => ["invert", "--net", seq, "--trials", "20", "--workers", "1", "--json", "--seed", "4", "--journal", journal];
    const whole = surf(argv(join(dir, "whole.jsonl")));
    expect(whole.code, whole.stderr).to.equal(0);
    // killed while surfing: the settings, the regular runs and one chunk of surfing stored, the next chunk torn
    const lines = readFileSync(join(dir, "whole.jsonl"), "utf8").split("\n");
    expect(lines.filter((l) => l.includes('"stage":"surf"'))).to.have.length(20);
    const cut = lines.findIndex((l) => l.includes('"stage":"surf"')) + 2;
    writeFileSync(join(dir, "killed.jsonl"), lines.slice(0, cut).join("\n") + "\n" + lines[cut].slice(0, 50));
    const resumed = surf(argv(join(dir, "killed.jsonl")));
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(JSON.parse(resumed.stdout).trials).to.deep.equal(JSON.parse(whole.stdout).trials);
    expect(readFileSync(join(dir, "killed.jsonl"), "utf8")).to.equal(readFileSync(join(dir, "whole.jsonl"), "utf8"));
    expectUsageErrors([[[...argv(join(dir, "whole.jsonl")), "--method", "adam"], /whole\.jsonl: left by a run with other settings \(method: "surf" there, "adam" now\)/]]);
  });

  it("--journal: damaged records are not trusted — their trials run again, and the output is the uninterrupted one", () => {
    const argv = (journal: string) => ["invert", "--net", seq, "--trials", "20", "--workers", "1", "--json", "--seed", "4", "--journal", journal];
    const whole = surf(argv(join(dir, "whole.jsonl")));   // the previous test's: read back whole
    const lines = readFileSync(join(dir, "whole.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const damage = [
      (r: { result: unknown }) => (r.result = null),
      (r: { result: unknown }) => (r.result = "garbage"),
      (r: { result: { xHat: number[] } }) => r.result.xHat.push(0.5),   // an x̂ of the wrong length
      (r: { result: { index: number } }) => (r.result.index += 1),       // another trial's result
    ];
    const surfing = lines.filter((r) => r.stage === "surf");
    damage.forEach((d, j) => d(surfing[3 * j + 1]));
    writeFileSync(join(dir, "damaged.jsonl"), lines.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const resumed = surf(argv(join(dir, "damaged.jsonl")));
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(JSON.parse(resumed.stdout).trials).to.deep.equal(JSON.parse(whole.stdout).trials);
  });

  it("certify: the global minimum of f_θT over the box is at x* (f = 0 there and f ≥ 0), in the README's form", () => {
    const r = surf(["invert", "--net", seq, "--method", "certify", "--x-star", "0.3,-0.5", "--box", "3", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.trials).to.have.length(1);
    expect(out.fGlobal).to.be.within(0, 1e-10);
    expect(Math.hypot(out.xGlobal[0] - 0.3, out.xGlobal[1] + 0.5)).to.be.below(1e-6);
    expect(out.regions).to.be.a("number").greaterThan(8);
    expect(out.trials[0].certificate).to.include({ regions: out.regions, unique: true });
  });

  it("surf-projected (Algorithm 3.2) follows the moving minimizer to x* on every trial, the same on 1 and 2 workers", () => {
    const run = (workers: string) => {
      const r = surf(["invert", "--net", seq, "--method", "surf-projected", "--box", "3", "--tau", "0.2", "--trials", "2", "--workers", workers, "--json", "--seed", "5"]);
      expect(r.code, r.stderr).to.equal(0);
      return JSON.parse(r.stdout);
    };
    const one = run("1"), two = run("2");
    expect(two.trials).to.deep.equal(one.trials);
    expect(one.successRate).to.equal(1);
    for (const t of one.trials) {
      expect(t.path).to.have.length(9);
      // x_0 is the certified minimizer of f_θ0: x* + c_0 (test/surf/flows.ts), f = 0 there. The minimizer moves
      // 0.18 per step: τ = 0.2 keeps its next piece in P(x, θ, τ) (at τ = 0.05 one of these trials loses it).
      expect(Math.hypot(t.xInit[0] - t.xStar[0] + 1.2, t.xInit[1] - t.xStar[1] - 0.8)).to.be.below(1e-5);
      for (const p of t.path.slice(1)) expect(p.pieces).to.be.at.least(1);
      // and x_t is f_θt's minimizer x* + (1 − t/8)·c_0, whose norm the path keeps
      t.path.forEach((p: { norm: number }, s: number) => expect(p.norm).to.be.closeTo(Math.hypot(t.xStar[0] - 1.2 * (1 - s / 8), t.xStar[1] + 0.8 * (1 - s / 8)), 1e-3));
    }
  });

  it("exits 2 with one line naming the problem", () => {
    const mixed = join(dir, "mixed");
    mkdirSync(mixed);
    CheckpointSequence.write(mixed, randomNetwork("surf", [2, 10, 20], "a"), 0);
    CheckpointSequence.write(mixed, randomNetwork("surf", [2, 12, 20], "b"), 40);
    const sigmoid = join(dir, "sigmoid.safetensors");
    writeNetwork(sigmoid, new Network({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 5, bias: true }, { type: "Sigmoid" }] }));
    const target = join(dir, "short.json");
    writeFileSync(target, JSON.stringify([1, 2, 3]));
    const zip = join(dir, "model.pt"), pickle = join(dir, "old.pt");
    writeFileSync(zip, Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(60)]));
    writeFileSync(pickle, Buffer.concat([Buffer.from([0x80, 0x02, 0x8a, 0x0a]), Buffer.alloc(60)]));
    // a small file whose architecture declares a huge layer: refused from the header, before allocating 8 GB
    const huge = join(dir, "huge.safetensors");
    writeFileSync(huge, serializeSafetensors([["0.weight", { dtype: "F32", shape: [3, 2], data: new Float32Array(6) }]],
      { "surfing.arch": JSON.stringify({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 1e9, bias: false }] }) }));
    const cases: [string[], RegExp][] = [
      [["invert", "--net", huge, "--method", "adam"], /huge\.safetensors: tensor "0\.weight" has shape \[3,2\], layer 0 \(Linear\) needs \[1000000000,2\]/],
      [["invert", "--net", seq, "--measure", "gaussian:1000000000"], /gaussian measurement: m = 1000000000 rows of n = 120 .* at most 268435456/],
      [["invert", "--net", seq, "--trials", "4294967296"], /--trials must be at most 1,000,000/],
      [["invert", "--net", seq, "--interpolate", "4294967296"], /--interpolate must be at most 100000/],
      [["invert", "--net", seq, "--x-star", "0.1,,0.3"], /--x-star must be numbers separated by commas, got "0\.1,,0\.3"/],
      [["invert", "--net", seq, "--x-star", "0.1,"], /--x-star must be numbers separated by commas/],
      [["net", "random", "--arch", "5,100000000,784", "--out", join(dir, "never.safetensors")], /layer 0 \(Linear\) declares 0\.weight of shape \[100000000,5\]/],
      [["invert", "--net", mixed], /architecture differs/],
      [["invert", "--net", sigmoid], /--method surf surfs a checkpoint sequence: --net .*sigmoid\.safetensors is one network \(give the directory of θ_0 … θ_T, or --interpolate T/],
      [["invert", "--net", sigmoid, "--method", "restarts"], /--method restarts surfs a checkpoint sequence/],
      [["invert", "--net", sigmoid, "--method", "adam-then-surf"], /--method adam-then-surf surfs a checkpoint sequence/],
      [["invert", "--net", seq, "--method", "restart-until", "--until", "-1"], /--until must be a number ≥ 0/],
      [["invert", "--net", zip, "--method", "adam"], /model\.pt: a PyTorch file \(torch\.save zip archive\), not \.safetensors: save the model's state_dict with its architecture as README\.md shows/],
      [["invert", "--net", pickle, "--method", "adam"], /old\.pt: a PyTorch file \(torch\.save pickle\)/],
      [["invert", "--net", seq, "--target", target], /target: has 3 values, the network needs 120/],
      [["invert", "--net", seq, "--measure", "gaussian:0"], /--measure must be identity, gaussian:M, inpaint:MASK.png/],
      [["invert", "--net", seq, "--method", "newton"], /--method must be one of/],
      [["invert", "--net", seq, "--trials", "0"], /--trials must be a positive integer/],
      [["invert", "--net", join(dir, "nothing")], /no such file or directory/],
      [["invert", "--net", seq, "--bogus"], /bogus/],
      [["invert", "--net", seq, "--method", "surf-projected", "--inner", "newton"], /--inner must be gradient or exact/],
      [["invert", "--net", seq, "--method", "surf-projected", "--tau", "-1"], /--tau must be a number ≥ 0/],
      [["invert", "--net", seq, "--method", "certify", "--box", "0"], /--box must be a positive half-width L of \[−L, L\]\^k, got "0"/],
      [["invert", "--net", seq, "--method", "certify", "--max-regions", "5"], /regions/],
      [["invert", "--net", sigmoid, "--method", "certify"], /not piecewise linear/],
    ];
    expectUsageErrors(cases);
  });
});
