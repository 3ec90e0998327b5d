// The active-set QP/LP solver against exact oracles: HiGHS, brute force over active sets, KKT conditions.
import { expect } from "chai";
import { Matrix, pseudoInverse } from "ml-matrix";
import { solveQP, type QuadraticProgram } from "../../src/geometry/qp.js";
import { project } from "../../src/geometry/project.js";
import { Rng } from "../../src/random/rng.js";
import { highsOracle, type Oracle } from "./highs.js";

/** KKT conditions are checked to this (the accuracy the QP solver is required to reach); data are O(1). */
const KKT_TOL = 1e-9;
/** HiGHS's QP/LP solutions are accurate to its default tolerances (1e-7 feasibility/optimality). */
const HIGHS_TOL = 1e-6;

/** A random QP with 0 in the interior; Hessian MᵀM with M of `rank` rows (rank < n: PSD); `box` adds |x_j| ≤ 5 (bounded). */
function randomQP(rng: Rng, n: number, m: number, rank: number, box: boolean): QuadraticProgram {
  const M = new Float64Array(rank * n), H = new Float64Array(n * n), g = new Float64Array(n);
  const rows = m + (box ? 2 * n : 0), C = new Float64Array(rows * n), d = new Float64Array(rows);
  rng.fillNormal(M);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let i = 0; i < rank; i++) H[a * n + b] += M[i * n + a] * M[i * n + b];
  rng.fillNormal(g, 0, 3);
  rng.fillNormal(C.subarray(0, m * n));
  for (let i = 0; i < m; i++) d[i] = rng.uniformIn(0.1, 1);
  for (let j = 0; box && j < n; j++) {
    C[(m + 2 * j) * n + j] = 1;
    C[(m + 2 * j + 1) * n + j] = -1;
    d[m + 2 * j] = d[m + 2 * j + 1] = 5;
  }
  return { n, H: rank === 0 ? "zero" : H, g, m: rows, C, d };
}

function expectKKT(sol: ReturnType<typeof solveQP>): void {
  expect(sol.status).to.equal("optimal");
  expect(sol.kkt.stationarity, "stationarity").to.be.below(KKT_TOL);
  expect(sol.kkt.primal, "primal feasibility").to.be.below(KKT_TOL);
  expect(sol.kkt.dual, "dual feasibility").to.be.below(KKT_TOL);
  expect(sol.kkt.complementarity, "complementarity").to.be.below(KKT_TOL);
}

function denseH(qp: QuadraticProgram): Float64Array {
  return qp.H instanceof Float64Array ? qp.H : new Float64Array(qp.n * qp.n);
}

