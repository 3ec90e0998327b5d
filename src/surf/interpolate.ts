/**
 * Surfing without a training history (our addition, experimental): when only the trained θ_T
 * exists, surf along the straight path θ(s) = (1 − s)·θ_0 + s·θ_T, s = t/T on a grid, from a fresh random θ_0 of
 * the same architecture. θ_0 is PyTorch's default initialization (what the first checkpoint of a real training
 * run is), with batch norm at its defaults (γ = 1, β = 0, running mean 0, variance 1), so every θ(s) is a
 * network the layers accept: running variances stay positive along the path.
 */
import { InputError } from "../errors.js";
import { Network } from "../nn/network.js";
import type { Seed } from "../random/rng.js";
import type { NetworkSequence } from "./surf.js";

export function interpolatedSequence(final: Network, networks: number, seed: Seed): NetworkSequence {
  if (!(Number.isSafeInteger(networks) && networks >= 2)) throw new InputError(`interpolation: \`networks\` must be at least 2 (θ_0 and θ_T), got ${networks}`);
  const T = networks - 1;
  return {
    length: networks,
    load(t) {
      const s = t / T, net = new Network(final.spec, { dtype: final.dtype, kernels: final.kernels, seed: `${seed}/theta0` });
      net.params.forEach((p, i) => {
        const a = p.values, b = final.params[i].values;
        for (let j = 0; j < a.length; j++) a[j] = (1 - s) * a[j] + s * b[j];
      });
      net.touch();
      return net;
    },
  };
}
