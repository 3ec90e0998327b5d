/**
 * `surf invert --save-images DIR`: per trial, PNG images of the target y, of what the measurement observed
 * (where it is an image: the masked image for inpainting and subsampling, the low-resolution image blown up
 * for super-resolution, y itself for A = I), of the reconstruction G_θT(x̂) and of the error |G_θT(x̂) − y|;
 * and index.html, a self-contained page showing them side by side, trial by trial, with each trial's numbers.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { greyPng } from "../report/png.js";
import { measurementFor, type RunOptions, type TrialResult } from "../surf/surf.js";
import { observe } from "../objective/measurement.js";
import { openSequence, type SequenceSource } from "../surf/sequence.js";
import { InputError } from "../errors.js";
import { renderPage, type Image } from "../report/html.js";

/** Trials shown on index.html (every trial's PNGs are written; the page stays a size a browser opens at once). */
const PAGE_TRIALS = 100;

/** Write the images of every trial, and index.html showing them, into `dir`; returns the files written. */
export function saveImages(dir: string, source: SequenceSource, options: RunOptions, results: readonly TrialResult[]): string[] {
  const sequence = openSequence(source), final = sequence.load(sequence.length - 1);
  const A = measurementFor(final, options);
  try {
    const n = final.outputSize, side = Math.round(Math.sqrt(n)), shape = final.outputShape;
    const [channels, height, width] = shape.length === 3 ? shape : side * side === n ? [1, side, side] : [0, 0, 0];
    if (channels !== 1) throw new InputError(`--save-images: the generator's output [${shape}] is not a grey image`);
    const D = A.dense(), kind = options.measurement.kind;
    const targets = options.targets;
    const ys = results.map((r) => (targets.kind === "signal" ? targets.y[targets.y.length === 1 ? 0 : r.index] : r.xStar ? final.forward([r.xStar])[0] : undefined));
    const reconstructions = final.forward(results.map((r) => r.xHat));
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const put = (name: string, bytes: Uint8Array | string) => {
      const path = join(dir, name), tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
      written.push(path);
    };
    // the page's rows: what each trial's PNGs show, in the order a reader compares them
    const rows = { target: [] as Image[], observed: [] as Image[], reconstruction: [] as Image[], error: [] as Image[] };
    const write = (name: string, values: ArrayLike<number>, row?: Image[]) => {
      const png = greyPng(values, width, height);
      put(name, png);
      if (row && row.length < PAGE_TRIALS) row.push({ png });
    };
    results.forEach((r, j) => {
      const y = ys[j], stem = `trial-${String(r.index).padStart(4, "0")}`;
      write(`${stem}-reconstruction.png`, reconstructions[j], rows.reconstruction);
      if (!y) return;
      write(`${stem}-target.png`, y, rows.target);
      write(`${stem}-error.png`, Array.from(y, (v, i) => Math.abs(reconstructions[j][i] - v)), rows.error);
      // what A saw, as an image: AᵀA·y (+ noise) puts observed pixels back in place; super-resolution's
      // average over F × F blocks comes back divided by F², so scale it up again
      if (kind === "identity" || kind === "inpaint" || kind === "subsample" || kind === "superres") {
        const observed = observe(A, [y], options.noise ?? 0, `${options.seed}/trial/${r.index}/noise`)[0];
        const back = new Float64Array(n), scale = kind === "superres" ? options.measurement.factor ** 2 : 1;
        for (let i = 0; i < A.m; i++) for (let p = 0; p < n; p++) back[p] += D[i * n + p] * observed[i] * scale;
        write(`${stem}-observed.png`, back, rows.observed);
      }
    });
    const shown = results.slice(0, PAGE_TRIALS);
    const grid = [
      { label: "target y", images: rows.target },
      { label: "observed (A·y, put back in place)", images: rows.observed },
      { label: "reconstruction G_θT(x̂)", images: rows.reconstruction },
      { label: "error |G_θT(x̂) − y|", images: rows.error },
    ].filter((r) => r.images.length === shown.length);
    put("index.html", renderPage({
      title: "surf invert: the trials' images",
      subtitle: [`measurement ${kind}; ${results.length} trial${results.length === 1 ? "" : "s"}${results.length > PAGE_TRIALS ? `, the first ${PAGE_TRIALS} shown (every trial's PNGs are in this directory)` : ""}`],
      sections: [{
        heading: "Images",
        images: [{ rows: grid, columns: shown.map((r) => `trial ${r.index}`), caption: "Grey levels as the generator outputs them; the error is on the same scale (black: none)." }],
        tables: [{
          columns: ["trial", "success (‖x̂ − x*‖ < 0.01)", "‖x̂ − x*‖", "per-pixel RMS error", "f", "steps"],
          rows: shown.map((r) => [r.index, r.success, r.distToXStar === null ? null : Number(r.distToXStar.toPrecision(3)), Number(r.pixelError.toPrecision(3)), Number(r.f.toPrecision(3)), r.steps]),
        }],
      }],
    }));
    return written;
  } finally {
    A.free();
    final.free();
  }
}
