/**
 * From a sweep's stored trials to the tables and figures of the report: Table 1 beside the paper's (both
 * versions), with 95 % Wilson intervals and the winner at equal compute; Figures 2/5 (distance to x*), 3
 * (recovery rate against m) and 4 (per-pixel error against m).
 */
import { summarize, wilson, type RunSummary } from "../surf/metrics.js";
import { boxPlot, histogram, linePlot } from "../report/svg.js";
import type { Figure, Section, Table } from "../report/html.js";
import { stageResults, type Stage } from "./cell.js";
import type { CellPlan } from "./sweeps.js";
import type { ResultStore } from "../store.js";
import { ARXIV_TABLE1, NEURIPS_TABLE1, type PaperModel } from "./paper.js";
import { neuripsTotal } from "../surf/schedule.js";
import type { TrialResult } from "../surf/surf.js";

const MODEL_NAMES: Record<string, string> = { vae: "VAE", gan: "DCGAN", wgan: "WGAN", "wgan-gp": "WGAN-GP" };
const pct = (x: number | null) => (x === null ? "—" : (100 * x).toFixed(1));

/** "DCGAN, k = 20" or "WGAN, m = 50" for a cell id such as table1/gan/k20 or fig4/wgan/m50. */
export function cellName(id: string): string {
  const [, model, last] = id.split("/");
  return `${MODEL_NAMES[model] ?? model}, ${last[0]} = ${last.slice(1)}`;
}

interface CellOutcome {
  plan: CellPlan;
  model: string;
  k: number;
  m: number | undefined;
  stages: Map<Stage, { results: TrialResult[]; summary: RunSummary }>;
}

/** Every stored stage of every planned cell (complete or not: a cell's row says how many trials it has). */
export function outcomes(plans: readonly CellPlan[], store: ResultStore): CellOutcome[] {
  return plans.map((plan) => {
    const [, model, last] = plan.cell.id.split("/");
    const stages = new Map<Stage, { results: TrialResult[]; summary: RunSummary }>();
    for (const stage of plan.cell.stages) {
      const results = stageResults(store, plan.cell.id, stage, plan.trials);
      if (results.length > 0) stages.set(stage, { results, summary: summarize(results) });
    }
    return { plan, model, k: plan.training.latent, m: last.startsWith("m") ? Number(last.slice(1)) : undefined, stages };
  });
}

/** A restarts stage by what it is: R = 1 is regular Adam stopped at surfing's step count. */
function restartsName(s: Stage): string {
  const R = s.slice("restarts-".length);
  return R === "1" ? "regular at surfing's steps" : `best of ${R}`;
}

