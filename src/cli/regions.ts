/** `surf regions NET [--box L|inf]`: the exact linear regions of G inside [−L, L]^k or in R^k (src/geometry/enumerate.ts). */
import { boxFlag, positiveIntFlag, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { readNetwork } from "../nn/files.js";
import { enumerateRegions } from "../geometry/enumerate.js";
import { fromNetwork } from "../geometry/from-network.js";
import { neuronCount } from "../geometry/affine.js";
import { patternString } from "../geometry/pattern.js";

export async function run(args: ParsedArgs): Promise<number> {
  const path = args.positionals[0];
  const box = boxFlag(args.flags.box, "--box", true), maxRegions = positiveIntFlag(args.flags["max-regions"], "--max-regions");
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
      ...(r.bounded !== undefined ? { bounded: r.bounded } : {}),
      ...(r.bounded === false ? { rays: r.rays!.map((d) => Array.from(d)), lineality: r.lineality!.map((d) => Array.from(d)) } : {}),
    }));
    // JSON has no Infinity: the whole space is "inf".
    process.stdout.write(JSON.stringify({ k: e.k, box: box === Infinity ? "inf" : box, count: e.count, regions }) + "\n");
  } else {
    const where = box === Infinity ? `R^${e.k}` : `[−${box}, ${box}]^${e.k}`;
    const unbounded = box === Infinity ? `, ${e.regions.filter((r) => r.bounded === false).length} of them unbounded` : "";
    process.stdout.write(
      `${path}: ${e.count} linear regions in ${where}${unbounded} (k = ${e.k}, ${neuronCount(net)} ReLU/LeakyReLU neurons), enumerated exactly in ${seconds.toFixed(2)} s\n` +
        "(--json lists each region's activation pattern and an interior point" + (e.k === 2 ? ", and its polygon" : "") + (box === Infinity ? ", and for an unbounded one its recession rays and lineality space" : "") + ")\n",
    );
  }
  return 0;
}
