// Figure 4's targets: trial i's held-out image depends on i alone, and any first n spread over the classes.
import { expect } from "chai";
import { heldOutImages, heldOutIndices } from "../../src/experiments/sweeps.js";
import { PIXELS, type FashionMnist } from "../../src/data/fashion-mnist.js";
import { InputError } from "../../src/errors.js";

describe("experiments: fig4's held-out targets", () => {
  const classOf = (j: number) => Math.floor(j / 1000);   // our held-out set: 1,000 per class, sorted by class

  it("trial i's image is the same whatever the trial count, so a run extended to more trials keeps its stored ones", () => {
    const a = heldOutIndices(10000, 100), b = heldOutIndices(10000, 200);
    expect(b.slice(0, 100)).to.deep.equal(a);
    expect(a.slice(0, 5)).to.deep.equal([0, 5000, 2500, 7500, 1250]);
  });

  it("every first n trials spread over the classes, and up to 8,192 of 10,000 images are distinct", () => {
    for (const n of [16, 100, 200, 300]) {
      const counts = new Array<number>(10).fill(0);
      for (const j of heldOutIndices(10000, n)) counts[classOf(j)]++;
      expect(Math.max(...counts) - Math.min(...counts), `n = ${n}: ${counts}`).to.be.at.most(Math.ceil(n / 10 / 4) + 1);
    }
    expect(new Set(heldOutIndices(10000, 8192)).size).to.equal(8192);
    expect(() => heldOutIndices(10000, 8193)).to.throw(InputError, /8193 trials need 8193 distinct held-out images; this scheme gives at most 8192 of the 10000/);
  });

  it("returns those images as signals in [0, 1]", () => {
    const count = 16, images = new Uint8Array(count * PIXELS).map((_, p) => 15 * Math.floor(p / PIXELS));
    const data = { heldOut: { count, images, labels: new Uint8Array(count) } } as unknown as FashionMnist;
    const y = heldOutImages(data, 4);
    expect(y.map((s) => s.length)).to.deep.equal([PIXELS, PIXELS, PIXELS, PIXELS]);
    expect(y.map((s) => s[PIXELS - 1])).to.deep.equal([0, 8, 4, 12].map((j) => (15 * j) / 255));
  });
});
