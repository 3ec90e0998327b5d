// permute: between a chunk's sample-major layout (n × C × P) and the channel-major one (C × n·P), a pure
// copy — the selected backend equals the other and the definition bit for bit (NaN, −0 and ∞ included),
// both ways, on odd shapes, and writes nothing past its block.
import { expect } from "chai";
import type { DType } from "../../src/kernels/index.js";
import { Rng } from "../../src/random/rng.js";
import { firstDifference, get, kernels, otherKernels, put, uniforms } from "../helpers.js";

describe(`permute (${kernels.backend} backend)`, () => {
  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`${dtype}: n, C, P in {0, 1, 2, 3, 5, 49} both ways: equal to the other backend and the definition`, async () => {
      const other = await otherKernels();
      for (const n of [0, 1, 3, 5]) {
        for (const C of [1, 2, 3]) {
          for (const P of [1, 2, 3, 5, 49]) {
            const count = n * C * P, rng = Rng.derive("permute", dtype, n, C, P);
            const X = uniforms(rng, dtype, count);
            for (let i = 0; i < count; i += 7) X[i] = [NaN, -0, Infinity][i % 3];
            for (const toChannelMajor of [true, false]) {
              const want = new Float64Array(count + 1).fill(NaN);
              for (let s = 0; s < n; s++) {
                for (let c = 0; c < C; c++) {
                  for (let p = 0; p < P; p++) {
                    const sm = (s * C + c) * P + p, cm = (c * n + s) * P + p;
                    if (toChannelMajor) want[cm] = X[sm];
                    else want[sm] = X[cm];
                  }
                }
              }
              const [mine, theirs] = [kernels, other].map((K) => {
                const src = put(K, dtype, X), dst = put(K, dtype, new Array(count + 1).fill(NaN));
                if (toChannelMajor) K.permute(dtype, n, C, P, src, dst, true);
                else K.permute(dtype, n, C, P, dst, src, false);
                const out = get(K, dtype, dst, count + 1);
                K.heap.free(src);
                K.heap.free(dst);
                return out;
              });
              const where = `${dtype} ${n}×${C}×${P} ${toChannelMajor ? "to" : "from"} channel-major`;
              expect(firstDifference(mine, theirs), `${where}: backends differ`).to.equal(-1);
              expect(firstDifference(mine, want), `${where}: vs the definition`).to.equal(-1);
            }
          }
        }
      }
    });
  }

  it("bad arguments name the function and argument", () => {
    const K = kernels, a = K.heap.alloc(256), b = K.heap.alloc(256);
    expect(() => K.permute("f32", 2, 3, 4, a, b, true)).not.to.throw();
    expect(() => K.permute("f32", 2, -3, 4, a, b, true)).to.throw(RangeError, /permute: C must be a non-negative integer/);
    expect(() => K.permute("f32", 2, 3, 4, a, a + 8, true)).to.throw(RangeError, /permute: channelMajor .* overlaps sampleMajor/);
    expect(() => K.permute("f32", 2, 3, 4, a, a + 8, false)).to.throw(RangeError, /permute: sampleMajor .* overlaps channelMajor/);
    K.heap.free(a);
    K.heap.free(b);
  });
});
