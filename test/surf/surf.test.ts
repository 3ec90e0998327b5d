// Surfing (Algorithm 3.1) and its baselines: tracking a moving global minimizer, escaping a spurious basin
// that stalls regular descent, results independent of batch size and worker count, divergence, the
// schedule and the metrics.
import { expect } from "chai";
import { foundThreshold, run, type RunOptions } from "../../src/surf/surf.js";
import { runParallel } from "../../src/surf/pool.js";
import { neuripsTotal, stepBudgets } from "../../src/surf/schedule.js";
import { percentile, summarize, wilson } from "../../src/surf/metrics.js";
import { STALL } from "../../src/surf/descent.js";
import { linearFlow, shiftFlow } from "./flows.js";
import { interpolatedSequence } from "../../src/surf/interpolate.js";
import { Network } from "../../src/nn/network.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { convNetwork } from "../nn/fixtures.js";

const base = (over: Partial<RunOptions>): RunOptions => ({
  seed: "surf-test", targets: { kind: "synthetic" }, measurement: { kind: "identity" }, optimizer: { kind: "adam" },
  maxSteps: 4000, start: "uniform", batch: 64, ...over,
});

describe("surfing (Algorithm 3.1)", function () {
  this.timeout(300000);

  it("tracks a continuously moving global minimizer: f_t(x_t) ≈ 0 (the global minimum) at every t, and x̂_T = x*", () => {
    const x0 = [0.6, -0.3, 0.2], T = 12;
    const flow = shiftFlow("surf", [3, 30, 60, 120], "track", [0.8, 0.5, -0.6], T);
    // x_init = x0 + c_0, the minimizer of f_0; then every f_t's minimizer x0 + c_t is a short move away
    const start = [[0.6 + 0.8, -0.3 + 0.5, 0.2 - 0.6]];
    for (const optimizer of [{ kind: "adam" as const }, { kind: "armijo" as const }]) {
      const [r] = run(flow, { kind: "surf", schedule: { kind: "converge" } }, [0], base({ targets: { kind: "latent", xStar: [x0] }, start, optimizer }));
      expect(r.path).to.have.length(T + 1);
      r.path.forEach((p, t) => {
        expect(p.f, `${optimizer.kind}, network ${t}`).to.be.below(1e-6);
        // there x_t is f_t's minimizer x0 + c_t, c_t = (1 − t/T)·c_0: the path's ‖x‖ is that point's
        expect(p.norm, `${optimizer.kind}, network ${t}`).to.be.closeTo(Math.hypot(...x0.map((v, i) => v + (1 - t / T) * (start[0][i] - v))), 1e-3);
      });
      expect(r.distToXStar, optimizer.kind).to.be.below(0.01);
      expect(r.success).to.equal(true);
    }
  });

  it("escapes the −ρ_d·x0 basin where regular Adam stalls (hv network, start at −x0); so does the sign flip", () => {
    const x0 = [0.8, -0.5], T = 20;
    const flow = shiftFlow("hv", [2, 40, 200, 400], "basin", [-1.6, 1.0], T);   // minimizer −x0 at t = 0, x0 at T
    const options = base({ targets: { kind: "latent", xStar: [x0] }, start: [[-0.8, 0.5]] });
    const [regular] = run(flow, { kind: "regular" }, [0], options);
    expect(regular.distToXStar).to.be.above(0.5);
    expect(regular.f).to.be.above(1e-3);
    // the stall point lies on the negative ray, as Hand & Voroninski's Theorem 1 predicts
    const cos = (regular.xHat[0] * x0[0] + regular.xHat[1] * x0[1]) / (Math.hypot(...regular.xHat) * Math.hypot(...x0));
    expect(cos).to.be.below(-0.95);
    const [surf] = run(flow, { kind: "surf", schedule: { kind: "converge" } }, [0], options);
    expect(surf.success).to.equal(true);
    const [flip] = run(flow, { kind: "regular" }, [0], { ...options, signFlip: true });
    expect(flip.success).to.equal(true);
    expect(flip.evaluations).to.be.above(0);
  });

  it("gives every trial the same result in batches of 1 and 64, and with 1 or 2 workers", async () => {
    const flow = shiftFlow("surf", [2, 20, 40, 80], "batches", [0.5, -0.5], 6);
    const indices = Array.from({ length: 9 }, (_, i) => i);
    const method = { kind: "surf" as const, schedule: { kind: "neurips" as const, total: 60 } };
    const one = run(flow, method, indices, base({ batch: 1 }));
    const many = run(flow, method, indices, base({ batch: 64 }));
    expect(many).to.deep.equal(one);
    const source = { kind: "bytes" as const, files: flow.bytes() };
    const w1 = await runParallel(source, method, indices, base({}), 1);
    const w2 = await runParallel(source, method, indices, base({}), 2);
    expect(w2).to.deep.equal(w1);
    expect(w1).to.deep.equal(one);
    // and a subset of the trials gets the same results as within the whole run
    expect(run(flow, method, [4, 7], base({}))).to.deep.equal([one[4], one[7]]);
  });

  it("traces every point a descent visits: per network the warm start and one per step, ending at x̂", async () => {
    const T = 4, flow = shiftFlow("surf", [2, 20, 40, 80], "trace", [0.6, -0.4], T);
    const trace = (method: Parameters<typeof run>[1]) => {
      const points: { t: number; x: number[] }[] = [];
      const [r] = run(flow, method, [3], base({ onPoint: (index, t, x) => {
        expect(index).to.equal(3);
        points.push({ t, x: Array.from(x) });
      } }));
      return { r, points };
    };
    const regular = trace({ kind: "regular" });
    expect(regular.points).to.have.length(regular.r.steps + 1);
    expect(regular.points.every((p) => p.t === T)).to.equal(true);
    expect(regular.points[0].x).to.deep.equal(regular.r.xInit.map(Math.fround));   // x as the float32 network sees it
    expect(regular.points.at(-1)!.x).to.deep.equal(regular.r.xHat);
    const surf = trace({ kind: "surf", schedule: { kind: "neurips", total: 40 } });
    let previous = surf.r.xInit.map(Math.fround);
    for (let t = 0; t <= T; t++) {
      const on = surf.points.filter((p) => p.t === t);
      expect(on, `network ${t}`).to.have.length(surf.r.path[t].steps + 1);
      expect(on[0].x, `network ${t} starts where ${t - 1} ended`).to.deep.equal(previous);
      previous = on.at(-1)!.x;
    }
    expect(previous).to.deep.equal(surf.r.xHat);
    const refused = await runParallel({ kind: "bytes", files: flow.bytes() }, { kind: "regular" }, [0, 1], base({ onPoint: () => {} }), 2).catch((e: Error) => e);
    expect(String(refused)).to.match(/InputError: onPoint: a callback cannot reach worker threads/);
  });

  it("descends on while f keeps falling, though G is nearly flat along a latent: x̂ = x* to 0.01, converged", () => {
    // G's first layer scaled by 1/100 along x_2 (a VAE's unused latent, in miniature): an absolute test on f
    // stopped with x_2 still 0.14 from x*_2
    const net = randomNetwork("surf", [3, 30, 60, 120], "flat", { dtype: "f32" });
    const W = net.param("0.weight").values;
    for (let i = 0; i < 30; i++) W[i * 3 + 2] *= 0.01;
    net.touch();
    const sequence = { length: 1, load: () => net };
    const xStar = [0.5, -0.4, 0.7];
    const [r] = run(sequence, { kind: "regular" }, [0], base({ targets: { kind: "latent", xStar: [xStar] }, start: [[-0.5, 0.3, -0.6]], maxSteps: 20000 }));
    expect(r.converged).to.equal(true);
    expect(r.distToXStar).to.be.below(0.01);
    expect(Math.abs(r.xHat[2] - xStar[2])).to.be.below(0.01);
  });

  it("stops at a minimum on a ReLU kink, where ‖∇f‖ never falls below 1, once f has not fallen for STALL steps", () => {
    // G(x) = relu(x) + relu(−x) = |x| and y = −1: f = ½(|x| + 1)², minimized at the kink x = 0 with |f′| ≥ 1
    const net = randomNetwork("surf", [1, 2, 1], "kink", { dtype: "f32" });
    net.param("0.weight").values.set([1, -1]);
    net.param("0.bias").values.set([0, 0]);
    net.param("2.weight").values.set([1, 1]);
    net.touch();
    const [r] = run({ length: 1, load: () => net }, { kind: "regular" }, [0], base({ targets: { kind: "signal", y: [[-1]] }, start: [[0.5]], maxSteps: 20000 }));
    expect(r.converged).to.equal(true);
    expect(r.steps).to.be.within(STALL, 3 * STALL);
    expect(Math.abs(r.xHat[0])).to.be.below(0.05);
    expect(r.f).to.be.closeTo(0.5, 0.05);
  });

  it("reports a trial whose iterate becomes non-finite as diverged, with its last finite point", () => {
    const flow = shiftFlow("surf", [2, 20, 40], "diverge", [0, 0], 1);
    const [r] = run(flow, { kind: "regular" }, [0], base({ optimizer: { kind: "gd", lr: 1e38 } }));
    expect(r.diverged).to.equal(true);
    expect(r.xHat.every(Number.isFinite)).to.equal(true);
    expect(Number.isFinite(r.f)).to.equal(true);
  });

  it("best of R restarts keeps within each trial's budget and returns the best f it found", () => {
    const flow = shiftFlow("hv", [2, 30, 100], "restarts", [0, 0], 1);
    const budgets = { 0: 100, 1: 7, 2: 1 };
    const results = run(flow, { kind: "restarts", restarts: 4, budgets }, [0, 1, 2], base({}));
    results.forEach((r) => expect(r.steps).to.be.at.most(Math.max(4, budgets[r.index as 0 | 1 | 2])));
    const single = run(flow, { kind: "restarts", restarts: 1, budgets: { 0: 25 } }, [0], base({}));
    expect(results[0].f).to.be.at.most(single[0].f);
  });

  it("surfs a subset of the checkpoints: from θ_1, or every 2nd or 5th, always ending at θ_T", () => {
    const flow = shiftFlow("surf", [3, 30, 60, 120], "subsets", [0.8, 0.5, -0.6], 8);
    const start = [[0.6 + 0.8, -0.3 + 0.5, 0.2 - 0.6]], options = base({ targets: { kind: "latent", xStar: [[0.6, -0.3, 0.2]] }, start });
    const schedule = { kind: "converge" as const };
    // f_t's minimizer is x0 + (1 − t/8)·c0 (shiftFlow): each step of the path ends there, on the networks visited
    const minimizerNorm = (t: number) => Math.hypot(...[0.6, -0.3, 0.2].map((v, i) => v + (1 - t / 8) * [0.8, 0.5, -0.6][i]));
    for (const [networks, visited] of [[{ from: 1 }, [1, 2, 3, 4, 5, 6, 7, 8]], [{ every: 2 }, [0, 2, 4, 6, 8]], [{ every: 5 }, [0, 5, 8]], [{ from: 8 }, [8]], [{}, [0, 1, 2, 3, 4, 5, 6, 7, 8]]] as const) {
      const [r] = run(flow, { kind: "surf", schedule, networks }, [0], options);
      expect(r.path.map((p) => p.norm), JSON.stringify(networks)).to.have.length(visited.length);
      r.path.forEach((p, i) => expect(p.norm, `${JSON.stringify(networks)}, θ_${visited[i]}`).to.be.closeTo(minimizerNorm(visited[i]), 1e-3));
      expect(r.success, JSON.stringify(networks)).to.equal(true);
    }
    expect(() => run(flow, { kind: "surf", schedule, networks: { from: 9 } }, [0], options)).to.throw(/first network surfed must be one of 0 … 8, got 9/);
    expect(() => run(flow, { kind: "surf", schedule, networks: { every: 0 } }, [0], options)).to.throw(/every must be a positive integer/);
  });

  it("restart-until and adam-then-surf spend at most each trial's budget; restart-until all of it when no descent reaches τ", () => {
    const flow = shiftFlow("hv", [2, 30, 100], "rivals", [0.4, -0.3], 3);
    const budgets = { 0: 700, 1: 37, 2: 1, 3: 0 }, indices = [0, 1, 2, 3];
    const never = run(flow, { kind: "restart-until", budgets, until: 0 }, indices, base({}));
    never.forEach((r) => expect(r.steps, `trial ${r.index}`).to.equal(budgets[r.index as 0 | 1 | 2 | 3]));
    expect(never.every((r) => Number.isFinite(r.f))).to.equal(true);
    const hybrid = run(flow, { kind: "adam-then-surf", budgets, schedule: { kind: "neurips", total: 300 }, until: 0 }, indices, base({}));
    hybrid.forEach((r) => expect(r.steps, `trial ${r.index}`).to.be.at.most(budgets[r.index as 0 | 1 | 2 | 3]));
    // trial 0's Adam run converged with steps to spare: it surfed θ_0 … θ_3 with them, and kept the better end
    expect(hybrid[0].path).to.have.length(4);
    const [adamOnly] = run(flow, { kind: "restarts", restarts: 1, budgets: { 0: 700 } }, [0], base({}));
    expect(adamOnly.steps).to.be.below(700);
    expect(hybrid[0].f).to.be.at.most(adamOnly.f);
    // with fewer steps left than the schedule's total, surfing runs in miniature and still reaches θ_3: its
    // schedule shrinks to the share of the steps left that the total is of the budget (cut to what remains,
    // θ_0..θ_2 would take every step left and θ_3 none)
    const tight = adamOnly.steps + 200, [small] = run(flow, { kind: "adam-then-surf", budgets: { 0: tight }, schedule: { kind: "neurips", total: 300 }, until: 0 }, [0], base({}));
    expect(small.path).to.have.length(4);
    expect(small.path.slice(0, 3).reduce((a, p) => a + p.steps, 0)).to.equal(Math.round(200 * 300 / tight));
    expect(small.path[3].steps).to.be.above(0);
    expect(small.steps).to.be.at.most(tight);
    // with τ huge the first descent is found at once: both are regular Adam stopped at the budget, best of 1
    // (on budgets ≥ 1: best of R gives each run at least one step, the rivals spend none of a budget of 0)
    const first = run(flow, { kind: "restarts", restarts: 1, budgets }, [0, 1, 2], base({}));
    for (const m of [{ kind: "restart-until" as const, budgets, until: 1e300 }, { kind: "adam-then-surf" as const, budgets, schedule: { kind: "neurips" as const, total: 300 }, until: 1e300 }]) {
      const found = run(flow, m, [0, 1, 2], base({}));
      expect(found.map((r) => [r.xHat, r.f, r.steps]), m.kind).to.deep.equal(first.map((r) => [r.xHat, r.f, r.steps]));
    }
    expect(() => run(flow, { kind: "restart-until", budgets: { 0: 5 } }, [0, 1], base({}))).to.throw(/restart-until: no step budget for trial 1/);
    expect(() => run(flow, { kind: "restart-until", budgets, until: -1 }, [0], base({}))).to.throw(/until \(τ\) must be a finite number ≥ 0/);
  });

  it("with noise σ on the observations, the rivals' default τ grows by ½·m·σ², f at the truth on average", () => {
    expect(foundThreshold(784)).to.be.closeTo(0.0392, 1e-15);
    expect(foundThreshold(50, 0.05)).to.be.closeTo(0.5 * 50 * (0.01 ** 2 + 0.05 ** 2), 1e-15);
    // a convex problem: the first descent ends at the least-squares point, where f = ½‖(I − P)·noise‖², about
    // ½·(n − k)·σ² — four times the noiseless τ at σ = 0.02, and 0.8 of the τ with noise (n = 1000: f's
    // relative spread is √(2/(n − k)) ≈ 4.5 %). Without noise in τ restart-until spends every step restarting.
    const n = 1000, flow = linearFlow(3, n, "noisy-tau", [0.5, -0.4, 0.3], 2), budgets = { 0: 3000 };
    const noisy = base({ noise: 0.02 });
    const [found] = run(flow, { kind: "restart-until", budgets }, [0], noisy);
    expect(found.steps).to.be.below(3000);
    expect(found.f).to.be.above(foundThreshold(n)).and.below(foundThreshold(n, 0.02));
    const [spent] = run(flow, { kind: "restart-until", budgets, until: foundThreshold(n) }, [0], noisy);
    expect(spent.steps).to.equal(3000);
  });

  it("on a convex problem (a linear generator) every method finds x*: regular, surfing, and the three rivals at its steps", () => {
    const flow = linearFlow(3, 40, "convex", [0.5, -0.4, 0.3], 4);
    const indices = [0, 1, 2, 3, 4, 5];
    const regular = run(flow, { kind: "regular" }, indices, base({}));
    const surfed = run(flow, { kind: "surf", schedule: { kind: "neurips", total: neuripsTotal(regular).total } }, indices, base({}));
    const budgets = Object.fromEntries(surfed.map((r) => [r.index, r.steps]));
    const rivals = [
      run(flow, { kind: "restarts", restarts: 1, budgets }, indices, base({})),
      run(flow, { kind: "restart-until", budgets }, indices, base({})),
      run(flow, { kind: "adam-then-surf", budgets, schedule: { kind: "neurips", total: neuripsTotal(regular).total } }, indices, base({})),
    ];
    for (const results of [regular, surfed, ...rivals]) {
      results.forEach((r, i) => {
        expect(r.success, `trial ${i}`).to.equal(true);
        expect(Math.hypot(...r.xHat.map((v, j) => v - regular[i].xHat[j]))).to.be.below(2e-3);
      });
    }
    rivals.forEach((results) => results.forEach((r, i) => expect(r.steps).to.be.at.most(surfed[i].steps)));
  });

  it("without a history, θ(s) = (1 − s)·θ_0 + s·θ_T runs from PyTorch's initialization to θ_T exactly (experimental)", () => {
    const final = convNetwork("interp", "f32");
    const seq = interpolatedSequence(final, 5, "i");
    expect(seq.length).to.equal(5);
    const fresh = new Network(final.spec, { dtype: "f32", seed: "i/theta0" });
    const [first, middle, last] = [seq.load(0), seq.load(2), seq.load(4)];
    final.params.forEach((p, i) => {
      expect(Array.from(first.params[i].values), p.name).to.deep.equal(Array.from(fresh.params[i].values));
      expect(Array.from(last.params[i].values), p.name).to.deep.equal(Array.from(p.values));
      middle.params[i].values.forEach((v, j) => expect(v).to.be.closeTo(0.5 * fresh.params[i].values[j] + 0.5 * p.values[j], 1e-6));
    });
    for (const n of [first, middle, last, fresh, final]) n.free();
    expect(() => interpolatedSequence(convNetwork("x", "f32"), 1, "i")).to.throw(/`networks` must be at least 2 \(θ_0 and θ_T\), got 1/);
  });

  it("refuses bad options with a clear InputError", () => {
    const flow = shiftFlow("surf", [2, 10, 20], "bad", [0, 0], 1);
    expect(() => run(flow, { kind: "regular" }, [0], base({ batch: 0 }))).to.throw(/batch must be a positive integer/);
    expect(() => run(flow, { kind: "regular" }, [0], base({ targets: { kind: "latent", xStar: [[1, 2, 3]] } }))).to.throw(/x\*: has 3 values, the network needs 2/);
    expect(() => run(flow, { kind: "regular" }, [0], base({ targets: { kind: "signal", y: [[1]] } }))).to.throw(/target: has 1 values, the network needs 20/);
    expect(() => run(flow, { kind: "regular" }, [0], base({ measurement: { kind: "gaussian", m: 0 } }))).to.throw(/gaussian:M needs a positive integer/);
  });
});

