// `surf landscape dss` and `surf reproduce fig1` as a user meets them: JSON only on stdout with --json, the
// report files under --out, resuming from the journal, and exit 2 with one line naming the flag or file.
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointSequence } from "../../src/nn/files.js";
import { mlpGenerator } from "../../src/nn/architectures.js";
import { syntheticRun } from "./nets.js";
import { expectUsageErrors, surf } from "../cli/cli.test.js";
import { scratchDirectory } from "../helpers.js";

/** A checkpoint directory of T + 1 synthetic networks. */
function writeRun(dir: string, k: number, T: number): string {
  const run = syntheticRun(mlpGenerator(k, [8, 16], 784), T, `cli-${k}`);
  try {
    for (let t = 0; t <= T; t++) {
      const net = run.sequence.load(t);
      CheckpointSequence.write(dir, net, run.steps[t]);
      net.free();
    }
  } finally {
    run.final.free();
  }
  return dir;
}

describe("surf landscape dss and surf reproduce fig1", function () {
  this.timeout(300000);
  let root = "";
  scratchDirectory("cli-landscape", (d) => {
    root = d;
    writeRun(join(root, "k2"), 2, 2);
    writeRun(join(root, "k3"), 3, 2);
  });

  it("exits 2 with one line naming the flag or file on bad usage", () => {
    const out = join(root, "bad");
    const cases: [string[], RegExp][] = [
      [["landscape", "dss", "--out", out], /give --task quadratic\|cubic\|both .* or --net DIR/],
      [["landscape", "dss", "--task", "cubic", "--net", join(root, "k2"), "--out", out], /not both/],
      [["landscape", "dss", "--task", "cubic"], /--out is required/],
      [["landscape", "dss", "--task", "quartic", "--out", out], /--task must be quadratic, cubic or both, got "quartic"/],
      [["landscape", "dss", "--task", "cubic", "--levels", "0.1,2", "--out", out], /--levels are L0 \/ Var\(y\), each in \(0, 1\]/],
      [["landscape", "dss", "--task", "cubic", "--alpha", "1.5", "--out", out], /--alpha must be in \(0, 1\]/],
      [["landscape", "dss", "--task", "cubic", "--insertion", "left", "--out", out], /--insertion must be argmax or midpoint/],
      [["landscape", "dss", "--task", "cubic", "--pairs", "0", "--out", out], /--pairs must be a positive integer/],
      [["landscape", "dss", "--net", join(root, "nothing"), "--out", out], /nothing: cannot list the checkpoint directory/],
      [["landscape", "dss", "--net", join(root, "k2"), "--pairs", "3", "--starts", "4", "--out", out], /--starts must be at least 2·pairs = 6/],
      [["landscape", "dss", "--net", join(root, "k2"), "--target", join(root, "missing.json"), "--out", out], /missing\.json: no such file/],
      [["reproduce", "fig9", "--out", out], /unknown experiment \(one of fig1, table1, fig2, fig3, fig4, fig5\)/],
      [["reproduce", "fig1"], /--out is required/],
      [["reproduce", "fig1", "--net", join(root, "k3"), "--out", out], /needs latent dimension k = 2, it has k = 3/],
      [["reproduce", "fig1", "--net", join(root, "k2"), "--stages", "0,7", "--out", out], /--stages must be checkpoint indices in 0…2/],
    ];
    expectUsageErrors(cases);
  });

  it("weight space: --json prints only the result; the report is written; a second run resumes; other settings are refused", () => {
    const out = join(root, "weights");
    const args = ["landscape", "dss", "--task", "cubic", "--levels", "0.3", "--pairs", "1", "--out", out, "--json"];
    const r = surf(args);
    expect(r.code, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout);
    expect(result.space).to.equal("weights");
    expect(result.sweeps[0].task).to.equal("cubic");
    expect(result.sweeps[0].pairs[0].dss.outcome).to.equal("connected");
    for (const f of ["landscape-weights.json", "landscape-weights.html", "weights-cubic.jsonl"]) expect(existsSync(join(out, f)), f).to.equal(true);
    expect(readFileSync(join(out, "landscape-weights.html"), "utf8")).to.match(/<svg[^>]*>.*normalized geodesic length/s);
    const again = surf(args);
    expect(again.code).to.equal(0);
    expect(JSON.parse(again.stdout)).to.deep.equal(result);
    const other = surf(["landscape", "dss", "--task", "cubic", "--levels", "0.3", "--pairs", "2", "--out", out]);
    expect(other.code).to.equal(2);
    expect(other.stderr).to.match(/weights-cubic\.jsonl: left by a run with other settings \(pairs: 1 there, 2 now\)/);
  });

  it("latent space along a checkpoint directory", () => {
    const out = join(root, "latent");
    const r = surf(["landscape", "dss", "--net", join(root, "k2"), "--pairs", "1", "--starts", "2", "--stride", "2", "--out", out, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout);
    expect(result.checkpoints).to.deep.equal([0, 2]);
    expect(result.records.map((c: { step: number }) => c.step)).to.deep.equal([0, 20]);
    expect(result.target).to.match(/^G_θT\(x\*\)/);
    expect(existsSync(join(out, "landscape-latent.html"))).to.equal(true);
  });

  it("reproduce fig1 on a given k = 2 sequence: panels, paths and the DSS curves", () => {
    const out = join(root, "fig1");
    const r = surf(["reproduce", "fig1", "--quick", "--net", join(root, "k2"), "--grid", "9", "--trials", "1", "--stride", "2", "--images", "0,1", "--out", out, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout);
    expect(result.figure).to.equal("fig1");
    expect(result.stages).to.deep.equal([0, 1, 2]);
    expect(result.figure1.panels).to.have.length(6);
    expect(result.figure1.paths[0].points).to.have.length(3);
    expect(result.figure1.stages[0].regions.count).to.be.a("number");
    expect(result.dss.targets).to.have.length(2);
    expect(result.dss.starts).to.equal(2);   // --quick: just the pair's two
    const html = readFileSync(join(out, "fig1.html"), "utf8");
    expect(html.match(/<svg/g)!.length).to.be.at.least(6 + 2 + 3);
  });
});
