/**
 * Hand & Voroninski's Theorem 1 (Hand & Voroninski 2018) for the hv family G(x) = σ(W_d … σ(W_1x)…), y = G(x0): outside
 * small neighbourhoods of x0 and −ρ_d·x0 there is a descent direction, so descent ends near one of them;
 * ρ_d comes from the recursion θ̌_0 = π, θ̌_i = g(θ̌_{i−1}) (Lemma 10) and tends to 1 as d grows.
 *
 * Two measurements, for A = I and Gaussian A with m = ⌈k·d·ln(n_1⋯n_d)⌉ rows:
 *  - the ray: G is positively homogeneous, so on the ray −r·x0 (r ≥ 0) f is the quadratic ½‖r·AG(−x0) − AG(x0)‖²,
 *    stationary at r* = ⟨AG(−x0), AG(x0)⟩/‖AG(−x0)‖² — the finite-width counterpart of ρ_d (in expectation
 *    ⟨G(−x0), G(x0)⟩ = 2^{−d} cos θ̌_d ‖x0‖² and ‖G(−x0)‖² = 2^{−d}‖x0‖², and ρ_d = cos θ̌_d). It is measured over
 *    growing widths: r* → ρ_d.
 *  - descents from many random starts: the end points, the ratio ‖x̂‖/‖x0‖ of those on the negative side, and the
 *    neighbourhood radius they need — the largest distance of an end point from {x0, −ρ_d x0} — which the
 *    theorem says shrinks (like ε^{1/4}) as the widths grow.
 */
import { fitLogLog } from "../fit.js";
import { bySize, fmt, mean, randomDirection, unitRng, unitSeed, type Check, type Unit } from "../check.js";
import { rho } from "../angles.js";
import { ensembleNet, Instance, MEASUREMENTS, type MeasurementKind } from "../instance.js";
import { dot } from "../../tensor/vector.js";
import { linePlot, type Series } from "../../report/svg.js";
import { observe } from "../../objective/measurement.js";
import { perMeasurement } from "../../form.js";

type Part = "ray" | "descent";

interface HvUnit extends Unit {
  readonly part: Part;
  readonly d: number;
  readonly width: number;
  readonly replicate: number;
  readonly starts: number;
  readonly budget: number;
}

interface HvMeasure {
  readonly m: number;
  /** The ray's stationary ratio r* (ray part). */
  readonly ray: number | null;
  /** End points as (x̂·x0, x̂·x0⊥)/‖x0‖² — x0 at (1, 0) (descent part). */
  readonly ends: [number, number][];
}

type HvResult = Record<MeasurementKind, HvMeasure>;

const K = 2;
/** ‖x0‖ = 1; starts at radii uniform in [START_RADII] in random directions. */
const START_RADII: [number, number] = [0.5, 1.5];
/** The mean r* over replicates must be within this many standard errors of ρ_d at the largest width. */
const RHO_SE = 3;

/** Rows of Gaussian A: Theorem 1's m > c·d·k·log(n_1⋯n_d), with c = 1. */
export function hvRows(arch: readonly number[]): number {
  const d = arch.length - 1;
  return Math.ceil(arch[0] * d * arch.slice(1).reduce((s, w) => s + Math.log(w), 0));
}

