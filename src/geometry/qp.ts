/**
 * Convex quadratic programs  minimize ½ xᵀHx + gᵀx  subject to  C x ≤ d,  H symmetric positive
 * *semi*definite (H = 0 gives an LP), by a primal active-set method from a feasible start (Nocedal &
 * Wright, Numerical Optimization, Algorithm 16.3), in float64. Finite-step rules:
 *  - the step on the working set W is taken in the null space Z of C_W: the Newton step on Zᵀ H Z where
 *    it is nonsingular, and a zero-curvature descent direction (step limited only by the constraints)
 *    where the reduced gradient has a component in its null space — so rank-deficient Hessians (A·J of
 *    a region) and LPs need no special case;
 *  - anti-cycling: after a zero-length (degenerate) step both the constraint to drop and the blocking
 *    constraint to add are chosen by Bland's smallest-index rule, which makes a run of degenerate steps
 *    finite (on vertices this is the dual simplex method with Bland's rule);
 *  - entering constraints are independent of W by construction (C_i p > 0 with C_W p = 0), and a warm
 *    start's working set is checked for dependent rows;
 *  - an iteration cap, and the KKT residuals of the answer.
 * When the minimizer is not unique (a minimizer set, e.g. A·J rank-deficient), one minimizer is returned
 * and `unique` is false; uniqueness is decided exactly from the KKT point (see `isUnique`).
 */
import { QRWorkspace, qrColumns, solveUpper, symmetricEigen } from "./linalg.js";

/** H: "zero" (an LP), "identity" (a projection) or an n × n symmetric PSD matrix, row-major. */
export type Hessian = "zero" | "identity" | Float64Array;

export interface QuadraticProgram {
  readonly n: number;
  readonly H: Hessian;
  readonly g: Float64Array;
  readonly m: number;
  /** m × n row-major. */
  readonly C: Float64Array;
  readonly d: Float64Array;
}

export interface KKTResiduals {
  /** ‖Hx + g + Cᵀλ‖∞. */
  readonly stationarity: number;
  /** max(0, max_i C_i x − d_i). */
  readonly primal: number;
  /** max(0, max_i −λ_i). */
  readonly dual: number;
  /** max_i |λ_i (d_i − C_i x)|. */
  readonly complementarity: number;
}

export interface QPSolution {
  /** "unbounded": the objective decreases without bound along `ray` from x. */
  readonly status: "optimal" | "unbounded" | "iterationLimit";
  readonly x: Float64Array;
  /** ½ xᵀHx + gᵀx. */
  readonly value: number;
  /** Lagrange multipliers, one per row (zero off the working set). */
  readonly lambda: Float64Array;
  /** The final working set (row indices): linearly independent constraints tight at x. */
  readonly working: Int32Array;
  readonly iterations: number;
  /** False when x is one point of a minimizer set of positive dimension. */
  readonly unique: boolean;
  readonly kkt: KKTResiduals;
  readonly ray?: Float64Array;
}

export interface QPOptions {
  /** Default 50 (n + m). */
  readonly maxIterations?: number;
  /** A warm-start working set: rows tight at x0; rows that are not, or that are dependent, are left out. */
  readonly working?: ArrayLike<number>;
  /** Skip the uniqueness test (then `unique` reports only whether the reduced Hessian is nonsingular). */
  readonly skipUniqueness?: boolean;
}

