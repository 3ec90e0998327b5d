// `surf train` as a user meets it: usage errors exit 2 with one line naming the flag; a tiny run on
// Fashion-MNIST prints only JSON with --json and resumes.
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expectUsageErrors, surf } from "../cli/cli.test.js";
import { kernels, scratchDirectory } from "../helpers.js";

describe("surf train", function () {
  this.timeout(300000);
  let root = "";
  scratchDirectory("cli-train", (d) => (root = d));

  it("exits 2 with one line naming the flag on bad usage", () => {
    const out = join(root, "bad");
    const cases: [string[], RegExp][] = [
      [["train", "--out", out], /--model is required/],
      [["train", "--model", "gan"], /--out is required/],
      [["train", "--model", "diffusion", "--out", out], /--model must be one of vae, gan, wgan, wgan-gp, got "diffusion"/],
      [["train", "--model", "gan", "--arch", "resnet", "--out", out], /--arch must be one of dcgan, mlp/],
      [["train", "--model", "gan", "--steps", "100", "--every", "30", "--out", out], /--steps \(100\) must be a multiple of --every \(30\)/],
      [["train", "--model", "gan", "--latent", "0", "--out", out], /--latent must be a positive integer/],
      [["train", "--model", "gan", "--width", "-1", "--out", out], /--width must be a positive number/],
      [["train", "--model", "wgan", "--critic-width", "0", "--out", out], /--critic-width must be a positive number/],
      [["train", "--model", "gan", "--hidden", "8,x", "--out", out], /--hidden must be positive integers/],
      [["train", "--model", "gan", "--lr", "1", "--out", out], /unknown flag --lr/],
      [["train", "--resume", "--out", join(root, "empty")], /state\.safetensors: no training state/],
      [["train", "--model", "gan", "--workers", "0", "--out", out], /--workers must be a positive integer/],
    ];
    expectUsageErrors(cases);
  });

  it("--json prints only the run's summary; --resume extends the run", () => {
    const out = join(root, "run");
    const base = ["train", "--model", "vae", "--arch", "mlp", "--hidden", "8,16", "--latent", "3", "--batch", "8", "--every", "2", "--out", out, "--seed", "7", "--json"];
    const r = surf([...base, "--steps", "4"]);
    expect(r.code, r.stderr).to.equal(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).to.include({ model: "vae", arch: "mlp", latent: 3, steps: 4, every: 2, batch: 8, seed: "7", checkpoints: 3, startStep: 0, stepsRun: 4 });
    expect(summary.losses.loss).to.be.a("number");
    const more = surf(["train", "--resume", "--steps", "6", "--out", out, "--json"]);
    expect(more.code, more.stderr).to.equal(0);
    expect(JSON.parse(more.stdout)).to.include({ seed: "7", startStep: 4, stepsRun: 2, checkpoints: 4 });
    expect(readdirSync(out).filter((n) => n.endsWith(".safetensors"))).to.have.length(4);
    const clash = surf(["train", "--resume", "--steps", "8", "--latent", "5", "--out", out]);
    expect(clash.code).to.equal(2);
    expect(clash.stderr).to.match(/--latent 5 differs from the run/);
  });

  it("--workers 2 writes the same files as --workers 1, byte for byte (dcgan ×¼, batch 16: its large products are split)", () => {
    const run = (workers: number) => {
      const out = join(root, `workers-${workers}`);
      const r = surf(["train", "--model", "gan", "--width", "0.25", "--latent", "5", "--batch", "16", "--steps", "2", "--every", "1", "--out", out, "--workers", String(workers), "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      // the threads it computed on: the TS backend has one
      expect(JSON.parse(r.stdout).workers).to.equal(kernels.backend === "wasm" ? workers : 1);
      return out;
    };
    const one = run(1), two = run(2);
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
    expect(files(two)).to.deep.equal(files(one));
    expect(files(one)).to.include.members(["000000002.safetensors", "state/state.safetensors", "loss.jsonl", "samples/000000002.png"]);
    for (const f of files(one)) expect(readFileSync(join(two, f)).equals(readFileSync(join(one, f))), f).to.equal(true);
  });
});
