/**
 * Theorem 3.1 (Song, Fan & Lafferty 2019): for the surf family with y independent of θ_0, every x outside the ball
 * ‖x‖ ≤ C′ε(1 + ‖y‖) satisfies D_{−x/‖x‖}f_0(x) < 0 (eq. 3.2), so every critical point lies in the ball,
 * which shrinks as the layers grow more expansive.
 *
 * The ball's radius is taken from the proof's last step: with η the measured constant of
 * ‖∇f(x) − 2^{−d}x‖ ≤ η(1 + ‖x‖ + ‖y‖) (Lemmas 5.4 and 5.5 combined), D_{−x̂}f(x) ≤ −2^{−d}‖x‖ + η(1 + ‖x‖ + ‖y‖) < 0
 * as soon as ‖x‖ > η(1 + ‖y‖)/(2^{−d} − η), so C′ε = η/(2^{−d} − η) (no finite ball while η ≥ 2^{−d}: the widths are then
 * below the theorem's regime). Critical points are found exactly for k = 2 (every region's minimizer in a box,
 * src/theory/critical.ts) and, for larger k, as the end points of many descents started far out. Both use one
 * hidden layer (d = 1): with d = 2 the measured η stays above 2^{−2} (no finite ball) until n_1 is in the hundreds,
 * which makes n_2 = c·n_1 too wide to run here.
 */
import { fitLogLog } from "../fit.js";
import { bySize, fmt, mean, randomDirection, unitRng, unitSeed, type Check, type Unit } from "../check.js";
import { regionMinimizers } from "../critical.js";
import { ensembleNet, expansiveArch, independentTarget, Instance, MEASUREMENTS, SAMPLE_RADII as RADII, type MeasurementKind } from "../instance.js";
import { norm } from "../../tensor/vector.js";
import { linePlot, type Series } from "../../report/svg.js";
import { perMeasurement } from "../../form.js";

type Method = "exact" | "descent";

interface BallUnit extends Unit {
  readonly method: Method;
  readonly c: number;
  readonly arch: number[];
  readonly replicate: number;
  readonly samples: number;
  readonly starts: number;
  readonly budget: number;
}

interface BallMeasure {
  readonly normY: number;
  /** η: max over sampled x of ‖∇f(x) − 2^{−d}x‖ / (1 + ‖x‖ + ‖y‖). */
  readonly eta: number;
  /** C′ε = η / (2^{−d} − η), or null when η ≥ 2^{−d}. */
  readonly cEps: number | null;
  /** Largest ‖x‖ over the critical points found, / (1 + ‖y‖). */
  readonly rCrit: number;
  readonly critical: number;
  /** Samples outside the ball, and the fraction of them where D_{−x̂}f < 0. */
  readonly outside: number;
  readonly descentFraction: number | null;
}

type BallResult = Record<MeasurementKind, BallMeasure>;

/** Exact search box [−L, L]² with L = BOX·(1 + ‖y‖): a few times the largest balls measured. */
const BOX = 4;
/** Descents start at ‖x‖ = FAR·(1 + ‖y‖), outside the box of the exact search. */
const FAR = 4;
/** D_{−x̂}f ≥ −INWARD_TOL counts as "(3.2) fails": the QP minimizers are accurate to ~1e-12 (KKT residuals) and f, ∇f are O(1). */
const INWARD_TOL = 1e-9;
/** η is a sampled maximum, a lower estimate of the supremum the proof needs: up to this fraction of samples outside the ball may fail (3.2) before the check fails. */
const FRACTION_TOL = 0.001;
/** Samples for the descent-direction test lie at ‖x‖ between the ball's radius and this multiple of it. */
const OUTSIDE_SPAN = 10;

