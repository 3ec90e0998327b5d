/**
 * Layer-by-layer subdivision of the box [−L, L]^k — or of all of R^k, L = Infinity — into the linear
 * regions of G, exactly. Depth first: a region of layers < i is cut by the n_i hyperplanes of layer i —
 * which are genuine hyperplanes on it, A z + β with A = W_i J, β = W_i c + b_i for the region's affine
 * map x_{i−1} = J z + c (Song, Fan & Lafferty 2019, Section 5) — one cutting hyperplane at a time (polytope.ts); a
 * hyperplane that misses a region, or touches only its boundary, fixes that neuron's sign there. Each
 * region found at the last layer is handed to a visitor. A hyperplane can only cut the children of a
 * region it cuts, so each child tests only its parent's cutting hyperplanes. When only interior points
 * are wanted (`interiorOnly`), a region of the last layer cut by one or two hyperplanes is finished
 * without building any polytope: the centroids of its pieces come straight from its vertices and edges
 * (polytope.ts, halfCentroids and quarterCentroids); for k ≥ 5 one cut by more is finished by edge
 * subdivision (cells.ts), which holds each vertex once instead of once per cell around it.
 *
 * Every sign decision is exact (Shewchuk 1997's filtered predicates): the side of hyperplane j at a
 * vertex v is read from the float64 value s = â_j·v̂ + β̂_j in coordinates scaled to the unit box when
 * |s| exceeds a certified bound on its error, c1_j·r_v + c0_j (r_v: the vertex's coordinate error,
 * polytope.ts; c1, c0: the hyperplane's size, the rounding of s, and the error of â_j, β̂_j, carried
 * through the products of weight matrices by Higham 2002's |fl(Σ x_i y_i) − Σ x_i y_i| ≤ γ_n Σ|x_i y_i|),
 * and otherwise from exact arithmetic on the weights (exact.ts): the vertex solved from its tight
 * constraints, the hyperplane's exact row from the region's exact affine map. The bound scales with
 * the box, with each neuron's weights and with the weights' own sizes, so the decisions do not depend
 * on any of them; a region is never counted unless it has interior, and every region with interior is.
 * For L = Infinity every decision is made exactly on the box of symbolic size Ω (exact.ts).
 *
 * `fixed` turns a split into a clip (keep one side only): the subdivision then lists the pieces of
 * P(x, θ, τ) (pieces.ts). Regions are full-dimensional; a neuron whose pre-activation is identically 0
 * on a region is inactive there (the tie rule of pattern.ts).
 */
import { InputError } from "../errors.js";
import { bends, neuronCount, type AffineLayer, type PiecewiseLinearNet } from "./affine.js";
import { boxRow, dyadicArray, exactPattern, exactPreimage, ExactBox, hyperplaneRow, solveVertex, type Dyadic, type ExactPoint, type ExactRow } from "./exact.js";
import { CellArrangement, MAX_CELL_HYPERPLANES, MIN_CELL_K } from "./cells.js";
import { EPS, PolytopeStack, TINY, type Polytope } from "./polytope.js";
import { applyPattern, layerPreimage, type Region } from "./region.js";

/** What a visitor sees of one region (valid only during the call: copy what you keep). */
export interface Leaf {
  /** The region's pattern (a live buffer). */
  readonly pattern: Uint8Array;
  /** A strictly interior point: the centroid of the region's vertices (a live buffer; for L = Infinity, see exactVertices). */
  readonly interior: Float64Array;
  /** The region as a polytope on `stack` (coordinates scaled to the unit box: multiply by L); null under `interiorOnly` for regions made by the last one or two cuts. */
  readonly polytope: Polytope | null;
  readonly stack: PolytopeStack;
  /** The half-width of the box (Infinity: all of R^k). */
  readonly L: number;
  /** The H-representation from the constraints tight at some vertex (every facet, few redundant rows; no box rows for L = Infinity), and G's affine map on the region (needs `polytope`). */
  region(): Region;
  /** The exact vertices of the polytope (z = L q + p; for L = Infinity, those with q ≠ 0 are points at infinity in direction q), and the exact rows of the constraints tight at some vertex with their ids (needs `polytope`). */
  exactVertices(): { points: ExactPoint[]; ids: number[]; rows: ExactRow[] };
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
  /** Counts the sign decisions made exactly (the filter could not certify them), for tests and benchmarks. */
  readonly stats?: { exact: number; filtered: number; refreshed?: number };
}

