/**
 * The main job (`npm start` = `surf demo`): train a small DCGAN on Fashion-MNIST (k = 5, a quarter of
 * InfoGAN's widths, θ_t every 8 steps, T = 100), then invert 36 generated targets by regular Adam, by surfing
 * and by regular Adam stopped at surfing's step count and the best of 2 restarts sharing it, print the table and write the report — with sample
 * reconstructions, and the interactive panel over a k = 2 generator trained for it in seconds (src/panel).
 * Everything is stored as it finishes, so running it again resumes (or just re-prints, when done).
 */
import { join } from "node:path";
import type { FashionMnist } from "../data/fashion-mnist.js";
import { loadFashionMnist } from "../data/fashion-mnist.js";
import { renderPage } from "../report/html.js";
import { writeFileSync, mkdirSync } from "node:fs";
import { makeConfig, type ArchKind } from "../train/config.js";
import type { ModelKind } from "../train/hyperparameters.js";
import { panelSection, panelTraining } from "../panel/embed.js";
import { runCell, type Cell } from "./cell.js";
import { ResultStore } from "../store.js";
import { ensureTrained } from "./sweeps.js";
import { distanceFigures, outcomes, table1 } from "./report.js";
import { sampleImages } from "./samples.js";
import { RESULTS_FILE } from "./reproduce.js";

export interface DemoScale {
  model: ModelKind;
  arch: ArchKind;
  latent: number;
  /** dcgan: the width multiplier; mlp: the hidden widths. */
  width: number;
  hidden?: number[];
  steps: number;
  every: number;
  trials: number;
  maxSteps: number;
  /** Trials shown as sample images. */
  samples: number;
  /** The panel generator's training steps and checkpoint spacing (panelTraining's by default). */
  panel?: { steps: number; every: number };
}

export const DEMO: DemoScale = { model: "gan", arch: "dcgan", latent: 5, width: 0.25, steps: 800, every: 8, trials: 36, maxSteps: 4000, samples: 12 };

export async function demo(out: string, seed: string, workers: number, version: string,
                           onProgress: (label: string, fraction: number) => void, scale: DemoScale = DEMO): Promise<{ report: string; table: string[][] }> {
  let data: FashionMnist | undefined;
  const load = () => (data ??= loadFashionMnist({ log: (m) => onProgress(m, 0) }));
  const training = makeConfig({ model: scale.model, arch: scale.arch, latent: scale.latent, width: scale.width, hidden: scale.hidden, steps: scale.steps, every: scale.every, seed: `${seed}/demo` });
  const dir = join(out, "checkpoints"), panelDir = join(out, "panel-checkpoints");
  const cell: Cell = { id: `demo/${scale.model}/k${scale.latent}`, source: { kind: "path", path: dir }, measurement: { kind: "identity" }, targets: { kind: "synthetic" }, stages: ["regular", "surf", "restarts-1", "restarts-2"] };
  ensureTrained({ training, dir }, load, (step, total) => onProgress(`training the generator (k = ${scale.latent}), step ${step}/${total}`, 0.4 * step / total));
  const panel = panelTraining(seed, scale.panel);
  ensureTrained({ training: panel, dir: panelDir }, load, (step, total) => onProgress(`training the panel's k = 2 generator, step ${step}/${total}`, 0.4 + 0.05 * step / total));
  const store = new ResultStore(join(out, RESULTS_FILE));
  await runCell(cell, store, { trials: scale.trials, seed, workers, batch: scale.trials, maxSteps: scale.maxSteps, chunk: scale.trials },
    (stage, f) => onProgress(`inverting ${scale.trials} targets: ${stage}`, 0.45 + 0.55 * f));
  const cells = outcomes([{ cell, training, dir, trials: scale.trials }], store);
  const t = table1(cells);
  const samples = sampleImages(cell, store, scale.trials, scale.samples, `The first ${scale.samples} targets`);
  const generator = scale.arch === "dcgan" ? `A DCGAN generator (InfoGAN's architecture at width ${scale.width}` : `An MLP generator (k → ${scale.hidden?.join(" → ")} → 784`;
  mkdirSync(out, { recursive: true });
  const report = join(out, "report.html");
  writeFileSync(report, renderPage({
    title: "surfing: demo",
    subtitle: [`seed ${seed}`, `surfing ${version}`],
    sections: [
      { heading: "What ran", paragraphs: [`${generator}, latent k = ${scale.latent}) trained on Fashion-MNIST for ${scale.steps} steps, θ_t saved every ${scale.every} (T = ${scale.steps / scale.every}); ${scale.trials} targets y = G_θT(x*) with x* and x_init uniform on [−1, 1]^k, inverted by regular Adam on θ_T, by surfing over θ_0..θ_T, and, at surfing's step count on each target, by regular Adam stopped there and by the best of two Adam runs sharing it.`] },
      { heading: "Results", tables: [t] },
      { heading: "Sample reconstructions", images: samples ? [samples] : [] },
      { heading: "Distance to the truth", figures: distanceFigures(cells, [scale.model]) },
      panelSection(panelDir, seed, `a VAE decoder (an MLP 2 → ${panel.hidden.join(" → ")} → 784) trained on Fashion-MNIST for ${panel.steps} steps, θ_t every ${panel.every} — trained by this demo for the panel, in seconds`),
    ],
  }));
  return { report, table: [t.columns.slice(0, 5).map(String), ...t.rows.map((r) => r.slice(0, 5).map(String))] };
}
