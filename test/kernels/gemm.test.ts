// gemm: the selected backend equals the other backend bit for bit, and both equal a naive float64
// triple loop to a relative 1e-5 (f32) / 1e-12 (f64), on every shape in SIZES³ × {N,T}² × {f32,f64}
// (but the one point 784³, which is 72 % of the work and takes no path that 784²×64 does not) and
// on BOUNDARY shapes that cross each blocking limit of assembly/gemm.ts. The sparse path (β = 0 and a
// mostly zero A) is checked the same way, against the dense path, and where the rule says it is taken.
import { expect } from "chai";
import { Act, BiasAxis, packedBBytes, type DType, type Epilogue, type Kernels } from "../../src/kernels/index.js";
import { useSparse } from "../../src/kernels/raw.js";
import { Rng } from "../../src/random/rng.js";
import { firstDifference, get, getBytes, kernels, otherKernels, put, putBytes, uniforms } from "../helpers.js";

const SIZES = [0, 1, 3, 5, 17, 64, 784];
// n > NC = 1024 (two column blocks), m > MC = 128 and k > KC = 256 (two of each) with edge tiles on
// every side; M = MR exactly; and the unpacked path for M < 4 with k past its 32768-element chunk.
const BOUNDARY: [number, number, number][] = [[130, 1100, 300], [4, 8, 3], [1, 40000, 3], [2, 33000, 17], [3, 9, 32769]];
// Relative error allowed against float64, measured against |α|·Σ|a_ik b_kj| + |β c_ij|
// (the scale of the rounding errors; plain |c| is meaningless where the sum cancels).
const TOL: Record<DType, number> = { f32: 1e-5, f64: 1e-12 };
// (α, β) cycles through the special cases BLAS treats differently and a general one.
const SCALARS: [number, number][] = [[1, 0], [1, 1], [-0.75, 0.5], [2.5, 0], [0, -1.5]];

interface Case {
  dtype: DType;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  lda: number;
  ldb: number;
  ldc: number;
  A: Float64Array;
  B: Float64Array;
  C: Float64Array;
}

function makeCase(dtype: DType, transA: boolean, transB: boolean, m: number, n: number, k: number, index: number): Case {
  const rng = Rng.derive("gemm-test", dtype, +transA, +transB, m, n, k);
  const [alpha, beta] = SCALARS[index % SCALARS.length];
  // Leading dimensions: sometimes padded, so strided access is exercised.
  const pad = index % 3;
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const lda = Math.max(1, ac + pad), ldb = Math.max(1, bc + pad), ldc = Math.max(1, n + pad);
  const fill = (rows: number, ld: number) => uniforms(rng, dtype, rows * ld);
  const C = fill(m, ldc);
  // With β = 0 the kernel must not read C: poison it.
  if (beta === 0) C.fill(NaN);
  return { dtype, transA, transB, m, n, k, alpha, beta, lda, ldb, ldc, A: fill(ar, lda), B: fill(br, ldb), C };
}

/** The product with op(B) prepacked; also returns the packed bytes (to compare across backends). */
function runPacked(K: Kernels, c: Case, epilogue?: Epilogue): { out: Float64Array; packed: Uint8Array } {
  const S = c.dtype === "f32" ? 4 : 8;
  const a = put(K, c.dtype, c.A), b = put(K, c.dtype, c.B), cp = put(K, c.dtype, c.C);
  const bytes = packedBBytes(S, c.k, c.n);
  const region = K.heap.alloc(bytes + 64);
  K.heap.u8.fill(0xa5, region, region + bytes + 64);
  const packed = K.packB(c.dtype, c.transB, c.k, c.n, b, c.ldb, { dtype: c.dtype, k: c.k, n: c.n, ptr: region });
  const canary = getBytes(K, region + bytes, 64);
  if (canary.some((v) => v !== 0xa5)) expect.fail(`packB wrote past the ${bytes} bytes of a ${c.k}×${c.n} op(B)`);
  K.gemmPacked(c.dtype, c.transA, c.m, c.n, c.k, c.alpha, a, c.lda, packed, c.beta, cp, c.ldc, epilogue);
  const out = get(K, c.dtype, cp, c.C.length);
  const packedBytes = K.heap.u8.slice(region, region + bytes);
  for (const p of [a, b, cp, region]) K.heap.free(p);
  return { out, packed: packedBytes };
}

