// Training and inversion are reproducible bit for bit across versions of this code: short dcgan runs of every procedure
// write checkpoint, state, grid and loss-log files whose SHA-256 digests were recorded before the
// kernels were made faster for full-width cells (bench/step.ts), on both backends. Long runs elsewhere are regenerated
// from their seed alone, so any change of arithmetic order in training — a reordered sum, a fused
// multiply-add, a different split of work between threads — must fail here, not silently move them.
//
// The digests are of the code as of e8652f5 — but the state files', recorded again when the stored
// configuration gained criticSteps (its JSON is in the state's metadata; no tensor changed). A change that
// alters them on purpose must say so in its commit and record new ones (`GOLDEN_PRINT=1 npx mocha --no-config --timeout 600000 dist/test/train/golden.test.js` prints them).
import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { kernels, scratchDirectory } from "../helpers.js";
import { createKernels, type Kernels } from "../../src/kernels/index.js";
import { splitting } from "../../src/kernels/team.js";
import { dcganGenerator } from "../../src/nn/architectures.js";
import { Network } from "../../src/nn/network.js";
import { Identity } from "../../src/objective/measurement.js";
import { Objective } from "../../src/objective/objective.js";
import { createOptimizer } from "../../src/optim/optimizer.js";
import { Rng } from "../../src/random/rng.js";
import { makeConfig, type TrainConfig } from "../../src/train/config.js";
import type { ModelKind } from "../../src/train/hyperparameters.js";
import { train } from "../../src/train/run.js";
import { syntheticImages } from "./images.js";

const DATA = syntheticImages(300, "golden");

interface Golden {
  name: string;
  config: Partial<TrainConfig> & { model: ModelKind };
  /** Too slow on the TS twin (minutes a step): the WASM backend only. */
  wasmOnly?: boolean;
  /** SHA-256 of each file of the run directory, by relative path. */
  files: Record<string, string>;
}