export const hvCheck: Check<HvUnit, HvResult> = {
  name: "hv-theorem-1",
  title: "Hand–Voroninski Theorem 1: descent ends near x0 or −ρ_d·x0",
  source: "Hand & Voroninski 2018 Theorem 1, eq. (4), Lemma 10 (ρ_d and its recursion)",
  prediction:
    "For y = G(x0), f has a descent direction outside neighbourhoods of x0 and −ρ_d·x0 that shrink as the widths grow; ρ_d, computed by " +
    "θ̌_0 = π, θ̌_i = g(θ̌_{i−1}), ρ_d = Σ_i (sin θ̌_i/π) Π_{j>i} (π − θ̌_j)/π, increases to 1 with d. So the spurious stationary ratio approaches ρ_d and " +
    "descents end ever closer to x0 or −ρ_d·x0 — with A = I and with Gaussian A, m ≳ k·d·log(n_1⋯n_d).",
  form: perMeasurement({ m: "number", ray: "number?", ends: [["number"]] }),
  plan(quick) {
    const rayDepths = quick ? [2, 3, 4, 5] : [2, 3, 4, 5, 6];
    const rayWidths = quick ? [50, 100, 200, 400] : [100, 200, 400, 800, 1600];
    const descentDepths = quick ? [2] : [2, 3, 4, 5, 6];
    const descentWidths = quick ? [8, 16, 32, 64] : [50, 100, 200, 400];
    const rayReps = quick ? 6 : 8, descentReps = quick ? 3 : 4;
    const units: HvUnit[] = [];
    for (const d of rayDepths) for (const width of rayWidths) for (let r = 0; r < rayReps; r++) units.push({ key: `ray-d${d}-w${width}-r${r}`, part: "ray", d, width, replicate: r, starts: 0, budget: 0 });
    for (const d of descentDepths) for (const width of descentWidths) for (let r = 0; r < descentReps; r++) {
      units.push({ key: `descent-d${d}-w${width}-r${r}`, part: "descent", d, width, replicate: r, starts: quick ? 6 : 16, budget: quick ? 100 : 500 });
    }
    return units;
  },
  measure(u, seed) {
    const arch = [K, ...new Array<number>(u.d).fill(u.width)];
    const rng = unitRng(seed, "hv-theorem-1", u.key, "x0");
    const x0 = randomDirection(rng, K);
    const out = {} as HvResult;
    const net = ensembleNet("hv", arch, unitSeed(seed, "hv-theorem-1", u.key, "net"));
    const y = net.forward([x0])[0];
    for (const kind of MEASUREMENTS) {
      const inst = new Instance(net, kind, y, unitSeed(seed, "hv-theorem-1", u.key, "A"), { rows: hvRows(arch), batch: u.part === "ray" ? 2 : u.starts });
      let ray: number | null = null;
      const ends: [number, number][] = [];
      if (u.part === "ray") {
        const n = inst.net.outputSize, G = inst.landscape.outputs(Float64Array.from([...x0, ...x0.map((v) => -v)]));
        const [plus, minus] = observe(inst.A, [G.subarray(0, n), G.subarray(n)]);
        ray = dot(minus, plus) / dot(minus, minus);
      } else {
        const starts = new Float64Array(u.starts * K), srng = unitRng(seed, "hv-theorem-1", u.key, "starts");
        for (let s = 0; s < u.starts; s++) starts.set(randomDirection(srng, K).map((v) => v * srng.uniformIn(...START_RADII)), s * K);
        const end = inst.landscape.descend(starts, { budget: u.budget });
        const perp = [-x0[1], x0[0]];
        for (let s = 0; s < u.starts; s++) {
          const x = end.x.subarray(s * K, (s + 1) * K);
          ends.push([dot(x, x0), dot(x, perp)]);
        }
      }
      out[kind] = { m: inst.A.m, ray, ends };
      inst.free();
    }
    net.free();
    return out;
  },
  judge(units, results) {
    const failures: string[] = [];
    const rhoTable = Array.from({ length: 19 }, (_, i) => ({ d: i + 2, rho: rho(i + 2) }));
    for (let i = 1; i < rhoTable.length; i++) if (!(rhoTable[i].rho > rhoTable[i - 1].rho && rhoTable[i].rho < 1)) failures.push(`ρ_d is not increasing below 1 at d = ${rhoTable[i].d}`);
    const items = units.map((u, i) => ({ u, r: results[i] }));
    const depths = (part: Part) => [...new Set(items.filter((t) => t.u.part === part).map((t) => t.u.d))];
    const ray = depths("ray").flatMap((d) => MEASUREMENTS.map((kind) => {
      const rows = bySize(items.filter((t) => t.u.part === "ray" && t.u.d === d), (t) => t.u.width).map(({ size, items: g }) => {
        const values = g.map((t) => t.r[kind].ray!), avg = mean(values);
        const se = Math.sqrt(values.reduce((s, v) => s + (v - avg) ** 2, 0) / (values.length - 1) / values.length);
        return { width: size, mean: avg, se, error: mean(values.map((v) => Math.abs(v - rho(d)))) };
      });
      const slope = fitLogLog(rows.map((r) => r.width), rows.map((r) => Math.max(r.error, 1e-12))).slope;
      const last = rows[rows.length - 1];
      if (!(slope < 0)) failures.push(`ray, d = ${d}, ${kind}: |r* − ρ_d| does not shrink with the width (slope ${fmt(slope)})`);
      if (Math.abs(last.mean - rho(d)) > RHO_SE * last.se) failures.push(`ray, d = ${d}, ${kind}: mean r* = ${fmt(last.mean)} ± ${fmt(last.se)} at width ${last.width} is not within ${RHO_SE} standard errors of ρ_d = ${fmt(rho(d))}`);
      return { d, kind, rho: rho(d), rows, slope };
    }));
    const descent = depths("descent").flatMap((d) => MEASUREMENTS.map((kind) => {
      const r = rho(d);
      const rows = bySize(items.filter((t) => t.u.part === "descent" && t.u.d === d), (t) => t.u.width).map(({ size, items: g }) => {
        const needed = g.map((t) => Math.max(...t.r[kind].ends.map(([a, b]) => Math.min(Math.hypot(a - 1, b), Math.hypot(a + r, b)))));
        const negative = g.flatMap((t) => t.r[kind].ends.filter(([a]) => a < 0).map(([a, b]) => Math.hypot(a, b)));
        return { width: size, needed: mean(needed), negativeRatio: negative.length ? mean(negative) : null, negatives: negative.length, ends: g.flatMap((t) => t.r[kind].ends).map(([a, b]) => [round(a), round(b)]) };
      });
      const slope = fitLogLog(rows.map((x) => x.width), rows.map((x) => Math.max(x.needed, 1e-12))).slope;
      if (!(slope < 0)) failures.push(`descent, d = ${d}, ${kind}: the neighbourhood radius the end points need does not shrink with the width (slope ${fmt(slope)})`);
      return { d, kind, rho: r, rows, slope };
    }));
    const lastRay = (d: number, kind: MeasurementKind) => ray.find((s) => s.d === d && s.kind === kind)!.rows.at(-1)!;
    return {
      pass: failures.length === 0,
      summary: (failures.length ? `FAILED: ${failures.join("; ")}. ` : "") +
        `ρ_d by the recursion: ${rhoTable.slice(0, 5).map((t) => `ρ_${t.d} = ${fmt(t.rho)}`).join(", ")}, …, ρ_20 = ${fmt(rho(20))} (→ 1). ` +
        `Ray ratio r* at the largest width: ${depths("ray").map((d) => `d = ${d}: ${fmt(lastRay(d, "identity").mean)} (A = I), ${fmt(lastRay(d, "gaussian").mean)} (Gaussian A)`).join("; ")}; ` +
        `|r* − ρ_d| slopes in width ${ray.map((s) => fmt(s.slope)).join(", ")}. Descents: neighbourhood radius needed ` +
        descent.map((s) => `d = ${s.d} ${s.kind === "identity" ? "A = I" : "Gaussian"} ${fmt(s.rows[0].needed)} → ${fmt(s.rows.at(-1)!.needed)}`).join(", ") +
        `; spurious end points' ‖x̂‖/‖x0‖ at the largest width: ${descent.map((s) => (s.rows.at(-1)!.negativeRatio === null ? "none" : fmt(s.rows.at(-1)!.negativeRatio!)) + ` (ρ_${s.d} = ${fmt(s.rho)})`).join(", ")}.`,
      constants:
        `k = ${K}, ‖x0‖ = 1, equal widths n_1 = … = n_d; Gaussian A with m = ⌈k·d·ln(n_1⋯n_d)⌉ (Theorem 1's m > c·d·k·log Π n_i with c = 1). ` +
        `The theorem's neighbourhood radii K_2 d^3 ε^{1/4} and K_2 d^{13} ε^{1/4} have unstated constants, so no radius is assumed: the check measures the radius ` +
        `the end points need and asks that it shrink with the width (log–log slope < 0, mean over ${1 + Math.max(...units.filter((u) => u.part === "descent").map((u) => u.replicate))} networks per width). ` +
        `The ray ratio must approach ρ_d (|r* − ρ_d| with negative slope in the width) and, at the largest width, ρ_d must lie within ${RHO_SE} standard errors of the mean r* over the networks.`,
      figures: { rho: rhoTable, ray, descent },
    };
  },
  plot(figures) {
    const rhoTable = figures.rho as { d: number; rho: number }[];
    const ray = figures.ray as { d: number; kind: MeasurementKind; rho: number; rows: { width: number; mean: number; se: number; error: number }[] }[];
    const descent = figures.descent as { d: number; kind: MeasurementKind; rho: number; rows: { width: number; needed: number; ends: [number, number][] }[] }[];
    const label = (kind: MeasurementKind) => (kind === "identity" ? "A = I" : "Gaussian A");
    const first: Series[] = [
      { label: "ρ_d (recursion)", points: rhoTable.map((t) => [t.d, t.rho]) },
      ...MEASUREMENTS.map((kind) => ({ label: `r* at largest width, ${label(kind)}`, points: ray.filter((s) => s.kind === kind).map((s) => [s.d, s.rows.at(-1)!.mean] as [number, number]), style: "points" as const })),
    ];
    const widest = descent.filter((s) => s.kind === "identity");
    return [
      {
        svg: linePlot({ title: "ρ_d and the measured spurious ratio", x: { label: "depth d" }, y: { label: "ratio ‖x‖/‖x0‖", min: 0, max: 1 }, series: first, references: [{ label: "1", y: 1 }] }),
        caption: "ρ_d from the recursion (line, up to d = 20: it tends to 1) and the ray ratio r* = ⟨AG(−x0), AG(x0)⟩/‖AG(−x0)‖² at the largest width (mean over networks).",
      },
      {
        svg: linePlot({
          title: "|r* − ρ_d| vs width",
          x: { label: "width n_i", log: true },
          y: { label: "mean |r* − ρ_d|", log: true },
          series: ray.map((s) => ({ label: `d = ${s.d}, ${label(s.kind)}`, points: s.rows.map((r) => [r.width, r.error] as [number, number]), dashed: s.kind === "gaussian" })),
        }),
        caption: "The spurious ratio concentrates at ρ_d as the layers widen (log–log; solid A = I, dashed Gaussian A).",
      },
      {
        svg: linePlot({
          title: "Neighbourhood radius the descents need",
          x: { label: "width n_i", log: true },
          y: { label: "max distance of an end point from {x0, −ρ_d x0}", log: true },
          series: descent.map((s) => ({ label: `d = ${s.d}, ${label(s.kind)}`, points: s.rows.map((r) => [r.width, Math.max(r.needed, 1e-6)] as [number, number]), dashed: s.kind === "gaussian" })),
        }),
        caption: "For each width, the largest distance (in units of ‖x0‖) from an end point of descent to the nearer of x0 and −ρ_d·x0, mean over networks.",
      },
      {
        svg: linePlot({
          title: "End points of descent at the largest width (A = I), x0 at (1, 0)",
          x: { label: "x̂·x0 / ‖x0‖²", min: -1.6, max: 1.6 },
          y: { label: "x̂·x0⊥ / ‖x0‖²", min: -1.2, max: 1.2 },
          series: widest.map((s) => ({ label: `d = ${s.d}`, points: s.rows.at(-1)!.ends, style: "points" as const })),
          references: [{ label: "x0", x: 1 }, ...widest.map((s) => ({ label: `−ρ_${s.d}`, x: -s.rho }))],
        }),
        caption: "Where descents from random starts end, in the plane of x0 (k = 2). The dotted lines mark x0 and −ρ_d·x0.",
      },
    ];
  },
};

function round(v: number): number {
  return Number(v.toFixed(4));
}
