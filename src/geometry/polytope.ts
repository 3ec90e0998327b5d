/**
 * Bounded full-dimensional polytopes in R^k held by their vertices, their incidences (the set Z(v) of
 * constraint ids tight at v, as a bitset; ids as in region.ts) and their edges — the double description
 * that the subdivision (subdivision.ts) cuts by one hyperplane at a time.
 *
 * Cutting P by h: vertices strictly on one side go to that half, vertices on h (h(v) = 0, as the
 * caller's exact predicate decides) to both, and every edge with endpoints strictly on opposite sides gets a new vertex
 * p with Z(p) = Z(u) ∩ Z(w) ∪ {h}. Edges of a half: the old edges inside it (minus those lying in h), the
 * cut edges' retained parts, and the edges of the face P ∩ h, which are found by the *combinatorial*
 * adjacency test of the double description method (Fukuda & Prodon 1996): two vertices a, b of the face
 * are adjacent iff no third vertex c has Z(a) ∩ Z(b) ⊆ Z(c) (Z(a) ∩ Z(b) defines the smallest face
 * containing both; it is an edge iff it holds no other vertex). This test is exact for any number of
 * hyperplanes through a vertex, where counting shared hyperplanes (k − 1 of them; Berzins 2023) is not.
 *
 * Coordinates are those of the box scaled to [−1, 1]^k, and each vertex carries a certified bound r_v on
 * the error of its float64 coordinates (max norm): cutting an edge whose ends' signed values x > e_u and
 * −y < −e_w are certified (e: the filter's bound) moves the interpolation parameter t = x/(x + y) by at most
 * (e_u + e_w)/(x + y − e_u − e_w), since x + y has no cancellation; the new vertex's bound adds that times
 * the edge's length to the larger of its ends'. A vertex whose side was decided exactly gets its
 * coordinates from the exact solver instead (ExactSource), correctly rounded.
 *
 * Storage is a stack (the subdivision is depth first): polytopes are offsets into three growable typed
 * arrays, released together by `release(mark)` — a cut then allocates no typed arrays at all. The last
 * one or two cuts of a subdivision, whose pieces need only an interior point, build nothing
 * (halfCentroids, quarterCentroids).
 */

/** A polytope on a PolytopeStack: offsets into its arrays (valid until released). */
export interface Polytope {
  readonly nv: number;
  readonly ne: number;
  /**
   * Offset of the nv × k coordinates in X. They are followed by the centre and the half-widths of the
   * bounding box (at x + nv·k and x + (nv+1)·k).
   */
  readonly x: number;
  /** Offset of the nv × words incidence bitsets in INC. */
  readonly inc: number;
  /** Offset of the 2·ne vertex indices in E. */
  readonly e: number;
}

export interface Mark {
  readonly x: number;
  readonly inc: number;
  readonly e: number;
}

export class PolytopeStack {
  X: Float64Array = new Float64Array(1 << 16);
  /** Per vertex slot (offset in X / k): the bound r_v on its coordinates' error; at a polytope's centre slot, the largest of its vertices'. */
  R: Float64Array = new Float64Array(1 << 16);
  INC: Uint32Array = new Uint32Array(1 << 14);
  E: Int32Array = new Int32Array(1 << 15);
  private xTop = 0;
  private incTop = 0;
  private eTop = 0;
  // Scratch for cut().
  private map = new Int32Array(64);
  private mapMinus = new Int32Array(64);
  private cutEdge = new Int32Array(64);
  private PX = new Float64Array(256);
  private PR = new Float64Array(64);
  private faceInc = new Uint32Array(256);
  private faceV = new Int32Array(64);
  private faceEdges = new Int32Array(128);
  private degree = new Int32Array(64);
  // The last face(): its old and new vertex counts and its edges.
  private nOn = 0;
  private nCut = 0;
  private nFace = 0;
  // Scratch for quarterCentroids().
  private gValue = new Float64Array(64);
  private gSide = new Int8Array(64);
  private readonly quarterCount = new Int32Array(4);
  private quarterSplit = 0;
  private quarterP: Polytope = { nv: 0, ne: 0, x: 0, inc: 0, e: 0 };
  /** The halves' bounding boxes while halves() builds them. */
  private readonly boxScratch: Float64Array;
  private slotVertex = new Int32Array(0);
  private slotBit = new Int32Array(0);
  private slotHash = new Int32Array(0);
  private readonly common: Uint32Array;

  /** A fixed pseudo-random word per constraint id, for hashing sets of ids (adjacentPairs). */
  private readonly zobrist: Int32Array;

