// Batch norm's kernels (channelSums, squaredDeviations, bnNormalize, channelAffine, bnInputGradient): the
// selected backend equals the other bit for bit, and both equal the definitions written out below as plain
// float64 loops in the stated order (sums sample by sample, position by position from +0; each elementwise
// result one float64 expression rounded once to the dtype), on odd shapes — P = 1 (BatchNorm1d, the vector
// path across channels) and P > 1, channel counts not a multiple of the vector widths, rows 0 and 1 —
// with −0, infinities and NaN among the inputs.
import { expect } from "chai";
import type { DType, Kernels } from "../../src/kernels/index.js";
import { Rng } from "../../src/random/rng.js";
import { firstDifference, get, kernels, otherKernels, put, uniforms } from "../helpers.js";

const SHAPES: [number, number, number][] = [];
for (const rows of [0, 1, 3, 8]) for (const C of [1, 2, 3, 5, 6, 9]) for (const P of [1, 2, 3, 7, 49]) SHAPES.push([rows, C, P]);
const SPECIAL = [NaN, Infinity, -Infinity, -0, 2 ** 100, 1e-300];

/** The inputs of one shape: data (rows·C·P), a second data array, per-channel f64 pairs and dtype pairs. */
function inputs(dtype: DType, rows: number, C: number, P: number, special: boolean) {
  const rng = Rng.derive("batchnorm", dtype, rows, C, P, special ? "special" : "plain");
  const n = rows * C * P, round = (v: number) => (dtype === "f32" ? Math.fround(v) : v);
  const a = uniforms(rng, dtype, n, -3, 3), b = uniforms(rng, dtype, n, -3, 3);
  if (special) for (let i = 0; i < n; i++) if (rng.int(7) === 0) a[i] = round(SPECIAL[rng.int(SPECIAL.length)]);
  const f0 = uniforms(rng, "f64", C, -2, 2), f1 = uniforms(rng, "f64", C, 0.1, 3), f2 = uniforms(rng, "f64", C, 0.1, 3);
  const t0 = uniforms(rng, dtype, C, -2, 2), t1 = uniforms(rng, dtype, C, -2, 2);
  if (special && C > 1) f0[1] = -0;
  return { n, a, b, f0, f1, f2, t0, t1, round };
}

/** Runs every kernel on K; returns each output (as float64 values) by name. */
function run(K: Kernels, dtype: DType, rows: number, C: number, P: number, special: boolean): Record<string, Float64Array> {
  const { n, a, b, f0, f1, f2, t0, t1 } = inputs(dtype, rows, C, P, special);
  const pa = put(K, dtype, a), pb = put(K, dtype, b), p0 = put(K, "f64", f0), p1 = put(K, "f64", f1), p2 = put(K, "f64", f2);
  const q0 = put(K, dtype, t0), q1 = put(K, dtype, t1);
  // outputs one element longer than written, NaN-filled, to see a write past the end
  const out = () => put(K, dtype, new Array(n + 1).fill(NaN)), sums = () => put(K, "f64", new Array(C + 1).fill(NaN));
  const s1 = sums(), s2 = sums(), s3 = sums(), s4 = sums(), xh = out(), y = out(), z = out(), w = out(), g = out();
  K.channelSums(dtype, rows, C, P, pa, 0, s1, 0);
  K.channelSums(dtype, rows, C, P, pa, pb, s2, s3);
  K.squaredDeviations(dtype, rows, C, P, pa, p0, s4);
  K.bnNormalize(dtype, rows, C, P, pa, xh, y, p0, p1, q0, q1);
  K.channelAffine(dtype, rows, C, P, pa, z, p0, p1);
  K.channelAffine(dtype, rows, C, P, pa, w, p0, 0);
  K.bnInputGradient(dtype, rows, C, P, pa, pb, g, p0, p1, p2, q0);
  const result = {
    sum: get(K, "f64", s1, C + 1), sumAlone: get(K, "f64", s2, C + 1), sumProducts: get(K, "f64", s3, C + 1), squares: get(K, "f64", s4, C + 1),
    xhat: get(K, dtype, xh, n + 1), y: get(K, dtype, y, n + 1), affine: get(K, dtype, z, n + 1), scale: get(K, dtype, w, n + 1), gradient: get(K, dtype, g, n + 1),
  };
  K.channelAffine(dtype, rows, C, P, z, z, p0, p1);   // in place
  Object.assign(result, { inPlace: get(K, dtype, z, n + 1) });
  for (const p of [pa, pb, p0, p1, p2, q0, q1, s1, s2, s3, s4, xh, y, z, w, g]) K.heap.free(p);
  return result;
}