/** Table 1: ours beside the paper's, and which method wins at equal compute (surfing vs best-of-R restarts). */
export function table1(cells: readonly CellOutcome[]): Table {
  const restartStages = [...new Set(cells.flatMap((c) => [...c.stages.keys()].filter((s) => s.startsWith("restarts-"))))];
  const rate = (c: CellOutcome, s: Stage) => {
    const x = c.stages.get(s)?.summary;
    return x && x.successInterval ? `${pct(x.successRate)} [${pct(x.successInterval[0])}, ${pct(x.successInterval[1])}] (${x.trials})` : "—";
  };
  // a count of steps, as the paper prints it (the percentile interpolates between two trials)
  const steps = (p: number | null | undefined) => (p === null || p === undefined ? "—" : Math.round(p));
  const rows = cells.map((c) => {
    const paperKey = c.model as PaperModel, k = c.k as 5 | 10 | 20;
    const arxiv = ARXIV_TABLE1[paperKey]?.[k], neurips = NEURIPS_TABLE1[paperKey]?.[k];
    const regular = c.stages.get("regular"), surf = c.stages.get("surf");
    const budget = regular ? neuripsTotal(regular.results) : undefined;
    return [
      `${MODEL_NAMES[c.model] ?? c.model}, k = ${c.k}`,
      rate(c, "regular"), rate(c, "surf"), ...restartStages.map((s) => rate(c, s)),
      steps(regular?.summary.stepsToSuccessP75), steps(surf?.summary.stepsToSuccessP75),
      budget ? `${budget.total}${budget.capped > 0 ? ` (${budget.capped} capped)` : ""}` : "—",
      arxiv ? `${arxiv.regular} / ${arxiv.surf}` : "—",
      neurips ? `${neurips.regular} / ${neurips.surf}; ${neurips.regularSteps} / ${neurips.surfSteps}` : "—",
      winner(c, restartStages),
    ];
  });
  return {
    columns: ["model", "regular Adam %", "surfing %", ...restartStages.map((s) => `${restartsName(s)} %`), "regular: steps p75", "surfing: steps p75",
      "budget θ_0..θ_{T−1}", "paper arXiv % (reg / surf)", "paper NeurIPS % ; steps", "winner at equal compute"],
    rows,
    caption: "Success: ‖x̂_T − x*‖ < 0.01. Rates in %, with 95 % Wilson intervals and the number of trials. Steps: 75th percentile of the total gradient steps until success, over successful trials (the paper's \"# iterations\"). Budget: the 75th percentile of regular Adam's steps to converge, shared by θ_0..θ_{T−1} under the NeurIPS schedule (\"capped\": regular runs that hit the step cap — past a quarter of them, the percentile is the cap). Best of R: R Adam runs on θ_T, from x_init and then from fresh starts, sharing the steps surfing used on the same trial; R = 1 (\"regular at surfing's steps\") is regular Adam stopped at that step count — the rival that needs no restarts.",
  };
}

/** A per-pixel error below this is an image a reader cannot tell from the target. */
const FITS = 1e-3;

/**
 * Failures that fit y anyway: x̂ far from x* but G(x̂) within FITS per pixel of y. Where most failures are of
 * this kind, G is nearly flat along some latent directions (a VAE's unused latents) and descent stalls
 * before ‖x̂ − x*‖ < 0.01 — the cell measures identifiability, not the landscape's local minima.
 */
export function fitsWithoutRecovery(cells: readonly CellOutcome[]): string[] {
  const lines = cells.flatMap((c) => {
    const parts = (["regular", "surf"] as Stage[]).flatMap((s) => {
      const failed = c.stages.get(s)?.results.filter((t) => t.success === false) ?? [];
      const fit = failed.filter((t) => t.pixelError < FITS).length;
      return fit > 0 ? [`${s === "surf" ? "surfing" : "regular Adam"} ${fit} of its ${failed.length} failures`] : [];
    });
    return parts.length > 0 ? [`${MODEL_NAMES[c.model] ?? c.model}, k = ${c.k}: ${parts.join("; ")}.`] : [];
  });
  return lines.length === 0 ? [] : [
    `Failures that fit y anyway — ‖x̂ − x*‖ ≥ 0.01 but a per-pixel error √(‖G(x̂) − y‖²/n) below ${FITS}, an image no one could tell from the target. Where these are most of a cell's failures, G is nearly flat along some latent directions (a VAE's unused latents), and the descent stops making progress (in float32) before x* is pinned down to 0.01 along them: that cell measures how well x* is determined by its image, not the landscape's spurious minima.`,
    ...lines,
  ];
}

/** Surfing against the best of its equal-compute rivals: a win counts only when the 95 % intervals are apart. */
function winner(c: CellOutcome, restartStages: Stage[]): string {
  const surf = c.stages.get("surf")?.summary;
  const rivals = restartStages.map((s) => ({ s, x: c.stages.get(s)?.summary })).filter((r) => r.x?.successInterval);
  if (!surf?.successInterval || rivals.length === 0) return "—";
  const best = rivals.reduce((a, b) => (b.x!.successRate! > a.x!.successRate! ? b : a));
  const [sLow, sHigh] = surf.successInterval, [rLow, rHigh] = best.x!.successInterval!;
  const name = restartsName(best.s);
  if (sLow > rHigh) return "surfing";
  if (rLow > sHigh) return name;
  return `neither (surfing ${pct(surf.successRate)} vs ${name} ${pct(best.x!.successRate)}: intervals overlap)`;
}