  constructor(
    readonly k: number,
    /** Uint32 words per incidence bitset. */
    readonly words: number,
    /** Exact coordinates of a vertex from its incidence set, for cut edges whose sides the filter could not certify. */
    readonly exact: ExactSource,
  ) {
    this.common = new Uint32Array(words);
    this.boxScratch = new Float64Array(4 * k);
    this.zobrist = new Int32Array(32 * words);
    let x = 0x9e3779b9;
    for (let i = 0; i < this.zobrist.length; i++) {
      // xorshift32: any fixed, well-mixed words do.
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.zobrist[i] = x;
    }
  }

  mark(): Mark {
    return { x: this.xTop, inc: this.incTop, e: this.eTop };
  }

  /** Free every polytope allocated after `m`. */
  release(m: Mark): void {
    this.xTop = m.x;
    this.incTop = m.inc;
    this.eTop = m.e;
  }

  /** The box [−L, L]^k: vertex bit l set means coordinate l is +L; box facet ids 2l (z_l ≥ −L) and 2l + 1 (z_l ≤ L). */
  box(L: number): Polytope {
    const { k, words } = this;
    const nv = 2 ** k, ne = k * 2 ** (k - 1);
    const x = this.allocX((nv + 2) * k), inc = this.allocInc(nv * words), e = this.allocE(2 * ne);
    const { X, INC, E } = this;
    INC.fill(0, inc, inc + nv * words);
    let q = e;
    for (let v = 0; v < nv; v++) {
      for (let l = 0; l < k; l++) {
        const up = (v >> l) & 1;
        X[x + v * k + l] = up ? L : -L;
        INC[inc + v * words + ((2 * l + up) >>> 5)] |= 1 << ((2 * l + up) & 31);
        if (!up) {
          E[q++] = v;
          E[q++] = v | (1 << l);
        }
      }
    }
    // Its bounding box: centre 0, half-widths L. Its corners are exact.
    X.fill(0, x + nv * k, x + (nv + 1) * k);
    X.fill(L, x + (nv + 1) * k, x + (nv + 2) * k);
    this.R.fill(0, x / k, x / k + nv + 1);
    return { nv, ne, x, inc, e };
  }

  /** The union of the vertices' incidences: every facet's id is in it (plus ids tight only on lower faces). */
  supportIds(P: Polytope): number[] {
    const ids: number[] = [], { words, INC } = this;
    for (let w = 0; w < words; w++) {
      let bits = 0;
      for (let v = 0; v < P.nv; v++) bits |= INC[P.inc + v * words + w];
      for (let b = 0; b < 32; b++) if (bits & (1 << b)) ids.push(32 * w + b);
    }
    return ids;
  }

  /**
   * The halves of P cut by hyperplane `id`, whose signed values at the vertices are `s`, classified as
   * `side` (−1, 0 on the hyperplane, +1; the caller guarantees vertices strictly on both sides); `err`
   * is the filter's certified bound on each |s| error, or −1 where the side was decided exactly.
   * `want`: +1 or −1 for one half (a clip), 0 for both. Returns [positive half, negative half] (null where not wanted).
   */
  cut(P: Polytope, s: Float64Array, side: Int8Array, err: Float64Array, id: number, want: -1 | 0 | 1): [Polytope | null, Polytope | null] {
    this.faceVertices(P, s, side, err, id);
    this.adjacentPairs(this.nOn + this.nCut, id);
    return this.halves(P, side, id, want);
  }

  /**
   * The vertices of the face P ∩ h of the cut by hyperplane `id`, into the scratch arrays: the nOn old
   * ones on h (listed in faceV), then the nCut new ones on the cut edges (at PX), and their incidences
   * (faceInc). Its edges are adjacentPairs()'s.
   */
  private faceVertices(P: Polytope, s: Float64Array, side: Int8Array, err: Float64Array, id: number): void {
    const { k, words } = this;
    const { nv, ne } = P;
    const { X, R, INC, E } = this;
    // Scratch sized for the worst case.
    if (this.cutEdge.length < ne) this.cutEdge = new Int32Array(2 * ne);
    if (this.PX.length < ne * k) this.PX = new Float64Array(2 * ne * k);
    if (this.PR.length < ne) this.PR = new Float64Array(2 * ne);
    if (this.faceInc.length < (nv + ne) * words) this.faceInc = new Uint32Array(2 * (nv + ne) * words);
    if (this.faceV.length < nv) this.faceV = new Int32Array(2 * nv);
    const { cutEdge, PX, PR, faceInc, faceV } = this;
    const bitWord = id >>> 5, bit = 1 << (id & 31), slot = P.x / k;
    let nOn = 0;
    for (let v = 0; v < nv; v++) {
      if (side[v] !== 0) continue;
      faceV[nOn] = v;
      for (let b = 0; b < words; b++) faceInc[nOn * words + b] = INC[P.inc + v * words + b];
      faceInc[nOn * words + bitWord] |= bit;
      nOn++;
    }
    let nCut = 0;
    for (let q = 0, f = P.e; q < ne; q++, f += 2) {
      const u = E[f], w = E[f + 1];
      if (side[u] * side[w] >= 0) continue;
      cutEdge[nCut] = q;
      const fi = (nOn + nCut) * words, iu = P.inc + u * words, iw = P.inc + w * words;
      for (let b = 0; b < words; b++) faceInc[fi + b] = INC[iu + b] & INC[iw + b];
      faceInc[fi + bitWord] |= bit;
      const op = nCut * k;
      const eu = err[u], ew = err[w];
      if (eu >= 0 && ew >= 0) {
        PR[nCut] = cutPoint(k, X, P.x + u * k, R[slot + u], s[u], eu, X, P.x + w * k, R[slot + w], s[w], ew, PX, op);
      } else {
        PR[nCut] = this.exact.point(faceInc, fi, PX, op);
      }
      nCut++;
    }
    this.nOn = nOn;
    this.nCut = nCut;
  }

