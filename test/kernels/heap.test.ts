// The heap: allocation, freeing and coalescing, and views that survive memory.grow().
import { expect } from "chai";
import { ALIGN, ArrayMemory, Heap } from "../../src/kernels/heap.js";
import { Mat, gemm } from "../../src/tensor/mat.js";
import { kernels } from "../helpers.js";

describe("heap", () => {
  it("allocates disjoint, 64-byte aligned, non-null blocks and reuses freed ones", () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1 }), 0);
    const sizes = [1, 64, 65, 1000, 3, 4096, 100000];
    const ptrs = sizes.map((s) => heap.alloc(s));
    for (const [i, p] of ptrs.entries()) {
      expect(p % ALIGN).to.equal(0);
      expect(p).to.be.greaterThan(0);
      expect(p + sizes[i]).to.be.at.most(heap.byteLength);
      for (const [j, q] of ptrs.entries()) if (i !== j) expect(p + sizes[i] <= q || q + sizes[j] <= p, `blocks ${i} and ${j} overlap`).to.equal(true);
    }
    for (const p of ptrs) heap.free(p);
    expect(heap.allocatedBytes).to.equal(0);
    // Everything coalesced back: one block the size of all of them fits where the first one was.
    expect(heap.alloc(sizes.reduce((s, x) => s + Math.ceil(x / ALIGN) * ALIGN, 0))).to.equal(ptrs[0]);
  });

  it("refuses a double free and a foreign pointer", () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1 }), 0);
    const p = heap.alloc(10);
    heap.free(p);
    expect(() => heap.free(p)).to.throw(/not an allocated block/);
    expect(() => heap.free(12345)).to.throw(/not an allocated block/);
    expect(() => heap.alloc(-1)).to.throw(/bytes/);
  });

  it("keeps its own views fresh across memory.grow()", () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1 }), 0);
    const p = heap.alloc(16);
    heap.f32[p / 4] = 1.5;
    const before = heap.f32;
    heap.alloc(10 * 65536);   // forces growth
    expect(before.length, "the old view is detached by grow()").to.equal(0);
    expect(heap.f32[p / 4]).to.equal(1.5);
    expect(heap.f32.buffer.byteLength).to.equal(heap.byteLength);
  });

  it("works on a plain ArrayBuffer where WebAssembly is unavailable", () => {
    const heap = new Heap(new ArrayMemory(1), 0);
    const p = heap.alloc(8);
    heap.f64[p / 8] = Math.PI;
    heap.alloc(5 * 65536);
    expect(heap.f64[p / 8]).to.equal(Math.PI);
  });

  it(`Mat views survive growth of the ${kernels.backend} heap and products run after it`, () => {
    const A = Mat.from(2, 3, [1, 2, 3, 4, 5, 6]);
    const B = Mat.from(3, 2, [1, 0, 0, 1, 1, 1]);
    const C = Mat.zeros(2, 2);
    const stale = A.data;
    const big = kernels.heap.alloc(kernels.heap.byteLength);   // at least doubles the memory
    expect(stale.length, "views taken before growth are detached").to.equal(0);
    expect(A.toArray()).to.deep.equal([1, 2, 3, 4, 5, 6]);
    gemm(C, A, B);
    expect(C.toArray()).to.deep.equal([4, 5, 10, 11]);
    kernels.heap.free(big);
    for (const M of [A, B, C]) M.free();
  });
});

describe("the heap's door: Kernels.alloc, view, copy, clear, free", () => {
  it("gives typed views, copies with overlap, zeroes, and frees what it allocated", () => {
    const K = kernels, before = K.heap.allocatedBytes;
    const a = K.alloc(5 * 8), z = K.calloc(3 * 4);
    K.f64View(a, 5).set([1, 2, 3, 4, 5]);
    expect(Array.from(K.view("f32", z, 3))).to.deep.equal([0, 0, 0]);
    // overlapping copy, as memmove: [1, 2, 3, 4, 5] → [1, 1, 2, 3, 4]
    K.copy(a + 8, a, 4 * 8);
    expect(Array.from(K.view("f64", a, 5))).to.deep.equal([1, 1, 2, 3, 4]);
    K.clear(a + 8, 2 * 8);
    expect(Array.from(K.f64View(a, 5))).to.deep.equal([1, 0, 0, 3, 4]);
    expect(K.bytes(a, 8)).to.deep.equal(new Uint8Array(Float64Array.of(1).buffer));
    // a view taken after the heap grows sees the same values
    const big = K.alloc(K.heap.byteLength);
    expect(Array.from(K.f64View(a, 5))).to.deep.equal([1, 0, 0, 3, 4]);
    for (const p of [a, z, big]) K.free(p);
    expect(K.heap.allocatedBytes).to.equal(before);
  });
});
