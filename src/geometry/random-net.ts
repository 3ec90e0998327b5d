/**
 * Random piecewise-linear networks for tests and benchmarks: the library's own draws (src/nn), in float64,
 * converted by fromNetwork —
 *  - "surf": Theorem 3.1's ensemble G(x) = V σ(W_d … σ(W_1 x + b_1) … + b_d), W_i, b_i ~ N(0, 1/n_i),
 *    V ~ N(0, 1/n); arch = [k, n_1, …, n_d, n] (nn/ensembles.ts).
 *  - "hv": Hand–Voroninski's G(x) = σ(W_d … σ(W_1 x)…), W_i ~ N(0, 1/n_i), no biases (every hyperplane
 *    of the first layer passes through 0: a degenerate arrangement); arch = [k, n_1, …, n_d].
 *  - "torch": PyTorch's default nn.Linear initialisation, weights and biases ~ U(−1/√fan_in, 1/√fan_in)
 *    (Network.initialize), ReLU hidden layers and a linear output layer — the networks of Berzins (ICML
 *    2023)'s benchmark; arch = [k, n_1, …, n_d, n].
 */
import { InputError } from "../errors.js";
import { randomNetwork } from "../nn/ensembles.js";
import { Network } from "../nn/network.js";
import type { LayerSpec } from "../nn/spec.js";
import type { Seed } from "../random/rng.js";
import type { PiecewiseLinearNet } from "./affine.js";
import { fromNetwork } from "./from-network.js";

export type NetFamily = "surf" | "hv" | "torch";

/**
 * A random piecewise-linear network in float64, k = arch[0]: the "surf" or "hv" ensemble of randomNetwork, or
 * PyTorch's default initialization ("torch").
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "torch", 0);
 * net.layers.map((layer) => layer.act);   // → ["relu", "linear"]
 */
export function randomNet(arch: readonly number[], family: NetFamily, seed: Seed): PiecewiseLinearNet {
  let net: Network;
  if (family === "torch") {
    if (!Array.isArray(arch) || arch.length < 3 || arch.some((v) => !Number.isSafeInteger(v) || v < 1)) {
      throw new InputError(`arch for the "torch" family needs k, at least one hidden width and n (positive integers), got ${JSON.stringify(arch)}`);
    }
    const layers: LayerSpec[] = [];
    for (let i = 1; i < arch.length; i++) {
      layers.push({ type: "Linear", in_features: arch[i - 1], out_features: arch[i], bias: true });
      if (i < arch.length - 1) layers.push({ type: "ReLU" });
    }
    net = new Network({ input: [arch[0]], layers }, { dtype: "f64", seed });
  } else {
    net = randomNetwork(family, arch, seed, { dtype: "f64" });
  }
  try {
    return fromNetwork(net, `${family} network`);
  } finally {
    net.free();
  }
}
