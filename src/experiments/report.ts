/**
 * From a sweep's stored trials to the tables and figures of the report: Table 1 beside the paper's (both
 * versions), with 95 % Wilson intervals and the winner at equal compute; Figures 2/5 (distance to x*), 3
 * (recovery rate against m) and 4 (per-pixel error against m).
 */
import { holm, homogeneity, mcnemarExact, pairedDifferenceInterval, percentile, summarize, wilson, type RunSummary } from "../surf/metrics.js";
import { norm } from "../tensor/vector.js";
import { boxPlot, histogram, linePlot } from "../report/svg.js";
import type { Figure, Section, Table } from "../report/html.js";
import { atEqualCompute, stageResults, type Ablation, type Stage } from "./cell.js";

/** Surfing's ablations by what each changes. */
const ABLATION_NAMES: Record<Ablation, string> = {
  "surf-uniform": "surfing, budget split evenly", "surf-linear": "surfing, budget split linearly", "surf-skip0": "surfing from θ_1 (θ_0 skipped)",
  "surf-half": "surfing, half the budget", "surf-double": "surfing, twice the budget", "surf-every2": "surfing every 2nd checkpoint", "surf-every5": "surfing every 5th checkpoint",
};
import type { CellPlan } from "./sweeps.js";
import type { ResultStore } from "../store.js";
import { ARXIV_TABLE1, NEURIPS_TABLE1, type PaperModel } from "./paper.js";
import { neuripsTotal } from "../surf/schedule.js";
import type { TrialResult } from "../surf/surf.js";

const MODEL_NAMES: Record<string, string> = { vae: "VAE", gan: "DCGAN", wgan: "WGAN", "wgan-gp": "WGAN-GP" };
const pct = (x: number | null) => (x === null ? "—" : (100 * x).toFixed(1));

/** A cell id's settings part (sweeps.ts settingTags) in words. */
const TAG_NAMES: [RegExp, (v: string) => string][] = [
  [/^w(.+)$/, (v) => `width ${v}`], [/^cw(.+)$/, (v) => `partner width ${v}`], [/^csteps(\d+)$/, (v) => `${v} partner steps`], [/^steps(\d+)$/, (v) => `${v} steps`],
  [/^every(\d+)$/, (v) => `θ_t every ${v}`], [/^trainseed(\d+)$/, (v) => `training seed ${v}`],
  [/^m(\d+)$/, (v) => `Gaussian A, m = ${v}`], [/^noise(.+)$/, (v) => `noise σ = ${v}`],
];

/**
 * "DCGAN, k = 20" or "WGAN, m = 50" for a cell id such as table1/gan/k20 or fig4/wgan/m50, with the settings
 * the id names: "DCGAN, k = 5 (width 1)" for table1/gan/k5/w1.
 */
export function cellName(id: string): string {
  const [, model, last, ...tags] = id.split("/");
  const words = tags.map((t) => {
    const found = TAG_NAMES.map(([re, f]) => [re.exec(t), f] as const).find(([m]) => m);
    return found ? found[1](found[0]![1]) : t;
  });
  return `${MODEL_NAMES[model] ?? model}, ${last[0]} = ${last.slice(1)}${words.length > 0 ? ` (${words.join(", ")})` : ""}`;
}

/** What outcomes() needs of a cell's plan (the demo's has no spec). */
type PlanLike = Pick<CellPlan, "cell" | "training" | "trials">;

interface CellOutcome<P extends PlanLike = PlanLike> {
  plan: P;
  model: string;
  k: number;
  m: number | undefined;
  stages: Map<Stage, { results: TrialResult[]; summary: RunSummary }>;
}

