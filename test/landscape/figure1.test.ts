// Song, Fan & Lafferty 2019, Figure 1: heat maps of x ↦ −½‖G_θt(x) − y‖² for k = 2, and the surfing path drawn on them.
import { expect } from "chai";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../src/errors.js";
import { figure1, pathStart, surfingPath } from "../../src/landscape/figure1.js";
import { gridAxis, gridPoints, surfaceValues } from "../../src/landscape/surface.js";
import { Network } from "../../src/nn/network.js";
import { Rng } from "../../src/random/rng.js";
import { run } from "../../src/surf/surf.js";
import { smallGenerator, syntheticRun } from "./nets.js";
import { regionOverlay } from "../../src/landscape/regions.js";
import { ResultStore } from "../../src/store.js";
import { inScratchDirectory } from "../helpers.js";

const SURFING = { optimizer: { kind: "adam" as const, lr: 0.02 }, maxSteps: 2000 };

function target(seed: string): Float64Array {
  const rng = Rng.derive(seed);
  return Float64Array.from({ length: 24 }, () => rng.uniform());
}

describe("landscape: Figure 1 of Song, Fan & Lafferty 2019", () => {
  it("the grid covers [lo, hi]² corner to corner, rows along x2 from the bottom", () => {
    const grid = { lo: -4, hi: 4, size: 5 };
    expect(Array.from(gridAxis(grid))).to.deep.equal([-4, -2, 0, 2, 4]);
    const p = gridPoints(grid);
    expect([p[0], p[1]]).to.deep.equal([-4, -4]);
    expect([p[2 * 4], p[2 * 4 + 1]]).to.deep.equal([4, -4]);     // row 0, last column
    expect([p[2 * 5], p[2 * 5 + 1]]).to.deep.equal([-4, -2]);    // row 1, first column
    expect([p[2 * 24], p[2 * 24 + 1]]).to.deep.equal([4, 4]);
    expect(() => gridAxis({ lo: 1, hi: 1, size: 5 })).to.throw(InputError, /lo < hi/);
  });

  it("heat-map values equal −½‖G(x) − y‖² at spot points of the grid", () => {
    const net = new Network(smallGenerator(), { dtype: "f64", seed: "heat" });
    try {
      const y = target("heat-y"), grid = { lo: -4, hi: 4, size: 41 };
      const values = surfaceValues(net, y, grid);   // 1681 points: seven passes of the 256-row batch
      expect(values).to.have.length(41 * 41);
      const axis = gridAxis(grid);
      for (const [r, c] of [[0, 0], [0, 40], [40, 0], [40, 40], [20, 20], [7, 33], [31, 2], [12, 12]]) {
        const x = [axis[c], axis[r]];
        const g = net.forward([x])[0];
        const f = 0.5 * g.reduce((s, v, j) => s + (v - y[j]) ** 2, 0);
        expect(values[r * 41 + c], `(${x})`).to.be.closeTo(-f, 1e-13);
      }
    } finally {
      net.free();
    }
  });

  it("the surfing path ends where src/surf's Algorithm 3.1 (each network to convergence) ends, and passes through every x_t", () => {
    const synthetic = syntheticRun(smallGenerator(), 3, "path");
    try {
      const y = target("path-y"), xInit = pathStart("p", 0, 2);
      const path = surfingPath(synthetic.sequence, y, xInit, { ...SURFING, seed: "p" });
      expect(path.points).to.have.length(4);
      const [whole] = run(synthetic.sequence, { kind: "surf", schedule: { kind: "converge" } }, [0], {
        seed: "p", targets: { kind: "signal", y: [Array.from(y)] }, measurement: { kind: "identity" }, optimizer: SURFING.optimizer,
        maxSteps: SURFING.maxSteps, start: [xInit], batch: 1,
      });
      expect(path.points[3].x).to.deep.equal(whole.xHat);
      expect(path.points.map((p) => p.steps)).to.deep.equal(whole.path.map((p) => p.steps));
      expect(path.points.map((p) => p.f)).to.deep.equal(whole.path.map((p) => p.f));
    } finally {
      synthetic.final.free();
    }
  });

  it("assembles panels for every target and stage, with the peak of each surface", () => {
    const synthetic = syntheticRun(smallGenerator(), 4, "fig");
    try {
      const fig = figure1({
        sequence: synthetic.sequence, steps: synthetic.steps, seed: "fig",
        targets: [{ label: "a", y: target("fa") }, { label: "b", y: target("fb") }],
        stages: [0, 2, 4], grid: { lo: -4, hi: 4, size: 9 }, surfing: SURFING,
      });
      expect(fig.panels.map((p) => [p.target, p.t, p.step])).to.deep.equal([[0, 0, 0], [0, 2, 20], [0, 4, 40], [1, 0, 0], [1, 2, 20], [1, 4, 40]]);
      expect(fig.paths).to.have.length(2);
      expect(fig.paths[0].points).to.have.length(5);
      expect(fig.stages.map((s) => s.regions)).to.deep.equal([null, null, null]);
      for (const panel of fig.panels) {
        expect(panel.surface).to.have.length(81);
        expect(panel.peak.value).to.equal(Math.max(...panel.surface));
        const at = panel.surface.indexOf(panel.peak.value), axis = gridAxis(fig.grid);
        expect(panel.peak.x).to.deep.equal([axis[at % 9], axis[Math.floor(at / 9)]]);
      }
      expect(() => figure1({ sequence: synthetic.sequence, steps: synthetic.steps, seed: "fig", targets: [{ label: "a", y: target("fa") }], stages: [5], grid: { lo: -4, hi: 4, size: 9 }, surfing: SURFING }))
        .to.throw(InputError, /stages must be checkpoint indices in 0…4/);
    } finally {
      synthetic.final.free();
    }
  });

  it("resumes from its journal, measuring again only records damaged or written by hand", () => {
    const synthetic = syntheticRun(smallGenerator(), 4, "fig");
    try {
      inScratchDirectory("figure1", (dir) => {
        const path = join(dir, "fig1.jsonl");
        let loads = 0;
        const counted = { length: synthetic.sequence.length, load: (t: number) => (loads++, synthetic.sequence.load(t)) };
        const make = () => figure1({
          sequence: counted, steps: synthetic.steps, seed: "fig", targets: [{ label: "a", y: target("fa") }], stages: [0, 4],
          grid: { lo: -4, hi: 4, size: 9 }, surfing: SURFING, regions: (net, square) => regionOverlay(net, square), journal: new ResultStore(path, { fig: 1 }),
        });
        const whole = make();
        loads = 0;
        expect(make(), "read back whole").to.deep.equal(whole);
        expect(loads, "nothing measured again").to.equal(0);
        for (const [key, bad] of [["path/0", null], ["surface/0/4", "garbage"], ["regions/0", {}], ["surface/0/0", { ...whole.panels[0], surface: [1, "NaN"] }]] as const) {
          appendFileSync(path, JSON.stringify({ key, value: bad }) + "\n");
          loads = 0;
          expect(make(), key).to.deep.equal(whole);
          expect(loads, key).to.be.above(0);
        }
      });
    } finally {
      synthetic.final.free();
    }
  });
});