function run(K: Kernels, c: Case, epilogue?: Epilogue): Float64Array {
  const a = put(K, c.dtype, c.A), b = put(K, c.dtype, c.B), cp = put(K, c.dtype, c.C);
  K.gemm(c.dtype, c.transA, c.transB, c.m, c.n, c.k, c.alpha, a, c.lda, b, c.ldb, c.beta, cp, c.ldc, epilogue);
  const out = get(K, c.dtype, cp, c.C.length);
  K.heap.free(a);
  K.heap.free(b);
  K.heap.free(cp);
  return out;
}

/** Largest error of `out` against the float64 triple loop, relative to the rounding scale. */
function referenceError(c: Case, out: Float64Array): number {
  const { m, n, k, A, B, C, lda, ldb, ldc, alpha, beta } = c;
  // op(A) and op(B) as plain row-major float64 arrays, then the textbook loop.
  const a = new Float64Array(m * k), b = new Float64Array(k * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[i * k + p] = c.transA ? A[p * lda + i] : A[i * lda + p];
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b[p * n + j] = c.transB ? B[j * ldb + p] : B[p * ldb + j];
  let worst = 0;
  const s = new Float64Array(n), scale = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    s.fill(0);
    scale.fill(0);
    if (alpha !== 0) {
      for (let p = 0; p < k; p++) {
        const av = a[i * k + p];
        for (let j = 0; j < n; j++) {
          const t = av * b[p * n + j];
          s[j] += t;
          scale[j] += Math.abs(t);
        }
      }
    }
    for (let j = 0; j < n; j++) {
      const c0 = beta === 0 ? 0 : C[i * ldc + j];
      const ref = alpha * s[j] + beta * c0;
      const err = Math.abs(out[i * ldc + j] - ref) / (Math.abs(alpha) * scale[j] + Math.abs(beta * c0) || 1);
      if (!(err <= worst)) worst = err;   // NaN propagates as the worst
    }
  }
  return worst;
}