/** Every stored stage of every planned cell (complete or not: a cell's row says how many trials it has). */
export function outcomes<P extends PlanLike>(plans: readonly P[], store: ResultStore): CellOutcome<P>[] {
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

/** A stage by what it is (restarts-1 is regular Adam stopped at surfing's step count). */
export function stageName(s: Stage): string {
  if (s === "regular") return "regular Adam";
  if (s === "surf") return "surfing";
  if (s === "restart-until") return "restarts until f < τ";
  if (s === "adam-then-surf") return "Adam, then surfing";
  if (s.startsWith("surf-")) return ABLATION_NAMES[s as Ablation];
  const R = s.slice("restarts-".length);
  return R === "1" ? "regular at surfing's steps" : `best of ${R}`;
}

/** Table 1: ours beside the paper's, and which method wins at equal compute (surfing vs best-of-R restarts). */
export function table1(cells: readonly CellOutcome<PlanLike>[]): Table {
  const restartStages = [...new Set(cells.flatMap((c) => [...c.stages.keys()].filter(atEqualCompute)))];
  const rate = (c: CellOutcome<PlanLike>, s: Stage) => {
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
      cellName(c.plan.cell.id),
      rate(c, "regular"), rate(c, "surf"), ...restartStages.map((s) => rate(c, s)),
      steps(regular?.summary.stepsToSuccessP75), steps(surf?.summary.stepsToSuccessP75),
      budget ? `${budget.total}${budget.capped > 0 ? ` (${budget.capped} capped)` : ""}` : "—",
      arxiv ? `${arxiv.regular} / ${arxiv.surf}` : "—",
      neurips ? `${neurips.regular} / ${neurips.surf}; ${neurips.regularSteps} / ${neurips.surfSteps}` : "—",
      pairedComparisons(c)?.winner ?? "—",
    ];
  });
  return {
    columns: ["model", "regular Adam %", "surfing %", ...restartStages.map((s) => `${stageName(s)} %`), "regular: steps p75", "surfing: steps p75",
      "budget θ_0..θ_{T−1}", "paper arXiv % (reg / surf)", "paper NeurIPS % ; steps", "winner at equal compute"],
    rows,
    caption: "Success: ‖x̂_T − x*‖ < 0.01. Rates in %, with 95 % Wilson intervals and the number of trials. Steps: 75th percentile of the total gradient steps until success, over successful trials (the paper's \"# iterations\"). Budget: the 75th percentile of regular Adam's steps to converge, shared by θ_0..θ_{T−1} under the NeurIPS schedule (\"capped\": regular runs that hit the step cap — past a quarter of them, the percentile is the cap). Best of R: R Adam runs on θ_T, from x_init and then from fresh starts, sharing the steps surfing used on the same trial; R = 1 (\"regular at surfing's steps\") is regular Adam stopped at that step count — the rival that needs no restarts. Restarts until f < τ: Adam runs from x_init, then fresh starts, each to convergence, until one ends with f < τ = ½·m·0.01² or the trial's surfing steps are spent. Adam, then surfing: regular Adam within those steps, then surfing from x_init with the steps left where f ≥ τ, keeping the lower f.",
  };
}

/**
 * Table 1 across training seeds: for cells that differ only in their training seed, each method's success
 * rate per seed beside the spread across seeds (the standard deviation of the rates) and the spread a single
 * seed's binomial sampling gives (√(p(1 − p)/n), averaged over the seeds), and Pearson's χ² test that the seeds
 * share one rate. Spread across seeds well above the binomial one says the training run, not only the
 * trials, moves the rate. Undefined when no cell has a sibling seed.
 */
export function seedSpread(cells: readonly CellOutcome[]): { table: Table; notes: string[] } | undefined {
  const rows: (string | number)[][] = [];
  for (const [key, group] of seedGroups(cells)) {
    if (group.length < 2) continue;
    const stages = [...group[0].stages.keys()].filter((s) => group.every((c) => c.stages.get(s)?.summary.successRate !== null && c.stages.has(s)));
    for (const s of stages) {
      const sums = group.map((c) => c.stages.get(s)!.summary), rates = sums.map((x) => x.successRate!);
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      const across = Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (rates.length - 1));
      const within = sums.reduce((a, x) => a + Math.sqrt((x.successRate! * (1 - x.successRate!)) / x.trials), 0) / sums.length;
      const test = homogeneity(sums.map((x) => x.successes), sums.map((x) => x.trials));
      rows.push([
        cellName(key), stageName(s),
        group.map((c) => /trainseed(\d+)/.exec(c.plan.cell.id)?.[1] ?? "0").join(", "),
        rates.map((r) => pct(r)).join(", "), pct(mean), (100 * across).toFixed(1), (100 * within).toFixed(1), test.p < 1e-4 ? test.p.toExponential(1) : test.p.toFixed(4),
      ]);
    }
  }
  if (rows.length === 0) return undefined;
  return {
    table: {
      columns: ["cell", "method", "training seeds", "success % per seed", "mean %", "SD across seeds (points)", "binomial SD within a seed (points)", "χ² test, one rate for all seeds: p"],
      rows,
      caption: "One training run per seed, each with its own trials. SD across seeds: the sample standard deviation of the seeds' rates; binomial SD: √(p(1 − p)/n) of each seed's rate, averaged. χ²: Pearson's test of homogeneity over the seeds' 2 × g table (g − 1 degrees of freedom).",
    },
    notes: ["Where the spread across seeds exceeds the binomial one and χ² rejects a common rate, a Wilson interval of one training run understates how much a cell's rate depends on the generator: compare methods across seeds, not within one."],
  };
}