interface LayerState {
  /** Index of the layer in net.layers and of its first neuron in the pattern. */
  readonly layer: number;
  readonly offset: number;
  /** Pre-activations A z + β on the current region of the previous layers (outDim × k), float64, unscaled. */
  readonly A: Float64Array;
  readonly beta: Float64Array;
  /** Bounds on the errors of each row of A (ℓ1) and of β. */
  readonly ea: Float64Array;
  readonly eb: Float64Array;
  /** β/L, and the filter's constants: |error of s| ≤ c1_j r_v + c0_j at a vertex, ≤ c1_j r_max + cbox_j over a bounding box. */
  readonly bhat: Float64Array;
  readonly c1: Float64Array;
  readonly c0: Float64Array;
  readonly cbox: Float64Array;
  /** The exact pre-activations (built when the filter first fails in this region) and the exact vertices found so far, by incidence set. */
  exact: { A: Dyadic; beta: Dyadic; rows: ExactRow[] } | null;
  readonly points: Map<string, ExactPoint>;
}

/** The error bound of a vertex whose coordinates are the exact ones, rounded (ExactSource). */
const REFRESHED = 4 * EPS + TINY;

/** γ_n = n u/(1 − n u) (Higham 2002, Lemma 3.1), with the bound's own rounding absorbed by a relative 1e-9. */
function gamma(n: number): number {
  return ((n * EPS) / (1 - n * EPS)) * (1 + 1e-9);
}

/**
 * Visit every region of G inside [−L, L]^k (L = Infinity: in R^k), or with `fixed` the pieces it allows; returns their number.
 * Long by design: one closure over the enumeration's state (the stack of polytopes, the layers' states, the
 * scratch), whose steps are the named functions inside it — exactState, classify, arrange, lightCuts,
 * nextLayer, enterLayer, emit, leafRegion — each under 80 lines, as is the body around them.
 * @example subdivide(net, 1, (leaf) => console.log(patternString(leaf.pattern)))
 */
