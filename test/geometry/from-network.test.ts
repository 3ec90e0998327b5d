// The bridge from nn Networks and measurements to the geometry's float64 forms, against the library's own
// float64 forward pass and objective (an independent implementation: compiled programs, folded batch
// norm, im2col convolutions) and against central finite differences.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { Network } from "../../src/nn/network.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { dcganGenerator, mlpGenerator } from "../../src/nn/architectures.js";
import type { NetworkSpec } from "../../src/nn/spec.js";
import { Identity, Inpaint, gaussianMeasurement, superResolution, type Measurement } from "../../src/objective/measurement.js";
import { Objective } from "../../src/objective/objective.js";
import { fromNetwork, fromObjective, leastSquares } from "../../src/geometry/from-network.js";
import { evaluate } from "../../src/geometry/pattern.js";
import { objective, regionQuadratic } from "../../src/geometry/quadratic.js";
import { regionOf } from "../../src/geometry/region.js";
import { InputError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

/** Rounding of a float64 forward pass through a few layers of width ≤ 800 is ~1e-15 relative; 1e-12 is the agreement required. */
const FORWARD_TOL = 1e-12;

/** A spec without its final Sigmoid (the paper's generators end in one: not piecewise linear). */
function withoutSigmoid(spec: NetworkSpec): NetworkSpec {
  return { ...spec, layers: spec.layers.filter((l) => l.type !== "Sigmoid") };
}

/** Random batch-norm parameters and running statistics (γ, β, mean ~ N(0, 1)-ish, var ∈ [0.5, 2]), so that folding is exercised. */
function randomizeBatchNorm(net: Network, seed: string): Network {
  const rng = Rng.derive(seed);
  net.spec.layers.forEach((layer, i) => {
    if (layer.type !== "BatchNorm1d" && layer.type !== "BatchNorm2d") return;
    const [gamma, beta, mean, variance] = net.layerParams[i].map((p) => p.values);
    for (let c = 0; c < gamma.length; c++) {
      gamma[c] = rng.uniformIn(0.5, 1.5) * (rng.uniform() < 0.5 ? -1 : 1);
      beta[c] = rng.uniformIn(-0.3, 0.3);
      mean[c] = rng.uniformIn(-0.2, 0.2);
      variance[c] = rng.uniformIn(0.5, 2);
    }
  });
  net.touch();
  return net;
}

/** Every layer type the bridge handles: Linear → Conv2d (composed, no activation between), BN2d, LeakyReLU, ConvTranspose2d, ReLU, Flatten, Linear. */
const MIXED: NetworkSpec = {
  input: [3],
  layers: [
    { type: "Linear", in_features: 3, out_features: 2 * 5 * 5, bias: true },
    { type: "Unflatten", dim: 1, unflattened_size: [2, 5, 5] },
    { type: "Conv2d", in_channels: 2, out_channels: 3, kernel_size: 3, stride: 2, padding: 1, bias: true },
    { type: "BatchNorm2d", num_features: 3 },
    { type: "LeakyReLU", negative_slope: 0.2 },
    { type: "ConvTranspose2d", in_channels: 3, out_channels: 2, kernel_size: 4, stride: 2, padding: 1, output_padding: 1, bias: false },
    { type: "ReLU" },
    { type: "Flatten" },
    { type: "Linear", in_features: 2 * 7 * 7, out_features: 5, bias: true },
  ],
};

describe(`from nn networks to the geometry (${kernels.backend} backend)`, () => {
  const cases = (): [string, Network][] => [
    ["mlp 2→12→16→30", new Network(withoutSigmoid(mlpGenerator(2, [12, 16], 30)), { dtype: "f64", seed: "mlp" })],
    ["hv 3→10→20", randomNetwork("hv", [3, 10, 20], "hv", { dtype: "f64" })],
    ["surf 2→8→9→7", randomNetwork("surf", [2, 8, 9, 7], "surf", { dtype: "f64" })],
    ["dcgan(k = 2, width 1/64) without its Sigmoid", randomizeBatchNorm(new Network(withoutSigmoid(dcganGenerator(2, 1 / 64)), { dtype: "f64", seed: "dcgan" }), "dcgan-bn")],
    ["Linear·Conv2d·BN2d·LeakyReLU·ConvT·ReLU·Linear", randomizeBatchNorm(new Network(MIXED, { dtype: "f64", seed: "mixed" }), "mixed-bn")],
  ];

  it("G(x) of the converted net equals the Network's float64 forward pass to 1e-12 at random points", () => {
    const rng = Rng.derive("from-network-forward");
    for (const [name, net] of cases()) {
      const pl = fromNetwork(net);
      expect(pl.k, name).to.equal(net.inputSize);
      const xs = Array.from({ length: 20 }, () => Array.from({ length: pl.k }, () => rng.uniformIn(-2, 2)));
      const ref = net.forward(xs);
      xs.forEach((x, s) => {
        const ours = evaluate(pl, x).output;
        expect(ours.length, name).to.equal(net.outputSize);
        const scale = Math.max(1, ...ref[s].map(Math.abs));
        for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - ref[s][i]), `${name}, output ${i}`).to.be.below(FORWARD_TOL * scale);
      });
      net.free();
    }
  });

  it("the hyperplanes are the network's: one per ReLU/LeakyReLU neuron, affine runs composed", () => {
    const mixed = fromNetwork(randomizeBatchNorm(new Network(MIXED, { dtype: "f64", seed: "mixed" }), "mixed-bn"));
    // Linear∘Conv2d∘BN (3·3·3 = 27 LeakyReLU neurons), ConvT (2·7·7 = 98 ReLU neurons), then the output Linear.
    expect(mixed.layers.map((l) => [l.inDim, l.outDim, l.act, l.slope])).to.deep.equal([[3, 27, "leaky", 0.2], [27, 98, "relu", 0], [98, 5, "linear", 1]]);
    const hv = fromNetwork(randomNetwork("hv", [3, 10, 20], "hv", { dtype: "f64" }));
    expect(hv.layers.map((l) => l.act)).to.deep.equal(["relu", "relu"]);
  });

  it("f and its gradient on a region: the Objective's (backpropagation) and central finite differences, for every measurement kind", () => {
    const rng = Rng.derive("from-network-objective");
    const net = randomizeBatchNorm(new Network(withoutSigmoid(dcganGenerator(2, 1 / 64)), { dtype: "f64", seed: "dcgan-objective" }), "dcgan-objective-bn");
    const n = net.outputSize;
    const measurements: Measurement[] = [
      new Identity(kernels, "f64", n),
      gaussianMeasurement(kernels, "f64", 40, n, "from-network"),
      new Inpaint(kernels, "f64", n, Array.from({ length: 100 }, (_, i) => (7 * i) % n)),
      superResolution(kernels, "f64", [1, 28, 28], 4),
    ];
    const xStar = [0.4, -0.7], y = net.forward([xStar])[0];
    let differenced = 0;
    for (const A of measurements) {
      const { net: pl, ls } = fromObjective(net, A, { signal: y });
      const program = net.program(1);
      const obj = new Objective(program, A, ls.obs);
      for (let t = 0; t < 5; t++) {
        const x = Float64Array.from({ length: 2 }, () => rng.uniformIn(-1.5, 1.5));
        const { f, grad } = obj.at([x]);
        const ours = objective(pl, ls, x);
        expect(Math.abs(ours - f[0]), `${A.spec.kind}: f`).to.be.below(FORWARD_TOL * (1 + f[0]));
        // On x's region f = ½ zᵀHz + gᵀz + const: its gradient Hx + g against backprop and central differences.
        const q = regionQuadratic(regionOf(pl, x), ls);
        const h = 1e-6, pattern = evaluate(pl, x).pattern;
        for (let l = 0; l < 2; l++) {
          let g = q.g[l];
          for (let c = 0; c < 2; c++) g += q.H[l * 2 + c] * x[c];
          const plus = Float64Array.from(x), minus = Float64Array.from(x);
          plus[l] += h;
          minus[l] -= h;
          // Central differences are exact for a quadratic up to rounding, provided x ± h stays on x's piece.
          const samePiece = [plus, minus].every((p) => evaluate(pl, p).pattern.every((v, j) => v === pattern[j]));
          const scale = 1 + Math.abs(g);
          expect(Math.abs(g - grad[0][l]), `${A.spec.kind}: ∂f/∂x${l} vs backprop`).to.be.below(1e-9 * scale);
          if (samePiece) differenced++;
          if (samePiece) expect(Math.abs(g - (objective(pl, ls, plus) - objective(pl, ls, minus)) / (2 * h)), `${A.spec.kind}: ∂f/∂x${l} vs central differences`).to.be.below(1e-6 * scale);
        }
      }
      obj.free();
      A.free();
    }
    expect(differenced).to.be.above(20);
    net.free();
  });

  it("leastSquares: the identity is A = null, a signal is measured in float64, an observation is kept as given", () => {
    const A = gaussianMeasurement(kernels, "f64", 3, 4, "ls"), D = A.dense();
    const y = [1, -2, 0.5, 3];
    const fromSignal = leastSquares(A, { signal: y });
    for (let i = 0; i < 3; i++) expect(fromSignal.obs[i]).to.be.closeTo(D[i * 4] - 2 * D[i * 4 + 1] + 0.5 * D[i * 4 + 2] + 3 * D[i * 4 + 3], 1e-15);
    expect(Array.from(fromSignal.A!)).to.deep.equal(Array.from(D));
    expect(Array.from(leastSquares(A, { observation: [1, 2, 3] }).obs)).to.deep.equal([1, 2, 3]);
    const I = new Identity(kernels, "f64", 4);
    expect(leastSquares(I, { signal: y })).to.deep.include({ A: null, m: 4 });
    A.free();
  });

  it("refuses a network that is not piecewise linear (naming the layer), oversized convolutions, and a mismatched target", () => {
    const dcgan = new Network(dcganGenerator(2, 1 / 64), { dtype: "f64", seed: 1 });
    expect(() => fromNetwork(dcgan, "g.safetensors")).to.throw(InputError, /^g\.safetensors: layer 11 \(Sigmoid\) is not piecewise linear/);
    const tanh = new Network({ input: [2], layers: [{ type: "Linear", in_features: 2, out_features: 4, bias: true }, { type: "Tanh" }] }, { dtype: "f64", seed: 1 });
    expect(() => fromNetwork(tanh)).to.throw(InputError, /layer 1 \(Tanh\) is not piecewise linear/);
    const wide = new Network({
      input: [2],
      layers: [
        { type: "Linear", in_features: 2, out_features: 64 * 16 * 16, bias: true },
        { type: "ReLU" },
        { type: "Unflatten", dim: 1, unflattened_size: [64, 16, 16] },
        { type: "Conv2d", in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1, bias: true },
      ],
    }, { dtype: "f64" });
    expect(() => fromNetwork(wide)).to.throw(InputError, /layer 3 \(Conv2d\): its dense matrix would have 16384×16384 = 2\.68e\+8 entries/);
    const net = randomNetwork("surf", [2, 5, 6], "mismatch", { dtype: "f64" });
    const A = gaussianMeasurement(kernels, "f64", 3, 6, "mismatch");
    expect(() => fromObjective(net, new Identity(kernels, "f64", 5), { signal: [1, 2, 3, 4, 5] })).to.throw(InputError, /measurement: it takes signals of 5 values but network outputs 6/);
    expect(() => leastSquares(A, { signal: [1, 2] })).to.throw(InputError, /target\.signal has 2 values, the signal G\(x\) the measurement takes has 6/);
    expect(() => leastSquares(A, { observation: [1, NaN, 3] })).to.throw(InputError, /target\.observation\[1\] is not finite/);
    for (const n of [dcgan, tanh, wide, net]) n.free();
    A.free();
  });
});
