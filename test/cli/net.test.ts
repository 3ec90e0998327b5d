// `surf net random` and `surf info` from a user's side: files written, JSON reports, exit 2 on bad input.
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectUsageErrors, surf } from "./cli.test.js";
import { CheckpointSequence, readNetwork } from "../../src/nn/files.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { scratchDirectory } from "../helpers.js";

describe("surf net random / surf info", () => {
  let dir = "";
  scratchDirectory("cli", (d) => (dir = d));

  it("writes the ensemble's network: the same as the library's for the same seed", () => {
    const out = join(dir, "g.safetensors");
    const r = surf(["net", "random", "--arch", "3,20,30,40", "--seed", "11", "--out", out, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.include({ path: out, family: "surf", parameters: 3 * 20 + 20 + 20 * 30 + 30 + 30 * 40 });
    const { network } = readNetwork(out);
    const lib = randomNetwork("surf", [3, 20, 30, 40], "11");
    network.params.forEach((p, i) => expect(Array.from(p.values)).to.deep.equal(Array.from(lib.params[i].values)));
    network.free();
    lib.free();
  });

  it("info describes a file and a checkpoint directory", () => {
    const out = join(dir, "hv.safetensors");
    expect(surf(["net", "random", "--family", "hv", "--arch", "2,10,30", "--out", out]).code).to.equal(0);
    const r = surf(["info", out, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout);
    expect(report).to.include({ parameters: 2 * 10 + 10 * 30, piecewiseLinear: true });
    expect(report.input).to.deep.equal([2]);
    expect(report.output).to.deep.equal([30]);
    expect(report.layers.map((l: { type: string }) => l.type)).to.deep.equal(["Linear", "ReLU", "Linear", "ReLU"]);
    const text = surf(["info", out]);
    expect(text.stdout).to.match(/input \[2\] \(k = 2\) → output \[30\]/);
    const seq = join(dir, "seq");
    for (const step of [0, 40]) {
      const net = randomNetwork("hv", [2, 10, 30], step);
      CheckpointSequence.write(seq, net, step);
      net.free();
    }
    const d = JSON.parse(surf(["info", seq, "--json"]).stdout);
    expect(d.checkpoints).to.equal(2);
    expect(d.steps).to.deep.equal([0, 40]);
  });

  it("bad usage and bad files exit 2 with one line naming the flag or file", () => {
    const bad = join(dir, "bad.safetensors");
    writeFileSync(bad, "not a safetensors file at all");
    const cases: [string[], RegExp][] = [
      [["net", "random", "--out", join(dir, "x.safetensors")], /--arch is required/],
      [["net", "random", "--arch", "3,20"], /--out is required/],
      [["net", "random", "--arch", "3,x,5", "--out", join(dir, "x.safetensors")], /--arch must be positive integers/],
      [["net", "random", "--arch", "3,20", "--out", join(dir, "x.safetensors")], /arch must be k,n1,…,nd,n/],
      [["net", "random", "--family", "gan", "--arch", "3,4,5", "--out", join(dir, "x.safetensors")], /--family must be surf or hv/],
      [["net"], /'net' needs a subcommand: 'net random'/],
      [["info"], /'surf info' needs PATH/],
      [["info", join(dir, "missing")], /missing: no such file or directory/],
      [["info", bad], /bad\.safetensors: /],
    ];
    expectUsageErrors(cases);
  });
});
