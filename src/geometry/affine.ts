/**
 * The plain float64 form of a piecewise-linear network that all of src/geometry works on (fromNetwork in
 * from-network.ts makes it from a library Network, folding batch norm and turning convolutions into
 * dense matrices), and the least-squares objective f(z) = ½‖A·G(z) − obs‖² (Song, Fan & Lafferty 2019, eq. of Theorem 3.3).
 */
import { InputError } from "../errors.js";

/** One layer z ↦ act(W z + b); W is outDim × inDim row-major, float64. */
export interface AffineLayer {
  readonly inDim: number;
  readonly outDim: number;
  readonly W: Float64Array;
  readonly b: Float64Array;
  /** "relu" (slope 0), "leaky" (t ↦ slope·t for t < 0) or "linear" (slope 1, no hyperplanes). */
  readonly act: "relu" | "leaky" | "linear";
  readonly slope: number;
}

/** G = layers[L−1] ∘ … ∘ layers[0] on R^k; every ReLU/LeakyReLU neuron contributes one hyperplane to the arrangement. */
export interface PiecewiseLinearNet {
  readonly k: number;
  readonly layers: readonly AffineLayer[];
}

/** f(z) = ½‖A·G(z) − obs‖²; A is m×n row-major (null means the identity, m = n); obs is in measurement space (A·y, or y when A is the identity). */
export interface LeastSquares {
  readonly A: Float64Array | null;
  readonly m: number;
  readonly obs: Float64Array;
}

/** True for the layers whose neurons bend G (one hyperplane each). */
export function bends(layer: AffineLayer): boolean {
  return layer.act !== "linear";
}

/**
 * Output dimension n of G.
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.outputDim(geometry.randomNet([2, 6, 5, 4], "surf", 0));   // → 4
 */
export function outputDim(net: PiecewiseLinearNet): number {
  return net.layers.length === 0 ? net.k : net.layers[net.layers.length - 1].outDim;
}

/**
 * Number of ReLU/LeakyReLU neurons N = number of hyperplanes; patterns have this length.
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.neuronCount(geometry.randomNet([2, 6, 5, 4], "surf", 0));   // → 11
 */
export function neuronCount(net: PiecewiseLinearNet): number {
  let N = 0;
  for (const layer of net.layers) if (bends(layer)) N += layer.outDim;
  return N;
}

/**
 * Check a network's shapes, values and activation codes; returns it unchanged. Throws InputError with
 * a one-line message naming `name`, the layer and the field.
 *
 * @example
 * import { geometry } from "surfing";
 * // |z| on R as two ReLU neurons and a linear output
 * const net = {
 *   k: 1,
 *   layers: [
 *     { inDim: 1, outDim: 2, W: Float64Array.of(1, -1), b: Float64Array.of(0, 0), act: "relu", slope: 0 },
 *     { inDim: 2, outDim: 1, W: Float64Array.of(1, 1), b: Float64Array.of(0), act: "linear", slope: 1 },
 *   ],
 * };
 * geometry.checkNet(net) === net;   // → true
 * geometry.evaluate(net, [-3]).output;   // → [3]
 */
