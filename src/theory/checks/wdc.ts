/**
 * Lemma 5.1 (Song, Fan & Lafferty 2019) and the Weight Distribution Condition (Hand & Voroninski 2018, Definition 2) for one layer of the
 * surf family: W ∈ R^{n×k′}, b ∈ R^n with N(0, 1/n) entries, W_{+,v} = diag(Wv + b > 0)W, b_{+,v} likewise.
 *
 *  (a) ‖W_{+,v}‖ ≤ 2 and ‖b_{+,v}‖ ≤ 2;  (b) ‖W_{+,v}ᵀW_{+,v′} − ½I‖ ≤ ε + θ/π;  (c) ‖W_{+,v}ᵀb_{+,v}‖ ≤ ε;
 *  WDC of W̃ = (W b) ∈ R^{n×(k′+1)}: sup_{x,y} ‖W̃_{+,x}ᵀW̃_{+,y} − Q_{x,y}‖ ≤ ε,
 *
 * with ε → 0 as n grows against k′ (the proof of Lemma 5.1: probability 1 − 8n e^{−cε²k′} once
 * n ≳ ε^{−2} log(1/ε) k′ log n, i.e. ε of order √(k′ log n / n)). Each bound is measured as the maximum over
 * many random pairs — a lower estimate of the supremum — at growing n.
 */
import { fitLogLog, type LineFit } from "../fit.js";
import { bySize, fmt, mean, pairAtAngle, unitRng, type Check, type Unit } from "../check.js";
import { spectralNorm } from "../matrix.js";
import { activeGram, activeRows, wdcMatrix } from "../wdc.js";
import { linePlot, type Series } from "../../report/svg.js";

interface WdcUnit extends Unit {
  readonly n: number;
  readonly kIn: number;
  readonly replicate: number;
  readonly pairs: number;
}

interface WdcResult {
  readonly normW: number;
  readonly normB: number;
  readonly epsB: number;
  readonly epsC: number;
  readonly wdc: number;
}

/** Lemma 5.1(a)'s bound on ‖W_{+,v}‖ and ‖b_{+,v}‖. */
const NORM_BOUND = 2;
/** k′ = n_{i−1}, the layer's input width, fixed while n grows. */
const K_IN = 5;

