// The kernels load and compute in a real browser, from the compiled ES modules with no bundler and no fs:
// WASM SIMD by default, the TS twin when globalThis.SURF_BACKEND = "js".
import { expect } from "chai";
import { browserSuite, openPage } from "./chromium.js";

describe("kernels in headless Chromium", function () {
  this.timeout(60000);
  const chromium = browserSuite({ serve: true });

  for (const forced of [undefined, "js"] as const) {
    it(`multiplies two matrices on the ${forced ?? "default (wasm)"} backend and matches the other backend bit for bit`, async () => {
      const page = await openPage(chromium.browser, chromium.origin);
      const result = await page.evaluate(async (forced) => {
        if (forced) (globalThis as Record<string, unknown>).SURF_BACKEND = forced;
        const mod = await import("/dist/src/kernels/index.js" as string);
        const run = (K: typeof mod.kernels, m: number, n: number, k: number, A: number[], B: number[]) => {
          const a = K.heap.alloc(m * k * 4), b = K.heap.alloc(k * n * 4), c = K.heap.alloc(m * n * 4);
          K.heap.f32.set(A, a / 4);
          K.heap.f32.set(B, b / 4);
          K.gemm("f32", false, true, m, n, k, 1, a, k, b, k, 0, c, n);
          return Array.from(K.heap.f32.subarray(c / 4, c / 4 + m * n)) as number[];
        };
        const small = run(mod.kernels, 2, 2, 3, [1, 2, 3, 4, 5, 6], [7, 9, 11, 8, 10, 12]);
        const other = await mod.createKernels(mod.kernels.backend === "wasm" ? "js" : "wasm");
        const A = Array.from({ length: 17 * 33 }, (_, i) => Math.sin(i)), B = Array.from({ length: 5 * 33 }, (_, i) => Math.cos(i));
        const x = run(mod.kernels, 17, 5, 33, A, B), y = run(other, 17, 5, 33, A, B);
        return { backend: mod.kernels.backend, simd: mod.wasmSupported(), small, identical: x.every((v, i) => Object.is(v, y[i])) };
      }, forced);
      expect((page as unknown as { errors: string[] }).errors).to.deep.equal([]);
      expect(result.simd).to.equal(true);
      expect(result.backend).to.equal(forced ?? "wasm");
      expect(result.small).to.deep.equal([58, 64, 139, 154]);
      expect(result.identical).to.equal(true);
      await page.close();
    });
  }
});
