// The gradient penalty's double backward (Program.mixedBackward): ∂/∂θ of λ·mean(‖∇ₓD(x)‖ − 1)² against
// float64 central differences on tiny critics, and the networks it must refuse.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { InputError } from "../../src/errors.js";
import { Network } from "../../src/nn/network.js";
import { convColumns } from "../../src/nn/ops/conv.js";
import type { NetworkSpec } from "../../src/nn/spec.js";
import { Rng } from "../../src/random/rng.js";
import { gradientPenalty } from "../../src/train/losses.js";
import { checkParamGradients, patternOf } from "./fd.js";

const LAMBDA = 10;

/** A critic in f64 with weights scaled so that ‖∇ₓD‖ is of order 1 (the penalty's interesting range). */
function critic(spec: NetworkSpec, seed: string): Network {
  const net = new Network(spec, { dtype: "f64", kernels, seed });
  const rng = Rng.derive(seed, "scale");
  for (const p of net.params) if (p.trainable) for (let i = 0; i < p.size; i++) p.values[i] *= 1.5 + rng.uniform();
  net.touch();
  return net;
}

/** The penalty of the critic at the rows X, and (when `gradient`) its θ-gradient added into the grads. */
function penalty(net: Network, X: number[][], gradient: boolean): number {
  const rows = X.length, n = net.inputSize, prog = net.program(rows, "train");
  prog.setInput(X);
  prog.forward(rows);
  prog.view(prog.gradOutput, rows).fill(1);
  prog.backward(rows, { input: true, params: false });
  const direction = prog.direction;
  const value = gradientPenalty(prog.view(prog.gradInput, rows * n), rows, n, LAMBDA, 1 / rows, prog.view(direction, rows * n));
  if (gradient) prog.mixedBackward(rows);
  return value;
}

const MLP: NetworkSpec = {
  input: [5],
  layers: [
    { type: "Linear", in_features: 5, out_features: 7, bias: true },
    { type: "LeakyReLU", negative_slope: 0.2 },
    { type: "Linear", in_features: 7, out_features: 6, bias: true },
    { type: "ReLU" },
    { type: "Linear", in_features: 6, out_features: 1, bias: true },
  ],
};

/** A lone activation step (after a reshape) and a final activation, besides the fused ones. */
const MLP_LONE_ACTIVATION: NetworkSpec = {
  input: [6],
  layers: [
    { type: "Linear", in_features: 6, out_features: 8, bias: false },
    { type: "Unflatten", dim: 1, unflattened_size: [2, 4] },
    { type: "Flatten" },
    { type: "LeakyReLU", negative_slope: 0.1 },
    { type: "Linear", in_features: 8, out_features: 1, bias: true },
    { type: "LeakyReLU", negative_slope: 0.3 },
  ],
};

/** Conv2d steps with LeakyReLU and ReLU, a reshape and a Linear head: dcganDiscriminator without batch norm, in miniature. */
const CONV: NetworkSpec = {
  input: [36],
  layers: [
    { type: "Unflatten", dim: 1, unflattened_size: [1, 6, 6] },
    { type: "Conv2d", in_channels: 1, out_channels: 2, kernel_size: 3, stride: 2, padding: 1, bias: true },
    { type: "LeakyReLU", negative_slope: 0.2 },
    { type: "Conv2d", in_channels: 2, out_channels: 3, kernel_size: 2, stride: 1, padding: 0, bias: true },
    { type: "ReLU" },
    { type: "Flatten" },
    { type: "Linear", in_features: 12, out_features: 1, bias: true },
  ],
};

/** A ConvTranspose2d step too: the tangent is generic over the affine steps. */
const CONV_TRANSPOSE: NetworkSpec = {
  input: [8],
  layers: [
    { type: "Unflatten", dim: 1, unflattened_size: [2, 2, 2] },
    { type: "ConvTranspose2d", in_channels: 2, out_channels: 2, kernel_size: 3, stride: 2, padding: 1, output_padding: 1, bias: true },
    { type: "LeakyReLU", negative_slope: 0.2 },
    { type: "Conv2d", in_channels: 2, out_channels: 2, kernel_size: 2, stride: 2, padding: 0, bias: false },
    { type: "Flatten" },
    { type: "Linear", in_features: 8, out_features: 1, bias: true },
  ],
};

describe(`gradient penalty: the double backward (${kernels.backend} backend)`, function () {
  this.timeout(120000);

  const cases: [string, NetworkSpec, number?][] = [
    ["MLP critic (LeakyReLU, ReLU)", MLP],
    ["a lone activation step and a final LeakyReLU", MLP_LONE_ACTIVATION],
    ["conv critic", CONV],
    // a column budget below one sample's columns: each of the 4 samples has a product of its own
    ["conv critic, one sample per product", CONV, 1],
    ["ConvTranspose2d and Conv2d", CONV_TRANSPOSE],
  ];
  for (const [name, spec, budget] of cases) {
    it(`∂/∂θ λ·mean(‖∇ₓD‖ − 1)² equals central differences: ${name}`, () => {
      const saved = convColumns.budget;
      if (budget !== undefined) convColumns.budget = budget;
      const net = critic(spec, `gp-${name}`);
      const rng = Rng.derive("gp-points", name);
      const X = Array.from({ length: 4 }, () => Array.from({ length: net.inputSize }, () => rng.uniformIn(-1, 1)));
      const prog = net.program(X.length, "train");
      const compared = checkParamGradients([net], {
        loss: () => penalty(net, X, false),
        gradient: () => void penalty(net, X, true),
        pattern: () => patternOf(prog),
      }, `gp-${name}`);
      expect(compared).to.be.greaterThan(10);
      // the penalty is not flat here, and the biases get no gradient (∇ₓD does not depend on them)
      expect(net.params.some((p) => p.name.endsWith("weight") && p.grads.some((g) => Math.abs(g) > 1e-3))).to.equal(true);
      for (const p of net.params) if (p.name.endsWith("bias")) expect(Array.from(p.grads), p.name).to.deep.equal(new Array(p.size).fill(0));
      net.free();
      convColumns.budget = saved;
    });
  }

  it("refuses a critic with batch norm or a smooth activation, naming the layer", () => {
    const withBn: NetworkSpec = { input: [3], layers: [
      { type: "Linear", in_features: 3, out_features: 4, bias: true },
      { type: "BatchNorm1d", num_features: 4 },
      { type: "LeakyReLU" },
      { type: "Linear", in_features: 4, out_features: 1, bias: true },
    ] };
    const withSigmoid: NetworkSpec = { input: [3], layers: [
      { type: "Linear", in_features: 3, out_features: 4, bias: true },
      { type: "Sigmoid" },
      { type: "Linear", in_features: 4, out_features: 1, bias: true },
    ] };
    for (const [spec, message] of [[withBn, /layer 1 \(BatchNorm1d\)/], [withSigmoid, /layers 0, 1: Sigmoid is not piecewise linear/]] as const) {
      const net = critic(spec, "refuse");
      net.enableGrads();
      const X = [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]];
      expect(() => penalty(net, X, true)).to.throw(InputError, message);
      net.free();
    }
  });
});
