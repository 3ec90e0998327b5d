// One writer per output, and runs killed anywhere: a second writer on a --journal or --out is refused while the
// first runs (nothing written twice); a lock left by a dead process is taken over; an inversion journal and a
// training run killed at any instant — at the first checkpoint too — resume to exactly the uninterrupted run's.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, relative } from "node:path";
import { killRepeatedly, lockHolder, MAIN, surf } from "./cli.test.js";
import { CheckpointSequence, writeNetwork } from "../../src/nn/files.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { createProcedure, train, trainOrResume } from "../../src/train/run.js";
import { makeConfig } from "../../src/train/config.js";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import { InputError } from "../../src/errors.js";
import { kernels, scratchDirectory } from "../helpers.js";

/** Every file under dir (relative path → bytes), leaving out the training state and lock files. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "state") walk(p);
      } else if (!e.name.endsWith(".lock")) out[relative(dir, p)] = readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}

describe("locks and kills", function () {
  this.timeout(600000);
  let dir = "";
  scratchDirectory("locks", (d) => (dir = d));

  it("a second run on one --journal is refused while the first runs; nothing is written twice", async () => {
    const net = join(dir, "g.safetensors"), journal = join(dir, "j.jsonl");
    writeNetwork(net, randomNetwork("surf", [3, 64, 256], "locks"));
    const argv = ["invert", "--net", net, "--method", "adam", "--trials", "300", "--workers", "1", "--seed", "2", "--journal", journal];
    const first = spawn(process.execPath, [MAIN, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    const done = new Promise<number | null>((resolve) => first.on("exit", resolve));
    while (!existsSync(journal + ".lock")) await new Promise((r) => setTimeout(r, 20));
    const second = surf(argv);
    expect(second.code).to.equal(2);
    expect(second.stderr).to.match(new RegExp(`^surf: --journal .*j\\.jsonl is being written by another surf run \\(PID ${first.pid}\\); wait for it to finish or stop it\\n$`));
    expect(await done).to.equal(0);
    expect(existsSync(journal + ".lock"), "released at exit").to.equal(false);
    const keys = readFileSync(journal, "utf8").trim().split("\n").map((l) => JSON.parse(l).key as string);
    expect(keys).to.have.length(1 + 300);
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it("SIGTERM (a scheduler's time limit) stops a run at once, even in a synchronous phase; the next run takes its lock over", async () => {
    const out = join(dir, "term-train");
    const flags = ["--model", "vae", "--arch", "mlp", "--hidden", "16,32", "--latent", "3", "--steps", "400", "--every", "100", "--seed", "t"];
    const child = spawn(process.execPath, [MAIN, "train", ...flags, "--out", out], { stdio: "ignore" });
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (code, signal) => resolve([code, signal])));
    // in training, a synchronous loop, past its first state
    while (!existsSync(join(out, "state", "state.safetensors"))) await new Promise((r) => setTimeout(r, 20));
    const sent = Date.now();
    child.kill("SIGTERM");
    expect(await exit).to.deep.equal([null, "SIGTERM"]);
    expect(Date.now() - sent, "ms to stop").to.be.below(2000);
    expect(existsSync(join(out, ".surf.lock")), "left behind by the kill").to.equal(true);
    const again = surf(["train", "--resume", "--out", out]);
    expect(again.code, again.stderr).to.equal(0);
    expect(existsSync(join(out, ".surf.lock")), "released at exit").to.equal(false);
  });

  it("a lock left by a dead process is taken over; one held on another host is refused, saying how to clear it", () => {
    const net = join(dir, "g.safetensors"), journal = join(dir, "stale.jsonl");
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(journal + ".lock", JSON.stringify({ pid: Number(gone.stdout), host: hostname() }));
    const argv = ["invert", "--net", net, "--method", "adam", "--trials", "3", "--journal", journal];
    const r = surf(argv);
    expect(r.code, r.stderr).to.equal(0);
    expect(existsSync(journal + ".lock")).to.equal(false);
    writeFileSync(journal + ".lock", JSON.stringify({ pid: 1, host: "elsewhere" }));
    const refused = surf(argv);
    expect([refused.code, refused.stderr]).to.deep.equal([2, `surf: --journal ${journal} is locked by a surf run on elsewhere (PID 1); if that run is gone, delete ${journal}.lock\n`]);
  });

  it("a training run killed after θ_0 and before its first state is whole starts over; another run's θ_0 is refused", () => {
    const data = loadFashionMnist().train;
    const config = makeConfig({ model: "vae", arch: "mlp", hidden: [8, 16], latent: 2, steps: 20, every: 10, seed: "locks" });
    const whole = join(dir, "whole-train"), killed = join(dir, "killed-train"), other = join(dir, "other-train");
    train(config, data, { out: whole });
    // what the run writes first: θ_0, then the kill
    const proc = createProcedure(config, data);
    writeNetwork(join(killed, "000000000.safetensors"), proc.generator, 0);
    writeFileSync(join(killed, "000000000.safetensors.tmp-99999"), "half");
    // … or later, while writing the first state: its directory is there, the state file is not
    mkdirSync(join(killed, "state"));
    writeFileSync(join(killed, "state", "state.safetensors.tmp-99999"), "half");
    expect(() => train(config, data, { out: killed, resume: true })).to.throw(InputError, /no training state \(nothing to resume: start without `resume`\)/);
    trainOrResume(config, () => data, killed);   // what reproduce, demo and fig1 run: it starts over
    expect(files(killed)).to.deep.equal(files(whole));
    expect(readdirSync(join(killed, "state"))).to.deep.equal(["state.safetensors"]);
    trainOrResume(config, () => expect.fail("a complete sequence needs no data"), killed);
    // a θ_0 of another configuration is someone else's run
    const stranger = createProcedure({ ...config, seed: "other" }, data);
    writeNetwork(join(other, "000000000.safetensors"), stranger.generator, 0);
    stranger.free();
    expect(() => train(config, data, { out: other })).to.throw(InputError, /already holds a training run/);
    proc.free();
  });

  it("surf invert --journal killed (SIGKILL) at 20 instants and resumed each time ends with the uninterrupted run's journal and output", async function () {
    // orchestration, not arithmetic: the child runs the same code on either backend, so once, on the WASM one
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: orchestration, checked once (see above)
    const seq = join(dir, "kill-seq"), whole = join(dir, "kill-whole.jsonl"), journal = join(dir, "kill.jsonl");
    for (const t of [0, 1, 2]) CheckpointSequence.write(seq, randomNetwork("surf", [3, 64, 256], `kill/${t}`), 40 * t);
    // three stages (regular Adam for the budget, surfing, best of 2 restarts), each appended a tenth at a time
    const argv = ["invert", "--net", seq, "--method", "restarts", "--restarts", "2", "--trials", "60", "--workers", "1", "--json"];
    const clean = surf([...argv, "--journal", whole]);
    expect(clean.code, clean.stderr).to.equal(0);
    const size = () => (existsSync(journal) ? statSync(journal).size : 0);
    // every fifth kill just after the run has taken the journal's lock, before it reads the journal; the others
    // a few milliseconds after the journal grew, so each lands at another point of a chunk (or of its append)
    const kills = await killRepeatedly(() => [...argv, "--journal", journal], { progress: size, early: (pid) => lockHolder(journal + ".lock") === pid, delay: (i) => (i * 7) % 25 });
    expect(kills, "most instants fell inside the run").to.be.at.least(15);
    const last = surf([...argv, "--journal", journal]);
    expect(last.code, last.stderr).to.equal(0);
    expect(last.stdout, "the output").to.equal(clean.stdout);
    expect(readFileSync(journal, "utf8"), "the journal, record for record").to.equal(readFileSync(whole, "utf8"));
  });

  it("surf train killed (SIGKILL) at 20 instants and resumed each time ends with the uninterrupted run's files", async () => {
    const out = join(dir, "kills"), whole = join(dir, "uninterrupted");
    const flags = ["--model", "vae", "--arch", "mlp", "--hidden", "16,32", "--latent", "3", "--steps", "600", "--every", "10", "--seed", "k"];
    expect(surf(["train", ...flags, "--out", whole]).code).to.equal(0);
    const written = () => (existsSync(out) ? readdirSync(out).filter((f) => f.endsWith(".safetensors")).length : 0);
    const state = join(out, "state", "state.safetensors");
    // every fifth kill in start-up, before or while θ_0 is written (the run's lock is there); the others a few
    // milliseconds after a new checkpoint appeared, so each lands at another point between two checkpoints
    const kills = await killRepeatedly(() => ["train", ...(existsSync(state) ? ["--resume"] : flags), "--out", out],
      { progress: written, early: (pid) => lockHolder(join(out, ".surf.lock")) === pid, delay: (i) => (i * 13) % 40 });
    expect(kills, "most instants fell inside the run").to.be.at.least(15);
    const last = surf(["train", ...(existsSync(join(out, "state", "state.safetensors")) ? ["--resume"] : flags), "--out", out]);
    expect(last.code, last.stderr).to.equal(0);
    expect(files(out)).to.deep.equal(files(whole));
  });
});
