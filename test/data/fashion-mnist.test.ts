// The Fashion-MNIST cache, on a small source in the package's format: built once, read back without the
// JSON, the fixed split, a corrupt / truncated / foreign cache detected and rebuilt, bad JSON refused;
// and the minibatch sampler.
import { expect } from "chai";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { kernels, scratchDirectory } from "../helpers.js";
import { InputError } from "../../src/errors.js";
import { CACHE_FILE, HELD_OUT_PER_CLASS, PIXELS, cacheDirectory, loadFashionMnist, packageSourceDir } from "../../src/data/fashion-mnist.js";
import { BatchSampler } from "../../src/data/sampler.js";

/** Image j of class c in the fixture: every pixel (7c + 3j + i) mod 256, so images are told apart. */
const pixel = (c: number, j: number, i: number) => (7 * c + 3 * j + i) % 256;
const PER_CLASS = 4;

function writeSource(dir: string, edit?: (c: number, data: unknown[]) => void): void {
  mkdirSync(dir, { recursive: true });
  for (let c = 0; c < 10; c++) {
    const data: unknown[] = Array.from({ length: PER_CLASS }, (_, j) => Array.from({ length: PIXELS }, (_, i) => pixel(c, j, i)));
    if (c === 0) data.splice(2, 0, []);   // the package's 0.json has empty entries: skipped
    edit?.(c, data);
    writeFileSync(join(dir, `${c}.json`), JSON.stringify({ data }));
  }
}

describe("Fashion-MNIST data", () => {
  let root = "", source = "";
  scratchDirectory("data", (d) => {
    root = d;
    source = join(root, "clothes");
    writeSource(source);
  });

  it("builds the cache once; later loads read it alone; the split holds out the last images of each class", () => {
    const cacheDir = join(root, "cache-a"), log: string[] = [];
    const a = loadFashionMnist({ cacheDir, sourceDir: source, heldOutPerClass: 1, log: (m) => log.push(m) });
    expect(a.built).to.equal(true);
    expect(log.join()).to.match(/no cache yet/);
    expect([a.train.count, a.heldOut.count]).to.deep.equal([30, 10]);
    // class c: images 0, 1, 2 train, image 3 is held out (labels follow)
    for (let c = 0; c < 10; c++) {
      for (let j = 0; j < 3; j++) {
        expect(a.train.labels[3 * c + j]).to.equal(c);
        expect(a.train.images[(3 * c + j) * PIXELS + 5]).to.equal(pixel(c, j, 5));
      }
      expect(a.heldOut.labels[c]).to.equal(c);
      expect(Array.from(a.heldOut.images.subarray(c * PIXELS, (c + 1) * PIXELS))).to.deep.equal(Array.from({ length: PIXELS }, (_, i) => pixel(c, 3, i)));
    }
    // a second load never touches the JSON (its directory is gone)
    const b = loadFashionMnist({ cacheDir, sourceDir: join(root, "no-such-dir"), heldOutPerClass: 1 });
    expect(b.built).to.equal(false);
    expect(Buffer.from(b.train.images).equals(Buffer.from(a.train.images))).to.equal(true);
    expect(Buffer.from(b.heldOut.labels).equals(Buffer.from(a.heldOut.labels))).to.equal(true);
  });

  const damage: [string, (bytes: Buffer) => Buffer, RegExp][] = [
    ["a flipped pixel byte", (b) => { const c = Buffer.from(b); c[c.length - 100] ^= 0x40; return c; }, /checksum mismatch/],
    ["a flipped label byte", (b) => { const c = Buffer.from(b); c[33] ^= 0x01; return c; }, /checksum mismatch/],
    ["a truncated file", (b) => b.subarray(0, b.length - 784), /truncated/],
    ["a file cut inside its header", (b) => b.subarray(0, 20), /truncated/],
    ["trailing bytes", (b) => Buffer.concat([b, Buffer.from([1, 2, 3])]), /too long/],
    ["a foreign file", () => Buffer.from("PK\u0003\u0004 not a cache at all, but long enough to have a header"), /bad magic/],
    ["another version", (b) => { const c = Buffer.from(b); c.writeUInt32LE(99, 8); return c; }, /version 99/],
  ];
  for (const [what, edit, reason] of damage) {
    it(`detects ${what} and rebuilds the cache from the JSON`, () => {
      const cacheDir = join(root, `cache-${what.replace(/\W+/g, "-")}`);
      const good = loadFashionMnist({ cacheDir, sourceDir: source, heldOutPerClass: 1 });
      const path = join(cacheDir, CACHE_FILE), bytes = readFileSync(path);
      writeFileSync(path, edit(bytes));
      const log: string[] = [];
      const again = loadFashionMnist({ cacheDir, sourceDir: source, heldOutPerClass: 1, log: (m) => log.push(m) });
      expect(again.built, "rebuilt").to.equal(true);
      expect(log.join()).to.match(reason);
      expect(Buffer.from(again.train.images).equals(Buffer.from(good.train.images))).to.equal(true);
      expect(readFileSync(path).equals(bytes), "the rebuilt cache is the original").to.equal(true);
    });
  }

  it("refuses bad JSON with an InputError naming the file and the image", () => {
    const cases: [string, (c: number, data: unknown[]) => void, RegExp][] = [
      ["pixel", (c, d) => { if (c === 3) (d[1] as number[])[7] = 256; }, /3\.json: image 1, pixel 7 is 256/],
      ["short", (c, d) => { if (c === 5) d[0] = [1, 2, 3]; }, /5\.json: image 0 must be a list of 784 pixels/],
      ["missing", () => {}, /9\.json: missing/],
    ];
    for (const [name, edit, message] of cases) {
      const dir = join(root, `bad-${name}`);
      writeSource(dir, edit);
      if (name === "missing") rmSync(join(dir, "9.json"));
      expect(() => loadFashionMnist({ cacheDir: join(root, `cache-bad-${name}`), sourceDir: dir, heldOutPerClass: 1 })).to.throw(InputError, message);
    }
    expect(() => loadFashionMnist({ cacheDir: join(root, "cache-a"), heldOutPerClass: PER_CLASS })).to.throw(InputError, /class 0 has 4 images, not more than the 4 held out/);
  });

  it("the cache directory: $SURF_CACHE, else $XDG_CACHE_HOME/surfing, else ~/.cache/surfing; the package's JSON is found", () => {
    expect(cacheDirectory({ SURF_CACHE: "/x", XDG_CACHE_HOME: "/y" })).to.equal("/x");
    expect(cacheDirectory({ XDG_CACHE_HOME: "/y" })).to.equal(join("/y", "surfing"));
    expect(cacheDirectory({})).to.equal(join(homedir(), ".cache", "surfing"));
    expect(packageSourceDir()).to.match(/fashion-mnist[/\\]src[/\\]clothes$/);
    expect(HELD_OUT_PER_CLASS).to.equal(1000);
  });
});

