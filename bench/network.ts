// Forward + backward-in-x of f(x) = ½‖G(x) − y‖² for a batch of trials — the surfing hot path — on the
// k = 20 → 256 → 512 → 784 MLP (ReLU, ReLU, Sigmoid) and the DCGAN generator at width 1/4 (batch norm folded,
// eval mode), batch sizes 1, 32 and 300, WASM vs the TS twin. Prints a table; writes bench/results/network.json.
import { Bench } from "tinybench";
import { createKernels, type Kernels } from "../src/kernels/index.js";
import { Network } from "../src/nn/network.js";
import { dcganGenerator, mlpGenerator } from "../src/nn/architectures.js";
import { Objective } from "../src/objective/objective.js";
import { Identity } from "../src/objective/measurement.js";
import { Rng } from "../src/random/rng.js";
import { bestLatencies, machine, table, writeResults } from "./report.js";

const NETS = { "mlp 20-256-512-784": mlpGenerator(20, [256, 512]), "dcgan ×1/4": dcganGenerator(20, 0.25) };
const BATCHES = [1, 32, 300];
const ROUNDS = 5;

interface Row {
  net: string;
  backend: string;
  batch: number;
  stepsPerSecond: number;
  trialLayersPerSecond: number;
}

const backends: Kernels[] = [await createKernels("wasm"), await createKernels("js")];
const bench = new Bench({ time: 150, warmupTime: 30, iterations: 2 });
const info = new Map<string, { net: string; backend: string; batch: number; layers: number }>();

for (const [name, spec] of Object.entries(NETS)) {
  for (const K of backends) {
    const net = new Network(spec, { kernels: K, seed: "bench" });
    for (const batch of BATCHES) {
      if (K.backend === "js" && batch === 300) continue;   // minutes per step: the twin is the fallback, not the engine
      const rng = Rng.derive("bench-network", batch);
      const objective = new Objective(net.program(batch), new Identity(K, "f32", net.outputSize), Float64Array.from({ length: net.outputSize }, () => rng.uniform()));
      objective.program.setInput(Float32Array.from({ length: batch * 20 }, () => rng.uniformIn(-1, 1)));
      const key = `${name}|${K.backend}|${batch}`;
      bench.add(key, () => void objective.evaluate(batch, true));
      info.set(key, { net: name, backend: K.backend, batch, layers: spec.layers.filter((l) => l.type === "Linear" || l.type.startsWith("Conv")).length });
    }
  }
}

const latency = await bestLatencies(bench, ROUNDS, "p50");
const best = new Map([...latency].map(([name, ms]) => [name, 1000 / ms]));
const rows: Row[] = bench.tasks.map((t) => {
  const i = info.get(t.name)!, steps = best.get(t.name)!;
  return { net: i.net, backend: i.backend, batch: i.batch, stepsPerSecond: steps, trialLayersPerSecond: steps * i.batch * i.layers };
});
console.log(`forward + backward to x, steps/s (trials·layers/s) — best of ${ROUNDS} rounds — ${machine()}\n`);
console.log(table(rows, (r) => `${r.net}, batch ${r.batch}`, (r) => r.backend, (r) => `${r.stepsPerSecond.toFixed(1)} (${(r.trialLayersPerSecond / 1e3).toFixed(1)}k)`));
console.log(`wrote ${writeResults("network", rows)}`);
