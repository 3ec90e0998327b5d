/**
 * Euclidean projection onto a polyhedron: min ½‖z − y‖² over {C z ≤ d}, the Proj_P of Algorithm 3.2,
 * step 6 — by the dual active-set method of Goldfarb & Idnani (1983, "A numerically stable dual method
 * for solving strictly convex quadratic programs"), specialised to the identity Hessian. It needs no
 * feasible start: from y, the unconstrained minimizer, it adds the most violated constraint p while the
 * active constraints stay tight, moving z along the part of p's normal orthogonal to theirs and keeping
 * every multiplier ≥ 0 (a multiplier that would turn negative drops its constraint first). The active
 * normals are kept as N = U R (Gram–Schmidt, twice for orthogonality to rounding), extended by one
 * column per added constraint and rebuilt after a drop. Dependent active constraints show as a zero
 * primal direction and are resolved by a pure dual step that drops one; no direction and no multiplier
 * to drop proves the polyhedron empty. Ties go to the smallest row index. Past an iteration cap the
 * primal active-set method of qp.ts (finite under Bland's rule) finishes from a feasible point, so the
 * answer is always a KKT point.
 *
 * Cost: one pass over the m rows per added constraint (the slack update s ← s − C·Δz, a SIMD gemv in
 * the kernels' heap), O(k·|active|) per step otherwise; scratch is reused between calls.
 */
import { gemm, Mat } from "../tensor/mat.js";
import { chebyshevCentre } from "./lp.js";
import { kktResiduals, solveQP, type QPSolution } from "./qp.js";
import type { Polyhedron } from "./region.js";

/** A row violated by more than VIOLATION_TOL (unit rows, relative to 1 + |d_i|/‖C_i‖) is added: the ~k·ε rounding of C_i z is far below. */
const VIOLATION_TOL = 1e-12;
/** The new normal's part orthogonal to the active ones, below DEP_TOL (unit rows), means it depends on them. */
const DEP_TOL = 1e-10;
/** Gram–Schmidt repeats its pass when it leaves less than this fraction of the vector's norm (Kahan–Parlett's 1/√2 criterion). */
const REORTHOGONALIZE = Math.SQRT1_2;
/**
 * Dual steps allowed per (k + m) before the primal fallback: each constraint is added about once when nothing degenerates.
 *
 * @example
 * import { geometry } from "surfing";
 * const square = { dim: 2, rows: 4, C: Float64Array.of(-1, 0, 1, 0, 0, -1, 0, 1), d: Float64Array.of(1, 1, 1, 1) };
 * geometry.MAX_DUAL_STEPS;   // → 10
 * geometry.project(square, [3, 0.5], { maxDualSteps: 2 * geometry.MAX_DUAL_STEPS }).x;   // ≈ [1, 0.5]
 */
export const MAX_DUAL_STEPS = 10;

export interface ProjectOptions {
  /** Dual steps allowed per (k + m) before the primal fallback (default MAX_DUAL_STEPS). */
  readonly maxDualSteps?: number;
}

/**
 * The projection of y onto P (unique: the objective is strictly convex); `working` holds the active rows, `lambda` their multipliers.
 *
 * @example
 * import { geometry } from "surfing";
 * const square = { dim: 2, rows: 4, C: Float64Array.of(-1, 0, 1, 0, 0, -1, 0, 1), d: Float64Array.of(1, 1, 1, 1) };
 * geometry.project(square, [3, 0.5]).x;   // ≈ [1, 0.5]
 */
export function project(P: Polyhedron, y: ArrayLike<number>, options: ProjectOptions = {}): QPSolution {
  return new Projector(P).project(y, options);
}

/**
 * Projections onto one polyhedron (Algorithm 3.2 projects onto each piece many times): its rows are normalized once.
 *
 * @example
 * import { geometry } from "surfing";
 * const square = { dim: 2, rows: 4, C: Float64Array.of(-1, 0, 1, 0, 0, -1, 0, 1), d: Float64Array.of(1, 1, 1, 1) };
 * const projector = new geometry.Projector(square);
 * projector.project([3, 0.5]).x;   // ≈ [1, 0.5]
 * projector.project([-2, -3]).x;   // ≈ [-1, -1]
 */
