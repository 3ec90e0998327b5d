// --shard auto: the shard from a Slurm job array's or a Kubernetes Indexed Job's variables, as sbatch and the
// Job controller set them (the Slurm ones as a live Slurm 22.05 set them for --array=1-3, 0-8:4, 1,3,7 and 2);
// partial or inconsistent ones refused with one line; the shard's own subdirectory of --out.
import { expect } from "chai";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findShards, inShard, shardDirectory, shardFromEnvironment, shardOf } from "../../src/experiments/shard.js";
import { InputError } from "../../src/errors.js";
import { expectUsageErrors, surf } from "../cli/cli.test.js";
import { scratchDirectory } from "../helpers.js";

/** What Slurm sets in task `id` of `--array` MIN-MAX (with its STEP and COUNT). */
function slurm(id: number, min: number, max: number, count: number, step = 1): Record<string, string> {
  return {
    SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(max),
    SLURM_ARRAY_TASK_COUNT: String(count), SLURM_ARRAY_TASK_STEP: String(step),
  };
}

describe("--shard auto", function () {
  let dir = "";
  scratchDirectory("shard", (d) => (dir = d));

  it("a Slurm array's tasks are its shards, whatever its first ID and stride; each cell in exactly one", () => {
    const cells = Array.from({ length: 8 }, (_, j) => j);
    for (const [min, step] of [[1, 1], [0, 1], [0, 4], [5, 2]]) {
      const max = min + 2 * step;
      const shards = [0, 1, 2].map((t) => shardFromEnvironment(slurm(min + t * step, min, max, 3, step)).shard);
      expect(shards, `--array=${min}-${max}:${step}`).to.deep.equal([1, 2, 3].map((index) => ({ index, count: 3 })));
      expect(shards.flatMap((s) => inShard(cells, s)).sort()).to.deep.equal(cells);
      expect(cells.map((j) => shards.findIndex((s) => inShard(cells, s).includes(j)) + 1)).to.deep.equal(cells.map((j) => shardOf(j, 3)));
    }
    // the count from _MAX where _COUNT is absent (older Slurm), and the variables named in the announcement
    const { SLURM_ARRAY_TASK_COUNT: _, ...noCount } = slurm(2, 1, 3, 3);
    expect(shardFromEnvironment(noCount)).to.deep.equal({
      shard: { index: 2, count: 3 }, scheduler: "Slurm",
      from: "SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_MAX=3, SLURM_ARRAY_TASK_STEP=1",
    });
  });

  it("with a count given (--shards or SURF_SHARDS) a Slurm task ID is the shard: a task run again alone keeps its place", () => {
    // sbatch --array=2 sets MIN = MAX = 2 and COUNT = 1: alone, that would be shard 1 of 1, the whole sweep
    expect(shardFromEnvironment(slurm(2, 2, 2, 1)).shard).to.deep.equal({ index: 1, count: 1 });
    expect(shardFromEnvironment({ ...slurm(2, 2, 2, 1), SURF_SHARDS: "3" }).shard).to.deep.equal({ index: 2, count: 3 });
    expect(shardFromEnvironment(slurm(2, 2, 2, 1), 3)).to.deep.equal({ shard: { index: 2, count: 3 }, scheduler: "Slurm", from: "SLURM_ARRAY_TASK_ID=2, --shards 3" });
    // a list (--array=1,3,7) too
    expect(shardFromEnvironment({ ...slurm(3, 1, 7, 3), SURF_SHARDS: "7" }).shard).to.deep.equal({ index: 3, count: 7 });
  });

  it("a Kubernetes Indexed Job's JOB_COMPLETION_INDEX 0 … N − 1 is shard 1 … N of --shards or SURF_SHARDS", () => {
    expect([0, 1, 2].map((i) => shardFromEnvironment({ JOB_COMPLETION_INDEX: String(i), SURF_SHARDS: "3" }).shard))
      .to.deep.equal([1, 2, 3].map((index) => ({ index, count: 3 })));
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "4" }, 5)).to.deep.equal({ shard: { index: 5, count: 5 }, scheduler: "Kubernetes", from: "JOB_COMPLETION_INDEX=4, --shards 5" });
  });

  it("partial, inconsistent or missing variables are refused, naming them", () => {
    const cases: [Record<string, string>, number | undefined, RegExp][] = [
      [{}, undefined, /no scheduler's task variables \(SLURM_ARRAY_TASK_ID of a Slurm job array, JOB_COMPLETION_INDEX of a Kubernetes Indexed Job\)/],
      [{ SURF_SHARDS: "3" }, undefined, /no scheduler's task variables/],
      [{ SLURM_ARRAY_TASK_ID: "2" }, undefined, /SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_MIN \(a partial Slurm array environment\)/],
      [{ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_MIN: "1" }, undefined, /neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX/],
      [{ SLURM_ARRAY_TASK_COUNT: "3", SLURM_ARRAY_TASK_MIN: "1" }, undefined, /SLURM_ARRAY_TASK_MIN is set but not SLURM_ARRAY_TASK_ID/],
      [slurm(3, 1, 7, 3), undefined, /SLURM_ARRAY_TASK_ID=3, .*SLURM_ARRAY_TASK_MAX=7, SLURM_ARRAY_TASK_COUNT=3.* is not a range MIN-MAX\[:STEP\] of SLURM_ARRAY_TASK_COUNT tasks \(a list of task IDs\?\); submit --array=1-N, or give `shards` N/],
      [slurm(4, 1, 3, 3), undefined, /SLURM_ARRAY_TASK_ID=4 is not a task of the array/],
      [slurm(2, 0, 8, 3, 4), undefined, /SLURM_ARRAY_TASK_ID=2 is not a task of the array/],
      [{ ...slurm(2, 1, 3, 3), SLURM_ARRAY_TASK_ID: "two" }, undefined, /SLURM_ARRAY_TASK_ID must be an integer ≥ 0, got "two"/],
      [slurm(0, 0, 2, 3), 3, /SLURM_ARRAY_TASK_ID=0, but with --shards 3 the task IDs are the shards, 1 … 3 \(sbatch --array=1-3\)/],
      [slurm(2, 1, 5, 5), 3, /SLURM_ARRAY_TASK_MAX=5 is past the 3 shards of --shards 3/],
      [{ ...slurm(1, 1, 3, 3), SURF_SHARDS: "4" }, 3, /`shards` 3 and SURF_SHARDS=4 differ/],
      [{ JOB_COMPLETION_INDEX: "1" }, undefined, /JOB_COMPLETION_INDEX=1 is set but not the shard count: give `shards` N or SURF_SHARDS=N \(the Job's completions\)/],
      [{ JOB_COMPLETION_INDEX: "3", SURF_SHARDS: "3" }, undefined, /JOB_COMPLETION_INDEX=3 is past the 3 shards of SURF_SHARDS=3 \(indices 0 … 2\)/],
      [{ JOB_COMPLETION_INDEX: "0", SURF_SHARDS: "0" }, undefined, /SURF_SHARDS must be an integer ≥ 1, got "0"/],
      [{ JOB_COMPLETION_INDEX: "0", SLURM_ARRAY_TASK_ID: "1" }, 2, /both SLURM_ARRAY_TASK_ID \(Slurm\) and JOB_COMPLETION_INDEX \(Kubernetes\) are set/],
    ];
    for (const [env, shards, message] of cases) {
      expect(() => shardFromEnvironment(env, shards), JSON.stringify(env)).to.throw(InputError, message);
    }
  });

  it("each shard's own subdirectory of --out, found again by surf merge (other entries ignored)", () => {
    const out = join(dir, "found");
    for (const s of [{ index: 2, count: 3 }, { index: 1, count: 3 }, { index: 1, count: 2 }]) mkdirSync(shardDirectory(out, s), { recursive: true });
    mkdirSync(join(out, "shard-4-of-3"));   // not a shard of 3
    mkdirSync(join(out, "checkpoints"));
    writeFileSync(join(out, "shard-3-of-3"), "a file");
    expect(findShards(out).map((f) => [f.dir, f.shard])).to.deep.equal([
      [join(out, "shard-1-of-2"), { index: 1, count: 2 }], [join(out, "shard-1-of-3"), { index: 1, count: 3 }], [join(out, "shard-2-of-3"), { index: 2, count: 3 }],
    ]);
    expect(findShards(join(dir, "none"))).to.deep.equal([]);
  });

  it("surf reproduce: --shard auto and --shards misused exit 2 with one line; fig1 ignores an array's variables", () => {
    const out = join(dir, "cli");
    expectUsageErrors([
      [["reproduce", "table1", "--quick", "--shard", "auto", "--out", out], /^surf: --shard auto: no scheduler's task variables/],
      [["reproduce", "table1", "--quick", "--out", out], /^surf: --shard auto: SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_MIN/, { SLURM_ARRAY_TASK_ID: "1" }],
      [["reproduce", "table1", "--quick", "--out", out], /^surf: --shard auto: JOB_COMPLETION_INDEX=0 is set but not the shard count/, { JOB_COMPLETION_INDEX: "0" }],
      [["reproduce", "table1", "--quick", "--shards", "0", "--out", out], /^surf: --shards must be a positive integer, got 0/, { JOB_COMPLETION_INDEX: "0" }],
      [["reproduce", "table1", "--quick", "--shards", "3", "--out", out], /^surf: --shards goes with --shard auto \(or inside a Slurm array or Kubernetes Indexed Job\)/],
      [["reproduce", "table1", "--quick", "--shard", "1/2", "--shards", "3", "--out", out], /^surf: --shards goes with --shard auto \(the count of --shard i\/n is n\)/],
      [["reproduce", "table1", "--quick", "--shard", "3/2", "--out", out], /^surf: --shard must be i\/n with 1 ≤ i ≤ n \(or auto\), got "3\/2"/],
      [["reproduce", "table1", "--quick", "--shard", "auto"], /^surf: --out is required \(the directory the shards share: each writes OUT\/shard-i-of-n\)/, { JOB_COMPLETION_INDEX: "0", SURF_SHARDS: "2" }],
    ]);
    // fig1 is not sharded: inside an array task it runs whole, as before (here refused for its own flag)
    const r = surf(["reproduce", "fig1", "--quick", "--grid", "0", "--out", out], { SLURM_ARRAY_TASK_ID: "1" });
    expect([r.code, r.stderr]).to.deep.equal([2, "surf: --grid must be a positive integer, got 0\n"]);
  });
});
