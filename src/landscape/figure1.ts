/**
 * Song, Fan & Lafferty 2019, Figure 1: for a generator with latent dimension k = 2 and two targets y, the surfaces
 * x ↦ −½‖G_θt(x) − y‖² at three stages of training (random, partly trained, fully trained) as heat maps on
 * [−4, 4]², with — our additions — the linear-region boundaries of G_θt (src/geometry) and the surfing path
 * x_0, x_1, …, x_t of Algorithm 3.1 drawn on top.
 *
 * The surfing path: x_{−1} ~ U[−1, 1]² (Song, Fan & Lafferty 2019's x_init), then x_t the end of Adam run to convergence on
 * f_θt from x_{t−1} — Algorithm 3.1 as written, src/surf's "converge" schedule — one network at a time through
 * src/surf's `run`, so that every x_t is kept.
 */
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import type { OptimizerOptions } from "../optim/optimizer.js";
import { Rng, type Seed } from "../random/rng.js";
import { run, type NetworkSequence } from "../surf/surf.js";
import type { ResultStore } from "../store.js";
import { checkGrid, gridAxis, surfaceValues, type Grid } from "./surface.js";
import type { Form } from "../form.js";

/**
 * The surfing path's descent: Adam with src/surf's step size 0.01, each network to convergence but at most 300
 * steps. Adam rarely meets src/surf's convergence test on a trained f (its minima sit on kinks, where Adam keeps
 * circling within about lr), so the cap decides; 300 steps moves x by up to 3 on each network, and over
 * T = 100 networks the 30,000 steps exceed what the paper's budget gives surfing (Song, Fan & Lafferty (NeurIPS 2019), Section 4).
 */
export const SURFING_DEFAULTS: SurfingOptions = { optimizer: { kind: "adam", lr: 0.01 }, maxSteps: 300 };

export interface SurfingOptions {
  optimizer: OptimizerOptions;
  /** Cap on the steps of each network's descent. */
  maxSteps: number;
}

/** One point of a surfing path: x_t, f_θt(x_t) and the steps Adam took on θ_t. */
export interface PathPoint {
  x: number[];
  f: number;
  steps: number;
}

export interface SurfingPath {
  xInit: number[];
  /** x_0 … x_T. */
  points: PathPoint[];
}

/** x_init of target j's path: uniform on [−1, 1]^k from its own stream. */
export function pathStart(seed: Seed, j: number, k: number): number[] {
  const rng = Rng.derive(seed, "surf-start", j);
  return Array.from({ length: k }, () => rng.uniformIn(-1, 1));
}

/** Surf θ_0 … θ_T for target y from x_init, keeping every x_t (Algorithm 3.1 with each network to convergence). */
export function surfingPath(sequence: NetworkSequence, y: ArrayLike<number>, xInit: readonly number[], options: SurfingOptions & { seed: Seed }): SurfingPath {
  const points: PathPoint[] = [];
  let x = [...xInit];
  for (let t = 0; t < sequence.length; t++) {
    const [result] = run({ length: 1, load: () => sequence.load(t) }, { kind: "surf", schedule: { kind: "converge" } }, [0], {
      seed: options.seed,
      targets: { kind: "signal", y: [Array.from(y)] },
      measurement: { kind: "identity" },
      optimizer: options.optimizer,
      maxSteps: options.maxSteps,
      start: [x],
      batch: 1,
    });
    if (result.diverged) throw new InputError(`surfing path: the descent on checkpoint ${t} diverged (lower the learning rate)`);
    x = result.xHat;
    points.push({ x, f: result.f, steps: result.steps });
  }
  return { xInit: [...xInit], points };
}

export interface Figure1Target {
  label: string;
  y: Float64Array;
}

export interface Figure1Options {
  /** θ_0 … θ_T, loaded in float64, k = 2. */
  sequence: NetworkSequence;
  /** θ_t's training steps. */
  steps: readonly number[];
  targets: readonly Figure1Target[];
  /** The checkpoints shown (indices t; Song, Fan & Lafferty 2019 shows three). */
  stages: readonly number[];
  grid: Grid;
  seed: Seed;
  surfing: SurfingOptions;
  /** The linear regions of θ_t inside the grid's square, as polygons (k = 2); omitted when not given. */
  regions?: (net: Network, box: { lo: number; hi: number }) => RegionOverlay;
  journal?: ResultStore;
  onProgress?: (done: number, total: number) => void;
}