describe("active-set QP", () => {
  let highs: Oracle;
  before(async () => {
    highs = await highsOracle();
  });

  it("random positive definite and semidefinite QPs: KKT to 1e-9 and HiGHS's optimal value", () => {
    const rng = Rng.derive("qp-random");
    let compared = 0;
    for (let t = 0; t < 80; t++) {
      const n = 2 + (t % 5), m = 5 + rng.int(30), rank = [n, n, n - 1, 1][t % 4];
      const qp = randomQP(rng, n, m, rank, true);
      const sol = solveQP(qp, new Float64Array(n));
      expectKKT(sol);
      const ref = highs.qp(n, denseH(qp), qp.g, qp.m, qp.C, qp.d);
      if (ref.status === "other") continue; // HiGHS failed (the KKT check above still certifies our answer)
      compared++;
      expect(ref.status).to.equal("optimal");
      expect(Math.abs(sol.value - ref.value), `instance ${t}`).to.be.below(HIGHS_TOL * (1 + Math.abs(ref.value)));
      if (rank === n) {
        expect(sol.unique).to.equal(true);
        for (let j = 0; j < n; j++) expect(Math.abs(sol.x[j] - ref.x[j])).to.be.below(1e-5);
      }
    }
    expect(compared).to.be.at.least(70);
  });

  it("random LPs (H = 0): KKT to 1e-9 and HiGHS's optimal value", () => {
    const rng = Rng.derive("lp-random");
    for (let t = 0; t < 60; t++) {
      const n = 2 + (t % 5), m = 3 * n + rng.int(30);
      const qp = randomQP(rng, n, m, 0, false);
      const ref = highs.lp(n, qp.g, m, qp.C, qp.d);
      const sol = solveQP(qp, new Float64Array(n));
      if (ref.status === "unbounded") {
        expect(sol.status).to.equal("unbounded");
        // The ray is a recession direction that decreases the objective.
        const ray = sol.ray!;
        expect(qp.g.reduce((s, v, j) => s + v * ray[j], 0)).to.be.below(0);
        for (let i = 0; i < m; i++) expect(qp.C.subarray(i * n, (i + 1) * n).reduce((s, v, j) => s + v * ray[j], 0)).to.be.below(1e-12);
        continue;
      }
      expectKKT(sol);
      expect(Math.abs(sol.value - ref.value), `instance ${t}`).to.be.below(HIGHS_TOL * (1 + Math.abs(ref.value)));
    }
  });

  it("degenerate instances — many constraints through one vertex, coefficients multiples of 0.25 — terminate at HiGHS's optimum", () => {
    const rng = Rng.derive("qp-degenerate");
    const q = (lo: number, hi: number) => 0.25 * (lo + rng.int(hi - lo + 1));
    for (let t = 0; t < 60; t++) {
      const n = 2 + (t % 4), through = 2 * n + rng.int(8), box = 2 * n;
      const v = Float64Array.from({ length: n }, () => q(-4, 4));
      const m = through + box;
      const C = new Float64Array(m * n), d = new Float64Array(m);
      for (let i = 0; i < through; i++) {
        let cv = 0;
        for (let j = 0; j < n; j++) {
          C[i * n + j] = q(-4, 4);
          cv += C[i * n + j] * v[j];
        }
        d[i] = cv; // every one of these rows passes through v
      }
      for (let j = 0; j < n; j++) {
        C[(through + 2 * j) * n + j] = 1;
        C[(through + 2 * j + 1) * n + j] = -1;
        d[through + 2 * j] = d[through + 2 * j + 1] = 3;
      }
      const g = Float64Array.from({ length: n }, () => q(-8, 8));
      const rank = t % 3 === 0 ? 0 : rng.int(n + 1);
      const Mq = Float64Array.from({ length: rank * n }, () => q(-4, 4));
      const H = new Float64Array(n * n);
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let i = 0; i < rank; i++) H[a * n + b] += Mq[i * n + a] * Mq[i * n + b];
      const qp: QuadraticProgram = { n, H: rank === 0 ? "zero" : H, g, m, C, d };
      // Feasible start: the vertex v itself when the cone at v is non-empty… always true: v satisfies all rows with equality.
      const sol = solveQP(qp, v);
      expectKKT(sol);
      const ref = rank === 0 ? highs.lp(n, g, m, C, d) : highs.qp(n, H, g, m, C, d);
      expect(ref.status).to.equal("optimal");
      expect(Math.abs(sol.value - ref.value), `instance ${t}`).to.be.below(HIGHS_TOL * (1 + Math.abs(ref.value)));
    }
  });

  it("Beale's cycling LP (cycles under Dantzig's rule without anti-cycling) reaches −1/20", () => {
    // min −¾x₁ + 150x₂ − x₃/50 + 6x₄ s.t. ¼x₁ − 60x₂ − x₃/25 + 9x₄ ≤ 0, ½x₁ − 90x₂ − x₃/50 + 3x₄ ≤ 0, x₃ ≤ 1, x ≥ 0; start at the degenerate vertex 0.
    const C = Float64Array.from([0.25, -60, -1 / 25, 9, 0.5, -90, -1 / 50, 3, 0, 0, 1, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1]);
    const d = Float64Array.from([0, 0, 1, 0, 0, 0, 0]);
    const sol = solveQP({ n: 4, H: "zero", g: Float64Array.from([-0.75, 150, -1 / 50, 6]), m: 7, C, d }, new Float64Array(4));
    expectKKT(sol);
    expect(sol.value).to.be.closeTo(-1 / 20, 1e-12);
  });

  it("brute force over active sets (m ≤ 12, positive definite): the same optimum", () => {
    const rng = Rng.derive("qp-brute");
    for (let t = 0; t < 30; t++) {
      const n = 2 + (t % 3), m = 4 + rng.int(9);
      const qp = randomQP(rng, n, m, n + 1, false);
      const sol = solveQP(qp, new Float64Array(n));
      expectKKT(sol);
      expect(Math.abs(sol.value - bruteForce(qp))).to.be.below(1e-9 * (1 + Math.abs(sol.value)));
    }
  });

  it("a rank-deficient Hessian: one point of the minimizer set, flagged as not unique", () => {
    // ½(x₁ + x₂)² − (x₁ + x₂) with x₁ + x₂ ≤ 1, |x| ≤ 3: every point of the segment x₁ + x₂ = 1 is optimal (value −½).
    const C = Float64Array.from([1, 1, 1, 0, -1, 0, 0, 1, 0, -1]), d = Float64Array.from([1, 3, 3, 3, 3]);
    const sol = solveQP({ n: 2, H: Float64Array.from([1, 1, 1, 1]), g: Float64Array.from([-1, -1]), m: 5, C, d }, new Float64Array(2));
    expectKKT(sol);
    expect(sol.value).to.be.closeTo(-0.5, 1e-12);
    expect(sol.unique).to.equal(false);
    // The same objective with a corner that pins the minimizer: x₁ ≤ 0.25, x₂ ≤ 0.25 → unique (0.25, 0.25).
    const pinned = solveQP({ n: 2, H: Float64Array.from([1, 1, 1, 1]), g: Float64Array.from([-1, -1]), m: 2, C: Float64Array.from([1, 0, 0, 1]), d: Float64Array.from([0.25, 0.25]) }, new Float64Array(2));
    expectKKT(pinned);
    expect(Array.from(pinned.x)).to.deep.equal([0.25, 0.25]);
    expect(pinned.unique).to.equal(true);
    // An LP whose optimal face is an edge, and one whose optimum is a vertex.
    const square = { n: 2, H: "zero" as const, m: 4, C: Float64Array.from([1, 0, -1, 0, 0, 1, 0, -1]), d: Float64Array.from([1, 1, 1, 1]) };
    expect(solveQP({ ...square, g: Float64Array.from([-1, 0]) }, new Float64Array(2)).unique).to.equal(false);
    expect(solveQP({ ...square, g: Float64Array.from([-1, -0.5]) }, new Float64Array(2)).unique).to.equal(true);
  });

  it("refuses an infeasible start and inconsistent shapes", () => {
    const qp: QuadraticProgram = { n: 1, H: "identity", g: Float64Array.from([0]), m: 1, C: Float64Array.from([1]), d: Float64Array.from([0]) };
    expect(() => solveQP(qp, [1])).to.throw(RangeError, /x0 violates row 0/);
    expect(() => solveQP({ ...qp, d: new Float64Array(2) }, [0])).to.throw(RangeError, /inconsistent shapes/);
  });
});