  /**
   * The last two cuts of a subdivision at once, building no polytope: P is cut by hyperplane `id` (as in
   * cut(), every side certified by the filter), then each half by a second hyperplane g(z) = a·z + β
   * (a = a[aAt … aAt + k)), whose side at a vertex v is certified when |g(v)| > c1·r_v + c0 — the same
   * decisions and centroids as cut(), then classifying g on each half and halfCentroids() there. Returns
   * false, having decided nothing, when some vertex's side of g is not certified. For the positive half (h = 0) and the negative one (h = 1): seen[h] gets g's
   * sides on it (bit 1: a vertex above it, bit 2: one below); `centres` (4k values) gets at 2h·k the
   * centroid of the half when seen[h] ≠ 3, else the centroids of its parts g ≥ 0 (at 2h·k) and g ≤ 0 (at (2h + 1)·k).
   */
  quarterCentroids(P: Polytope, s: Float64Array, side: Int8Array, err: Float64Array, id: number, a: Float64Array, aAt: number, beta: number, c1: number, c0: number, seen: Int32Array, centres: Float64Array): boolean {
    this.faceVertices(P, s, side, err, id);
    const { k, X, R, PR, E, PX, faceV, cutEdge, nOn, nCut } = this, slot = P.x / k;
    const { nv, ne } = P;
    // g and its sides at the vertices: P's (0 … nv − 1), then the face's new ones (nv …).
    const n = nv + nCut;
    if (this.gValue.length < n) {
      this.gValue = new Float64Array(2 * n);
      this.gSide = new Int8Array(2 * n);
    }
    const g = this.gValue, gs = this.gSide;
    let seen0 = 0, seen1 = 0;
    for (let v = 0; v < n; v++) {
      const c = v < nv ? X : PX, o = v < nv ? P.x + v * k : (v - nv) * k;
      let t = beta;
      for (let l = 0; l < k; l++) t += a[aAt + l] * c[o + l];
      g[v] = t;
      const tol = c1 * (v < nv ? R[slot + v] : PR[v - nv]) + c0;
      // Only a value of g that is exactly 0 is on g, and the filter cannot certify that.
      if (!(Math.abs(t) > tol)) return false;
      const bits = t > 0 ? 1 : 2;
      gs[v] = bits === 1 ? 1 : bits === 2 ? -1 : 0;
      if (v >= nv || side[v] >= 0) seen0 |= bits;
      if (v >= nv || side[v] <= 0) seen1 |= bits;
    }
    seen[0] = seen0;
    seen[1] = seen1;
    // The face's edges matter only where g splits a half (they are where g cuts the face).
    this.nFace = 0;
    if (seen0 === 3 || seen1 === 3) this.adjacentPairs(nOn + nCut, id);
    const { faceEdges, nFace } = this;
    this.quarterSplit = (seen0 === 3 ? 1 : 0) | (seen1 === 3 ? 2 : 0);
    this.quarterP = P;
    centres.fill(0, 0, 4 * k);
    this.quarterCount.fill(0);
    // The halves' vertices and edges, as halves() would build them.
    for (let v = 0; v < nv; v++) {
      if (side[v] >= 0) this.quarterVertex(v, 0, centres);
      if (side[v] <= 0) this.quarterVertex(v, 1, centres);
    }
    for (let c = 0; c < nCut; c++) {
      this.quarterVertex(nv + c, 0, centres);
      this.quarterVertex(nv + c, 1, centres);
    }
    for (let q = 0, f = P.e; q < ne; q++, f += 2) {
      const u = E[f], w = E[f + 1], su = side[u], sw = side[w];
      if (su * sw < 0 || (su === 0 && sw === 0)) continue;
      this.quarterEdge(u, w, su >= 0 && sw >= 0 ? 0 : 1, centres);
    }
    for (let c = 0; c < nCut; c++) {
      const f = P.e + 2 * cutEdge[c], u = E[f], w = E[f + 1];
      this.quarterEdge(side[u] > 0 ? u : w, nv + c, 0, centres);
      this.quarterEdge(side[u] > 0 ? w : u, nv + c, 1, centres);
    }
    for (let f = 0; f < 2 * nFace; f += 2) {
      const x = faceEdges[f], y = faceEdges[f + 1];
      const u = x < nOn ? faceV[x] : nv + x - nOn, w = y < nOn ? faceV[y] : nv + y - nOn;
      this.quarterEdge(u, w, 0, centres);
      this.quarterEdge(u, w, 1, centres);
    }
    const count = this.quarterCount;
    for (let c = 0; c < 4; c++) if (count[c] > 0) for (let l = 0; l < k; l++) centres[c * k + l] /= count[c];
    return true;
  }