export const criticalBallCheck: Check<BallUnit, BallResult> = {
  name: "theorem-3.1",
  title: "Theorem 3.1: critical points lie in a small ball",
  source: "Song, Fan & Lafferty 2019 Theorem 3.1, eq. (3.2), and its proof (Section 5)",
  prediction:
    "With y independent of θ_0, every x with ‖x‖ > C′ε(1 + ‖y‖) has D_{−x/‖x‖}f_0(x) < 0, so all critical points lie in that ball, " +
    "and the ball shrinks as the layers grow more expansive — with A = I and with Gaussian A.",
  form: perMeasurement({ normY: "number", eta: "number", cEps: "number?", rCrit: "number", critical: "number", outside: "number", descentFraction: "number?" }),
  plan(quick) {
    const exact = quick ? [4, 8, 16, 32] : [4, 8, 16, 32, 64];
    const descent = quick ? [4, 8, 16, 32] : [4, 16, 64, 128];
    const replicates = quick ? 1 : 3, samples = quick ? 300 : 3000;
    return [
      ...exact.flatMap((c) => Array.from({ length: replicates }, (_, r) => ({ key: `exact-c${c}-r${r}`, method: "exact" as const, c, arch: expansiveArch(2, 1, c), replicate: r, samples, starts: 0, budget: 0 }))),
      ...descent.flatMap((c) => Array.from({ length: replicates }, (_, r) => ({
        key: `descent-c${c}-r${r}`, method: "descent" as const, c, arch: expansiveArch(quick ? 3 : 4, 1, c), replicate: r, samples,
        starts: quick ? 8 : 64, budget: quick ? 60 : 500,
      }))),
    ];
  },
  measure(u, seed) {
    const out = {} as BallResult;
    const net = ensembleNet("surf", u.arch, unitSeed(seed, "theorem-3.1", u.key, "net"));
    const y = independentTarget(unitRng(seed, "theorem-3.1", u.key, "y"), net.outputSize);
    for (const kind of MEASUREMENTS) {
      const rng = unitRng(seed, "theorem-3.1", u.key, kind);
      const inst = new Instance(net, kind, y, unitSeed(seed, "theorem-3.1", u.key, "A"));
      const scale = 1 + inst.normY, half = 2 ** -inst.d;
      const eta = Math.max(...inst.gradientDeviations(inst.samplePoints(rng, u.samples, RADII[0] * scale, RADII[1] * scale)).theorem31);
      const cEps = eta < half ? eta / (half - eta) : null;
      let critical: Float64Array[];
      if (u.method === "exact") {
        critical = regionMinimizers(inst.pl, inst.ls, BOX * scale).filter((m) => !(m.inward < -INWARD_TOL)).map((m) => m.x);
      } else {
        const k = inst.k, starts = new Float64Array(u.starts * k);
        for (let s = 0; s < u.starts; s++) starts.set(randomDirection(rng, k).map((v) => v * FAR * scale), s * k);
        const end = inst.landscape.descend(starts, { budget: u.budget });
        critical = Array.from({ length: u.starts }, (_, s) => end.x.slice(s * k, (s + 1) * k));
      }
      const rCrit = Math.max(0, ...critical.map(norm)) / scale;
      let outside = 0, descentFraction: number | null = null;
      if (cEps !== null) {
        const radius = cEps * scale, X = inst.samplePoints(rng, u.samples, radius, OUTSIDE_SPAN * radius);
        const { grad } = inst.landscape.evaluate(X);
        let descending = 0;
        for (let r = 0; r < u.samples; r++) {
          const x = X.subarray(r * inst.k, (r + 1) * inst.k), g = grad.subarray(r * inst.k, (r + 1) * inst.k);
          let dir = 0;
          for (let j = 0; j < inst.k; j++) dir -= x[j] * g[j];
          if (dir < 0) descending++;   // D_{−x̂}f(x) = −x̂·∇f(x) where f is differentiable (almost every x)
        }
        outside = u.samples;
        descentFraction = descending / u.samples;
      }
      out[kind] = { normY: inst.normY, eta, cEps, rCrit, critical: critical.length, outside, descentFraction };
      inst.free();
    }
    net.free();
    return out;
  },
  judge(units, results) {
    const failures: string[] = [];
    const series = (["exact", "descent"] as Method[]).flatMap((method) => MEASUREMENTS.map((kind) => {
      const items = units.map((u, i) => ({ u, r: results[i][kind] })).filter((t) => t.u.method === method);
      // Containment and descent direction, network by network.
      for (const { u, r } of items) {
        if (r.cEps !== null && r.rCrit > r.cEps) failures.push(`${method}, ${kind}, c = ${u.c}: a critical point at ‖x‖ = ${fmt(r.rCrit)}(1 + ‖y‖) outside the ball ${fmt(r.cEps)}(1 + ‖y‖)`);
        if (r.descentFraction !== null && r.descentFraction < 1 - FRACTION_TOL) failures.push(`${method}, ${kind}, c = ${u.c}: (3.2) holds at only ${fmt(100 * r.descentFraction)}% of samples outside the ball`);
      }
      const rows = bySize(items, (t) => t.u.c).map(({ size, items: g }) => ({
        c: size,
        arch: g[0].u.arch,
        rCrit: mean(g.map((t) => t.r.rCrit)),
        cEps: g.every((t) => t.r.cEps !== null) ? mean(g.map((t) => t.r.cEps!)) : null,
        eta: mean(g.map((t) => t.r.eta)),
        descentFraction: g.some((t) => t.r.descentFraction !== null) ? Math.min(...g.flatMap((t) => (t.r.descentFraction === null ? [] : [t.r.descentFraction]))) : null,
      }));
      const slope = fitLogLog(rows.map((r) => r.c), rows.map((r) => Math.max(r.rCrit, 1e-12))).slope;
      if (!(slope < 0)) failures.push(`${method}, ${kind}: the critical radius does not shrink (log–log slope ${fmt(slope)})`);
      if (rows[rows.length - 1].cEps === null) failures.push(`${method}, ${kind}: no finite ball even at c = ${rows[rows.length - 1].c} (η ≥ 2^−d): the sizes are below the theorem's regime`);
      return { method, kind, rows, slope };
    }));
    const describe = (s: (typeof series)[number]) =>
      `${s.method} (${s.kind === "identity" ? "A = I" : "Gaussian A"}): max‖x_crit‖/(1 + ‖y‖) ${fmt(s.rows[0].rCrit)} → ${fmt(s.rows[s.rows.length - 1].rCrit)} (slope ${fmt(s.slope)}), ` +
      `C′ε ${s.rows.map((r) => (r.cEps === null ? "∞" : fmt(r.cEps))).join(" → ")}`;
    return {
      pass: failures.length === 0,
      summary: (failures.length ? `FAILED: ${failures.join("; ")}. ` : "") + series.map(describe).join("; ") + ".",
      constants:
        `C′ε = η/(2^{−d} − η), from the proof's last step, with η = max over ${units[0].samples} random x (radii log-uniform in [${RADII[0]}, ${RADII[1]}]·(1 + ‖y‖)) of ‖∇f(x) − 2^{−d}x‖/(1 + ‖x‖ + ‖y‖) on the same network. ` +
        `Exact critical points (k = 2, d = 1): minimizers of f over every region in [−${BOX}, ${BOX}]²·(1 + ‖y‖) where D_{−x̂}f ≥ −${INWARD_TOL}. ` +
        `Descents (k = ${units.find((u) => u.method === "descent")?.arch[0]}, d = 1): Armijo gradient descent from ${units.find((u) => u.method === "descent")?.starts} starts at ‖x‖ = ${FAR}(1 + ‖y‖). ` +
        `Pass: every critical point inside the ball; D_{−x̂}f < 0 at ≥ ${100 * (1 - FRACTION_TOL)}% of random x with ‖x‖ between the radius and ${OUTSIDE_SPAN}× it ` +
        `(η is a sampled maximum, so a lower estimate); the critical radius shrinks with c (log–log slope < 0); and the ball is finite at the largest size.`,
      figures: { series: series.map(({ method, kind, rows, slope }) => ({ method, kind, rows, slope })) },
    };
  },
  plot(figures) {
    const all = figures.series as { method: Method; kind: MeasurementKind; rows: { c: number; rCrit: number; cEps: number | null }[] }[];
    return (["exact", "descent"] as Method[]).map((method) => {
      const mine = all.filter((s) => s.method === method);
      const series: Series[] = mine.flatMap((s, i) => [
        { label: `max ‖x_crit‖, ${s.kind === "identity" ? "A = I" : "Gaussian A"}`, points: s.rows.map((r) => [r.c, r.rCrit] as [number, number]), color: ["#1f77b4", "#d62728"][i] },
        { label: `ball C′ε, ${s.kind === "identity" ? "A = I" : "Gaussian A"}`, points: s.rows.flatMap((r) => (r.cEps === null ? [] : [[r.c, r.cEps] as [number, number]])), dashed: true, color: ["#1f77b4", "#d62728"][i] },
      ]);
      return {
        svg: linePlot({
          title: method === "exact" ? "Theorem 3.1, exact critical points (k = 2, d = 1)" : "Theorem 3.1, descents from far starts (k = 3 quick, 4 full; d = 1)",
          x: { label: "expansion c = n_i / n_(i−1)", log: true },
          y: { label: "radius / (1 + ‖y‖)", log: true },
          series,
        }),
        caption: "Solid: the largest ‖x‖ among the critical points found; dashed: the ball radius C′ε from the measured η (missing where η ≥ 2^{−d}). " +
          "Both in units of 1 + ‖y‖, against the expansion of the layers.",
      };
    });
  },
};
