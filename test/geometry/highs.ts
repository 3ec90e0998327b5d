// The independent oracle: HiGHS (compiled to WebAssembly) for LPs and convex QPs. Variables are declared
// free (HiGHS's default bounds are [0, +inf)). Dense problems {min ½xᵀHx + gᵀx : C x ≤ d}, C m × n row-major.
import highsModule, { type Highs } from "highs";

// highs types its ESM build (build/highs.mjs, whose default export is the loader) as CommonJS, so under
// NodeNext the type of the default import is the whole module; at run time it is the loader.
const loadHighs = highsModule as unknown as typeof highsModule.default;

type Model = ReturnType<Highs["createModel"]>;

export interface OracleResult {
  readonly status: "optimal" | "infeasible" | "unbounded" | "other";
  readonly x: Float64Array;
  readonly value: number;
}

export interface Oracle {
  /** min gᵀx s.t. C x ≤ d. */
  lp(n: number, g: ArrayLike<number>, m: number, C: ArrayLike<number>, d: ArrayLike<number>): OracleResult;
  /** min ½xᵀHx + gᵀx s.t. C x ≤ d, H n × n symmetric PSD row-major. */
  qp(n: number, H: ArrayLike<number>, g: ArrayLike<number>, m: number, C: ArrayLike<number>, d: ArrayLike<number>): OracleResult;
}

let oraclePromise: Promise<Oracle> | undefined;

export function highsOracle(): Promise<Oracle> {
  oraclePromise ??= (async () => {
    const highs = await loadHighs();
    const lpModel = highs.createModel(), qpModel = highs.createModel();
    lpModel.options.set({ output_flag: false, presolve: "off", solver: "simplex" });
    qpModel.options.set({ output_flag: false });
    const solve = (model: Model, n: number, H: ArrayLike<number> | null, g: ArrayLike<number>, m: number, C: ArrayLike<number>, d: ArrayLike<number>): OracleResult => {
      const inf = highs.infinity;
      const starts = new Int32Array(m + 1), indices: number[] = [], values: number[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          if (C[i * n + j] !== 0) {
            indices.push(j);
            values.push(C[i * n + j]);
          }
        }
        starts[i + 1] = indices.length;
      }
      let hessian;
      if (H) {
        const hs = new Int32Array(n + 1), hi: number[] = [], hv: number[] = [];
        for (let j = 0; j < n; j++) {
          for (let i = j; i < n; i++) {
            if (H[i * n + j] !== 0) {
              hi.push(i);
              hv.push(H[i * n + j]);
            }
          }
          hs[j + 1] = hi.length;
        }
        hessian = { format: "triangular" as const, dimension: n, starts: hs, indices: Int32Array.from(hi), values: Float64Array.from(hv) };
      }
      model.passModel({
        numCols: n, numRows: m, colCost: Float64Array.from(g),
        colLower: new Float64Array(n).fill(-inf), colUpper: new Float64Array(n).fill(inf),
        rowLower: new Float64Array(m).fill(-inf), rowUpper: Float64Array.from(d),
        matrix: { format: "csr", numRows: m, numCols: n, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
        ...(hessian ? { hessian } : {}),
      });
      model.clearSolver();
      try {
        model.run();
      } catch {
        // HiGHS 1.15.3's QP solver fails outright (status −1) on a few well-posed positive definite problems.
        return { status: "other", x: new Float64Array(n), value: NaN };
      }
      const code = model.getModelStatus();
      const status = code === 7 ? "optimal" : code === 8 ? "infeasible" : code === 10 ? "unbounded" : "other";
      const x = status === "optimal" ? Float64Array.from(model.getSolution().colValue) : new Float64Array(n);
      return { status, x, value: status === "optimal" ? model.getObjectiveValue() : NaN };
    };
    return {
      lp: (n, g, m, C, d) => solve(lpModel, n, null, g, m, C, d),
      qp: (n, H, g, m, C, d) => solve(qpModel, n, H, g, m, C, d),
    };
  })();
  return oraclePromise;
}
