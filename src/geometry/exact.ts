/**
 * Exact arithmetic on the network's own numbers, for the sign decisions that a floating-point filter
 * cannot certify (the filtered-predicate scheme of Shewchuk 1997, "Adaptive precision floating-point
 * arithmetic and fast robust geometric predicates", and of CGAL's filtered kernels, Brönnimann et al.
 * 2001). Every float64 is a dyadic rational m·2^e, so the weights, the box half-width L and every affine
 * map a region's pattern gives (products of weight matrices with rows scaled by the slope) are exact
 * dyadic matrices: held here as BigInt numerators over one power of two per matrix.
 *
 * A vertex of the subdivision is the solution of k independent tight constraints: neuron hyperplanes
 * a·z + β = 0 and box facets z_l = ±L. Its coordinates are affine in L, z = L·q + p with q, p rational
 * and independent of L (the box enters only the right-hand side), so one representation serves every
 * finite box and the box of symbolic size Ω → ∞ (the whole of R^k): a hyperplane's value at the vertex
 * is L(a·q) + (a·p + β), whose sign for Ω is that of a·q, or of a·p + β when a·q = 0 — the symbolic
 * bounding box of Mehlhorn & Seel's extended kernel for Nef polyhedra (Seel 2001).
 */

/** A dyadic matrix or vector: value_i = num_i · 2^exp. */
export interface Dyadic {
  readonly num: bigint[];
  readonly exp: number;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/**
 * x = m · 2^e exactly, with m odd (or 0).
 * @example dyadicOf(0.75) // [3n, -2]
 */
export function dyadicOf(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  if (!Number.isFinite(x)) throw new RangeError(`dyadicOf: ${x} is not finite`);
  F64[0] = x;
  const bits = U64[0];
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn, e: number;
  if (biased === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  return [negative ? -m : m, e];
}

/**
 * The values as one dyadic array (common exponent: the least of theirs).
 * @example dyadicArray([0.5, 3]) // { num: [1n, 6n], exp: -1 }
 */
export function dyadicArray(values: ArrayLike<number>): Dyadic {
  const parts: [bigint, number][] = [];
  let exp = Infinity;
  for (let i = 0; i < values.length; i++) {
    const d = dyadicOf(values[i]);
    parts.push(d);
    if (d[0] !== 0n && d[1] < exp) exp = d[1];
  }
  if (exp === Infinity) exp = 0;
  return { num: parts.map(([m, e]) => (m === 0n ? 0n : m << BigInt(e - exp))), exp };
}

/**
 * The exact affine map x ↦ W x + b of one layer applied to the exact affine map z ↦ J z + c (J is
 * inDim × k): the pre-activations A z + β, A = W J (outDim × k), β = W c + b.
 * @example exactPreimage(dyadicArray(W), dyadicArray(b), inDim, outDim, J, c, k).A
 */
export function exactPreimage(W: Dyadic, b: Dyadic, inDim: number, outDim: number, J: Dyadic, c: Dyadic, k: number): { A: Dyadic; beta: Dyadic } {
  const A = new Array<bigint>(outDim * k).fill(0n), cw = new Array<bigint>(outDim).fill(0n);
  for (let r = 0; r < outDim; r++) {
    let s = 0n;
    for (let q = 0; q < inDim; q++) {
      const w = W.num[r * inDim + q];
      if (w === 0n) continue;
      s += w * c.num[q];
      for (let l = 0; l < k; l++) {
        const j = J.num[q * k + l];
        if (j !== 0n) A[r * k + l] += w * j;
      }
    }
    cw[r] = s;
  }
  // β = W c (exponent W.exp + c.exp) + b (exponent b.exp), on the lesser exponent.
  const e1 = W.exp + c.exp, exp = Math.min(e1, b.exp);
  const s1 = BigInt(e1 - exp), s2 = BigInt(b.exp - exp);
  const beta = cw.map((v, r) => (v << s1) + (b.num[r] << s2));
  return { A: { num: A, exp: W.exp + J.exp }, beta: { num: beta, exp } };
}

/**
 * Rows of inactive neurons scaled by the slope (ReLU: zeroed), on one exponent for the whole matrix:
 * the exact twin of region.ts's applyPattern. `rows` is the number of rows, `cols` their length.
 * @example exactPattern(A, n, k, 0, pattern, offset) // ReLU: the rows of inactive neurons zeroed
 */
export function exactPattern(M: Dyadic, rows: number, cols: number, slope: number, pattern: Uint8Array, at: number): Dyadic {
  const [ms, es] = dyadicOf(slope);
  const exp = ms === 0n ? M.exp : M.exp + Math.min(0, es);
  const up = BigInt(M.exp - exp), upScaled = BigInt(M.exp + es - exp);
  const num = new Array<bigint>(rows * cols);
  for (let r = 0; r < rows; r++) {
    const on = pattern[at + r] !== 0;
    for (let l = 0; l < cols; l++) {
      const v = M.num[r * cols + l];
      num[r * cols + l] = on ? v << up : ms === 0n ? 0n : (v * ms) << upScaled;
    }
  }
  return { num, exp };
}

/**
 * One tight constraint of a vertex, as an integer row: a·z = L·rq + rp (a box facet z_l = ±L has
 * a = e_l, rq = ±1, rp = 0; a neuron's hyperplane a·z + β = 0 has rq = 0, rp = −β).
 */
export interface ExactRow {
  readonly a: bigint[];
  readonly rq: bigint;
  readonly rp: bigint;
}

/** A vertex z = L·q + p with q = nq/den, p = np/den, den > 0. */
export interface ExactPoint {
  readonly den: bigint;
  readonly nq: bigint[];
  readonly np: bigint[];
}

/**
 * The hyperplane a·z + β = 0 as an integer row (a and β on one exponent; a positive scale changes no sign).
 * @example hyperplaneRow(A, beta, j, k) // { a, rq: 0n, rp: −β }
 */
export function hyperplaneRow(A: Dyadic, beta: Dyadic, j: number, k: number): ExactRow {
  const exp = Math.min(A.exp, beta.exp), sa = BigInt(A.exp - exp), sb = BigInt(beta.exp - exp);
  const a = new Array<bigint>(k);
  for (let l = 0; l < k; l++) a[l] = A.num[j * k + l] << sa;
  return { a, rq: 0n, rp: -(beta.num[j] << sb) };
}

/**
 * Box facet id (2l: z_l ≥ −L, 2l + 1: z_l ≤ L) as the row z_l = ±L.
 * @example boxRow(3, 2) // { a: [0n, 1n], rq: 1n, rp: 0n }: z_1 = L
 */
export function boxRow(id: number, k: number): ExactRow {
  const a = new Array<bigint>(k).fill(0n);
  a[id >> 1] = 1n;
  return { a, rq: id & 1 ? 1n : -1n, rp: 0n };
}

/**
 * The point where the rows (at least k of them, of rank k) are all tight, by fraction-free Gaussian
 * elimination (Bareiss 1968: every division is exact, so the integers stay the size of k × k minors),
 * choosing pivot rows among all of them; throws when the rows have rank below k.
 * @example solveVertex([{ a: [1n, 1n], rq: 0n, rp: 1n }, boxRow(1, 2)], 2) // z = L·(1, −1) + (0, 1)
 */
export function solveVertex(rows: readonly ExactRow[], k: number): ExactPoint {
  // Work rows [a | rq | rp].
  const M = rows.map((r) => [...r.a, r.rq, r.rp]);
  const n = M.length, w = k + 2;
  let prev = 1n;
  for (let c = 0; c < k; c++) {
    let piv = -1;
    for (let r = c; r < n; r++) if (M[r][c] !== 0n && (piv < 0 || bitLength(M[r][c]) < bitLength(M[piv][c]))) piv = r;
    if (piv < 0) throw new Error(`solveVertex: the ${n} tight constraints have rank < ${k}`);
    [M[c], M[piv]] = [M[piv], M[c]];
    const P = M[c], p = P[c];
    for (let r = c + 1; r < n; r++) {
      const R = M[r], f = R[c];
      for (let q = c + 1; q < w; q++) R[q] = (p * R[q] - f * P[q]) / prev;
      R[c] = 0n;
    }
    prev = p;
  }
  // Back substitution on the k pivot rows: x_i·D integral for D = the last pivot (Cramer's rule).
  let D = M[k - 1][k - 1];
  const nq = new Array<bigint>(k), np = new Array<bigint>(k);
  for (let i = k - 1; i >= 0; i--) {
    let sq = D * M[i][k], sp = D * M[i][k + 1];
    for (let j = i + 1; j < k; j++) {
      sq -= M[i][j] * nq[j];
      sp -= M[i][j] * np[j];
    }
    nq[i] = sq / M[i][i];
    np[i] = sp / M[i][i];
  }
  if (D < 0n) {
    D = -D;
    for (let l = 0; l < k; l++) {
      nq[l] = -nq[l];
      np[l] = -np[l];
    }
  }
  // Not reduced by a gcd: Cramer's numerators are no larger than the minors themselves, and the gcd costs more than it saves.
  return { den: D, nq, np };
}

/**
 * The rank of integer vectors of length k, by fraction-free elimination (Bareiss 1968).
 * @example rank([[1n, 2n], [2n, 4n]], 2) // 1
 */
export function rank(rows: readonly bigint[][], k: number): number {
  const M = rows.map((r) => r.slice());
  let prev = 1n, r = 0;
  for (let c = 0; c < k && r < M.length; c++) {
    let piv = -1;
    for (let i = r; i < M.length; i++) if (M[i][c] !== 0n) {
      piv = i;
      break;
    }
    if (piv < 0) continue;
    [M[r], M[piv]] = [M[piv], M[r]];
    const P = M[r], p = P[c];
    for (let i = r + 1; i < M.length; i++) {
      const R = M[i], f = R[c];
      for (let q = c + 1; q < k; q++) R[q] = (p * R[q] - f * P[q]) / prev;
      R[c] = 0n;
    }
    prev = p;
    r++;
  }
  return r;
}

/**
 * The greatest common divisor (≥ 0).
 * @example gcd(12n, -18n) // 6n
 */
export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * The box half-width: a positive dyadic, or Infinity for Ω (the whole of R^k).
 * @example new ExactBox(1e300).infinite // false
 */
export class ExactBox {
  readonly infinite: boolean;
  private readonly m: bigint;
  private readonly e: number;

  constructor(readonly L: number) {
    this.infinite = L === Infinity;
    [this.m, this.e] = this.infinite ? [1n, 0] : dyadicOf(L);
  }

  /**
   * The sign of a·z + β at the vertex z = L q + p, i.e. of L·(a·nq) + (a·np − rp·den) (den > 0): the sum
   * for a finite L, lexicographic (a·q first) for Ω.
   * @example new ExactBox(Infinity).sign(row, point) // −1, 0 or 1
   */
  sign(row: ExactRow, v: ExactPoint): number {
    const k = row.a.length;
    let alpha = 0n, gamma = -row.rp * v.den;
    for (let l = 0; l < k; l++) {
      alpha += row.a[l] * v.nq[l];
      gamma += row.a[l] * v.np[l];
    }
    if (this.infinite) return alpha !== 0n ? sgn(alpha) : sgn(gamma);
    if (alpha === 0n) return sgn(gamma);
    // L·α + γ with L = m·2^e.
    const s = this.e >= 0 ? ((this.m * alpha) << BigInt(this.e)) + gamma : this.m * alpha + (gamma << BigInt(-this.e));
    return sgn(s);
  }

  /** The vertex's coordinates divided by L (for Ω: its direction q; 0 for a finite vertex), as float64 (within 2 ulps). */
  scaled(v: ExactPoint, out: Float64Array, at: number): void {
    const k = v.nq.length;
    for (let l = 0; l < k; l++) {
      if (this.infinite) out[at + l] = ratio(v.nq[l], v.den);
      else {
        // q + p/L = (L nq + np)/(L den).
        const n = this.e >= 0 ? ((this.m * v.nq[l]) << BigInt(this.e)) + v.np[l] : this.m * v.nq[l] + (v.np[l] << BigInt(-this.e));
        const d = this.e >= 0 ? (this.m * v.den) << BigInt(this.e) : this.m * v.den;
        out[at + l] = ratio(n, d);
      }
    }
  }
}

function sgn(x: bigint): number {
  return x > 0n ? 1 : x < 0n ? -1 : 0;
}

/**
 * The number of bits of |x|, rounded up to a multiple of 4.
 * @example bitLength(255n) // 8
 */
export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  return x === 0n ? 0 : x.toString(16).length * 4;
}

/**
 * n/d as float64 (d ≠ 0), correct to within 2 ulps for any size of n and d (both are cut to 64
 * significant bits before the division, so nothing overflows on the way).
 * @example ratio(1n, 3n) // 0.3333333333333333
 */
export function ratio(n: bigint, d: bigint): number {
  if (n === 0n) return 0;
  const negative = (n < 0n) !== (d < 0n);
  if (n < 0n) n = -n;
  if (d < 0n) d = -d;
  const sn = Math.max(0, bitLength(n) - 64), sd = Math.max(0, bitLength(d) - 64);
  const x = Number(n >> BigInt(sn)) / Number(d >> BigInt(sd));
  const v = x * 2 ** (sn - sd);
  // 2^(sn − sd) may itself overflow or underflow where the product would not.
  const out = Number.isFinite(v) && (v !== 0 || x === 0) ? v : scale2(x, sn - sd);
  return negative ? -out : out;
}

function scale2(x: number, e: number): number {
  while (e > 0) {
    const s = Math.min(e, 1000);
    x *= 2 ** s;
    e -= s;
  }
  while (e < 0) {
    const s = Math.min(-e, 1000);
    x /= 2 ** s;
    e += s;
  }
  return x;
}

/**
 * The rank of integer vectors (rows of equal length), and an integer basis of the space orthogonal to
 * them (its nullspace), by fraction-free elimination to reduced echelon form.
 * @example nullspace([[1n, 1n]], 2) // { rank: 1, basis: [[-1n, 1n]] }
 */
export function nullspace(rows: readonly bigint[][], k: number): { rank: number; basis: bigint[][] } {
  const M = rows.map((r) => r.slice());
  const pivots: number[] = [];
  let rank = 0;
  for (let c = 0; c < k && rank < M.length; c++) {
    let piv = -1;
    for (let r = rank; r < M.length; r++) if (M[r][c] !== 0n) {
      piv = r;
      break;
    }
    if (piv < 0) continue;
    [M[rank], M[piv]] = [M[piv], M[rank]];
    const P = M[rank];
    for (let r = 0; r < M.length; r++) {
      if (r === rank || M[r][c] === 0n) continue;
      const f = M[r][c], p = P[c], R = M[r];
      let g = 0n;
      for (let q = 0; q < k; q++) {
        R[q] = p * R[q] - f * P[q];
        g = gcd(g, R[q]);
      }
      if (g > 1n) for (let q = 0; q < k; q++) R[q] /= g;
    }
    pivots.push(c);
    rank++;
  }
  // One basis vector per free column: x_free = the product of pivots, x_pivot solved from its row.
  const basis: bigint[][] = [];
  const free = Array.from({ length: k }, (_, c) => c).filter((c) => !pivots.includes(c));
  for (const f of free) {
    let D = 1n;
    for (let i = 0; i < rank; i++) D *= M[i][pivots[i]] < 0n ? -M[i][pivots[i]] : M[i][pivots[i]];
    const x = new Array<bigint>(k).fill(0n);
    x[f] = D;
    for (let i = 0; i < rank; i++) x[pivots[i]] = (-M[i][f] * D) / M[i][pivots[i]];
    let g = 0n;
    for (const v of x) g = gcd(g, v);
    basis.push(g > 1n ? x.map((v) => v / g) : x);
  }
  return { rank, basis };
}
