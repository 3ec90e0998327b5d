// Regions per second for full enumeration inside [−1, 1]^k, side by side with Berzins' edge subdivision
// (ICML 2023; PyTorch, float32, on the CPU) run in the same benchmark on the same networks, and projections
// per second onto a polytope in R^10 with 300 constraints, against HiGHS's QP. Networks: PyTorch-default
// initialisation (weights and biases ~ U(±1/√fan_in), the "torch" family) rounded to float32 (so both
// programs see the same function), ReLU hidden layers of the stated widths and one linear output, three
// seeds per size (region counts vary by seed, so a rate is the seeds' total regions over their total time).
// `node dist/bench/geometry.js` prints the tables and writes bench/results/geometry.json.
//
// The peer runs when Python 3 can import torch (Debian: apt-get install python3-torch; $SURF_PYTHON names the
// interpreter) and its code is in
// $SURF_BERZINS_DIR (default ~/.cache/surfing/relu_edge_subdivision): the repository
// arturs-berzins/relu_edge_subdivision on GitHub, commit cf73a29b16c11ada6e6154be676cf5aa1eb9fd8c, cloned
// there (git clone, then git checkout of that commit). It is not part of this repository. bench/berzins.py
// times it (SURF_BERZINS_THREADS torch threads, default 1: ours is one thread) and counts its regions.
// Without it, the peer's figures quoted from an earlier run are printed, marked as quoted, with no ratio.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import highsModule from "highs";
import type { PiecewiseLinearNet } from "../src/geometry/affine.js";
import { enumerateRegions } from "../src/geometry/enumerate.js";
import { project, Projector } from "../src/geometry/project.js";
import { solveQP } from "../src/geometry/qp.js";
import { randomNet } from "../src/geometry/random-net.js";
import { Rng } from "../src/random/rng.js";
import { bestLatencies, machine, table, writeResults } from "./report.js";

const SIZES = [[2, 32, 32], [2, 100, 100], [3, 32, 32], [3, 64, 64], [4, 32, 32], [5, 24, 24], [6, 16, 16], [8, 12, 12]];
/** Berzins' edge subdivision in an earlier run (2026-11-23, another machine): regions and seconds for one network per size. Printed only when the peer cannot run. */
const QUOTED: Record<string, { regions: number; seconds: number }> = {
  "2,32,32": { regions: 795, seconds: 0.045 },
  "2,100,100": { regions: 7049, seconds: 0.79 },
  "3,32,32": { regions: 11512, seconds: 0.21 },
  "3,64,64": { regions: 93425, seconds: 2.5 },
  "4,32,32": { regions: 80487, seconds: 1.3 },
  "6,16,16": { regions: 35227, seconds: 0.89 },
};
const QUOTED_DATE = "2026-11-23";
const SEEDS = Number(process.env.SURF_BENCH_SEEDS ?? 3);
/** Rounds over all tasks; each task's time is its fastest run (this VM's noise only ever slows a run down). */
const ROUNDS = 2;
const PEER_REPEATS = 2;
const PEER_DIR = process.env.SURF_BERZINS_DIR ?? join(homedir(), ".cache", "surfing", "relu_edge_subdivision");
const PEER_THREADS = Number(process.env.SURF_BERZINS_THREADS ?? 1);
const only = process.env.SURF_BENCH_SIZES?.split(";").map((s) => s.trim());
const sizes = only ? SIZES.filter((a) => only.includes(a.join(","))) : SIZES;

interface Row {
  bench: string;
  case: string;
  metric: string;
  value: number;
}

const rows: Row[] = [];
const load = loadavg()[0];

/** The net with every weight rounded to float32. */
function float32(net: PiecewiseLinearNet): PiecewiseLinearNet {
  return { k: net.k, layers: net.layers.map((l) => ({ ...l, W: l.W.map(Math.fround), b: l.b.map(Math.fround) })) };
}

const nets = new Map<string, { arch: number[]; net: PiecewiseLinearNet }>();
for (const arch of sizes) for (let seed = 0; seed < SEEDS; seed++) nets.set(`${arch.join(",")}|${seed}`, { arch: [...arch, 1], net: float32(randomNet([...arch, 1], "torch", `bench-geometry-${seed}`)) });

