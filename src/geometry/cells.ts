/**
 * The cells of the last layer's hyperplanes inside one region, by edge subdivision (Berzins 2023,
 * "Polyhedral complex extraction from ReLU networks using edge subdivision", Algorithm 1): the region's
 * vertices and edges are held once, each hyperplane in turn splits the edges whose ends it separates, and
 * the new vertices on it are joined where they share a 2-face — two split edges lie on a common 2-face
 * exactly when dropping one of their k − 1 tight constraints (and, for a hyperplane, choosing its side)
 * gives the same tight set and the same signs. The cells are then the sign vectors around the vertices:
 * at a simple vertex every sign choice of the hyperplanes through it is a cell, so each cell gets the
 * centroid of its vertices as interior point. Depth-first subdivision (subdivision.ts) would instead copy
 * a polytope per cell and level, every vertex into the 2^k cells around it; here each vertex is stored
 * once, which is what grows with k.
 *
 * Every sign is decided by the subdivision's exact predicate (filter, refresh, exact sign). The method
 * needs general position — simple vertices, no vertex on a later hyperplane — and reports anything else
 * (`false`, nothing emitted) so that the caller subdivides that region depth first instead.
 */
import { cutPoint, EPS, popcount, TINY, type ExactSource } from "./polytope.js";

/** The hyperplanes β̂_j + a_j·z (rows of A) and their filter constants, as the subdivision's LayerState holds them. */
export interface CellLayer {
  readonly A: Float64Array;
  readonly bhat: Float64Array;
  readonly c1: Float64Array;
  readonly c0: Float64Array;
}

/** The most hyperplanes one region can be cut by here: cell keys are int32 bit masks. */
export const MAX_CELL_HYPERPLANES = 30;
/**
 * The least k at which this pays: measured against depth-first subdivision on the benchmark's nets (three
 * seeds each, alternating runs), 0.83× at [3,32,32] and 0.91× at [4,32,32], 1.27× at [5,24,24], 1.57× at
 * [6,16,16] and 1.14× at [8,12,12] — a vertex lies in 2^k cells, so sharing it matters from k = 5.
 */
export const MIN_CELL_K = 5;

/** The error bound of a vertex given its exact coordinates, rounded (as subdivision.ts). */
const REFRESHED = 4 * EPS + TINY;

export class CellArrangement {
  private X = new Float64Array(1024);
  private R = new Float64Array(128);
  private INC = new Uint32Array(256);
  private ZM = new Int32Array(128);
  private PM = new Int32Array(128);
  private E = new Int32Array(1024);
  private side = new Int8Array(128);
  private val = new Float64Array(128);
  private err = new Float64Array(128);
  private readonly common: Uint32Array;
  // The face table of joinOnFaces (open addressing; a slot is empty unless its generation is the current one).
  /** Slots of 5 words: generation, key, vertex (−1 once joined), dropped constraint, signs. */
  private table = new Int32Array(0);
  private tableSlots = 0;
  private generation = 0;
  private inserted = 0;
  private matched = 0;
  /** A fixed pseudo-random word per constraint id (xorshift32), for hashing tight sets. */
  private readonly zobrist: Int32Array;
  private slotCellOf = new Int32Array(0);
  private cellBits = new Int32Array(1024);
  private sums = new Float64Array(256);
  private counts = new Int32Array(32);
  private readonly centre: Float64Array;
  /** Edges so far. */
  private m = 0;
  /** Per constraint id: the index i of js[from + i] once that hyperplane is cut, else −1. */
  private readonly cutIndex: Int32Array;
  private idBase = 0;
  // The cells of emitCells (open addressing on their sign masks).
  private cellKeys = new Int32Array(0);
  private cellGen = new Int32Array(0);
  private cellGeneration = 0;

  constructor(
    private readonly k: number,
    private readonly words: number,
    private readonly exact: ExactSource,
    /** The exact sign of hyperplane j of the current layer at the vertex with incidence set inc[at …]. */
    private readonly exactSign: (inc: Uint32Array, at: number, j: number) => number,
  ) {
    this.common = new Uint32Array(words);
    this.centre = new Float64Array(k);
    this.cutIndex = new Int32Array(32 * words).fill(-1);
    this.zobrist = new Int32Array(32 * words);
    let x = 0x2545f491;
    for (let i = 0; i < this.zobrist.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.zobrist[i] = x;
    }
  }

