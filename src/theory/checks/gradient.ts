/**
 * Lemma 5.4 (Song, Fan & Lafferty 2019): for the surf family, wherever f is differentiable,
 *
 *   ‖∇f(x) − g_x‖ ≤ C′ε(1 + ‖x‖ + ‖y‖),   g_x = 2^{−d}x − (Π_{i=1}^d W_{i,x}ᵀ)Vᵀy,
 *
 * with ε → 0 as the layers grow more expansive (n_i ≫ n_{i−1}). The constant C′ε is measured as the largest
 * ratio ‖∇f(x) − g_x‖ / (1 + ‖x‖ + ‖y‖) over random x (f is differentiable at them with probability 1),
 * for A = I and Gaussian A, on networks [k, ck, c²k, …, c^d k, c^d k] of growing expansion c (d = 1, and d = 2 in
 * the full run: a second layer multiplies the widths, so c is kept smaller there).
 */
import { fitLogLog, type LineFit } from "../fit.js";
import { bySize, fmt, mean, unitRng, unitSeed, type Check, type Unit } from "../check.js";
import { ensembleNet, expansiveArch, independentTarget, Instance, MEASUREMENTS, SAMPLE_RADII as RADII, type MeasurementKind } from "../instance.js";
import { linePlot, type Series } from "../../report/svg.js";
import { perMeasurement } from "../../form.js";

interface GradientUnit extends Unit {
  readonly d: number;
  readonly c: number;
  readonly arch: number[];
  readonly replicate: number;
  readonly samples: number;
}

type GradientResult = Record<MeasurementKind, { ratio: number; normY: number }>;

const K = 2;

export const gradientCheck: Check<GradientUnit, GradientResult> = {
  name: "lemma-5.4",
  title: "Lemma 5.4: the gradient is close to g_x",
  source: "Song, Fan & Lafferty 2019 Lemma 5.4",
  prediction:
    "‖∇f(x) − g_x‖ ≤ C′ε(1 + ‖x‖ + ‖y‖) at every x where f is differentiable, with g_x = 2^{−d}x − (Π W_{i,x}ᵀ)Vᵀy and ε decreasing " +
    "as the layers grow more expansive — so the measured constant falls with the expansion c (negative log–log slope), for A = I and Gaussian A.",
  form: perMeasurement({ ratio: "number", normY: "number" }),
  plan(quick) {
    const series: [number, number[]][] = quick ? [[1, [4, 8, 32, 128]]] : [[1, [4, 16, 64, 256, 1024]], [2, [4, 8, 16, 32]]];
    const replicates = quick ? 2 : 4, samples = quick ? 150 : 2000;
    return series.flatMap(([d, cs]) => cs.flatMap((c) => Array.from({ length: replicates }, (_, r) => ({ key: `d${d}-c${c}-r${r}`, d, c, arch: expansiveArch(K, d, c), replicate: r, samples }))));
  },
  measure(u, seed) {
    const out = {} as GradientResult;
    const net = ensembleNet("surf", u.arch, unitSeed(seed, "lemma-5.4", u.key, "net"));
    const y = independentTarget(unitRng(seed, "lemma-5.4", u.key, "y"), net.outputSize);
    for (const kind of MEASUREMENTS) {
      const inst = new Instance(net, kind, y, unitSeed(seed, "lemma-5.4", u.key, "A"));
      const points = inst.samplePoints(unitRng(seed, "lemma-5.4", u.key, kind), u.samples, RADII[0] * (1 + inst.normY), RADII[1] * (1 + inst.normY));
      out[kind] = { ratio: Math.max(...inst.gradientDeviations(points).lemma54), normY: inst.normY };
      inst.free();
    }
    net.free();
    return out;
  },
  judge(units, results) {
    const depths = [...new Set(units.map((u) => u.d))];
    const series = depths.map((d) => {
      const groups = bySize(units.map((u, i) => ({ u, r: results[i] })).filter((t) => t.u.d === d), (t) => t.u.c);
      const rows = groups.map(({ size, items }) => ({
        c: size,
        arch: items[0].u.arch,
        identity: mean(items.map((t) => t.r.identity.ratio)),
        gaussian: mean(items.map((t) => t.r.gaussian.ratio)),
      }));
      const fits = Object.fromEntries(MEASUREMENTS.map((m) => [m, fitLogLog(rows.map((r) => r.c), rows.map((r) => r[m]))])) as Record<MeasurementKind, LineFit>;
      return { d, rows, fits };
    });
    const pass = series.every((s) => MEASUREMENTS.every((m) => s.fits[m].slope < 0));
    const replicates = units.filter((u) => u.d === units[0].d && u.c === units[0].c).length;
    return {
      pass,
      summary: series.map(({ d, rows, fits }) =>
        `d = ${d}, c = ${rows[0].c} → ${rows[rows.length - 1].c}: A = I ${fmt(rows[0].identity)} → ${fmt(rows[rows.length - 1].identity)} (slope ${fmt(fits.identity.slope)} ± ${fmt(fits.identity.slopeError)}), ` +
        `Gaussian A ${fmt(rows[0].gaussian)} → ${fmt(rows[rows.length - 1].gaussian)} (slope ${fmt(fits.gaussian.slope)} ± ${fmt(fits.gaussian.slopeError)})`).join("; ") +
        ` — measured C′ε, the max over x of ‖∇f − g_x‖/(1 + ‖x‖ + ‖y‖), mean of ${replicates} networks.`,
      constants:
        `C′ε is the measured constant itself (the lemma fixes no value): the maximum of the ratio over ${units[0].samples} random x with radii log-uniform in ` +
        `[${RADII[0]}, ${RADII[1]}]·(1 + ‖y‖) — a lower estimate of the supremum (it is reached far out, where ∇f − g_x is the deviation of (Π W_{i,x})ᵀVᵀAᵀAV(Π W_{i,x}) from 2^{−d}I, eq. 5.1). ` +
        `Networks k = ${K}, n_i = c·n_{i−1}, n = n_d; y ~ N(0, I/n); Gaussian A has m = ⌈n/2⌉ rows. The proof's ε scales like √(n_{i−1}/n_i) up to logarithms: slope about −½ in c. ` +
        `Pass: fitted log–log slope < 0 for every depth and both A.`,
      figures: { series: series.map(({ d, rows, fits }) => ({ d, rows, slopes: { identity: fits.identity.slope, gaussian: fits.gaussian.slope } })) },
    };
  },
  plot(figures) {
    const all = figures.series as { d: number; rows: { c: number; identity: number; gaussian: number }[] }[];
    const series: Series[] = all.flatMap(({ d, rows }) => [
      { label: `d = ${d}, A = I`, points: rows.map((r) => [r.c, r.identity] as [number, number]) },
      { label: `d = ${d}, Gaussian A`, points: rows.map((r) => [r.c, r.gaussian] as [number, number]) },
    ]);
    const first = all[0].rows;
    series.push({ label: "∝ c^(−1/2)", points: first.map((r) => [r.c, first[0].identity * Math.sqrt(first[0].c / r.c)]), style: "line", dashed: true });
    return [{
      svg: linePlot({ title: "Lemma 5.4: max ‖∇f(x) − g_x‖ / (1 + ‖x‖ + ‖y‖)", x: { label: "expansion c = n_i / n_(i−1)", log: true }, y: { label: "measured C′ε", log: true }, series }),
      caption: "The measured constant of Lemma 5.4 against the expansion of the layers, log–log; the dashed line has slope −½.",
    }];
  },
};
