/**
 * From the library's networks and objectives to the float64 forms src/geometry works on.
 *
 * fromNetwork: an nn `Network` in eval mode becomes a PiecewiseLinearNet — every run of affine layers
 * (Linear; Conv2d and ConvTranspose2d as their exact dense matrices; BatchNorm1d/2d with its running
 * statistics, y = a·x + β − a·mean, a = γ/√(var + ε)) composed into one affine map, closed by the ReLU
 * or LeakyReLU after it (one hyperplane per neuron), and the run after the last activation as a linear
 * output layer; Flatten and Unflatten change nothing (NCHW samples are flat already). Sigmoid and Tanh
 * are refused: G is then not piecewise linear (Song, Fan & Lafferty 2019, Section 3 needs the linear pieces).
 *
 * leastSquares: a `Measurement` and a target (the signal y, or its observation A·y + noise as the
 * Objective takes it) become f(z) = ½‖A·G(z) − obs‖², with A exactly as the measurement holds it.
 */
import { InputError } from "../errors.js";
import type { Measurement } from "../objective/measurement.js";
import type { Network } from "../nn/network.js";
import { BN_EPS, LEAKY_SLOPE, pair, size, type LayerSpec, type Shape } from "../nn/spec.js";
import { checkLeastSquares, checkNet, type AffineLayer, type LeastSquares, type PiecewiseLinearNet } from "./affine.js";

/**
 * Largest dense matrix of one layer, in entries (2^25 float64s = 256 MiB): a convolution's dense matrix
 * has (output size × input size) entries, mostly zeros, and geometry on such a net (thousands of
 * neurons) is out of reach anyway; past this the conversion is refused rather than exhausting memory.
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.MAX_DENSE_ENTRIES;   // → 33554432
 */
export const MAX_DENSE_ENTRIES = 2 ** 25;

/** The affine map x ↦ M x + b accumulated since the last activation (M rows × cols, row-major); M = null is the identity (b = 0 then). */
interface Pending {
  M: Float64Array | null;
  b: Float64Array;
  rows: number;
  cols: number;
}

/**
 * G of `net` (eval mode: batch norm with its running statistics) as a float64 piecewise-linear network.
 *
 * @example
 * import { geometry, Network } from "surfing";
 * const G = new Network({
 *   input: [2],
 *   layers: [
 *     { type: "Linear", in_features: 2, out_features: 3, bias: true },
 *     { type: "BatchNorm1d", num_features: 3 },
 *     { type: "ReLU" },
 *     { type: "Linear", in_features: 3, out_features: 1, bias: false },
 *   ],
 * }, { seed: "0", dtype: "f64" });
 * const net = geometry.fromNetwork(G);   // batch norm folded into the Linear layer before it
 * net.layers.map((layer) => [layer.outDim, layer.act]);   // → [[3, "relu"], [1, "linear"]]
 */