export class Projector {
  private readonly k: number;
  private readonly m: number;
  /** Unit rows c_i = C_i/‖C_i‖ by column (k × m: the slack update is then one gemv over the rows). */
  private readonly CT: Float64Array;
  private readonly norm: Float64Array;
  /** 1/(1 + |e_i|), e_i = d_i/‖C_i‖: violations are judged relative to the row's offset. */
  private readonly invScale: Float64Array;

  constructor(readonly P: Polyhedron) {
    const k = P.dim, m = P.rows, { C, d } = P;
    this.k = k;
    this.m = m;
    this.CT = new Float64Array(k * m);
    this.norm = new Float64Array(m);
    this.invScale = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s2 = 0;
      for (let l = 0; l < k; l++) s2 += C[i * k + l] ** 2;
      const n = Math.sqrt(s2), inv = n > 0 ? 1 / n : 0;
      // A zero row is 0 ≤ d_i.
      if (n === 0 && d[i] < 0) throw new RangeError("project: the polyhedron is empty");
      this.norm[i] = n;
      this.invScale[i] = 1 / (1 + Math.abs(d[i]) * (inv || 1));
      for (let l = 0; l < k; l++) this.CT[l * m + i] = C[i * k + l] * inv;
    }
  }

  project(y: ArrayLike<number>, options: ProjectOptions = {}): QPSolution {
    const { k, m, norm, invScale, P } = this, { d } = P;
    if (y.length !== k) throw new RangeError(`project: y has ${y.length} coordinates, the polyhedron lives in R^${k}`);
    const ws = Workspace.for(k, m, this.CT);
    const ct = this.CT;
    const z = Float64Array.from(y);
    const slack = ws.slacksAt(z, d, norm, m);
    const { basis, cp, dir, h, r, moved } = ws;
    basis.clear();
    const active: number[] = [], lambda: number[] = [];
    const unit = (i: number, out: Float64Array) => {
      for (let l = 0; l < k; l++) out[l] = ct[l * m + i];
    };
    const maxSteps = (options.maxDualSteps ?? MAX_DUAL_STEPS) * (k + m);
    let steps = 0;
    for (; steps < maxSteps; steps++) {
      const p = mostViolated(slack, invScale, m);
      if (p < 0) break;
      unit(p, cp);
      let lambdaP = 0, slackP = slack[p];
      // Raise p's multiplier until p is tight, dropping active rows whose multipliers reach 0 on the way.
      for (; steps < maxSteps; steps++) {
        // dir = the part of c_p orthogonal to the active normals N; r: N r = c_p − dir.
        const q = active.length;
        const dirNorm = basis.orthogonalize(cp, h, dir);
        basis.solve(h, r);
        const dependent = dirNorm <= DEP_TOL;
        // Full step: p becomes tight (slack_p + t‖dir‖² = 0); partial step: an active multiplier reaches 0.
        const full = dependent ? Infinity : -slackP / (dirNorm * dirNorm);
        let partial = Infinity, drop = -1;
        for (let j = 0; j < q; j++) {
          if (r[j] <= 0) continue;
          const t = lambda[j] / r[j];
          if (t < partial || (t === partial && active[j] < active[drop])) {
            partial = t;
            drop = j;
          }
        }
        const t = Math.min(full, partial);
        if (t === Infinity) throw new RangeError("project: the polyhedron is empty");
        // z ← z − t·dir (active rows stay tight: their normals are orthogonal to dir); multipliers move by t(−r, +1).
        if (!dependent) {
          for (let l = 0; l < k; l++) {
            z[l] -= t * dir[l];
            moved[l] -= t * dir[l];
          }
          slackP += t * dirNorm * dirNorm;
        }
        for (let j = 0; j < q; j++) lambda[j] -= t * r[j];
        lambdaP += t;
        if (t === full) {
          basis.add(dir, dirNorm, h);
          active.push(p);
          lambda.push(lambdaP);
          break;
        }
        active.splice(drop, 1);
        lambda.splice(drop, 1);
        basis.rebuild(active.length, (j, out) => unit(active[j], out));
      }
      ws.update(m);
      slack[p] = 0;
    }
    return this.solution(y, z, active, lambda, steps, steps >= maxSteps, ws);
  }

  /**
   * The projection as a QP's solution: z with its multipliers (in C's units) and KKT residuals — or, after
   * degenerate cycling (not seen in practice), the primal method's answer from the Chebyshev centre.
   */
  private solution(y: ArrayLike<number>, z: Float64Array, active: number[], lambda: number[], steps: number, cycled: boolean, ws: Workspace): QPSolution {
    const { k, m, norm, P } = this, { C, d } = P;
    const g = new Float64Array(k);
    for (let l = 0; l < k; l++) g[l] = -y[l];
    const qp = { n: k, H: "identity" as const, g, m, C, d };
    if (cycled) {
      const c = chebyshevCentre(P, { radiusCap: 1 });
      if (c.status === "empty") throw new RangeError("project: the polyhedron is empty");
      return solveQP(qp, c.centre);
    }
    const multipliers = new Float64Array(m);
    active.forEach((i, j) => (multipliers[i] = lambda[j] / norm[i]));
    let value = 0;
    for (let l = 0; l < k; l++) value += z[l] * (0.5 * z[l] - y[l]);
    // The KKT residuals, with the slacks recomputed at z (in C's units; a zero row's is d_i).
    const slack = ws.slacksAt(z, d, norm, m);
    const slacks = new Float64Array(m);
    for (let i = 0; i < m; i++) slacks[i] = norm[i] === 0 ? d[i] : slack[i] * norm[i];
    return { status: "optimal", x: z, value, lambda: multipliers, working: Int32Array.from(active), iterations: steps, unique: true, kkt: kktResiduals(qp, z, multipliers, slacks) };
  }
}