describe("minibatch sampler", () => {
  const set = { count: 10, images: Uint8Array.from({ length: 10 * PIXELS }, (_, i) => Math.floor(i / PIXELS) * 20 + (i % 3)), labels: new Uint8Array(10) };

  it("visits every image once per epoch, in an order drawn from the seed alone", () => {
    const s = new BatchSampler(set, 4, "seed-a");
    const first = [0, 1, 2, 3, 4].flatMap((b) => s.indices(b));   // 20 positions: epochs 0 and 1
    expect([...first.slice(0, 10)].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...first.slice(10, 20)].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first.slice(0, 10)).to.not.deep.equal(first.slice(10, 20));
    // any batch, asked in any order or by a fresh sampler, is the same
    expect(new BatchSampler(set, 4, "seed-a").indices(3)).to.deep.equal(first.slice(12, 16));
    expect(new BatchSampler(set, 4, "seed-b").indices(0)).to.not.deep.equal(first.slice(0, 4));
  });

  it("writes pixel/255 into the heap", () => {
    const s = new BatchSampler(set, 2, "fill");
    for (const dtype of ["f32", "f64"] as const) {
      const ptr = kernels.heap.alloc(2 * PIXELS * 8);
      s.fill(5, kernels, dtype, ptr);
      const view = dtype === "f32" ? new Float32Array(kernels.heap.memory.buffer, ptr, 2 * PIXELS) : new Float64Array(kernels.heap.memory.buffer, ptr, 2 * PIXELS);
      s.indices(5).forEach((index, j) => {
        for (const i of [0, 1, 2, 400]) expect(view[j * PIXELS + i]).to.equal(dtype === "f32" ? Math.fround(set.images[index * PIXELS + i] / 255) : set.images[index * PIXELS + i] / 255);
      });
      kernels.heap.free(ptr);
    }
  });
});
