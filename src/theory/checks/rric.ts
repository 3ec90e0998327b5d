/**
 * The Range Restricted Isometry Condition (Hand & Voroninski 2018, Definition 3): A satisfies the RRIC with respect to G with
 * constant ε if for all x1, x2, x3, x4
 *
 *   |⟨A(G(x1) − G(x2)), A(G(x3) − G(x4))⟩ − ⟨G(x1) − G(x2), G(x3) − G(x4)⟩| ≤ ε ‖G(x1) − G(x2)‖ ‖G(x3) − G(x4)‖,
 *
 * and Gaussian A ∈ R^{m×n} with N(0, 1/m) entries satisfies it with ε → 0 once m ≳ k·d·log(n_1⋯n_d)/ε^{…}
 * (Proposition 6; the proof covers the range by a union of k-dimensional subspaces, Lemmas 14–16). The
 * constant is estimated two ways on one hv network, for growing m:
 *  - random quadruples x1…x4 (differences across regions);
 *  - exactly on pairs of regions: when x1, x2 share a region R and x3, x4 a region R′, the differences range over
 *    the column spaces of J_R and J_R′ (G(z) = J z there), and the supremum of the ratio is the spectral norm
 *    ‖U_Rᵀ(AᵀA − I)U_R′‖ = ‖(AU_R)ᵀ(AU_R′) − U_RᵀU_R′‖ for orthonormal bases U.
 * The larger of the two is the measured RRIC constant (a lower estimate of the supremum over all quadruples).
 */
import { evaluate, regionOf } from "../../geometry/index.js";
import { kernels } from "../../kernels/index.js";
import { randomNetwork } from "../../nn/ensembles.js";
import { gaussianMeasurement } from "../../objective/measurement.js";
import { fitLogLog } from "../fit.js";
import { bySize, fmt, mean, unitRng, unitSeed, type Check, type Unit } from "../check.js";
import { matmul, matmulTN, orthonormalColumns, spectralNorm } from "../matrix.js";
import { dot, norm } from "../../tensor/vector.js";
import { fromNetwork } from "../../geometry/from-network.js";
import { linePlot, type Series } from "../../report/svg.js";

interface RricUnit extends Unit {
  readonly arch: number[];
  readonly m: number;
  readonly replicate: number;
  readonly quadruples: number;
  readonly regions: number;
}

interface RricResult {
  readonly quadruple: number;
  readonly subspace: number;
}

