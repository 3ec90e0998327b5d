// Networks: the compiled forward pass against the float64 reference; ∇ₓ and every parameter gradient
// against central finite differences in float64, on both families and a conv generator with batch norm
// in eval and train mode, with A = I and with a Gaussian A; the surf family's closed-form gradient.
import { expect } from "chai";
import { kernels } from "../helpers.js";
import { Network } from "../../src/nn/network.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import type { Program } from "../../src/nn/program.js";
import { Objective } from "../../src/objective/objective.js";
import { Identity, gaussianMeasurement, type Measurement } from "../../src/objective/measurement.js";
import { Rng } from "../../src/random/rng.js";
import { referenceForward } from "./reference.js";
import { convNetwork } from "./fixtures.js";
import { convColumns } from "../../src/nn/ops/conv.js";

/** Masks of every piecewise activation of the program, for the first `rows` rows, concatenated. */
function pattern(prog: Program, rows: number): string {
  const parts: string[] = [];
  prog.net.spec.layers.forEach((_, i) => {
    const m = prog.mask(i);
    if (m) parts.push(Array.from(m.subarray(0, (m.length / prog.batch) * rows)).join(""));
  });
  return parts.join("|");
}

/**
 * Compare the objective's gradient (summed over the batch) with central differences of Σ_b f_b in every
 * input coordinate. Points where the activation pattern changes within ±h are resampled: there f is
 * not differentiable (a kink) and a difference quotient means nothing.
 */
function checkInputGradient(objective: Objective, rows: number, seed: string, scale = 1): void {
  const prog = objective.program, k = prog.net.inputSize, h = 1e-6;
  const rng = Rng.derive(seed, "points");
  for (let attempt = 0; ; attempt++) {
    if (attempt === 20) expect.fail("no kink-free point found in 20 draws");
    const X = Array.from({ length: rows }, () => Array.from({ length: k }, () => rng.uniformIn(-scale, scale)));
    const total = (pts: number[][]) => {
      prog.setInput(pts);
      const f = objective.evaluate(rows, false);
      return { value: f.subarray(0, rows).reduce((a, b) => a + b, 0), pattern: pattern(prog, rows) };
    };
    const base = total(X);
    const diffs: number[] = [];
    let kinked = false;
    for (let r = 0; r < rows && !kinked; r++) {
      for (let j = 0; j < k; j++) {
        const up = X.map((row) => row.slice()), down = X.map((row) => row.slice());
        up[r][j] += h;
        down[r][j] -= h;
        const fu = total(up), fd = total(down);
        if (fu.pattern !== base.pattern || fd.pattern !== base.pattern) {
          kinked = true;
          break;
        }
        diffs.push((fu.value - fd.value) / (2 * h));
      }
    }
    if (kinked) continue;
    prog.setInput(X);
    objective.evaluate(rows, true);
    const grad = Array.from(prog.view(prog.gradInput, rows * k));
    const scaleG = Math.max(1, ...grad.map(Math.abs));
    grad.forEach((g, i) => {
      if (Math.abs(g - diffs[i]) > 1e-6 * scaleG) expect.fail(`∂f/∂x[${Math.floor(i / k)}][${i % k}] = ${g} by backprop, ${diffs[i]} by central differences`);
    });
    return;
  }
}

