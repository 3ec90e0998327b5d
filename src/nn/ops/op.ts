/** What every compiled step of a Program (../program.ts) provides, and the context it is compiled in. */
import type { DType, Kernels } from "../../kernels/index.js";
import type { Network } from "../network.js";
import type { Shape } from "../spec.js";

export type Mode = "eval" | "train";

export interface Context {
  readonly net: Network;
  readonly K: Kernels;
  readonly dtype: DType;
  /** Bytes per element. */
  readonly S: number;
  /** Rows (samples) the program's buffers hold. */
  readonly batch: number;
  readonly mode: Mode;
}

export interface Op {
  /** Layers of the network this step computes (for messages). */
  readonly layers: readonly number[];
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** Recompute what the step derives from the parameters (folded or packed weights). */
  refresh(): void;
  /** y ← step(x) for the first `rows` samples (x and y are rows × size, row-major, in the heap). */
  forward(rows: number, x: number, y: number): void;
  /**
   * Given gy = ∂L/∂y (overwritten), write gx = ∂L/∂x when gx ≠ 0 and, when `params`, add the
   * parameters' gradients into their grad buffers. Needs the x and y of the last forward.
   */
  backward(rows: number, x: number, y: number, gy: number, gx: number, params: boolean): void;
  /**
   * Piecewise-linear steps, for Program.mixedBackward: given gy, the step's cotangent before its
   * activation as the last backward left it, and tIn, a tangent at its input, add gy ⊗ tIn — that is
   * ∂⟨gy, W∗tIn⟩/∂W — into the weight's gradient (steps with a weight), and write tOut ← D·tIn when
   * tOut ≠ 0, D the step's Jacobian at the last forward (its linear part, no bias, times the
   * activation's slopes by the recorded mask). Absent where the step is not piecewise linear.
   */
  tangent?(rows: number, tIn: number, tOut: number, gy: number): void;
  free(): void;
}
