/**
 * The region of an activation pattern (Song, Fan & Lafferty 2019, Section 3: a linear piece of G): its H-representation
 * {z : C z ≤ d} — one inequality per neuron, signed by the pattern, plus the box [−L, L]^k when asked —
 * and the affine map G(z) = J z + c that G equals on it.
 *
 * Constraint ids, shared with the polytopes of the subdivision: 0 … 2k−1 are the box facets (2l is
 * z_l ≥ −L, 2l + 1 is z_l ≤ L) and 2k + j is neuron j (pattern order).
 */
import { InputError } from "../errors.js";
import { bends, checkBox, checkPoint, neuronCount, outputDim, type AffineLayer, type PiecewiseLinearNet } from "./affine.js";
import { evaluate } from "./pattern.js";

/** A polyhedron {z ∈ R^dim : C z ≤ d}; C is rows × dim row-major. */
export interface Polyhedron {
  readonly dim: number;
  readonly rows: number;
  readonly C: Float64Array;
  readonly d: Float64Array;
}

export interface Region extends Polyhedron {
  readonly pattern: Uint8Array;
  /** The constraint id of each row (see the file comment). */
  readonly ids: Int32Array;
  /** Output dimension n of G. */
  readonly n: number;
  /** G(z) = J z + c on the region; J is n × k row-major. */
  readonly J: Float64Array;
  readonly c: Float64Array;
}

/** The pre-activations W·(J z + c) + b of `layer` as affine functions A z + β of z (A is outDim × k). */
export function layerPreimage(layer: AffineLayer, J: Float64Array, c: Float64Array, k: number): { A: Float64Array; beta: Float64Array } {
  const { inDim, outDim, W, b } = layer;
  const A = new Float64Array(outDim * k), beta = new Float64Array(outDim);
  // Inputs that are identically 0 on the region (inactive ReLUs: about half) contribute nothing.
  const live = new Int32Array(inDim);
  let n = 0;
  for (let q = 0; q < inDim; q++) {
    let zero = c[q] === 0;
    for (let l = 0; l < k && zero; l++) zero = J[q * k + l] === 0;
    if (!zero) live[n++] = q;
  }
  for (let r = 0; r < outDim; r++) {
    let s = b[r];
    for (let i = 0; i < n; i++) {
      const q = live[i], w = W[r * inDim + q];
      if (w === 0) continue;
      s += w * c[q];
      for (let l = 0; l < k; l++) A[r * k + l] += w * J[q * k + l];
    }
    beta[r] = s;
  }
  return { A, beta };
}

/** Apply the layer's activation for a fixed pattern (rows of inactive neurons scaled by the slope), in place. */
export function applyPattern(layer: AffineLayer, A: Float64Array, beta: Float64Array, k: number, pattern: Uint8Array, at: number): void {
  if (!bends(layer)) return;
  for (let r = 0; r < layer.outDim; r++) {
    if (pattern[at + r]) continue;
    beta[r] *= layer.slope;
    for (let l = 0; l < k; l++) A[r * k + l] *= layer.slope;
  }
}

export interface RegionOptions {
  /** Add the box [−L, L]^k. */
  readonly box?: number;
  /** Keep only the rows of these constraint ids (in this order); default: every neuron, then the box. */
  readonly ids?: Int32Array;
}

/**
 * The region of `pattern` (closed: ties on either side are included).
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const region = geometry.regionOfPattern(net, Uint8Array.of(1, 1, 1, 1, 1, 1));   // every neuron on
 * region.J.length;   // → 8
 */
export function regionOfPattern(net: PiecewiseLinearNet, pattern: Uint8Array, options: RegionOptions = {}): Region {
  const k = net.k, N = neuronCount(net);
  if (!(pattern instanceof Uint8Array) || pattern.length !== N || pattern.some((v) => v > 1)) {
    throw new InputError(`pattern must be a Uint8Array of ${N} zeros and ones`);
  }
  const box = options.box === undefined ? undefined : checkBox(options.box);
  const ids = options.ids ?? defaultIds(k, N, box !== undefined);
  const rowOf = new Int32Array(2 * k + N).fill(-1);
  ids.forEach((id, i) => {
    if (id < 0 || id >= 2 * k + N || (id < 2 * k && box === undefined)) throw new RangeError(`regionOfPattern: constraint id ${id} out of range`);
    rowOf[id] = i;
  });
  const rows = ids.length;
  const C = new Float64Array(rows * k), d = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    if (ids[i] >= 2 * k) continue;
    const l = ids[i] >> 1, upper = ids[i] & 1;
    C[i * k + l] = upper ? 1 : -1;
    d[i] = box!;
  }
  // Walk the layers carrying G's affine map on the region: x_i = J_i z + c_i (Song, Fan & Lafferty 2019, Section 5: W_{i,x}, b_{i,x}).
  let J: Float64Array = new Float64Array(k * k), c: Float64Array = new Float64Array(k);
  for (let l = 0; l < k; l++) J[l * k + l] = 1;
  let at = 0;
  for (const layer of net.layers) {
    const { A, beta } = layerPreimage(layer, J, c, k);
    if (bends(layer)) {
      for (let r = 0; r < layer.outDim; r++) {
        const i = rowOf[2 * k + at + r];
        if (i < 0) continue;
        // active: −(a·z + β) ≤ 0; inactive: a·z + β ≤ 0.
        const s = pattern[at + r] ? -1 : 1;
        for (let l = 0; l < k; l++) C[i * k + l] = s * A[r * k + l];
        d[i] = -s * beta[r];
      }
      applyPattern(layer, A, beta, k, pattern, at);
      at += layer.outDim;
    }
    J = A;
    c = beta;
  }
  return { dim: k, rows, C, d, ids, pattern, n: outputDim(net), J, c };
}

/**
 * The region of x's activation pattern (tie rule in pattern.ts).
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * // {z : C z ≤ d}: a row for each of the 6 neurons and 4 for the box [−1, 1]²
 * const region = geometry.regionOf(net, [0.5, -0.25], { box: 1 });
 * region.rows;   // → 10
 */
export function regionOf(net: PiecewiseLinearNet, x: ArrayLike<number>, options: RegionOptions = {}): Region {
  return regionOfPattern(net, evaluate(net, checkPoint(x, net.k, "x")).pattern, options);
}

function defaultIds(k: number, N: number, box: boolean): Int32Array {
  const ids = new Int32Array(N + (box ? 2 * k : 0));
  for (let j = 0; j < N; j++) ids[j] = 2 * k + j;
  if (box) for (let b = 0; b < 2 * k; b++) ids[N + b] = b;
  return ids;
}
