/**
 * Lemma 5.2 (Song, Fan & Lafferty 2019): the number of distinct activation tuples (W_{1,x}, b_{1,x}, …, W_{d,x}, b_{d,x}) over
 * x ∈ R^k is at most 10^{d²}(n_1⋯n_d)^{d(k+1)}. Each tuple's set {x : pattern(x) = p} is a polyhedron (the
 * pre-activations are affine in x once the pattern is fixed), so the tuples are the linear regions of G and
 * their number is counted exactly by enumeration (src/geometry) for k = 2:
 *
 *  - one layer: n_1 affine lines in general position cut R² into 1 + n_1 + C(n_1, 2) regions (Zaslavsky), and
 *    n_1 lines through 0 (the hv family, no bias) into 2n_1 (Cover: 2 Σ_{j<k} C(n_1 − 1, j)). Restricted to a box
 *    B the same count (Euler's formula for the arrangement cut by B) is 1 + (lines meeting B) + (vertices inside B);
 *    the box holds every vertex when that fits in [−MAX_VERTEX_BOX, MAX_VERTEX_BOX]², and the count in R² is then
 *    Zaslavsky's. Wider boxes are not used: nearly parallel lines put vertices ~n² away, and the enumeration's
 *    vertex tolerance (relative to the box, src/geometry/subdivision.ts) then loses the smallest regions;
 *  - two layers: the count in [−L, L]² with L doubled until two doublings add no region, against the
 *    layer-by-layer Zaslavsky product (estimateRegionCount) and Lemma 5.2's bound.
 */
import { enumerateRegions, estimateRegionCount, type PiecewiseLinearNet } from "../../geometry/index.js";
import { randomNetwork, type Family } from "../../nn/ensembles.js";
import { kernels } from "../../kernels/index.js";
import { fitLogLog } from "../fit.js";
import { fmt, unitSeed, type Check, type Unit } from "../check.js";
import { fromNetwork } from "../../geometry/from-network.js";
import { linePlot, type Series } from "../../report/svg.js";

type Series_ = "one-layer-surf" | "one-layer-hv" | "two-layer-surf";

interface CountUnit extends Unit {
  readonly series: Series_;
  readonly width: number;
}

interface CountResult {
  readonly widths: number[];
  readonly count: number;
  /** The arrangement's count in the box for one layer (Zaslavsky's in R² when the box holds every vertex); the layer-wise product bound for two. */
  readonly reference: number;
  /** One layer: every vertex of the arrangement lies in the box, so the count is the count in R². */
  readonly allVertices: boolean;
  /** log10 of 10^{d²}(n_1⋯n_d)^{d(k+1)}. */
  readonly log10Bound: number;
  readonly box: number;
}

const K = 2;
/** Box half-widths tried for two layers: from MIN_BOX doubling up to MAX_BOX. */
const MIN_BOX = 4;
const MAX_BOX = 4096;
/** Room around the farthest vertex of a one-layer arrangement (relative), so no vertex sits on the box. */
const VERTEX_MARGIN = 1.5;
/**
 * The largest box for one layer (the enumeration is exact at any box; this caps the regions counted against
 * the arrangement's own count in the box, whose vertices arrangementInBox finds in float64).
 */
const MAX_VERTEX_BOX = 100;