/** Figures 2 and 5: histograms of log10 ‖x̂_T − x*‖, regular Adam and surfing, per model and k. */
export function distanceFigures(cells: readonly CellOutcome[], models: readonly string[]): Figure[] {
  return cells.filter((c) => models.includes(c.model)).flatMap((c) => (["regular", "surf"] as Stage[]).flatMap((s) => {
    const r = c.stages.get(s);
    if (!r) return [];
    const values = r.results.map((t) => Math.log10(Math.max(t.distToXStar ?? NaN, 1e-8)));
    return [{
      svg: histogram({ title: `${MODEL_NAMES[c.model]}, k = ${c.k}: ${s === "surf" ? "surfing" : "regular Adam"}`, x: { label: "log10 ‖x̂ − x*‖" }, values, bins: 24, references: [{ label: "success: 0.01", x: -2 }] }),
      caption: `${r.results.length} trials; left of the line: success.`,
    }];
  }));
}

/** Figure 3: the recovery rate against m, regular Adam and surfing, with 95 % intervals in the table. */
export function recoveryFigure(cells: readonly CellOutcome[]): Figure[] {
  const models = [...new Set(cells.map((c) => c.model))];
  return models.map((model) => {
    const mine = cells.filter((c) => c.model === model && c.m !== undefined);
    const series = (["regular", "surf"] as Stage[]).map((s) => ({
      label: s === "surf" ? "surfing" : "regular Adam",
      points: mine.filter((c) => c.stages.has(s)).map((c) => [c.m!, c.stages.get(s)!.summary.successRate ?? NaN] as const),
    }));
    return { svg: linePlot({ title: `${MODEL_NAMES[model]}: exact recovery`, x: { label: "measurements m", log: true, ticks: mine.map((c) => c.m!) }, y: { label: "proportion recovered", min: 0, max: 1 }, series }), caption: "Success ‖x̂_T − x*‖ < 0.01; f(x) = ½‖A·G(x) − A·G(x*)‖², A Gaussian m × n." };
  });
}

/** Figure 4: per-pixel errors on held-out real images against m (box plots per method). */
export function distortionFigure(cells: readonly CellOutcome[]): Figure[] {
  const models = [...new Set(cells.map((c) => c.model))], stages: Stage[] = ["regular", "surf"];
  return models.map((model) => ({
    svg: boxPlot({
      title: MODEL_NAMES[model],
      y: { label: "per-pixel error √(‖G(x̂) − y‖²/n)" },
      series: ["regular Adam", "surfing"],
      groups: cells.filter((c) => c.model === model).map((c) => ({ label: `m = ${c.m}`, boxes: stages.map((s) => c.stages.get(s)?.results.map((t) => t.pixelError) ?? []) })),
    }),
    caption: "y: held-out Fashion-MNIST images (never seen in training); at each m, regular Adam (blue) beside surfing (red), as in the paper's figures.",
  }));
}

/** A rate table for the compressed-sensing cells (Figure 3's numbers with their intervals). */
export function recoveryTable(cells: readonly CellOutcome[]): Table {
  return {
    columns: ["model", "m", "regular Adam %", "surfing %"],
    rows: cells.map((c) => [MODEL_NAMES[c.model] ?? c.model, c.m ?? "—", ...(["regular", "surf"] as Stage[]).map((s) => {
      const x = c.stages.get(s)?.summary;
      if (!x || x.successRate === null) return "—";
      const w = wilson(x.successes, x.trials);
      return `${pct(w.rate)} [${pct(w.low)}, ${pct(w.high)}]`;
    })]),
  };
}

export type { CellOutcome, Section };
