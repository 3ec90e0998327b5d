/**
 * The landscape results as report sections (src/report): weight-space DSS against L0 (Freeman & Bruna 2017, Figure 1 rows
 * 1–2), latent-space DSS against training time, and Song, Fan & Lafferty 2019's Figure 1 heat maps; and writing a run's JSON and
 * HTML into its output directory.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPage, type Page, type Section, type Table } from "../report/html.js";
import { heatMap, linePlot, type Series } from "../report/svg.js";
import type { Spread } from "./dss.js";
import type { Figure1 } from "./figure1.js";
import type { CheckpointRecord } from "./latent.js";
import { boundaryWalk } from "./regions.js";
import { gridAxis } from "./surface.js";
import type { WeightSweep } from "./weights.js";

/** Region boundaries: translucent white, so that thousands of them leave the surface visible. */
const REGION_COLOUR = "rgba(255, 255, 255, 0.35)";

const fixed = (v: number | undefined | null, digits = 3): string | null => (v === undefined || v === null || !Number.isFinite(v) ? null : v.toFixed(digits));
const spread = (s: Spread | null, digits = 3): string | null => (s ? `${s.mean.toFixed(digits)} [${s.min.toFixed(digits)}, ${s.max.toFixed(digits)}]` : null);

/** Freeman & Bruna 2017, Figure 1, rows 1–2: average normalized length and beads against L0, one series per task. */
export function weightSections(sweeps: readonly WeightSweep[]): Section[] {
  const series = (value: (l: WeightSweep["levels"][number]) => number | undefined): Series[] => sweeps.map((s) => ({
    label: s.task,
    points: s.levels.flatMap((l) => (value(l) === undefined ? [] : [[l.L0, value(l)!] as [number, number]])),
  }));
  const tables: Table[] = sweeps.map((s) => ({
    caption: `${s.task}: Var(y) = ${s.variance.toPrecision(4)}, ${s.parameters} parameters. Means over the pairs that connected, [min, max]; the rest stopped unconverged or could not be trained to α·L0.`,
    columns: ["L0 / Var(y)", "L0", "connected", "unconverged", "endpoints missed", "normalized length", "beads", "depth"],
    rows: s.levels.map((l) => [l.level, l.L0.toPrecision(3), `${l.connected}/${l.runs + l.endpointsMissed}`, l.unconverged, l.endpointsMissed, spread(l.normalizedLength), spread(l.beads, 1), spread(l.depth, 1)]),
  }));
  return [{
    heading: "Weight space: the 1-4-4-1 sigmoid network (Freeman & Bruna 2017, Section 4.1)",
    paragraphs: [
      "Pairs of randomly initialized networks trained to a loss level L0 and connected by Greedy Dynamic String Sampling. The normalized geodesic length is the string's length over the distance between its ends (1 for a convex level set); beads are the models the string needed. The shape to compare with is Freeman & Bruna 2017's Figure 1, rows 1 (quadratic) and 2 (cubic): both grow as L0 falls.",
    ],
    figures: [
      { svg: linePlot({ title: "normalized geodesic length", x: { label: "loss level L0 (mean squared error)", log: true }, y: { label: "average normalized length" }, series: series((l) => l.normalizedLength?.mean), references: [{ label: "convex", y: 1 }] }) },
      { svg: linePlot({ title: "beads", x: { label: "loss level L0 (mean squared error)", log: true }, y: { label: "average number of beads" }, series: series((l) => l.beads?.mean) }) },
    ],
    tables,
  }];
}

/** Normalized length, beads and the share of starts that reached the level, against the training step. */
export function latentSections(runs: readonly { label: string; records: readonly CheckpointRecord[] }[], settings: { starts: number; box: number; level: number; alpha?: number }): Section[] {
  const { starts } = settings;
  const series = (value: (r: CheckpointRecord) => number | undefined): Series[] => runs.map((run) => ({
    label: run.label,
    points: run.records.flatMap((r) => (value(r) === undefined ? [] : [[r.step, value(r)!] as [number, number]])),
  }));
  return [{
    heading: "Latent space: how the surface of f_θt changes during training",
    paragraphs: [
      `At each checkpoint θ_t, ${starts} random starts x ~ U[−${settings.box}, ${settings.box}]^k are trained by Adam down to α·L0_t, L0_t = λ·(f̄_t − f*_t) with λ = ${settings.level} (f̄_t the mean of f_θt over the starts, f*_t the least value found); consecutive pairs of those that got there are connected by DSS in x. A surface that grows wavy shows as longer strings, more beads, pairs that do not connect, and fewer starts that reach the level (the others stop in local minima above it).`,
    ],
    figures: [
      { svg: linePlot({ title: "normalized geodesic length in x", x: { label: "training step" }, y: { label: "average normalized length" }, series: series((r) => r.normalizedLength?.mean), references: [{ label: "convex", y: 1 }] }) },
      { svg: linePlot({ title: "beads", x: { label: "training step" }, y: { label: "average number of beads" }, series: series((r) => r.beads?.mean) }) },
      { svg: linePlot({ title: "starts that reached the level", x: { label: "training step" }, y: { label: "fraction of starts", min: 0, max: 1 }, series: series((r) => r.startsBelow / starts) }) },
    ],
    tables: runs.map((run) => ({
      caption: `${run.label}. Means over the pairs that connected, [min, max].`,
      columns: ["t", "step", "f*", "f̄", "L0", "starts below", "connected", "unconverged", "normalized length", "beads"],
      rows: run.records.map((r) => [r.t, r.step, fixed(r.fStar, 4), fixed(r.fMean, 4), r.L0.toPrecision(3), `${r.startsBelow}/${starts}`, `${r.connected}/${r.runs}`, r.unconverged, spread(r.normalizedLength), spread(r.beads, 1)]),
    })),
  }];
}