/**
 * The most violated row, −slack_i scaled, past VIOLATION_TOL (smallest index on ties; −1: none). worst
 * starts at the tolerance, so the one test is taken rarely: no mispredicted branch per row.
 */
function mostViolated(slack: Float64Array, invScale: Float64Array, m: number): number {
  let p = -1, worst = VIOLATION_TOL;
  for (let i = 0; i < m; i++) {
    const v = -slack[i] * invScale[i];
    if (v > worst) {
      worst = v;
      p = i;
    }
  }
  return p;
}

/**
 * The scratch of the projections in R^k, kept between calls: the unit rows by column and the slacks in
 * the kernels' heap (for the gemv), the Gram–Schmidt basis, vectors of R^k.
 */
class Workspace {
  private static readonly byDim = new Map<number, Workspace>();
  private CT: Mat;
  private slackM: Mat;
  private readonly move: Mat;
  readonly basis: GramSchmidt;
  readonly cp: Float64Array;
  readonly dir: Float64Array;
  readonly h: Float64Array;
  readonly r: Float64Array;
  /** z's change since the slacks were last brought up to date (a view of `move`). */
  moved: Float64Array;

  private constructor(k: number) {
    this.CT = Mat.zeros(k, 1, "f64");
    this.slackM = Mat.zeros(1, 1, "f64");
    this.move = Mat.zeros(1, k, "f64");
    this.moved = this.move.data as Float64Array;
    this.basis = new GramSchmidt(k);
    [this.cp, this.dir, this.h, this.r] = [0, 1, 2, 3].map(() => new Float64Array(k));
  }

  /** The workspace for R^k, holding the k × m unit rows CT (m ≥ 1 columns: gemm needs the exact shape). */
  static for(k: number, m: number, CT: Float64Array): Workspace {
    let ws = Workspace.byDim.get(k);
    if (!ws) {
      ws = new Workspace(k);
      Workspace.byDim.set(k, ws);
    }
    const cols = Math.max(1, m);
    if (ws.CT.cols !== cols) {
      ws.CT.free();
      ws.slackM.free();
      ws.CT = Mat.zeros(k, cols, "f64");
      ws.slackM = Mat.zeros(1, cols, "f64");
    }
    // Heap views are taken after any allocation.
    ws.moved = ws.move.data as Float64Array;
    ws.CT.data.set(CT);
    return ws;
  }

