/** `surf regions NET [--box L]`: the exact linear regions of G inside [−L, L]^k (src/geometry/enumerate.ts). */
import { positiveFlag, positiveIntFlag, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { readNetwork } from "../nn/files.js";
import { enumerateRegions } from "../geometry/enumerate.js";
import { fromNetwork } from "../geometry/from-network.js";
import { neuronCount } from "../geometry/affine.js";
import { patternString } from "../geometry/pattern.js";

export async function run(args: ParsedArgs): Promise<number> {
  const path = args.positionals[0];
  const box = positiveFlag(args.flags.box, "--box"), maxRegions = positiveIntFlag(args.flags["max-regions"], "--max-regions");
  // Float64 weights: the stored values exactly (float32 files convert without rounding).
  const { network } = readNetwork(path, { dtype: "f64" });
  let net;
  try {
    net = fromNetwork(network, path);
  } finally {
    network.free();
  }
  const bar = progressBar("regions");
  const start = performance.now();
  const e = enumerateRegions(net, { box, maxRegions, seed: args.seed, onProgress: (done, expected) => bar.update(done, Math.max(done, expected)) });
  bar.done();
  const seconds = (performance.now() - start) / 1000;
  if (args.json) {
    const regions = e.regions.map((r) => ({
      pattern: patternString(r.pattern),
      interior: Array.from(r.interior),
      ...(r.vertices ? { vertices: Array.from({ length: r.vertices.length / 2 }, (_, i) => [r.vertices![2 * i], r.vertices![2 * i + 1]]) } : {}),
    }));
    process.stdout.write(JSON.stringify({ k: e.k, box, count: e.count, regions }) + "\n");
  } else {
    process.stdout.write(
      `${path}: ${e.count} linear regions in [−${box}, ${box}]^${e.k} (k = ${e.k}, ${neuronCount(net)} ReLU/LeakyReLU neurons), enumerated exactly in ${seconds.toFixed(2)} s\n` +
        "(--json lists each region's activation pattern and an interior point" + (e.k === 2 ? ", and its polygon" : "") + ")\n",
    );
  }
  return 0;
}