describe("projection (dual active set)", () => {
  let highs: Oracle;
  before(async () => {
    highs = await highsOracle();
  });

  /** ours vs HiGHS's QP and the primal method's, and the KKT conditions (with and without the primal fallback). */
  const check = (k: number, m: number, C: Float64Array, d: Float64Array, y: Float64Array, name: string, feasibleStart: Float64Array) => {
    const P = { dim: k, rows: m, C, d };
    const ours = project(P, y), fallback = project(P, y, { maxDualSteps: 0 });
    for (const sol of [ours, fallback]) expectKKT(sol);
    const I = new Float64Array(k * k);
    for (let l = 0; l < k; l++) I[l * k + l] = 1;
    const g = Float64Array.from(y, (v) => -v);
    const primal = solveQP({ n: k, H: "identity", g, m, C, d }, feasibleStart);
    const ref = highs.qp(k, I, g, m, C, d);
    for (let l = 0; l < k; l++) {
      expect(Math.abs(ours.x[l] - primal.x[l]), `${name}: vs the primal method`).to.be.below(1e-9);
      expect(Math.abs(fallback.x[l] - primal.x[l]), `${name}: the fallback`).to.be.below(1e-9);
      if (ref.status === "optimal") expect(Math.abs(ours.x[l] - ref.x[l]), `${name}: vs HiGHS`).to.be.below(1e-6);
    }
    return ref.status === "optimal" ? 1 : 0;
  };

  it("random polytopes in R^2 … R^10 with up to 300 rows: KKT to 1e-9, HiGHS's and the primal method's projection", () => {
    const rng = Rng.derive("projection-random");
    let compared = 0;
    for (let t = 0; t < 40; t++) {
      const k = 2 + (t % 9), m = k + 1 + rng.int(t < 30 ? 40 : 300);
      const C = new Float64Array(m * k), d = new Float64Array(m);
      rng.fillNormal(C);
      for (let i = 0; i < m; i++) d[i] = rng.uniformIn(0.1, 1.5);
      const y = Float64Array.from({ length: k }, () => 3 * rng.normal());
      compared += check(k, m, C, d, y, `instance ${t}`, new Float64Array(k));
    }
    expect(compared).to.be.at.least(35);
  });

  it("degenerate polyhedra — many rows through one vertex, repeated and dependent rows, multiples of 0.25 — and y inside", () => {
    const rng = Rng.derive("projection-degenerate");
    const q = (lo: number, hi: number) => 0.25 * (lo + rng.int(hi - lo + 1));
    for (let t = 0; t < 60; t++) {
      const k = 2 + (t % 5), through = 2 * k + rng.int(10), m = through + 2 * k + 2;
      const v = Float64Array.from({ length: k }, () => q(-4, 4));
      const C = new Float64Array(m * k), d = new Float64Array(m);
      for (let i = 0; i < through; i++) {
        for (let l = 0; l < k; l++) C[i * k + l] = q(-4, 4);
        d[i] = C.subarray(i * k, (i + 1) * k).reduce((s, c, l) => s + c * v[l], 0); // through v
      }
      // The box |z_l| ≤ 3 around, a repeated row and twice a row (dependent normals).
      for (let l = 0; l < k; l++) {
        C[(through + 2 * l) * k + l] = 1;
        C[(through + 2 * l + 1) * k + l] = -1;
        d[through + 2 * l] = d[through + 2 * l + 1] = 3 + Math.abs(v[l]);
      }
      C.copyWithin((m - 2) * k, 0, k);
      d[m - 2] = d[0];
      for (let l = 0; l < k; l++) C[(m - 1) * k + l] = 2 * C[k + l];
      d[m - 1] = 2 * d[1];
      // y: near the vertex, far away, or inside (then it is its own projection).
      const y = Float64Array.from(v, (c) => c + (t % 3 === 2 ? 0 : t % 3 === 0 ? 0.5 : 8) * rng.normal());
      check(k, m, C, d, y, `instance ${t}`, v);
    }
    // y inside: returned unchanged, nothing active.
    const square = Float64Array.from([1, 0, -1, 0, 0, 1, 0, -1]), ones = Float64Array.from([1, 1, 1, 1]);
    const inside = project({ dim: 2, rows: 4, C: square, d: ones }, [0.3, -0.2]);
    expect(Array.from(inside.x)).to.deep.equal([0.3, -0.2]);
    expect(inside.working.length).to.equal(0);
  });

  it("refuses an empty polyhedron and a point of the wrong dimension", () => {
    const empty = { dim: 2, rows: 2, C: Float64Array.from([1, 0, -1, 0]), d: Float64Array.from([-1, -1]) };
    expect(() => project(empty, [0, 0])).to.throw(RangeError, /the polyhedron is empty/);
    expect(() => project({ dim: 1, rows: 1, C: Float64Array.from([0]), d: Float64Array.from([-1]) }, [0])).to.throw(RangeError, /the polyhedron is empty/);
    expect(() => project(empty, [0])).to.throw(RangeError, /y has 1 coordinates/);
  });
});