/** The cells that differ only in their training seed, by the id without it (groups of one included). */
function seedGroups<C extends CellOutcome>(cells: readonly C[]): Map<string, C[]> {
  const groups = new Map<string, C[]>();
  for (const c of cells) {
    const key = c.plan.cell.id.split("/").filter((t) => !/^trainseed\d+$/.test(t)).join("/");
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}

/** Surfing against one method over several training runs: the trials of every run, paired within each. */
export interface PooledComparison {
  /** The cell's id without its training seed, and the seeds pooled. */
  cell: string;
  seeds: number[];
  pairs: PairedComparison[];
  winner: string;
}

/**
 * Surfing against each method pooled over the training seeds of a cell: every seed's trials are paired
 * within their own run, and McNemar's exact test runs on the discordant trials of all of them together —
 * under the null hypothesis each discordant trial of every run is surfing's or the rival's with probability
 * ½, so their total is binomial (the stratified form of the test; the interval is Newcombe's on the
 * pooled counts). Holm and the winner at equal compute as in pairedComparisons. A method is pooled only
 * where every seed ran all its trials.
 */
export function pooledComparisons(cells: readonly CellOutcome[]): PooledComparison[] {
  const out: PooledComparison[] = [];
  for (const [key, group] of seedGroups(cells)) {
    if (group.length < 2) continue;
    const per = group.map((c) => ({ c, cmp: pairedComparisons(c) }));
    if (per.some((x) => !x.cmp)) continue;
    const complete = (c: CellOutcome, s: Stage) => (c.stages.get(s)?.results.length ?? 0) === c.plan.trials;
    const rivals = per[0].cmp!.pairs.map((x) => x.rival).filter((r) => per.every(({ c, cmp }) => complete(c, r) && complete(c, "surf") && cmp!.pairs.some((x) => x.rival === r)));
    const raw = rivals.map((rival) => paired(rival, per.map(({ c }) => [c.stages.get("surf")!.results, c.stages.get(rival)!.results])));
    if (raw.length === 0) continue;
    const pairs = withHolm(raw);
    out.push({ cell: key, seeds: group.map((c) => Number(/trainseed(\d+)/.exec(c.plan.cell.id)?.[1] ?? 0)), pairs, winner: winnerOf(pairs) });
  }
  return out;
}

/** The pooled comparisons as a table, one row per method and cell. */
export function pooledTable(pooled: readonly PooledComparison[]): Table {
  return {
    columns: ["cell", "training seeds", "rival", "paired trials", "only surfing recovered x*", "only the rival did", "surfing − rival, points [95 %]", "McNemar p", "p after Holm", "significantly better"],
    rows: pooled.flatMap((g) => g.pairs.map((x) => [
      cellName(g.cell), g.seeds.join(", "), stageName(x.rival), x.trials, x.surfOnly, x.rivalOnly,
      `${(100 * x.difference).toFixed(1)} [${(100 * x.interval[0]).toFixed(1)}, ${(100 * x.interval[1]).toFixed(1)}]`,
      formatP(x.p), formatP(x.pHolm), x.pHolm < ALPHA ? (x.difference > 0 ? "surfing" : "rival") : "—",
    ])),
    caption: "Every training seed's trials paired within its own run; McNemar's exact test on the discordant trials of all the runs together (under no difference each is surfing's or the rival's with probability ½, in every run alike), Holm's correction over the methods and, apart, over the ablations; Newcombe's interval on the pooled counts. A method is pooled where every seed ran all its trials.",
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
    return parts.length > 0 ? [`${cellName(c.plan.cell.id)}: ${parts.join("; ")}.`] : [];
  });
  return lines.length === 0 ? [] : [
    `Failures that fit y anyway — ‖x̂ − x*‖ ≥ 0.01 but a per-pixel error √(‖G(x̂) − y‖²/n) below ${FITS}, an image no one could tell from the target. Where these are most of a cell's failures, G is nearly flat along some latent directions (a VAE's unused latents), and the descent stops making progress (in float32) before x* is pinned down to 0.01 along them: that cell measures how well x* is determined by its image, not the landscape's spurious minima.`,
    ...lines,
  ];
}