// Rows are scaled to unit norm, so these compare like quantities.
/** x0 may violate a row by this much (relative to 1 + |d_i|): rounding in a caller's interior point. */
export const FEASIBILITY_TOL = 1e-9;
/** C_i p > PIVOT_TOL ‖p‖ blocks: well above the ~n·ε rounding of the product, so a row that blocks is independent of W. */
const PIVOT_TOL = 1e-11;
/** The reduced gradient is zero below OPT_TOL × the gradient's scale (rounding is ~n·ε of it). */
const OPT_TOL = 1e-12;
/** Eigenvalues of Zᵀ H Z below CURV_TOL × ‖H‖ are zero curvature (rounding of a rank-deficient MᵀM is ~ε‖H‖). */
const CURV_TOL = 1e-11;
/** A multiplier below −MULT_TOL × the gradient's scale is negative: the constraint is dropped. */
const MULT_TOL = 1e-10;
/** A row with slack below TIGHT_TOL (relative to 1 + |d_i|) is tight: its step ratio is exactly 0, so degenerate ties are exact and Bland's rule applies. */
const TIGHT_TOL = 1e-13;
/** A working-set row whose QR pivot is below this (unit rows) is dependent on the others. */
const DEP_TOL = 1e-10;

/**
 * Minimize ½xᵀHx + gᵀx subject to Cx ≤ d (H positive semidefinite, "zero" for an LP) by a primal active-set
 * method from a feasible start x0, with the multipliers and KKT residuals of the answer.
 *
 * @example
 * import { geometry } from "surfing";
 * // the point of x + y ≥ 1 nearest the origin: minimize ½‖x‖² subject to −x − y ≤ −1
 * const qp = { n: 2, H: "identity", g: new Float64Array(2), m: 1, C: Float64Array.of(-1, -1), d: Float64Array.of(-1) };
 * const solution = geometry.solveQP(qp, [1, 1]);
 * solution.status;   // → "optimal"
 * solution.x;   // ≈ [0.5, 0.5]
 */
export function solveQP(qp: QuadraticProgram, x0: ArrayLike<number>, options: QPOptions = {}): QPSolution {
  const { n, m, H, C, d } = qp;
  if (C.length !== m * n || d.length !== m || qp.g.length !== n || x0.length !== n || (H instanceof Float64Array && H.length !== n * n)) {
    throw new RangeError(`solveQP: inconsistent shapes (n = ${n}, m = ${m})`);
  }
  const x = Float64Array.from(x0), Cp = new Float64Array(m);
  const { norm, slack } = normsAndSlacks(qp, x);
  const unitRow = (i: number, out: Float64Array) => {
    for (let j = 0; j < n; j++) out[j] = C[i * n + j] / norm[i];
  };
  const qr = new QRWorkspace(n);
  const maxIterations = options.maxIterations ?? 50 * (n + m);
  const inW = new Uint8Array(m);
  const W = warmStart(options.working ?? [], qp, norm, slack, qr, unitRow);
  for (const i of W) inW[i] = 1;

  const grad = new Float64Array(n), p = new Float64Array(n), u = new Float64Array(n), gz = new Float64Array(n), y = new Float64Array(n);
  let iterations = 0, degenerate = false, status: QPSolution["status"] = "iterationLimit";
  let ray: Float64Array | undefined;
  let lambdaW: Float64Array = new Float64Array(0);
  const hScale = hessianScale(H, n);
  for (; iterations < maxIterations; iterations++) {
    gradient(H, qp.g, x, n, grad);
    const scale = gradientScale(H, qp.g, x, n);
    const w = W.length, r = n - w;
    const { Q, R } = qr.factor(w, (j, out) => unitRow(W[j], out));
    if (reducedGradient(Q, grad, n, w, gz) <= OPT_TOL * scale) {
      // Stationary on W: multipliers from C_Wᵀ λ = −∇ (unit rows).
      for (let j = 0; j < w; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s -= Q[i * n + j] * grad[i];
        y[j] = s;
      }
      lambdaW = solveUpper(R, w, y);
      const drop = rowToDrop(lambdaW, W, scale, degenerate);
      if (drop < 0) {
        status = "optimal";
        break;
      }
      inW[W[drop]] = 0;
      W.splice(drop, 1);
      continue;
    }
    // Step in the null space: p = Z u, as far as the first row it would cross.
    const alphaMax = nullSpaceStep(H, Q, n, w, gz, hScale, scale, u);
    let pNorm = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += Q[i * n + w + j] * u[j];
      p[i] = s;
      pNorm += s * s;
    }
    const { alpha, block } = ratioTest(qp, p, Math.sqrt(pNorm), alphaMax, norm, slack, inW, Cp);
    if (alpha === Infinity) {
      status = "unbounded";
      ray = Float64Array.from(p);
      break;
    }
    for (let i = 0; i < n; i++) x[i] += alpha * p[i];
    for (let i = 0; i < m; i++) slack[i] -= alpha * Cp[i];
    degenerate = alpha === 0;
    if (block >= 0) {
      W.push(block);
      inW[block] = 1;
      slack[block] = 0;
    }
  }

  gradient(H, qp.g, x, n, grad);
  const lambda = new Float64Array(m);
  if (status === "optimal") W.forEach((i, j) => (lambda[i] = lambdaW[j] / norm[i]));
  const kkt = residuals(qp, x, lambda, grad);
  const unique = status === "optimal" && (options.skipUniqueness ? reducedNonsingular(H, qp, norm, W, hScale) : isUnique(qp, H, norm, x, W, lambda, hScale));
  return { status, x, value: objective(H, qp.g, x, n), lambda, working: Int32Array.from(W), iterations, unique, kkt, ...(ray ? { ray } : {}) };
}

