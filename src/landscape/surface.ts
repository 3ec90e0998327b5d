/**
 * The surface x ↦ −f_θ(x) = −½‖G_θ(x) − y‖² of a k = 2 generator on a square grid: the heat maps of Song, Fan & Lafferty 2019's
 * Figure 1, whose axes run over [−4, 4]². Drawn negated as in the paper, so minimizers of f are peaks.
 */
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import { LatentLoss } from "./latent.js";

/** The square [lo, hi]² sampled at size × size points, corners included. */
export interface Grid {
  readonly lo: number;
  readonly hi: number;
  readonly size: number;
}

/** Song, Fan & Lafferty 2019, Figure 1: x1 and x2 over [−4, 4]. */
export const FIGURE1_BOX = 4;

export function checkGrid(grid: Grid): Grid {
  if (!(Number.isFinite(grid.lo) && Number.isFinite(grid.hi) && grid.lo < grid.hi)) throw new InputError(`grid: need lo < hi, got [${grid.lo}, ${grid.hi}]`);
  if (!(Number.isSafeInteger(grid.size) && grid.size >= 2)) throw new InputError(`grid: size must be an integer ≥ 2, got ${grid.size}`);
  return grid;
}

/** The grid's coordinates along one axis, lo … hi. */
export function gridAxis(grid: Grid): Float64Array {
  const { lo, hi, size } = checkGrid(grid);
  return Float64Array.from({ length: size }, (_, i) => (i === size - 1 ? hi : lo + ((hi - lo) * i) / (size - 1)));
}

/** The grid's points, size² × 2: point r·size + c is (x1, x2) = (axis[c], axis[r]) — rows run along x2 from the bottom. */
export function gridPoints(grid: Grid): Float64Array {
  const axis = gridAxis(grid), n = grid.size, out = new Float64Array(n * n * 2);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      out[2 * (r * n + c)] = axis[c];
      out[2 * (r * n + c) + 1] = axis[r];
    }
  }
  return out;
}

/** −½‖G_θ(x) − y‖² at every grid point, in gridPoints' order (θ a float64 network with k = 2). */
export function surfaceValues(net: Network, y: ArrayLike<number>, grid: Grid): Float64Array {
  if (net.inputSize !== 2) throw new InputError(`surface: the heat maps need a latent dimension k = 2, the network has k = ${net.inputSize}`);
  const loss = new LatentLoss(net, y);
  try {
    const f = loss.values(gridPoints(grid), grid.size * grid.size);
    return f.map((v) => -v);
  } finally {
    loss.free();
  }
}