const GOLDENS: Golden[] = [
  { name: "gan-w0.125",
    config: { model: "gan", width: 0.125, latent: 5, batch: 8, steps: 4, every: 2 }, files: {
      "000000000.safetensors": "d720428e517fd0cf781a006ac41656374f7f6cf231f2fec6eb8b6768504bb967",
      "000000002.safetensors": "78e19dccd21d0e9e752bc9506aba695d742ca37b9a022443954d825f394a879f",
      "000000004.safetensors": "f6d0b303a28aade9ec356354bcb88a35bde194a435321e1438a71b15b6a1ef3a",
      "loss.jsonl": "a0197b43ffe1803c19d65aa83b0e4e2109507525afa4d0a4a7290b8df02d60e0",
      "samples/000000000.png": "661c115bd31e112d7b4b4fa0e5983cf78a482ea30a5076e6b2080527cad6e7b7",
      "samples/000000002.png": "01cf30e440975eb5e7b767bc1ebda275f9e06af8560003c00c7c33168785acb5",
      "samples/000000004.png": "1216d59ed18398f7ed9f64d3f0494d888099e10c5e5a3ba67d46a907f93132cb",
      "state/state.safetensors": "0a18b3469d362d764a40bf1d16f7cb117ad803773ec100715de55a9d1a9711ce",
    },
  },
  { name: "vae-w0.125",
    config: { model: "vae", width: 0.125, latent: 5, batch: 8, steps: 4, every: 2 }, files: {
      "000000000.safetensors": "151b18425e369237b0c4ea1a81b0773384cde8358df2d0992b1f05199f71e9c0",
      "000000002.safetensors": "668d17a0773368cb717b34b555243bcd7a2619513c3d1e13ec1e87169a0dd0b7",
      "000000004.safetensors": "22f02d994a8eb66058619f3288fba010b03250be87461e40f65965b8b38f6c4b",
      "loss.jsonl": "c00c4af52733cc18a04e9f2b4d0fb014166a5b4413363eaeafbc6f36f2894b58",
      "samples/000000000.png": "4f24d461ac381811d80eb14eec39534aa710300ec546934d536e74a8f01c85b1",
      "samples/000000002.png": "6d8ba0ce9a6bbc4470a8864ec52b6711a6b153b5279063851bfb2dd33c30b060",
      "samples/000000004.png": "74bb8f89df6d76dd059d057c86f9b2adef8e3a91e98d877a5a5af82d67ae34e6",
      "state/state.safetensors": "91cfaa11e19a877f69897489277b4b37d96cb83943db60cb47dd711b41529de8",
    },
  },
  { name: "wgan-w0.125",
    config: { model: "wgan", width: 0.125, criticWidth: 0.125, latent: 5, batch: 8, steps: 2, every: 1 }, files: {
      "000000000.safetensors": "0839b34af096dd0aff1bf21e967988f273e6760d7eeedea653836e03e1f1e860",
      "000000001.safetensors": "9591fe3707e1a0cb3b93e65622fac2f6a6f90a8312fdedb9dfd0037634f9fb26",
      "000000002.safetensors": "4fb91f6a820b77e82ab935b4fa383febaee2764bb3aa808f710a14975459dbb7",
      "loss.jsonl": "e9c5e8820603f9603fc8d34e93b1795e6aa228f2f273b4a6a02dec9cb64c42c9",
      "samples/000000000.png": "860d9fc4e0dde99985f5544e752b934571368870ed8d4e2ab655f5d2fba9acc6",
      "samples/000000001.png": "ad95948083f9792ac310e75379f8b04b6aa12b9e71e8663d486982af1cffa35d",
      "samples/000000002.png": "d7b34aed65f80ba0b7cda811b29699c340e2db8beb04855c78052aed9f6681cb",
      "state/state.safetensors": "d9527f0aa95200c5c25b4f867d0526b660efd201a9b2e64fe6e5745114411975",
    },
  },
  { name: "wgan-gp-w0.125",
    config: { model: "wgan-gp", width: 0.125, criticWidth: 0.125, latent: 5, batch: 8, steps: 2, every: 1 }, files: {
      "000000000.safetensors": "8f4dfcb1a0064cc8386c5faefc1254f58523a7e712960ef7d27d80e41074a9df",
      "000000001.safetensors": "28c714d6ba9bbcc870b333ab5ed5e3ea054eec9ee51dc4f7f68fbb2fd57f1eb1",
      "000000002.safetensors": "d3ba387af86a61136fe823fd3564086753ab7e697ffad80cefae07e9dfa7b95b",
      "loss.jsonl": "32804099947ec0dd022ebf03eb1a7589fecb50d074419b023b41f363bcb1cdbf",
      "samples/000000000.png": "b4afafb3660bc6c78956b3b846389a09774ce956ebbce42d47f716e53e3137b4",
      "samples/000000001.png": "7ad37d79304649633d0f875a74a1df191fd35d99193068f54fbf3313170b134c",
      "samples/000000002.png": "ed266da637e89c0f93b2052860e14b839393b497032c1714d6b797db84450f1e",
      "state/state.safetensors": "d2245543f607af124ef4079d26fe9e2ff100beb43c566fd6e7b5f6ace2cef127",
    },
  },
  { name: "gan-w1-b64",
    config: { model: "gan", width: 1, latent: 5, steps: 2, every: 1 }, wasmOnly: true, files: {
      "000000000.safetensors": "70334fe4426d6849f8356810a695c7c345838365053d762e7ff950238908d5e1",
      "000000001.safetensors": "86945dc6e4b70d1cb1d76d941c4026a465650a1389d26f89b4e2cce42821e6ce",
      "000000002.safetensors": "fe4f3edd0f193b8fe164a6fe3c5254fce7ff7d1f239f6c03f1102b1978f9c447",
      "loss.jsonl": "f911de0afb79a44a76bbd15f278059f0cc8c1daba07d945d53fb3e02e376b39d",
      "samples/000000000.png": "5d822eb71f18feef96a038f5c91049f84867c67f5c2f859acee9718736674432",
      "samples/000000001.png": "97b57f114d11ca51e970a61f80a2b62caecbf13ef0540f5886b91b469224b738",
      "samples/000000002.png": "01516df1a685182df5cfb3ac8ca89fe1049e0d26ad4812610228d961b1241d71",
      "state/state.safetensors": "96b0a3580c4080c5bb31407edd00b25b019e3c1f65d427fbe23b232089256824",
    },
  },
  { name: "wgan-gp-w0.25-b64",
    config: { model: "wgan-gp", width: 0.25, criticWidth: 0.25, latent: 5, steps: 2, every: 1 }, wasmOnly: true, files: {
      "000000000.safetensors": "37b50e829a580d3eb3382b4ec60f6e852dd9890274abdb48a6f380cbe819d70d",
      "000000001.safetensors": "96dd412d7aa3209dd9ada95f2d1722078b027f950d1a0baf2a3afb62c02448a2",
      "000000002.safetensors": "662d66eb0cd05192c73689c67d8f38bba5fc1213e25416ecb1be8aeb3d84023d",
      "loss.jsonl": "4a4e36971e348a2eafb4d6404b48ab4749287ef9d898b29663f240c03cf69a61",
      "samples/000000000.png": "64913cdc44e56eef181aa1c5a520d84fa73c59d0430946606b722fa43ae7ac3e",
      "samples/000000001.png": "3f239b0dcc124c7663a8960e574b92d051a12a8aa96b33bb95afe383a2b9b2da",
      "samples/000000002.png": "3ecb5bca692133f1308b187418848abb144fa3ce03d80c6a63410e9a81f3efe3",
      "state/state.safetensors": "1196d96571eb3bd5963df201dfa6925940f1c7c4ff1293b8b3339a6cfe1c923a",
    },
  },
];