  /**
   * Cut the region (nv vertices at X0[x0 …], error bounds R0[r0 …], incidence sets INC0[inc0 …]; ne edges
   * at E0[e0 …]) by the hyperplanes js (rows of `layer`, constraint ids 2k + offset + j) and hand each cell
   * to `emit` as (bits: bit i set where js[i] is active, its interior point); false when the region is not
   * in general position for them (nothing emitted).
   */
  run(nv: number, X0: Float64Array, x0: number, R0: Float64Array, r0: number, INC0: Uint32Array, inc0: number, ne: number, E0: Int32Array, e0: number,
    layer: CellLayer, js: Int32Array, from: number, c: number, idBase: number, emit: (bits: number, at: Float64Array) => void): boolean {
    const { k, words } = this;
    this.idBase = idBase;
    this.reserve(nv, ne);
    this.X.set(X0.subarray(x0, x0 + nv * k));
    this.R.set(R0.subarray(r0, r0 + nv));
    this.INC.set(INC0.subarray(inc0, inc0 + nv * words));
    this.E.set(E0.subarray(e0, e0 + 2 * ne));
    this.ZM.fill(0, 0, nv);
    this.PM.fill(0, 0, nv);
    for (let v = 0; v < nv; v++) if (this.degree(v) !== k) return false;
    let n = nv;
    this.m = ne;
    for (let i = 0; i < c; i++) {
      const j = js[from + i], id = idBase + j, bit = 1 << i;
      if (!this.classify(n, layer, j)) return this.done(js, from, c, false);
      const { side } = this;
      const firstNew = n, bitWord = id >>> 5, idBit = 1 << (id & 31);
      const edges = this.m;
      let splits = 0;
      for (let q = 0; q < edges; q++) if (side[this.E[2 * q]] * side[this.E[2 * q + 1]] < 0) splits++;
      this.resetFaces(2 * (k - 1) * splits + 1);
      for (let q = 0; q < edges; q++) {
        const u = this.E[2 * q], w = this.E[2 * q + 1];
        if (side[u] * side[w] >= 0) continue;
        // The split edge's tight set must have k − 1 elements (simple).
        let shared = 0;
        for (let b = 0; b < words; b++) shared += popcount(this.INC[u * words + b] & this.INC[w * words + b]);
        if (shared !== k - 1) return this.done(js, from, c, false);
        this.reserve(n + 1, this.m + 2);
        const { X, R, INC, ZM, PM } = this;
        const p = n++;
        for (let b = 0; b < words; b++) INC[p * words + b] = INC[u * words + b] & INC[w * words + b];
        const eu = this.err[u], ew = this.err[w];
        if (eu >= 0 && ew >= 0) R[p] = cutPoint(k, X, u * k, R[u], this.val[u], eu, X, w * k, R[w], this.val[w], ew, X, p * k);
        else {
          INC[p * words + bitWord] |= idBit;
          R[p] = this.exact.point(INC, p * words, X, p * k);
        }
        INC[p * words + bitWord] |= idBit;
        ZM[p] = (ZM[u] & ZM[w]) | bit;
        PM[p] = (PM[u] | PM[w]) & ~bit;
        // The edge becomes (u, p) and (p, w).
        this.E[2 * q + 1] = p;
        this.E[2 * this.m] = p;
        this.E[2 * this.m + 1] = w;
        this.m++;
        this.joinOnFaces(p, u, w);
      }
      // Every 2-face the hyperplane crosses is crossed twice (general position).
      if (this.inserted !== this.matched) return this.done(js, from, c, false);
      for (let v = 0; v < firstNew; v++) if (side[v] > 0) this.PM[v] |= bit;
      this.cutIndex[id] = i;
    }
    this.emitCells(n, emit);
    return this.done(js, from, c, true);
  }

