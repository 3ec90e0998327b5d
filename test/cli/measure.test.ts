// A user's own measurement: every form of --measure, from the CLI's text and files to the operator — the
// adjoint identity ⟨Ax, r⟩ = ⟨x, Aᵀr⟩ of each, what each observes — and a whole inversion through each.
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectUsageErrors, surf } from "./cli.test.js";
import { writeNetwork } from "../../src/nn/files.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { measurementFor, type MeasurementChoice } from "../../src/surf/surf.js";
import { greyPng, readPng } from "../../src/report/png.js";
import { serializeSafetensors } from "../../src/nn/safetensors.js";
import { Rng } from "../../src/random/rng.js";
import { kernels, scratchDirectory } from "../helpers.js";

/** A .npy file of a float64 (or float32) m × n array, as numpy.save writes it (format 1.0). */
export function npy(values: ArrayLike<number>, m: number, n: number, dtype: "<f8" | "<f4" = "<f8"): Uint8Array {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${m}, ${n}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const size = dtype === "<f8" ? 8 : 4, out = new Uint8Array(10 + header.length + m * n * size), view = new DataView(out.buffer);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  for (let i = 0; i < m * n; i++) dtype === "<f8" ? view.setFloat64(10 + header.length + 8 * i, values[i], true) : view.setFloat32(10 + header.length + 4 * i, values[i], true);
  return out;
}

