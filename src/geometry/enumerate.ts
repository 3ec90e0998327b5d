/**
 * Full enumeration of the linear regions of G inside the box [−L, L]^k, or in all of R^k (L = Infinity,
 * each unbounded region with its recession cone: recession.ts) — the `surf regions` command — by the
 * exact layer-by-layer subdivision of subdivision.ts, with a refusal up front when the count is
 * estimated to be out of reach.
 */
import { InputError } from "../errors.js";
import { bends, checkBox, checkNet, neuronCount, type PiecewiseLinearNet } from "./affine.js";
import { evaluate, patternString } from "./pattern.js";
import { Rng, type Seed } from "../random/rng.js";
import { recession, type Recession } from "./recession.js";
import { subdivide } from "./subdivision.js";

export interface EnumeratedRegion {
  readonly pattern: Uint8Array;
  /** A strictly interior point (the centroid of the vertices; for L = Infinity, see recession.ts). */
  readonly interior: Float64Array;
  /** k = 2 only: the polygon's vertices, counter-clockwise, as x0, y0, x1, y1, … (L = Infinity: the finite ones, in order between its rays). */
  readonly vertices?: Float64Array;
  /** L = Infinity only: whether the region is bounded, and its recession cone (rays and lineality space) when not. */
  readonly bounded?: boolean;
  readonly rays?: Float64Array[];
  readonly lineality?: Float64Array[];
}

export interface Enumeration {
  readonly k: number;
  readonly count: number;
  /** The regions (built on first access from packed storage: enumeration itself allocates per region no object). */
  readonly regions: EnumeratedRegion[];
}

export interface EnumerateOptions {
  /** Half-width L of the box [−L, L]^k (default 1); Infinity for all of R^k. */
  readonly box?: number;
  /** Refuse (InputError) when more regions than this are estimated or found (default 10⁶). */
  readonly maxRegions?: number;
  /** Seed of the sampling estimate. */
  readonly seed?: Seed;
  /** Called every PROGRESS_EVERY regions with the count so far and the expected total (an estimate). */
  readonly onProgress?: (regions: number, expected: number) => void;
}

/**
 * The most regions enumerateRegions and certify take on by default (their maxRegions): past it they refuse.
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.DEFAULT_MAX_REGIONS;   // → 1000000
 */
export const DEFAULT_MAX_REGIONS = 1_000_000;
/**
 * Regions between two progress reports.
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.PROGRESS_EVERY;   // → 4096
 * const net = geometry.randomNet([2, 200, 3], "surf", 0);
 * geometry.enumerateRegions(net, { box: 3, onProgress: (regions, expected) => console.log(`${regions} of about ${expected} regions`) });
 */
export const PROGRESS_EVERY = 4096;

/**
 * Every linear region of G inside [−L, L]^k (or R^k for box = Infinity): its pattern, an interior point,
 * (k = 2) its polygon, and (box = Infinity) its recession cone.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 30, 7], "surf", 21);
 * geometry.enumerateRegions(net).count;   // → 86
 * const all = geometry.enumerateRegions(net, { box: Infinity });   // all of R²: with each unbounded region's rays
 * all.count;   // → 466
 */
export function enumerateRegions(net: PiecewiseLinearNet, options: EnumerateOptions = {}): Enumeration {
  checkNet(net);
  const L = checkBox(options.box ?? 1, "box", true), infinite = L === Infinity;
  const maxRegions = options.maxRegions ?? DEFAULT_MAX_REGIONS;
  const expected = refuseTooMany(net, L, maxRegions, "full enumeration", options.seed);
  const k = net.k, store = new RegionStore(k, neuronCount(net));
  // Polygons (k = 2) and recession cones need every region's vertices; otherwise interior points suffice.
  const count = subdivide(net, L, (leaf) => {
    const { stack, polytope: P, pattern, interior } = leaf;
    if (infinite) {
      const { points, rows, ids } = leaf.exactVertices();
      const r = recession(k, points, rows, ids, k === 2 ? Array.from(stack.cycle(P!)) : undefined);
      store.add(pattern, r.interior, r.polygon, r);
    } else store.add(pattern, interior, P && k === 2 ? stack.polygon(P, L) : undefined);
    if (options.onProgress && store.count % PROGRESS_EVERY === 0) options.onProgress(store.count, expected);
  }, { maxRegions, interiorOnly: k !== 2 && !infinite, tooMany: tooManyMessage(net.k, L, maxRegions, "full enumeration") });
  return store.finish(count);
}

