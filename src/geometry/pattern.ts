/**
 * The activation pattern of a point: which ReLU/LeakyReLU neurons are on. Neurons are numbered in
 * layer order (layer 0's first, linear layers skipped), the numbering every pattern and constraint uses.
 *
 * Tie rule: a pre-activation exactly 0 counts as *inactive* (σ'(0) = 0, as in PyTorch). Both choices give
 * the same G(x), so the closed region of the chosen pattern contains x; it can have empty interior when x
 * lies on several hyperplanes — the full-dimensional pieces through x are the ones P(x, θ, τ) lists for
 * any τ ≥ 0 (pieces.ts). A neuron whose pre-activation is identically 0 on a region is inactive there.
 */
import { bends, neuronCount, type PiecewiseLinearNet } from "./affine.js";

export interface Evaluation {
  /** G(x). */
  readonly output: Float64Array;
  /** w_ij·x_{i−1} + b_ij for every neuron, in pattern order. */
  readonly pre: Float64Array;
  /** 1 where the neuron is active (pre > 0), 0 otherwise. */
  readonly pattern: Uint8Array;
}

/**
 * Forward pass in float64 recording pre-activations and the pattern (through layers [0, upTo) only, when given: the output is then that layer's).
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * const { output, pattern } = geometry.evaluate(net, [0.5, -0.25]);
 * output.length;   // → 4
 * pattern.length;   // → 6
 */
export function evaluate(net: PiecewiseLinearNet, x: ArrayLike<number>, upTo = net.layers.length): Evaluation {
  const N = neuronCount(net);
  const pre = new Float64Array(N), pattern = new Uint8Array(N);
  let h = Float64Array.from(x), at = 0;
  for (const layer of net.layers.slice(0, upTo)) {
    const out = new Float64Array(layer.outDim);
    for (let r = 0; r < layer.outDim; r++) {
      let s = layer.b[r];
      const row = r * layer.inDim;
      for (let c = 0; c < layer.inDim; c++) s += layer.W[row + c] * h[c];
      if (bends(layer)) {
        pre[at] = s;
        pattern[at] = s > 0 ? 1 : 0;
        at++;
        if (s <= 0) s *= layer.slope;
      }
      out[r] = s;
    }
    h = out;
  }
  return { output: h, pre, pattern };
}

/**
 * The pattern as a string of 0s and 1s (for JSON and as a map key).
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.patternString(Uint8Array.of(1, 0, 1));   // → "101"
 */
export function patternString(pattern: Uint8Array): string {
  let s = "";
  for (let i = 0; i < pattern.length; i++) s += pattern[i] ? "1" : "0";
  return s;
}
