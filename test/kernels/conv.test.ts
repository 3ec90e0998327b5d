// im2col and col2im: the selected backend equals the other bit for bit and the naive definitions
// (im2col is a copy; col2im adds in the order ci, i, j, oy, ox, so its float32 and float64 sums are
// exact against a reference that adds in that order), and col2im is im2col's adjoint in float64.
import { expect } from "chai";
import type { DType, Kernels } from "../../src/kernels/index.js";
import { Rng } from "../../src/random/rng.js";
import { firstDifference, get, kernels, otherKernels, put, uniforms } from "../helpers.js";

interface Geometry {
  c: number; h: number; w: number; kh: number; kw: number; stride: number; pad: number; oh: number; ow: number;
}

const KERNELS: [number, number][] = [[1, 1], [3, 3], [4, 4], [3, 1], [1, 4], [4, 3]];
const IMAGES: [number, number][] = [[1, 1], [3, 3], [5, 5], [7, 7], [17, 17], [1, 5], [7, 3], [5, 17], [17, 1]];

/** Every valid geometry of KERNELS × IMAGES × strides {1, 2} × pads {0, 1, 2} × channels {1, 3}. */
function geometries(): Geometry[] {
  const out: Geometry[] = [];
  for (const [kh, kw] of KERNELS) {
    for (const [h, w] of IMAGES) {
      for (const stride of [1, 2]) {
        for (const pad of [0, 1, 2]) {
          if (h + 2 * pad < kh || w + 2 * pad < kw) continue;
          const oh = Math.floor((h + 2 * pad - kh) / stride) + 1, ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
          for (const c of [1, 3]) out.push({ c, h, w, kh, kw, stride, pad, oh, ow });
        }
      }
    }
  }
  return out;
}

const name = (g: Geometry) => `${g.c}×${g.h}×${g.w} k${g.kh}×${g.kw} s${g.stride} p${g.pad}`;
const colsLength = (g: Geometry) => g.c * g.kh * g.kw * g.oh * g.ow;

/** The element of x that cols[row][col] copies, or -1 for the padding. */
function source(g: Geometry, row: number, col: number): number {
  const j = row % g.kw, i = Math.floor(row / g.kw) % g.kh, ci = Math.floor(row / (g.kw * g.kh));
  const ox = col % g.ow, oy = Math.floor(col / g.ow);
  const iy = oy * g.stride - g.pad + i, ix = ox * g.stride - g.pad + j;
  return iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? (ci * g.h + iy) * g.w + ix : -1;
}

function im2colReference(g: Geometry, X: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let row = 0; row < g.c * g.kh * g.kw; row++) {
    for (let col = 0; col < g.oh * g.ow; col++) {
      const s = source(g, row, col);
      out.push(s < 0 ? 0 : X[s]);
    }
  }
  return out;
}

/** x + col2im(cols), adding in row-major order of cols (= ci, i, j, oy, ox), rounded to dtype. */
function col2imReference(dtype: DType, g: Geometry, cols: ArrayLike<number>, X: ArrayLike<number>): number[] {
  const out = Array.from(X), cells = g.oh * g.ow;
  for (let e = 0; e < cols.length; e++) {
    const s = source(g, Math.floor(e / cells), e % cells);
    if (s >= 0) out[s] = dtype === "f32" ? Math.fround(out[s] + cols[e]) : out[s] + cols[e];
  }
  return out;
}

function im2col(K: Kernels, dtype: DType, g: Geometry, X: ArrayLike<number>): Float64Array {
  const n = colsLength(g);
  const x = put(K, dtype, X), cols = put(K, dtype, new Array(n + 4).fill(NaN));   // poison, and a canary past the end
  K.im2col(dtype, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow, x, cols);
  const out = get(K, dtype, cols, n + 4);
  K.heap.free(x);
  K.heap.free(cols);
  if (!out.subarray(n).every(Number.isNaN)) expect.fail(`im2col ${name(g)} wrote past cols`);
  return out.subarray(0, n);
}

function col2im(K: Kernels, dtype: DType, g: Geometry, C: ArrayLike<number>, X: ArrayLike<number>): Float64Array {
  const x = put(K, dtype, X), cols = put(K, dtype, C);
  K.col2im(dtype, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow, cols, x);
  const out = get(K, dtype, x, X.length);
  K.heap.free(x);
  K.heap.free(cols);
  return out;
}