  /** Forget the hyperplanes' cut indices; returns `ok`. */
  private done(js: Int32Array, from: number, c: number, ok: boolean): boolean {
    for (let i = 0; i < c; i++) this.cutIndex[this.idBase + js[from + i]] = -1;
    return ok;
  }

  /**
   * The 2-faces through the split edge (u, w) — tight set Z(e) \ {c} for each c ∈ Z(e), and the signs of
   * the hyperplanes cut so far (both sides of c when c is one) — into an open-addressing table keyed by a
   * Zobrist hash of the set and the signs, confirmed set by set: the second new vertex on a face is joined
   * to the first.
   */
  private joinOnFaces(p: number, u: number, w: number): void {
    const { words, INC, common, zobrist } = this;
    let hash = 0;
    for (let b = 0; b < words; b++) {
      common[b] = INC[u * words + b] & INC[w * words + b];
      for (let bits = common[b]; bits !== 0; bits &= bits - 1) hash ^= zobrist[32 * b + (31 - Math.clz32(bits & -bits))];
    }
    const pm = this.PM[p];
    for (let b = 0; b < words; b++) {
      for (let bits = common[b]; bits !== 0; bits &= bits - 1) {
        const c = 32 * b + (31 - Math.clz32(bits & -bits)), h = hash ^ zobrist[c];
        // A hyperplane already cut (js[from + t], t < i): the faces on both of its sides.
        const t = this.cutIndex[c];
        if (t < 0) this.meet(h, pm, p, c);
        else {
          this.meet(h, pm & ~(1 << t), p, c);
          this.meet(h, pm | (1 << t), p, c);
        }
      }
    }
  }

