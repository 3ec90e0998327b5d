// The panel's packing of a k = 2 checkpoint sequence into a report: evenly spaced checkpoints from θ_0 to θ_T in
// float16, surfing's budget by Table 1's rule, and the refusals (k ≠ 2, too many bytes).
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/errors.js";
import { mlpGenerator } from "../../src/nn/architectures.js";
import { networkFromSafetensors } from "../../src/nn/checkpoint.js";
import { CheckpointSequence } from "../../src/nn/files.js";
import { Network } from "../../src/nn/network.js";
import { isPanelData, type PanelData } from "../../src/panel/data.js";
import { BUDGET_TRIALS, MAX_NETWORKS, panelApp, panelSection } from "../../src/panel/embed.js";

describe("panel: packing a k = 2 sequence into the page", function () {
  this.timeout(120000);
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "surfing-panel-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** θ_t for t = 0..T, every 10 steps, each a fresh random network of the architecture. */
  const sequence = (name: string, k: number, hidden: number[], T: number) => {
    const out = join(dir, name);
    for (let t = 0; t <= T; t++) {
      const net = new Network(mlpGenerator(k, hidden, 16), { seed: `${name}/${t}` });
      CheckpointSequence.write(out, net, 10 * t);
      net.free();
    }
    return out;
  };

  it("embeds θ_0, θ_T and evenly spaced checkpoints between, in float16, and surfing's budget from regular Adam's steps", () => {
    const path = sequence("k2", 2, [6, 8], 20);
    const app = panelApp(path, "s", { maxSteps: 200 });
    expect(isPanelData(app.data)).to.equal(true);
    const data = app.data as PanelData;
    expect(data.steps).to.deep.equal(Array.from({ length: MAX_NETWORKS }, (_, i) => 20 * i));
    const seq = CheckpointSequence.open(path);
    data.networks.forEach((b64, i) => {
      const { network, step } = networkFromSafetensors(Buffer.from(b64, "base64"), "embedded");
      const original = seq.load(2 * i);
      expect(step).to.equal(data.steps[i]);
      original.params.forEach((p, j) => p.values.forEach((v, l) => {
        if (Math.abs(network.params[j].values[l] - v) > 2 ** -11 * Math.abs(v) + 2 ** -25) expect.fail(`θ at step ${step}, ${p.name}[${l}]: ${v} embedded as ${network.params[j].values[l]}`);
      }));
      network.free();
      original.free();
    });
    expect(data.budget.trials).to.equal(BUDGET_TRIALS);
    expect(data.budget.total).to.be.within(1, 200);
    expect(data.budget.capped).to.be.within(0, BUDGET_TRIALS);
    expect(data.initial.every((x) => Math.abs(x) <= data.box)).to.equal(true);
    expect(app.script.length).to.be.above(10000);   // the bundle, with the WASM module inside
    const section = panelSection(path, "s", "random networks", { maxSteps: 200 });
    expect(section.paragraphs!.join(" ")).to.include(`Surfing spends ${data.budget.total} steps`).and.include("random networks");
    // a sequence shorter than MAX_NETWORKS is embedded whole
    expect((panelApp(sequence("short", 2, [4], 3), "s", { maxSteps: 50 }).data as PanelData).steps).to.deep.equal([0, 10, 20, 30]);
  });

  it("refuses a generator that is not k = 2, or too big to embed, saying what to do", () => {
    expect(() => panelApp(sequence("k3", 3, [4], 1), "s")).to.throw(InputError, /needs k = 2; this generator has k = 3/);
    expect(() => panelApp(sequence("wide", 2, [512, 512], 12), "s")).to.throw(InputError, /over the panel's 1048576: use a narrower generator/);
  });
});
