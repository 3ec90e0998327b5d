// Networks, patterns, regions and the LPs on them, against oracles worked out by hand or by HiGHS.
import { expect } from "chai";
import { checkLeastSquares, checkNet, type PiecewiseLinearNet } from "../../src/geometry/affine.js";
import { InputError } from "../../src/errors.js";
import { chebyshevCentre, facets } from "../../src/geometry/lp.js";
import { evaluate, patternString } from "../../src/geometry/pattern.js";
import { randomNet } from "../../src/geometry/random-net.js";
import { regionOf, regionOfPattern } from "../../src/geometry/region.js";
import { Rng } from "../../src/random/rng.js";
import { highsOracle, type Oracle } from "./highs.js";
import { handMade, layer } from "./nets.js";

describe("networks: validation and random families", () => {
  /** A network whose fields the test may break (as a parsed file could). */
  type Editable = { k: number; layers: { inDim: number; outDim: number; W: unknown; b: unknown; act: string; slope: number }[] };
  const good = (): Editable => ({ k: 2, layers: [layer(3, 2, [1, 2, 3, 4, 5, 6], [0, 0, 0]), layer(1, 3, [1, 1, 1], [0], "linear")] });

  it("accepts a well-formed network and refuses bad shapes, values and activation codes, naming the field", () => {
    expect(() => checkNet(good() as PiecewiseLinearNet)).not.to.throw();
    const bad = (edit: (n: Editable) => void, message: RegExp) => {
      const n = good();
      edit(n);
      expect(() => checkNet(n as PiecewiseLinearNet)).to.throw(InputError, message);
    };
    bad((n) => (n.k = 0), /net\.k must be a positive integer, got 0/);
    bad((n) => (n.layers.length = 0), /net\.layers must be a non-empty array/);
    bad((n) => (n.layers[1].inDim = 4), /net\.layers\[1\]\.inDim = 4 does not match the previous output dimension 3/);
    bad((n) => (n.layers[0].W = new Float64Array(5)), /net\.layers\[0\]\.W must be a Float64Array of 3×2 = 6 values, got 5 values/);
    bad((n) => (n.layers[0].b = [0, 0, 0]), /net\.layers\[0\]\.b must be a Float64Array of 3 values, got Array/);
    bad((n) => ((n.layers[0].W as Float64Array)[4] = NaN), /net\.layers\[0\]\.W\[4\] is not finite \(NaN\)/);
    bad((n) => ((n.layers[0].b as Float64Array)[1] = Infinity), /net\.layers\[0\]\.b\[1\] is not finite/);
    bad((n) => (n.layers[0].act = "sigmoid"), /net\.layers\[0\]\.act must be "relu", "leaky" or "linear", got "sigmoid"/);
    bad((n) => (n.layers[0].slope = 0.1), /net\.layers\[0\]\.slope must be 0 for act "relu", got 0\.1/);
    bad((n) => (n.layers[1].slope = 0), /net\.layers\[1\]\.slope must be 1 for act "linear"/);
    bad((n) => Object.assign(n.layers[0], { act: "leaky", slope: NaN }), /net\.layers\[0\]\.slope must be finite, got NaN/);
  });

  it("refuses an objective that does not match the network", () => {
    const net = good() as PiecewiseLinearNet;
    expect(() => checkLeastSquares({ A: null, m: 1, obs: new Float64Array(1) }, net)).not.to.throw();
    expect(() => checkLeastSquares({ A: null, m: 2, obs: new Float64Array(2) }, net)).to.throw(InputError, /objective\.m = 2 must equal the output dimension 1/);
    expect(() => checkLeastSquares({ A: new Float64Array(3), m: 2, obs: new Float64Array(2) }, net)).to.throw(InputError, /objective\.A must be a Float64Array of 2×1 = 2 values/);
    expect(() => checkLeastSquares({ A: Float64Array.from([1, NaN]), m: 2, obs: new Float64Array(2) }, net)).to.throw(InputError, /objective\.A\[1\] is not finite/);
  });

  it("builds the surf, hv and torch families with the stated shapes, scales and determinism", () => {
    const surf = randomNet([3, 40, 60, 50], "surf", 7);
    expect(surf.layers.map((l) => [l.inDim, l.outDim, l.act])).to.deep.equal([[3, 40, "relu"], [40, 60, "relu"], [60, 50, "linear"]]);
    expect(checkNet(surf)).to.equal(surf);
    const variance = (v: Float64Array) => v.reduce((s, x) => s + x * x, 0) / v.length;
    // W_i ~ N(0, 1/n_i): n_i·mean(W²) ≈ 1 within a few standard errors (√(2/count)).
    expect(Math.abs(40 * variance(surf.layers[0].W) - 1)).to.be.below(4 * Math.sqrt(2 / 120));
    expect(Math.abs(60 * variance(surf.layers[1].W) - 1)).to.be.below(4 * Math.sqrt(2 / 2400));
    expect(Math.abs(50 * variance(surf.layers[2].W) - 1)).to.be.below(4 * Math.sqrt(2 / 3000));
    expect(surf.layers[2].b.every((v) => v === 0)).to.equal(true);
    const hv = randomNet([2, 30, 40], "hv", 7);
    expect(hv.layers.map((l) => l.act)).to.deep.equal(["relu", "relu"]);
    expect(hv.layers.every((l) => l.b.every((v) => v === 0))).to.equal(true);
    const torch = randomNet([4, 16, 1], "torch", 7);
    expect(torch.layers[0].W.every((v) => Math.abs(v) <= 0.5) && torch.layers[0].b.every((v) => Math.abs(v) <= 0.5)).to.equal(true);
    expect(randomNet([3, 40, 60, 50], "surf", 7).layers[1].W).to.deep.equal(surf.layers[1].W);
    expect(randomNet([3, 40, 60, 50], "surf", 8).layers[1].W).not.to.deep.equal(surf.layers[1].W);
    expect(() => randomNet([2], "hv", 1)).to.throw(InputError, /arch must be k,n1,…,nd: positive integers, got 2/);
    expect(() => randomNet([2, 3], "surf", 1)).to.throw(InputError, /arch must be k,n1,…,nd,n \(at least one hidden layer\)/);
    expect(() => randomNet([2, 3], "torch", 1)).to.throw(InputError, /arch for the "torch" family needs k, at least one hidden width and n/);
  });
});

