// The brute-force oracle for region enumeration: every feasible pattern, found with HiGHS's LPs.
import type { PiecewiseLinearNet } from "../../src/geometry/affine.js";
import type { Oracle } from "./highs.js";

/**
 * The oracle: depth-first over neurons in order, a partial pattern survives when HiGHS finds a ball of
 * radius > 1e-7 inside its constraints and the box (max r s.t. C_i z + ‖C_i‖ r ≤ d_i, r ≤ 1; no box for
 * L = Infinity, all of R^k). A neuron whose
 * pre-activation is constant on the partial region takes the sign of the constant, inactive for 0 (the tie rule).
 */
export function bruteForce(highs: Oracle, net: PiecewiseLinearNet, L: number): Set<string> {
  const k = net.k, found = new Set<string>();
  const layers = net.layers;
  const visit = (li: number, J: Float64Array, c: Float64Array, rows: number[][], rhs: number[], prefix: string): void => {
    while (li < layers.length && layers[li].act === "linear") {
      [J, c] = affine(li, J, c);
      li++;
    }
    if (li === layers.length) {
      found.add(prefix);
      return;
    }
    const [A, beta] = affine(li, J, c);
    const n = layers[li].outDim, slope = layers[li].slope;
    const branch = (j: number, rows: number[][], rhs: number[], signs: number[]): void => {
      if (j === n) {
        const J2 = A.map((v, i) => (signs[Math.floor(i / k)] ? v : slope * v)), c2 = beta.map((v, r) => (signs[r] ? v : slope * v));
        visit(li + 1, J2, c2, rows, rhs, prefix + signs.join(""));
        return;
      }
      const a = Array.from(A.subarray(j * k, (j + 1) * k));
      if (a.every((v) => v === 0)) {
        branch(j + 1, rows, rhs, [...signs, beta[j] > 0 ? 1 : 0]);
        return;
      }
      for (const s of [1, 0]) {
        // active: −(a·z + β) ≤ 0; inactive: a·z + β ≤ 0.
        const sg = s ? -1 : 1;
        const r2 = [...rows, a.map((v) => sg * v)], d2 = [...rhs, -sg * beta[j]];
        if (hasInterior(r2, d2)) branch(j + 1, r2, d2, [...signs, s]);
      }
    };
    branch(0, rows, rhs, []);
  };
  const affine = (li: number, J: Float64Array, c: Float64Array): [Float64Array, Float64Array] => {
    const { W, b, inDim, outDim } = layers[li];
    const A = new Float64Array(outDim * k), beta = new Float64Array(outDim);
    for (let r = 0; r < outDim; r++) {
      beta[r] = b[r];
      for (let q = 0; q < inDim; q++) {
        beta[r] += W[r * inDim + q] * c[q];
        for (let l = 0; l < k; l++) A[r * k + l] += W[r * inDim + q] * J[q * k + l];
      }
    }
    return [A, beta];
  };
  const hasInterior = (rows: number[][], rhs: number[]): boolean => {
    const all = [...rows], d = [...rhs];
    for (let l = 0; l < k && L !== Infinity; l++) {
      all.push(Array.from({ length: k }, (_, q) => (q === l ? 1 : 0)), Array.from({ length: k }, (_, q) => (q === l ? -1 : 0)));
      d.push(L, L);
    }
    const m = all.length, C = new Float64Array((m + 1) * (k + 1)), dd = new Float64Array(m + 1), g = new Float64Array(k + 1);
    all.forEach((row, i) => {
      row.forEach((v, l) => (C[i * (k + 1) + l] = v));
      C[i * (k + 1) + k] = Math.hypot(...row);
      dd[i] = d[i];
    });
    C[m * (k + 1) + k] = 1;
    dd[m] = 1;
    g[k] = -1;
    const r = highs.lp(k + 1, g, m + 1, C, dd);
    return r.status === "optimal" && -r.value > 1e-7;
  };
  const I = new Float64Array(k * k);
  for (let l = 0; l < k; l++) I[l * k + l] = 1;
  visit(0, I, new Float64Array(k), [], [], "");
  return found;
}
