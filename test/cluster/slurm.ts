// `npm run test:cluster`: the documented sbatch script (docs/cluster/slurm-sweep.sh) on a live one-node
// Slurm that this test starts and stops. A private munged (its own key and socket), slurmctld and slurmd from
// a slurm.conf in a temporary directory (free ports, this machine's cores and memory); the script submits a
// quick sweep as an array of 3 tasks and the merge after them; the merged summary.json must equal the
// unsharded run's, cell for cell. Needs root and Debian's slurm-wlm and munge (.ci/run installs them);
// without root it skips, saying why. Not part of `npm test`: it is its own npm script, run by .ci/run.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// (not imported from the test files that define them: that would run their tests here too)
const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const SBATCH_SCRIPT = fileURLToPath(new URL("../../../docs/cluster/slurm-sweep.sh", import.meta.url));

/** The sweep: three cells (one per task), two trials each — seconds a cell. */
const SWEEP = ["table1", "--quick", "--trials", "2", "--models", "gan", "--k", "5,10,20"];
const SHARDS = 3;
const DAEMONS = ["/usr/sbin/munged", "/usr/bin/munge", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/scontrol", "/usr/bin/sinfo"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port free now, for the daemons (a Slurm already on this machine keeps its own). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on("error", reject);
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
  const r = spawnSync(command, args, { encoding: "utf8", env, cwd });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe("a sweep under a live Slurm: docs/cluster/slurm-sweep.sh, an array of 3 tasks, then the merge", function () {
  this.timeout(10 * 60 * 1000);
  let dir = "";
  /** The daemons this test started, to stop by PID (the last started first). */
  const started: { name: string; pid: number }[] = [];
  let env: NodeJS.ProcessEnv = {};

  before(async function () {
    if (process.getuid?.() !== 0) {
      console.log("    skipped: the live Slurm test starts munged, slurmctld and slurmd, which needs root (.ci/run runs it as root)");
      this.skip();   // no root: the daemons cannot start (said on the line above)
    }
    const missing = DAEMONS.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`${missing.join(", ")} missing: install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge), as .ci/run does`);
    dir = mkdtempSync(join(tmpdir(), "surfing-slurm-"));
    chmodSync(dir, 0o755);   // munged (as the munge user) must reach its socket directory under it

    // munged: its own key and socket, run as the munge user (it refuses a key or directories others can write)
    const [uid, gid] = ["-u", "-g"].map((f) => Number(run("id", [f, "munge"], process.env).trim()));
    const secret = join(dir, "munge"), socketDir = join(dir, "munge-run"), socket = join(socketDir, "munge.socket");
    for (const [d, mode] of [[secret, 0o700], [socketDir, 0o755]] as const) {
      mkdirSync(d);
      chownSync(d, uid, gid);
      chmodSync(d, mode);
    }
    const key = join(secret, "munge.key");
    writeFileSync(key, randomBytes(1024), { mode: 0o400 });
    chownSync(key, uid, gid);
    const mungePid = join(socketDir, "munged.pid");
    run("runuser", ["-u", "munge", "--", "/usr/sbin/munged", `--socket=${socket}`, `--key-file=${key}`, `--log-file=${join(secret, "munged.log")}`,
      `--pid-file=${mungePid}`, `--seed-file=${join(secret, "munged.seed")}`], process.env);
    started.push({ name: "munged", pid: Number(readFileSync(mungePid, "utf8").trim()) });
    const credential = spawnSync("munge", ["-n", "-S", socket], { encoding: "utf8" });
    const decoded = spawnSync("unmunge", ["-S", socket], { input: credential.stdout, encoding: "utf8" });
    expect(decoded.stdout, decoded.stderr).to.match(/STATUS:\s+Success/);

    // slurmctld and slurmd: one node, this machine, from a slurm.conf of its own
    const host = run("hostname", ["-s"], process.env).trim(), [ctldPort, dPort] = [await freePort(), await freePort()];
    for (const d of ["state", "spool", "log"]) mkdirSync(join(dir, d));
    const conf = join(dir, "slurm.conf");
    writeFileSync(conf, [
      "ClusterName=surftest", `SlurmctldHost=${host}`, `SlurmctldPort=${ctldPort}`, `SlurmdPort=${dPort}`,
      "AuthType=auth/munge", `AuthInfo=socket=${socket}`, "CredType=cred/munge", "SlurmUser=root", "SlurmdUser=root",
      `StateSaveLocation=${join(dir, "state")}`, `SlurmdSpoolDir=${join(dir, "spool")}`,
      `SlurmctldPidFile=${join(dir, "slurmctld.pid")}`, `SlurmdPidFile=${join(dir, "slurmd.pid")}`,
      `SlurmctldLogFile=${join(dir, "log", "ctld.log")}`, `SlurmdLogFile=${join(dir, "log", "d.log")}`,
      "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "SwitchType=switch/none", "MpiDefault=none", "ReturnToService=2",
      "SchedulerType=sched/backfill", "SelectType=select/cons_tres", "SelectTypeParameters=CR_Core",
      "JobAcctGatherType=jobacct_gather/none", "AccountingStorageType=accounting_storage/none",
      `NodeName=${host} CPUs=${availableParallelism()} RealMemory=${Math.floor((totalmem() / 2 ** 20) * 0.9)} State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    ].join("\n") + "\n");
    env = { ...process.env, SLURM_CONF: conf };
    for (const v of Object.keys(env)) if (/^(SLURM_(?!CONF$)|SBATCH_|JOB_COMPLETION_INDEX$|SURF_SHARDS$)/.test(v)) delete env[v];
    for (const daemon of ["slurmctld", "slurmd"]) {
      run(`/usr/sbin/${daemon}`, [], env);   // each forks, and writes its pid file
      const pidFile = join(dir, `${daemon}.pid`);
      for (let t = 0; !existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === ""; t++) {
        if (t > 100) throw new Error(`${daemon} wrote no ${pidFile}: ${readFileSync(join(dir, "log", daemon === "slurmd" ? "d.log" : "ctld.log"), "utf8").slice(-2000)}`);
        await sleep(100);
      }
      started.push({ name: daemon, pid: Number(readFileSync(pidFile, "utf8").trim()) });
    }
    for (let t = 0; spawnSync("sinfo", ["-h", "-o", "%T"], { encoding: "utf8", env }).stdout.trim() !== "idle"; t++) {
      if (t > 120) throw new Error(`the node never became idle: ${spawnSync("sinfo", [], { encoding: "utf8", env }).stdout}`);
      await sleep(500);
    }
  });

  after(async () => {
    for (const { name, pid } of started.reverse()) {
      if (!alive(pid)) continue;
      process.kill(pid, "SIGTERM");
      for (let t = 0; alive(pid) && t < 150; t++) await sleep(100);
      if (alive(pid)) {
        console.log(`    ${name} (PID ${pid}) did not stop on SIGTERM: SIGKILL`);
        process.kill(pid, "SIGKILL");
      }
    }
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("3 array tasks (one core each) and the merge job after them: the merged summary.json equals the unsharded run's, cell for cell", async () => {
    const whole = join(dir, "whole"), out = join(dir, "runs", "table1");
    let t0 = Date.now();
    run(process.execPath, [MAIN, "reproduce", ...SWEEP, "--workers", "1", "--out", whole], env);
    const unsharded = (Date.now() - t0) / 1000;

    t0 = Date.now();
    const submitted = run("bash", [SBATCH_SCRIPT, "--cpus-per-task=1", String(SHARDS), SWEEP[0], out, ...SWEEP.slice(1)], { ...env, SURF: `${process.execPath} ${MAIN}` }, dir);
    const m = /^submitted: array job (\d+) \(3 shards of table1 into .*\), merge job (\d+) after it\n$/.exec(submitted);
    expect(m, submitted).to.not.equal(null);
    const [array, merge] = [m![1], m![2]];
    const state = (job: string) => [...run("scontrol", ["show", "job", "-o", job], env).matchAll(/JobState=(\S+)/g)].map((x) => x[1]);
    const logs = () => readdirSync(dir).filter((f) => f.endsWith(".out")).map((f) => `${f}:\n${readFileSync(join(dir, f), "utf8").slice(-1500)}`).join("\n");
    for (let t = 0; ; t++) {
      const s = state(merge)[0];
      if (s === "COMPLETED") break;
      if (!["PENDING", "RUNNING", "COMPLETING", "CONFIGURING"].includes(s) || t > 8 * 60) {
        throw new Error(`merge job ${merge}: ${s}; array tasks: ${state(array).join(", ")}\n${logs()}`);
      }
      await sleep(1000);
    }
    const underSlurm = (Date.now() - t0) / 1000;
    console.log(`    unsharded run ${unsharded.toFixed(0)} s; under Slurm, submitted to merged ${underSlurm.toFixed(0)} s`);

    expect(state(array)).to.deep.equal(["COMPLETED", "COMPLETED", "COMPLETED"]);
    for (let i = 1; i <= SHARDS; i++) {
      const log = readFileSync(join(dir, `table1-${array}_${i}.out`), "utf8");
      // --cpus-per-task became --workers; the task's shard came from the array's variables
      expect(log).to.include(`reproduce table1 --shard auto --workers 1 --out ${out} --quick`);
      expect(log).to.include(`surf: --shard auto: shard ${i}/3 (SLURM_ARRAY_TASK_ID=${i}, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_MAX=3, SLURM_ARRAY_TASK_COUNT=3`);
    }
    expect(readFileSync(join(dir, `table1-merge-${merge}.out`), "utf8")).to.equal(`+ ${process.execPath} ${MAIN} merge --sweep table1 ${out}\nwrote ${join(out, "report.html")}\n`);
    // each task wrote only its own subdirectory; the merge wrote OUT's report
    expect(readdirSync(out).sort()).to.deep.equal(["report.html", "results.jsonl.gz", "shard-1-of-3", "shard-2-of-3", "shard-3-of-3", "summary.json"]);
    const [merged, expected] = [out, whole].map((d) => JSON.parse(readFileSync(join(d, "summary.json"), "utf8")) as { cells: { id: string }[] });
    expect(merged.cells.map((c) => c.id)).to.deep.equal(["table1/gan/k5", "table1/gan/k10", "table1/gan/k20"]);
    for (const [j, cell] of merged.cells.entries()) expect(cell, cell.id).to.deep.equal(expected.cells[j]);
    expect(merged).to.deep.equal(expected);
  });
});