export function fromNetwork(net: Network, name = "network"): PiecewiseLinearNet {
  const layers: AffineLayer[] = [];
  const k = size(net.inputShape);
  let pending: Pending = identity(k);
  net.spec.layers.forEach((layer, i) => {
    const where = `${name}: ${net.describeLayer(i)}`;
    const inShape = net.shapes[i], outShape = net.shapes[i + 1];
    const params = net.layerParams[i].map((p) => Float64Array.from(p.values));
    switch (layer.type) {
      case "Linear":
      case "Conv2d":
      case "ConvTranspose2d": {
        const rows = size(outShape), cols = size(inShape);
        checkSize(rows, cols, where);
        const W = layer.type === "Linear" ? params[0] : convMatrix(layer, inShape, outShape, params[0]);
        const bias = new Float64Array(rows);
        if (params[1]) {
          const spatial = rows / params[1].length;
          for (let r = 0; r < rows; r++) bias[r] = params[1][Math.floor(r / spatial)];
        }
        pending = compose(W, bias, rows, cols, pending, where);
        return;
      }
      case "BatchNorm1d":
      case "BatchNorm2d": {
        const [gamma, beta, mean, variance] = params, eps = layer.eps ?? BN_EPS;
        const n = size(inShape), spatial = n / layer.num_features;
        if (pending.M === null) {
          checkSize(n, n, where);
          pending = { ...pending, M: eye(n) };
        }
        const M = pending.M!, { cols } = pending;
        for (let r = 0; r < n; r++) {
          const c = Math.floor(r / spatial), a = gamma[c] / Math.sqrt(variance[c] + eps);
          for (let q = 0; q < cols; q++) M[r * cols + q] *= a;
          pending.b[r] = a * pending.b[r] + beta[c] - a * mean[c];
        }
        return;
      }
      case "ReLU":
      case "LeakyReLU": {
        const slope = layer.type === "ReLU" ? 0 : (layer.negative_slope ?? LEAKY_SLOPE);
        layers.push(close(pending, layer.type === "ReLU" ? "relu" : "leaky", slope));
        pending = identity(pending.rows);
        return;
      }
      case "Flatten":
      case "Unflatten":
        return;
      default:
        throw new InputError(`${where} is not piecewise linear: the geometry needs Linear, Conv2d, ConvTranspose2d, BatchNorm1d/2d, ReLU, LeakyReLU, Flatten and Unflatten only`);
    }
  });
  // The affine layers after the last activation (the output layer V), or G = the last activation itself.
  if (pending.M !== null || layers.length === 0) layers.push(close(pending, "linear", 1));
  return checkNet({ k, layers }, name);
}

/** What the inversion aims at: the signal y itself, or its observation A·y (+ noise) in measurement space. */
export type Target = { readonly signal: ArrayLike<number> } | { readonly observation: ArrayLike<number> };

/**
 * f(z) = ½‖A·G(z) − obs‖² for `measurement` A (null for the identity) and a target: the signal y
 * (obs = A·y, computed in float64) or its observation (obs as given, e.g. A·y + noise).
 *
 * @example
 * import { geometry, gaussianMeasurement, kernels } from "surfing";
 * const A = gaussianMeasurement(kernels, "f64", 2, 3, "0");
 * const ls = geometry.leastSquares(A, { observation: [0.1, -0.2] });   // obs as given (A·y plus noise, say)
 * ls.obs;   // → [0.1, -0.2]
 * geometry.leastSquares(A, { signal: [1, 0, 0] }).obs.length;   // → 2
 */
export function leastSquares(measurement: Measurement, target: Target): LeastSquares {
  const { m, n } = measurement;
  const A = measurement.spec.kind === "identity" ? null : measurement.dense();
  let obs: Float64Array;
  if ("signal" in target) {
    const y = finite(target.signal, n, "target.signal", "the signal G(x) the measurement takes");
    obs = A === null ? y : new Float64Array(m);
    if (A !== null) {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let q = 0; q < n; q++) s += A[i * n + q] * y[q];
        obs[i] = s;
      }
    }
  } else {
    obs = finite(target.observation, m, "target.observation", "the measurement's output");
  }
  return { A, m, obs };
}

/**
 * fromNetwork and leastSquares at once, checked against each other.
 *
 * @example
 * import { geometry, randomNetwork, gaussianMeasurement, kernels } from "surfing";
 * const G = randomNetwork("surf", [2, 6, 4], "example", { dtype: "f64" });
 * const A = gaussianMeasurement(kernels, "f64", 3, 4, "0");
 * const { net, ls } = geometry.fromObjective(G, A, { signal: G.forward([[0.5, -0.25]])[0] });
 * geometry.objective(net, ls, [0.5, -0.25]) < 1e-20;   // → true
 */
export function fromObjective(net: Network, measurement: Measurement, target: Target, name = "network"): { net: PiecewiseLinearNet; ls: LeastSquares } {
  if (measurement.n !== net.outputSize) {
    throw new InputError(`measurement: it takes signals of ${measurement.n} values but ${name} outputs ${net.outputSize}`);
  }
  const pl = fromNetwork(net, name), ls = leastSquares(measurement, target);
  return { net: pl, ls: checkLeastSquares(ls, pl) };
}

function identity(n: number): Pending {
  return { M: null, b: new Float64Array(n), rows: n, cols: n };
}