export const activationCountCheck: Check<CountUnit, CountResult> = {
  name: "lemma-5.2",
  title: "Lemma 5.2: the number of activation tuples",
  source: "Song, Fan & Lafferty 2019 Lemma 5.2 (after Hand & Voroninski 2018 Lemmas 15–16)",
  prediction:
    "The number of distinct activation tuples of G over x ∈ R^k is at most 10^{d²}(n_1⋯n_d)^{d(k+1)}; " +
    "for one layer it is exactly the number of regions of a hyperplane arrangement — Zaslavsky's Σ_{j≤k} C(n_1, j) with biases in general position " +
    "(in a box B: 1 + lines meeting B + vertices in B, for k = 2), Cover's 2Σ_{j<k} C(n_1−1, j) without.",
  form: { widths: ["number"], count: "number", reference: "number", allVertices: "boolean", log10Bound: "number", box: "number" },
  plan(quick) {
    const one = quick ? [4, 8, 16, 32, 64] : [4, 8, 16, 32, 64, 128, 256];
    const two = quick ? [4, 6, 8, 12] : [4, 6, 8, 12, 16, 24];
    return [
      ...one.map((w) => ({ key: `one-layer-surf-${w}`, series: "one-layer-surf" as const, width: w })),
      ...one.map((w) => ({ key: `one-layer-hv-${w}`, series: "one-layer-hv" as const, width: w })),
      ...two.map((w) => ({ key: `two-layer-surf-${w}`, series: "two-layer-surf" as const, width: w })),
    ];
  },
  measure(u, seed) {
    const family: Family = u.series === "one-layer-hv" ? "hv" : "surf";
    const hidden = u.series === "two-layer-surf" ? [u.width, u.width] : [u.width];
    // The output layer V of the surf family is linear and does not change the tuples; width 1 keeps it cheap.
    const arch = family === "surf" ? [K, ...hidden, 1] : [K, ...hidden];
    const net = randomNetwork(family, arch, unitSeed(seed, "lemma-5.2", u.key, "net"), { dtype: "f64", kernels });
    const pl = fromNetwork(net);
    net.free();
    const d = hidden.length, log10Bound = d * d + d * (K + 1) * hidden.reduce((s, w) => s + Math.log10(w), 0);
    if (u.series !== "two-layer-surf") {
      const n = u.width;
      if (family === "hv") return { widths: hidden, count: enumerateRegions(pl, { box: 1 }).count, reference: 2 * n, allVertices: true, log10Bound, box: 1 };
      const box = Math.min(VERTEX_MARGIN * farthestVertex(pl) + 1, MAX_VERTEX_BOX);
      const { lines, vertices, all } = arrangementInBox(pl, box);
      return { widths: hidden, count: enumerateRegions(pl, { box }).count, reference: 1 + lines + vertices, allVertices: all, log10Bound, box };
    }
    let box = MIN_BOX, count = enumerateRegions(pl, { box }).count, stable = 0;
    while (stable < 2 && box < MAX_BOX) {
      box *= 2;
      const next = enumerateRegions(pl, { box }).count;
      stable = next === count ? stable + 1 : 0;
      count = next;
    }
    const reference = estimateRegionCount(pl, box, { threshold: Infinity }).upperBound;
    return { widths: hidden, count, reference, allVertices: false, log10Bound, box };
  },
  judge(units, results) {
    const rows = units.map((u, i) => ({ series: u.series, width: u.width, ...results[i] }));
    const exact = rows.filter((r) => r.series !== "two-layer-surf");
    const deep = rows.filter((r) => r.series === "two-layer-surf");
    const zaslavsky = exact.every((r) => r.count === r.reference);
    const bounded = deep.every((r) => r.count <= r.reference && Math.log10(r.count) <= r.log10Bound);
    const growth = (rs: typeof rows) => fitLogLog(rs.map((r) => r.widths.reduce((a, b) => a * b, 1)), rs.map((r) => r.count)).slope;
    const slopeOne = growth(exact.filter((r) => r.series === "one-layer-surf")), slopeTwo = growth(deep);
    const bad = exact.find((r) => r.count !== r.reference);
    return {
      pass: zaslavsky && bounded,
      summary:
        (zaslavsky
          ? `One layer: the enumerated count equals the arrangement's at all ${exact.length} sizes (in all of R² — Zaslavsky's 1 + n + C(n, 2), Cover's 2n — at ${exact.filter((r) => r.allVertices).length} of them)`
          : `One layer: count ${bad!.count} ≠ ${bad!.reference} (${bad!.series}, n_1 = ${bad!.width})`) +
        `; two layers: ${deep.map((r) => `${r.count} at n = ${r.width}`).join(", ")}, ${bounded ? "within" : "NOT within"} the layer-wise product and Lemma 5.2's bound ` +
        `(10^${fmt(Math.min(...deep.map((r) => r.log10Bound)))} and up). Growth exponent in n_1⋯n_d: ${fmt(slopeOne)} (one layer), ${fmt(slopeTwo)} (two) against the bound's d(k+1) = 2 and 6.`,
      constants:
        `k = ${K}; no constants: the counts are exact. One layer: box [−L, L]² with L = ${VERTEX_MARGIN}·(farthest vertex) + 1, at most ${MAX_VERTEX_BOX} ` +
        `(the enumeration is exact at any box; the cap bounds the work), against 1 + (lines meeting the box) + (vertices inside), Zaslavsky's count when every vertex is inside; ` +
        `two layers: L doubled from ${MIN_BOX} until two doublings add no region (at most ${MAX_BOX}). Pass: equality with Zaslavsky/Cover for one layer, and count ≤ both bounds for two.`,
      figures: { rows: rows.map(({ series, width, widths, count, reference, allVertices, log10Bound, box }) => ({ series, width, product: widths.reduce((a, b) => a * b, 1), count, reference, allVertices, log10Bound, box })) },
    };
  },
  plot(figures) {
    const rows = figures.rows as { series: Series_; product: number; count: number; reference: number; log10Bound: number }[];
    const pick = (s: Series_) => rows.filter((r) => r.series === s);
    const series: Series[] = [
      { label: "one layer (surf): count", points: pick("one-layer-surf").map((r) => [r.product, r.count]), style: "points" },
      { label: "Zaslavsky 1 + n + C(n,2)", points: pick("one-layer-surf").map((r) => [r.product, 1 + r.product + (r.product * (r.product - 1)) / 2]), style: "line", dashed: true },
      { label: "arrangement count in the box", points: pick("one-layer-surf").map((r) => [r.product, r.reference]), style: "points" },
      { label: "one layer (hv): count", points: pick("one-layer-hv").map((r) => [r.product, r.count]), style: "points" },
      { label: "Cover 2n", points: pick("one-layer-hv").map((r) => [r.product, r.reference]), style: "line", dashed: true },
      { label: "two layers (surf): count", points: pick("two-layer-surf").map((r) => [r.product, r.count]) },
      { label: "layer-wise Zaslavsky product", points: pick("two-layer-surf").map((r) => [r.product, r.reference]), style: "line", dashed: true },
    ];
    return [
      {
        svg: linePlot({ title: "Activation tuples vs n_1⋯n_d (k = 2)", x: { label: "n_1⋯n_d", log: true }, y: { label: "distinct activation tuples", log: true }, series }),
        caption: "Exact counts by enumeration against the arrangement counts. Lemma 5.2's bound 10^{d²}(n_1⋯n_d)^{d(k+1)} is off this chart: " +
          rows.filter((r) => r.series === "two-layer-surf").map((r) => `10^${fmt(r.log10Bound)}`).join(", ") + " for the two-layer sizes.",
      },
    ];
  },
};

