// `surf regions` from a user's side: the hand-made network's regions worked out on paper, Cover's count
// for a bias-free layer, JSON on stdout, and exit 2 with one line for bad input.
import { expect } from "chai";
import { join } from "node:path";
import { expectUsageErrors, surf } from "./cli.test.js";
import { writeNetwork } from "../../src/nn/files.js";
import { Network } from "../../src/nn/network.js";
import { mlpGenerator } from "../../src/nn/architectures.js";
import { scratchDirectory } from "../helpers.js";

interface RegionsReport {
  k: number;
  box: number | "inf";
  count: number;
  regions: { pattern: string; interior: number[]; vertices?: number[][]; bounded?: boolean; rays?: number[][]; lineality?: number[][] }[];
}

function area(vertices: number[][]): number {
  let a = 0;
  vertices.forEach(([x, y], i) => {
    const [u, v] = vertices[(i + 1) % vertices.length];
    a += x * v - u * y;
  });
  return a / 2;
}

describe("surf regions", () => {
  let dir = "";
  scratchDirectory("regions", (d) => (dir = d));

  it("the hand-made network G(z) = σ(z₁, z₂, z₁ + z₂ − 1) in [−2, 2]²: the 7 regions, their patterns, interior points and polygons", () => {
    // Worked out on paper (test/geometry/nets.ts): the three lines meet at (0,0), (1,0), (0,1); areas 000: 4,
    // 010 and 100: 3.5, 011 and 101: 0.5, 110: 0.5 (the triangle), 111: 3.5.
    const net = new Network({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 3, bias: true }, { type: "ReLU" }] });
    net.param("0.weight").values.set([1, 0, 0, 1, 1, 1]);
    net.param("0.bias").values.set([0, 0, -1]);
    const file = join(dir, "hand.safetensors");
    writeNetwork(file, net);
    net.free();
    const r = surf(["regions", file, "--box", "2", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as RegionsReport;
    expect(report).to.include({ k: 2, box: 2, count: 7 });
    const areas: Record<string, number> = { "000": 4, "010": 3.5, "100": 3.5, "011": 0.5, "101": 0.5, "110": 0.5, "111": 3.5 };
    expect(report.regions.map((g) => g.pattern).sort()).to.deep.equal(Object.keys(areas).sort());
    for (const g of report.regions) {
      const [z1, z2] = g.interior;
      expect([z1 > 0, z2 > 0, z1 + z2 > 1].map(Number).join(""), `interior of ${g.pattern}`).to.equal(g.pattern);
      expect(area(g.vertices!), `area of ${g.pattern}`).to.be.closeTo(areas[g.pattern], 1e-12);
    }
    const text = surf(["regions", file, "--box", "2"]);
    expect(text.code).to.equal(0);
    expect(text.stdout).to.match(/hand\.safetensors: 7 linear regions in \[−2, 2\]\^2 \(k = 2, 3 ReLU\/LeakyReLU neurons\)/);
  });

  it("a surf network 2→30→7 (seed 21) at every scale: 465 regions at --box 1e4, all 466 from 1e5 up to 1e308 and in R² (--box inf), never a non-finite number", () => {
    // Its 435 line intersections all lie within |x| < 97,120, so every box of half-width ≥ 1e5 holds all
    // 1 + 30 + 435 = 466 regions (Zaslavsky), of which 2·30 = 60 are unbounded.
    const file = join(dir, "s21.safetensors");
    expect(surf(["net", "random", "--arch", "2,30,7", "--seed", "21", "--out", file]).code).to.equal(0);
    for (const [box, count] of [["1e4", 465], ["1e6", 466], ["1e8", 466], ["1e12", 466], ["1e300", 466], ["1e308", 466], ["inf", 466]] as const) {
      const r = surf(["regions", file, "--box", box, "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout) as RegionsReport;
      expect(report.count, `--box ${box}`).to.equal(count);
      const numbers = report.regions.flatMap((g) => [...g.interior, ...(g.vertices ?? []).flat(), ...(g.rays ?? []).flat()]);
      expect(numbers.filter((x) => typeof x !== "number" || !Number.isFinite(x)), `--box ${box}`).to.deep.equal([]);
      if (box !== "inf") continue;
      expect(report.box).to.equal("inf");
      const unbounded = report.regions.filter((g) => g.bounded === false);
      expect(unbounded.length).to.equal(60);
      // An unbounded region of a line arrangement in R² has two extreme rays (its recession cone is a wedge or a half-line pair).
      for (const g of unbounded) expect(g.rays!.length).to.be.within(1, 2);
    }
    expect(surf(["regions", file, "--box", "inf"]).stdout).to.match(/466 linear regions in R\^2, 60 of them unbounded/);
  });

  it("a bias-free hv layer (6 hyperplanes through 0 in R³): Cover's 2·Σ_{i<3} C(5, i) = 32 regions, JSON only on stdout", () => {
    const file = join(dir, "hv.safetensors");
    expect(surf(["net", "random", "--family", "hv", "--arch", "3,6", "--seed", "5", "--out", file]).code).to.equal(0);
    const r = surf(["regions", file, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as RegionsReport;
    expect(report.count).to.equal(32);
    expect(report.regions).to.have.length(32);
    expect(new Set(report.regions.map((g) => g.pattern)).size).to.equal(32);
    expect(report.regions.every((g) => g.vertices === undefined && g.interior.length === 3)).to.equal(true);
  });

  it("bad input exits 2 with one line: a network that is not piecewise linear, too many regions, a bad box, a missing file", () => {
    const sigmoid = join(dir, "mlp.safetensors");
    const mlp = new Network(mlpGenerator(2, [4], 6), { seed: 1 });
    writeNetwork(sigmoid, mlp);
    mlp.free();
    const small = join(dir, "small.safetensors");
    expect(surf(["net", "random", "--arch", "2,16,16,3", "--out", small]).code).to.equal(0);
    const cases: [string[], RegExp][] = [
      [["regions", sigmoid], /mlp\.safetensors: layer 3 \(Sigmoid\) is not piecewise linear/],
      [["regions", small, "--max-regions", "5"], /too many for full enumeration in \[−1, 1\]\^2 \(k = 2\): about [0-9]+ regions or more .* use a smaller box \(--box\), or raise the limit \(--max-regions\)/],
      [["regions", small, "--box", "0"], /--box must be a positive half-width L of \[−L, L\]\^k or inf/],
      [["regions", small, "--box", "-1"], /--box must be a positive half-width L/],
      [["regions", small, "--box", "wide"], /--box must be a positive half-width L of \[−L, L\]\^k or inf \(all of R\^k\), got "wide"/],
      [["regions", small, "--box", "nan"], /--box must be a positive half-width L/],
      [["regions", small, "--box", "1e309"], /--box 1e309 is beyond float64's range: give a half-width up to 1\.79e308 or inf/],
      [["regions", small, "--max-regions", "0"], /--max-regions must be a positive integer/],
      [["regions"], /'surf regions' needs NET/],
      [["regions", join(dir, "missing.safetensors")], /missing\.safetensors: no such file/],
      [["regions", dir], /is a directory/],
    ];
    expectUsageErrors(cases);
  });
});