  /** quarterCentroids(): vertex v (P's, or the face's new nv + c) of half h, into the half's centroid or those of its parts on g's sides. */
  private quarterVertex(v: number, h: number, centres: Float64Array): void {
    const { k, quarterP: P, gSide: gs, quarterCount: count } = this, nv = P.nv;
    const c = v < nv ? this.X : this.PX, o = v < nv ? P.x + v * k : (v - nv) * k;
    const split = (this.quarterSplit & (1 << h)) !== 0;
    if (!split || gs[v] >= 0) {
      for (let l = 0; l < k; l++) centres[2 * h * k + l] += c[o + l];
      count[2 * h]++;
    }
    if (split && gs[v] <= 0) {
      for (let l = 0; l < k; l++) centres[(2 * h + 1) * k + l] += c[o + l];
      count[2 * h + 1]++;
    }
  }

  /** quarterCentroids(): edge (u, w) of half h; where g cuts it, a vertex of both of the half's parts. */
  private quarterEdge(u: number, w: number, h: number, centres: Float64Array): void {
    const { gSide: gs, gValue: g } = this;
    if (gs[u] * gs[w] >= 0 || (this.quarterSplit & (1 << h)) === 0) return;
    const { k, quarterP: P, quarterCount: count } = this, nv = P.nv;
    const cu = u < nv ? this.X : this.PX, ou = u < nv ? P.x + u * k : (u - nv) * k;
    const cw = w < nv ? this.X : this.PX, ow = w < nv ? P.x + w * k : (w - nv) * k;
    const t = g[u] / (g[u] - g[w]);
    for (let l = 0; l < k; l++) {
      const p = cu[ou + l] + t * (cw[ow + l] - cu[ou + l]);
      centres[2 * h * k + l] += p;
      centres[(2 * h + 1) * k + l] += p;
    }
    count[2 * h]++;
    count[2 * h + 1]++;
  }

  /**
   * The centroids of the vertices of P's two halves (what cut() would give them), without building the
   * halves: for the last cut of a subdivision, whose halves are needed only for an interior point.
   */
  halfCentroids(P: Polytope, s: Float64Array, side: Int8Array, plus: Float64Array, minus: Float64Array): void {
    const { k, X, E } = this;
    plus.fill(0);
    minus.fill(0);
    let np = 0, nm = 0;
    for (let v = 0, o = P.x; v < P.nv; v++, o += k) {
      if (side[v] >= 0) {
        for (let l = 0; l < k; l++) plus[l] += X[o + l];
        np++;
      }
      if (side[v] <= 0) {
        for (let l = 0; l < k; l++) minus[l] += X[o + l];
        nm++;
      }
    }
    for (let q = 0, f = P.e; q < P.ne; q++, f += 2) {
      const u = E[f], w = E[f + 1];
      if (side[u] * side[w] >= 0) continue;
      const t = s[u] / (s[u] - s[w]), ou = P.x + u * k, ow = P.x + w * k;
      for (let l = 0; l < k; l++) {
        const p = X[ou + l] + t * (X[ow + l] - X[ou + l]);
        plus[l] += p;
        minus[l] += p;
      }
      np++;
      nm++;
    }
    for (let l = 0; l < k; l++) {
      plus[l] /= np;
      minus[l] /= nm;
    }
  }