export function checkNet(net: PiecewiseLinearNet, name = "net"): PiecewiseLinearNet {
  if (net === null || typeof net !== "object") throw new InputError(`${name}: expected a piecewise-linear network, got ${String(net)}`);
  if (!Number.isInteger(net.k) || net.k < 1) throw new InputError(`${name}.k must be a positive integer, got ${String(net.k)}`);
  if (!Array.isArray(net.layers) || net.layers.length === 0) throw new InputError(`${name}.layers must be a non-empty array`);
  let dim = net.k;
  net.layers.forEach((layer, i) => {
    const at = `${name}.layers[${i}]`;
    for (const f of ["inDim", "outDim"] as const) {
      if (!Number.isInteger(layer[f]) || layer[f] < 1) throw new InputError(`${at}.${f} must be a positive integer, got ${String(layer[f])}`);
    }
    if (layer.inDim !== dim) throw new InputError(`${at}.inDim = ${layer.inDim} does not match the previous output dimension ${dim}`);
    if (!(layer.W instanceof Float64Array) || layer.W.length !== layer.outDim * layer.inDim) {
      throw new InputError(`${at}.W must be a Float64Array of ${layer.outDim}×${layer.inDim} = ${layer.outDim * layer.inDim} values, got ${describe(layer.W)}`);
    }
    if (!(layer.b instanceof Float64Array) || layer.b.length !== layer.outDim) {
      throw new InputError(`${at}.b must be a Float64Array of ${layer.outDim} values, got ${describe(layer.b)}`);
    }
    for (const f of ["W", "b"] as const) {
      const bad = layer[f].findIndex((v: number) => !Number.isFinite(v));
      if (bad >= 0) throw new InputError(`${at}.${f}[${bad}] is not finite (${layer[f][bad]})`);
    }
    if (layer.act !== "relu" && layer.act !== "leaky" && layer.act !== "linear") {
      throw new InputError(`${at}.act must be "relu", "leaky" or "linear", got ${JSON.stringify(layer.act)}`);
    }
    if (!Number.isFinite(layer.slope)) throw new InputError(`${at}.slope must be finite, got ${String(layer.slope)}`);
    const slope = layer.act === "relu" ? 0 : layer.act === "linear" ? 1 : layer.slope;
    if (layer.slope !== slope) throw new InputError(`${at}.slope must be ${slope} for act "${layer.act}", got ${layer.slope}`);
    dim = layer.outDim;
  });
  return net;
}

/**
 * Check an objective against the network it measures; returns it unchanged. Throws InputError naming `name`.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const ls = { A: null, m: 4, obs: new Float64Array(4) };   // A = I: obs has G's 4 outputs
 * geometry.checkLeastSquares(ls, net) === ls;   // → true
 */
export function checkLeastSquares(ls: LeastSquares, net: PiecewiseLinearNet, name = "objective"): LeastSquares {
  const n = outputDim(net);
  if (!Number.isInteger(ls.m) || ls.m < 1) throw new InputError(`${name}.m must be a positive integer, got ${String(ls.m)}`);
  if (ls.A === null) {
    if (ls.m !== n) throw new InputError(`${name}.m = ${ls.m} must equal the output dimension ${n} when A is the identity (null)`);
  } else if (!(ls.A instanceof Float64Array) || ls.A.length !== ls.m * n) {
    throw new InputError(`${name}.A must be a Float64Array of ${ls.m}×${n} = ${ls.m * n} values (or null), got ${describe(ls.A)}`);
  }
  if (!(ls.obs instanceof Float64Array) || ls.obs.length !== ls.m) {
    throw new InputError(`${name}.obs must be a Float64Array of ${ls.m} values, got ${describe(ls.obs)}`);
  }
  for (const [f, v] of [["A", ls.A], ["obs", ls.obs]] as const) {
    const bad = v === null ? -1 : v.findIndex((x: number) => !Number.isFinite(x));
    if (bad >= 0) throw new InputError(`${name}.${f}[${bad}] is not finite (${v![bad]})`);
  }
  return ls;
}

/** Check a point of R^k; returns it as a Float64Array. Throws InputError naming `name`. */
export function checkPoint(x: ArrayLike<number>, k: number, name: string): Float64Array {
  if (x === null || typeof x !== "object" || x.length !== k) {
    throw new InputError(`${name} must have ${k} coordinates, got ${x === null || typeof x !== "object" ? String(x) : x.length}`);
  }
  const out = Float64Array.from(x);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(`${name}[${bad}] is not finite (${out[bad]})`);
  return out;
}

/** Check a box half-width L of [−L, L]^k (Infinity, for all of R^k, where `infinite` allows it). Throws InputError naming `name`. */
export function checkBox(L: number, name = "box", infinite = false): number {
  if (infinite && L === Infinity) return L;
  if (typeof L !== "number" || !Number.isFinite(L) || L <= 0) {
    throw new InputError(`${name} must be a ${infinite ? "" : "finite "}half-width L > 0 of [−L, L]^k${infinite ? " or Infinity (all of R^k)" : ""} (an empty box has no regions), got ${String(L)}`);
  }
  return L;
}

function describe(v: unknown): string {
  if (v instanceof Float64Array) return `${v.length} values`;
  if (v === null || v === undefined) return String(v);
  return (v as object).constructor?.name ?? typeof v;
}
