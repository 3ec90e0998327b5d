// The library's browser build (dist/browser, scripts/bundle.mjs) in a real browser: surfing's trials spread over
// two Web Workers (networks passed as bytes) give exactly what one thread gives there, and what Node gives.
import { expect } from "chai";
import { browserSuite, openPage } from "./chromium.js";
import { run, type RunOptions } from "../../src/surf/surf.js";
import { openSequence } from "../../src/surf/sequence.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { networkToSafetensors } from "../../src/nn/checkpoint.js";

const OPTIONS: RunOptions = {
  seed: "browser", targets: { kind: "synthetic" }, measurement: { kind: "identity" }, optimizer: { kind: "adam" },
  maxSteps: 500, start: "uniform", batch: 8,
};
const METHOD = { kind: "surf", schedule: { kind: "converge" } } as const;
const ARCH = [2, 20, 40], INDICES = [0, 1, 2, 3, 4];

describe("worker pool in headless Chromium", function () {
  this.timeout(120000);
  const chromium = browserSuite({ serve: true });

  it("surfs 5 trials on 2 Web Workers, identical to one thread and to Node, also through invert(), which an AbortSignal cancels", async () => {
    const page = await openPage(chromium.browser, chromium.origin);
    const result = await page.evaluate(async ({ options, method, arch, indices }) => {
      const lib = await import("/dist/browser/surfing.js" as string);
      let spawned = 0;
      const WebWorker = globalThis.Worker;
      globalThis.Worker = class extends WebWorker {
        constructor(url: string | URL, init?: WorkerOptions) {
          super(url, init);
          spawned++;
        }
      };
      const files = [0, 1, 2].map((t) => lib.networkToSafetensors(lib.randomNetwork("surf", arch, `browser-${t}`), 40 * t));
      const pooled = await lib.runParallel({ kind: "bytes", files }, method, indices, options, 2);
      const workers = spawned;
      const single = lib.run(lib.openSequence({ kind: "bytes", files }), method, indices, options);
      let pathError = "";
      try {
        await lib.runParallel({ kind: "path", path: "/nets" }, method, indices, options, 2);
      } catch (e) {
        pathError = (e as Error).message;
      }
      // the one call, from bytes on two Web Workers, and cancelled by an aborted signal
      const inverted = await lib.invert({ net: files, trials: indices.length, seed: options.seed, workers: 2, schedule: "converge", maxSteps: options.maxSteps, batch: options.batch });
      const stopped = await lib.invert({ net: files, trials: 2, signal: AbortSignal.abort(new Error("stopped")) }).then(() => "ran", (e: Error) => e.message);
      return { spawned: workers, pooled: JSON.stringify(pooled), single: JSON.stringify(single), steps: single[0].steps, workers: lib.defaultWorkers(), pathError,
        inverted: JSON.stringify(inverted.results), stopped };
    }, { options: OPTIONS, method: METHOD, arch: ARCH, indices: INDICES });
    const files = [0, 1, 2].map((t) => networkToSafetensors(randomNetwork("surf", ARCH, `browser-${t}`), 40 * t));
    const node = JSON.stringify(run(openSequence({ kind: "bytes", files }), METHOD, INDICES, OPTIONS));
    expect((page as unknown as { errors: string[] }).errors).to.deep.equal([]);
    expect(result.spawned).to.equal(2);
    expect(result.steps).to.be.greaterThan(0);
    expect(result.pooled).to.equal(result.single);
    expect(result.single).to.equal(node);
    expect(result.workers).to.be.at.least(1);
    expect(result.pathError).to.match(/no file system here; pass the networks' bytes/);
    expect(result.inverted).to.equal(node);
    expect(result.stopped).to.equal("stopped");
    await page.close();
  });
});