/** The reduced gradient gz = Zᵀ∇ (Z = Q[:, w:], the null space of the working rows); returns max |gz_j|. */
function reducedGradient(Q: Float64Array, grad: Float64Array, n: number, w: number, gz: Float64Array): number {
  let gzMax = 0;
  for (let j = 0; j < n - w; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Q[i * n + w + j] * grad[i];
    gz[j] = s;
    gzMax = Math.max(gzMax, Math.abs(s));
  }
  return gzMax;
}

/**
 * The working-set row to drop at a stationary point: one with a negative multiplier — after a degenerate
 * step the smallest row index (Bland's rule, against cycling), else the most negative; −1: none, optimal.
 */
function rowToDrop(lambdaW: Float64Array, W: readonly number[], scale: number, degenerate: boolean): number {
  let drop = -1;
  for (let j = 0; j < W.length; j++) {
    if (lambdaW[j] >= -MULT_TOL * scale) continue;
    if (drop < 0 || (degenerate ? W[j] < W[drop] : lambdaW[j] < lambdaW[drop])) drop = j;
  }
  return drop;
}

/**
 * Row norms (the tests are on unit rows; a zero row, 0 ≤ d_i, never blocks and gets multiplier 0) and the
 * slacks d − C x at the start (updated along each step); a start that violates a row is refused.
 */
function normsAndSlacks(qp: QuadraticProgram, x: Float64Array): { norm: Float64Array; slack: Float64Array } {
  const { n, m, C, d } = qp;
  const norm = new Float64Array(m), slack = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s2 = 0, cx = 0;
    for (let j = 0; j < n; j++) {
      s2 += C[i * n + j] ** 2;
      cx += C[i * n + j] * x[j];
    }
    norm[i] = Math.sqrt(s2);
    slack[i] = d[i] - cx;
    const scale = norm[i] > 0 ? norm[i] : 1;
    if (slack[i] < -FEASIBILITY_TOL * (scale + Math.abs(d[i]))) throw new RangeError(`solveQP: x0 violates row ${i} by ${-slack[i] / scale}`);
  }
  return { norm, slack };
}

/** The warm-start working set: the given rows that are tight at x0 and independent of those before them. */
function warmStart(working: ArrayLike<number>, qp: QuadraticProgram, norm: Float64Array, slack: Float64Array, qr: QRWorkspace,
                   unitRow: (i: number, out: Float64Array) => void): number[] {
  let W: number[] = [];
  const taken = new Set<number>();
  for (const i of Array.from(working)) {
    if (i < 0 || i >= qp.m || taken.has(i) || norm[i] === 0 || W.length === qp.n || Math.abs(slack[i]) > FEASIBILITY_TOL * (norm[i] + Math.abs(qp.d[i]))) continue;
    const trial = [...W, i];
    const { R } = qr.factor(trial.length, (j, out) => unitRow(trial[j], out));
    if (Math.abs(R[(trial.length - 1) * (trial.length + 1)]) <= DEP_TOL) continue;
    W = trial;
    taken.add(i);
  }
  return W;
}

