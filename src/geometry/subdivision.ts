/**
 * Layer-by-layer subdivision of the box [−L, L]^k into the linear regions of G (exact up to the vertex
 * tolerance below, in float64). Depth first: a region of layers < i is cut by the n_i hyperplanes of
 * layer i — which are genuine hyperplanes on it, A z + β with A = W_i J, β = W_i c + b_i for the region's
 * affine map x_{i−1} = J z + c (seed 000, Section 5) — one cutting hyperplane at a time (polytope.ts); a
 * hyperplane that misses a region, or touches only its boundary, fixes that neuron's sign there. Each
 * region found at the last layer is handed to a visitor. A hyperplane can only cut the children of a
 * region it cuts, so each child tests only its parent's cutting hyperplanes. When only interior points
 * are wanted (`interiorOnly`), a region of the last layer cut by one or two hyperplanes is finished
 * without building any polytope: the centroids of its pieces come straight from its vertices and edges
 * (polytope.ts, halfCentroids and quarterCentroids).
 *
 * `fixed` turns a split into a clip (keep one side only): the subdivision then lists the pieces of
 * P(x, θ, τ) (pieces.ts). Regions are full-dimensional; a neuron whose pre-activation is identically 0
 * on a region is inactive there (the tie rule of pattern.ts).
 */
import { InputError } from "../errors.js";
import { bends, neuronCount, type PiecewiseLinearNet } from "./affine.js";
import { PolytopeStack, type Polytope } from "./polytope.js";
import { applyPattern, layerPreimage, type Region } from "./region.js";

/**
 * A vertex v is on hyperplane a·z + β = 0 when |a·v + β| ≤ ZERO_TOL (‖a‖₁ L + |β|). Vertices are made by
 * interpolation along edges, each cut adding ~ε relative error, so after the ≤ a few hundred cuts of a
 * region their error is ~1e-13 relative; 1e-9 keeps a margin of 10⁴ above that, while a vertex of a
 * generic arrangement falls that close to an unrelated hyperplane with probability ~1e-9 per pair.
 */
export const ZERO_TOL = 1e-9;

/** What a visitor sees of one region (valid only during the call: copy what you keep). */
export interface Leaf {
  /** The region's pattern (a live buffer). */
  readonly pattern: Uint8Array;
  /** A strictly interior point: the centroid of the region's vertices (a live buffer). */
  readonly interior: Float64Array;
  /** The region as a polytope on `stack`; null under `interiorOnly` for regions made by the last one or two cuts. */
  readonly polytope: Polytope | null;
  readonly stack: PolytopeStack;
  /** The H-representation from the constraints tight at some vertex (every facet, few redundant rows), and G's affine map on the region (needs `polytope`). */
  region(): Region;
}

export interface SubdivisionOptions {
  /** Per neuron: +1 keep only its active side, −1 only its inactive side, 0 split (default). */
  readonly fixed?: Int8Array;
  /** Throw InputError once more regions than this are found … */
  readonly maxRegions?: number;
  /** … with this message (default: a generic one). */
  readonly tooMany?: string;
  /** The visitor needs only patterns and interior points: a cut whose two halves are both regions then skips building them. */
  readonly interiorOnly?: boolean;
}

interface LayerState {
  /** Index of the layer in net.layers and of its first neuron in the pattern. */
  readonly layer: number;
  readonly offset: number;
  /** Pre-activations A z + β on the current region of the previous layers (outDim × k). */
  readonly A: Float64Array;
  readonly beta: Float64Array;
  readonly tol: Float64Array;
}