function eye(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

function checkSize(rows: number, cols: number, where: string): void {
  if (rows * cols > MAX_DENSE_ENTRIES) {
    throw new InputError(`${where}: its dense matrix would have ${rows}×${cols} = ${(rows * cols).toExponential(2)} entries, more than ${MAX_DENSE_ENTRIES.toExponential(2)}; exact geometry is for small networks`);
  }
}

/** (W, bias) ∘ pending: W (rows × pending.rows) times pending's M, bias + W·b. */
function compose(W: Float64Array, bias: Float64Array, rows: number, inner: number, p: Pending, where: string): Pending {
  if (p.M === null) return { M: W, b: Float64Array.from(bias), rows, cols: inner };
  checkSize(rows, p.cols, where);
  const M = new Float64Array(rows * p.cols), b = Float64Array.from(bias);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < inner; q++) {
      const w = W[r * inner + q];
      if (w === 0) continue;
      b[r] += w * p.b[q];
      for (let c = 0; c < p.cols; c++) M[r * p.cols + c] += w * p.M[q * p.cols + c];
    }
  }
  return { M, b, rows, cols: p.cols };
}

function close(p: Pending, act: AffineLayer["act"], slope: number): AffineLayer {
  return { inDim: p.cols, outDim: p.rows, W: p.M ?? eye(p.rows), b: p.b, act, slope };
}

/**
 * The dense matrix (output size × input size, NCHW order) of a convolution, from its PyTorch weight:
 *   Conv2d            out[o, y, x] += W[o, i, u, v] · in[i, y·s − p + u, x·s − p + v]      W: Cout × Cin × kh × kw
 *   ConvTranspose2d   out[o, y·s − p + u, x·s − p + v] += W[i, o, u, v] · in[i, y, x]      W: Cin × Cout × kh × kw
 * (strides and paddings per axis; positions outside the image are dropped: zero padding, or output cropping).
 */
function convMatrix(layer: Extract<LayerSpec, { type: "Conv2d" | "ConvTranspose2d" }>, inShape: Shape, outShape: Shape, W: Float64Array): Float64Array {
  const [kh, kw] = pair(layer.kernel_size, 1), [sh, sw] = pair(layer.stride, 1), [ph, pw] = pair(layer.padding, 0);
  const [ci, ih, iw] = inShape, [co, oh, ow] = outShape;
  const cols = ci * ih * iw, D = new Float64Array(co * oh * ow * cols);
  const transposed = layer.type === "ConvTranspose2d";
  // The image side of the kernel (y, x range over the smaller grid: the output of a Conv2d, the input of a transpose).
  const [gh, gw] = transposed ? [ih, iw] : [oh, ow], [fh, fw] = transposed ? [oh, ow] : [ih, iw];
  for (let o = 0; o < co; o++) {
    for (let i = 0; i < ci; i++) {
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          const w = transposed ? W[((i * co + o) * kh + u) * kw + v] : W[((o * ci + i) * kh + u) * kw + v];
          if (w === 0) continue;
          for (let y = 0; y < gh; y++) {
            const fy = y * sh - ph + u;
            if (fy < 0 || fy >= fh) continue;
            for (let x = 0; x < gw; x++) {
              const fx = x * sw - pw + v;
              if (fx < 0 || fx >= fw) continue;
              // Grid position (y, x) and image position (fy, fx): which is the output depends on the direction.
              const [outPos, inPos] = transposed ? [fy * ow + fx, y * iw + x] : [y * ow + x, fy * iw + fx];
              D[(o * oh * ow + outPos) * cols + i * ih * iw + inPos] += w;
            }
          }
        }
      }
    }
  }
  return D;
}

function finite(v: ArrayLike<number>, length: number, name: string, what: string): Float64Array {
  if (v === null || typeof v !== "object" || typeof v.length !== "number") throw new InputError(`${name} must be a list of ${length} numbers (${what}), got ${String(v)}`);
  if (v.length !== length) throw new InputError(`${name} has ${v.length} values, ${what} has ${length}`);
  const out = Float64Array.from(v);
  const bad = out.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new InputError(`${name}[${bad}] is not finite (${out[bad]})`);
  return out;
}