/** Surfing against one other method of its cell, on the trials both ran (the same x*, x_init by index). */
export interface PairedComparison {
  rival: Stage;
  trials: number;
  /** Trials only surfing recovered, only the rival did. */
  surfOnly: number;
  rivalOnly: number;
  /** Surfing's success rate minus the rival's, with Newcombe's paired 95 % interval. */
  difference: number;
  interval: [number, number];
  /** McNemar's exact p-value, and after Holm's correction over the cell's comparisons. */
  p: number;
  pHolm: number;
}

/** A p-value (after Holm) below this is a difference the report calls significant. */
export const ALPHA = 0.05;

/**
 * Surfing paired with each other method of a cell — regular Adam and every best-of-R — by McNemar's exact
 * test on the trials both ran, Holm-corrected over the cell's comparisons of methods (its ablations of surfing a family of their own), and the winner at equal compute
 * (surfing against the rivals that spend its steps: best-of-R, restart-until, adam-then-surf): surfing when it beats every such rival
 * significantly, a rival when it beats surfing significantly, else none.
 */
export function pairedComparisons(c: CellOutcome): { pairs: PairedComparison[]; winner: string } | undefined {
  const surf = c.stages.get("surf");
  if (!surf) return undefined;
  const rivals = [...c.stages.keys()].filter((s) => s !== "surf");
  const raw = rivals.map((rival) => paired(rival, [[surf.results, c.stages.get(rival)!.results]])).filter((x) => x.trials > 0);
  if (raw.length === 0) return undefined;
  const pairs = withHolm(raw);
  return { pairs, winner: winnerOf(pairs) };
}

/**
 * Surfing against `rival` on the trials both ran, in one run or several (each run's trials paired within it):
 * the discordant counts, Newcombe's interval for the difference of rates, McNemar's exact p.
 */
function paired(rival: Stage, runs: readonly (readonly [readonly TrialResult[], readonly TrialResult[]])[]): Omit<PairedComparison, "pHolm"> {
  let both = 0, surfOnly = 0, rivalOnly = 0, neither = 0;
  for (const [surfed, rivalled] of runs) {
    const byIndex = new Map(surfed.map((t) => [t.index, t.success]));
    for (const t of rivalled) {
      const s = byIndex.get(t.index);
      if (s === undefined || s === null || t.success === null) continue;
      if (s && t.success) both++;
      else if (s) surfOnly++;
      else if (t.success) rivalOnly++;
      else neither++;
    }
  }
  const d = pairedDifferenceInterval(both, surfOnly, rivalOnly, neither);
  return { rival, trials: both + surfOnly + rivalOnly + neither, surfOnly, rivalOnly, difference: d.difference, interval: [d.low, d.high], p: mcnemarExact(surfOnly, rivalOnly) };
}

/**
 * Holm within each question: which method to run (regular Adam and the rivals), and which part of surfing
 * matters (its ablations) — so running the ablations does not weaken the comparison of methods.
 */
function withHolm(raw: readonly Omit<PairedComparison, "pHolm">[]): PairedComparison[] {
  const pHolm = new Map<Stage, number>();
  for (const family of [raw.filter((x) => !x.rival.startsWith("surf-")), raw.filter((x) => x.rival.startsWith("surf-"))]) {
    const adjusted = holm(family.map((x) => x.p));
    family.forEach((x, i) => pHolm.set(x.rival, adjusted[i]));
  }
  return raw.map((x) => ({ ...x, pHolm: pHolm.get(x.rival)! }));
}