describe("patterns and regions", () => {
  it("the hand-made network: patterns, the tie rule, the region's rows and its map", () => {
    expect(patternString(evaluate(handMade, [0.8, 0.9]).pattern)).to.equal("111");
    expect(patternString(evaluate(handMade, [-1, 0.5]).pattern)).to.equal("010");
    // Ties count as inactive: (0, 0) lies on the first two lines.
    expect(patternString(evaluate(handMade, [0, 0]).pattern)).to.equal("000");
    const R = regionOf(handMade, [0.8, 0.9], { box: 2 });
    // Rows: −z₁ ≤ 0, −z₂ ≤ 0, −(z₁ + z₂ − 1) ≤ 0, then the box.
    expect(Array.from(R.C.subarray(0, 6))).to.deep.equal([-1, -0, -0, -1, -1, -1]);
    expect(Array.from(R.d.subarray(0, 3))).to.deep.equal([0, 0, -1]);
    expect(Array.from(R.ids)).to.deep.equal([4, 5, 6, 0, 1, 2, 3]);
    expect(Array.from(R.J)).to.deep.equal([1, 0, 0, 1, 1, 1]);
    expect(Array.from(R.c)).to.deep.equal([0, 0, -1]);
  });

  it("G(z) = J z + c on the region of a random point, which satisfies C z ≤ d (deep, leaky and hv nets)", () => {
    const rng = Rng.derive("region-affine");
    const nets = [randomNet([3, 12, 10, 8, 5], "surf", 1), randomNet([2, 9, 9], "hv", 2), leaky(randomNet([4, 10, 10, 3], "surf", 3), 0.2)];
    for (const net of nets) {
      for (let t = 0; t < 50; t++) {
        const x = Float64Array.from({ length: net.k }, () => rng.uniformIn(-1, 1));
        const R = regionOf(net, x, { box: 1 });
        const y = evaluate(net, x).output;
        for (let i = 0; i < R.n; i++) {
          let v = R.c[i];
          for (let l = 0; l < net.k; l++) v += R.J[i * net.k + l] * x[l];
          expect(Math.abs(v - y[i])).to.be.below(1e-12 * (1 + Math.abs(y[i])));
        }
        for (let i = 0; i < R.rows; i++) {
          let s = -R.d[i];
          for (let l = 0; l < net.k; l++) s += R.C[i * net.k + l] * x[l];
          expect(s).to.be.at.most(1e-12);
        }
      }
    }
  });
});

