// The results store and the cell runner: a killed sweep resumes and ends with exactly the results of an
// uninterrupted one; torn and corrupt lines; shards.
import { expect } from "chai";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { ResultStore } from "../../src/store.js";
import { mergeCell, runCell, stageResults, type Cell, type CellSettings, type StoredTrial } from "../../src/experiments/cell.js";
import { inShard, parseShard } from "../../src/experiments/shard.js";
import { shiftFlow } from "../surf/flows.js";
import { scratchDirectory } from "../helpers.js";

describe("experiments: results store, resume and shards", function () {
  this.timeout(300000);
  let dir = "";
  scratchDirectory("store", (d) => (dir = d));

  it("keeps a run's settings in its first record and refuses other settings, naming them", () => {
    const path = join(dir, "settings.jsonl");
    const store = new ResultStore(path, { pairs: 2, level: 0.1 });
    store.append([{ key: "a", v: 1 }]);
    expect(readFileSync(path, "utf8").split("\n")[0]).to.equal('{"key":"#settings","settings":{"pairs":2,"level":0.1}}');
    const again = new ResultStore(path, { pairs: 2, level: 0.1 });
    expect([again.size, again.has("#settings"), again.get("a")]).to.deep.equal([1, false, { key: "a", v: 1 }]);
    expect(again.getOrCompute("b", () => 7)).to.equal(7);
    expect(new ResultStore(path, { pairs: 2, level: 0.1 }).getOrCompute("b", () => 8)).to.equal(7);
    const unchecked = new ResultStore(path);   // the settings are no result even when not checked (surf merge reads every record)
    expect([unchecked.size, unchecked.has("#settings"), unchecked.matching("").map((r) => r.key)]).to.deep.equal([2, false, ["a", "b"]]);
    expect(() => new ResultStore(path, { pairs: 3, level: 0.1 })).to.throw(/settings\.jsonl: left by a run with other settings \(pairs: 2 there, 3 now\)/);
    // opened, nothing stored: no file yet, so a run refused after opening its store leaves nothing behind
    const fresh = join(dir, "fresh.jsonl");
    new ResultStore(fresh, { pairs: 2 });
    expect(existsSync(fresh)).to.equal(false);
    const bare = join(dir, "bare.jsonl");
    writeFileSync(bare, '{"key":"a","v":1}\n');
    expect(() => new ResultStore(bare, { pairs: 2 })).to.throw(/bare\.jsonl: left by a run with other settings \(none recorded there\)/);
  });

  it("compacts into PATH.gz and reads it back, with what was appended since; a damaged PATH.gz is refused", () => {
    const path = join(dir, "compact.jsonl");
    const store = new ResultStore(path, { seed: "1" });
    store.append([{ key: "a", v: 1 }, { key: "b", v: 2 }]);
    store.append([{ key: "a", v: 3 }]);   // a later record of a key replaces the earlier
    store.compact();
    expect([existsSync(path), existsSync(path + ".gz")]).to.deep.equal([false, true]);
    expect(gunzipSync(readFileSync(path + ".gz")).toString()).to.equal('{"key":"#settings","settings":{"seed":"1"}}\n{"key":"a","v":3}\n{"key":"b","v":2}\n');
    const again = new ResultStore(path, { seed: "1" });
    expect(again.matching("")).to.deep.equal([{ key: "a", v: 3 }, { key: "b", v: 2 }]);
    again.append([{ key: "c", v: 4 }, { key: "b", v: 5 }]);
    expect(readFileSync(path, "utf8")).to.equal('{"key":"c","v":4}\n{"key":"b","v":5}\n');   // appends go to PATH
    expect(new ResultStore(path, { seed: "1" }).matching("")).to.deep.equal([{ key: "a", v: 3 }, { key: "b", v: 5 }, { key: "c", v: 4 }]);
    expect(() => new ResultStore(path, { seed: "2" })).to.throw(/left by a run with other settings \(seed: "1" there, "2" now\)/);
    writeFileSync(path + ".gz", "not gzip");
    expect(() => new ResultStore(path)).to.throw(/compact\.jsonl\.gz: not a gzip file/);
    writeFileSync(path + ".gz", gzipSync('{"key":"a","v":1}\n{"key":"b"'));
    expect(() => new ResultStore(path)).to.throw(/compact\.jsonl\.gz: its last record is cut short/);
  });

  it("cuts a torn last line and refuses a corrupt one, naming file and line", () => {
    const path = join(dir, "torn.jsonl");
    writeFileSync(path, '{"key":"a","v":1}\n{"key":"b","v":2}\n{"key":"c","v"');
    const store = new ResultStore(path);
    expect(store.size).to.equal(2);
    expect(readFileSync(path, "utf8")).to.equal('{"key":"a","v":1}\n{"key":"b","v":2}\n');
    store.append([{ key: "c", v: 3 }]);
    expect(new ResultStore(path).get("c")).to.deep.equal({ key: "c", v: 3 });
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"key":"a"}\nnot json\n{"key":"b"}\n');
    expect(() => new ResultStore(bad)).to.throw(/bad\.jsonl:2: not a JSON record/);
    writeFileSync(bad, '{"nokey":1}\n');
    expect(() => new ResultStore(bad)).to.throw(/bad\.jsonl:1: a record without a "key"/);
  });

  it("a sweep killed part-way resumes and ends with exactly the uninterrupted results", async () => {
    const flow = shiftFlow("surf", [2, 16, 40], "resume", [0.4, -0.4], 4);
    const cell: Cell = {
      id: "t/cell", source: { kind: "bytes", files: flow.bytes() }, measurement: { kind: "identity" }, targets: { kind: "synthetic" },
      stages: ["regular", "surf", "restarts-2"],
    };
    const settings: CellSettings = { trials: 7, seed: "r", workers: 1, batch: 4, maxSteps: 400, chunk: 2 };
    const whole = new ResultStore(join(dir, "whole.jsonl"));
    const seen: [string, number][] = [];
    await runCell(cell, whole, settings, (stage, fraction) => seen.push([stage, fraction]));
    // the fraction is the whole cell's: rising through the stages, each within its share, 1 only at the end
    const n = cell.stages.length;
    seen.forEach(([stage, f], i) => {
      const s = cell.stages.indexOf(stage as Cell["stages"][number]);
      expect(f, stage).to.be.within(s / n, (s + 1) / n);
      if (i > 0) expect(f).to.be.at.least(seen[i - 1][1]);
    });
    expect(seen.at(-1)).to.deep.equal(["restarts-2", 1]);
    const path = join(dir, "killed.jsonl");
    let calls = 0;
    const killed = new ResultStore(path);
    try {
      await runCell(cell, killed, settings, (stage, fraction) => {
        if (stage === "surf" && fraction > 0.43 && ++calls > 1) throw new Error("killed");   // 30 % into surf, the second of three stages
      });
      expect.fail("the run was not interrupted");
    } catch (e) {
      expect((e as Error).message).to.equal("killed");
    }
    appendFileSync(path, '{"key":"t/cell/surf/6","cell":');   // and torn mid-write
    const partial = new ResultStore(path);
    expect(stageResults(partial, "t/cell", "regular", 7)).to.have.length(7);
    expect(stageResults(partial, "t/cell", "surf", 7).length).to.be.within(1, 6);
    await runCell(cell, partial, settings, () => {});
    for (const stage of cell.stages) {
      expect(stageResults(partial, cell.id, stage, 7), stage).to.deep.equal(stageResults(whole, cell.id, stage, 7));
    }
    // Extended from 4 trials to 7: surfing's budget (regular Adam's 75th percentile over the trials) moves,
    // so the stored surf and restart trials run again under it — and the run ends equal to a 7-trial one.
    // (A higher step cap than above, where most regular runs stop at the cap and the percentile is the cap.)
    const long = { ...settings, maxSteps: 5000 }, fresh = new ResultStore(join(dir, "fresh.jsonl"));
    await runCell(cell, fresh, long, () => {});
    const grownPath = join(dir, "grown.jsonl"), grown = new ResultStore(grownPath);
    const record = (store: ResultStore, key: string) => store.get(key) as unknown as StoredTrial;
    const budget = (store: ResultStore, stage: string) => record(store, `t/cell/${stage}/0`).budget;
    await runCell(cell, grown, { ...long, trials: 4 }, () => {});
    const before = budget(grown, "surf");
    await runCell(cell, grown, long, () => {});
    expect(budget(grown, "surf")).to.equal(budget(fresh, "surf")).and.not.equal(before);
    expect(budget(grown, "restarts-2")).to.equal(record(grown, "t/cell/surf/0").result.steps);
    for (const stage of cell.stages) {
      expect(stageResults(grown, cell.id, stage, 7), stage).to.deep.equal(stageResults(fresh, cell.id, stage, 7));
    }
    const written = (key: string) => readFileSync(grownPath, "utf8").split("\n").filter((l) => l.startsWith(`{"key":"${key}"`)).length;
    expect([written("t/cell/regular/0"), written("t/cell/surf/0"), written("t/cell/surf/6")]).to.deep.equal([1, 2, 1]);
    expect(stageResults(new ResultStore(grownPath), cell.id, "surf", 7)).to.deep.equal(stageResults(fresh, cell.id, "surf", 7));   // the later record wins on reading
    // A stale copy of the 4-trial run (as when every shard of an extended sweep is seeded with the whole old
    // results file) read at 7 trials shows its 4 regular trials and nothing after: surfing's budget needs all 7.
    // Merged with the grown run in either order, the joined cell is the 7-trial run's: each trial takes the
    // record run under the budget it has now, not the first one found.
    const stale = new ResultStore(join(dir, "stale.jsonl"));
    await runCell(cell, stale, { ...long, trials: 4 }, () => {});
    expect(cell.stages.map((stage) => stageResults(stale, cell.id, stage, 7).length)).to.deep.equal([4, 0, 0]);
    for (const [name, parts] of [["stale-first", [stale, grown]], ["grown-first", [grown, stale]]] as const) {
      const merged = new ResultStore(join(dir, `${name}.jsonl`));
      mergeCell(cell, parts, merged, 7);
      mergeCell(cell, parts, merged, 7);   // merging again adds nothing
      expect(merged.size, name).to.equal(3 * 7);
      for (const stage of cell.stages) {
        expect(stageResults(merged, cell.id, stage, 7), `${name} ${stage}`).to.deep.equal(stageResults(fresh, cell.id, stage, 7));
      }
    }
  });

  it("shards split a sweep's cells deterministically and completely", () => {
    const cells = Array.from({ length: 7 }, (_, i) => i);
    const parts = [1, 2, 3].map((i) => inShard(cells, parseShard(`${i}/3`)));
    expect(parts.flat().sort()).to.deep.equal(cells);
    expect(parts[0]).to.deep.equal([0, 3, 6]);
    for (const bad of ["0/2", "3/2", "1/0", "a/b", "1"]) expect(() => parseShard(bad), bad).to.throw(/`shard` must be i\/n/);
  });
});
