// The cost of full-width cells (width 1: the paper's DCGAN, Song, Fan & Lafferty 2019, Section 4). Two steps
// at dcgan widths ¼, ½ and 1, ours and PyTorch's in the same run, interleaved:
//
//  train   one generator update of the gan procedure (src/train/gan.ts): a discriminator step on a real
//          and a fake batch, then the generator's step through the discriminator; DCGAN generator and
//          discriminator at the width, batch 64, k = 20, Adam (lr 2e-4, β = (0.5, 0.999)), Fashion-MNIST.
//  invert  one step of `surf invert`'s inner loop (src/surf/descent.ts): Adam on the B = 300 latents, then
//          f_b = ½‖G(x_b) − y_b‖² and ∇ₓf for all of them (the generator in eval mode, batch norm folded on
//          our side), y_b = G(x*_b) for x*_b uniform on [−1, 1]^20.
//
// The peer is bench/peer/torch_step.py on /usr/bin/python3 (Debian's python3-torch): the same networks,
// built from our architecture and loaded with our initial weights, with torch.set_num_threads(1) (and 2 or
// more when asked: on a machine whose cores are busy, PyTorch's spinning OpenMP threads make that far slower).
// Debian's torch multiplies its Linear layers in the system's libblas.so.3 — the reference BLAS unless an
// optimized one is installed — so the peer loads Debian's OpenBLAS (libopenblas0-pthread) when it is there,
// and --blas openblas,system runs both.
// When torch does not import, the peer is skipped and the reason printed. With --baseline DIR, another build
// of this repository (a checkout of an earlier commit after `npm ci && npm run build`) runs the same steps
// in a child process, so that a speed-up is measured side by side too.
//
// Each round times every runner on every task (the order of the runners flipped every other round, so that
// a drift in this shared machine's load falls on all alike); a task's figure is its fastest round's median
// step. Ratios are speed ratios (> 1: ours is faster) of numbers measured in this run only: for each round the
// ratio of the two runners' median steps in that round, and the median of those over the rounds. CPU ms are
// the process's CPU time per step (all its threads), less sensitive to the load than wall time. With helper
// threads (--workers 2), the main thread's CPU time per step is printed too (Linux): with a core for every
// thread a step takes that plus the main thread's waits for the helpers, so one thread's CPU time over it
// bounds the speed-up from above — on a shared machine the threads may not get those cores (Linux's autogroup
// scheduling gives one terminal session one share of the CPU however many threads it runs).
//
//   node dist/bench/step.js [--rounds 3] [--widths 0.25,0.5,1] [--tasks train,invert] [--threads 1]
//                           [--blas openblas|system|openblas,system] [--baseline DIR] [--workers 1]
// Prints a table; writes bench/results/step.json with the machine, the load and every round.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import { machine, table, writeResults } from "./report.js";

type TaskKind = "train" | "invert";
const LATENT = 20, TRAIN_BATCH = 64, INVERT_BATCH = 300;
const PYTHON = "/usr/bin/python3";
/** Debian's libopenblas0-pthread: a libblas.so.3 the peer loads instead of the system's (LD_LIBRARY_PATH). */
const OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
const SYSTEM_BLAS = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
const PEER_SCRIPT = fileURLToPath(new URL("../../bench/peer/torch_step.py", import.meta.url));
const THIS_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The modules a step needs, from the dist/ of the build at `root` (this one, or a baseline's). */
async function library(root: string) {
  const at = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, "dist", path)).href) as Promise<T>;
  return {
    ...(await at<typeof import("../src/data/fashion-mnist.js")>("src/data/fashion-mnist.js")),
    ...(await at<typeof import("../src/kernels/index.js")>("src/kernels/index.js")),
    ...(await at<typeof import("../src/nn/architectures.js")>("src/nn/architectures.js")),
    ...(await at<typeof import("../src/nn/network.js")>("src/nn/network.js")),
    ...(await at<typeof import("../src/objective/measurement.js")>("src/objective/measurement.js")),
    ...(await at<typeof import("../src/objective/objective.js")>("src/objective/objective.js")),
    ...(await at<typeof import("../src/optim/optimizer.js")>("src/optim/optimizer.js")),
    ...(await at<typeof import("../src/random/rng.js")>("src/random/rng.js")),
    ...(await at<typeof import("../src/train/config.js")>("src/train/config.js")),
    ...(await at<typeof import("../src/train/hyperparameters.js")>("src/train/hyperparameters.js")),
    ...(await at<typeof import("../src/train/run.js")>("src/train/run.js")),
  };
}
type Library = Awaited<ReturnType<typeof library>>;