/** Patterns, interior points and polygons, packed in growing typed arrays (one pair of copies per region, no object). */
class RegionStore {
  count = 0;
  private patterns: Uint8Array;
  private interiors: Float64Array;
  private polygons: Float64Array[] = [];
  private cones: Recession[] = [];

  constructor(private readonly k: number, private readonly N: number) {
    this.patterns = new Uint8Array(64 * N);
    this.interiors = new Float64Array(64 * k);
  }

  add(pattern: Uint8Array, interior: Float64Array, polygon?: Float64Array, cone?: Recession): void {
    const { k, N } = this, i = this.count++;
    if ((i + 1) * N > this.patterns.length) this.patterns = grown(this.patterns, (i + 1) * N) as Uint8Array;
    if ((i + 1) * k > this.interiors.length) this.interiors = grown(this.interiors, (i + 1) * k) as Float64Array;
    this.patterns.set(pattern, i * N);
    this.interiors.set(interior, i * k);
    if (polygon) this.polygons.push(polygon);
    if (cone) this.cones.push(cone);
  }

  finish(count: number): Enumeration {
    const { k, N, patterns, interiors, polygons, cones } = this;
    let regions: EnumeratedRegion[] | undefined;
    return {
      k,
      count,
      get regions() {
        regions ??= Array.from({ length: count }, (_, i) => ({
          pattern: patterns.subarray(i * N, (i + 1) * N),
          interior: interiors.subarray(i * k, (i + 1) * k),
          ...(polygons.length > 0 ? { vertices: polygons[i] } : {}),
          ...(cones.length > 0 ? { bounded: cones[i].bounded, rays: cones[i].rays, lineality: cones[i].lineality } : {}),
        }));
        return regions;
      },
    };
  }
}

function grown(a: Uint8Array | Float64Array, need: number): Uint8Array | Float64Array {
  const out = new (a.constructor as new (n: number) => Uint8Array | Float64Array)(Math.max(need, 2 * a.length));
  out.set(a);
  return out;
}

/**
 * Refuse (InputError, with the estimated count and what to do) when the regions of G in [−L, L]^k are
 * estimated to be more than maxRegions, before `task` starts; returns the expected count (for progress).
 */
export function refuseTooMany(net: PiecewiseLinearNet, L: number, maxRegions: number, task: string, seed?: Seed): number {
  const estimate = estimateRegionCount(net, L, { seed, threshold: maxRegions });
  if (estimate.lowerEstimate > maxRegions) {
    const how = `Chao1 estimate from ${estimate.samples} sampled points, ${estimate.distinct} distinct patterns; layer-wise Zaslavsky bound ${fmt(estimate.upperBound)}`;
    throw new InputError(tooManyMessage(net.k, L, maxRegions, task, `about ${fmt(estimate.lowerEstimate)} regions or more (${how})`));
  }
  return estimate.samples > 0 ? estimate.lowerEstimate : estimate.upperBound;
}

/** The refusal: how many regions (estimated, or found during the work when no count is given), more than the limit, and what to do. */
export function tooManyMessage(k: number, L: number, maxRegions: number, task: string, estimated?: string): string {
  const count = estimated === undefined ? `found more than maxRegions = ${fmt(maxRegions)} regions` : `${estimated}, more than maxRegions = ${fmt(maxRegions)}`;
  return `regions: too many for ${task} in ${L === Infinity ? "R" : `[−${L}, ${L}]`}^${k} (k = ${k}): ${count}; lower k, use a smaller box (\`box\`), or raise the limit (\`maxRegions\`) if the time and memory allow`;
}