export const rricCheck: Check<RricUnit, RricResult> = {
  name: "rric",
  title: "Range Restricted Isometry Condition for Gaussian A",
  source: "Hand & Voroninski 2018 Definition 3, Proposition 6 (Lemmas 14–16)",
  prediction:
    "A Gaussian A ∈ R^{m×n} with N(0, 1/m) entries satisfies the RRIC with respect to G with a constant ε that decreases as m grows " +
    "(m ≳ k·d·log(n_1⋯n_d) up to ε-dependent factors).",
  form: { quadruple: "number", subspace: "number" },
  plan(quick) {
    const arch = quick ? [2, 32, 256] : [2, 64, 2048];
    const ms = quick ? [8, 16, 32, 64, 128] : [16, 32, 64, 128, 256, 512, 1024];
    const replicates = quick ? 2 : 4;
    return ms.flatMap((m) => Array.from({ length: replicates }, (_, r) => ({ key: `m${m}-r${r}`, arch, m, replicate: r, quadruples: quick ? 150 : 1000, regions: quick ? 16 : 60 })));
  },
  measure(u, seed) {
    // One network and one set of points for every m (keyed by the architecture, not the unit): only A changes.
    const archKey = u.arch.join("x");
    const net = randomNetwork("hv", u.arch, unitSeed(seed, "rric", archKey, "net"), { dtype: "f64", kernels });
    const pl = fromNetwork(net);
    net.free();
    const n = u.arch[u.arch.length - 1], k = u.arch[0], m = u.m;
    const A = gaussianMeasurement(kernels, "f64", m, n, unitSeed(seed, "rric", u.key, "A"));
    const Ad = A.dense();
    A.free();
    const rng = unitRng(seed, "rric", archKey, "points");
    const point = () => Float64Array.from({ length: k }, () => rng.normal());
    let quadruple = 0;
    for (let q = 0; q < u.quadruples; q++) {
      const [g1, g2, g3, g4] = [point(), point(), point(), point()].map((x) => evaluate(pl, x).output);
      const a = g1.map((v, i) => v - g2[i]), b = g3.map((v, i) => v - g4[i]);
      const na = norm(a), nb = norm(b);
      if (na === 0 || nb === 0) continue;
      quadruple = Math.max(quadruple, Math.abs(dot(matmul(Ad, a, m, n, 1), matmul(Ad, b, m, n, 1)) - dot(a, b)) / (na * nb));
    }
    const bases = Array.from({ length: u.regions }, () => {
      const { J } = regionOf(pl, point());
      const { Q, rank } = orthonormalColumns(J, n, k);
      return { Q, AQ: matmul(Ad, Q, m, n, rank), rank };
    }).filter((b) => b.rank > 0);
    let subspace = 0;
    for (let i = 0; i < bases.length; i++) {
      for (let j = i; j < bases.length; j++) {
        const P = bases[i], R = bases[j];
        const M = matmulTN(P.AQ, R.AQ, m, P.rank, R.rank), I = matmulTN(P.Q, R.Q, n, P.rank, R.rank);
        for (let t = 0; t < M.length; t++) M[t] -= I[t];
        subspace = Math.max(subspace, spectralNorm(M, P.rank, R.rank));
      }
    }
    return { quadruple, subspace };
  },
  judge(units, results) {
    const rows = bySize(units.map((u, i) => ({ u, r: results[i] })), (t) => t.u.m).map(({ size, items }) => ({
      m: size,
      quadruple: mean(items.map((t) => t.r.quadruple)),
      subspace: mean(items.map((t) => t.r.subspace)),
      rric: mean(items.map((t) => Math.max(t.r.quadruple, t.r.subspace))),
    }));
    const fit = fitLogLog(rows.map((r) => r.m), rows.map((r) => r.rric));
    const arch = units[0].arch, d = arch.length - 1, scale = arch[0] * d * arch.slice(1).reduce((s, w) => s + Math.log(w), 0);
    return {
      pass: fit.slope < 0,
      summary:
        `Measured RRIC constant ${rows.map((r) => `${fmt(r.rric)} (m = ${r.m})`).join(", ")}; log–log slope in m ${fmt(fit.slope)} ± ${fmt(fit.slopeError)} ` +
        `(theory: about −½). The region-pair supremum is the larger estimate at ${rows.filter((r) => r.subspace >= r.quadruple).length} of ${rows.length} sizes.`,
      constants:
        `ε is measured, not assumed: for each m the larger of the maximum ratio over ${units[0].quadruples} random quadruples (x_i ~ N(0, I_k)) and the exact ` +
        `supremum over pairs of ${units[0].regions} sampled regions, averaged over ${units.filter((u) => u.m === units[0].m).length} draws of A. ` +
        `One hv network ${arch.join("→")} (d = ${d}); k·d·ln(n_1⋯n_d) = ${fmt(scale)}. Pass: the constant decreases with m (fitted log–log slope < 0).`,
      figures: { rows, slope: fit.slope, scale },
    };
  },
  plot(figures) {
    const rows = figures.rows as { m: number; quadruple: number; subspace: number; rric: number }[];
    const series: Series[] = [
      { label: "RRIC constant (max of both)", points: rows.map((r) => [r.m, r.rric]) },
      { label: "random quadruples", points: rows.map((r) => [r.m, r.quadruple]), dashed: true },
      { label: "region pairs (exact sup)", points: rows.map((r) => [r.m, r.subspace]), dashed: true },
      { label: "∝ m^(−1/2)", points: rows.map((r) => [r.m, rows[0].rric * Math.sqrt(rows[0].m / r.m)]), style: "line", dashed: true },
    ];
    return [{
      svg: linePlot({ title: "RRIC constant of Gaussian A vs number of measurements", x: { label: "m (rows of A)", log: true }, y: { label: "measured ε", log: true }, series, references: [{ label: "k·d·ln Π n_i", x: figures.scale as number }] }),
      caption: "The measured RRIC constant against m on log–log axes; the dotted vertical line marks k·d·ln(n_1⋯n_d), the scale of Theorem 1's m.",
    }];
  },
};