export function subdivide(net: PiecewiseLinearNet, L: number, visit: (leaf: Leaf) => void, options: SubdivisionOptions = {}): number {
  const k = net.k, N = neuronCount(net);
  const box = new ExactBox(L), infinite = box.infinite;
  // Float coordinates are scaled to the unit box; for L = Infinity they play no part in any decision.
  const scale = infinite ? 1 : L;
  const stats = options.stats;
  const words = Math.ceil((2 * k + N) / 32);
  const pattern = new Uint8Array(N);
  const fixed = options.fixed;
  const maxRegions = options.maxRegions ?? Infinity;
  const states: LayerState[] = [];
  let lastBend = net.layers.length - 1;
  while (lastBend >= 0 && !bends(net.layers[lastBend])) lastBend--;
  let sides = new Int8Array(64), values = new Float64Array(64), errs = new Float64Array(64);
  // Candidate hyperplanes, stacked like the polytopes.
  let cands = new Int32Array(1024), candTop = 0;
  let count = 0;
  const light = options.interiorOnly === true && fixed === undefined && !infinite;
  const interior = new Float64Array(k), plusCentre = new Float64Array(k), minusCentre = new Float64Array(k);
  const quarterSeen = new Int32Array(2), quarterCentres = new Float64Array(4 * k);
  const exactLayers: ({ W: Dyadic; b: Dyadic } | undefined)[] = [];
  const boxRows = Array.from({ length: 2 * k }, (_, id) => boxRow(id, k));

  /** The exact weights of layer li. */
  const exactLayer = (li: number): { W: Dyadic; b: Dyadic } => (exactLayers[li] ??= { W: dyadicArray(net.layers[li].W), b: dyadicArray(net.layers[li].b) });

  /** The exact pre-activations of state h (states[h]), from the exact map of the states below it on the path. */
  const exactState = (h: number): { A: Dyadic; beta: Dyadic; rows: ExactRow[] } => {
    const st = states[h];
    if (st.exact) return st.exact;
    let J: Dyadic, c: Dyadic, li: number;
    if (h === 0) {
      J = { num: Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1n : 0n)), exp: 0 };
      c = { num: new Array<bigint>(k).fill(0n), exp: 0 };
      li = 0;
    } else {
      const below = states[h - 1], prev = exactState(h - 1), layer = net.layers[below.layer];
      J = exactPattern(prev.A, layer.outDim, k, layer.slope, pattern, below.offset);
      c = exactPattern(prev.beta, layer.outDim, 1, layer.slope, pattern, below.offset);
      li = below.layer + 1;
    }
    for (; li <= st.layer; li++) {
      const layer = net.layers[li], { W, b } = exactLayer(li);
      ({ A: J, beta: c } = exactPreimage(W, b, layer.inDim, layer.outDim, J, c, k));
    }
    const n = net.layers[st.layer].outDim, rows = Array.from({ length: n }, (_, j) => hyperplaneRow(J, c, j, k));
    return (st.exact = { A: J, beta: c, rows });
  };

  /** The exact row of constraint `id` (box facet or neuron) on the current path. */
  const rowOf = (id: number): ExactRow => {
    if (id < 2 * k) return boxRows[id];
    const neuron = id - 2 * k;
    let h = states.length - 1;
    while (states[h].offset > neuron) h--;
    return exactState(h).rows[neuron - states[h].offset];
  };

  /** The exact vertex whose incidence set is inc[at … at + words), found on the path's states or solved. */
  const exactPoint = (inc: Uint32Array, at: number): ExactPoint => {
    let key = "";
    for (let w = 0; w < words; w++) key += inc[at + w].toString(36) + ",";
    for (let h = states.length - 1; h >= 0; h--) {
      const hit = states[h].points.get(key);
      if (hit) return hit;
    }
    const rows: ExactRow[] = [];
    for (let w = 0; w < words; w++) {
      for (let bits = inc[at + w]; bits !== 0; bits &= bits - 1) rows.push(rowOf(32 * w + (31 - Math.clz32(bits & -bits))));
    }
    const point = solveVertex(rows, k);
    states[states.length - 1].points.set(key, point);
    return point;
  };

  const stack = new PolytopeStack(k, words, {
    point: (inc, at, out, outAt) => {
      box.scaled(exactPoint(inc, at), out, outAt);
      return REFRESHED;
    },
  });

  // The last layer's cells inside a region, when only interior points are wanted (cells.ts).
  const cellArrangement = light && k >= MIN_CELL_K ? new CellArrangement(k, words, stack.exact, (inc, at, j) => {
    if (stats) stats.exact++;
    return box.sign(exactState(states.length - 1).rows[j], exactPoint(inc, at));
  }) : null;

  /** The exact side of hyperplane j (current layer) at vertex v of P. */
  const exactSide = (P: Polytope, j: number, v: number): number => {
    if (stats) stats.exact++;
    return box.sign(exactState(states.length - 1).rows[j], exactPoint(stack.INC, P.inc + v * words));
  };

  /**
   * Signed values, error bounds (−1: decided exactly) and sides of P's vertices for hyperplane j; returns
   * 1 | 2 bits for "some positive" | "some negative". With `test`, stops as soon as both are seen (values
   * then incomplete).
   */
  const classify = (P: Polytope, st: LayerState, j: number, test: boolean): number => {
    const { A, bhat, c1, c0 } = st, X = stack.X, R = stack.R, slot = P.x / k;
    if (sides.length < P.nv) {
      sides = new Int8Array(2 * P.nv);
      values = new Float64Array(2 * P.nv);
      errs = new Float64Array(2 * P.nv);
    }
    let seen = 0;
    const b = bhat[j], g1 = c1[j], g0 = c0[j];
    for (let v = 0, o = P.x; v < P.nv; v++, o += k) {
      let sd: number;
      if (infinite) {
        sd = exactSide(P, j, v);
        errs[v] = -1;
      } else {
        let s = b;
        for (let l = 0; l < k; l++) s += A[j * k + l] * X[o + l];
        values[v] = s;
        const e = g1 * R[slot + v] + g0;
        errs[v] = e;
        if (s > e) sd = 1;
        else if (s < -e) sd = -1;
        else if (R[slot + v] > REFRESHED) {
          // The vertex's bound has grown through its cuts (it compounds, as worst-case bounds do): replace its
          // coordinates by the exact ones, correctly rounded, and try the filter again before the exact sign.
          R[slot + v] = stack.exact.point(stack.INC, P.inc + v * words, X, o);
          if (stats) stats.refreshed = (stats.refreshed ?? 0) + 1;
          s = b;
          for (let l = 0; l < k; l++) s += A[j * k + l] * X[o + l];
          values[v] = s;
          const e2 = g1 * R[slot + v] + g0;
          errs[v] = e2;
          if (s > e2) sd = 1;
          else if (s < -e2) sd = -1;
          else {
            sd = exactSide(P, j, v);
            errs[v] = -1;
          }
        } else {
          sd = exactSide(P, j, v);
          errs[v] = -1;
        }
      }
      sides[v] = sd;
      if (sd > 0) seen |= 1;
      else if (sd < 0) seen |= 2;
      if (test && seen === 3) break;
    }
    if (stats) stats.filtered += P.nv;
    return seen;
  };

  /** True when every side of the last classify() was certified by the filter. */
  const certified = (P: Polytope): boolean => {
    for (let v = 0; v < P.nv; v++) if (errs[v] < 0) return false;
    return true;
  };

  /** Cut the region by the hyperplanes cands[from, from + len) of the current layer. */
  const arrange = (P: Polytope, from: number, len: number): void => {
    const st = states[states.length - 1];
    const { A, bhat, c1, cbox, offset } = st;
    const X = stack.X, mid = P.x + P.nv * k, half = mid + k, rmax = stack.R[P.x / k + P.nv];
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
      let sign = 0;
      if (!infinite) {
        // The bounding box decides most hyperplanes in O(k): |a·(v − mid)| ≤ Σ |a_l| halfwidth_l for every vertex v.
        let s = bhat[j], reach = c1[j] * rmax + cbox[j];
        for (let l = 0; l < k; l++) {
          const a = A[j * k + l];
          s += a * X[mid + l];
          reach += Math.abs(a) * X[half + l];
        }
        reach *= 1 + 8 * EPS;
        if (s > reach) sign = 1;
        else if (s < -reach) sign = -1;
      }
      if (sign === 0) {
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
    if (cutting <= 2 && light && st.layer === lastBend && lightCuts(P, st, cutting)) return;
    if (cellArrangement && cutting <= MAX_CELL_HYPERPLANES && st.layer === lastBend) {
      // Each vertex once, not once per cell around it (cells.ts); a region not in general position falls through to depth first.
      const done = cellArrangement.run(P.nv, stack.X, P.x, stack.R, P.x / k, stack.INC, P.inc, P.ne, stack.E, P.e, st, cands, candTop, cutting, 2 * k + offset, (bits, centre) => {
        for (let i = 0; i < cutting; i++) pattern[offset + cands[candTop + i]] = (bits >>> i) & 1;
        emit(null, centre);
      });
      if (done) return;
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
    const [plus, minus] = stack.cut(P, values, sides, errs, 2 * k + offset + j, want);
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

  /**
   * The last one or two cuts of the last layer when only interior points are wanted: the pieces are
   * regions, and no polytope is built. False (nothing emitted) when a side needs the exact predicate.
   */
  const lightCuts = (P: Polytope, st: LayerState, cutting: number): boolean => {
    const { A, bhat, c1, c0, offset } = st;
    const j = cands[candTop];
    classify(P, st, j, false);
    if (!certified(P)) return false;
    if (cutting === 1) {
      stack.halfCentroids(P, values, sides, plusCentre, minusCentre);
      pattern[offset + j] = 1;
      emit(null, plusCentre);
      pattern[offset + j] = 0;
      emit(null, minusCentre);
      return true;
    }
    const i = cands[candTop + 1];
    if (!stack.quarterCentroids(P, values, sides, errs, 2 * k + offset + j, A, i * k, bhat[i], c1[i], c0[i], quarterSeen, quarterCentres)) return false;
    for (let h = 0; h < 2; h++) {
      pattern[offset + j] = 1 - h;
      const seen = quarterSeen[h];
      // As arrange() on the half would decide i: split, or one side.
      pattern[offset + i] = seen === 1 || seen === 3 ? 1 : 0;
      for (let l = 0; l < k; l++) interior[l] = quarterCentres[2 * h * k + l];
      emit(null, interior);
      if (seen !== 3) continue;
      pattern[offset + i] = 0;
      for (let l = 0; l < k; l++) interior[l] = quarterCentres[(2 * h + 1) * k + l];
      emit(null, interior);
    }
    return true;
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
    const J = Float64Array.from(st.A), c = Float64Array.from(st.beta), eJ = Float64Array.from(st.ea), ec = Float64Array.from(st.eb);
    applyPattern(layer, J, c, k, pattern, st.offset);
    patternBounds(layer, st.A, st.beta, eJ, ec, k, pattern, st.offset);
    enterLayer(P, st.layer + 1, st.offset + layer.outDim, J, c, eJ, ec);
  };

  const enterLayer = (P: Polytope, li: number, offset: number, J: Float64Array, c: Float64Array, eJ: Float64Array, ec: Float64Array): void => {
    // Linear layers in between only compose the affine map.
    while (!bends(net.layers[li])) {
      ({ A: J, beta: c, ea: eJ, eb: ec } = boundedPreimage(net.layers[li], J, c, eJ, ec, k));
      li++;
    }
    const layer = net.layers[li];
    const { A, beta, ea: EA, eb: Ebeta } = boundedPreimage(layer, J, c, eJ, ec, k);
    const n = layer.outDim;
    const bhat = new Float64Array(n), c1 = new Float64Array(n), c0 = new Float64Array(n), cbox = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let n1 = 0;
      for (let l = 0; l < k; l++) n1 += Math.abs(A[j * k + l]);
      const ea = EA[j];
      const b = beta[j] / scale, eb = Ebeta[j] / scale + EPS * Math.abs(b) + TINY;
      bhat[j] = b;
      // |fl(β̂ + â·v̂) − (β/L + a·v)| ≤ γ_{k+1}(|β̂| + ‖â‖₁|v̂|∞) + ‖â‖₁ r_v + Σ|â − a| + |β̂ − β/L|, with |v̂|∞ ≤ 1 + 4u, |v|∞ ≤ 1.
      const size = Math.abs(b) + n1 * (1 + 4 * EPS);
      c1[j] = n1 * (1 + 1e-9);
      c0[j] = (gamma(k + 1) * size + ea + eb + (k + 2) * TINY) * (1 + 1e-9);
      cbox[j] = c0[j] + 2 * gamma(2 * k + 2) * size;
    }
    states.push({ layer: li, offset, A, beta, ea: EA, eb: Ebeta, bhat, c1, c0, cbox, exact: null, points: new Map() });
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
  const leaf = {
    stack, L, polytope: null as Polytope | null, pattern, interior: interior as Float64Array,
    region: (): Region => leafRegion(leaf.polytope),
    exactVertices: () => leafExact(leaf.polytope),
  };
  const emit = (P: Polytope | null, at: Float64Array): void => {
    if (++count > maxRegions) throw new InputError(options.tooMany ?? `more than ${maxRegions} regions in ${infinite ? "R" : `the box [−${L}, ${L}]`}^${k}`);
    leaf.polytope = P;
    // Back to the box's own units (for L = Infinity, interior points come from exactVertices).
    for (let l = 0; l < k; l++) interior[l] = at[l] * scale;
    leaf.interior = interior;
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
    const ids = Int32Array.from(stack.supportIds(P).filter((id) => !infinite || id >= 2 * k));
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

  const leafExact = (P: Polytope | null): { points: ExactPoint[]; ids: number[]; rows: ExactRow[] } => {
    if (!P) throw new Error("subdivide: exactVertices() is not available under interiorOnly");
    const points: ExactPoint[] = [];
    for (let v = 0; v < P.nv; v++) points.push(exactPoint(stack.INC, P.inc + v * words));
    const ids = stack.supportIds(P);
    // Rows oriented so that the region is {a·z + β ≤ 0} for neurons: an active neuron's row is negated.
    const rows = ids.map((id) => {
      const r = rowOf(id);
      if (id < 2 * k || !pattern[id - 2 * k]) return r;
      return { a: r.a.map((v) => -v), rq: -r.rq, rp: -r.rp };
    });
    return { points, ids, rows };
  };

  if (lastBend < 0) {
    // No hyperplanes at all: the box is the one region, centred at 0.
    emit(stack.box(1), new Float64Array(k));
    return 1;
  }
  const I = identity(k);
  enterLayer(stack.box(1), 0, 0, I, new Float64Array(k), new Float64Array(k), new Float64Array(k));
  return count;
}

/**
 * The layer's pre-activations A z + β on the affine map J z + c (layerPreimage), with bounds on the errors
 * of each row of A (in ℓ1, all the filter needs) and of β, given those of J's rows (eJ) and of c (ec):
 * Σ_l |fl(Σ_q w_q J_ql) − Σ_q w_q J*_ql| ≤ Σ_q |w_q| (γ_m ‖J_q‖₁ + eJ_q) (Higham 2002, eq. 3.5; m = inDim
 * terms, one more for the bias).
 */
function boundedPreimage(layer: AffineLayer, J: Float64Array, c: Float64Array, eJ: Float64Array, ec: Float64Array, k: number): { A: Float64Array; beta: Float64Array; ea: Float64Array; eb: Float64Array } {
  const { A, beta } = layerPreimage(layer, J, c, k);
  const { inDim, outDim, W } = layer;
  const ea = new Float64Array(outDim), eb = new Float64Array(outDim);
  const gA = gamma(inDim), gb = gamma(inDim + 1);
  // Per input q: γ_m ‖J_q‖₁ + eJ_q, and |c_q|.
  // Inputs identically 0 on the region, with no error (inactive ReLUs), are skipped.
  const rowA = new Float64Array(inDim), live = new Int32Array(inDim);
  let n = 0;
  for (let q = 0; q < inDim; q++) {
    let s = 0;
    for (let l = 0; l < k; l++) s += Math.abs(J[q * k + l]);
    rowA[q] = gA * s + eJ[q];
    if (rowA[q] !== 0 || c[q] !== 0 || ec[q] !== 0) live[n++] = q;
  }
  for (let r = 0; r < outDim; r++) {
    let sa = 0, sb = Math.abs(layer.b[r]), e = 0;
    for (let i = 0; i < n; i++) {
      const q = live[i], w = Math.abs(W[r * inDim + q]);
      sa += w * rowA[q];
      sb += w * Math.abs(c[q]);
      e += w * ec[q];
    }
    ea[r] = sa * (1 + 1e-9) + TINY;
    eb[r] = (gb * sb + e) * (1 + 1e-9) + TINY;
  }
  return { A, beta, ea, eb };
}

/** The error bounds of applyPattern's output: an inactive row is scaled by the slope (one rounding each). */
function patternBounds(layer: AffineLayer, A: Float64Array, beta: Float64Array, ea: Float64Array, eb: Float64Array, k: number, pattern: Uint8Array, at: number): void {
  const s = Math.abs(layer.slope);
  for (let r = 0; r < layer.outDim; r++) {
    if (pattern[at + r]) continue;
    let n1 = 0;
    for (let l = 0; l < k; l++) n1 += Math.abs(A[r * k + l]);
    eb[r] = s === 0 ? 0 : s * eb[r] + EPS * s * Math.abs(beta[r]) + TINY;
    ea[r] = s === 0 ? 0 : s * ea[r] + EPS * s * n1 + TINY;
  }
}

function identity(k: number): Float64Array {
  const I = new Float64Array(k * k);
  for (let l = 0; l < k; l++) I[l * k + l] = 1;
  return I;
}