  /**
   * The halves of P wanted (want = 0: both), from the face data cut() left in the scratch arrays, built
   * in one pass over P's vertices and edges. Edge arrays are sized for the worst case; the last one's
   * unused tail is given back.
   */
  private halves(P: Polytope, side: Int8Array, id: number, want: -1 | 0 | 1): [Polytope | null, Polytope | null] {
    const { k, words, nCut, nFace } = this;
    const { nv, ne } = P;
    const [nP, nM] = this.numberVertices(P, side, want), mapP = this.map, mapM = this.mapMinus;
    const bitWord = id >>> 5, bit = 1 << (id & 31);
    const maxE = 2 * (ne + nCut + nFace);
    let xP = 0, incP = 0, xM = 0, incM = 0;
    if (want >= 0) {
      xP = this.allocX((nP + nCut + 2) * k);
      incP = this.allocInc((nP + nCut) * words);
    }
    if (want <= 0) {
      xM = this.allocX((nM + nCut + 2) * k);
      incM = this.allocInc((nM + nCut) * words);
    }
    // A half that is not wanted gets a 2-slot sink for the branch-free edge copy below.
    const eP = this.allocE(want >= 0 ? maxE : 2), eM = this.allocE(want <= 0 ? maxE : 2);
    const X = this.X, R = this.R, INC = this.INC, PR = this.PR, slot = P.x / k;
    let rP = 0;
    for (let c = 0; c < nCut; c++) rP = Math.max(rP, PR[c]);
    let rM = rP;
    // Each half's bounding box: [lo, hi] per coordinate, from the new vertices' (shared) and its old ones'.
    const box = this.newVerticesBox();
    // One pass over P's vertices fills both halves (the sides are random: two passes would read P twice).
    for (let v = 0; v < nv; v++) {
      const from = P.x + v * k, fromInc = P.inc + v * words, on = side[v] === 0;
      let i = mapP[v];
      if (i >= 0) {
        const to = xP + i * k, toInc = incP + i * words;
        for (let l = 0; l < k; l++) {
          const t = X[from + l];
          X[to + l] = t;
          if (t < box[l]) box[l] = t;
          if (t > box[k + l]) box[k + l] = t;
        }
        for (let b = 0; b < words; b++) INC[toInc + b] = INC[fromInc + b];
        if (on) INC[toInc + bitWord] |= bit;
        const r = R[slot + v];
        R[xP / k + i] = r;
        if (r > rP) rP = r;
      }
      i = mapM[v];
      if (i >= 0) {
        const to = xM + i * k, toInc = incM + i * words;
        for (let l = 0; l < k; l++) {
          const t = X[from + l];
          X[to + l] = t;
          if (t < box[2 * k + l]) box[2 * k + l] = t;
          if (t > box[3 * k + l]) box[3 * k + l] = t;
        }
        for (let b = 0; b < words; b++) INC[toInc + b] = INC[fromInc + b];
        if (on) INC[toInc + bitWord] |= bit;
        const r = R[slot + v];
        R[xM / k + i] = r;
        if (r > rM) rM = r;
      }
    }
    // The new vertices, after the old ones in each half.
    if (want >= 0) this.appendCutVertices(xP, incP, nP);
    if (want <= 0) this.appendCutVertices(xM, incM, nM);
    const [oP, oM] = this.halfEdges(P, side, want, eP, eM, nP, nM);
    this.eTop = want <= 0 ? oM : oP;
    let plus: Polytope | null = null, minus: Polytope | null = null;
    if (want >= 0) {
      this.setBox(xP + (nP + nCut) * k, box, 0);
      R[xP / k + nP + nCut] = rP;
      plus = { nv: nP + nCut, ne: (oP - eP) / 2, x: xP, inc: incP, e: eP };
    }
    if (want <= 0) {
      this.setBox(xM + (nM + nCut) * k, box, 2 * k);
      R[xM / k + nM + nCut] = rM;
      minus = { nv: nM + nCut, ne: (oM - eM) / 2, x: xM, inc: incM, e: eM };
    }
    return [plus, minus];
  }

  /** Number P's vertices in each half wanted (map, mapMinus: the new index, −1 where not in it); their counts. */
  private numberVertices(P: Polytope, side: Int8Array, want: -1 | 0 | 1): [number, number] {
    const nv = P.nv;
    if (this.map.length < nv) this.map = new Int32Array(2 * nv);
    if (this.mapMinus.length < nv) this.mapMinus = new Int32Array(2 * nv);
    const mapP = this.map, mapM = this.mapMinus;
    let nP = 0, nM = 0;
    for (let v = 0; v < nv; v++) {
      const sv = side[v];
      mapP[v] = want >= 0 && sv >= 0 ? nP++ : -1;
      mapM[v] = want <= 0 && sv <= 0 ? nM++ : -1;
    }
    return [nP, nM];
  }

