// `surf invert` from a user's side: a checkpoint directory in, JSON out; exit 2 and one line on bad input.
import { expect } from "chai";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { surf } from "./cli.test.js";
import { CheckpointSequence, writeNetwork } from "../../src/nn/files.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { shiftFlow } from "../surf/flows.js";

describe("surf invert", function () {
  this.timeout(300000);
  let dir = "", seq = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "surfing-invert-"));
    seq = join(dir, "seq");
    const flow = shiftFlow("hv", [2, 30, 120], "cli", [-1.2, 0.8], 8);
    for (let t = 0; t <= 8; t++) {
      const net = flow.load(t);
      CheckpointSequence.write(seq, net, 40 * t);
      net.free();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

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

  it("runs regular Adam on one file with a given x* and Gaussian measurements", () => {
    const file = join(dir, "one.safetensors");
    writeNetwork(file, randomNetwork("surf", [3, 20, 60], "one"));
    const r = surf(["invert", "--net", file, "--method", "adam", "--x-star", "0.1,-0.2,0.3", "--measure", "gaussian:30", "--trials", "2", "--workers", "1", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.trials.map((t: { xStar: number[] }) => t.xStar)).to.deep.equal([[0.1, -0.2, 0.3], [0.1, -0.2, 0.3]]);
  });

  it("exits 2 with one line naming the problem", () => {
    const mixed = join(dir, "mixed");
    mkdirSync(mixed);
    CheckpointSequence.write(mixed, randomNetwork("surf", [2, 10, 20], "a"), 0);
    CheckpointSequence.write(mixed, randomNetwork("surf", [2, 12, 20], "b"), 40);
    const target = join(dir, "short.json");
    writeFileSync(target, JSON.stringify([1, 2, 3]));
    const cases: [string[], RegExp][] = [
      [["invert", "--net", mixed], /architecture differs/],
      [["invert", "--net", seq, "--target", target], /target: has 3 values, the network needs 120/],
      [["invert", "--net", seq, "--measure", "gaussian:0"], /--measure must be identity or gaussian:M/],
      [["invert", "--net", seq, "--method", "newton"], /--method must be one of/],
      [["invert", "--net", seq, "--trials", "0"], /--trials must be a positive integer/],
      [["invert", "--net", join(dir, "nothing")], /no such file or directory/],
      [["invert", "--net", seq, "--bogus"], /bogus/],
    ];
    for (const [argv, message] of cases) {
      const r = surf(argv);
      expect(r.code, `${argv.join(" ")}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.trim().split("\n"), argv.join(" ")).to.have.length(1);
      expect(r.stderr).to.match(message);
    }
  });
});