/**
 * The step u in the null-space coordinates (Z = Q[:, w:], gz = Zᵀ∇) and its longest length before a row
 * blocks: steepest descent for an LP (unbounded) and for H = I (length 1), else the Newton step on Zᵀ H Z —
 * or, where the gradient has a component along zero curvature, a descent ray along it (unbounded).
 */
function nullSpaceStep(H: QuadraticProgram["H"], Q: Float64Array, n: number, w: number, gz: Float64Array, hScale: number, scale: number, u: Float64Array): number {
  const r = n - w;
  u.fill(0, 0, r);
  if (H === "zero" || H === "identity") {
    for (let j = 0; j < r; j++) u[j] = -gz[j];
    return H === "zero" ? Infinity : 1;
  }
  const { values, vectors } = symmetricEigen(reducedHessian(H, Q, n, w), r);
  let nullNorm = 0;
  const gamma = new Float64Array(r);
  for (let e = 0; e < r; e++) {
    for (let j = 0; j < r; j++) gamma[e] += vectors[j * r + e] * gz[j];
    if (values[e] <= CURV_TOL * hScale) nullNorm = Math.max(nullNorm, Math.abs(gamma[e]));
  }
  const flat = nullNorm > OPT_TOL * scale;
  for (let e = 0; e < r; e++) {
    const zero = values[e] <= CURV_TOL * hScale;
    if (flat !== zero) continue;
    const coef = flat ? -gamma[e] : -gamma[e] / values[e];
    for (let j = 0; j < r; j++) u[j] += coef * vectors[j * r + e];
  }
  return flat ? Infinity : 1;
}

/**
 * The ratio test along p: the step length (at most alphaMax) and the first row outside the working set it
 * makes tight (−1: none); ties, the degenerate steps of length 0, go to the smallest row index. Fills Cp = C p.
 */
function ratioTest(qp: QuadraticProgram, p: Float64Array, pNorm: number, alphaMax: number, norm: Float64Array, slack: Float64Array, inW: Uint8Array,
                   Cp: Float64Array): { alpha: number; block: number } {
  const { n, m, C, d } = qp;
  let alpha = alphaMax, block = -1;
  for (let i = 0; i < m; i++) {
    let cp = 0;
    for (let j = 0; j < n; j++) cp += C[i * n + j] * p[j];
    Cp[i] = cp;
    if (inW[i] || cp <= PIVOT_TOL * pNorm * norm[i]) continue;
    const a = slack[i] <= TIGHT_TOL * (norm[i] + Math.abs(d[i])) ? 0 : slack[i] / cp;
    if (a < alpha) {
      alpha = a;
      block = i;
    }
  }
  return { alpha, block };
}

/**
 * Exact uniqueness of a KKT point x*: every minimizer x' satisfies H(x' − x*) = 0 and C_i x' = d_i for
 * the rows with λ_i > 0, and f is constant along such directions; so the minimizer set is
 * {x* + N u feasible} with N = null(H) ∩ null(C_{W+}), and it is a single point iff the cone
 * {u : C_T N u ≤ 0} (T = rows tight at x*) is {0} — checked by LPs max ±u_j over it.
 */