describe(`im2col and col2im (${kernels.backend} backend)`, () => {
  let other: Kernels;
  before(async () => {
    other = await otherKernels();
  });
  const all = geometries();

  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`${dtype} im2col: ${all.length} geometries, equal to the other backend and the definition (NaN, ±0, ±∞ copied as they are)`, () => {
      for (const g of all) {
        const X = uniforms(Rng.derive("im2col", dtype, name(g)), dtype, g.c * g.h * g.w);
        X.set([NaN, -0, Infinity, -Infinity].slice(0, X.length));
        const mine = im2col(kernels, dtype, g, X), theirs = im2col(other, dtype, g, X);
        expect(firstDifference(mine, theirs), `${dtype} im2col ${name(g)}: backends differ`).to.equal(-1);
        expect(firstDifference(mine, im2colReference(g, X)), `${dtype} im2col ${name(g)}: vs definition`).to.equal(-1);
      }
    });

    it(`${dtype} col2im: ${all.length} geometries, adding into x, equal to the other backend and the sums in the order ci, i, j, oy, ox`, () => {
      for (const g of all) {
        const rng = Rng.derive("col2im", dtype, name(g));
        const C = uniforms(rng, dtype, colsLength(g)), X = uniforms(rng, dtype, g.c * g.h * g.w);
        C[0] = -0;
        const mine = col2im(kernels, dtype, g, C, X), theirs = col2im(other, dtype, g, C, X);
        expect(firstDifference(mine, theirs), `${dtype} col2im ${name(g)}: backends differ`).to.equal(-1);
        expect(firstDifference(mine, col2imReference(dtype, g, C, X)), `${dtype} col2im ${name(g)}: vs definition`).to.equal(-1);
      }
    });
  }

  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`${dtype} with a leading dimension ldc > oh·ow (a batch's samples side by side): only its own columns are written and read`, () => {
      for (const K of [kernels, other]) {
        for (const g of all) {
          const rows = g.c * g.kh * g.kw, cells = g.oh * g.ow, ldc = cells + 3;
          const rng = Rng.derive("ldc", dtype, name(g));
          const X = uniforms(rng, dtype, g.c * g.h * g.w), C = uniforms(rng, dtype, colsLength(g));
          // im2col into a wide, NaN-poisoned matrix: row r holds the contiguous row r, the rest stays NaN
          const x = put(K, dtype, X), wide = put(K, dtype, new Array(rows * ldc).fill(NaN));
          K.im2col(dtype, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow, x, wide, ldc);
          const out = get(K, dtype, wide, rows * ldc), want = im2col(K, dtype, g, X);
          for (let r = 0; r < rows; r++) {
            expect(firstDifference(out.subarray(r * ldc, r * ldc + cells), want.subarray(r * cells, (r + 1) * cells)), `${dtype} im2col ${name(g)} row ${r}`).to.equal(-1);
            expect(out.subarray(r * ldc + cells, (r + 1) * ldc).every(Number.isNaN), `${dtype} im2col ${name(g)} wrote past row ${r}`).to.equal(true);
          }
          // col2im from the wide matrix with NaN between the rows: equal to the contiguous col2im
          const wideC = new Array(rows * ldc).fill(NaN);
          for (let r = 0; r < rows; r++) for (let q = 0; q < cells; q++) wideC[r * ldc + q] = C[r * cells + q];
          const cp = put(K, dtype, wideC), y = put(K, dtype, X);
          K.col2im(dtype, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow, cp, y, ldc);
          expect(firstDifference(get(K, dtype, y, X.length), col2im(K, dtype, g, C, X)), `${dtype} col2im ${name(g)} with ldc`).to.equal(-1);
          for (const p of [x, wide, cp, y]) K.heap.free(p);
        }
      }
    });
  }

  it("f64: ⟨im2col(x), C⟩ = ⟨x, col2im(C)⟩ to 1e-12", () => {
    for (const g of all) {
      const rng = Rng.derive("adjoint", name(g));
      const X = uniforms(rng, "f64", g.c * g.h * g.w), C = uniforms(rng, "f64", colsLength(g));
      const cols = im2col(kernels, "f64", g, X), back = col2im(kernels, "f64", g, C, new Float64Array(X.length));
      let left = 0, right = 0, scale = 0;
      for (let e = 0; e < C.length; e++) {
        left += cols[e] * C[e];
        scale += Math.abs(cols[e] * C[e]);
      }
      for (let e = 0; e < X.length; e++) right += X[e] * back[e];
      expect(Math.abs(left - right), `${name(g)}: ${left} vs ${right}`).to.be.at.most(1e-12 * Math.max(1, scale));
    }
  });

  it("the DCGAN shapes (64×14×14 and 128×7×7, k4 s2 p1) on both backends", () => {
    for (const g of [
      { c: 64, h: 14, w: 14, kh: 4, kw: 4, stride: 2, pad: 1, oh: 7, ow: 7 },
      { c: 128, h: 7, w: 7, kh: 4, kw: 4, stride: 2, pad: 1, oh: 3, ow: 3 },
    ]) {
      for (const dtype of ["f32", "f64"] as DType[]) {
        const rng = Rng.derive("dcgan", dtype, name(g));
        const X = uniforms(rng, dtype, g.c * g.h * g.w), C = uniforms(rng, dtype, colsLength(g));
        const mine = im2col(kernels, dtype, g, X);
        expect(firstDifference(mine, im2col(other, dtype, g, X)), `${dtype} im2col ${name(g)}`).to.equal(-1);
        expect(firstDifference(mine, im2colReference(g, X)), `${dtype} im2col ${name(g)} vs definition`).to.equal(-1);
        const back = col2im(kernels, dtype, g, C, X);
        expect(firstDifference(back, col2im(other, dtype, g, C, X)), `${dtype} col2im ${name(g)}`).to.equal(-1);
        expect(firstDifference(back, col2imReference(dtype, g, C, X)), `${dtype} col2im ${name(g)} vs definition`).to.equal(-1);
      }
    }
  });

  it("bad geometry and buffers name the function and argument", () => {
    const K = kernels;
    const x = K.heap.alloc(3 * 5 * 5 * 8), cols = K.heap.alloc(3 * 9 * 25 * 8);
    const call = (fn: "im2col" | "col2im", over: Partial<Geometry & { x: number; cols: number; dtype: DType }>) => () => {
      const v = { dtype: "f32" as DType, c: 3, h: 5, w: 5, kh: 3, kw: 3, stride: 1, pad: 1, oh: 5, ow: 5, x, cols, ...over };
      if (fn === "im2col") K.im2col(v.dtype, v.c, v.h, v.w, v.kh, v.kw, v.stride, v.pad, v.oh, v.ow, v.x, v.cols);
      else K.col2im(v.dtype, v.c, v.h, v.w, v.kh, v.kw, v.stride, v.pad, v.oh, v.ow, v.cols, v.x);
    };
    for (const fn of ["im2col", "col2im"] as const) {
      expect(call(fn, {})).not.to.throw();
      expect(call(fn, { oh: 4 })).to.throw(RangeError, new RegExp(`${fn}: oh must be ⌊\\(h \\+ 2·pad − kh\\) / stride⌋ \\+ 1 = ⌊\\(5 \\+ 2 − 3\\) / 1⌋ \\+ 1 = 5, got 4`));
      expect(call(fn, { stride: 2, oh: 3, ow: 5 })).to.throw(RangeError, new RegExp(`${fn}: ow must be .* = 3, got 5`));
      expect(call(fn, { kh: 8 })).to.throw(RangeError, new RegExp(`${fn}: kh = 8 exceeds the padded image: h \\+ 2·pad = 7`));
      expect(call(fn, { stride: 0 })).to.throw(RangeError, new RegExp(`${fn}: stride must be a positive integer, got 0`));
      expect(call(fn, { kw: 1.5 })).to.throw(RangeError, new RegExp(`${fn}: kw must be a positive integer`));
      expect(call(fn, { pad: -1 })).to.throw(RangeError, new RegExp(`${fn}: pad must be a non-negative integer, got -1`));
      expect(call(fn, { c: -3 })).to.throw(RangeError, new RegExp(`${fn}: c must be a non-negative integer`));
      expect(call(fn, { cols: K.heap.byteLength - 64 })).to.throw(RangeError, new RegExp(`${fn}: cols .* past the heap`));
      expect(call(fn, { x: x + 2 })).to.throw(RangeError, new RegExp(`${fn}: x must be a non-null pointer aligned to 4`));
    }
    expect(call("im2col", { cols: x + 8 })).to.throw(RangeError, /im2col: cols .* overlaps x/);
    expect(call("col2im", { cols: x + 8 })).to.throw(RangeError, /col2im: x .* overlaps cols/);
    K.heap.free(x);
    K.heap.free(cols);
  });
});
