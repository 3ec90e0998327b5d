// Synthetic checkpoint sequences for the latent-space tests (no training run needed).
import { Network } from "../../src/nn/network.js";
import { mlpGenerator } from "../../src/nn/architectures.js";
import type { NetworkSpec } from "../../src/nn/spec.js";
import { interpolatedSequence } from "../../src/surf/interpolate.js";
import type { NetworkSequence } from "../../src/surf/surf.js";

/** G(x) = W x + b: f(x) = ½‖G(x) − y‖² is a convex quadratic, so every sublevel set is convex. */
export function linearSpec(k: number, n: number): NetworkSpec {
  return { input: [k], layers: [{ type: "Linear", in_features: k, out_features: n, bias: true }] };
}

/**
 * T + 1 networks from PyTorch's default initialization θ_0 (seeded) along the straight path to θ_T, a second
 * initialization scaled up so that the end of the path is far from the start: a stand-in for a training run.
 */
export function syntheticRun(spec: NetworkSpec, T: number, seed: string): { sequence: NetworkSequence; steps: number[]; final: Network } {
  const final = new Network(spec, { dtype: "f64", seed: `${seed}/final` });
  for (const p of final.params) if (p.trainable) p.values.forEach((v, i, a) => (a[i] = 3 * v));
  final.touch();
  return { sequence: interpolatedSequence(final, T + 1, seed), steps: Array.from({ length: T + 1 }, (_, t) => 10 * t), final };
}

/** A small expansive ReLU generator with a sigmoid output, k = 2 (the shape of the mlp generators). */
export function smallGenerator(n = 24): NetworkSpec {
  return mlpGenerator(2, [8, 16], n);
}
