// Parameter optimizers: three steps of each against its paper's update written out in float64, the
// networks marked changed (so compiled programs re-pack), and bad options refused.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { InputError } from "../../src/errors.js";
import { Network } from "../../src/nn/network.js";
import { ParamOptimizer, type ParamOptimizerOptions } from "../../src/optim/params.js";
import { Rng } from "../../src/random/rng.js";

const SPEC = { input: [3], layers: [{ type: "Linear" as const, in_features: 3, out_features: 2, bias: true }] };

/** The textbook updates, one parameter vector at a time. */
function reference(options: Required<Omit<ParamOptimizerOptions, "kind">> & { kind: string }, theta: number[], grads: number[][]): number[] {
  const { lr, beta1, beta2, eps, alpha } = options;
  const m = theta.map(() => 0), v = theta.map(() => 0), x = theta.slice();
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < x.length; i++) {
      if (options.kind === "adam") {   // Kingma & Ba 2015, Algorithm 1
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2;
        x[i] -= (lr * (m[i] / (1 - beta1 ** t))) / (Math.sqrt(v[i] / (1 - beta2 ** t)) + eps);
      } else if (options.kind === "rmsprop") {   // torch.optim.RMSprop, no momentum
        v[i] = alpha * v[i] + (1 - alpha) * g[i] ** 2;
        x[i] -= (lr * g[i]) / (Math.sqrt(v[i]) + eps);
      } else {
        x[i] -= lr * g[i];
      }
    }
  });
  return x;
}

describe(`parameter optimizers (${kernels.backend} backend)`, () => {
  for (const kind of ["adam", "rmsprop", "sgd"] as const) {
    it(`${kind}: three steps equal the update written out (float64), the network marked changed`, () => {
      const options = { kind, lr: 0.05, beta1: 0.5, beta2: 0.9, eps: 1e-8, alpha: 0.99 };
      const net = new Network(SPEC, { dtype: "f64", kernels, seed: `opt-${kind}` });
      const opt = new ParamOptimizer([net], options);
      const theta = net.params.flatMap((p) => Array.from(p.values));
      const rng = Rng.derive("opt-grads", kind);
      const grads = Array.from({ length: 3 }, () => theta.map(() => rng.uniformIn(-2, 2)));
      const before = net.forward([[1, 2, 3]])[0];
      for (const g of grads) {
        let at = 0;
        for (const p of net.params) {
          p.grads.set(g.slice(at, at + p.size));
          at += p.size;
        }
        const version = net.version;
        opt.step();
        expect(net.version, "touched").to.be.greaterThan(version);
      }
      expect(opt.t).to.equal(3);
      const want = reference(options, theta, grads), got = net.params.flatMap((p) => Array.from(p.values));
      got.forEach((v, i) => expect(v, `θ[${i}]`).to.be.closeTo(want[i], 1e-12));
      // the compiled program sees the new weights
      expect(Array.from(net.forward([[1, 2, 3]])[0])).to.not.deep.equal(Array.from(before));
      expect(opt.state.map((b) => b.name)).to.deep.equal(kind === "adam" ? ["0.weight.exp_avg", "0.weight.exp_avg_sq", "0.bias.exp_avg", "0.bias.exp_avg_sq"]
        : kind === "rmsprop" ? ["0.weight.square_avg", "0.bias.square_avg"] : []);
      opt.free();
      net.free();
    });
  }

  it("refuses an unknown kind and bad hyper-parameters with InputError", () => {
    const net = new Network(SPEC, { dtype: "f64", kernels });
    const bad: [ParamOptimizerOptions, RegExp][] = [
      [{ kind: "adagrad" as "adam", lr: 0.1 }, /optimizer must be one of adam, rmsprop, sgd/],
      [{ kind: "adam", lr: 0 }, /lr must be a positive number/],
      [{ kind: "adam", lr: 0.1, beta2: 1 }, /beta2 must be in \[0, 1\)/],
      [{ kind: "rmsprop", lr: 0.1, eps: -1 }, /eps must be a positive number/],
    ];
    for (const [options, message] of bad) expect(() => new ParamOptimizer([net], options)).to.throw(InputError, message);
    net.free();
  });
});