/** SHA-256 of every file under dir, by relative path (sorted). */
function digests(dir: string, sub = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, sub), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = join(sub, entry.name);
    if (entry.isDirectory()) Object.assign(out, digests(dir, rel));
    else out[rel] = createHash("sha256").update(readFileSync(join(dir, rel))).digest("hex");
  }
  return out;
}

/** Inversion as `surf invert` steps it: Adam on the batched objective ½‖G(x) − G(x*)‖² of a dcgan generator (eval). */
interface InversionGolden {
  width: number;
  batch: number;
  wasmOnly?: boolean;
  /** SHA-256 of the bytes of x, ∇f (float32, batch × k) and f (float64) after the steps. */
  digest: string;
}

const INVERSION_STEPS = 10;
const INVERSIONS: InversionGolden[] = [
  { width: 0.25, batch: 7, digest: "a581dfadfcaa9ed4f4c4251cdcc6425fb28d6b0aad1412f20a898f26dd75b51b" },
  { width: 0.5, batch: 16, digest: "6268dfede6194f5d5a13e5a98cb6a6eaaf5da09188427432f18e2b279823bfc1" },
  { width: 1, batch: 300, wasmOnly: true, digest: "491bed6a4ff9463573d6b37f239a69aee91b6dd9c274b5facc637c0a2651e40d" },
];

