// Tiny training runs (a few hundred synthetic images, tens of steps): the checkpoint sequence and its
// files, the VAE's ELBO improving, finite GAN losses and WGAN's clipping, --resume equal to an
// uninterrupted run bit for bit (also after a kill between checkpoints), and the runs it refuses.
import { expect } from "chai";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { kernels, scratchDirectory } from "../helpers.js";
import { InputError } from "../../src/errors.js";
import { CheckpointSequence } from "../../src/nn/files.js";
import { makeConfig, type TrainConfig } from "../../src/train/config.js";
import { Gan } from "../../src/train/gan.js";
import { MODEL_KINDS, type ModelKind } from "../../src/train/hyperparameters.js";
import { createNetworks } from "../../src/train/procedure.js";
import { LOSS_LOG, SAMPLES_DIR, train } from "../../src/train/run.js";
import { CONFIG_KEY, statePath } from "../../src/train/state.js";
import { parseSafetensors, serializeSafetensors } from "../../src/nn/safetensors.js";
import { syntheticImages } from "./images.js";

const DATA = syntheticImages(300, "run");

function tiny(model: ModelKind, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return makeConfig({ model, arch: "mlp", latent: 4, hidden: [8, 16], batch: 8, steps: 6, every: 2, seed: `run-${model}`, ...overrides });
}

