/**
 * Where a run's networks come from, in a form that can be sent to a worker: a checkpoint directory or one
 * network file (by path), safetensors files in memory (in step order), or the straight path to one network.
 */
import { networkFromSafetensors } from "../nn/checkpoint.js";
import { InputError } from "../errors.js";
import { hasNodeModules } from "../kernels/env.js";
import { interpolatedSequence } from "./interpolate.js";
import type { NetworkSequence } from "./surf.js";

export type SequenceSource =
  | { kind: "path"; path: string }
  | { kind: "bytes"; files: Uint8Array[] }
  /** θ(s) = (1 − s)·θ_0 + s·θ_T through `networks` points, θ_T the last network of `path` (interpolate.ts). */
  | { kind: "interpolate"; path: string; networks: number; seed: string };

// The file system where there is one (Node, Deno): a browser passes the networks' bytes instead.
const files = hasNodeModules() ? await import("../nn/files.js") : undefined;

/**
 * The networks θ_0 … θ_T of a source — a checkpoint directory or one network file (Node, Deno), or their
 * .safetensors bytes (anywhere) — loaded one at a time.
 *
 * @example
 * import { openSequence, networkToSafetensors, randomNetwork } from "surfing";
 * const files = [0, 1].map((t) => networkToSafetensors(randomNetwork("surf", [2, 8, 5], `θ${t}`), t));
 * const sequence = openSequence({ kind: "bytes", files });
 * sequence.length;   // → 2
 * const last = sequence.load(sequence.length - 1);   // θ_T; the caller frees it
 * last.free();
 */
export function openSequence(source: SequenceSource): NetworkSequence {
  if (source.kind === "bytes") {
    if (source.files.length === 0) throw new InputError("surf: no networks given");
    const specs = source.files.map((bytes, t) => {
      const { network } = networkFromSafetensors(bytes, `network ${t}`);
      const spec = JSON.stringify(network.spec);
      network.free();
      return spec;
    });
    const odd = specs.findIndex((s) => s !== specs[0]);
    if (odd >= 0) throw new InputError(`network ${odd}: its architecture differs from network 0's (a checkpoint sequence has one architecture)`);
    return { length: source.files.length, load: (t) => networkFromSafetensors(source.files[t], `network ${t}`).network };
  }
  if (source.kind === "interpolate") {
    const given = openSequence({ kind: "path", path: source.path });
    return interpolatedSequence(given.load(given.length - 1), source.networks, source.seed);
  }
  if (!files) throw new InputError(`${source.path}: no file system here; pass the networks' bytes (source kind "bytes")`);
  if (files.isDirectory(source.path)) return files.CheckpointSequence.open(source.path);
  return { length: 1, load: () => files.readNetwork(source.path).network };
}
