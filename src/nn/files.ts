/**
 * Networks on disk (Node and Deno; the browser reads bytes with checkpoint.ts instead): one
 * .safetensors file, or a checkpoint sequence — a directory of them, each with its training step,
 * θ_0 the random initialization. A sequence is listed from the files' headers alone and its networks
 * are loaded one at a time (a full T = 100 sequence does not fit in memory at once).
 */
import { closeSync, mkdirSync, openSync, readSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { checkRegularFile, readRegularFile, shown, statOf } from "../io.js";
import { dirname, join } from "node:path";
import type { DType, Kernels } from "../kernels/index.js";
import { InputError } from "../errors.js";
import { networkFromSafetensors, networkToSafetensors, readMetadata, type Checkpoint } from "./checkpoint.js";
import type { Network } from "./network.js";
import { MAX_HEADER_BYTES, parseSafetensorsHeader } from "./safetensors.js";
import type { NetworkSpec } from "./spec.js";

export interface LoadOptions {
  dtype?: DType;
  kernels?: Kernels;
}

/**
 * Read a network from a .safetensors file: the architecture from its metadata, every tensor checked.
 *
 * @example
 * import { randomNetwork } from "surfing";
 * import { readNetwork, writeNetwork } from "surfing/node";
 * writeNetwork("g.safetensors", randomNetwork("surf", [2, 8, 5], "example"), 40);
 * const { network, step } = readNetwork("g.safetensors");
 * step;   // → 40
 * network.inputSize;   // → 2
 */
export function readNetwork(path: string, options: LoadOptions = {}): Checkpoint {
  return networkFromSafetensors(readBytes(path), path, options);
}

/**
 * Write atomically (a temporary file renamed into place), so a killed run never leaves half a file.
 *
 * @example
 * import { randomNetwork } from "surfing";
 * import { writeNetwork } from "surfing/node";
 * writeNetwork("nets/g.safetensors", randomNetwork("surf", [2, 8, 5], "example"));   // makes nets/ when it is missing
 * // then: npx surf invert --net nets/g.safetensors --method adam
 */
export function writeNetwork(path: string, net: Network, step?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, networkToSafetensors(net, step));
  renameSync(tmp, path);
}

export interface SequenceEntry {
  path: string;
  step: number;
}

/**
 * A checkpoint directory θ_0 … θ_T — its .safetensors files in step order, one architecture — listed from the
 * files' headers and loaded one network at a time.
 *
 * @example
 * import { randomNetwork } from "surfing";
 * import { CheckpointSequence } from "surfing/node";
 * for (const step of [0, 40, 80]) CheckpointSequence.write("runs/demo", randomNetwork("surf", [2, 8, 5], `θ${step}`), step);
 * const sequence = CheckpointSequence.open("runs/demo");
 * sequence.steps;   // → [0, 40, 80]
 * const last = sequence.load(sequence.length - 1);   // θ_T; the caller frees it
 * last.free();
 */
export class CheckpointSequence {
  private constructor(
    readonly dir: string,
    readonly spec: NetworkSpec,
    /** θ_0 … θ_T in step order. */
    readonly entries: readonly SequenceEntry[],
  ) {}

  /** List a checkpoint directory: every *.safetensors file, each with a step; one architecture throughout. */
  static open(dir: string): CheckpointSequence {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(".safetensors")).sort();
    } catch (e) {
      throw new InputError(`${dir}: cannot list the checkpoint directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (names.length === 0) throw new InputError(`${dir}: no .safetensors files (a checkpoint sequence is a directory of them)`);
    let spec: NetworkSpec | undefined, specSource = "";
    const entries: SequenceEntry[] = [];
    const seen = new Map<number, string>();
    for (const name of names) {
      const path = join(dir, name);
      const { spec: s, step } = readMetadata(readHeader(path).metadata, path);
      if (step === undefined) throw new InputError(`${path}: no "surfing.step" in the metadata (every checkpoint of a sequence needs its training step)`);
      if (seen.has(step)) throw new InputError(`${path}: step ${step} again (also in ${seen.get(step)})`);
      seen.set(step, path);
      if (spec === undefined) {
        spec = s;
        specSource = path;
      } else if (canonical(s) !== canonical(spec)) {
        throw new InputError(`${path}: its architecture differs from ${specSource}'s (a sequence must be one network's training run)`);
      }
      entries.push({ path, step });
    }
    entries.sort((a, b) => a.step - b.step);
    return new CheckpointSequence(dir, spec!, entries);
  }

  get length(): number {
    return this.entries.length;
  }
  get steps(): number[] {
    return this.entries.map((e) => e.step);
  }

  /** Load θ_t (the t-th in step order); the caller frees it. */
  load(t: number, options: LoadOptions = {}): Network {
    const e = this.entries[t];
    if (!e) throw new RangeError(`checkpoint ${t} of ${this.length}`);
    const { network, step } = readNetwork(e.path, options);
    if (step !== e.step || canonical(network.spec) !== canonical(this.spec)) {
      network.free();
      throw new InputError(`${e.path}: changed since the sequence was listed`);
    }
    return network;
  }

  /** Write θ at `step` into `dir` as step-numbered files (zero-padded, so names sort in step order). */
  static write(dir: string, net: Network, step: number): string {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${String(step).padStart(9, "0")}.safetensors`);
    writeNetwork(path, net, step);
    return path;
  }
}

/**
 * JSON with every object's keys sorted: two architectures are the same whatever order their writer listed
 * the keys in (PyTorch's exporter and ours differ).
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/**
 * A path is a checkpoint directory, or one network file.
 *
 * @example
 * import { randomNetwork } from "surfing";
 * import { isDirectory, CheckpointSequence } from "surfing/node";
 * const path = CheckpointSequence.write("runs/demo", randomNetwork("surf", [2, 8, 5], "θ0"), 0);
 * isDirectory("runs/demo");   // → true
 * isDirectory(path);   // → false
 */
export function isDirectory(path: string): boolean {
  return statOf(path).isDirectory();
}

function readBytes(path: string): Uint8Array {
  const s = statOf(path);
  if (s.isDirectory()) throw new InputError(`${shown(path)}: is a directory (a checkpoint sequence? this needs one network file)`);
  return readRegularFile(path, "a .safetensors network");
}

/** The architecture of a network file or of a checkpoint directory, from the headers alone. */
export function readSpec(path: string): NetworkSpec {
  return isDirectory(path) ? CheckpointSequence.open(path).spec : readMetadata(readHeader(path).metadata, path).spec;
}

/** The header of a .safetensors file, reading only its first bytes. */
function readHeader(path: string): { metadata: ReadonlyMap<string, string> } {
  const size = checkRegularFile(path, "a .safetensors network").size;
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(Math.min(size, 8));
    readSync(fd, head, 0, head.length, 0);
    const length = head.length === 8 ? Number(new DataView(head.buffer).getBigUint64(0, true)) : 0;
    // at most the header (capped, so a file claiming a huge one is refused without being read)
    const bytes = new Uint8Array(Math.min(size, 8 + Math.min(length, MAX_HEADER_BYTES + 1)));
    readSync(fd, bytes, 0, bytes.length, 0);
    return parseSafetensorsHeader(bytes, path, size);
  } finally {
    closeSync(fd);
  }
}
