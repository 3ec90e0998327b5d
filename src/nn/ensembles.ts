/**
 * The Gaussian network ensembles of the theory, seeded.
 *
 *  surf — Song, Fan & Lafferty, Theorem 3.1:  G(x) = V σ(W_d … σ(W_1 x + b_1) … + b_d),
 *         W_i ∈ R^{n_i × n_{i−1}} and b_i with N(0, 1/n_i) entries, V ∈ R^{n × n_d} with N(0, 1/n) entries.
 *         arch = [k, n_1, …, n_d, n].
 *  hv   — Hand & Voroninski 2018:  G(x) = σ(W_d … σ(W_1 x) …), W_i with N(0, 1/n_i) entries, no biases.
 *         arch = [k, n_1, …, n_d].
 * As nn.Sequential layers: Linear, ReLU, …, Linear (surf: V, no bias; hv: ends with a ReLU).
 */
import type { DType, Kernels } from "../kernels/index.js";
import { Rng, type Seed } from "../random/rng.js";
import { InputError } from "../errors.js";
import { Network } from "./network.js";
import type { LayerSpec, NetworkSpec } from "./spec.js";

export type Family = "surf" | "hv";
/**
 * The Gaussian ensembles randomNetwork draws from: "surf" (Theorem 3.1) and "hv" (Hand & Voroninski).
 *
 * @example
 * import { FAMILIES, randomNetwork } from "surfing";
 * FAMILIES;   // → ["surf", "hv"]
 * const nets = FAMILIES.map((family) => randomNetwork(family, [2, 8, 5], "0"));
 */
export const FAMILIES: readonly Family[] = ["surf", "hv"];

/** The architecture of a network of `family` with layer widths `arch`. */
export function ensembleSpec(family: Family, arch: readonly number[]): NetworkSpec {
  if (!FAMILIES.includes(family)) throw new InputError(`family must be "surf" or "hv", got "${family}"`);
  const min = family === "surf" ? 3 : 2;
  if (arch.length < min || !arch.every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new InputError(`arch must be ${family === "surf" ? "k,n1,…,nd,n (at least one hidden layer)" : "k,n1,…,nd"}: positive integers, got ${arch.join(",")}`);
  }
  const layers: LayerSpec[] = [];
  const hidden = family === "surf" ? arch.length - 2 : arch.length - 1;
  for (let i = 1; i <= hidden; i++) {
    layers.push({ type: "Linear", in_features: arch[i - 1], out_features: arch[i], bias: family === "surf" }, { type: "ReLU" });
  }
  if (family === "surf") layers.push({ type: "Linear", in_features: arch[arch.length - 2], out_features: arch[arch.length - 1], bias: false });
  return { input: [arch[0]], layers };
}

/**
 * A random network of the ensemble, every entry drawn from Rng.derive(seed, family, parameter name).
 *
 * @example
 * import { randomNetwork } from "surfing";
 * const G = randomNetwork("surf", [2, 8, 5], "example");   // Theorem 3.1's ensemble: k = 2, a hidden layer of 8, n = 5
 * G.forward([[0.5, -0.25]])[0].length;   // → 5
 */
export function randomNetwork(family: Family, arch: readonly number[], seed: Seed, options: { dtype?: DType; kernels?: Kernels } = {}): Network {
  const net = new Network(ensembleSpec(family, arch), options);
  for (const p of net.params) {
    const rows = p.shape[0];   // n_i for W_i and b_i, n for V: the output width of the layer
    Rng.derive(seed, family, p.name).fillNormal(p.values, 0, 1 / Math.sqrt(rows));
  }
  net.touch();
  return net;
}
