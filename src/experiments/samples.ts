/**
 * Sample reconstructions for the reports: for the first trials of a cell, the target y above G_θT(x̂) of each
 * method, with ‖x̂ − x*‖ under each (synthetic targets) or the per-pixel error √(‖G_θT(x̂) − y‖²/n) (real images,
 * where there is no x*). The images are recomputed from the stored x̂ by loading θ_T, as the run saw it.
 */
import { existsSync } from "node:fs";
import { InputError } from "../errors.js";
import type { ImageGrid } from "../report/html.js";
import { greyPng } from "../report/png.js";
import { tickLabel } from "../report/svg.js";
import { openSequence } from "../surf/sequence.js";
import type { TrialResult } from "../surf/surf.js";
import { stageResults, type Cell, type Stage } from "./cell.js";
import type { ResultStore } from "../store.js";

/** Trials shown per cell in the sweeps' reports (the demo shows more). */
export const SAMPLES_PER_CELL = 8;

const STAGE_NAMES: Partial<Record<Stage, string>> = { regular: "regular Adam", surf: "surfing" };

/**
 * The grid for `cell`: the first `count` of its `trials` that every shown stage has stored, or undefined when
 * none has, when the checkpoints are not on this machine (merged shards keep theirs) or the images are not square.
 */
export function sampleImages(cell: Cell, store: ResultStore, trials: number, count: number, caption: string,
                             stages: readonly Stage[] = ["regular", "surf"]): ImageGrid | undefined {
  if (cell.source.kind !== "bytes" && !existsSync(cell.source.path)) return undefined;
  const byStage = stages.map((s) => new Map(stageResults(store, cell.id, s, trials).map((r) => [r.index, r])));
  const indices = [...byStage[0].keys()].filter((i) => byStage.every((m) => m.has(i))).slice(0, count);
  if (indices.length === 0) return undefined;
  const sequence = openSequence(cell.source), final = sequence.load(sequence.length - 1);
  try {
    const side = Math.sqrt(final.outputSize);
    if (!Number.isInteger(side)) return undefined;
    const png = (image: ArrayLike<number>) => greyPng(image, side, side);
    const results = byStage.map((m) => indices.map((i) => m.get(i)!));
    const { targets } = cell, synthetic = targets.kind !== "signal";
    const ys = targets.kind === "signal" ? indices.map((i) => targets.y[targets.y.length === 1 ? 0 : i]) : final.forward(results[0].map(xStarOf));
    return {
      columns: indices.map((i) => `#${i}`),
      rows: [
        { label: "target y", images: ys.map((y) => ({ png: png(y) })) },
        ...stages.map((s, j) => ({
          label: `${STAGE_NAMES[s] ?? s}: ${synthetic ? "‖x̂ − x*‖" : "per-pixel error"}`,
          images: final.forward(results[j].map((r) => r.xHat)).map((image, k) => ({ png: png(image), caption: figure(results[j][k], synthetic) })),
        })),
      ],
      caption: `${caption}: the target y, then G_θT(x̂) of each method${synthetic ? " (✓: ‖x̂ − x*‖ < 0.01)" : ""}.`,
    };
  } finally {
    final.free();
  }
}

function xStarOf(r: TrialResult): number[] {
  if (!r.xStar) throw new InputError(`trial ${r.index}: a synthetic target without x* in the results`);
  return r.xStar;
}

function figure(r: TrialResult, synthetic: boolean): string {
  return synthetic ? `${tickLabel(r.distToXStar ?? NaN)}${r.success ? " ✓" : ""}` : tickLabel(r.pixelError);
}