/** Song, Fan & Lafferty 2019, Figure 1: one row of heat maps per target, one column per stage, the target image last. */
export function figure1Sections(fig: Figure1, targetImages?: readonly ArrayLike<number>[]): Section[] {
  const axis = gridAxis(fig.grid), n = fig.grid.size;
  const box = { min: fig.grid.lo, max: fig.grid.hi };
  return fig.targets.map((target, j) => {
    const figures = fig.stages.map((stage) => {
      const panel = fig.panels.find((p) => p.target === j && p.t === stage.t)!;
      const rows = Array.from({ length: n }, (_, r) => panel.surface.slice(r * n, (r + 1) * n));
      const path = fig.paths[j];
      const walked = [path.xInit, ...path.points.slice(0, stage.t + 1).map((p) => p.x)];
      const overlays: Series[] = [
        ...(stage.regions?.count ? [{ label: `linear regions (${stage.regions.count})`, points: boundaryWalk(stage.regions.polygons), style: "line" as const, color: REGION_COLOUR }] : []),
        { label: "surfing path x_0 … x_t", points: walked.map((x) => [x[0], x[1]] as [number, number]), style: "line" as const, color: "#ff4040" },
        { label: "x_t", points: [[walked[walked.length - 1][0], walked[walked.length - 1][1]]], style: "points" as const, color: "#ff4040" },
      ];
      return {
        svg: heatMap({ title: `${target.label}: step ${stage.step} (t = ${stage.t})`, x: { label: "x1", ...box }, y: { label: "x2", ...box }, values: rows, colorLabel: "−½‖G(x) − y‖²", overlays, width: 540, height: 316 }),
        caption: `${stage.regions?.skipped ? `Linear regions not drawn: ${stage.regions.skipped}. ` : ""}peak of the grid at (${panel.peak.x.map((v) => v.toFixed(2)).join(", ")}), −f = ${panel.peak.value.toPrecision(4)}; surfing reached f = ${fig.paths[j].points[stage.t].f.toPrecision(4)} at (${fig.paths[j].points[stage.t].x.map((v) => v.toFixed(2)).join(", ")}).`,
      };
    });
    const image = targetImages?.[j];
    if (image) {
      const side = Math.round(Math.sqrt(image.length));
      // image row 0 is the top; the heat map's row 0 is the bottom
      const rows = Array.from({ length: side }, (_, r) => Array.from({ length: side }, (_, c) => image[(side - 1 - r) * side + c]));
      figures.push({ svg: heatMap({ title: `${target.label}: the target y`, x: { label: "", min: 0, max: side }, y: { label: "", min: 0, max: side }, values: rows, colorLabel: "pixel", width: 390, height: 246 }), caption: "" });
    }
    return {
      heading: `Figure 1 (Song, Fan & Lafferty 2019): ${target.label}`,
      paragraphs: j === 0 ? [
        `Surfaces x ↦ −½‖G_θt(x) − y‖² of the k = 2 generator on [${fig.grid.lo}, ${fig.grid.hi}]² (${n}×${n} grid, x1 from ${axis[0]} to ${axis[n - 1]}) at three stages of training, from random (left) to fully trained (right); higher is better. In red, the surfing path of Algorithm 3.1 from x_init through the optimum x_t of every checkpoint up to the one shown${fig.stages.some((s) => s.regions?.count) ? "; in white, the boundaries of G_θt's linear regions" : ""}.`,
      ] : [],
      figures,
    };
  });
}

/** Write OUT/name.json and OUT/name.html (each atomically); returns their paths. */
export function writeReport(out: string, name: string, json: unknown, page: Page): { json: string; html: string } {
  mkdirSync(out, { recursive: true });
  const paths = { json: join(out, `${name}.json`), html: join(out, `${name}.html`) };
  for (const [path, text] of [[paths.json, JSON.stringify(json) + "\n"], [paths.html, renderPage(page)]] as const) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  return paths;
}
