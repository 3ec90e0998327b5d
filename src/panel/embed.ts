/**
 * The report's interactive panel, on the Node side: a k = 2 checkpoint sequence packed into the page — at most
 * MAX_NETWORKS checkpoints, evenly spaced from θ_0 to θ_T, stored in float16, at most MAX_BYTES in all — with
 * the script that runs it in the reader's browser (./app.ts, bundled at build time into ./script.generated.ts
 * by scripts/bundle.mjs). Any k = 2 sequence will do; the demo trains its own (PANEL_TRAINING: a small
 * VAE decoder, a few seconds), because the paper's generators (k ≥ 5, hundreds of KB a checkpoint) fit neither
 * the plane nor the page.
 */
import { InputError } from "../errors.js";
import { networkToSafetensors } from "../nn/checkpoint.js";
import { CheckpointSequence } from "../nn/files.js";
import type { App, Section } from "../report/html.js";
import { Rng } from "../random/rng.js";
import { neuripsTotal } from "../surf/schedule.js";
import { openSequence } from "../surf/sequence.js";
import { run } from "../surf/surf.js";
import { makeConfig, type TrainConfig } from "../train/config.js";
import type { PanelData } from "./data.js";
import { PANEL_SCRIPT } from "./script.generated.js";

/**
 * The demo's panel generator: Song, Fan & Lafferty 2019's Figure 1 is a k = 2 VAE; ours is an MLP decoder 2 → 8 → 16 → 784,
 * 1,000 steps with θ_t every 100 (T = 10, 11 checkpoints of 27 KB in float16, a few seconds to train). Narrow
 * so that the page stays small; trained enough that its landscape has basins where regular Adam stops short.
 */
export function panelTraining(seed: string, schedule: { steps: number; every: number } = { steps: 1000, every: 100 }): TrainConfig {
  return makeConfig({ model: "vae", arch: "mlp", latent: 2, hidden: [8, 16], ...schedule, seed: `${seed}/panel` });
}

/** Checkpoints embedded at most (θ_0 and θ_T always among them). */
export const MAX_NETWORKS = 11;
/** Bytes of networks embedded at most (base64 in the page adds a third). */
export const MAX_BYTES = 1 << 20;
/** Regular Adam runs whose 75th percentile of steps is surfing's budget (Table 1's protocol, on fewer trials). */
export const BUDGET_TRIALS = 64;

export interface PanelOptions {
  /** Half-width L of the square [−L, L]² (default 3: the VAE prior N(0, I) puts 99.7 % of each coordinate there). */
  box?: number;
  /** Grid points per side of the heat maps (default 64). */
  grid?: number;
  /** Cap on a descent run to convergence (default 3000 steps: Adam at lr 0.01 crosses the square in about 850). */
  maxSteps?: number;
}

/** The panel over the k = 2 checkpoint sequence in `dir`. */
export function panelApp(dir: string, seed: string, options: PanelOptions = {}): App {
  const sequence = CheckpointSequence.open(dir);
  const k = sequence.spec.input.reduce((a, b) => a * b, 1);
  if (k !== 2) throw new InputError(`${dir}: the panel draws the latent plane and needs k = 2; this generator has k = ${k}`);
  const T = sequence.length - 1;
  const count = Math.min(MAX_NETWORKS, T + 1);
  const picked = count === 1 ? [T] : Array.from({ length: count }, (_, i) => Math.round((i * T) / (count - 1)));
  const files = picked.map((t) => {
    const net = sequence.load(t);
    try {
      return networkToSafetensors(net, sequence.entries[t].step, "F16");
    } finally {
      net.free();
    }
  });
  const bytes = files.reduce((a, f) => a + f.length, 0);
  if (bytes > MAX_BYTES) throw new InputError(`${dir}: ${picked.length} checkpoints take ${bytes} bytes in float16, over the panel's ${MAX_BYTES}: use a narrower generator`);
  const box = options.box ?? 3, maxSteps = options.maxSteps ?? 3000, uniform = (...path: (string | number)[]) => {
    const rng = Rng.derive(seed, "panel", ...path);
    return [rng.uniformIn(-box, box), rng.uniformIn(-box, box)] as [number, number];
  };
  // Surfing's budget as in Table 1: regular Adam's 75th percentile of steps, over random targets in the square,
  // on the networks as the page has them (float16).
  const regular = run(openSequence({ kind: "bytes", files }), { kind: "regular" }, Array.from({ length: BUDGET_TRIALS }, (_, i) => i), {
    seed: `${seed}/panel/budget`, targets: { kind: "latent", xStar: Array.from({ length: BUDGET_TRIALS }, (_, i) => uniform("budget", i)) },
    measurement: { kind: "identity" }, optimizer: { kind: "adam" }, maxSteps, start: "uniform", batch: BUDGET_TRIALS,
  });
  const data: PanelData = {
    networks: files.map((f) => Buffer.from(f).toString("base64")),
    steps: picked.map((t) => sequence.entries[t].step),
    box, grid: options.grid ?? 64, maxSteps, seed: `${seed}/panel`,
    budget: { ...neuripsTotal(regular), trials: BUDGET_TRIALS },
    initial: uniform("initial"),
  };
  return {
    markup: '<div data-surf-panel class="surf-panel"><p>This panel runs the surfing library in your browser: it needs JavaScript and WebAssembly.</p></div>',
    data,
    script: PANEL_SCRIPT,
  };
}

/** The panel with a heading and paragraphs saying what it shows; `about` says what the generator is. */
export function panelSection(dir: string, seed: string, about: string, options: PanelOptions = {}): Section {
  const app = panelApp(dir, seed, options), data = app.data as PanelData;
  const kb = Math.round(data.networks.reduce((a, s) => a + s.length, 0) / 1024);
  return {
    heading: "Try it: surfing in your browser",
    paragraphs: [
      `Click a point x* in either square: the target is y = G_θT(x*). This page then runs the library itself — its WebAssembly SIMD build, embedded in the page, no server — to invert y from one x_init ~ U[−1, 1]²: surfing (Algorithm 3.1) over the ${data.networks.length} networks θ_0 … θ_T (left, drawn on the landscape of the network it is on), and regular Adam on θ_T alone (right). Surfing spends ${data.budget.total} steps on θ_0 … θ_{T−1} (the NeurIPS schedule: the 75th percentile of regular Adam's steps over ${data.budget.trials} random targets in the square${data.budget.capped > 0 ? `, ${data.budget.capped} of which hit the cap` : ""}); both run on θ_T to convergence, at most ${data.maxSteps} steps.`,
      `Heat maps: f(x) = ½‖G(x) − y‖² on [−${data.box}, ${data.box}]², coloured by its rank among the grid's points (bright: low f), so that basins show at every scale. The generator: ${about}; the checkpoints at training steps ${data.steps.join(", ")}, stored in float16 (${kb} KB of base64).`,
    ],
    app,
  };
}