// Size by size, the peer then ours, so that both run under the same load (this machine's load drifts).
const peer = new Map<string, { seconds: number; regions: number }>();
/** A Python 3 that can import torch: $SURF_PYTHON, else python3 on the PATH, else Debian's (a pyenv python3 may shadow it). */
const python = [process.env.SURF_PYTHON, "python3", "/usr/bin/python3"].find((p) => p && spawnSync(p, ["-c", "import torch"]).status === 0);
const peerReady = existsSync(join(PEER_DIR, "edge_subdivision.py")) && python !== undefined;
if (!peerReady) process.stderr.write(`Berzins' edge subdivision is not installed (${PEER_DIR}, python3 with torch): printing its figures quoted from ${QUOTED_DATE}\n`);
const dir = mkdtempSync(join(tmpdir(), "surf-bench-")), file = join(dir, "nets.json");
const script = fileURLToPath(new URL("../../bench/berzins.py", import.meta.url));
const counts = new Map<string, number>(), enumTimes = new Map<string, number>();
for (const arch of sizes) {
  const ofSize = [...nets].filter(([name]) => name.startsWith(`${arch.join(",")}|`));
  if (peerReady) {
    // Without the linear output layer: the peer cuts by every layer's neurons, the output's too (its zero set is
    // the surface it extracts), which would add regions and work that the regions of G do not have.
    writeFileSync(file, JSON.stringify(ofSize.map(([name, { arch: a, net }]) => {
      const hidden = net.layers.slice(0, -1);
      return { name, arch: a.slice(0, -1), W: hidden.map((l) => Array.from(l.W)), b: hidden.map((l) => Array.from(l.b)) };
    })));
    process.stderr.write(`[${arch.join(",")}] Berzins' edge subdivision (${PEER_THREADS} torch thread${PEER_THREADS === 1 ? "" : "s"})…\n`);
    const run = spawnSync(python!, [script, PEER_DIR, file, String(PEER_THREADS), String(PEER_REPEATS)], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`bench/berzins.py failed (${run.status}): ${run.stderr}`);
    for (const line of run.stdout.trim().split("\n")) {
      const r = JSON.parse(line) as { name: string; seconds: number; regions: number };
      peer.set(r.name, r);
    }
  }
  // Ours: two timed runs per network, no warm-up run (a network takes up to seconds; the JIT warms on the first sizes).
  const enumeration = new Bench({ time: 0, iterations: 2, warmupIterations: 0, warmupTime: 0 });
  for (const [name, { net }] of ofSize) {
    enumeration.add(name, () => {
      counts.set(name, enumerateRegions(net, { box: 1 }).count);
    });
  }
  for (const [name, ms] of await bestLatencies(enumeration, 1, "min")) enumTimes.set(name, ms);
}
for (const arch of sizes) {
  const size = `[${arch.join(",")}]`;
  let total = 0, time = 0, peerTotal = 0, peerTime = 0;
  for (let seed = 0; seed < SEEDS; seed++) {
    const name = `${arch.join(",")}|${seed}`;
    total += counts.get(name)!;
    time += enumTimes.get(name)! / 1000;
    const p = peer.get(name);
    if (p) {
      peerTotal += p.regions;
      peerTime += p.seconds;
      if (p.regions !== counts.get(name)) process.stderr.write(`${size} seed ${seed}: Berzins finds ${p.regions} regions, we find ${counts.get(name)}\n`);
    }
  }
  const ours = total / time;
  rows.push(
    { bench: "enumerate", case: size, metric: "regions (mean of seeds)", value: total / SEEDS },
    { bench: "enumerate", case: size, metric: "ours s (mean)", value: time / SEEDS },
    { bench: "enumerate", case: size, metric: "ours regions/s", value: ours },
  );
  if (peerReady) {
    rows.push(
      { bench: "enumerate", case: size, metric: "Berzins regions (mean)", value: peerTotal / SEEDS },
      { bench: "enumerate", case: size, metric: "Berzins s (mean)", value: peerTime / SEEDS },
      { bench: "enumerate", case: size, metric: "Berzins regions/s", value: peerTotal / peerTime },
      { bench: "enumerate", case: size, metric: "ours / Berzins", value: ours / (peerTotal / peerTime) },
    );
  } else if (QUOTED[arch.join(",")]) {
    const q = QUOTED[arch.join(",")];
    rows.push({ bench: "enumerate", case: size, metric: `Berzins regions/s (quoted, ${QUOTED_DATE})`, value: q.regions / q.seconds });
  }
}