/** The winner at equal compute: surfing if it beats every such rival significantly, a rival that beats it, or none. */
function winnerOf(pairs: readonly PairedComparison[]): string {
  const equal = pairs.filter((x) => atEqualCompute(x.rival));
  const better = equal.filter((x) => x.pHolm < ALPHA && x.difference < 0).sort((a, b) => a.difference - b.difference);
  return equal.length === 0 ? "—"
    : equal.every((x) => x.pHolm < ALPHA && x.difference > 0) ? "surfing"
    : better.length > 0 ? stageName(better[0].rival)
    : "no significant difference";
}

/** The paired comparisons of every cell, as a table: surfing against each other method. */
export function pairedTable(cells: readonly CellOutcome[]): Table {
  const rows = cells.flatMap((c) => (pairedComparisons(c)?.pairs ?? []).map((x) => [
    cellName(c.plan.cell.id), stageName(x.rival), x.trials, x.surfOnly, x.rivalOnly,
    `${(100 * x.difference).toFixed(1)} [${(100 * x.interval[0]).toFixed(1)}, ${(100 * x.interval[1]).toFixed(1)}]`,
    formatP(x.p), formatP(x.pHolm), x.pHolm < ALPHA ? (x.difference > 0 ? "surfing" : "rival") : "—",
  ]));
  return {
    columns: ["cell", "rival", "paired trials", "only surfing recovered x*", "only the rival did", "surfing − rival, points [95 %]", "McNemar p", "p after Holm", "significantly better"],
    rows,
    caption: `Each method ran on the same trials (x* and x_init by index), so they are compared trial by trial: McNemar's exact test on the discordant trials, Holm's correction over a cell's comparisons of methods (and separately over its ablations of surfing), and Newcombe's 95 % interval for the difference of paired rates. Significant: p after Holm below ${ALPHA}.`,
  };
}

/** One method's cost in gradient steps, in the paper's metric and like for like with regular Adam. */
export interface StageCost {
  /** The paper's "# iterations": the 75th percentile of steps to success over the method's own successes. */
  ownP75: number | null;
  /** ownP75 over regular Adam's (Song, Fan & Lafferty 2019 compare these two). */
  ownRatio: number | null;
  /** The trials both this method and regular Adam recovered, and the 75th percentile of each one's steps to success on them. */
  bothTrials: number;
  bothP75: number | null;
  regularBothP75: number | null;
  bothRatio: number | null;
  /** The 75th percentile of the steps spent per trial, success or not: what a user pays per target. */
  spentP75: number;
}

/**
 * What each method of a cell costs, counted one way for every method: a step is one gradient step of Adam on
 * any network (θ_0..θ_T for surfing, every restart for the rivals), summed over the trial; steps to success
 * are those taken until the iterate on θ_T first lies within 0.01 of x*. The paper's metric — the 75th
 * percentile over each method's own successes — compares different trials when the methods recover different
 * ones (surfing recovers the hard ones regular Adam misses, which raises its percentile), so beside it stands
 * the same percentile over the trials both recovered, and the steps spent per trial over all trials.
 */
export function costs(c: CellOutcome): Partial<Record<Stage, StageCost>> | undefined {
  const regular = c.stages.get("regular");
  if (!regular) return undefined;
  const regularSteps = new Map(regular.results.filter((t) => t.success && t.stepsToSuccess !== null).map((t) => [t.index, t.stepsToSuccess!]));
  const p75 = (xs: number[]) => (xs.length > 0 ? percentile(xs, 75) : null);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const regularOwn = regular.summary.stepsToSuccessP75;
  const out: Partial<Record<Stage, StageCost>> = {};
  for (const [stage, { results, summary }] of c.stages) {
    const both = results.filter((t) => t.success && t.stepsToSuccess !== null && regularSteps.has(t.index));
    const bothP75 = p75(both.map((t) => t.stepsToSuccess!)), regularBothP75 = p75(both.map((t) => regularSteps.get(t.index)!));
    out[stage] = {
      ownP75: summary.stepsToSuccessP75, ownRatio: ratio(summary.stepsToSuccessP75, regularOwn),
      bothTrials: both.length, bothP75, regularBothP75, bothRatio: ratio(bothP75, regularBothP75),
      spentP75: summary.steps.p75,
    };
  }
  return out;
}