  /** Face (hash h of its tight set Z(p) \ {c}, signs pm) seen at new vertex p: joined to the first vertex seen on it, or recorded. */
  private meet(h: number, pm: number, p: number, c: number): void {
    const key = h ^ Math.imul(pm + 0x3c6ef372, 0x9e3779b1);
    const mask = this.tableSlots - 1, T = this.table, g = this.generation;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const o = 5 * slot;
      if (T[o] !== g) {
        T[o] = g;
        T[o + 1] = key;
        T[o + 2] = p;
        T[o + 3] = c;
        T[o + 4] = pm;
        this.inserted++;
        return;
      }
      const other = T[o + 2];
      if (other < 0 || T[o + 1] !== key || T[o + 4] !== pm || !this.sameFace(other, T[o + 3], p, c)) continue;
      T[o + 2] = -1;
      this.matched++;
      this.reserve(0, this.m + 1);
      this.E[2 * this.m] = other;
      this.E[2 * this.m + 1] = p;
      this.m++;
      return;
    }
  }

  /** Z(a) \ {c} = Z(b) \ {d}? */
  private sameFace(a: number, c: number, b: number, d: number): boolean {
    const { words, INC } = this;
    for (let w = 0; w < words; w++) {
      const x = w === c >>> 5 ? INC[a * words + w] & ~(1 << (c & 31)) : INC[a * words + w] | 0;
      const y = w === d >>> 5 ? INC[b * words + w] & ~(1 << (d & 31)) : INC[b * words + w] | 0;
      if (x !== y) return false;
    }
    return true;
  }

  /** An empty face table for at least `entries` faces. */
  private resetFaces(entries: number): void {
    // Load ≤ ½, on the buffer's prefix: a table sized for the largest region would miss the cache on every probe.
    this.tableSlots = 1 << Math.ceil(Math.log2(2 * entries + 2));
    if (this.table.length < 5 * this.tableSlots) {
      this.table = new Int32Array(5 * this.tableSlots);
      this.generation = 0;
    }
    this.generation++;
    this.inserted = 0;
    this.matched = 0;
  }

  /** Sides of hyperplane j at vertices 0 … n − 1 (exact); false when one lies on it. */
  private classify(n: number, layer: CellLayer, j: number): boolean {
    const { k, words, X, R } = this, { A, bhat, c1, c0 } = layer;
    if (this.side.length < n) {
      this.side = new Int8Array(2 * n);
      this.val = new Float64Array(2 * n);
      this.err = new Float64Array(2 * n);
    }
    const { side, val, err } = this, b = bhat[j], g1 = c1[j], g0 = c0[j];
    for (let v = 0; v < n; v++) {
      const o = v * k;
      let s = b;
      for (let l = 0; l < k; l++) s += A[j * k + l] * X[o + l];
      let e = g1 * R[v] + g0;
      if (!(Math.abs(s) > e) && R[v] > REFRESHED) {
        R[v] = this.exact.point(this.INC, v * words, X, o);
        s = b;
        for (let l = 0; l < k; l++) s += A[j * k + l] * X[o + l];
        e = g1 * R[v] + g0;
      }
      val[v] = s;
      err[v] = e;
      if (s > e) side[v] = 1;
      else if (s < -e) side[v] = -1;
      else {
        const sd = this.exactSign(this.INC, v * words, j);
        if (sd === 0) return false;
        side[v] = sd;
        err[v] = -1;
      }
    }
    return true;
  }

  /** Each cell: the centroid of its vertices, found around each vertex as every sign choice of the hyperplanes through it. */
  private emitCells(n: number, emit: (bits: number, at: Float64Array) => void): void {
    const { k, X, ZM, PM } = this;
    let entries = 0;
    for (let v = 0; v < n; v++) entries += 1 << popcount(ZM[v]);
    const size = 1 << Math.ceil(Math.log2(2 * entries + 2));
    if (this.cellKeys.length < size) {
      this.cellKeys = new Int32Array(size);
      this.cellGen = new Int32Array(size);
      this.cellGeneration = 0;
    }
    this.cellGeneration++;
    const keys = this.cellKeys, gen = this.cellGen, g = this.cellGeneration, mask = size - 1;
    // Slot → cell index, in `slotCell` (reusing the face table's Int32Array when large enough).
    if (this.slotCellOf.length < size) this.slotCellOf = new Int32Array(keys.length);
    const slotCell = this.slotCellOf;
    let count = 0;
    for (let v = 0; v < n; v++) {
      const zm = ZM[v], pm = PM[v];
      if (this.cellBits.length < count + (1 << popcount(zm))) {
        const grown = new Int32Array(2 * (count + (1 << popcount(zm))));
        grown.set(this.cellBits);
        this.cellBits = grown;
      }
      for (let sub = zm; ; sub = (sub - 1) & zm) {
        const key = pm | sub;
        let slot = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
        while (gen[slot] === g && keys[slot] !== key) slot = (slot + 1) & mask;
        let cell: number;
        if (gen[slot] !== g) {
          gen[slot] = g;
          keys[slot] = key;
          cell = slotCell[slot] = count++;
          if (this.sums.length < count * k) {
            const grown = new Float64Array(2 * count * k);
            grown.set(this.sums);
            this.sums = grown;
            const counts = new Int32Array(2 * count);
            counts.set(this.counts);
            this.counts = counts;
          }
          this.sums.fill(0, cell * k, (cell + 1) * k);
          this.counts[cell] = 0;
          this.cellBits[cell] = key;
        } else cell = slotCell[slot];
        for (let l = 0; l < k; l++) this.sums[cell * k + l] += X[v * k + l];
        this.counts[cell]++;
        if (sub === 0) break;
      }
    }
    for (let cell = 0; cell < count; cell++) {
      for (let l = 0; l < k; l++) this.centre[l] = this.sums[cell * k + l] / this.counts[cell];
      emit(this.cellBits[cell], this.centre);
    }
  }

  private degree(v: number): number {
    let d = 0;
    for (let b = 0; b < this.words; b++) d += popcount(this.INC[v * this.words + b]);
    return d;
  }

  /** Room for n vertices and m edges (contents kept). */
  private reserve(n: number, m: number): void {
    const { k, words } = this;
    if (this.R.length < n) {
      const size = 2 * n;
      this.X = grow(this.X, size * k);
      this.R = grow(this.R, size);
      this.INC = grow(this.INC, size * words);
      this.ZM = grow(this.ZM, size);
      this.PM = grow(this.PM, size);
    }
    if (this.E.length < 2 * m) this.E = grow(this.E, 4 * m);
  }
}

function grow<T extends Float64Array | Uint32Array | Int32Array>(a: T, size: number): T {
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}