/**
 * For the first layer's lines w_i·z + b_i = 0 (k = 2) and the box [−L, L]²: how many lines cross its interior
 * (|b_i| < L‖w_i‖₁), how many of their pairwise intersections lie inside it, and whether all of them do.
 */
function arrangementInBox(net: PiecewiseLinearNet, L: number): { lines: number; vertices: number; all: boolean } {
  const { W, b, outDim } = net.layers[0];
  let lines = 0, vertices = 0, all = true;
  for (let i = 0; i < outDim; i++) {
    if (Math.abs(b[i]) < L * (Math.abs(W[2 * i]) + Math.abs(W[2 * i + 1]))) lines++;
    for (let j = i + 1; j < outDim; j++) {
      const v = vertex(W, b, i, j);
      if (v && Math.abs(v[0]) < L && Math.abs(v[1]) < L) vertices++;
      else all = false;
    }
  }
  return { lines, vertices, all };
}

/** The intersection of lines i and j (null when parallel). */
function vertex(W: Float64Array, b: Float64Array, i: number, j: number): [number, number] | null {
  const det = W[2 * i] * W[2 * j + 1] - W[2 * i + 1] * W[2 * j];
  if (det === 0) return null;
  // Solve w_i·z = −b_i, w_j·z = −b_j.
  return [(-b[i] * W[2 * j + 1] + b[j] * W[2 * i + 1]) / det, (-b[j] * W[2 * i] + b[i] * W[2 * j]) / det];
}

/** The largest |coordinate| of an intersection of two of the first layer's lines (k = 2). */
function farthestVertex(net: PiecewiseLinearNet): number {
  const { W, b, outDim } = net.layers[0];
  let far = 0;
  for (let i = 0; i < outDim; i++) {
    for (let j = i + 1; j < outDim; j++) {
      const v = vertex(W, b, i, j);
      if (v) far = Math.max(far, Math.abs(v[0]), Math.abs(v[1]));
    }
  }
  return far;
}
