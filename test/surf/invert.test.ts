// invert(), the one call: the same results as the pieces it runs (regular descent, the NeurIPS budget,
// surfing, restarts), from a path or from bytes, on one worker or two; and cancelled by an AbortSignal —
// before it starts, while one thread descends, while workers run.
import { expect } from "chai";
import { join } from "node:path";
import { invert } from "../../src/surf/invert.js";
import { runParallel } from "../../src/surf/pool.js";
import { neuripsTotal } from "../../src/surf/schedule.js";
import { CheckpointSequence } from "../../src/nn/files.js";
import { shiftFlow } from "./flows.js";
import { scratchDirectory } from "../helpers.js";

describe("invert(): surfing and its baselines in one call", function () {
  this.timeout(300000);
  let dir = "", seq = "";
  const flow = shiftFlow("surf", [3, 40, 120], "invert-api", [0.8, -0.6, 0.5], 6);
  scratchDirectory("invert-api", (d) => {
    dir = d;
    seq = join(dir, "seq");
    for (let t = 0; t <= 6; t++) {
      const net = flow.load(t);
      CheckpointSequence.write(seq, net, 10 * t);
      net.free();
    }
  });

  it("surfing: the budget from regular Adam on the same trials, then surfing under it — the pieces' results, from a path or from bytes", async () => {
    const options = { seed: "api", targets: { kind: "synthetic" as const }, measurement: { kind: "identity" as const }, optimizer: { kind: "adam" as const }, maxSteps: 10000, start: "uniform" as const, batch: 300 };
    const indices = [0, 1, 2, 3, 4, 5];
    const regular = await runParallel({ kind: "path", path: seq }, { kind: "regular" }, indices, options, 1);
    const total = neuripsTotal(regular).total;
    const surfed = await runParallel({ kind: "path", path: seq }, { kind: "surf", schedule: { kind: "neurips", total } }, indices, options, 1);
    const stages: string[] = [];
    const result = await invert({ net: seq, trials: 6, seed: "api", workers: 1, onProgress: (s) => (stages.at(-1) === s ? 0 : stages.push(s)) });
    expect(stages).to.deep.equal(["regular adam (for the budget)", "surfing"]);
    expect(result.budget!.total).to.equal(total);
    expect(result.results).to.deep.equal(surfed);
    expect(result.successRate).to.equal(surfed.filter((r) => r.success).length / 6);
    const fromBytes = await invert({ net: flow.bytes(), trials: 6, seed: "api", workers: 2 });
    expect(fromBytes.results).to.deep.equal(surfed);
    const restarts = await invert({ net: seq, method: "restarts", restarts: 2, trials: 6, seed: "api", workers: 2 });
    expect(restarts.surf).to.deep.equal(result.summary);
    expect(restarts.results.every((r, i) => r.steps <= surfed[i].steps)).to.equal(true);
    const adam = await invert({ net: join(seq, "000000060.safetensors"), method: "adam", trials: 6, seed: "api", xStar: [0.1, 0.2, 0.3] });
    expect(adam.results.every((r) => r.xStar!.join() === "0.1,0.2,0.3")).to.equal(true);
  });

  it("an AbortSignal cancels it: before it starts, in one thread, and across workers, rejecting with the signal's reason", async () => {
    const before = AbortSignal.abort(new Error("stop before"));
    let error: unknown;
    await invert({ net: seq, trials: 4, signal: before }).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("stop before");
    for (const workers of [1, 2]) {
      const controller = new AbortController();
      let seen = 0;
      error = undefined;
      const started = Date.now();
      // so many trials that no machine finishes them before the first report (workers report every 200 ms)
      await invert({ net: seq, trials: 20000, workers, signal: controller.signal, maxSteps: 20000, onProgress: (_, f) => { if (f > 0 && ++seen === 1) controller.abort(new Error(`stop at ${workers}`)); } })
        .catch((e: unknown) => (error = e));
      expect((error as Error)?.message, `${workers} workers`).to.equal(`stop at ${workers}`);
      expect(Date.now() - started).to.be.below(60000);
    }
  });
});