  /** The bounding box of the cut's new vertices (in PX), twice over: [lo, hi] of the + half, then of the − half. */
  private newVerticesBox(): Float64Array {
    const { k, PX, nCut } = this, box = this.boxScratch;
    for (let l = 0; l < k; l++) {
      let lo = Infinity, hi = -Infinity;
      for (let c = 0; c < nCut; c++) {
        const t = PX[c * k + l];
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
      box[l] = box[2 * k + l] = lo;
      box[k + l] = box[3 * k + l] = hi;
    }
    return box;
  }

  /** Copy the cut's new vertices (coordinates, radii, incidence sets) into a half after its n old ones. */
  private appendCutVertices(x: number, inc: number, n: number): void {
    const { k, words, nCut, nOn } = this;
    this.R.set(this.PR.subarray(0, nCut), x / k + n);
    this.X.set(this.PX.subarray(0, nCut * k), x + n * k);
    this.INC.set(this.faceInc.subarray(nOn * words, (nOn + nCut) * words), inc + n * words);
  }

  /**
   * The edges of the halves wanted, written from eP and eM: P's edges inside each half (not those lying in
   * the cut), the kept part of each cut edge (to its new vertex), and the new face's edges. Returns the ends.
   */
  private halfEdges(P: Polytope, side: Int8Array, want: -1 | 0 | 1, eP: number, eM: number, nP: number, nM: number): [number, number] {
    const { cutEdge, faceV, faceEdges, nCut, nOn, nFace, E } = this, mapP = this.map, mapM = this.mapMinus;
    let oP = eP, oM = eM;
    // Branch-free (sides are random): every edge is written to the next slot of both halves, and each
    // half's end advances only over the edges it keeps (EDGE_PLUS/EDGE_MINUS by the endpoints' sides).
    const keepP = want >= 0 ? 1 : 0, keepM = want <= 0 ? 1 : 0;
    for (let q = 0, f = P.e; q < P.ne; q++, f += 2) {
      const u = E[f], w = E[f + 1], code = 3 * side[u] + side[w] + 4;
      E[oP] = mapP[u];
      E[oP + 1] = mapP[w];
      oP += 2 * keepP * EDGE_PLUS[code];
      E[oM] = mapM[u];
      E[oM + 1] = mapM[w];
      oM += 2 * keepM * EDGE_MINUS[code];
    }
    for (let c = 0; c < nCut; c++) {
      const f = P.e + 2 * cutEdge[c], u = E[f], w = E[f + 1];
      const pos = side[u] > 0 ? u : w, neg = side[u] > 0 ? w : u;
      if (want >= 0) {
        E[oP++] = mapP[pos];
        E[oP++] = nP + c;
      }
      if (want <= 0) {
        E[oM++] = mapM[neg];
        E[oM++] = nM + c;
      }
    }
    for (let f = 0; f < 2 * nFace; f++) {
      const a = faceEdges[f];
      if (want >= 0) E[oP++] = a < nOn ? mapP[faceV[a]] : nP + a - nOn;
      if (want <= 0) E[oM++] = a < nOn ? mapM[faceV[a]] : nM + a - nOn;
    }
    return [oP, oM];
  }

  /**
   * Pairs (a, b) of the nh face vertices in faceInc that are adjacent by the combinatorial test:
   * |Z(a) ∩ Z(b)| ≥ k − 1 (an edge in R^k is cut out by ≥ k − 1 tight constraints) and no third c with
   * Z(a) ∩ Z(b) ⊆ Z(c). Shortcut: if a is simple (|Z(a)| = k, so its constraints are independent), the
   * pair is an edge iff |Z(a) ∩ Z(b)| = k − 1 (independent constraints cut out a line, which holds two
   * vertices). For many face vertices, pairs of simple vertices are matched by hashing their (k − 1)-subsets
   * instead of testing all pairs. Written to faceEdges, their number to nFace.
   */
  private adjacentPairs(nh: number, id: number): void {
    const { k, words } = this, Z = this.faceInc;
    if (this.degree.length < nh) this.degree = new Int32Array(2 * nh);
    const degree = this.degree;
    for (let a = 0; a < nh; a++) {
      let d = 0;
      for (let w = 0; w < words; w++) d += popcount(Z[a * words + w]);
      degree[a] = d;
    }
    this.nFace = 0;
    if (nh <= 16) {
      for (let a = 0; a < nh; a++) for (let b = a + 1; b < nh; b++) this.testPair(a, b, nh);
      return;
    }
    // Pairs involving a degenerate vertex.
    for (let a = 0; a < nh; a++) {
      if (degree[a] === k) continue;
      for (let b = 0; b < nh; b++) if (b !== a && (degree[b] === k || b > a)) this.testPair(Math.min(a, b), Math.max(a, b), nh);
    }
    // Pairs of simple vertices: equal (k − 1)-subsets Z(a) \ {c} (c ≠ h; both contain h).
    const cap = 1 << Math.ceil(Math.log2(2 * nh * k));
    if (this.slotVertex.length < cap) {
      this.slotVertex = new Int32Array(cap);
      this.slotBit = new Int32Array(cap);
      this.slotHash = new Int32Array(cap);
    }
    const slotVertex = this.slotVertex, slotBit = this.slotBit, slotHash = this.slotHash, zobrist = this.zobrist;
    slotVertex.fill(-1, 0, cap);
    for (let a = 0; a < nh; a++) {
      if (degree[a] !== k) continue;
      // Zobrist hash of Z(a): the XOR of a random word per element, so Z(a) \ {c} hashes to hash ^ zobrist[c].
      let hash = 0;
      for (let w = 0; w < words; w++) {
        for (let bits = Z[a * words + w]; bits !== 0; bits &= bits - 1) hash ^= zobrist[32 * w + (31 - Math.clz32(bits & -bits))];
      }
      for (let w = 0; w < words; w++) {
        for (let bits = Z[a * words + w]; bits !== 0; bits &= bits - 1) {
          const c = 32 * w + (31 - Math.clz32(bits & -bits));
          if (c === id) continue;
          // The full hash of Z(a) \ {c} is compared first; equal hashes are confirmed set by set.
          const key = hash ^ zobrist[c];
          let slot = key & (cap - 1);
          for (; slotVertex[slot] >= 0; slot = (slot + 1) & (cap - 1)) {
            if (slotHash[slot] === key && this.sameSubset(slotVertex[slot], slotBit[slot], a, c)) this.pushEdge(slotVertex[slot], a);
          }
          slotVertex[slot] = a;
          slotBit[slot] = c;
          slotHash[slot] = key;
        }
      }
    }
  }

  private testPair(a: number, b: number, nh: number): void {
    const { k, words, common, degree } = this, Z = this.faceInc;
    let shared = 0;
    for (let w = 0; w < words; w++) {
      common[w] = Z[a * words + w] & Z[b * words + w];
      shared += popcount(common[w]);
    }
    if (shared < k - 1) return;
    if (degree[a] === k || degree[b] === k) {
      if (shared === k - 1) this.pushEdge(a, b);
      return;
    }
    for (let c = 0; c < nh; c++) {
      if (c === a || c === b) continue;
      let contained = true;
      for (let w = 0; w < words; w++) {
        if ((common[w] & ~Z[c * words + w]) !== 0) {
          contained = false;
          break;
        }
      }
      if (contained) return;
    }
    this.pushEdge(a, b);
  }

  private pushEdge(a: number, b: number): void {
    const n = this.nFace;
    if (this.faceEdges.length < 2 * n + 2) {
      const grown = new Int32Array(4 * n + 4);
      grown.set(this.faceEdges);
      this.faceEdges = grown;
    }
    this.faceEdges[2 * n] = a;
    this.faceEdges[2 * n + 1] = b;
    this.nFace = n + 1;
  }

  /** Z(a) \ {c} = Z(b) \ {d}? */
  private sameSubset(a: number, c: number, b: number, d: number): boolean {
    const { words } = this, Z = this.faceInc;
    for (let w = 0; w < words; w++) {
      // As int32 on both sides (a Uint32Array element and a bitwise result differ in sign when bit 31 is set).
      const x = w === c >>> 5 ? Z[a * words + w] & ~(1 << (c & 31)) : Z[a * words + w] | 0;
      const y = w === d >>> 5 ? Z[b * words + w] & ~(1 << (d & 31)) : Z[b * words + w] | 0;
      if (x !== y) return false;
    }
    return true;
  }

  /** Write the bounding box [lo, hi] (box[at…], box[at + k…]) at c as its centre and half-widths. */
  private setBox(c: number, box: Float64Array, at: number): void {
    const { k, X } = this;
    for (let l = 0; l < k; l++) {
      const lo = box[at + l], hi = box[at + k + l];
      X[c + l] = 0.5 * (lo + hi);
      X[c + k + l] = 0.5 * (hi - lo);
    }
  }

  /** k = 2: P's vertex indices in the order of its boundary cycle (by walking its edges). */
  cycle(P: Polytope): Int32Array {
    const { E } = this, nv = P.nv;
    const next = new Int32Array(2 * nv).fill(-1);
    for (let q = 0, f = P.e; q < P.ne; q++, f += 2) {
      const u = E[f], w = E[f + 1];
      next[2 * u + (next[2 * u] < 0 ? 0 : 1)] = w;
      next[2 * w + (next[2 * w] < 0 ? 0 : 1)] = u;
    }
    const order = new Int32Array(nv);
    for (let i = 0, prev = -1, v = 0; i < nv; i++) {
      order[i] = v;
      const after = next[2 * v] !== prev ? next[2 * v] : next[2 * v + 1];
      prev = v;
      v = after;
    }
    return order;
  }

  /** k = 2: P's vertices in counter-clockwise order (x0, y0, x1, y1, …), each coordinate times `scale`. */
  polygon(P: Polytope, scale = 1): Float64Array {
    const { X } = this, nv = P.nv, order = this.cycle(P);
    const out = new Float64Array(2 * nv);
    let area = 0;
    for (let i = 0; i < nv; i++) {
      const v = order[i], w = order[(i + 1) % nv];
      out[2 * i] = X[P.x + 2 * v] * scale;
      out[2 * i + 1] = X[P.x + 2 * v + 1] * scale;
      area += X[P.x + 2 * v] * X[P.x + 2 * w + 1] - X[P.x + 2 * w] * X[P.x + 2 * v + 1];
    }
    if (area < 0) {
      // Clockwise: reverse (keeping the first vertex first).
      for (let i = 1, j = nv - 1; i < j; i++, j--) {
        for (let c = 0; c < 2; c++) {
          const t = out[2 * i + c];
          out[2 * i + c] = out[2 * j + c];
          out[2 * j + c] = t;
        }
      }
    }
    return out;
  }

  /** The centroid of P's vertices (a strictly interior point of a full-dimensional polytope), into `out`. */
  centroid(P: Polytope, out: Float64Array): void {
    const { k, X } = this;
    out.fill(0);
    for (let v = 0, o = P.x; v < P.nv; v++, o += k) for (let l = 0; l < k; l++) out[l] += X[o + l];
    for (let l = 0; l < k; l++) out[l] /= P.nv;
  }

  private allocX(n: number): number {
    const at = this.xTop;
    this.xTop += n;
    if (this.xTop > this.X.length) this.X = grow(this.X, this.xTop) as Float64Array;
    if (this.xTop / this.k > this.R.length) this.R = grow(this.R, this.X.length / this.k) as Float64Array;
    return at;
  }

  private allocInc(n: number): number {
    const at = this.incTop;
    this.incTop += n;
    if (this.incTop > this.INC.length) this.INC = grow(this.INC, this.incTop) as Uint32Array;
    return at;
  }

  private allocE(n: number): number {
    const at = this.eTop;
    this.eTop += n;
    if (this.eTop > this.E.length) this.E = grow(this.E, this.eTop) as Int32Array;
    return at;
  }
}

/**
 * The unit roundoff of float64, and an absolute slack covering the error underflow adds to one operation's
 * result (≤ 2^-1074). It is far above that, 2^-800, so that the bounds built from it never become
 * subnormal numbers themselves (γ_n·TINY·|w| stays normal), whose arithmetic is a hundred times slower.
 */
export const EPS = 2 ** -53;
export const TINY = 2 ** -800;

/**
 * The point where hyperplane h crosses the edge from u (coordinates Xu[ou …], error bound ru, value of h
 * su with certified error eu) to w (likewise; su and sw of opposite certified signs), written to out[op …];
 * returns its error bound. With s̃ = s* + δ, |δ| ≤ e: t̃ − t* = (s*_u δ_w − s*_w δ_u)/(D̃ D*), D = |s_u| + |s_w|
 * (no cancellation: the sides are certified, so D* ≥ D̃ − e_u − e_w > 0), and p̂ − p* = (1 − t)(û − u*) +
 * t(ŵ − w*) + (t̃ − t*)(w* − u*).
 * @example cutPoint(2, X, 0, 0, 0.5, 1e-16, X, 2, 0, -0.5, 1e-16, out, 0) // the midpoint, bound ~1e-16
 */
export function cutPoint(k: number, Xu: Float64Array, ou: number, ru: number, su: number, eu: number, Xw: Float64Array, ow: number, rw: number, sw: number, ew: number, out: Float64Array, op: number): number {
  const t = su / (su - sw);
  let len = 0;
  for (let l = 0; l < k; l++) {
    const d = Xw[ow + l] - Xu[ou + l];
    out[op + l] = Xu[ou + l] + t * d;
    len = Math.max(len, Math.abs(d));
  }
  const au = Math.abs(su), aw = Math.abs(sw), D = (au + aw) * (1 - 2 * EPS);
  const dt = (eu * (aw + ew) + ew * (au + eu)) / (D * (D - eu - ew));
  const tt = Math.abs(t);
  return ((1 - tt) * ru + tt * rw + Math.min(1, dt + 2 * EPS) * Math.min(2, len + ru + rw) + 6 * EPS) * (1 + 1e-9) + TINY;
}

/** Exact coordinates for the vertex whose incidence set is inc[at …]: writes them (scaled to the unit box, within 2 ulps) to out[outAt …] and returns their error bound. */
export interface ExactSource {
  point(inc: Uint32Array, at: number, out: Float64Array, outAt: number): number;
}

/**
 * Which half keeps an old edge, by 3·side(u) + side(w) + 4: the positive half those with both ends on
 * its side of h or on h, the negative half likewise; none keeps a cut edge (ends strictly on opposite
 * sides) or an edge lying in h (the face's edges replace it).
 */
const EDGE_PLUS = Int32Array.from([0, 0, 0, 0, 0, 1, 0, 1, 1]);
const EDGE_MINUS = Int32Array.from([1, 1, 0, 1, 0, 0, 0, 0, 0]);

function grow<T extends Float64Array | Uint32Array | Int32Array>(a: T, need: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(need, 2 * a.length));
  out.set(a);
  return out;
}

/** The number of set bits of a 32-bit word. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