/** The costs of every cell's methods, as a table, with the paper's surfing-to-regular ratio beside surfing's. */
export function costTable(cells: readonly CellOutcome[]): Table {
  const n = (x: number | null) => (x === null ? "—" : String(Math.round(x)));
  const r = (x: number | null) => (x === null ? "—" : x.toFixed(2));
  const rows = cells.flatMap((c) => (Object.entries(costs(c) ?? {}) as [Stage, StageCost][]).map(([stage, x]) => {
    const paper = stage === "surf" ? NEURIPS_TABLE1[c.model as PaperModel]?.[c.k as 5 | 10 | 20] : undefined;
    return [
      cellName(c.plan.cell.id), stageName(stage), n(x.ownP75), r(x.ownRatio), x.bothTrials,
      `${n(x.bothP75)} / ${n(x.regularBothP75)}`, r(x.bothRatio), n(x.spentP75),
      paper?.regularSteps && paper.surfSteps ? (paper.surfSteps / paper.regularSteps).toFixed(2) : "—",
    ];
  }));
  return {
    columns: ["cell", "method", "steps to success p75 (own successes)", "÷ regular Adam's", "trials both recovered", "steps to success p75 on them: method / regular", "÷ (like for like)", "steps spent p75 (all trials)", "paper NeurIPS: surfing ÷ regular"],
    rows,
    caption: "A step is one Adam step on any network (θ_0..θ_T for surfing, every run for the restarts), summed over the trial; steps to success: those taken until the iterate on θ_T first lies within 0.01 of x*. Own successes: the paper's \"# iterations\", over each method's own successful trials — methods that recover different trials are then measured on different problems. Like for like: the 75th percentiles of this method's and regular Adam's steps to success on the trials both recovered. Steps spent: per trial, success or not — the budget a user pays per target.",
  };
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/**
 * Figures 2 and 5: histograms of log10 ‖x̂_T − x*‖, regular Adam and surfing, per model and k — all on one x
 * axis (the range of every histogram shown) and, within a cell, one count axis, so bars compare across them.
 */
export function distanceFigures(cells: readonly CellOutcome<PlanLike>[], models: readonly string[]): Figure[] {
  const BINS = 24, stages: Stage[] = ["regular", "surf"];
  const shown = cells.filter((c) => models.includes(c.model));
  const values = (c: CellOutcome<PlanLike>, s: Stage) => (c.stages.get(s)?.results ?? []).map((t) => Math.log10(Math.max(t.distToXStar ?? NaN, 1e-8)));
  const all = shown.flatMap((c) => stages.flatMap((s) => values(c, s))).filter(Number.isFinite);
  if (all.length === 0) return [];
  const lo = Math.floor(Math.min(...all, -2)), hi = Math.ceil(Math.max(...all, -2));
  const binOf = (v: number) => Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo || 1)) * BINS)));
  return shown.flatMap((c) => {
    const tallest = Math.max(...stages.map((s) => {
      const counts = new Array<number>(BINS).fill(0);
      for (const v of values(c, s)) if (Number.isFinite(v)) counts[binOf(v)]++;
      return Math.max(...counts);
    }));
    return stages.flatMap((s) => {
      const r = c.stages.get(s);
      if (!r) return [];
      return [{
        svg: histogram({ title: `${cellName(c.plan.cell.id)}: ${s === "surf" ? "surfing" : "regular Adam"}`, x: { label: "log10 ‖x̂ − x*‖", min: lo, max: hi }, values: values(c, s), bins: BINS, yMax: tallest, references: [{ label: "success: 0.01", x: -2 }] }),
        caption: `${r.results.length} trials; left of the line: success. Every histogram here shares this x axis, and regular Adam's and surfing's of one cell their count axis.`,
      }];
    });
  });
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

const METHODS: Stage[] = ["regular", "surf"];

/**
 * The compressed-sensing cells' numbers, per model and m: `value` per method, then `between` the two methods
 * (when given), then each method's median ‖x̂_T‖.
 */
function sensingTable(cells: readonly CellOutcome[], heads: [string, string], value: (results: TrialResult[]) => string,
                      between?: { head: string; value: (regular: TrialResult[], surf: TrialResult[]) => string }): Table {
  // ‖x̂_T‖ tells a method that left the box [−1, 1]^k of x_init and x* (where ‖x*‖ ≈ √(k/3)) for far pieces of G
  const medianNorm = (results: TrialResult[]) => percentile(results.map((t) => norm(t.xHat)), 50).toFixed(1);
  return {
    columns: ["model", "m", ...heads, ...(between ? [between.head] : []), "regular Adam: median ‖x̂_T‖", "surfing: median ‖x̂_T‖"],
    rows: cells.map((c) => {
      const [regular, surf] = METHODS.map((s) => c.stages.get(s)?.results);
      const of = (f: (r: TrialResult[]) => string) => [regular, surf].map((r) => (r ? f(r) : "—"));
      const both = between ? [regular && surf ? between.value(regular, surf) : "—"] : [];
      return [MODEL_NAMES[c.model] ?? c.model, c.m ?? "—", ...of(value), ...both, ...of(medianNorm)];
    }),
  };
}