describe("the NeurIPS schedule and the run metrics", () => {
  it("splits the total over θ_0..θ_{T−1} harmonically (decreasing, exact sum) and runs θ_T to the cap", () => {
    const b = stepBudgets({ kind: "neurips", total: 1000 }, 101, 5000);
    expect(b).to.have.length(101);
    expect(b[100]).to.equal(5000);
    expect(b.slice(0, 100).reduce((a, x) => a + x, 0)).to.equal(1000);
    for (let t = 1; t < 100; t++) expect(b[t]).to.be.at.most(b[t - 1]);
    expect(b[0] / b[9]).to.be.closeTo(10, 1);   // w_t ∝ 1/(t + 1)
    expect(stepBudgets({ kind: "neurips", total: 3 }, 11, 50).slice(0, 10)).to.deep.equal(new Array(10).fill(1));
    expect(stepBudgets({ kind: "converge" }, 3, 50)).to.deep.equal([50, 50, 50]);
  });

  it("the ablations' splits: uniform gives θ_0..θ_{T−1} equal shares, linear w_t ∝ T − t; both add up to the total", () => {
    const uniform = stepBudgets({ kind: "neurips", total: 1000, split: "uniform" }, 11, 5000);
    expect(uniform).to.deep.equal([...new Array(10).fill(100), 5000]);
    const linear = stepBudgets({ kind: "neurips", total: 550, split: "linear" }, 11, 5000);
    expect(linear.slice(0, 10).reduce((a, x) => a + x, 0)).to.equal(550);
    for (let t = 1; t < 10; t++) expect(linear[t - 1] - linear[t], `t = ${t}`).to.be.within(9, 11);   // falls by total/55 ≈ 10 a network
    expect(linear[0] / linear[9]).to.be.closeTo(10, 1.5);
    expect(() => stepBudgets({ kind: "neurips", total: 10, split: "cubic" as "linear" }, 3, 50)).to.throw(/split must be harmonic, uniform, linear/);
  });

  it("the budget is regular Adam's 75th percentile, and says how many runs hit the cap", () => {
    const runs = [10, 20, 30, 40, 1000, 1000].map((steps) => ({ steps, converged: steps < 1000, diverged: false }));
    expect(neuripsTotal(runs)).to.deep.equal({ total: Math.round(percentile([10, 20, 30, 40, 1000, 1000], 75)), capped: 2 });
    expect(percentile([1, 2, 3, 4], 75)).to.equal(3.25);
    expect(percentile([5], 75)).to.equal(5);
  });

  it("Wilson's interval matches published values", () => {
    // Brown, Cai & DasGupta (2001) / any table: 0 of 10 → [0, 0.2775]; 5 of 10 → [0.2366, 0.7634]
    const a = wilson(0, 10), b = wilson(5, 10);
    expect(a.low).to.equal(0);
    expect(a.high).to.be.closeTo(0.2775, 1e-4);
    expect(b.low).to.be.closeTo(0.2366, 1e-4);
    expect(b.high).to.be.closeTo(0.7634, 1e-4);
    const s = summarize([
      { success: true, diverged: false, converged: true, steps: 10, stepsToSuccess: 8, pixelError: 0.1 },
      { success: false, diverged: true, converged: false, steps: 30, stepsToSuccess: null, pixelError: 0.3 },
    ]);
    expect(s).to.include({ trials: 2, successes: 1, successRate: 0.5, diverged: 1, converged: 1, stepsToSuccessP75: 8, pixelErrorMedian: 0.2 });
  });
});
