// Training throughput on Fashion-MNIST: each procedure (VAE, GAN, WGAN, WGAN-GP) with the dcgan
// architecture at the default width (or the widths given; the partner at its default fraction of it), batch 64, WASM kernels: mean time per
// generator update over a few hundred of them (tinybench), the cost of one checkpoint (generator file,
// sample grid and state), and from those the time of a full T = 100 sequence (4,000 steps, 101
// checkpoints). Prints a table; writes bench/results/train.json with the machine and its load.
//
//   node dist/bench/train.js [steps per model = 200] [widths = default] [models = all]
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { loadFashionMnist } from "../src/data/fashion-mnist.js";
import { CheckpointSequence } from "../src/nn/files.js";
import { DEFAULT_EVERY, DEFAULT_STEPS, DEFAULT_WIDTH, makeConfig } from "../src/train/config.js";
import { GRID_SIDE, sampleGrid } from "../src/train/grid.js";
import { HYPERPARAMETERS, MODEL_KINDS, type ModelKind } from "../src/train/hyperparameters.js";
import { createProcedure } from "../src/train/run.js";
import { saveState } from "../src/train/state.js";
import { machine, table, writeResults } from "./report.js";

const STEPS = Number(process.argv[2] ?? 200);
const WIDTHS = process.argv[3] ? process.argv[3].split(",").map(Number) : [DEFAULT_WIDTH];
const MODELS = (process.argv[4] ? process.argv[4].split(",") : MODEL_KINDS) as ModelKind[];
const CHECKPOINT_REPEATS = 3;
const SEQUENCE_STEPS = DEFAULT_STEPS, SEQUENCE_CHECKPOINTS = DEFAULT_STEPS / DEFAULT_EVERY + 1;

interface Row {
  model: ModelKind;
  width: number;
  /** The encoder's, discriminator's or critic's width. */
  criticWidth: number;
  batch: number;
  stepsMeasured: number;
  msPerStep: number;
  /** CPU time of this thread per step: what a step costs on an idle core (the machine is shared). */
  cpuMsPerStep: number;
  imagesPerSecond: number;
  msPerCheckpoint: number;
  sequenceMinutes: number;
  /** The same from CPU time. */
  sequenceCpuMinutes: number;
  loadBefore: number;
  loadAfter: number;
}

const data = loadFashionMnist({ log: (m) => process.stderr.write(`${m}\n`) }).train;
const scratch = mkdtempSync(join(tmpdir(), "surfing-bench-train-"));
const rows: Row[] = [];
for (const width of WIDTHS) {
  for (const model of MODELS) {
    const config = makeConfig({ model, width });
    const proc = createProcedure(config, data);
    let step = 0;
    const bench = new Bench({ iterations: STEPS, time: 0, warmupIterations: 3, warmupTime: 0 });
    bench.add(`${model} ×${width}`, () => void proc.step(++step));
    const loadBefore = loadavg()[0];
    process.stderr.write(`${model} ×${width}: ${STEPS} steps (load ${loadBefore.toFixed(2)})…\n`);
    const cpu = process.cpuUsage();
    await bench.run();
    const { user, system } = process.cpuUsage(cpu), cpuMsPerStep = (user + system) / 1000 / (STEPS + 3);
    const r = bench.tasks[0].result;
    if (r.state !== "completed") throw new Error(`${model}: ${r.state}`);
    const grid = Array.from({ length: GRID_SIDE * GRID_SIDE }, (_, i) => Float64Array.from({ length: config.latent }, (_, j) => Math.sin(i + j)));
    const began = performance.now(), cpuCheckpoints = process.cpuUsage();
    for (let i = 0; i < CHECKPOINT_REPEATS; i++) {
      CheckpointSequence.write(scratch, proc.generator, i);
      sampleGrid(proc.generator, grid);
      saveState(scratch, proc, i);
    }
    const msPerCheckpoint = (performance.now() - began) / CHECKPOINT_REPEATS;
    const used = process.cpuUsage(cpuCheckpoints), cpuMsPerCheckpoint = (used.user + used.system) / 1000 / CHECKPOINT_REPEATS;
    const msPerStep = r.latency.mean;
    rows.push({
      model, width, criticWidth: config.criticWidth, batch: config.batch, stepsMeasured: STEPS, msPerStep, cpuMsPerStep, imagesPerSecond: (1000 * config.batch) / msPerStep, msPerCheckpoint,
      sequenceMinutes: (SEQUENCE_STEPS * msPerStep + SEQUENCE_CHECKPOINTS * msPerCheckpoint) / 60000,
      sequenceCpuMinutes: (SEQUENCE_STEPS * cpuMsPerStep + SEQUENCE_CHECKPOINTS * cpuMsPerCheckpoint) / 60000,
      loadBefore, loadAfter: loadavg()[0],
    });
    proc.free();
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`training on Fashion-MNIST, dcgan, batch 64: ms per generator update (generator images/s), est. minutes for 4,000 steps + 101 checkpoints — ${machine()}`);
console.log(`1-minute load average before / after each model: ${rows.map((r) => `${r.model} ${r.loadBefore.toFixed(1)}/${r.loadAfter.toFixed(1)}`).join(", ")} (${cpus().length} cores, shared)\n`);
const cells: [string, (r: Row) => string][] = [
  ["ms/step (images/s)", (r) => `${r.msPerStep.toFixed(1)} (${r.imagesPerSecond.toFixed(0)})`],
  ["CPU ms/step", (r) => r.cpuMsPerStep.toFixed(1)],
  ["T = 100 sequence, min", (r) => r.sequenceMinutes.toFixed(1)],
  ["… by CPU time, min", (r) => r.sequenceCpuMinutes.toFixed(1)],
];
const flat = rows.flatMap((r) => cells.map(([column, cell]) => ({ r, column, text: cell(r) })));
console.log(table(flat, (x) => `${x.r.model} ×${x.r.width} (${HYPERPARAMETERS[x.r.model].partner} ×${x.r.criticWidth})`, (x) => x.column, (x) => x.text));
console.log(`wrote ${writeResults("train", { machine: machine(), rows })}`);