// Projection onto {z : C z ≤ d} in R^10, 300 unit rows with 0 inside (d ~ U(0.5, 1.5)), of points y ~ N(0, 4I).
const k = 10, m = 300, rng = Rng.derive("bench-geometry-projection");
const C = new Float64Array(m * k), d = new Float64Array(m);
for (let i = 0; i < m; i++) {
  const row = C.subarray(i * k, (i + 1) * k);
  rng.fillNormal(row);
  const norm = Math.hypot(...row);
  for (let l = 0; l < k; l++) row[l] /= norm;
  d[i] = rng.uniformIn(0.5, 1.5);
}
const P = { dim: k, rows: m, C, d };
const points = Array.from({ length: 64 }, () => Float64Array.from({ length: k }, () => 4 * rng.normal()));
const projector = new Projector(P);
let next = 0, highsFailures = 0;
const highs = await (highsModule as unknown as typeof highsModule.default)();
const inf = highs.infinity;
const starts = Int32Array.from({ length: m + 1 }, (_, i) => i * k), indices = Int32Array.from({ length: m * k }, (_, i) => i % k);
const hessian = { format: "triangular" as const, dimension: k, starts: Int32Array.from({ length: k + 1 }, (_, i) => i), indices: Int32Array.from({ length: k }, (_, i) => i), values: new Float64Array(k).fill(1) };
const qp = highs.createModel();
qp.options.set({ output_flag: false });
const projection = new Bench({ time: 1000, warmupTime: 200 });
projection
  .add("ours: project(P, y) (dual active set, no start needed)", () => void project(P, points[next++ & 63]))
  .add("ours: Projector(P) prepared once, then .project(y)", () => void projector.project(points[next++ & 63]))
  .add("ours, primal active set from an interior point", () => void solveQP({ n: k, H: "identity", g: Float64Array.from(points[next++ & 63], (v) => -v), m, C, d }, new Float64Array(k)))
  .add("HiGHS QP (highs 1.15.3, WebAssembly)", () => {
    const y = points[next++ & 63];
    qp.passModel({
      numCols: k, numRows: m, colCost: Float64Array.from(y, (v) => -v), colLower: new Float64Array(k).fill(-inf), colUpper: new Float64Array(k).fill(inf),
      rowLower: new Float64Array(m).fill(-inf), rowUpper: d, matrix: { format: "csr", numRows: m, numCols: k, starts, indices, values: C }, hessian,
    });
    qp.clearSolver(); // a hot start from the previous point's solution fails (status −1)
    try {
      qp.run();
    } catch {
      highsFailures++; // HiGHS's QP solver fails outright on some of these problems (see test/geometry/highs.ts)
    }
  });
const projTimes = await bestLatencies(projection, ROUNDS, "min");
for (const [name, ms] of projTimes) {
  rows.push({ bench: "project k=10 m=300", case: name, metric: "ms/call", value: ms }, { bench: "project k=10 m=300", case: name, metric: "calls/s", value: 1000 / ms });
}
qp.dispose();
if (highsFailures > 0) process.stderr.write(`HiGHS failed on ${highsFailures} of its projections (timed all the same)\n`);

const fmt = (r: Row) => (r.metric.includes("/ Berzins") ? `${r.value.toFixed(2)}×` : r.value >= 100 ? Math.round(r.value).toString() : r.value.toPrecision(3));
const peerNote = peerReady
  ? `Berzins' edge subdivision run side by side (bench/berzins.py, ${PEER_THREADS} torch thread${PEER_THREADS === 1 ? "" : "s"}, best of ${PEER_REPEATS})`
  : `Berzins' figures QUOTED from ${QUOTED_DATE} (another machine, one network per size): no ratio`;
console.log(`Full enumeration in [−1, 1]^k, torch-initialised nets (float32 weights), ${SEEDS} seeds per size — ${machine()}, load average ${load.toFixed(2)} at the start\n${peerNote}\n`);
const enumRows = rows.filter((r) => r.bench === "enumerate");
console.log(table(enumRows, (r) => r.case, (r) => r.metric, fmt));
console.log(`\nProjection onto a polytope in R^${k} with ${m} constraints (goal ≤ 0.1 ms; HiGHS ≈ 16 ms and quadprog ≈ 1 ms when the goal was set)\n`);
console.log(table(rows.filter((r) => r.bench.startsWith("project")), (r) => r.case, (r) => r.metric, fmt));
rows.push({ bench: "run", case: `node dist/bench/geometry.js${only ? ` (SURF_BENCH_SIZES=${only.join(";")})` : ""}; ${machine()}; load average ${load.toFixed(2)}; ${peerNote}`, metric: "load average", value: load });
console.log(`wrote ${writeResults("geometry", rows)}`);