function isUnique(qp: QuadraticProgram, H: Hessian, norm: Float64Array, x: Float64Array, W: number[], lambda: Float64Array, hScale: number): boolean {
  const { n, C, d } = qp;
  if (H === "identity") return true;
  // Basis of null(H).
  let basis: Float64Array[] = [];
  if (H === "zero") {
    for (let j = 0; j < n; j++) basis.push(unit(n, j));
  } else {
    const { values, vectors } = symmetricEigen(H, n);
    for (let e = 0; e < n; e++) {
      if (values[e] <= CURV_TOL * hScale) basis.push(Float64Array.from({ length: n }, (_, i) => vectors[i * n + e]));
    }
  }
  if (basis.length === 0) return true;
  const scale = gradientScale(H, qp.g, x, n);
  const unitRow = (i: number) => Float64Array.from({ length: n }, (_, j) => C[i * n + j] / norm[i]);
  const strong = W.filter((i) => lambda[i] * norm[i] > MULT_TOL * scale);
  basis = restrictToNull(basis, strong.map(unitRow), n);
  const h = basis.length;
  if (h === 0) return true;
  // Cone rows C_T N for the rows tight at x*, plus the box −1 ≤ u ≤ 1.
  const tight: number[] = [];
  for (let i = 0; i < qp.m; i++) if (norm[i] > 0 && d[i] - dot(C, i, n, x) <= FEASIBILITY_TOL * (norm[i] + Math.abs(d[i]))) tight.push(i);
  const rows = tight.length + 2 * h;
  const M = new Float64Array(rows * h), rhs = new Float64Array(rows);
  tight.forEach((i, t) => {
    for (let e = 0; e < h; e++) M[t * h + e] = dot(C, i, n, basis[e]) / norm[i];
  });
  for (let e = 0; e < h; e++) {
    M[(tight.length + 2 * e) * h + e] = 1;
    M[(tight.length + 2 * e + 1) * h + e] = -1;
    rhs[tight.length + 2 * e] = rhs[tight.length + 2 * e + 1] = 1;
  }
  for (let e = 0; e < h; e++) {
    for (const s of [1, -1]) {
      const g = new Float64Array(h);
      g[e] = -s;
      const sol = solveQP({ n: h, H: "zero", g, m: rows, C: M, d: rhs }, new Float64Array(h), { skipUniqueness: true });
      // u = 0 is feasible; a cone that is not {0} reaches |u_e| = 1 for some e (the box is the only bound).
      if (sol.status !== "optimal" || -sol.value > 1e-7) return false;
    }
  }
  return true;
}

/** Orthonormal basis of {Σ c_e basis_e : rows · (Σ c_e basis_e) = 0}. */
function restrictToNull(basis: Float64Array[], rows: Float64Array[], n: number): Float64Array[] {
  const h = basis.length;
  if (rows.length === 0) return basis;
  // Null space of the rows.length × h matrix M = rows·basis, via QR of Mᵀ (h × rows.length).
  const w = Math.min(rows.length, h);
  const Mt = (j: number, out: Float64Array) => {
    for (let e = 0; e < h; e++) out[e] = rows[j].reduce((s, v, i) => s + v * basis[e][i], 0);
  };
  // Rank-revealing enough for ≤ n rows: take rows one at a time, keeping independent ones.
  const kept: number[] = [];
  for (let j = 0; j < rows.length && kept.length < w; j++) {
    const trial = [...kept, j];
    const { R } = qrColumns(h, trial.length, (q, out) => Mt(trial[q], out));
    if (Math.abs(R[(trial.length - 1) * (trial.length + 1)]) > DEP_TOL) kept.push(j);
  }
  const { Q } = qrColumns(h, kept.length, (q, out) => Mt(kept[q], out));
  const out: Float64Array[] = [];
  for (let c = kept.length; c < h; c++) {
    const v = new Float64Array(n);
    for (let e = 0; e < h; e++) for (let i = 0; i < n; i++) v[i] += Q[e * h + c] * basis[e][i];
    out.push(v);
  }
  return out;
}

function reducedNonsingular(H: Hessian, qp: QuadraticProgram, norm: Float64Array, W: number[], hScale: number): boolean {
  const n = qp.n;
  if (H === "identity") return true;
  const r = n - W.length;
  if (r === 0) return true;
  if (H === "zero") return false;
  const { Q } = qrColumns(n, W.length, (j, out) => {
    for (let q = 0; q < n; q++) out[q] = qp.C[W[j] * n + q] / norm[W[j]];
  });
  const { values } = symmetricEigen(reducedHessian(H, Q, n, W.length), r);
  return values.every((v) => v > CURV_TOL * hScale);
}