/** Every trainable parameter entry (or a deterministic sample of `limit` of them) against central differences. */
function checkParamGradients(objective: Objective, rows: number, seed: string, limit = 400): void {
  const prog = objective.program, net = prog.net, k = net.inputSize, h = 1e-6;
  const rng = Rng.derive(seed, "param-points");
  const X = Array.from({ length: rows }, () => Array.from({ length: k }, () => rng.uniformIn(-1, 1)));
  const total = () => {
    prog.setInput(X);
    const f = objective.evaluate(rows, false);
    return { value: f.subarray(0, rows).reduce((a, b) => a + b, 0), pattern: pattern(prog, rows) };
  };
  const basePattern = total().pattern;
  net.enableGrads();
  net.zeroGrads();
  prog.setInput(X);
  objective.evaluate(rows, true, true);
  const entries: [number, number][] = [];
  net.params.forEach((p, pi) => {
    if (p.trainable) for (let e = 0; e < p.size; e++) entries.push([pi, e]);
  });
  const picked = entries.length <= limit ? entries : Array.from({ length: limit }, () => entries[rng.int(entries.length)]);
  const maxG = Math.max(1, ...picked.map(([pi, e]) => Math.abs(net.params[pi].grads[e])));
  let checked = 0;
  for (const [pi, e] of picked) {
    const p = net.params[pi], v = p.values[e], g = p.grads[e];
    const at = (value: number) => {
      p.values[e] = value;
      net.touch();
      return total();
    };
    const up = at(v + h), down = at(v - h);
    p.values[e] = v;
    net.touch();
    if (up.pattern !== basePattern || down.pattern !== basePattern) continue;   // a kink within ±h
    const fd = (up.value - down.value) / (2 * h);
    if (Math.abs(g - fd) > 1e-6 * maxG) expect.fail(`∂f/∂${p.name}[${e}] = ${g} by backprop, ${fd} by central differences`);
    checked++;
  }
  expect(checked, "parameters compared (not at a kink)").to.be.greaterThan(picked.length * 0.9);
}

function observations(rows: number, m: number, seed: string): Float64Array[] {
  const rng = Rng.derive(seed, "observations");
  return Array.from({ length: rows }, () => Float64Array.from({ length: m }, () => rng.uniformIn(-1, 1)));
}

const measurements: [string, (n: number) => Measurement][] = [
  ["A = I", (n) => new Identity(kernels, "f64", n)],
  ["Gaussian A", (n) => gaussianMeasurement(kernels, "f64", Math.max(3, Math.floor(n / 2)), n, "grad-test")],
];