function inversionDigest(width: number, batch: number, K: Kernels = kernels): string {
  const k = 20, net = new Network(dcganGenerator(k, width), { kernels: K, seed: `golden-invert-${width}` });
  const rng = Rng.derive("golden-invert", width, batch);
  const program = net.program(batch, "eval");
  const xStar = Float32Array.from({ length: batch * k }, () => rng.uniformIn(-1, 1));
  program.setInput(xStar);
  program.forward(batch);
  const targets = program.readOutput(batch);
  const objective = new Objective(program, new Identity(K, "f32", net.outputSize), targets);
  program.setInput(Float32Array.from({ length: batch * k }, () => rng.uniformIn(-1, 1)));
  const adam = createOptimizer(objective, { kind: "adam" });
  objective.evaluate(batch, true);
  for (let s = 0; s < INVERSION_STEPS; s++) {
    adam.step(batch);
    objective.evaluate(batch, true);
  }
  const hash = createHash("sha256");
  for (const v of [program.view(program.input, batch * k), program.view(program.gradInput, batch * k), objective.values]) {
    hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  adam.free();
  objective.free();
  net.free();
  return hash.digest("hex");
}

describe(`inversion is bit for bit what it was (golden SHA-256s, ${kernels.backend} backend)`, function () {
  this.timeout(600000);
  for (const g of INVERSIONS) {
    const it_ = g.wasmOnly && kernels.backend !== "wasm" ? it.skip : it;   // skipped on the TS twin: this digest was recorded on WASM only (the twin is held to WASM bit for bit elsewhere)
    it_(`dcgan ×${g.width}, B = ${g.batch}: x, ∇f and f after ${INVERSION_STEPS} Adam steps have the recorded digest`, () => {
      const got = inversionDigest(g.width, g.batch);
      if (process.env.GOLDEN_PRINT) console.log(JSON.stringify({ width: g.width, batch: g.batch, digest: got }));
      expect(got).to.equal(g.digest);
    });
  }
});

/**
 * The same on two threads (src/kernels/team.ts), every product, packing, im2col / col2im batch and Adam step
 * split however small (splitting.minFlops = minElements = 0):
 * the digests do not depend on the number of threads. WASM backend only (the TS backend has no threads).
 */
(kernels.backend === "wasm" ? describe : describe.skip)(   // skipped on the TS twin: it has no threads
  "training and inversion on two threads: the same golden SHA-256s", function () {
    this.timeout(600000);
    let root = "", K: Kernels;
    const saved = { ...splitting };
    scratchDirectory("golden-threads", (d) => (root = d));
    before(async () => {
      K = await createKernels("wasm", { threads: 2 });
      splitting.minFlops = 0;
      splitting.minElements = 0;
    });
    after(() => {
      splitting.minFlops = saved.minFlops;
      splitting.minElements = saved.minElements;
      K.close();
    });
    for (const g of INVERSIONS) {
      it(`inversion, dcgan ×${g.width}, B = ${g.batch}`, () => {
        const split = splitting.products;
        expect(inversionDigest(g.width, g.batch, K)).to.equal(g.digest);
        expect(splitting.products, "products split").to.be.above(split);
      });
    }
    for (const g of GOLDENS) {
      it(`training, ${g.name}`, () => {
        const out = join(root, g.name), split = splitting.products;
        train(makeConfig({ ...g.config, seed: `golden-${g.name}` }), DATA, { out, kernels: K });
        expect(digests(out)).to.deep.equal(g.files);
        expect(splitting.products, "products split").to.be.above(split);
      });
    }
  });

describe(`training is bit for bit what it was (golden SHA-256s, ${kernels.backend} backend)`, function () {
  this.timeout(600000);
  let root = "";
  scratchDirectory("golden", (d) => (root = d));
  for (const g of GOLDENS) {
    const it_ = g.wasmOnly && kernels.backend !== "wasm" ? it.skip : it;   // skipped on the TS twin: this digest was recorded on WASM only (the twin is held to WASM bit for bit elsewhere)
    it_(`${g.name}: every file of the run has its recorded digest`, () => {
      const out = join(root, g.name);
      train(makeConfig({ ...g.config, seed: `golden-${g.name}` }), DATA, { out, kernels });
      const got = digests(out);
      if (process.env.GOLDEN_PRINT) console.log(JSON.stringify({ name: g.name, files: got }, null, 2));
      expect(got).to.deep.equal(g.files);
    });
  }
});
