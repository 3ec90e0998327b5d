/**
 * The main job (`npm start` = `surf demo`): train a small DCGAN on Fashion-MNIST (k = 5, a quarter of
 * InfoGAN's widths, θ_t every 8 steps, T = 100), then invert 36 generated targets by regular Adam, by surfing
 * and by the best of 2 restarts at surfing's step count, print the table and write the report. Everything
 * is stored as it finishes, so running it again resumes (or just re-prints, when done).
 */
import { join } from "node:path";
import type { FashionMnist } from "../data/fashion-mnist.js";
import { loadFashionMnist } from "../data/fashion-mnist.js";
import { renderPage } from "../report/html.js";
import { writeFileSync, mkdirSync } from "node:fs";
import { makeConfig } from "../train/config.js";
import { runCell, type Cell } from "./cell.js";
import { ResultStore } from "../store.js";
import { ensureTrained, type CellPlan } from "./sweeps.js";
import { distanceFigures, outcomes, table1 } from "./report.js";
import { RESULTS_FILE } from "./reproduce.js";

export const DEMO = { model: "gan", latent: 5, width: 0.25, steps: 800, every: 8, trials: 36, maxSteps: 4000 } as const;

export async function demo(out: string, seed: string, workers: number, version: string,
                           onProgress: (label: string, fraction: number) => void): Promise<{ report: string; table: string[][] }> {
  let data: FashionMnist | undefined;
  const load = () => (data ??= loadFashionMnist({ log: (m) => onProgress(m, 0) }));
  const training = makeConfig({ model: DEMO.model, arch: "dcgan", latent: DEMO.latent, width: DEMO.width, steps: DEMO.steps, every: DEMO.every, seed: `${seed}/demo` });
  const dir = join(out, "checkpoints");
  const cell: Cell = { id: "demo/gan/k5", source: { kind: "path", path: dir }, measurement: { kind: "identity" }, targets: { kind: "synthetic" }, stages: ["regular", "surf", "restarts-2"] };
  const plan: CellPlan = { cell, training, dir, trials: DEMO.trials };
  ensureTrained(plan, load, (step, total) => onProgress(`training DCGAN (k = ${DEMO.latent}), step ${step}/${total}`, 0.4 * step / total));
  const store = new ResultStore(join(out, RESULTS_FILE));
  await runCell(cell, store, { trials: DEMO.trials, seed, workers, batch: DEMO.trials, maxSteps: DEMO.maxSteps, chunk: DEMO.trials },
    (stage, f) => onProgress(`inverting ${DEMO.trials} targets: ${stage}`, 0.4 + 0.6 * ((cell.stages.indexOf(stage) + f) / cell.stages.length)));
  const cells = outcomes([plan], store);
  const t = table1(cells);
  mkdirSync(out, { recursive: true });
  const report = join(out, "report.html");
  writeFileSync(report, renderPage({
    title: "surfing: demo",
    subtitle: [`seed ${seed}`, `surfing ${version}`],
    sections: [
      { heading: "What ran", paragraphs: [`A DCGAN generator (InfoGAN's architecture at width ${DEMO.width}, latent k = ${DEMO.latent}) trained on Fashion-MNIST for ${DEMO.steps} steps, θ_t saved every ${DEMO.every} (T = ${DEMO.steps / DEMO.every}); ${DEMO.trials} targets y = G_θT(x*) with x* and x_init uniform on [−1, 1]^k, inverted by regular Adam on θ_T, by surfing over θ_0..θ_T, and by the best of two Adam runs sharing surfing's steps.`] },
      { heading: "Results", tables: [t] },
      { heading: "Distance to the truth", figures: distanceFigures(cells, ["gan"]) },
    ],
  }));
  return { report, table: [t.columns.slice(0, 5).map(String), ...t.rows.map((r) => r.slice(0, 5).map(String))] };
}