describe(`networks (${kernels.backend} backend)`, function () {
  this.timeout(300000);

  it("the eval forward pass of every layer type equals the float64 reference (f64 to 1e-12, f32 to 1e-5)", () => {
    for (const dtype of ["f64", "f32"] as const) {
      const nets = [convNetwork("fwd", dtype), randomNetwork("surf", [4, 30, 40, 50], "fwd", { dtype }), randomNetwork("hv", [3, 20, 30], "fwd", { dtype })];
      for (const net of nets) {
        const rng = Rng.derive("fwd-points", net.inputSize);
        const X = Array.from({ length: 7 }, () => Array.from({ length: net.inputSize }, () => rng.uniformIn(-2, 2)));
        const out = net.forward(X);
        X.forEach((x, r) => {
          const ref = referenceForward(net, dtype === "f32" ? x.map(Math.fround) : x);
          const scale = Math.max(1, ...ref.map(Math.abs));
          ref.forEach((v, i) => {
            if (Math.abs(out[r][i] - v) > (dtype === "f64" ? 1e-12 : 1e-5) * scale) expect.fail(`${dtype} row ${r} output ${i}: ${out[r][i]} vs reference ${v}`);
          });
        });
        net.free();
      }
    }
  });

  it("a hand-worked ConvTranspose2d (stride 2, kernel 2: each input pixel stamps the kernel) and Conv2d", () => {
    const net = new Network({
      input: [4],
      layers: [
        { type: "Unflatten", dim: 1, unflattened_size: [1, 2, 2] },
        { type: "ConvTranspose2d", in_channels: 1, out_channels: 1, kernel_size: 2, stride: 2, padding: 0, bias: false },
        { type: "Conv2d", in_channels: 1, out_channels: 1, kernel_size: 2, stride: 2, padding: 0, bias: true },
        { type: "Flatten" },
      ],
    }, { dtype: "f64" });
    net.param("1.weight").values.set([1, 2, 3, 4]);
    net.param("2.weight").values.set([1, 1, 1, 1]);
    net.param("2.bias").values.set([0.5]);
    net.touch();
    // ConvT: input [[1, 2], [3, 4]] → [[1,2,2,4],[3,4,6,8],[3,6,4,8],[9,12,12,16]]; Conv2d sums each 2×2 block (+0.5)
    expect(Array.from(net.forward([[1, 2, 3, 4]])[0])).to.deep.equal([10.5, 20.5, 30.5, 40.5]);
    net.free();
  });

  it("a conv layer split into chunks of samples (a small column budget) computes what one product per batch does", () => {
    const rows = 5;
    const run = (budget: number) => {
      const saved = convColumns.budget;
      convColumns.budget = budget;
      const net = convNetwork("chunks", "f32");
      const prog = net.program(rows, "train");
      convColumns.budget = saved;
      const rng = Rng.derive("chunks", "points");
      prog.setInput(Array.from({ length: rows }, () => Array.from({ length: net.inputSize }, () => rng.uniformIn(-2, 2))));
      prog.forward();
      const output = Array.from(prog.view(prog.output, rows * net.outputSize));
      prog.view(prog.gradOutput, rows * net.outputSize).set(output.map((v, i) => v - (i % 7) / 7));
      net.enableGrads();
      net.zeroGrads();
      prog.backward(rows, { input: true, params: true });
      const result = { output, pattern: pattern(prog, rows), gradInput: Array.from(prog.view(prog.gradInput, rows * net.inputSize)),
        gradParams: net.params.filter((p) => p.trainable).map((p) => Array.from(p.grads)) };
      net.free();
      return result;
    };
    // budget 1: one sample per product. The three convs' per-sample column matrices have 27·9, 27·36 and 8·9
    // elements, so 600 makes chunks of 2 (a short last chunk), 1 and all 5; the default, one product of 5.
    const whole = run(convColumns.budget);
    for (const budget of [1, 600]) {
      const split = run(budget);
      expect(split.output).to.deep.equal(whole.output);
      expect(split.pattern).to.equal(whole.pattern);
      expect(split.gradInput).to.deep.equal(whole.gradInput);
      split.gradParams.forEach((g, i) => g.forEach((v, j) => {
        const w = whole.gradParams[i][j];
        if (Math.abs(v - w) > 1e-5 * Math.max(1, Math.abs(w))) expect.fail(`budget ${budget}: parameter ${i} gradient ${j}: ${v} vs ${w}`);
      }));
    }
  });

  for (const [label, makeA] of measurements) {
    it(`∇ₓf by backprop equals central differences: surf and hv families, ${label}`, () => {
      for (const [family, arch] of [["surf", [3, 20, 30, 25]], ["hv", [4, 15, 25, 30]]] as const) {
        const net = randomNetwork(family, arch, `grad-${family}`, { dtype: "f64" });
        const A = makeA(net.outputSize);
        const objective = new Objective(net.program(3), A, observations(3, A.m, family), { lambda: 0.01 });
        checkInputGradient(objective, 3, `${family}-${label}`);
        objective.free();
        A.free();
        net.free();
      }
    });

    it(`∇ₓf of a conv generator with batch norm, eval and train mode, ${label}`, () => {
      for (const mode of ["eval", "train"] as const) {
        const net = convNetwork(`conv-${mode}`);
        const A = makeA(net.outputSize);
        const objective = new Objective(net.program(4, mode), A, observations(4, A.m, mode));
        checkInputGradient(objective, 4, `conv-${mode}-${label}`);
        objective.free();
        A.free();
        net.free();
      }
    });
  }

  it("every parameter gradient equals central differences (MLP families and the conv generator in train mode)", () => {
    const cases: [Network, number][] = [
      [randomNetwork("surf", [3, 10, 12, 9], "pg-surf", { dtype: "f64" }), 3],
      [randomNetwork("hv", [3, 8, 12], "pg-hv", { dtype: "f64" }), 3],
      [convNetwork("pg-conv"), 4],
    ];
    for (const [net, rows] of cases) {
      const A = new Identity(kernels, "f64", net.outputSize);
      const objective = new Objective(net.program(rows, "train"), A, observations(rows, A.m, "pg"));
      checkParamGradients(objective, rows, `pg-${net.inputSize}`);
      objective.free();
      net.free();
    }
  });

  it("surf family: backprop equals the closed form (∏W_{i,x}ᵀ)Vᵀ(V(∏W_{i,x})x + VΣ_j(∏_{i>j}W_{i,x})b_{j,x} − y) (Song, Fan & Lafferty 2019, Section 5)", () => {
    const arch = [3, 12, 15, 20];
    const net = randomNetwork("surf", arch, "closed-form", { dtype: "f64" });
    const rng = Rng.derive("closed-form-points");
    const y = Float64Array.from({ length: 20 }, () => rng.normal());
    const objective = new Objective(net.program(1), new Identity(kernels, "f64", 20), y);
    for (let trial = 0; trial < 10; trial++) {
      const x = Array.from({ length: 3 }, () => rng.uniformIn(-2, 2));
      const { grad } = objective.at([x]);
      // explicit matrices
      const d = arch.length - 2;
      const W = Array.from({ length: d }, (_, i) => Float64Array.from(net.param(`${2 * i}.weight`).values));
      const b = Array.from({ length: d }, (_, i) => Float64Array.from(net.param(`${2 * i}.bias`).values));
      const V = Float64Array.from(net.param(`${2 * d}.weight`).values);
      let h: Float64Array = Float64Array.from(x);
      // J = ∏ W_{i,x} (n_d × k) and c = Σ_j (∏_{i>j} W_{i,x}) b_{j,x} (n_d), built layer by layer
      let J: Float64Array = identityMatrix(3), c: Float64Array = new Float64Array(3);
      for (let i = 0; i < d; i++) {
        const nIn = arch[i], nOut = arch[i + 1];
        const z = new Float64Array(nOut);
        for (let o = 0; o < nOut; o++) {
          let s = b[i][o];
          for (let q = 0; q < nIn; q++) s += W[i][o * nIn + q] * h[q];
          z[o] = s;
        }
        const Wx = Float64Array.from(W[i]), bx = Float64Array.from(b[i]);
        for (let o = 0; o < nOut; o++) {
          if (!(z[o] > 0)) {
            for (let q = 0; q < nIn; q++) Wx[o * nIn + q] = 0;
            bx[o] = 0;
          }
        }
        J = matmul(Wx, nOut, nIn, J, 3);
        c = addVec(matvec(Wx, nOut, nIn, c), bx);
        h = z.map((v) => Math.max(v, 0));
      }
      const n = 20, nd = arch[d];
      const VJ = matmul(V, n, nd, J, 3);
      const resid = addVec(addVec(matvec(VJ, n, 3, Float64Array.from(x)), matvec(V, n, nd, c)), y.map((v) => -v));
      const closed = matvecT(VJ, n, 3, resid);
      closed.forEach((v, i) => expect(Math.abs(grad[0][i] - v), `trial ${trial} coordinate ${i}`).to.be.below(1e-10 * Math.max(1, Math.abs(v))));
    }
    objective.free();
    net.free();
  });
});

function identityMatrix(k: number): Float64Array {
  const I = new Float64Array(k * k);
  for (let i = 0; i < k; i++) I[i * k + i] = 1;
  return I;
}
function matmul(A: Float64Array, m: number, p: number, B: Float64Array, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let q = 0; q < p; q++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * p + q] * B[q * n + j];
  return C;
}
function matvec(A: Float64Array, m: number, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i] += A[i * n + j] * x[j];
  return y;
}
function matvecT(A: Float64Array, m: number, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[j] += A[i * n + j] * x[i];
  return y;
}
function addVec(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}