/** What a runner is asked to time: a task at a width, and (ours) with how many workers. */
interface TaskSpec {
  kind: TaskKind;
  width: number;
  /** Steps timed per round (about 4–5 s of work on an idle core at any width). */
  iterations: number;
  workers: number;
}

/** One of our tasks, built: its step, and what the PyTorch peer needs to build the same. */
interface Task {
  step: () => void;
  peerSetup: Record<string, unknown>;
  free: () => void;
}

/** Every parameter and buffer of the networks as float32, in state_dict order: the peer loads them. */
function weightsFile(dir: string, name: string, nets: { params: { values: ArrayLike<number> }[] }[]): string {
  const values = nets.flatMap((net) => net.params.flatMap((p) => Array.from(p.values)));
  const path = join(dir, `${name}.f32`);
  writeFileSync(path, new Uint8Array(Float32Array.from(values).buffer));
  return path;
}

let images: ReturnType<Library["loadFashionMnist"]>["train"] | undefined;

async function buildTask(lib: Library, spec: TaskSpec, dir: string): Promise<Task> {
  if (spec.kind === "train") {
    images ??= lib.loadFashionMnist({ log: (m) => process.stderr.write(`${m}\n`) }).train;
    const config = lib.makeConfig({ model: "gan", width: spec.width, latent: LATENT, batch: TRAIN_BATCH, seed: "bench-step" });
    // `surf train --workers N`: kernels on N threads (the same results)
    const K = spec.workers > 1 ? await lib.createKernels("wasm", { threads: spec.workers }) : undefined;
    const proc = lib.createProcedure(config, images, K);
    const hyper = lib.HYPERPARAMETERS.gan.optimizer;
    let step = 0;
    return {
      step: () => void proc.step(++step),
      peerSetup: {
        kind: "train", generator: lib.generatorSpec(config), partner: lib.partnerSpec(config), weights: weightsFile(dir, `train-${spec.width}`, [proc.generator, proc.partner]),
        batch: config.batch, latent: config.latent, lr: hyper.lr, beta1: hyper.beta1, beta2: hyper.beta2,
      },
      free: () => {
        proc.free();
        K?.close();
      },
    };
  }
  const net = new lib.Network(lib.dcganGenerator(LATENT, spec.width), { seed: "bench-step" });
  const rng = lib.Rng.derive("bench-step", spec.width);
  const program = net.program(INVERT_BATCH, "eval");
  program.setInput(Float32Array.from({ length: INVERT_BATCH * LATENT }, () => rng.uniformIn(-1, 1)));
  program.forward(INVERT_BATCH);
  const objective = new lib.Objective(program, new lib.Identity(net.kernels, "f32", net.outputSize), program.readOutput(INVERT_BATCH));
  program.setInput(Float32Array.from({ length: INVERT_BATCH * LATENT }, () => rng.uniformIn(-1, 1)));
  const adam = lib.createOptimizer(objective, { kind: "adam" });
  objective.evaluate(INVERT_BATCH, true);
  return {
    step: () => {
      adam.step(INVERT_BATCH);
      objective.evaluate(INVERT_BATCH, true);
    },
    peerSetup: { kind: "invert", generator: net.spec, weights: weightsFile(dir, `invert-${spec.width}`, [net]), batch: INVERT_BATCH, latent: LATENT, lr: lib.DEFAULTS.adamLr },
    free: () => {
      adam.free();
      objective.free();
      net.free();
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * This process's main thread's CPU ms so far (Linux /proc; undefined elsewhere): with helper threads, the
 * critical path of a step when every thread has a core of its own — which on a shared machine it may not.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS);   // utime + stime
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

interface Timed {
  /** Median wall ms per step, the process's CPU ms per step (all threads) and its main thread's (ours only). */
  p50: number;
  cpuMs: number;
  mainCpuMs?: number;
}

/** A step's times (tinybench for the wall), warm-up steps first. */
async function time(step: () => void, iterations: number, warmup: number): Promise<Timed> {
  const bench = new Bench({ iterations, time: 0, warmupIterations: warmup, warmupTime: 0, warmup: warmup > 0 });
  bench.add("step", step);
  const cpu = process.cpuUsage(), main = mainThreadCpuMs();
  await bench.run();
  const used = process.cpuUsage(cpu), mainAfter = mainThreadCpuMs(), r = bench.tasks[0].result;
  if (r.state !== "completed") throw new Error(`step: ${r.state} ${"error" in r ? String(r.error) : ""}`);
  const steps = iterations + warmup;
  return { p50: r.latency.p50, cpuMs: (used.user + used.system) / 1000 / steps, mainCpuMs: main === undefined || mainAfter === undefined ? undefined : (mainAfter - main) / steps };
}

/** A runner in a child process, spoken to in JSON lines (bench/peer/torch_step.py describes the protocol). */
class Child {
  private readonly lines: AsyncIterableIterator<string>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static start(command: string, args: string[], env: Record<string, string> = {}): Child {
    return new Child(spawn(command, args, { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } }) as unknown as ChildProcessWithoutNullStreams);
  }

  async ask<T>(message: Record<string, unknown>): Promise<T> {
    this.child.stdin.write(JSON.stringify(message) + "\n");
    const line = await this.lines.next();
    if (line.done) throw new Error(`a benchmark child process exited (code ${this.child.exitCode})`);
    return JSON.parse(line.value) as T;
  }

  quit(): void {
    this.child.stdin.end(JSON.stringify({ op: "quit" }) + "\n");
  }
}

/** --serve ROOT: run our steps from the build at ROOT for a parent bench (the baseline runner). */
async function serve(root: string): Promise<void> {
  const lib = await library(root), dir = mkdtempSync(join(tmpdir(), "surfing-bench-step-")), tasks = new Map<string, Task>();
  for await (const line of createInterface({ input: process.stdin })) {
    const m = JSON.parse(line) as { op: string; id: string; spec: TaskSpec; iterations: number; warmup: number };
    if (m.op === "quit") break;
    let reply: unknown;
    if (m.op === "setup") {
      tasks.set(m.id, await buildTask(lib, m.spec, dir));
      reply = { ok: true };
    } else {
      reply = await time(tasks.get(m.id)!.step, m.iterations, m.warmup);
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
  }
  for (const t of tasks.values()) t.free();
  rmSync(dir, { recursive: true, force: true });
}

interface Runner {
  name: string;
  /** Prepare task `id` (spec, and our build of it for the peer's weights). */
  setup(id: string, spec: TaskSpec, ours: Task): Promise<void>;
  time(id: string, spec: TaskSpec, warmup: number): Promise<Timed>;
  quit(): void;
}

/** The benchmark as a script, read top to bottom (long on purpose): our builds, the peers, interleaved rounds, the table and the JSON. */
async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" }, widths: { type: "string", default: "0.25,0.5,1" }, tasks: { type: "string", default: "train,invert" },
      threads: { type: "string", default: "1" }, blas: { type: "string" }, baseline: { type: "string" }, workers: { type: "string", default: "1" }, serve: { type: "string" },
    },
  });
  if (opts.serve !== undefined) return serve(opts.serve);
  const rounds = Number(opts.rounds), widths = opts.widths!.split(",").map(Number), kinds = opts.tasks!.split(",") as TaskKind[];
  const threads = opts.threads!.split(",").map(Number), workers = opts.workers!.split(",").map(Number);
  const blasVariants = (opts.blas ?? (existsSync(join(OPENBLAS_DIR, "libblas.so.3")) ? "openblas" : "system")).split(",");
  const systemBlas = existsSync(SYSTEM_BLAS) ? realpathSync(SYSTEM_BLAS) : "none";
  const lib = await library(THIS_ROOT), dir = mkdtempSync(join(tmpdir(), "surfing-bench-step-"));

  // Our builds of each task: one per worker count (training only: inversion here is one thread).
  const specs: TaskSpec[] = [];
  for (const width of widths) {
    for (const kind of kinds) {
      for (const w of kind === "train" ? workers : [1]) specs.push({ kind, width, iterations: Math.ceil((kind === "train" ? 4 : 5) / width), workers: w });
    }
  }
  const label = (s: TaskSpec) => `${s.kind} ×${s.width}`;
  const ours = new Map<TaskSpec, Task>();
  for (const s of specs) ours.set(s, await buildTask(lib, s, dir));
  const runners: Runner[] = [...new Set(specs.map((s) => s.workers))].map((w) => ({
    name: w === 1 ? "ours" : `ours, ${w} workers`,
    setup: async () => {},
    time: (_id: string, spec: TaskSpec, warmup: number) => time(ours.get(spec)!.step, spec.iterations, warmup),
    quit: () => {},
  }));
  const applies = (r: Runner, s: TaskSpec) => (r.name === "ours" ? s.workers === 1 : r.name.startsWith("ours,") ? r.name === `ours, ${s.workers} workers` : s.workers === 1);

  if (opts.baseline !== undefined) {
    const root = resolve(opts.baseline), child = Child.start(process.execPath, [fileURLToPath(import.meta.url), "--serve", root]);
    runners.push({
      name: "baseline",
      setup: async (id, spec) => void (await child.ask({ op: "setup", id, spec })),
      time: (id, spec, warmup) => child.ask({ op: "time", id, iterations: spec.iterations, warmup }),
      quit: () => child.quit(),
    });
  }
  const probe = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  const peerSkipped = probe.error ? `${PYTHON} did not run (${probe.error.message})`
    : probe.status !== 0 ? `${PYTHON} -c "import torch" failed: ${probe.stderr.trim().split("\n").pop()}` : undefined;
  const torchVersion = peerSkipped ? undefined : probe.stdout.trim();
  if (peerSkipped) process.stderr.write(`PyTorch peer skipped: ${peerSkipped}\n`);
  else {
    // One peer process per BLAS and thread count: Debian's torch does its Linear layers in whatever libblas.so.3
    // the system links (the reference BLAS unless an optimized one is installed: 2 GFLOP/s against OpenBLAS's
    // 30 on this machine's 64×6272×1024), so the BLAS is named in the runner's label.
    for (const blas of blasVariants) {
      for (const t of threads) {
        const env: Record<string, string> = { OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) };
        if (blas === "openblas") env.LD_LIBRARY_PATH = OPENBLAS_DIR;
        const peer = Child.start(PYTHON, [PEER_SCRIPT], env);
        const ready = new Set<string>();
        runners.push({
          name: `PyTorch ${t} thread${t > 1 ? "s" : ""}, ${blas === "openblas" ? "OpenBLAS" : `system BLAS`}`,
          setup: async (id, _spec, task) => {
            if (!ready.has(id)) await peer.ask({ op: "setup", id, ...task.peerSetup });
            ready.add(id);
          },
          time: (id, spec, warmup) => peer.ask({ op: "time", id, threads: t, iterations: spec.iterations, warmup }),
          quit: () => peer.quit(),
        });
      }
    }
  }
  const ids = new Map(specs.map((s, i) => [s, `t${i}`]));
  for (const r of runners) for (const s of specs) if (applies(r, s)) await r.setup(ids.get(s)!, s, ours.get(s)!);

  const timings = new Map<string, { ms: number[]; cpuMs: number[]; mainCpuMs: number[] }>();
  const loads: number[] = [loadavg()[0]];
  for (let round = 0; round < rounds; round++) {
    for (const s of specs) {
      for (const r of round % 2 === 0 ? runners : [...runners].reverse()) {
        if (!applies(r, s)) continue;
        process.stderr.write(`round ${round + 1}/${rounds}: ${label(s)}, ${r.name} (load ${loadavg()[0].toFixed(2)})…\n`);
        const { p50, cpuMs, mainCpuMs } = await r.time(ids.get(s)!, s, round === 0 ? 2 : 0);
        const key = `${label(s)}|${r.name}`, tm = timings.get(key) ?? { ms: [], cpuMs: [], mainCpuMs: [] };
        tm.ms.push(p50);
        tm.cpuMs.push(cpuMs);
        if (mainCpuMs !== undefined) tm.mainCpuMs.push(mainCpuMs);
        timings.set(key, tm);
      }
    }
    loads.push(loadavg()[0]);
  }
  for (const r of runners) r.quit();
  for (const t of ours.values()) t.free();
  rmSync(dir, { recursive: true, force: true });

  const rows = [...timings].map(([key, tm]) => {
    const [task, runner] = key.split("|"), ms = Math.min(...tm.ms);
    return { task, runner, ms, stepsPerSecond: 1000 / ms, cpuMs: Math.min(...tm.cpuMs), mainCpuMs: tm.mainCpuMs.length > 0 ? Math.min(...tm.mainCpuMs) : undefined, rounds: tm };
  });
  // A ratio pairs the two runners' times of the same round (measured minutes apart at most, under the same
  // load) and takes the median over the rounds: sturdier than a ratio of two bests when the load drifts.
  const paired = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));
  const ratios = rows.filter((r) => r.runner !== "ours").map((p) => {
    const o = rows.find((r) => r.runner === "ours" && r.task === p.task)!;
    return { task: p.task, versus: p.runner, speed: paired(p.rounds.ms, o.rounds.ms), cpu: paired(p.rounds.cpuMs, o.rounds.cpuMs) };
  });
  // With helper threads: one thread's CPU per step over the main thread's. With a core for each thread a step
  // takes the main thread's CPU time plus its waits for the helpers' parts, so this bounds the speed-up from
  // above; the wall-time ratio is what this machine gave.
  const criticalPath = rows.filter((r) => r.runner.startsWith("ours,") && r.rounds.mainCpuMs.length === r.rounds.ms.length).map((p) => {
    const o = rows.find((r) => r.runner === "ours" && r.task === p.task)!;
    return { task: p.task, runner: p.runner, mainThread: paired(o.rounds.cpuMs, p.rounds.mainCpuMs) };
  });
  const cores = cpus().length;
  console.log(`dcgan steps: train = one gan generator update (batch ${TRAIN_BATCH}), invert = one Adam step of ½‖G(x) − y‖² (B = ${INVERT_BATCH}); fastest of ${rounds} rounds' median — ${machine()}`);
  console.log(`1-minute load average at the start and after each round: ${loads.map((l) => l.toFixed(2)).join(", ")} (${cores} cores, shared); ` +
    (peerSkipped ? `PyTorch peer skipped: ${peerSkipped}` : `PyTorch ${torchVersion} (${PYTHON}; OpenBLAS: ${OPENBLAS_DIR}, system BLAS: ${systemBlas})`) + (opts.baseline ? `; baseline: the build in ${resolve(opts.baseline)}` : "") + "\n");
  console.log(table(rows, (r) => r.task, (r) => r.runner, (r) => `${r.ms.toFixed(1)} ms, CPU ${r.cpuMs.toFixed(1)}` + (r.runner.startsWith("ours,") && r.mainCpuMs !== undefined ? ` (main ${r.mainCpuMs.toFixed(0)})` : "")));
  if (ratios.length > 0) {
    console.log(`\nspeed of ours (1 worker) over each other runner: the median over rounds of the ratio of the two runners' times in the same round, wall (CPU); > 1: ours is faster\n`);
    console.log(table(ratios, (r) => r.task, (r) => `vs ${r.versus}`, (r) => `${r.speed.toFixed(2)}× (${r.cpu.toFixed(2)}×)`));
  }
  if (criticalPath.length > 0) {
    console.log(`\nwith helper threads: ours' CPU ms per step on one thread over the main thread's with helpers (median over rounds): an upper\nbound of the speed-up with a core for each thread (the main thread also waits for the helpers' parts)\n`);
    console.log(table(criticalPath, (r) => r.task, (r) => r.runner, (r) => `${r.mainThread.toFixed(2)}×`));
  }
  console.log(`wrote ${writeResults("step", { machine: machine(), cores, load: loads, torch: torchVersion ?? { skipped: peerSkipped }, blas: { openblas: OPENBLAS_DIR, system: systemBlas }, baseline: opts.baseline ? resolve(opts.baseline) : null, rows, ratios, criticalPath })}`);
}

await main();
