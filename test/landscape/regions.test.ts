// The linear regions drawn on Figure 1: those of G without its output sigmoid, and their boundaries as one walk.
import { expect } from "chai";
import { InputError } from "../../src/errors.js";
import { boundaryWalk, preActivation, regionOverlay } from "../../src/landscape/regions.js";
import { Network } from "../../src/nn/network.js";
import { Rng } from "../../src/random/rng.js";
import { smallGenerator } from "./nets.js";

/** Shoelace area of a polygon. */
function area(poly: number[][]): number {
  let s = 0;
  poly.forEach((p, i) => {
    const q = poly[(i + 1) % poly.length];
    s += p[0] * q[1] - q[0] * p[1];
  });
  return Math.abs(s) / 2;
}

describe("landscape: linear regions on Figure 1", () => {
  it("G without its output sigmoid is the logit of G", () => {
    const net = new Network(smallGenerator(), { dtype: "f64", seed: "pre" });
    const pre = preActivation(net);
    try {
      expect(pre.spec.layers.map((l) => l.type)).to.deep.equal(["Linear", "ReLU", "Linear", "ReLU", "Linear"]);
      const rng = Rng.derive("pre-points");
      const xs = Array.from({ length: 5 }, () => [rng.uniformIn(-3, 3), rng.uniformIn(-3, 3)]);
      const g = net.forward(xs), z = pre.forward(xs);
      g.forEach((row, i) => row.forEach((v, j) => expect(z[i][j]).to.be.closeTo(Math.log(v / (1 - v)), 1e-9)));
    } finally {
      pre.free();
      net.free();
    }
  });

  it("the polygons tile the square: their areas add up to (2L)², and each is convex and counter-clockwise", () => {
    const net = new Network(smallGenerator(), { dtype: "f64", seed: "tile" });
    try {
      const overlay = regionOverlay(net, { lo: -4, hi: 4 });
      expect(overlay.count).to.equal(overlay.polygons.length);
      expect(overlay.count!).to.be.above(10);
      const total = overlay.polygons.reduce((s, p) => s + area(p), 0);
      expect(total).to.be.closeTo(64, 1e-8);
      for (const poly of overlay.polygons) {
        for (const v of poly) for (const c of v) expect(Math.abs(c)).to.be.at.most(4 + 1e-9);
        poly.forEach((p, i) => {
          const q = poly[(i + 1) % poly.length], r = poly[(i + 2) % poly.length];
          expect((q[0] - p[0]) * (r[1] - q[1]) - (q[1] - p[1]) * (r[0] - q[0])).to.be.at.least(-1e-9);
        });
      }
      expect(() => regionOverlay(net, { lo: -4, hi: 3 })).to.throw(InputError, /centred/);
    } finally {
      net.free();
    }
  });

  it("too many regions to draw: the overlay is skipped with the reason", () => {
    const net = new Network(smallGenerator(), { dtype: "f64", seed: "many" });
    try {
      const overlay = regionOverlay(net, { lo: -4, hi: 4 }, 5);
      expect(overlay.count).to.equal(null);
      expect(overlay.polygons).to.deep.equal([]);
      expect(overlay.skipped).to.match(/^about \d+ or more \(src\/geometry's estimate from \d+ sampled points\) linear regions in \[-4, 4\]²: too many to draw \(the limit is 5\)$/);
    } finally {
      net.free();
    }
  });

  it("the boundary walk is continuous along polygon edges and draws every edge", () => {
    // a 2 × 2 grid of squares plus a split one: shared vertices computed with rounding noise
    const eps = 1e-13;
    const polygons = [
      [[-1, -1], [0, -1], [0, 0], [-1, 0]],
      [[0 + eps, -1], [1, -1], [1, 0], [0, 0 - eps]],
      [[-1, 0], [0, 0 + eps], [0, 1], [-1, 1]],
      [[0, 0], [1, 0], [1, 0.5], [0.5, 1], [0, 1]],
      [[1, 0.5], [1, 1], [0.5, 1]],
    ];
    const walk = boundaryWalk(polygons);
    const key = (a: number[], b: number[]) => [a, b].map((p) => p.map((c) => Math.round(c * 1e6)).join(",")).sort().join("|");
    const edges = new Set(polygons.flatMap((poly) => poly.map((p, i) => key(p, poly[(i + 1) % poly.length]))));
    const drawn = new Set<string>();
    for (let i = 0; i + 1 < walk.length; i++) {
      const e = key(walk[i], walk[i + 1]);
      expect(edges.has(e), `step ${i}: ${e} is not an edge`).to.equal(true);
      drawn.add(e);
    }
    expect([...drawn].sort()).to.deep.equal([...edges].sort());
    expect(walk.length).to.be.at.most(2 * edges.size + 1);
  });
});