/** The linear regions of G_θt in the plotted square: their number and their polygons (x1, x2 vertex lists). */
export interface RegionOverlay {
  /** null when they were not enumerated (`skipped` says why). */
  count: number | null;
  polygons: number[][][];
  skipped?: string;
}

export interface Figure1Panel {
  target: number;
  t: number;
  step: number;
  /** −f_θt on the grid, gridPoints' order (row r: x2 = axis[r]; column c: x1 = axis[c]). */
  surface: number[];
  /** The grid point of the highest surface value (least f), and that value. */
  peak: { x: number[]; value: number };
}

export interface Figure1 {
  grid: Grid;
  stages: { t: number; step: number; regions: RegionOverlay | null }[];
  targets: { label: string }[];
  /** One per target and stage, target-major. */
  panels: Figure1Panel[];
  /** One surfing path per target, over every checkpoint. */
  paths: SurfingPath[];
}

/** The forms of the journal's records (src/form.ts): a surfing path, a stage's regions, a panel. */
const PATH_FORM: Form = { xInit: ["number"], points: [{ x: ["number"], f: "number", steps: "number" }] };
const REGIONS_FORM: Form = { count: "number?", polygons: [[["number"]]] };
const PANEL_FORM: Form = { target: "number", t: "number", step: "number", surface: ["number"], peak: { x: ["number"], value: "number" } };

export function figure1(options: Figure1Options): Figure1 {
  const { sequence, steps, targets, stages, seed } = options;
  const grid = checkGrid(options.grid);
  const T = sequence.length - 1;
  if (steps.length !== sequence.length) throw new InputError(`figure 1: ${steps.length} steps for ${sequence.length} checkpoints`);
  if (targets.length === 0) throw new InputError("figure 1: no targets");
  if (stages.length === 0 || !stages.every((t) => Number.isSafeInteger(t) && t >= 0 && t <= T)) throw new InputError(`figure 1: stages must be checkpoint indices in 0…${T}, got ${stages.join(", ")}`);
  const total = targets.length * (stages.length + 1) + (options.regions ? stages.length : 0);
  let done = 0;
  const step = <T>(key: string, compute: () => T, form: Form): T => {
    const value = options.journal ? options.journal.getOrCompute(key, compute, form) : compute();
    options.onProgress?.(++done, total);
    return value;
  };
  const paths = targets.map((target, j) => step(`path/${j}`, () => {
    const k = withNetwork(sequence, 0, (net) => net.inputSize);
    return surfingPath(sequence, target.y, pathStart(seed, j, k), { ...options.surfing, seed });
  }, PATH_FORM));
  const stageInfo = stages.map((t) => ({
    t,
    step: steps[t],
    regions: options.regions ? step(`regions/${t}`, () => withNetwork(sequence, t, (net) => options.regions!(net, grid)), REGIONS_FORM) : null,
  }));
  const panels: Figure1Panel[] = [];
  targets.forEach((target, j) => {
    for (const t of stages) {
      panels.push(step(`surface/${j}/${t}`, () => withNetwork(sequence, t, (net) => {
        const surface = surfaceValues(net, target.y, grid);
        let best = 0;
        for (let i = 1; i < surface.length; i++) if (surface[i] > surface[best]) best = i;
        const axis = gridAxis(grid);
        return { target: j, t, step: steps[t], surface: Array.from(surface), peak: { x: [axis[best % grid.size], axis[Math.floor(best / grid.size)]], value: surface[best] } };
      }), PANEL_FORM));
    }
  });
  return { grid, stages: stageInfo, targets: targets.map((t) => ({ label: t.label })), panels, paths };
}

function withNetwork<R>(sequence: NetworkSequence, t: number, use: (net: Network) => R): R {
  const net = sequence.load(t);
  try {
    return use(net);
  } finally {
    net.free();
  }
}