function reducedHessian(H: Float64Array, Q: Float64Array, n: number, w: number): Float64Array {
  const r = n - w, HZ = new Float64Array(n * r), out = new Float64Array(r * r);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += H[i * n + q] * Q[q * n + w + j];
      HZ[i * r + j] = s;
    }
  }
  for (let a = 0; a < r; a++) {
    for (let b = a; b < r; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Q[i * n + w + a] * HZ[i * r + b];
      out[a * r + b] = out[b * r + a] = s;
    }
  }
  return out;
}

/**
 * The KKT residuals of (x, λ) for `qp`; `slacks` (d − C x, when the caller has them) saves the products.
 *
 * @example
 * import { geometry } from "surfing";
 * const qp = { n: 2, H: "identity", g: new Float64Array(2), m: 1, C: Float64Array.of(-1, -1), d: Float64Array.of(-1) };
 * const { x, lambda } = geometry.solveQP(qp, [1, 1]);
 * geometry.kktResiduals(qp, x, lambda).stationarity < 1e-12;   // → true
 */
export function kktResiduals(qp: QuadraticProgram, x: Float64Array, lambda: Float64Array, slacks?: Float64Array): KKTResiduals {
  const grad = new Float64Array(qp.n);
  gradient(qp.H, qp.g, x, qp.n, grad);
  return residuals(qp, x, lambda, grad, slacks);
}

function residuals(qp: QuadraticProgram, x: Float64Array, lambda: Float64Array, grad: Float64Array, slacks?: Float64Array): KKTResiduals {
  const { n, m } = qp;
  const st = Float64Array.from(grad);
  let primal = 0, dual = 0, complementarity = 0;
  for (let i = 0; i < m; i++) {
    const slack = slacks ? slacks[i] : qp.d[i] - dot(qp.C, i, n, x);
    primal = Math.max(primal, -slack);
    dual = Math.max(dual, -lambda[i]);
    complementarity = Math.max(complementarity, Math.abs(lambda[i] * slack));
    if (lambda[i] !== 0) for (let j = 0; j < n; j++) st[j] += lambda[i] * qp.C[i * n + j];
  }
  return { stationarity: Math.max(0, ...st.map(Math.abs)), primal, dual, complementarity };
}

function gradient(H: Hessian, g: Float64Array, x: Float64Array, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = g[i];
    if (H === "identity") s += x[i];
    else if (H !== "zero") for (let j = 0; j < n; j++) s += H[i * n + j] * x[j];
    out[i] = s;
  }
}

/** The size of ∇'s terms, against which rounding in the reduced gradient and multipliers is judged. */
function gradientScale(H: Hessian, g: Float64Array, x: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let t = Math.abs(g[i]);
    if (H === "identity") t += Math.abs(x[i]);
    else if (H !== "zero") for (let j = 0; j < n; j++) t += Math.abs(H[i * n + j] * x[j]);
    s = Math.max(s, t);
  }
  return Math.max(s, 1e-300);
}

function hessianScale(H: Hessian, n: number): number {
  if (H === "zero") return 0;
  if (H === "identity") return 1;
  let s = 0;
  for (let i = 0; i < n * n; i++) s = Math.max(s, Math.abs(H[i]));
  return s * n;
}

function objective(H: Hessian, g: Float64Array, x: Float64Array, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    let hx = 0;
    if (H === "identity") hx = x[i];
    else if (H !== "zero") for (let j = 0; j < n; j++) hx += H[i * n + j] * x[j];
    v += x[i] * (0.5 * hx + g[i]);
  }
  return v;
}

function dot(C: Float64Array, i: number, n: number, x: Float64Array): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += C[i * n + j] * x[j];
  return s;
}

function unit(n: number, j: number): Float64Array {
  const e = new Float64Array(n);
  e[j] = 1;
  return e;
}
