// Network flows whose global minimizer is known at every t, for the surfing tests.
import { Network } from "../../src/nn/network.js";
import { randomNetwork, type Family } from "../../src/nn/ensembles.js";
import { networkToSafetensors } from "../../src/nn/checkpoint.js";
import type { NetworkSequence } from "../../src/surf/surf.js";

/**
 * θ_t: G_t(x) = G(x − c_t) for a fixed random G of the family (its first layer given a bias b − W₁c_t), with
 * c_t = (1 − t/T)·c_0. With y = G(x0), f_t(x) = ½‖G(x − c_t) − y‖² is 0 exactly at x0 + c_t (G is injective
 * for these expansive widths), a global minimizer moving continuously from x0 + c_0 to x0 as t goes to T.
 */
export function shiftFlow(family: Family, arch: number[], seed: string, c0: number[], T: number): NetworkSequence & { bytes(): Uint8Array[] } {
  return shifted(randomNetwork(family, arch, seed, { dtype: "f32" }), arch[0], c0, T);
}

/** The shift flow of a linear generator G(x) = Wx + b (k → n, PyTorch's initialization): every f_t is a convex quadratic. */
export function linearFlow(k: number, n: number, seed: string, c0: number[], T: number): NetworkSequence & { bytes(): Uint8Array[] } {
  return shifted(new Network({ input: [k], layers: [{ type: "Linear", in_features: k, out_features: n, bias: true }] }, { dtype: "f32", seed }), k, c0, T);
}

function shifted(base: Network, k: number, c0: number[], T: number): NetworkSequence & { bytes(): Uint8Array[] } {
  const spec = structuredClone(base.spec);
  const first = spec.layers[0];
  if (first.type !== "Linear") throw new Error("shiftFlow: the first layer must be Linear");
  first.bias = true;
  const load = (t: number) => {
    const net = new Network(spec, { dtype: "f32" });
    for (const p of base.params) net.param(p.name).values.set(p.values);
    const c = c0.map((v) => v * (1 - t / T));
    const W = net.param("0.weight").values, b = net.param("0.bias").values;
    for (let i = 0; i < b.length; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += W[i * k + j] * c[j];
      b[i] -= s;
    }
    net.touch();
    return net;
  };
  return {
    length: T + 1,
    load,
    bytes: () => Array.from({ length: T + 1 }, (_, t) => {
      const net = load(t);
      const b = networkToSafetensors(net, 40 * t);
      net.free();
      return b;
    }),
  };
}