/** Every file of a run directory, by relative path. */
function files(dir: string, sub = ""): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = join(sub, entry.name);
    if (entry.isDirectory()) for (const [k, v] of files(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

function losses(dir: string): Record<string, number>[] {
  return readFileSync(join(dir, LOSS_LOG), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
}

describe(`training runs (${kernels.backend} backend)`, function () {
  this.timeout(300000);
  let root = "";
  scratchDirectory("train", (d) => (root = d));

  it("checkpoints θ_0 (the initialization) first and then every --every steps, with grids, a loss log and the state", () => {
    const out = join(root, "sequence"), config = tiny("gan");
    const result = train(config, DATA, { out, kernels });
    expect(result.checkpoints).to.deep.equal([0, 2, 4, 6]);
    const seq = CheckpointSequence.open(out);
    expect(seq.steps).to.deep.equal([0, 2, 4, 6]);
    // θ_0 is the random initialization, bit for bit; later ones have moved, batch-norm statistics included
    const fresh = createNetworks(config, kernels).generator, first = seq.load(0), last = seq.load(3);
    fresh.params.forEach((p, i) => expect(Array.from(first.params[i].values), p.name).to.deep.equal(Array.from(p.values)));
    expect(Array.from(last.param("0.weight").values)).to.not.deep.equal(Array.from(first.param("0.weight").values));
    expect(readdirSync(join(out, SAMPLES_DIR)).sort()).to.deep.equal(["000000000.png", "000000002.png", "000000004.png", "000000006.png"]);
    const png = PNG.sync.read(readFileSync(join(out, SAMPLES_DIR, "000000006.png")));
    expect([png.width, png.height]).to.deep.equal([8 * 28 + 9 * 2, 8 * 28 + 9 * 2]);
    expect(losses(out).map((l) => l.step)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(existsSync(statePath(out))).to.equal(true);
    for (const net of [fresh, first, last]) net.free();
  });

  it("the VAE's ELBO improves (mean −ELBO of the last 10 steps well below the first 10's)", () => {
    const out = join(root, "vae");
    train(tiny("vae", { steps: 60, every: 20 }), DATA, { out, kernels });
    const log = losses(out), mean = (rows: Record<string, number>[]) => rows.reduce((s, r) => s + r.loss, 0) / rows.length;
    const first = mean(log.slice(0, 10)), last = mean(log.slice(-10));
    // at initialization every pixel is near ½: −ELBO ≈ 784·ln 2 ≈ 543 nats; the rectangles are far more predictable
    expect(first).to.be.within(400, 600);
    expect(last, `−ELBO ${first} → ${last}`).to.be.below(first - 100);
    for (const l of log) expect(l.kl).to.be.at.least(0);
  });

  for (const model of ["gan", "wgan", "wgan-gp"] as const) {
    it(`${model}: the losses stay finite over 12 steps`, () => {
      const out = join(root, model);
      const result = train(tiny(model, { steps: 12, every: 6 }), DATA, { out, kernels });
      for (const l of losses(out)) for (const [k, v] of Object.entries(l)) expect(Number.isFinite(v), `${k} at step ${l.step}`).to.equal(true);
      expect(Object.keys(result.last ?? {})).to.include.members(model === "gan" ? ["d", "g"] : model === "wgan" ? ["d", "w", "g"] : ["d", "w", "penalty", "g"]);
    });
  }

  it("wgan: every critic parameter lies in [−0.01, 0.01] after a step", () => {
    const gan = new Gan(tiny("wgan"), DATA, kernels);
    gan.step(1);
    for (const p of gan.partner.params) if (p.trainable) expect(Math.max(...Array.from(p.values, Math.abs)), p.name).to.be.at.most(0.01);
    gan.free();
  });

  for (const model of MODEL_KINDS) {
    it(`${model}: a run stopped between checkpoints and resumed equals an uninterrupted one, file for file`, () => {
      const config = tiny(model), whole = join(root, `whole-${model}`), parts = join(root, `parts-${model}`);
      train(config, DATA, { out: whole, kernels });
      // killed at step 3 (after the checkpoint at 2): the log line of step 3 was never flushed
      expect(() => train(config, DATA, { out: parts, kernels, onStep: (s) => { if (s === 3) throw new Error("killed"); } })).to.throw("killed");
      // a checkpoint file the killed run wrote after its state (as if killed mid-checkpoint) is discarded
      writeFileSync(join(parts, "000000004.safetensors"), "half a file");
      writeFileSync(join(parts, "000000004.safetensors.tmp-12345"), "half a file");
      const resumed = train(config, DATA, { out: parts, kernels, resume: true });
      expect(resumed.startStep).to.equal(2);
      const a = files(whole), b = files(parts);
      expect([...b.keys()].sort()).to.deep.equal([...a.keys()].sort());
      for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes), name).to.equal(true);
    });
  }

  it("--steps may grow on resume: 4 steps then 6 equal 6 at once", () => {
    const a = join(root, "grow-a"), b = join(root, "grow-b");
    train(tiny("wgan-gp", { steps: 6 }), DATA, { out: a, kernels });
    train(tiny("wgan-gp", { steps: 4 }), DATA, { out: b, kernels });
    train(tiny("wgan-gp", { steps: 6 }), DATA, { out: b, kernels, resume: true });
    const fa = files(a), fb = files(b);
    for (const [name, bytes] of fa) expect(fb.get(name)?.equals(bytes), name).to.equal(true);
  });

  it("a state stored before criticWidth existed resumes with the partner at the generator's width", () => {
    const resume = (model: ModelKind) => {
      const out = join(root, `before-critic-width-${model}`);
      train(tiny(model, { steps: 2 }), DATA, { out, kernels });
      const state = parseSafetensors(readFileSync(statePath(out)), "state");
      const metadata = new Map(state.metadata), config = JSON.parse(metadata.get(CONFIG_KEY)!) as Partial<TrainConfig>;
      delete config.criticWidth;
      metadata.set(CONFIG_KEY, JSON.stringify(config));
      writeFileSync(statePath(out), serializeSafetensors([...state.tensors].map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: t.bytes }] as const), metadata));
      return () => train(tiny(model, { steps: 4 }), DATA, { out, kernels, resume: true });
    };
    expect(resume("gan")().checkpoints).to.deep.equal([0, 2, 4]);
    expect(resume("wgan")).to.throw(InputError, /`criticWidth` 0\.0625 differs from the run in .* \(0\.25\)/);
  });

  it("--critic-steps sets the partner's updates per generator update; a state stored before it resumes with the model's", () => {
    for (const criticSteps of [1, 3]) {
      const gan = new Gan(tiny("wgan-gp", { criticSteps }), DATA, kernels);
      gan.step(1);
      gan.step(2);
      expect(gan.optimizers.map((o) => o.t), `${criticSteps}`).to.deep.equal([2, 2 * criticSteps]);
      gan.free();
    }
    const out = join(root, "before-critic-steps");
    train(tiny("wgan", { steps: 2 }), DATA, { out, kernels });
    const state = parseSafetensors(readFileSync(statePath(out)), "state");
    const metadata = new Map(state.metadata), config = JSON.parse(metadata.get(CONFIG_KEY)!) as Partial<TrainConfig>;
    delete config.criticSteps;
    metadata.set(CONFIG_KEY, JSON.stringify(config));
    writeFileSync(statePath(out), serializeSafetensors([...state.tensors].map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: t.bytes }] as const), metadata));
    expect(() => train(tiny("wgan", { steps: 4, criticSteps: 2 }), DATA, { out, kernels, resume: true })).to.throw(InputError, /`criticSteps` 2 differs from the run in .* \(5\)/);
    expect(train(tiny("wgan", { steps: 4 }), DATA, { out, kernels, resume: true }).checkpoints).to.deep.equal([0, 2, 4]);
  });

  it("refuses a new run over an old one, a resume with other settings, and a missing or damaged state", () => {
    const out = join(root, "sequence");   // from the first test
    expect(() => train(tiny("gan"), DATA, { out, kernels })).to.throw(InputError, /already holds a training run/);
    expect(() => train(tiny("gan", { latent: 5 }), DATA, { out, kernels, resume: true })).to.throw(InputError, /`latent` 5 differs from the run in .* \(4\)/);
    expect(() => train(tiny("gan", { steps: 4 }), DATA, { out, kernels, resume: true })).to.throw(InputError, /`steps` 4 is below the step the run in .* has reached \(6\)/);
    expect(() => train(tiny("gan"), DATA, { out: join(root, "nothing"), kernels, resume: true })).to.throw(InputError, /state\.safetensors: no training state/);
    const broken = join(root, "broken");
    train(tiny("gan", { steps: 2 }), DATA, { out: broken, kernels });
    const state = readFileSync(statePath(broken));
    writeFileSync(statePath(broken), state.subarray(0, state.length - 10));
    expect(() => train(tiny("gan", { steps: 2 }), DATA, { out: broken, kernels, resume: true })).to.throw(InputError, /state\.safetensors/);
  });
});