describe(`gemm (${kernels.backend} backend)`, function () {
  let other: Kernels;
  before(async () => {
    other = await otherKernels();
  });

  for (const dtype of ["f32", "f64"] as DType[]) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const op = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
      it(`${dtype} ${op}: all m, n, k in {${SIZES.join(", ")}} and the blocking boundaries: bitwise equal to the ${kernels.backend === "wasm" ? "TS twin" : "WASM kernel"} and to float64 within ${TOL[dtype]}`, () => {
        const shapes: [number, number, number][] = [...BOUNDARY];
        for (const m of SIZES) for (const n of SIZES) for (const k of SIZES) if (m * n * k !== 784 ** 3) shapes.push([m, n, k]);
        for (const [index, [m, n, k]] of shapes.entries()) {
          const c = makeCase(dtype, transA, transB, m, n, k, index);
          const mine = run(kernels, c), theirs = run(other, c);
          const where = `${dtype} ${op} m=${m} n=${n} k=${k} α=${c.alpha} β=${c.beta}`;
          const d = firstDifference(mine, theirs);
          if (d >= 0) expect.fail(`${where}: element ${d} differs between backends: ${mine[d]} vs ${theirs[d]}`);
          const err = referenceError(c, mine);
          if (!(err <= TOL[dtype])) expect.fail(`${where}: relative error ${err} against float64`);
          // Padding columns between rows of C are never written.
          for (let i = 0; i < m; i++) {
            for (let j = n; j < c.ldc; j++) {
              if (!Object.is(mine[i * c.ldc + j], c.C[i * c.ldc + j])) expect.fail(`${where}: wrote C[${i}][${j}] outside the matrix`);
            }
          }
        }
      });
    }
  }

  describe("prepacked B", () => {
    for (const dtype of ["f32", "f64"] as DType[]) {
      for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
        const op = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
        it(`${dtype} ${op}: packB writes the same bytes on both backends and gemmPacked equals gemm bit for bit`, () => {
          const shapes: [number, number, number][] = [...BOUNDARY, [784, 17, 64], [64, 784, 17], [17, 64, 784]];
          for (const m of SIZES.slice(0, 6)) for (const n of SIZES.slice(0, 6)) for (const k of SIZES.slice(0, 6)) shapes.push([m, n, k]);
          for (const [index, [m, n, k]] of shapes.entries()) {
            const c = makeCase(dtype, transA, transB, m, n, k, index);
            const where = `${dtype} ${op} m=${m} n=${n} k=${k}`;
            const plain = run(kernels, c);
            const mine = runPacked(kernels, c), theirs = runPacked(other, c);
            expect(firstDifference(mine.packed, theirs.packed), `${where}: packed bytes differ between backends`).to.equal(-1);
            const d = firstDifference(mine.out, plain);
            if (d >= 0) expect.fail(`${where}: element ${d} of gemmPacked differs from gemm: ${mine.out[d]} vs ${plain[d]}`);
            expect(firstDifference(mine.out, theirs.out), `${where}: gemmPacked differs between backends`).to.equal(-1);
          }
        });
      }
    }
  });

  describe("fused epilogue", () => {
    const shapes = [[1, 784, 512], [3, 5, 17], [17, 17, 17], [64, 3, 784], [5, 1, 3], [130, 33, 70]];
    for (const dtype of ["f32", "f64"] as DType[]) {
      for (const act of [Act.None, Act.ReLU, Act.LeakyReLU]) {
        for (const biasAxis of [BiasAxis.Column, BiasAxis.Row]) {
          it(`${dtype} act=${act} bias per ${biasAxis === BiasAxis.Row ? "row" : "column"}: equals gemm then biasAct, on both backends, with the right mask`, () => {
            for (const [m, n, k] of shapes) {
              for (const transB of [false, true]) {
                const c = makeCase(dtype, false, transB, m, n, k, 0);   // α = 1, β = 0
                const rng = Rng.derive("epilogue-test", dtype, m, n, k);
                const bias = uniforms(rng, dtype, biasAxis === BiasAxis.Row ? m : n);
                const results = [kernels, other].map((K) => {
                  const bp = put(K, dtype, bias), mp = putBytes(K, new Array(m * n).fill(7));
                  const fused = run(K, c, { bias: bp, biasAxis, act, slope: 0.2, mask: mp });
                  const fusedMask = getBytes(K, mp, m * n);
                  // unfused: product, then the separate bias + activation kernel
                  const a = put(K, dtype, c.A), b = put(K, dtype, c.B), cp = put(K, dtype, c.C), mp2 = putBytes(K, new Array(m * n).fill(7));
                  K.gemm(dtype, false, transB, m, n, k, 1, a, c.lda, b, c.ldb, 0, cp, c.ldc);
                  K.biasAct(dtype, m, n, cp, c.ldc, { bias: bp, biasAxis, act, slope: 0.2, mask: mp2 });
                  return { fused, fusedMask, separate: get(K, dtype, cp, c.C.length), separateMask: getBytes(K, mp2, m * n) };
                });
                const [mine, theirs] = results;
                const where = `${dtype} m=${m} n=${n} k=${k} transB=${transB}`;
                expect(firstDifference(mine.fused, theirs.fused), `${where}: backends differ`).to.equal(-1);
                expect(firstDifference(mine.fused, mine.separate), `${where}: fused ≠ separate`).to.equal(-1);
                expect(mine.fusedMask, `${where}: masks differ between backends`).to.deep.equal(theirs.fusedMask);
                expect(mine.fusedMask, `${where}: fused mask ≠ separate mask`).to.deep.equal(mine.separateMask);
                // The mask is the sign pattern of the pre-activation, against float64.
                const plain = makeCase(dtype, false, transB, m, n, k, 0);
                const z = run(kernels, plain);
                for (let i = 0; i < m; i++) {
                  for (let j = 0; j < n; j++) {
                    const sum = z[i * c.ldc + j] + bias[biasAxis === BiasAxis.Row ? i : j];
                    const pre = dtype === "f32" ? Math.fround(sum) : sum;
                    expect(mine.fusedMask[i * n + j], `${where} mask[${i}][${j}]`).to.equal(pre > 0 ? 1 : 0);
                  }
                }
              }
            }
          });
        }
      }
    }
  });
  describe("sparse A", () => {
    // m, n, k in {1, 3, 5, 17, 784} (but m = k = 784, the slow corner for the TS twin), and n past the
    // rule's 128 columns with each edge of the 3-panel sparse tile: 145, 157, 165 end on 1, 13, 21 columns
    // of 24 (f32) and on 1, 1, 9 of 12 (f64); 128 and 784 on whole panels. SPARSE_BOUNDARY: two blocks of
    // rows, columns and k, every edge; exactly MR rows and 128 columns; one past MC and KC.
    const M = [1, 3, 5, 17, 784], N = [1, 3, 5, 17, 784, 128, 145, 157, 165], K_ = [1, 3, 5, 17, 784];
    const SPARSE_BOUNDARY: [number, number, number][] = [[130, 1100, 300], [4, 128, 1], [129, 130, 257]];
    const OPS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
    // op(A)'s zeros: none, ~95 % and ~50 % at random, every other row zero (the rest dense), all zero.
    const PATTERNS = ["dense", "0.05", "0.5", "rows", "zero"] as const;

    /** A case of makeCase with β = 0 (the sparse path's condition) and op(A) thinned to `pattern`. */
    function sparseCase(dtype: DType, transA: boolean, transB: boolean, m: number, n: number, k: number, index: number): Case {
      const c = makeCase(dtype, transA, transB, m, n, k, index);
      const rng = Rng.derive("gemm-sparse-test", dtype, m, n, k, index);
      const pattern = PATTERNS[index % PATTERNS.length];
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const zero = pattern === "zero" || (pattern === "rows" && i % 2 === 0) ||
            ((pattern === "0.05" || pattern === "0.5") && rng.uniform() >= Number(pattern));
          if (zero) c.A[c.transA ? p * c.lda + i : i * c.lda + p] = 0;
        }
      }
      const alpha = [1, 2.5, -0.75][index % 3];
      return { ...c, alpha, beta: 0, C: c.C.fill(NaN) };
    }

    /** Whether the rule sends c down the sparse path (the TS statement of it, checked on both backends below). */
    function sparse(c: Case): boolean {
      let zeros = 0;
      for (let i = 0; i < c.m; i++) for (let p = 0; p < c.k; p++) if ((c.transA ? c.A[p * c.lda + i] : c.A[i * c.lda + p]) === 0) zeros++;
      return c.beta === 0 && useSparse(c.m, c.n, c.k, () => zeros);
    }

    /** The dense path on the same product: β = 1 onto a C of +0 (its padding kept), which the contract says starts alike. */
    const densePath = (c: Case): Case => ({ ...c, beta: 1, C: c.C.map((v, q) => (q % c.ldc < c.n ? 0 : v)) });

    for (const dtype of ["f32", "f64"] as DType[]) {
      for (const packed of [false, true]) {
        it(`${dtype} ${packed ? "prepacked" : "plain"}: bitwise equal to the dense path and across backends, and to float64 within ${TOL[dtype]}, at densities 0 to 1`, () => {
          const shapes: [number, number, number][] = [...SPARSE_BOUNDARY];
          for (const m of M) for (const n of N) for (const k of K_) if (m * k !== 784 * 784) shapes.push([m, n, k]);
          let sparseCases = 0;
          for (const [index, [m, n, k]] of shapes.entries()) {
            const [transA, transB] = packed ? [false, OPS[index % 4][1]] : OPS[index % 4];
            const c = sparseCase(dtype, transA, transB, m, n, k, index);
            if (sparse(c)) sparseCases++;
            const go = (K: Kernels, x: Case) => (packed ? runPacked(K, x).out : run(K, x));
            const mine = go(kernels, c), theirs = go(other, c), dense = go(kernels, densePath(c));
            const where = `${dtype} ${packed ? "packed" : "plain"} ${transA ? "T" : "N"}${transB ? "T" : "N"} m=${m} n=${n} k=${k} α=${c.alpha} ${PATTERNS[index % PATTERNS.length]}`;
            let d = firstDifference(mine, theirs);
            if (d >= 0) expect.fail(`${where}: element ${d} differs between backends: ${mine[d]} vs ${theirs[d]}`);
            d = firstDifference(mine, dense);
            if (d >= 0) expect.fail(`${where}: element ${d} differs from the dense path: ${mine[d]} vs ${dense[d]}`);
            const err = referenceError(c, mine);
            if (!(err <= TOL[dtype])) expect.fail(`${where}: relative error ${err} against float64`);
            for (let i = 0; i < m; i++) {
              for (let j = n; j < c.ldc; j++) {
                if (!Number.isNaN(mine[i * c.ldc + j])) expect.fail(`${where}: wrote C[${i}][${j}] outside the matrix`);
              }
            }
          }
          // The loop above must have exercised the sparse path (58 of its 219 cases), not only the rule's dense side.
          expect(sparseCases, "cases on the sparse path").to.be.at.least(50);
        });
      }

      it(`${dtype}: the fused epilogue after the sparse path equals it after the dense path, with the same mask, on both backends`, () => {
        for (const [index, [m, n, k]] of [[5, 145, 17], [17, 784, 3], [130, 157, 300], [4, 128, 1]].entries()) {
          for (const packed of [false, true]) {
            const c = sparseCase(dtype, false, index % 2 === 1, m, n, k, 2 + 5 * index);   // the 0.5 pattern
            expect(sparse(c), `m=${m} n=${n} k=${k} is sparse`).to.equal(true);
            const bias = uniforms(Rng.derive("gemm-sparse-bias", dtype, m, n, k), dtype, n);
            const fused = (K: Kernels, x: Case, act: Act) => {
              const bp = put(K, dtype, bias), mp = putBytes(K, new Array(m * n).fill(7));
              const e = { bias: bp, biasAxis: BiasAxis.Column, act, slope: 0.2, mask: mp };
              const out = packed ? runPacked(K, x, e).out : run(K, x, e);
              const mask = getBytes(K, mp, m * n);
              K.heap.free(bp);
              K.heap.free(mp);
              return { out, mask };
            };
            for (const act of [Act.ReLU, Act.LeakyReLU]) {
              const where = `${dtype} ${packed ? "packed" : "plain"} act=${act} m=${m} n=${n} k=${k}`;
              const mine = fused(kernels, c, act), theirs = fused(other, c, act), dense = fused(kernels, densePath(c), act);
              expect(firstDifference(mine.out, theirs.out), `${where}: backends differ`).to.equal(-1);
              expect(firstDifference(mine.out, dense.out), `${where}: sparse ≠ dense path`).to.equal(-1);
              expect(mine.mask, `${where}: masks differ between backends`).to.deep.equal(theirs.mask);
              expect(mine.mask, `${where}: mask ≠ the dense path's`).to.deep.equal(dense.mask);
            }
          }
        }
      });

      // Which path ran is visible with b_0j = +∞ facing a zero column 0 of op(A): the dense path adds
      // 0·∞ = NaN to every element, the sparse path leaves the term out (the header of assembly/gemm.ts).
      it(`${dtype}: the sparse path runs exactly where the rule says, on both backends (a zero a_i0 facing b_0j = ∞)`, () => {
        interface Probe { m: number; n: number; k: number; zeros: number; beta?: number; transA?: boolean; packed?: boolean; sparse: boolean }
        const probes: Probe[] = [
          { m: 4, n: 128, k: 10, zeros: 16, sparse: true },   // 40 % zeros: 16·5 = 2·4·10
          { m: 4, n: 128, k: 10, zeros: 15, sparse: false },
          { m: 4, n: 128, k: 10, zeros: 16, packed: true, sparse: true },
          { m: 4, n: 128, k: 10, zeros: 15, packed: true, sparse: false },
          { m: 4, n: 128, k: 10, zeros: 16, transA: true, sparse: true },
          { m: 3, n: 128, k: 10, zeros: 30, sparse: false },   // all zero, but fewer than MR rows
          { m: 4, n: 127, k: 10, zeros: 40, packed: true, sparse: false },
          { m: 4, n: 128, k: 10, zeros: 40, beta: 1, sparse: false },   // β ≠ 0: never
          { m: 4, n: 128, k: 10, zeros: 40, beta: 0.5, packed: true, sparse: false },
          { m: 300, n: 784, k: 64, zeros: 300 * 32, packed: true, sparse: true },
          { m: 130, n: 1100, k: 300, zeros: 130 * 150, transA: true, sparse: true },
        ];
        for (const pr of probes) {
          const { m, n, k, zeros } = pr, transA = pr.transA ?? false, beta = pr.beta ?? 0;
          const rng = Rng.derive("gemm-sparse-probe", dtype, m, n, k, zeros);
          // op(A): column 0 zero, then zeros row by row until `zeros`; the rest in [0.5, 1).
          const A = uniforms(rng, dtype, m * k, 0.5, 1);
          for (let q = 0, left = zeros; q < m * k && left > 0; q++) {
            const [i, p] = q < m ? [q, 0] : [Math.floor((q - m) / (k - 1)), 1 + ((q - m) % (k - 1))];
            A[transA ? p * m + i : i * k + p] = 0;
            left--;
          }
          const B = uniforms(rng, dtype, k * n);
          B.fill(Infinity, 0, n);
          const c: Case = { dtype, transA, transB: false, m, n, k, alpha: 1, beta, lda: transA ? m : k, ldb: n, ldc: n, A, B, C: new Float64Array(m * n) };
          expect(sparse(c), `useSparse for ${JSON.stringify(pr)}`).to.equal(pr.sparse);
          const go = (K: Kernels) => (pr.packed ? runPacked(K, c).out : run(K, c));
          const mine = go(kernels), theirs = go(other);
          const where = `${dtype} ${JSON.stringify(pr)}`;
          expect(firstDifference(mine, theirs), `${where}: backends differ`).to.equal(-1);
          const finite = mine.filter(Number.isFinite).length, nan = mine.filter(Number.isNaN).length;
          expect(pr.sparse ? finite : nan, `${where}: ${finite} finite, ${nan} NaN of ${m * n}`).to.equal(m * n);
        }
      });
    }

    it("useSparse: m ≥ 4, n ≥ 128, at least 40 % zeros, and the zeros counted only for such a shape", () => {
      expect(useSparse(4, 128, 10, () => 16)).to.equal(true);
      expect(useSparse(4, 128, 10, () => 15)).to.equal(false);
      expect(useSparse(300, 784, 512, () => 0.4 * 300 * 512)).to.equal(true);
      expect(useSparse(300, 784, 512, () => 0.4 * 300 * 512 - 1)).to.equal(false);
      const never = () => expect.fail("zeros counted for a shape that cannot take the sparse path");
      expect(useSparse(3, 128, 10, never)).to.equal(false);
      expect(useSparse(4, 127, 10, never)).to.equal(false);
    });
  });
});