  /** The slacks e_i − c_i·v (Infinity for a zero row): a view valid until the next projection. */
  slacksAt(v: Float64Array, d: Float64Array, norm: Float64Array, m: number): Float64Array {
    const slack = this.slackM.data as Float64Array;
    for (let i = 0; i < m; i++) slack[i] = norm[i] === 0 ? Infinity : d[i] / norm[i];
    this.moved.set(v);
    this.update(m);
    return slack;
  }

  /** slack ← slack − C_unit·moved, and moved ← 0. */
  update(m: number): void {
    if (m > 0) gemm(this.slackM, this.move, this.CT, { alpha: -1, beta: 1 });
    this.moved.fill(0);
  }
}

/**
 * An orthonormal basis U (columns u_0 … u_{q−1} of R^k) of the active normals N = U R, R upper
 * triangular, by classical Gram–Schmidt with a second pass whenever the first cancels more than
 * REORTHOGONALIZE of the vector ("twice is enough", Giraud, Langou & Rozložník 2005: orthogonal to
 * rounding for any q ≤ k).
 */
class GramSchmidt {
  private readonly U: Float64Array;
  /** R, row-major with stride k. */
  private readonly R: Float64Array;
  // Scratch: the second pass's coefficients; a column, its orthogonal part and coefficients in rebuild().
  private readonly h2: Float64Array;
  private readonly c: Float64Array;
  private readonly w: Float64Array;
  private readonly hw: Float64Array;
  private q = 0;

  constructor(private readonly k: number) {
    this.U = new Float64Array(k * k);
    this.R = new Float64Array(k * k);
    this.h2 = new Float64Array(k);
    this.c = new Float64Array(k);
    this.w = new Float64Array(k);
    this.hw = new Float64Array(k);
  }

  clear(): void {
    this.q = 0;
  }

  /** out = c − U Uᵀ c (returned: ‖out‖), h = Uᵀ c (the coefficients of c's part in span U). */
  orthogonalize(c: Float64Array, h: Float64Array, out: Float64Array): number {
    const { k, q, U, h2 } = this;
    out.set(c);
    h.fill(0, 0, q);
    let before = 0;
    for (let l = 0; l < k; l++) before += c[l] * c[l];
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < q; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += U[j * k + l] * out[l];
        h2[j] = s;
      }
      let after = 0;
      for (let l = 0; l < k; l++) {
        let o = out[l];
        for (let j = 0; j < q; j++) o -= h2[j] * U[j * k + l];
        out[l] = o;
        after += o * o;
      }
      for (let j = 0; j < q; j++) h[j] += h2[j];
      if (q === 0 || after > REORTHOGONALIZE * REORTHOGONALIZE * before) return Math.sqrt(after);
      before = after;
    }
    let n2 = 0;
    for (let l = 0; l < k; l++) n2 += out[l] * out[l];
    return Math.sqrt(n2);
  }

  /** Solve R r = h (the first q entries). */
  solve(h: Float64Array, r: Float64Array): void {
    const { k, q, R } = this;
    for (let i = q - 1; i >= 0; i--) {
      let s = h[i];
      for (let j = i + 1; j < q; j++) s -= R[i * k + j] * r[j];
      r[i] = s / R[i * k + i];
    }
  }

  /** Append the column c = U h + out (out = its orthogonal part, of norm `outNorm`, from orthogonalize). */
  add(out: Float64Array, outNorm: number, h: Float64Array): void {
    const { k, q, U, R } = this;
    for (let l = 0; l < k; l++) U[q * k + l] = out[l] / outNorm;
    for (let j = 0; j < q; j++) R[j * k + q] = h[j];
    R[q * k + q] = outNorm;
    this.q = q + 1;
  }

  /** Start over with the q columns that `col(j, out)` writes (after a column is dropped). */
  rebuild(q: number, col: (j: number, out: Float64Array) => void): void {
    const { c, w, hw: h } = this;
    this.q = 0;
    for (let j = 0; j < q; j++) {
      col(j, c);
      const n = this.orthogonalize(c, h, w);
      this.add(w, n, h);
    }
  }
}