describe("surf invert --measure: a user's own measurement", function () {
  this.timeout(300000);
  let dir = "", net = "";
  const random = (count: number, seed: string) => {
    const v = new Float64Array(count);
    Rng.derive("measure-test", seed).fillNormal(v);
    return v;
  };
  scratchDirectory("measure", (d) => {
    dir = d;
    net = join(dir, "g.safetensors");
    writeNetwork(net, randomNetwork("surf", [3, 64, 256, 64], "measure"));   // k = 3 → an 8 × 8 image
  });

  it("each form builds the operator it names, and ⟨Ax, r⟩ = ⟨x, Aᵀr⟩", () => {
    const g = randomNetwork("surf", [3, 64, 256, 64], "measure");
    const matrix = random(10 * 64, "matrix");
    const cases: [MeasurementChoice, number][] = [
      [{ kind: "identity" }, 64], [{ kind: "gaussian", m: 20 }, 20], [{ kind: "inpaint", hide: [2, 1, 3, 4] }, 64 - 12],
      [{ kind: "inpaint", keep: [0, 9, 63] }, 3], [{ kind: "superres", factor: 2 }, 16], [{ kind: "superres", factor: 4 }, 4],
      [{ kind: "subsample", m: 25 }, 25], [{ kind: "matrix", m: 10, values: Array.from(matrix) }, 10],
    ];
    for (const [choice, m] of cases) {
      const A = measurementFor(g, { measurement: choice, seed: "s" }), D = A.dense();
      expect([A.m, A.n], choice.kind).to.deep.equal([m, 64]);
      const x = random(64, `x/${choice.kind}`), r = random(m, `r/${choice.kind}`);
      let ax = 0, atr = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < 64; j++) ax += r[i] * D[i * 64 + j] * x[j];
      // Aᵀr through the operator's own adjoint, in the heap
      const ptr = kernels.heap.alloc(m * 4), out = kernels.heap.alloc(64 * 4);
      new Float32Array(kernels.heap.memory.buffer, ptr, m).set(r);
      A.adjoint(1, ptr, out);
      const adj = new Float32Array(kernels.heap.memory.buffer, out, 64);
      for (let j = 0; j < 64; j++) atr += x[j] * adj[j];
      kernels.heap.free(ptr);
      kernels.heap.free(out);
      expect(atr, choice.kind).to.be.closeTo(ax, 1e-4 * (1 + Math.abs(ax)));
      if (choice.kind === "inpaint" && choice.hide) {
        // the hidden rectangle: columns 2–4 of rows 1–4
        const observed = new Set(Array.from({ length: m }, (_, i) => D.subarray(i * 64, (i + 1) * 64).indexOf(1)));
        for (let p = 0; p < 64; p++) expect(observed.has(p), `pixel ${p}`).to.equal(!(p % 8 >= 2 && p % 8 < 5 && Math.floor(p / 8) >= 1 && Math.floor(p / 8) < 5));
      }
      if (choice.kind === "matrix") expect(Array.from(D)).to.deep.equal(Array.from(matrix, Math.fround));   // held in float32, as the network
      A.free();
    }
    const a = measurementFor(g, { measurement: { kind: "subsample", m: 25 }, seed: "s" }).dense(), b = measurementFor(g, { measurement: { kind: "subsample", m: 25 }, seed: "s" }).dense();
    expect(Array.from(a)).to.deep.equal(Array.from(b));   // drawn from the seed: the same for every trial and run
    g.free();
  });

  it("inverts through every form from the command line: mask PNG, rectangle, super-resolution, subsample, .npy and .safetensors matrices", () => {
    const mask = join(dir, "mask.png"), A = random(24 * 64, "cli");
    writeFileSync(mask, greyPng(Array.from({ length: 64 }, (_, p) => (p % 8 < 6 ? 1 : 0)), 8, 8));   // the last two columns missing
    writeFileSync(join(dir, "A.npy"), npy(A, 24, 64));
    writeFileSync(join(dir, "A32.npy"), npy(A, 24, 64, "<f4"));
    writeFileSync(join(dir, "A.safetensors"), serializeSafetensors([["A", { dtype: "F64", shape: [24, 64], data: A }]]));
    for (const measure of [`inpaint:${mask}`, "inpaint:rect:0,0,4,4", "superres:2", "subsample:20", `matrix:${join(dir, "A.npy")}`, `matrix:${join(dir, "A32.npy")}`, `matrix:${join(dir, "A.safetensors")}`]) {
      const r = surf(["invert", "--net", net, "--method", "adam", "--measure", measure, "--trials", "4", "--workers", "1", "--json"]);
      expect(r.code, `${measure}: ${r.stderr}`).to.equal(0);
      const out = JSON.parse(r.stdout);
      expect(out.successRate, measure).to.be.at.least(0.5);
    }
    const noisy = surf(["invert", "--net", net, "--method", "adam", "--measure", "superres:2", "--noise", "0.01", "--trials", "2", "--workers", "1", "--json"]);
    expect(noisy.code, noisy.stderr).to.equal(0);
  });

  it("images in and out: a PNG target of the generator's size, and --save-images writes y, the observation, G(x̂), the error and a page showing them", () => {
    const g = randomNetwork("surf", [3, 64, 256, 64], "measure"), xStar = [0.3, -0.2, 0.5], y = g.forward([xStar])[0];
    const scale = Math.max(...y);   // a random network's output is not in [0, 1]: this test's image is y / max
    const target = join(dir, "target.png"), images = join(dir, "images");
    writeFileSync(target, greyPng(Array.from(y, (v) => v / scale), 8, 8));
    const r = surf(["invert", "--net", net, "--method", "adam", "--target", target, "--measure", "inpaint:rect:0,0,4,8", "--trials", "2", "--workers", "1", "--save-images", images, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.trials).to.have.length(2);
    expect(out.images).to.have.length(2 * 4 + 1);
    // and a page showing them: four rows (target, observed, reconstruction, error) of the two trials, self-contained
    const page = readFileSync(join(images, "index.html"), "utf8");
    expect((page.match(/<img src="data:image\/png;base64,/g) ?? []).length).to.equal(4 * 2);
    expect(page).to.include("trial 1").and.include("reconstruction G_θT(x̂)").and.not.match(/<script|(src|href)="https?:/);
    // the observation: the left half hidden (black), the right half the target's
    const observed = readPng(readFileSync(join(images, "trial-0000-observed.png")), "observed").values, given = readPng(readFileSync(target), "target").values;
    for (let p = 0; p < 64; p++) expect(observed[p], `pixel ${p}`).to.be.closeTo(p % 8 < 4 ? 0 : given[p], 1 / 255 + 1e-9);
    const reconstruction = readPng(readFileSync(join(images, "trial-0000-reconstruction.png")), "reconstruction").values;
    expect(reconstruction.length).to.equal(64);
    g.free();
    const wrong = join(dir, "wrong.png");
    writeFileSync(wrong, greyPng(new Array(100).fill(0.5), 10, 10));
    expectUsageErrors([
      [["invert", "--net", net, "--method", "adam", "--target", wrong], /wrong\.png: 10×10 pixels, the generator makes 8×8 images \(resize it first: nothing is resized silently\)/],
      [["invert", "--net", net, "--method", "adam", "--target", join(dir, "missing.png")], /missing\.png: no such file or directory/],
    ]);
  });

  it("refuses a bad measurement with one line naming it", () => {
    const notPng = join(dir, "mask.txt"), black = join(dir, "black.png"), cube = join(dir, "cube.npy"), ints = join(dir, "ints.npy"), two = join(dir, "two.safetensors");
    writeFileSync(notPng, "not a png");
    writeFileSync(black, greyPng(new Array(64).fill(0), 8, 8));
    const cubeHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }\n";
    writeFileSync(cube, Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, cubeHeader.length, 0]), Buffer.from(cubeHeader), Buffer.alloc(64)]));
    const intHeader = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 64), }";
    writeFileSync(ints, Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, intHeader.length, 0]), Buffer.from(intHeader)]));
    writeFileSync(two, serializeSafetensors([["B", { dtype: "F32", shape: [2, 64], data: new Float32Array(128) }], ["C", { dtype: "F32", shape: [2, 64], data: new Float32Array(128) }]]));
    const invert = (measure: string) => ["invert", "--net", net, "--method", "adam", "--measure", measure];
    expectUsageErrors([
      [invert("inpaint:rect:0,0,9,2"), /inpaint:rect:0,0,9,2: the rectangle must lie inside the 8×8 image/],
      [invert("inpaint:rect:1,2"), /inpaint:rect:x,y,w,h takes four whole numbers/],
      [invert(`inpaint:${notPng}`), /mask\.txt: not a PNG image/],
      [invert(`inpaint:${black}`), /black\.png: the mask observes no pixel/],
      [invert(`inpaint:${join(dir, "none.png")}`), /none\.png: no such file or directory/],
      [invert("superres:3"), /superres: factor 3 must be a positive integer dividing the image's 8×8/],
      [invert("subsample:65"), /subsample:M needs 1 ≤ M ≤ n = 64, got 65/],
      [invert("subsample:0"), /--measure must be identity, gaussian:M/],
      [invert(`matrix:${cube}`), /cube\.npy: shape \(2, 2, 2\): a matrix is 2-D/],
      [invert(`matrix:${ints}`), /ints\.npy: dtype <i8: a measurement matrix must be little-endian float32/],
      [invert(`matrix:${two}`), /two\.safetensors: 2 tensors and none named "A"/],
      [invert("fourier:8"), /--measure must be identity, gaussian:M, inpaint:MASK\.png, inpaint:rect:x,y,w,h, superres:F, subsample:M or matrix:FILE/],
    ]);
    const wrongWidth = join(dir, "wide.npy");
    writeFileSync(wrongWidth, npy(new Float64Array(2 * 70), 2, 70));
    expectUsageErrors([[invert(`matrix:${wrongWidth}`), /--measure matrix: 2 rows of 70 values, the network outputs n = 64 \(the matrix must be m × 64\)/]]);
  });
});