/** Visit every region of G inside [−L, L]^k (or, with `fixed`, the pieces it allows); returns their number. */
export function subdivide(net: PiecewiseLinearNet, L: number, visit: (leaf: Leaf) => void, options: SubdivisionOptions = {}): number {
  const k = net.k, N = neuronCount(net);
  const stack = new PolytopeStack(k, Math.ceil((2 * k + N) / 32));
  const pattern = new Uint8Array(N);
  const fixed = options.fixed;
  const maxRegions = options.maxRegions ?? Infinity;
  const states: LayerState[] = [];
  let lastBend = net.layers.length - 1;
  while (lastBend >= 0 && !bends(net.layers[lastBend])) lastBend--;
  let sides = new Int8Array(64), values = new Float64Array(64);
  // Candidate hyperplanes, stacked like the polytopes.
  let cands = new Int32Array(1024), candTop = 0;
  let count = 0;
  const light = options.interiorOnly === true && fixed === undefined;
  const interior = new Float64Array(k), plusCentre = new Float64Array(k), minusCentre = new Float64Array(k);
  const quarterSeen = new Int32Array(2), quarterCentres = new Float64Array(4 * k);

  /**
   * Signed values and sides of P's vertices for hyperplane j; returns 1 | 2 bits for "some positive" |
   * "some negative". With `test`, stops as soon as both are seen (values then incomplete).
   */
  const classify = (P: Polytope, st: LayerState, j: number, test: boolean): number => {
    const { A, beta, tol } = st, X = stack.X;
    if (sides.length < P.nv) {
      sides = new Int8Array(2 * P.nv);
      values = new Float64Array(2 * P.nv);
    }
    let seen = 0;
    const t = tol[j];
    for (let v = 0, o = P.x; v < P.nv; v++, o += k) {
      let s = beta[j];
      for (let l = 0; l < k; l++) s += A[j * k + l] * X[o + l];
      values[v] = s;
      if (s > t) {
        sides[v] = 1;
        seen |= 1;
      } else if (s < -t) {
        sides[v] = -1;
        seen |= 2;
      } else sides[v] = 0;
      if (test && seen === 3) break;
    }
    return seen;
  };

  /** Cut the region by the hyperplanes cands[from, from + len) of the current layer. */
  const arrange = (P: Polytope, from: number, len: number): void => {
    const st = states[states.length - 1];
    const { A, beta, tol, offset } = st;
    const X = stack.X, mid = P.x + P.nv * k, half = mid + k;
    const candMark = candTop;
    if (candTop + len > cands.length) {
      const grown = new Int32Array(2 * (candTop + len));
      grown.set(cands);
      cands = grown;
    }
    // The hyperplanes that cut P become the children's candidates, written above the current ones.
    let cutting = 0;
    for (let c = 0; c < len; c++) {
      const j = cands[from + c];
      // The bounding box decides most hyperplanes in O(k): |a·(v − mid)| ≤ Σ |a_l| halfwidth_l for every vertex v.
      let s = beta[j], reach = tol[j];
      for (let l = 0; l < k; l++) {
        const a = A[j * k + l];
        s += a * X[mid + l];
        reach += Math.abs(a) * X[half + l];
      }
      reach *= 1 + 1e-12;
      let sign: number;
      if (s > reach) sign = 1;
      else if (s < -reach) sign = -1;
      else {
        const seen = classify(P, st, j, true);
        if (seen === 3) {
          cands[candTop + cutting++] = j;
          continue;
        }
        sign = seen === 1 ? 1 : -1; // all on h (pre-activation ≡ 0 here): inactive, the tie rule
      }
      if (fixed && fixed[offset + j] !== 0 && fixed[offset + j] !== sign) return; // the piece is empty
      pattern[offset + j] = sign > 0 ? 1 : 0;
    }
    if (cutting === 0) {
      nextLayer(P);
      return;
    }
    if (cutting <= 2 && light && st.layer === lastBend) {
      // The pieces are regions, and only their interior points are wanted: no polytope is built.
      const j = cands[candTop];
      classify(P, st, j, false);
      if (cutting === 1) {
        stack.halfCentroids(P, values, sides, plusCentre, minusCentre);
        pattern[offset + j] = 1;
        emit(null, plusCentre);
        pattern[offset + j] = 0;
        emit(null, minusCentre);
        return;
      }
      const i = cands[candTop + 1];
      stack.quarterCentroids(P, values, sides, 2 * k + offset + j, A, i * k, beta[i], tol[i], quarterSeen, quarterCentres);
      for (let h = 0; h < 2; h++) {
        pattern[offset + j] = 1 - h;
        const seen = quarterSeen[h];
        // As arrange() on the half would decide i: split, or one side (all on it: inactive, the tie rule).
        pattern[offset + i] = seen === 1 || seen === 3 ? 1 : 0;
        for (let l = 0; l < k; l++) interior[l] = quarterCentres[2 * h * k + l];
        emit(null, interior);
        if (seen !== 3) continue;
        pattern[offset + i] = 0;
        for (let l = 0; l < k; l++) interior[l] = quarterCentres[(2 * h + 1) * k + l];
        emit(null, interior);
      }
      return;
    }
    const mine = candTop;
    candTop += cutting;
    // Clips before splits: they shrink the region without branching.
    let pick = 0;
    if (fixed) for (let c = 0; c < cutting; c++) if (fixed[offset + cands[mine + c]] !== 0) {
      pick = c;
      break;
    }
    const j = cands[mine + pick];
    cands[mine + pick] = cands[mine];
    cands[mine] = j;
    classify(P, st, j, false);
    const mark = stack.mark();
    const want = fixed ? (fixed[offset + j] as -1 | 0 | 1) : 0;
    const [plus, minus] = stack.cut(P, values, sides, 2 * k + offset + j, want);
    if (plus) {
      pattern[offset + j] = 1;
      arrange(plus, mine + 1, cutting - 1);
    }
    if (minus) {
      pattern[offset + j] = 0;
      arrange(minus, mine + 1, cutting - 1);
    }
    stack.release(mark);
    candTop = candMark;
  };

  /** The region is settled for the current layer: fix its activations and go on to the next bending layer. */
  const nextLayer = (P: Polytope): void => {
    const st = states[states.length - 1];
    if (st.layer === lastBend) {
      stack.centroid(P, interior);
      emit(P, interior);
      return;
    }
    const layer = net.layers[st.layer];
    const J = Float64Array.from(st.A), c = Float64Array.from(st.beta);
    applyPattern(layer, J, c, k, pattern, st.offset);
    enterLayer(P, st.layer + 1, st.offset + layer.outDim, J, c);
  };

  const enterLayer = (P: Polytope, li: number, offset: number, J: Float64Array, c: Float64Array): void => {
    // Linear layers in between only compose the affine map.
    while (!bends(net.layers[li])) {
      ({ A: J, beta: c } = layerPreimage(net.layers[li], J, c, k));
      li++;
    }
    const layer = net.layers[li];
    const { A, beta } = layerPreimage(layer, J, c, k);
    const n = layer.outDim, tol = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s1 = 0;
      for (let l = 0; l < k; l++) s1 += Math.abs(A[j * k + l]);
      tol[j] = ZERO_TOL * (s1 * L + Math.abs(beta[j]));
    }
    states.push({ layer: li, offset, A, beta, tol });
    const from = candTop;
    if (candTop + n > cands.length) {
      const grown = new Int32Array(2 * (candTop + n));
      grown.set(cands);
      cands = grown;
    }
    for (let j = 0; j < n; j++) cands[candTop + j] = j;
    candTop += n;
    arrange(P, from, n);
    candTop = from;
    states.pop();
  };

  // One Leaf, updated for each region (the visitor copies what it keeps).
  const leaf = { stack, polytope: null as Polytope | null, pattern, interior: interior as Float64Array, region: (): Region => leafRegion(leaf.polytope) };
  const emit = (P: Polytope | null, at: Float64Array): void => {
    if (++count > maxRegions) throw new InputError(options.tooMany ?? `more than ${maxRegions} regions in the box [−${L}, ${L}]^${k}`);
    leaf.polytope = P;
    leaf.interior = at;
    visit(leaf);
  };

  /** H-representation (support rows only) and affine map of a finished region. */
  const leafRegion = (P: Polytope | null): Region => {
    if (!P) throw new Error("subdivide: region() is not available under interiorOnly");
    let J = identity(k), c: Float64Array = new Float64Array(k), li = 0;
    const last = states[states.length - 1];
    if (last) {
      J = Float64Array.from(last.A);
      c = Float64Array.from(last.beta);
      applyPattern(net.layers[last.layer], J, c, k, pattern, last.offset);
      li = last.layer + 1;
    }
    // The trailing linear layers (the output layer V): enumeration alone never needs them.
    for (; li < net.layers.length; li++) ({ A: J, beta: c } = layerPreimage(net.layers[li], J, c, k));
    const ids = Int32Array.from(stack.supportIds(P));
    const rows = ids.length, C = new Float64Array(rows * k), d = new Float64Array(rows);
    ids.forEach((id, i) => {
      if (id < 2 * k) {
        C[i * k + (id >> 1)] = id & 1 ? 1 : -1;
        d[i] = L;
        return;
      }
      const neuron = id - 2 * k;
      let h = states.length - 1;
      while (states[h].offset > neuron) h--;
      const st = states[h], j = neuron - st.offset, sgn = pattern[neuron] ? -1 : 1;
      for (let l = 0; l < k; l++) C[i * k + l] = sgn * st.A[j * k + l];
      d[i] = -sgn * st.beta[j];
    });
    return { dim: k, rows, C, d, ids, pattern: pattern.slice(), n: c.length, J, c };
  };

  if (lastBend < 0) {
    // No hyperplanes at all: the box is the one region, centred at 0.
    emit(stack.box(L), interior);
    return 1;
  }
  enterLayer(stack.box(L), 0, 0, identity(k), new Float64Array(k));
  return count;
}

function identity(k: number): Float64Array {
  const I = new Float64Array(k * k);
  for (let l = 0; l < k; l++) I[l * k + l] = 1;
  return I;
}