describe("LPs on regions: Chebyshev centre and facets", () => {
  let highs: Oracle;
  before(async () => {
    highs = await highsOracle();
  });

  it("the hand-made network's regions, by hand: centres, radii and facets", () => {
    // 000 in [−2, 2]² is the square [−2, 0]²: centre (−1, −1), radius 1; facets z₁ ≤ 0, z₂ ≤ 0, z₁ ≥ −2, z₂ ≥ −2 (rows 0, 1, 3, 5).
    const R000 = regionOfPattern(handMade, Uint8Array.from([0, 0, 0]), { box: 2 });
    const c = chebyshevCentre(R000);
    expect(c.status).to.equal("interior");
    expect(c.radius).to.be.closeTo(1, 1e-12);
    expect(Array.from(c.centre).map((v) => +v.toFixed(12))).to.deep.equal([-1, -1]);
    expect(Array.from(facets(R000))).to.deep.equal([0, 1, 3, 5]);
    // 111 is bounded by all three lines and the upper box sides (rows 0, 1, 2, 4, 6).
    expect(Array.from(facets(regionOfPattern(handMade, Uint8Array.from([1, 1, 1]), { box: 2 })))).to.deep.equal([0, 1, 2, 4, 6]);
    // 011 is the triangle (0,1), (0,2), (−1,2): facets z₁ ≤ 0, z₁ + z₂ ≥ 1 and z₂ ≤ 2 (rows 0, 2, 6); z₂ ≥ 0 is redundant.
    expect(Array.from(facets(regionOfPattern(handMade, Uint8Array.from([0, 1, 1]), { box: 2 })))).to.deep.equal([0, 2, 6]);
    // Patterns that are not regions: 001 is empty (z₁, z₂ ≤ 0 and z₁ + z₂ ≥ 1).
    expect(chebyshevCentre(regionOfPattern(handMade, Uint8Array.from([0, 0, 1]), { box: 2 })).status).to.equal("empty");
  });

  it("a flat polyhedron (feasible, empty interior) and duplicate rows", () => {
    const flat = { dim: 2, rows: 4, C: Float64Array.from([1, 0, -1, 0, 0, 1, 0, -1]), d: Float64Array.from([1, -1, 1, 1]) };
    expect(chebyshevCentre(flat).status).to.equal("flat");
    const square = { dim: 2, rows: 5, C: Float64Array.from([1, 0, -1, 0, 0, 1, 0, -1, 2, 0]), d: Float64Array.from([1, 1, 1, 1, 2]) };
    // Rows 0 and 4 are the same half-plane: one of them is kept.
    expect(Array.from(facets(square))).to.deep.equal([1, 2, 3, 4]);
    expect(() => facets(flat)).to.throw(RangeError, /not full-dimensional/);
  });

  it("random polytopes: the Chebyshev radius and the facets equal HiGHS's", () => {
    const rng = Rng.derive("lp-chebyshev");
    for (let t = 0; t < 30; t++) {
      const k = 2 + (t % 4), m = 2 * k + 2 + rng.int(20);
      const C = new Float64Array(m * k), d = new Float64Array(m);
      rng.fillNormal(C);
      for (let i = 0; i < m; i++) d[i] = rng.uniformIn(0.2, 1.5);
      const P = { dim: k, rows: m, C, d };
      const norms = Array.from({ length: m }, (_, i) => Math.hypot(...C.subarray(i * k, (i + 1) * k)));
      // HiGHS: max r s.t. C_i z + ‖C_i‖ r ≤ d_i, r ≤ 10.
      const Cr = new Float64Array((m + 1) * (k + 1)), dr = new Float64Array(m + 1), g = new Float64Array(k + 1);
      for (let i = 0; i < m; i++) {
        Cr.set(C.subarray(i * k, (i + 1) * k), i * (k + 1));
        Cr[i * (k + 1) + k] = norms[i];
        dr[i] = d[i];
      }
      Cr[m * (k + 1) + k] = 1;
      dr[m] = 10;
      g[k] = -1;
      const ref = highs.lp(k + 1, g, m + 1, Cr, dr);
      const ours = chebyshevCentre(P, { radiusCap: 10 });
      expect(Math.abs(ours.radius - -ref.value)).to.be.below(1e-7);
      // Facets: row i is redundant iff max C_i z over the other rows (and C_i z ≤ d_i + 1) is ≤ d_i.
      const expected: number[] = [];
      for (let i = 0; i < m; i++) {
        const others = Array.from({ length: m }, (_, q) => q).filter((q) => q !== i);
        const Co = new Float64Array((m) * k), dO = new Float64Array(m);
        others.forEach((q, r) => {
          Co.set(C.subarray(q * k, (q + 1) * k), r * k);
          dO[r] = d[q];
        });
        Co.set(C.subarray(i * k, (i + 1) * k), (m - 1) * k);
        dO[m - 1] = d[i] + 1;
        const r = highs.lp(k, Array.from(C.subarray(i * k, (i + 1) * k), (v) => -v), m, Co, dO);
        if (-r.value > d[i] + 1e-7) expected.push(i);
      }
      expect(Array.from(facets(P)), `instance ${t}`).to.deep.equal(expected);
    }
  });
});

function leaky(net: PiecewiseLinearNet, slope: number): PiecewiseLinearNet {
  return { k: net.k, layers: net.layers.map((l) => (l.act === "relu" ? { ...l, act: "leaky" as const, slope } : l)) };
}
