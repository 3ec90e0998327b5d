/**
 * A network of Linear and ReLU layers (the Gaussian ensembles of src/nn/ensembles.ts) in the plain float64
 * form src/geometry works on, so one seeded draw is both run in batches on the kernels and analysed
 * exactly (regions, per-region minima, certificates). The geometry issue plans a general
 * Network.toPiecewiseLinear() (batch norm, convolutions); until it lands this covers the ensembles.
 */
import { InputError } from "../errors.js";
import type { AffineLayer, PiecewiseLinearNet } from "../geometry/affine.js";
import type { Network } from "../nn/network.js";

export function piecewiseLinear(net: Network): PiecewiseLinearNet {
  const layers: AffineLayer[] = [];
  const spec = net.spec.layers;
  for (let i = 0; i < spec.length; i++) {
    const layer = spec[i];
    if (layer.type !== "Linear") throw new InputError(`piecewiseLinear: ${net.describeLayer(i)} is not supported here (Linear and ReLU layers only)`);
    const [W, b] = net.layerParams[i];
    const relu = spec[i + 1]?.type === "ReLU";
    layers.push({
      inDim: layer.in_features,
      outDim: layer.out_features,
      W: Float64Array.from(W.values),
      b: b ? Float64Array.from(b.values) : new Float64Array(layer.out_features),
      act: relu ? "relu" : "linear",
      slope: relu ? 0 : 1,
    });
    if (relu) i++;
  }
  return { k: net.inputSize, layers };
}