export interface RegionCountEstimate {
  /** Π_i Σ_{j ≤ min(k, n_1, …, n_{i−1})} C(n_i, j): each region of the earlier layers is cut by n_i hyperplanes in a space of that dimension (Zaslavsky), so this bounds the count in all of R^k. */
  readonly upperBound: number;
  /** Points sampled uniformly in the box (0 when the upper bound is already below the threshold) and the distinct patterns among them. */
  readonly samples: number;
  readonly distinct: number;
  /** The bias-corrected Chao1 estimate d + f₁(f₁ − 1)/(2(f₂ + 1)) (f₁, f₂: patterns seen once, twice) — a lower estimate of the number of regions, since large regions are sampled more often. */
  readonly lowerEstimate: number;
}

/**
 * Estimate the number of regions in the box (L = Infinity: in R^k, sampling a box around the first
 * layer's hyperplanes) without enumerating them, for a yes/no against `threshold`:
 * sampling starts only when the upper bound exceeds it, in batches of 1000 points, and stops once the
 * sample has enough repeats (≥ 30 patterns seen more than once) for the estimate to be stable and it is
 * clearly on one side (below threshold/10 or above the threshold), or after √(60·threshold) points —
 * where R = threshold regions of equal size would give ~30 repeats; a sample without repeats then says R
 * is far above the threshold.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([3, 40, 40, 3], "surf", 0);
 * const estimate = geometry.estimateRegionCount(net, 1, { threshold: 1000 });
 * estimate.upperBound;   // → 114511401
 * // far more than 1000, by sampling: enumerating them under maxRegions 1000 would be refused at once
 * estimate.lowerEstimate > 1000;   // → true
 */
export function estimateRegionCount(net: PiecewiseLinearNet, L: number, options: { seed?: Seed; threshold?: number } = {}): RegionCountEstimate {
  let upperBound = 1, dim = net.k, lastBend = 0;
  net.layers.forEach((layer, i) => {
    if (!bends(layer)) return;
    let s = 0, binom = 1;
    for (let j = 0; j <= Math.min(dim, layer.outDim); j++) {
      s += binom;
      binom = (binom * (layer.outDim - j)) / (j + 1);
    }
    upperBound *= s;
    dim = Math.min(dim, layer.outDim);
    lastBend = i + 1;
  });
  const threshold = options.threshold ?? DEFAULT_MAX_REGIONS;
  if (upperBound <= threshold) return { upperBound, samples: 0, distinct: 0, lowerEstimate: 0 };
  const rng = Rng.derive(options.seed ?? 0, "region-count-estimate");
  // In R^k, sample a box around the first layer's hyperplanes: its regions are some of R^k's, so the estimate stays a lower one.
  const S = Number.isFinite(L) ? L : samplingBox(net);
  const seen = new Map<string, number>();
  const x = new Float64Array(net.k);
  const maxSamples = Math.ceil(Math.sqrt(60 * threshold));
  let samples = 0, estimate = 0;
  while (samples < maxSamples) {
    for (let t = 0; t < 1000 && samples < maxSamples; t++, samples++) {
      rng.fillUniform(x, -S, S);
      const key = patternString(evaluate(net, x, lastBend).pattern);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    let f1 = 0, f2 = 0;
    for (const c of seen.values()) {
      if (c === 1) f1++;
      else if (c === 2) f2++;
    }
    estimate = Math.min(upperBound, seen.size + (f1 * (f1 - 1)) / (2 * (f2 + 1)));
    const repeated = seen.size - f1;
    if (repeated >= 30 && (estimate > threshold || estimate < threshold / 10)) break;
  }
  return { upperBound, samples, distinct: seen.size, lowerEstimate: estimate };
}

/** Twice the largest distance from 0 of a first-layer hyperplane, and at least 1. */
function samplingBox(net: PiecewiseLinearNet): number {
  const layer = net.layers.find(bends);
  let far = 0;
  if (layer) for (let r = 0; r < layer.outDim; r++) {
    let n2 = 0;
    for (let q = 0; q < layer.inDim; q++) n2 += layer.W[r * layer.inDim + q] ** 2;
    if (n2 > 0) far = Math.max(far, Math.abs(layer.b[r]) / Math.sqrt(n2));
  }
  return Math.min(1e300, Math.max(1, 2 * far));
}

function fmt(n: number): string {
  return n < 1e6 ? String(Math.round(n)) : n.toExponential(2);
}