/** Figure 3's numbers: recovery rates with 95 % Wilson intervals. */
export function recoveryTable(cells: readonly CellOutcome[]): Table {
  return sensingTable(cells, ["regular Adam %", "surfing %"], (results) => {
    const x = summarize(results);
    if (x.successRate === null) return "—";
    const w = wilson(x.successes, x.trials);
    return `${pct(w.rate)} [${pct(w.low)}, ${pct(w.high)}]`;
  });
}

/**
 * Figure 4's numbers: per-pixel errors, median [quartiles], and how often surfing's error is the lower on the
 * same trial — the same y, A and x_init, a pairing the box plots cannot show.
 */
export function distortionTable(cells: readonly CellOutcome[]): Table {
  const lower = (regular: TrialResult[], surf: TrialResult[]) => {
    const theirs = new Map(regular.map((t) => [t.index, t.pixelError]));
    const pairs = surf.filter((t) => theirs.has(t.index));
    if (pairs.length === 0) return "—";
    const w = wilson(pairs.filter((t) => t.pixelError < theirs.get(t.index)!).length, pairs.length);
    return `${pct(w.rate)} [${pct(w.low)}, ${pct(w.high)}]`;
  };
  return {
    ...sensingTable(cells, ["regular Adam: per-pixel error", "surfing: per-pixel error"], (results) => {
      const e = results.map((t) => t.pixelError), q = (p: number) => percentile(e, p).toFixed(3);
      return `${q(50)} [${q(25)}, ${q(75)}]`;
    }, { head: "surfing lower on the same trial %", value: lower }),
    caption: "Per-pixel error √(‖G(x̂_T) − y‖²/n): median [quartiles]. Surfing lower: of the trials both methods ran (the same y, A and x_init), the share where surfing's error is below regular Adam's, with a 95 % Wilson interval.",
  };
}

/** Median over a cell's surfing trials of ‖x‖ after each network θ_t; null when no trial kept ‖x‖ on its path. */
export function pathNorms(c: CellOutcome): { trials: number; medians: number[] } | null {
  const paths = (c.stages.get("surf")?.results ?? []).map((t) => t.path).filter((p) => p.length > 0 && p.every((s) => typeof s.norm === "number"));
  if (paths.length === 0) return null;
  const T = Math.min(...paths.map((p) => p.length));
  return { trials: paths.length, medians: Array.from({ length: T }, (_, t) => percentile(paths.map((p) => p[t].norm), 50)) };
}

/**
 * The median ‖x‖ after each network θ_t of surfing, one line per m: where surfing's path goes while the
 * networks train. Trials stored before the path kept ‖x‖ are left out (none: no figure).
 */
export function pathFigure(cells: readonly CellOutcome[]): Figure[] {
  const models = [...new Set(cells.map((c) => c.model))];
  return models.flatMap((model) => {
    const series = cells.filter((c) => c.model === model).flatMap((c) => {
      const p = pathNorms(c);
      return p ? [{ label: `m = ${c.m} (${p.trials})`, style: "line" as const, points: p.medians.map((v, t) => [t, v] as const) }] : [];
    });
    if (series.length === 0) return [];
    const k = cells.find((c) => c.model === model)!.k;
    return [{
      svg: linePlot({ title: `${MODEL_NAMES[model]}: surfing's path`, x: { label: "network θ_t, t" }, y: { label: "median ‖x‖ after θ_t", log: true }, series, references: [{ label: "√(k/3)", y: Math.sqrt(k / 3) }] }),
      caption: `Median over a cell's trials (their number in the legend) of ‖x‖ after each network of surfing; x_init and x* are uniform on [−1, 1]^${k}, where E‖x‖² = k/3.`,
    }];
  });
}

export type { CellOutcome, Section };
