/**
 * The linear regions of a k = 2 generator inside Figure 1's square, for the heat maps' overlay. The trained
 * generators end in a sigmoid (src/nn/architectures.ts), which src/geometry refuses: G is then not piecewise
 * linear. But a sigmoid applied coordinatewise is strictly monotone and adds no pieces — G = σ ∘ G_pre, and the
 * regions on which G_pre is affine are the regions of G's ReLU pattern — so the regions drawn are those of the
 * network without its output nonlinearity.
 */
import { InputError } from "../errors.js";
import { enumerateRegions, estimateRegionCount } from "../geometry/enumerate.js";
import { fromNetwork } from "../geometry/from-network.js";
import { Network } from "../nn/network.js";
import type { RegionOverlay } from "./figure1.js";

/** Layers that only reshape (NCHW rows are flat already). */
const RESHAPES = new Set(["Flatten", "Unflatten"]);
/** Output nonlinearities that are coordinatewise and strictly monotone. */
const MONOTONE = new Set(["Sigmoid", "Tanh"]);

/**
 * Regions beyond this many are not drawn: the polygons would hide the surface (an 81 × 81 grid has 6,561 cells)
 * and take megabytes of SVG. The --quick mlp (2→32→64→784) has 2,000–4,000 in [−4, 4]²; the default dcgan
 * has hundreds of thousands (src/geometry's estimate, reported instead).
 */
export const MAX_DRAWN_REGIONS = 5000;

/** G_pre: `net` without a trailing Sigmoid or Tanh (and the reshapes around it), sharing nothing with `net`. */
export function preActivation(net: Network): Network {
  const layers = net.spec.layers;
  let end = layers.length;
  while (end > 0 && RESHAPES.has(layers[end - 1].type)) end--;
  if (end > 0 && MONOTONE.has(layers[end - 1].type)) end--;
  const pre = new Network({ input: [...net.spec.input], layers: layers.slice(0, end) }, { dtype: net.dtype, kernels: net.kernels });
  pre.params.forEach((p, i) => p.values.set(net.params[i].values));
  pre.touch();
  return pre;
}

/** The polygons of G's linear regions in the square [lo, hi]² (lo = −hi), k = 2. */
export function regionOverlay(net: Network, square: { lo: number; hi: number }, maxRegions = MAX_DRAWN_REGIONS): RegionOverlay {
  if (net.inputSize !== 2) throw new InputError(`regions: the overlay is drawn in the plane, the network has k = ${net.inputSize}`);
  if (square.lo !== -square.hi) throw new InputError(`regions: the square must be centred, [−L, L]², got [${square.lo}, ${square.hi}]`);
  const pre = preActivation(net);
  try {
    const pl = fromNetwork(pre, "generator");
    const tooMany = (what: string) => ({ count: null, polygons: [], skipped: `${what} linear regions in [${square.lo}, ${square.hi}]²: too many to draw (the limit is ${maxRegions})` });
    const estimate = estimateRegionCount(pl, square.hi, { threshold: maxRegions });
    if (estimate.lowerEstimate > maxRegions) return tooMany(`about ${Math.round(estimate.lowerEstimate)} or more (src/geometry's estimate from ${estimate.samples} sampled points)`);
    let enumeration;
    try {
      enumeration = enumerateRegions(pl, { box: square.hi, maxRegions });
    } catch (e) {
      // the estimate is a lower one: the enumeration itself stops past maxRegions
      if (e instanceof InputError) return tooMany(`more than ${maxRegions}`);
      throw e;
    }
    const { count, regions } = enumeration;
    return {
      count,
      polygons: regions.map((r) => {
        const v = r.vertices!;
        return Array.from({ length: v.length / 2 }, (_, i) => [v[2 * i], v[2 * i + 1]]);
      }),
    };
  } finally {
    pre.free();
  }
}

/**
 * The regions' boundaries as one continuous polyline: a depth-first walk over the graph of polygon edges
 * (vertices shared by neighbouring polygons merged within `tolerance`), going out along each unwalked edge and
 * back along it when stuck — every edge is drawn, none is invented, and nothing needs a break in the line
 * (src/report's heat-map overlays are unbroken polylines). The edges of a subdivision of a square form one
 * connected graph; should rounding leave separate pieces, each gets its own walk, joined by a jump.
 */
export function boundaryWalk(polygons: readonly (readonly (readonly number[])[])[], tolerance = 1e-9): [number, number][] {
  const xs: number[] = [], ys: number[] = [], cells = new Map<string, number[]>();
  const vertex = (x: number, y: number): number => {
    const cx = Math.round(x / tolerance), cy = Math.round(y / tolerance);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const v of cells.get(`${cx + dx},${cy + dy}`) ?? []) if (Math.abs(xs[v] - x) <= tolerance && Math.abs(ys[v] - y) <= tolerance) return v;
      }
    }
    xs.push(x);
    ys.push(y);
    const key = `${cx},${cy}`;
    cells.set(key, [...(cells.get(key) ?? []), xs.length - 1]);
    return xs.length - 1;
  };
  const neighbours: number[][] = [], seen = new Set<string>();
  for (const poly of polygons) {
    const ids = poly.map((p) => vertex(p[0], p[1]));
    ids.forEach((a, i) => {
      const b = ids[(i + 1) % ids.length], key = a < b ? `${a},${b}` : `${b},${a}`;
      if (a === b || seen.has(key)) return;
      seen.add(key);
      (neighbours[a] ??= []).push(b);
      (neighbours[b] ??= []).push(a);
    });
  }
  const walked = new Set<string>(), visited = new Uint8Array(xs.length), out: [number, number][] = [];
  for (let start = 0; start < xs.length; start++) {
    if (visited[start] || !neighbours[start]) continue;
    const stack = [start], next = new Map<number, number>();
    visited[start] = 1;
    out.push([xs[start], ys[start]]);
    while (stack.length > 0) {
      const v = stack[stack.length - 1], list = neighbours[v];
      let i = next.get(v) ?? 0;
      while (i < list.length && walked.has(v < list[i] ? `${v},${list[i]}` : `${list[i]},${v}`)) i++;
      next.set(v, i);
      if (i < list.length) {
        const w = list[i];
        walked.add(v < w ? `${v},${w}` : `${w},${v}`);
        out.push([xs[w], ys[w]]);
        if (!visited[w]) {
          visited[w] = 1;
          stack.push(w);
        } else {
          out.push([xs[v], ys[v]]);   // w is already on the walk: draw the edge and come straight back
        }
      } else {
        stack.pop();
        if (stack.length > 0) out.push([xs[stack[stack.length - 1]], ys[stack[stack.length - 1]]]);
      }
    }
  }
  return out;
}