export const wdcCheck: Check<WdcUnit, WdcResult> = {
  name: "wdc",
  title: "Lemma 5.1 and the Weight Distribution Condition",
  source: "Song, Fan & Lafferty 2019 Lemma 5.1; Hand & Voroninski 2018 Definition 2 and eq. (2)",
  prediction:
    "For a Gaussian layer W, b with N(0, 1/n) entries and n ≫ k′: ‖W_{+,v}‖ ≤ 2 and ‖b_{+,v}‖ ≤ 2 for every v; " +
    "‖W_{+,v}ᵀW_{+,v′} − ½I‖ ≤ ε + θ/π and ‖W_{+,v}ᵀb_{+,v}‖ ≤ ε; and W̃ = (W b) satisfies the WDC with constant ε — " +
    "with ε decreasing as n grows.",
  form: { normW: "number", normB: "number", epsB: "number", epsC: "number", wdc: "number" },
  plan(quick) {
    const sizes = quick ? [20, 40, 80, 160, 320] : [20, 40, 80, 160, 320, 640, 1280, 2560];
    const replicates = quick ? 2 : 4, pairs = quick ? 300 : 2000;
    return sizes.flatMap((n) => Array.from({ length: replicates }, (_, r) => ({ key: `n${n}-r${r}`, n, kIn: K_IN, replicate: r, pairs })));
  },
  measure(u, seed) {
    const { n, kIn } = u, rng = unitRng(seed, "wdc", u.key);
    const W = new Float64Array(n * kIn), b = new Float64Array(n);
    rng.fillNormal(W, 0, 1 / Math.sqrt(n));
    rng.fillNormal(b, 0, 1 / Math.sqrt(n));
    // W̃ = (W b): n × (k′ + 1).
    const kt = kIn + 1, Wt = new Float64Array(n * kt);
    for (let i = 0; i < n; i++) {
      Wt.set(W.subarray(i * kIn, (i + 1) * kIn), i * kt);
      Wt[i * kt + kIn] = b[i];
    }
    let normW = 0, normB = 0, epsB = 0, epsC = 0, wdc = 0;
    for (let p = 0; p < u.pairs; p++) {
      // Lemma 5.1: inputs v, v′ at radii spread over two decades (the bias makes the pattern depend on ‖v‖) and an angle θ uniform in [0, π].
      const theta = Math.PI * rng.uniform();
      const [v, w] = pairAtAngle(rng, kIn, theta).map((d) => scale(d, 10 ** rng.uniformIn(-1, 1)));
      const onV = activeRows(W, n, kIn, v, b), onW = activeRows(W, n, kIn, w, b);
      const gram = activeGram(W, n, kIn, onV, onW);
      for (let i = 0; i < kIn; i++) gram[i * kIn + i] -= 0.5;
      epsB = Math.max(epsB, spectralNorm(gram, kIn, kIn) - theta / Math.PI);
      const self = activeGram(W, n, kIn, onV, onV);
      normW = Math.max(normW, Math.sqrt(spectralNorm(self, kIn, kIn)));
      let bb = 0;
      const wb = new Float64Array(kIn);
      for (let i = 0; i < n; i++) {
        if (!onV[i]) continue;
        bb += b[i] * b[i];
        for (let j = 0; j < kIn; j++) wb[j] += W[i * kIn + j] * b[i];
      }
      normB = Math.max(normB, Math.sqrt(bb));
      epsC = Math.max(epsC, Math.hypot(...wb));
      // Definition 2 for W̃ over all directions x, y of R^{k′+1}.
      const [x, y] = pairAtAngle(rng, kt, Math.PI * rng.uniform());
      const dev = activeGram(Wt, n, kt, activeRows(Wt, n, kt, x), activeRows(Wt, n, kt, y));
      const Q = wdcMatrix(x, y);
      for (let i = 0; i < kt * kt; i++) dev[i] -= Q[i];
      wdc = Math.max(wdc, spectralNorm(dev, kt, kt));
    }
    return { normW, normB, epsB: Math.max(0, epsB), epsC, wdc };
  },
  judge(units, results) {
    const rows = bySize(units.map((u, i) => ({ u, r: results[i] })), (t) => t.u.n).map(({ size, items }) => ({
      n: size,
      normW: Math.max(...items.map((t) => t.r.normW)),
      normB: Math.max(...items.map((t) => t.r.normB)),
      epsB: mean(items.map((t) => t.r.epsB)),
      epsC: mean(items.map((t) => t.r.epsC)),
      wdc: mean(items.map((t) => t.r.wdc)),
    }));
    const ns = rows.map((r) => r.n);
    const slopes: Record<string, LineFit> = {
      wdc: fitLogLog(ns, rows.map((r) => Math.max(r.wdc, 1e-12))),
      epsB: fitLogLog(ns, rows.map((r) => Math.max(r.epsB, 1e-12))),
      epsC: fitLogLog(ns, rows.map((r) => Math.max(r.epsC, 1e-12))),
    };
    const normsOk = rows.every((r) => r.normW <= NORM_BOUND && r.normB <= NORM_BOUND);
    const decays = Object.values(slopes).every((s) => s.slope < 0);
    return {
      pass: normsOk && decays,
      summary:
        `(a) max ‖W_{+,v}‖ = ${fmt(Math.max(...rows.map((r) => r.normW)))}, max ‖b_{+,v}‖ = ${fmt(Math.max(...rows.map((r) => r.normB)))} (bound ${NORM_BOUND}); ` +
        `log–log slopes in n: WDC constant ${fmt(slopes.wdc.slope)} ± ${fmt(slopes.wdc.slopeError)}, ε of (b) ${fmt(slopes.epsB.slope)}, ε of (c) ${fmt(slopes.epsC.slope)} ` +
        `(theory: about −½); WDC constant ${fmt(rows[0].wdc)} at n = ${rows[0].n} → ${fmt(rows[rows.length - 1].wdc)} at n = ${rows[rows.length - 1].n}.`,
      constants:
        `k′ = ${K_IN} inputs per neuron; ε is measured, not assumed: for each n, the smallest ε for which (b), (c) and Definition 2 hold on every sampled pair ` +
        `(maximum over ${units[0].pairs} random pairs with θ uniform in [0, π], averaged over ${units.filter((u) => u.n === units[0].n).length} layers). ` +
        `Pass: (a) within ${NORM_BOUND} at every n, and every ε decreasing in n (fitted log–log slope < 0).`,
      figures: { rows, slopes: Object.fromEntries(Object.entries(slopes).map(([k, s]) => [k, s.slope])) },
    };
  },
  plot(figures) {
    const rows = figures.rows as { n: number; normW: number; normB: number; epsB: number; epsC: number; wdc: number }[];
    const series: Series[] = [
      { label: "WDC constant (Def. 2)", points: rows.map((r) => [r.n, r.wdc]) },
      { label: "ε of Lemma 5.1(b)", points: rows.map((r) => [r.n, r.epsB]) },
      { label: "ε of Lemma 5.1(c)", points: rows.map((r) => [r.n, r.epsC]) },
      { label: "√(k′/n), for slope", points: rows.map((r) => [r.n, Math.sqrt(K_IN / r.n)]), dashed: true, style: "line" },
    ];
    return [
      {
        svg: linePlot({ title: "WDC and Lemma 5.1 constants vs layer width", x: { label: "n (layer width)", log: true }, y: { label: "measured constant", log: true }, series }),
        caption: "Maxima over random pairs, averaged over layers, against n on log–log axes; the dashed line has the theory's slope −½.",
      },
      {
        svg: linePlot({
          title: "Lemma 5.1(a): norms of the active rows",
          x: { label: "n (layer width)", log: true },
          y: { label: "max norm", min: 0 },
          series: [{ label: "max ‖W_{+,v}‖", points: rows.map((r) => [r.n, r.normW]) }, { label: "max ‖b_{+,v}‖", points: rows.map((r) => [r.n, r.normB]) }],
          references: [{ label: "bound 2", y: NORM_BOUND }],
        }),
        caption: "Largest spectral norm of W_{+,v} and length of b_{+,v} over the sampled v; Lemma 5.1(a) bounds both by 2.",
      },
    ];
  },
};

function scale(v: Float64Array, s: number): Float64Array {
  return v.map((t) => t * s);
}