/** The definitions: plain loops over s, c, p in float64, each result rounded once. */
function reference(dtype: DType, rows: number, C: number, P: number, special: boolean): Record<string, Float64Array> {
  const { n, a, b, f0, f1, f2, t0, t1, round } = inputs(dtype, rows, C, P, special);
  const at = (s: number, c: number, p: number) => (s * C + c) * P + p;
  const perChannel = (f: (c: number) => number) => Float64Array.from({ length: C + 1 }, (_, c) => (c < C ? f(c) : NaN));
  const sum = (c: number, term: (i: number) => number) => {
    let t = 0;
    for (let s = 0; s < rows; s++) for (let p = 0; p < P; p++) t += term(at(s, c, p));
    return t;
  };
  const elementwise = (f: (i: number, c: number) => number) => {
    const out = new Float64Array(n + 1).fill(NaN);
    for (let s = 0; s < rows; s++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) out[at(s, c, p)] = round(f(at(s, c, p), c));
    return out;
  };
  const xhat = elementwise((i, c) => (a[i] - f0[c]) * f1[c]), N = rows * P;
  const affine = elementwise((i, c) => f0[c] * a[i] + f1[c]);
  return {
    sum: perChannel((c) => sum(c, (i) => a[i])), sumAlone: perChannel((c) => sum(c, (i) => a[i])),
    sumProducts: perChannel((c) => sum(c, (i) => a[i] * b[i])), squares: perChannel((c) => sum(c, (i) => (a[i] - f0[c]) * (a[i] - f0[c]))),
    xhat, y: elementwise((i, c) => t0[c] * xhat[i] + t1[c]), affine, scale: elementwise((i, c) => f0[c] * a[i]),
    gradient: elementwise((i, c) => ((t0[c] * f2[c]) / N) * (N * a[i] - f0[c] - b[i] * f1[c])),
    inPlace: elementwise((i, c) => f0[c] * affine[i] + f1[c]),
  };
}

describe(`batch-norm kernels (${kernels.backend} backend)`, () => {
  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`${dtype}: ${SHAPES.length} shapes rows × C × P, with and without special values: equal to the other backend and the definitions`, async () => {
      const other = await otherKernels();
      for (const [rows, C, P] of SHAPES) {
        for (const special of [false, true]) {
          const mine = run(kernels, dtype, rows, C, P, special), theirs = run(other, dtype, rows, C, P, special), want = reference(dtype, rows, C, P, special);
          for (const name of Object.keys(want)) {
            const where = `${dtype} ${name} ${rows}×${C}×${P}${special ? " special" : ""}`;
            expect(firstDifference(mine[name], theirs[name]), `${where}: backends differ`).to.equal(-1);
            expect(firstDifference(mine[name], want[name]), `${where}: vs the definition`).to.equal(-1);
          }
        }
      }
    });
  }

  it("bad arguments name the function and argument", () => {
    const K = kernels, x = K.heap.alloc(64 * 8), y = K.heap.alloc(64 * 8), s = K.heap.alloc(64 * 8), t = K.heap.alloc(64 * 8);
    expect(() => K.channelSums("f32", 2, 3, 4, x, 0, s, 0)).not.to.throw();
    expect(() => K.channelSums("f32", 2, -3, 4, x, 0, s, 0)).to.throw(RangeError, /channelSums: C must be a non-negative integer/);
    expect(() => K.channelSums("f32", 2, 3, 4, x, y, s, s + 8)).to.throw(RangeError, /channelSums: sum2 .* overlaps sum/);
    expect(() => K.channelSums("f64", 2, 3, 4, x, 0, s + 4, 0)).to.throw(RangeError, /channelSums: sum must be a non-null pointer aligned to 8/);
    expect(() => K.squaredDeviations("f32", 2, 3, 4, x, s, x + 8)).to.throw(RangeError, /squaredDeviations: sq .* overlaps x/);
    expect(() => K.bnNormalize("f32", 2, 3, 4, x, x + 16, y, s, t, s + 64, s + 128)).to.throw(RangeError, /bnNormalize: xhat .* overlaps x/);
    expect(() => K.channelAffine("f32", 2, 3, 4, x, x + 4, s, 0)).to.throw(RangeError, /channelAffine: y .* overlaps x/);
    expect(() => K.channelAffine("f32", 2, 3, 4, x, x, s, 0)).not.to.throw();
    expect(() => K.bnInputGradient("f32", 2, 3, 4, x, y, x, s, s + 64, s + 128, t)).to.throw(RangeError, /bnInputGradient: gx .* overlaps g/);
    expect(() => K.channelSums("f32", 1 << 20, 1 << 10, 1 << 10, x, 0, s, 0)).to.throw(RangeError, /channelSums: rows·C·P = .* exceeds/);
    for (const p of [x, y, s, t]) K.heap.free(p);
  });
});
