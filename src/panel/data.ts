/**
 * What the report's interactive panel reads from its page (written by ./embed.ts in Node, read by ./app.ts
 * in the browser): a k = 2 checkpoint sequence and the settings of the runs it shows.
 */
export interface PanelData {
  /** θ_0 … θ_T: .safetensors files (float16 values), base64. */
  networks: string[];
  /** The training step of each. */
  steps: number[];
  /** The square [−box, box]² drawn and clicked. */
  box: number;
  /** Points per side of the heat maps' grid. */
  grid: number;
  /** Cap on a descent run to convergence: regular Adam's, and surfing's on θ_T. */
  maxSteps: number;
  /** Surfing's steps on θ_0 … θ_{T−1} (the NeurIPS schedule's total), and how it was found. */
  budget: { total: number; trials: number; capped: number };
  /** The run seed; click n draws x_init from `${seed}/click/${n}`. */
  seed: string;
  /** x* of the landscape shown before the first click. */
  initial: [number, number];
}

/** Whether `d` has PanelData's shape (the page is ours, but a hand-edited report should fail clearly). */
export function isPanelData(d: unknown): d is PanelData {
  const o = d as Partial<PanelData> | null;
  const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
  return typeof o === "object" && o !== null && Array.isArray(o.networks) && o.networks.length >= 1 && o.networks.every((s) => typeof s === "string") &&
    Array.isArray(o.steps) && o.steps.length === o.networks.length && positive(o.box) && Number.isSafeInteger(o.grid) && o.grid! >= 2 &&
    Number.isSafeInteger(o.maxSteps) && o.maxSteps! >= 1 && typeof o.seed === "string" &&
    typeof o.budget === "object" && o.budget !== null && Number.isSafeInteger(o.budget.total) && o.budget.total >= 0 &&
    Array.isArray(o.initial) && o.initial.length === 2 && o.initial.every(Number.isFinite);
}
