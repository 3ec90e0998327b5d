// Kernels on two threads (src/kernels/team.ts): every product split between the main thread and a helper
// (splitting.minFlops lowered to 0) equals the one-thread product bit for bit — C and the activation mask —
// on odd shapes, every op(A), op(B) (B packed too), α, β and epilogue, with A half zeros (the sparse path,
// decided on the whole product) and with infinities and NaN in B (where that decision shows in the result).
// The WASM backend under Node only: the TS backend has no threads.
import { expect } from "chai";
import { Act, BiasAxis, createKernels, type DType, type Epilogue, type Kernels } from "../../src/kernels/index.js";
import { splitting } from "../../src/kernels/team.js";
import { Rng } from "../../src/random/rng.js";
import { firstDifference, get, getBytes, kernels, put, putBytes, uniforms } from "../helpers.js";

const SHAPES: [number, number, number][] = [[4, 64, 3], [5, 65, 17], [33, 40, 9], [70, 33, 5], [64, 130, 31], [130, 70, 64], [7, 300, 40], [300, 7, 40], [129, 257, 33]];

const describeWasm = kernels.backend === "wasm" ? describe : describe.skip;   // skipped on the TS twin: it has no threads to split a product between

describeWasm("kernels on two threads (team)", function () {
  this.timeout(120000);
  let one: Kernels, two: Kernels;
  const saved = splitting.minFlops;
  before(async () => {
    one = await createKernels("wasm");
    two = await createKernels("wasm", { threads: 2 });
    splitting.minFlops = 0;
  });
  after(() => {
    splitting.minFlops = saved;
    two.close();
  });

  it("has two threads, and one after close", async () => {
    const K = await createKernels("wasm", { threads: 2 });
    expect(K.threads).to.equal(2);
    K.close();
    expect(K.threads).to.equal(1);
  });

  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`${dtype}: split products equal one thread's, C and mask, on ${SHAPES.length} shapes × op(A), op(B) × α, β × epilogues`, () => {
      let compared = 0;
      const split = splitting.products;
      for (const [m, n, k] of SHAPES) {
        for (const transA of [false, true]) {
          for (const opB of ["N", "T", "packed"] as const) {
            for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, 0], [-2, 0.5]]) {
              for (const variant of ["plain", "epilogue", "nonfinite"] as const) {
                const rng = Rng.derive("team", dtype, m, n, k, String(transA), opB, alpha, beta, variant);
                const A = uniforms(rng, dtype, m * k), B = uniforms(rng, dtype, k * n), C0 = uniforms(rng, dtype, m * n);
                for (let i = 0; i < A.length; i++) if (rng.int(2) === 0) A[i] = rng.int(2) ? 0 : -0;   // half zeros: sparse
                if (variant === "nonfinite") for (let i = 0; i < B.length; i += 1 + rng.int(40)) B[i] = [Infinity, -Infinity, NaN][rng.int(3)];
                const axis = rng.int(2) ? BiasAxis.Row : BiasAxis.Column, bias = uniforms(rng, dtype, axis === BiasAxis.Row ? m : n);
                const act = [Act.None, Act.ReLU, Act.LeakyReLU][rng.int(3)];
                const [mine, theirs] = [two, one].map((K) => {
                  const a = put(K, dtype, A), b = put(K, dtype, B), c = put(K, dtype, C0), pb = put(K, dtype, bias);
                  const mask = putBytes(K, new Array(m * n).fill(7));
                  const e: Epilogue = variant === "epilogue" ? { bias: pb, biasAxis: axis, act, slope: 0.2, mask } : { bias: 0, biasAxis: BiasAxis.Column, act: Act.None, slope: 0, mask: 0 };
                  const lda = transA ? m : k;
                  if (opB === "packed") {
                    const packed = K.packB(dtype, false, k, n, b, n);
                    K.gemmPacked(dtype, transA, m, n, k, alpha, a, lda, packed, beta, c, n, e);
                    K.heap.free(packed.ptr);
                  } else {
                    K.gemm(dtype, transA, opB === "T", m, n, k, alpha, a, lda, b, opB === "T" ? k : n, beta, c, n, e);
                  }
                  const out = { c: get(K, dtype, c, m * n), mask: getBytes(K, mask, m * n) };
                  for (const p of [a, b, c, pb, mask]) K.heap.free(p);
                  return out;
                });
                const where = `${dtype} ${m}×${n}×${k} ${transA ? "T" : "N"}${opB} α ${alpha} β ${beta} ${variant}`;
                expect(firstDifference(mine.c, theirs.c), `${where}: C`).to.equal(-1);
                expect(firstDifference(mine.mask, theirs.mask), `${where}: mask`).to.equal(-1);
                compared++;
              }
            }
          }
        }
      }
      expect(compared).to.equal(SHAPES.length * 2 * 3 * 4 * 3);
      expect(splitting.products - split, "products split").to.be.at.least(compared - 2 * 3 * 4 * 3);
    });
  }

  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`${dtype}: packB, im2colBatch, col2imBatch and adam split into parts equal one thread's`, () => {
      const saved = splitting.minElements;
      splitting.minElements = 0;
      try {
        for (const [k, n] of [[3, 5], [17, 33], [64, 130], [40, 257]]) {
          for (const transB of [false, true]) {
            const B = uniforms(Rng.derive("team-pack", dtype, k, n, String(transB)), dtype, k * n);
            const [mine, theirs] = [two, one].map((K) => {
              const b = put(K, dtype, B), packed = K.packB(dtype, transB, k, n, b, transB ? k : n);
              const out = get(K, dtype, packed.ptr, Math.ceil(n / (dtype === "f32" ? 8 : 4)) * (dtype === "f32" ? 8 : 4) * k);
              K.heap.free(b);
              K.heap.free(packed.ptr);
              return out;
            });
            expect(firstDifference(mine, theirs), `${dtype} packB ${k}×${n} ${transB ? "T" : "N"}`).to.equal(-1);
          }
        }
        for (const [samples, c, h, kk, stride, pad] of [[1, 1, 5, 3, 1, 1], [5, 3, 7, 4, 2, 1], [9, 2, 14, 4, 2, 1], [4, 5, 6, 3, 1, 0]]) {
          const oh = Math.floor((h + 2 * pad - kk) / stride) + 1, rows = c * kk * kk, ldc = samples * oh * oh + 3;
          const rng = Rng.derive("team-unfold", dtype, samples, c, h);
          const X = uniforms(rng, dtype, samples * c * h * h), COLS = uniforms(rng, dtype, rows * ldc);
          const [mine, theirs] = [two, one].map((K) => {
            const x = put(K, dtype, X), cols = put(K, dtype, new Array(rows * ldc).fill(NaN));
            K.im2colBatch(dtype, samples, c, h, h, kk, kk, stride, pad, oh, oh, x, cols, ldc);
            const unfolded = get(K, dtype, cols, rows * ldc);
            // y starts NaN: col2imBatch must zero each image before adding into it
            const cols2 = put(K, dtype, COLS), y = put(K, dtype, new Array(samples * c * h * h).fill(NaN));
            K.col2imBatch(dtype, samples, c, h, h, kk, kk, stride, pad, oh, oh, cols2, y, ldc);
            const folded = get(K, dtype, y, samples * c * h * h);
            for (const p of [x, cols, cols2, y]) K.heap.free(p);
            return { unfolded, folded };
          });
          const where = `${dtype} ${samples} samples ${c}×${h}×${h} k${kk} s${stride} p${pad}`;
          expect(firstDifference(mine.unfolded, theirs.unfolded), `${where}: im2colBatch`).to.equal(-1);
          expect(firstDifference(mine.folded, theirs.folded), `${where}: col2imBatch`).to.equal(-1);
          expect(mine.folded.some(Number.isNaN), `${where}: col2imBatch left NaN`).to.equal(false);
        }
        for (const n of [1, 5, 4099]) {
          const rng = Rng.derive("team-adam", dtype, n);
          const X = uniforms(rng, dtype, n), G = uniforms(rng, dtype, n), M = uniforms(rng, dtype, n, -0.1, 0.1), V = uniforms(rng, dtype, n, 0, 0.1);
          const [mine, theirs] = [two, one].map((K) => {
            const x = put(K, dtype, X), g = put(K, dtype, G), m = put(K, dtype, M), v = put(K, dtype, V);
            K.adam(dtype, n, x, g, m, v, 1e-3, 0.5, 0.999, 1e-8, 7);
            const out = [...get(K, dtype, x, n), ...get(K, dtype, m, n), ...get(K, dtype, v, n)];
            for (const p of [x, g, m, v]) K.heap.free(p);
            return out;
          });
          expect(firstDifference(mine, theirs), `${dtype} adam n = ${n}`).to.equal(-1);
        }
      } finally {
        splitting.minElements = saved;
      }
    });
  }
});