/** min over every subset S of rows (|S| ≤ n) of the equality-constrained minimizer, when it is feasible (H positive definite: unique). */
function bruteForce(qp: QuadraticProgram): number {
  const { n, m } = qp;
  const H = qp.H as Float64Array;
  let best = Infinity;
  for (let mask = 0; mask < 1 << m; mask++) {
    const S: number[] = [];
    for (let i = 0; i < m; i++) if (mask & (1 << i)) S.push(i);
    if (S.length > n) continue;
    // KKT system [H C_Sᵀ; C_S 0] [x; ν] = [−g; d_S], solved by pseudo-inverse (dependent rows are harmless).
    const s = S.length, K = Matrix.zeros(n + s, n + s), rhs = Matrix.zeros(n + s, 1);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) K.set(a, b, H[a * n + b]);
      rhs.set(a, 0, -qp.g[a]);
    }
    S.forEach((i, q) => {
      for (let a = 0; a < n; a++) {
        K.set(n + q, a, qp.C[i * n + a]);
        K.set(a, n + q, qp.C[i * n + a]);
      }
      rhs.set(n + q, 0, qp.d[i]);
    });
    const sol = pseudoInverse(K).mmul(rhs);
    const x = Array.from({ length: n }, (_, a) => sol.get(a, 0));
    const consistent = S.every((i) => Math.abs(qp.C.subarray(i * n, (i + 1) * n).reduce((t, v, a) => t + v * x[a], 0) - qp.d[i]) < 1e-9);
    const feasible = Array.from({ length: m }, (_, i) => qp.C.subarray(i * n, (i + 1) * n).reduce((t, v, a) => t + v * x[a], 0) - qp.d[i]).every((v) => v < 1e-9);
    if (!consistent || !feasible) continue;
    let value = 0;
    for (let a = 0; a < n; a++) {
      let hx = 0;
      for (let b = 0; b < n; b++) hx += H[a * n + b] * x[b];
      value += x[a] * (0.5 * hx + qp.g[a]);
    }
    best = Math.min(best, value);
  }
  return best;
}
