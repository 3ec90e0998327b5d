// The fuzz corpus: malformed and hostile files (networks, checkpoint sequences, targets, masks, measurement
// matrices, journals, training states, shards) and bad command lines over every command and flag, each with
// what surf must do with it — refuse it (exit 2, one line), or, where the input is legitimately valid, run.
// Written into a scratch directory by fileCorpus and commandCorpus; deterministic (no clock, no Math.random).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { deflateSync, gzipSync } from "node:zlib";
import { COMMANDS } from "../../../src/cli/commands.js";
import { GLOBAL_FLAGS } from "../../../src/cli/args.js";
import { parseSafetensors, serializeSafetensors, type Dtype } from "../../../src/nn/safetensors.js";
import { encode, noise, npyBytes, pngBytes, PNG_SIGNATURE, safetensorsBytes, safetensorsFile, weights, type ForgedTensor } from "./forge.js";

export interface FuzzCase {
  /** What is tried, named when the case fails. */
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** A legitimately valid input: exit 0 and one line of JSON on stdout (equal to `stdout` when given). */
  valid?: boolean;
  stdout?: string;
  /** Paths the command was told to write: a refused command leaves each as it was (absent, or unchanged). */
  outputs?: string[];
  /** What the refusal's one line must name: one of these (the flag whose value is wrong, or the path). */
  mentions?: string[];
  /** Refused when the flags are parsed (parseArgs, which reads nothing and writes nothing): tried in this process. */
  parse?: boolean;
}

/** What the corpus is built on: valid inputs in the scratch directory, and the output of clean runs. */
export interface Fixtures {
  dir: string;
  /** A network 2 → 3 → 4 (Linear, ReLU, Linear), the template of the forged ones. */
  net: string;
  /** Three such networks at steps 0, 40, 80. */
  seq: string;
  /** A generator of 28 × 28 images (784 outputs), for PNG targets and masks. */
  image: string;
  /** `invert` on `net` with a journal (journalArgs + --journal PATH): the journal and stdout of a clean run. */
  journalArgs: string[];
  journal: string;
  journalStdout: string;
  /** `invert` surfing `seq` (seqArgs + --net DIR) and its stdout. */
  seqArgs: string[];
  seqStdout: string;
  /** A finished `surf train` run directory (a tiny mlp VAE), whose state/ is forged. */
  trained: string;
}

export interface Corpus {
  /** The distinct files (and directories, links, FIFOs) of the corpus its cases read. */
  files: number;
  cases: FuzzCase[];
}

// ---------------------------------------------------------------------------------------------
// Networks

const LINEAR = (i: number, o: number) => ({ type: "Linear", in_features: i, out_features: o, bias: true });
const TINY = { input: [2], layers: [LINEAR(2, 3), { type: "ReLU" }, LINEAR(3, 4)] };

/** The tensors of a 2 → 3 → 4 network (`dtype`, weights shifted by `offset`). */
function tinyTensors(dtype = "F32", offset = 0): ForgedTensor[] {
  return [
    { name: "0.weight", dtype, shape: [3, 2], values: weights(6, offset) },
    { name: "0.bias", dtype, shape: [3], values: weights(3, offset + 6) },
    { name: "2.weight", dtype, shape: [4, 3], values: weights(12, offset + 9) },
    { name: "2.bias", dtype, shape: [4], values: weights(4, offset + 21) },
  ];
}

/** A network file: the tiny architecture (or `arch`, object or raw text) with its tensors (or `tensors`). */
function network(o: { arch?: unknown; step?: string; tensors?: ForgedTensor[]; metadata?: unknown } = {}): Uint8Array {
  const arch = o.arch === undefined ? JSON.stringify(TINY) : typeof o.arch === "string" ? o.arch : JSON.stringify(o.arch);
  const metadata = o.metadata ?? { format: "pt", "surfing.arch": arch, ...(o.step === undefined ? {} : { "surfing.step": o.step }) };
  return safetensorsFile(o.tensors ?? tinyTensors(), metadata);
}

/** The tiny architecture with layer `i` replaced (a layer-level mutation). */
function withLayer(i: number, layer: unknown, input: unknown = [2]): object {
  const layers: unknown[] = [...TINY.layers];
  layers[i] = layer;
  return { input, layers };
}

/** Every object's keys in reverse order: the same architecture as another writer may list it. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
  return v;
}

/** A header-only mutation of the tiny network's header (the data unchanged). */
function header(mutate: (h: Record<string, unknown>) => void): Uint8Array {
  const bytes = network(), length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const h = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString("utf8")) as Record<string, unknown>;
  mutate(h);
  return safetensorsBytes(h, bytes.subarray(8 + length));
}

/** A network file whose header text is `text` (raw, possibly not JSON) and a 4-byte data buffer. */
function rawHeader(text: string, data = new Uint8Array(4)): Uint8Array {
  return safetensorsBytes(text, data);
}

const tensor = (h: Record<string, unknown>, name: string) => h[name] as { dtype: unknown; shape: unknown; data_offsets: unknown };

/** Malformed, hostile and odd network files: [name, bytes, valid] (long as a table is: one case a line). */
function networkFiles(): [string, Uint8Array, boolean][] {
  const good = network(), length = Number(new DataView(good.buffer).getBigUint64(0, true));
  const nest = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  const out: [string, Uint8Array, boolean][] = [
    // the container: length prefix and header text
    ["an empty file", new Uint8Array(0), false],
    ["a zero header length", new Uint8Array(8), false],
    ["a header length of 2^64 − 1", safetensorsBytes("{}", new Uint8Array(0), 2n ** 64n - 1n), false],
    ["a header length past the end of the file", safetensorsBytes("{}", new Uint8Array(0), 1000n), false],
    ["a header length one short", safetensorsBytes(Buffer.from(good.subarray(8, 8 + length)).toString(), good.subarray(8 + length), BigInt(length - 1)), false],
    ["a JSON array header", rawHeader("[]"), false],
    ["a header with a leading space", rawHeader(" {}"), false],
    ["a UTF-8 byte-order mark before the header", rawHeader("\ufeff{}"), false],
    ["a header that is not UTF-8", safetensorsBytes(Uint8Array.of(0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x30, 0x7d)), false],
    ["an unterminated header", rawHeader("{\"a\": {"), false],
    ["a trailing comma", rawHeader("{\"__metadata__\": {\"a\": \"b\"},}"), false],
    ["a duplicate tensor name", rawHeader("{\"t\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}, \"t\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}}"), false],
    ["metadata nested 200 deep", rawHeader(`{"__metadata__": {"a": ${nest(200)}}}`), false],
    ["metadata nested 100,000 deep", rawHeader(`{"__metadata__": {"a": ${nest(100000)}}}`), false],
    ["an unpaired surrogate escape", rawHeader("{\"__metadata__\": {\"a\": \"\\ud800\"}}"), false],
    ["a NaN literal", rawHeader("{\"t\": {\"dtype\": \"U8\", \"shape\": [NaN], \"data_offsets\": [0, 4]}}"), false],
    ["garbage after the header object", rawHeader("{} x"), false],
    ["an empty header object with data", rawHeader("{}"), false],
    // tensor entries
    ["a tensor entry that is a number", header((h) => (h["0.bias"] = 7)), false],
    ["a tensor without a dtype", header((h) => delete tensor(h, "0.bias").dtype), false],
    ["a lower-case dtype", header((h) => (tensor(h, "0.bias").dtype = "f32")), false],
    ["an 8-bit float dtype", header((h) => (tensor(h, "0.bias").dtype = "F8_E4M3")), false],
    ["a negative dimension", header((h) => (tensor(h, "0.bias").shape = [-3])), false],
    ["a shape that is not a list", header((h) => (tensor(h, "0.bias").shape = 3)), false],
    ["a huge declared shape", header((h) => (tensor(h, "0.bias").shape = [1e9, 1e9])), false],
    ["reversed data offsets", header((h) => (tensor(h, "0.bias").data_offsets = [36, 24])), false],
    ["data offsets past the data", header((h) => (tensor(h, "2.bias").data_offsets = [84, 1000])), false],
    ["data offsets past 2^53", header((h) => (tensor(h, "2.bias").data_offsets = [84, 2 ** 60])), false],
    ["overlapping tensors", header((h) => (tensor(h, "0.bias").data_offsets = [20, 32])), false],
    ["a gap between tensors", header((h) => (tensor(h, "0.bias").data_offsets = [28, 40])), false],
    ["bytes after the last tensor", (() => {
      const b = new Uint8Array(good.length + 4);
      b.set(good);
      return b;
    })(), false],
    ["a tensor whose bytes do not fit its shape", header((h) => (tensor(h, "0.bias").shape = [2])), false],
    // __metadata__
    ["__metadata__ that is a list", header((h) => (h.__metadata__ = ["a"])), false],
    ["__metadata__ null", header((h) => (h.__metadata__ = null)), false],
    ["no __metadata__", header((h) => delete h.__metadata__), false],
    ["no surfing.arch", network({ metadata: { format: "pt" } }), false],
    ["surfing.arch not JSON", network({ arch: "{input: [2]" }), false],
    ["surfing.arch null", network({ arch: "null" }), false],
    ["surfing.arch a list", network({ arch: "[]" }), false],
    ["surfing.arch an empty string", network({ arch: "" }), false],
    // the architecture
    ["no input", network({ arch: { layers: TINY.layers } }), false],
    ["input [0]", network({ arch: { ...TINY, input: [0] } }), false],
    ["input as a string", network({ arch: { ...TINY, input: "2" } }), false],
    ["no layers", network({ arch: { input: [2] } }), false],
    ["an empty layer list", network({ arch: { input: [2], layers: [] } }), false],
    ["layers as an object", network({ arch: { input: [2], layers: { 0: LINEAR(2, 3) } } }), false],
    ["a null layer", network({ arch: withLayer(1, null) }), false],
    ["a layer without a type", network({ arch: withLayer(1, {}) }), false],
    ["an unknown layer type", network({ arch: withLayer(1, { type: "Dense" }) }), false],
    ["the layer type \"__proto__\"", network({ arch: withLayer(1, { type: "__proto__" }) }), false],
    ["in_features unlike the input", network({ arch: withLayer(0, LINEAR(5, 3)) }), false],
    ["Linear(2, 1e9) in a small file", network({ arch: { input: [2], layers: [LINEAR(2, 1e9)] } }), false],
    ["Linear(1e6, 1e6) in a small file", network({ arch: { input: [1e6], layers: [LINEAR(1e6, 1e6)] } }), false],
    ["out_features 0", network({ arch: withLayer(2, LINEAR(3, 0)) }), false],
    ["bias \"yes\"", network({ arch: withLayer(2, { ...LINEAR(3, 4), bias: "yes" }) }), false],
    ["a Conv2d without kernel_size", network({ arch: { input: [1, 4, 4], layers: [{ type: "Conv2d", in_channels: 1, out_channels: 1, bias: false }] } }), false],
    ["a Conv2d with stride 0", network({ arch: { input: [1, 4, 4], layers: [{ type: "Conv2d", in_channels: 1, out_channels: 1, kernel_size: 2, stride: 0, bias: false }] } }), false],
    ["a Conv2d kernel larger than its input", network({ arch: { input: [1, 4, 4], layers: [{ type: "Conv2d", in_channels: 1, out_channels: 1, kernel_size: 10, bias: false }] } }), false],
    ["a Conv2d over a 1-D input", network({ arch: { input: [4], layers: [{ type: "Conv2d", in_channels: 1, out_channels: 1, kernel_size: 1, bias: false }] } }), false],
    ["a ConvTranspose2d with output_padding ≥ stride", network({ arch: { input: [1, 4, 4], layers: [{ type: "ConvTranspose2d", in_channels: 1, out_channels: 1, kernel_size: 2, stride: 1, output_padding: 1, bias: false }] } }), false],
    ["a 100,000 × 100,000 image input", network({ arch: { input: [1, 100000, 100000], layers: [{ type: "ReLU" }] } }), false],
    ["a ConvTranspose2d to 1e9 channels", network({ arch: { input: [1, 2, 2], layers: [{ type: "ConvTranspose2d", in_channels: 1, out_channels: 1e9, kernel_size: 1, bias: false }] } }), false],
    ["BatchNorm1d with eps 0", network({ arch: withLayer(1, { type: "BatchNorm1d", num_features: 3, eps: 0 }) }), false],
    ["BatchNorm1d with momentum 0", network({ arch: withLayer(1, { type: "BatchNorm1d", num_features: 3, momentum: 0 }) }), false],
    ["BatchNorm1d of the wrong width", network({ arch: withLayer(1, { type: "BatchNorm1d", num_features: 5 }) }), false],
    ["LeakyReLU with a string slope", network({ arch: withLayer(1, { type: "LeakyReLU", negative_slope: "a" }) }), false],
    ["an Unflatten that does not hold its input", network({ arch: withLayer(1, { type: "Unflatten", dim: 1, unflattened_size: [2, 2] }) }), false],
    ["a Flatten from dim 0", network({ arch: withLayer(1, { type: "Flatten", start_dim: 0 }) }), false],
    // the training step
    ["step −1", network({ step: "-1" }), false],
    ["step 10^20", network({ step: "100000000000000000000" }), false],
    ["an empty step", network({ step: "" }), false],
    // the tensors against the architecture
    ["a tensor missing", network({ tensors: tinyTensors().filter((t) => t.name !== "0.bias") }), false],
    ["a tensor the architecture does not use", network({ tensors: [...tinyTensors(), { name: "9.weight", dtype: "F32", shape: [1] }] }), false],
    ["a tensor named with an escape sequence", network({ tensors: [...tinyTensors(), { name: "\u001b[2J\n", dtype: "F32", shape: [1] }] }), false],
    ["a transposed weight", network({ tensors: tinyTensors().map((t) => (t.name === "0.weight" ? { ...t, shape: [2, 3] } : t)) }), false],
    ["a NaN weight", network({ tensors: tinyTensors().map((t) => (t.name === "0.weight" ? { ...t, values: [0.1, NaN, 0.2, 0.3, 0.4, 0.5] } : t)) }), false],
    ["an infinite weight", network({ tensors: tinyTensors().map((t) => (t.name === "2.weight" ? { ...t, values: [...weights(11), Infinity] } : t)) }), false],
    ["a float64 weight beyond float32", network({ tensors: tinyTensors().map((t) => (t.name === "0.weight" ? { ...t, dtype: "F64", values: [1e300, 0, 0, 0, 0, 0] } : t)) }), false],
    ["a float16 NaN", network({ tensors: tinyTensors("F16").map((t) => (t.name === "0.bias" ? { ...t, values: [NaN, 0, 0] } : t)) }), false],
    // files of other kinds
    ["a PyTorch zip archive", Buffer.concat([Uint8Array.of(0x50, 0x4b, 0x03, 0x04), noise(60, 1)]), false],
    ["a PyTorch pickle", Buffer.concat([Uint8Array.of(0x80, 0x02), noise(60, 2)]), false],
    ["a gzipped network", gzipSync(good), false],
    ...[3, 4].map((seed): [string, Uint8Array, boolean] => [`random bytes (${seed})`, noise(64 + 100 * seed, seed), false]),
    ...[9, length, length + 8, good.length - 1].map((cut): [string, Uint8Array, boolean] => [`truncated to ${cut} of ${good.length} bytes`, good.subarray(0, cut), false]),
    // legitimately valid
    ["the architecture's keys in another order", network({ arch: reversedKeys(TINY) }), true],
    ["a layer attribute surf does not use (ReLU inplace)", network({ arch: withLayer(1, { type: "ReLU", inplace: true }) }), true],
    ["float16 weights", network({ tensors: tinyTensors("F16") }), true],
    ["float64 weights", network({ tensors: tinyTensors("F64") }), true],
    ["spaces after the header", safetensorsBytes(Buffer.from(good.subarray(8, 8 + length)).toString() + "        ", good.subarray(8 + length)), true],
    ["a step", network({ step: "120" }), true],
  ];
  return out;
}

/** Networks whose contents are wrong only where loading them for a run would find it: also tried with invert. */
const CONTENT_FAULTS = /NaN weight|an infinite weight|a tensor missing|1e9\) in|another order|float16 weights/;

// ---------------------------------------------------------------------------------------------
// The corpus of files

class Builder {
  readonly cases: FuzzCase[] = [];
  private serial = 0;

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  /** A fresh path under the corpus directory (`name` kept readable, made unique). */
  path(name: string): string {
    return join(this.root, `${String(++this.serial).padStart(3, "0")}-${name}`);
  }

  /** Write `bytes` to a fresh path ending in `name`. */
  write(name: string, bytes: Uint8Array | string): string {
    const p = this.path(name);
    writeFileSync(p, bytes);
    return p;
  }

  /** The files of the corpus: the distinct paths in it (files, directories, links, FIFOs) that some case reads. */
  get files(): number {
    const paths = this.cases.flatMap((c) => c.args.map((a) => a.replace(/^(matrix|inpaint):/, ""))).filter((a) => a.startsWith(this.root));
    return new Set(paths).size;
  }

  add(c: FuzzCase): void {
    this.cases.push(c);
  }
}

/** Paths that are not a regular file, of each hostile kind, under `b` (all of them, or those named `only`). */
function hostilePaths(b: Builder, ext: string, only?: RegExp): [string, string][] {
  const dir = b.path(`dir${ext}`), fifo = b.path(`fifo${ext}`), loop = b.path(`loop${ext}`), dangling = b.path(`dangling${ext}`);
  const zero = b.path(`zero${ext}`), file = b.write(`file-${ext.slice(1)}`, "x"), nowhere = b.path("nowhere");
  mkdirSync(dir);
  execFileSync("mkfifo", [fifo]);
  symlinkSync(loop, loop);
  symlinkSync(nowhere, dangling);
  symlinkSync("/dev/zero", zero);
  return [
    ["a directory", dir], ["a FIFO", fifo], ["a symlink loop", loop], ["a dangling symlink", dangling], ["a symlink to /dev/zero", zero],
    ["/dev/zero", "/dev/zero"], ["/dev/null", "/dev/null"], ["/dev/stdin (a pipe)", "/dev/stdin"], ["/proc/self/status", "/proc/self/status"],
    ["a path under a regular file", join(file, `x${ext}`)], ["a name with a newline and an escape sequence", join(b.root, `a\nb\u001b[2J${ext}`)],
    ["a name of 5,000 characters", join(b.root, "n".repeat(5000) + ext)],
  ].filter(([name]) => only === undefined || only.test(name)) as [string, string][];
}

/**
 * The hostile files and the command lines that read them: networks (surf info; those wrong in their
 * contents also surf invert and surf regions), checkpoint sequences (info, invert), targets (JSON, PNG),
 * inpainting masks, measurement matrices, journals, training states, shards and landscape targets.
 */
export function fileCorpus(fx: Fixtures): Corpus {
  const b = new Builder(join(fx.dir, "files"));
  const info = (p: string) => ["info", p, "--json"];
  const invertNet = (p: string) => ["invert", "--net", p, "--method", "adam", "--trials", "1", "--workers", "1", "--json"];

  for (const [name, bytes, valid] of networkFiles()) {
    const p = b.write("net.safetensors", bytes);
    b.add({ name: `network: ${name} (info)`, args: info(p), valid });
    if (CONTENT_FAULTS.test(name)) b.add({ name: `network: ${name} (invert)`, args: invertNet(p), valid });
    // regions computes in float64 (the stored values exactly), where a float64 weight beyond float32 is valid
    if (/beyond float32/.test(name)) b.add({ name: `network: ${name} (regions)`, args: ["regions", p, "--json"], valid: true });
    if (/NaN weight/.test(name)) b.add({ name: `network: ${name} (fid)`, args: ["fid", p, "--samples", "2", "--json"] });
  }
  for (const [name, p] of hostilePaths(b, ".safetensors")) {
    b.add({ name: `network: ${name} (info)`, args: info(p) });
    if (name === "a FIFO") {
      b.add({ name: `network: ${name} (invert)`, args: invertNet(p) });
      b.add({ name: `network: ${name} (regions)`, args: ["regions", p, "--json"] });
    }
  }

  // surf verify's stored units: a damaged record is measured again, a line that is not a record refused
  for (const [name, text, valid] of [["a null result", "{\"key\": \"0/quick/rric/m8-r0\", \"result\": null, \"seconds\": 1}\n", true], ["a line that is not JSON", "{units\n", false]] as const) {
    const out = b.path("verify");
    mkdirSync(out);
    writeFileSync(join(out, "units.jsonl"), text);
    b.add({ name: `verify units: ${name}`, args: ["verify", "rric", "--quick", "--out", out, "--json"], valid, outputs: valid ? [] : [out] });
  }

  sequences(b, fx);
  targets(b, fx);
  images(b, fx);
  matrices(b, fx);
  journals(b, fx);
  states(b, fx);
  shards(b);
  return { files: b.files, cases: b.cases };
}

/** Checkpoint directories with one odd member (beside two good ones), read by info and by surfing over them. */
function sequences(b: Builder, fx: Fixtures): void {
  const seq = (name: string, odd: (dir: string) => void, valid = false, members = [0, 40]) => {
    const dir = b.path(name);
    mkdirSync(dir);
    members.forEach((step, t) => writeFileSync(join(dir, `${String(step).padStart(9, "0")}.safetensors`), network({ step: String(step), tensors: tinyTensors("F32", 100 * t) })));
    odd(dir);
    // surf info lists a sequence from its headers and loads θ_T alone: a fault in an earlier network's data
    // is for a run over the sequence to find
    b.add({ name: `sequence: ${name} (info)`, args: ["info", dir, "--json"], valid: valid || name === "first-member-nan" });
    if (valid || /nan-weight|missing-tensor|fifo/.test(name)) b.add({ name: `sequence: ${name} (invert)`, args: [...fx.seqArgs, "--net", dir], valid, stdout: valid ? fx.seqStdout : undefined });
  };
  const member = (dir: string) => join(dir, "000000080.safetensors");
  seq("empty", () => {}, false, []);
  seq("no-networks", (d) => writeFileSync(join(d, "readme.txt"), "checkpoints"), false, []);
  seq("member-directory", (d) => mkdirSync(member(d)));
  seq("member-fifo", (d) => execFileSync("mkfifo", [member(d)]));
  seq("member-dangling", (d) => symlinkSync(join(d, "nowhere"), member(d)));
  seq("member-loop", (d) => symlinkSync(member(d), member(d)));
  seq("member-dev-zero", (d) => symlinkSync("/dev/zero", member(d)));
  seq("member-dev-null", (d) => symlinkSync("/dev/null", member(d)));
  seq("member-empty", (d) => writeFileSync(member(d), ""));
  seq("member-noise", (d) => writeFileSync(member(d), noise(300, 7)));
  seq("member-truncated", (d) => writeFileSync(member(d), network({ step: "80" }).subarray(0, 200)));
  seq("member-without-step", (d) => writeFileSync(member(d), network()));
  seq("member-step-again", (d) => writeFileSync(member(d), network({ step: "40" })));
  seq("member-step-not-a-number", (d) => writeFileSync(member(d), network({ step: "eighty" })));
  seq("member-other-architecture", (d) => writeFileSync(member(d), network({ step: "80", arch: { input: [2], layers: [LINEAR(2, 4)] }, tensors: [{ name: "0.weight", dtype: "F32", shape: [4, 2] }, { name: "0.bias", dtype: "F32", shape: [4] }] })));
  seq("member-nan-weight", (d) => writeFileSync(member(d), network({ step: "80", tensors: tinyTensors().map((t) => (t.name === "2.bias" ? { ...t, values: [0, NaN, 0, 0] } : t)) })));
  seq("member-missing-tensor", (d) => writeFileSync(member(d), network({ step: "80", tensors: tinyTensors().slice(1) })));
  seq("member-huge-architecture", (d) => writeFileSync(member(d), network({ step: "80", arch: { input: [2], layers: [LINEAR(2, 1e9)] } })));
  seq("first-member-nan", (d) => writeFileSync(join(d, "000000000.safetensors"), network({ step: "0", tensors: tinyTensors().map((t) => (t.name === "0.weight" ? { ...t, values: [NaN, 0, 0, 0, 0, 0] } : t)) })));
  seq("member-pytorch", (d) => writeFileSync(member(d), Buffer.concat([Uint8Array.of(0x50, 0x4b, 0x03, 0x04), noise(100, 8)])));
  // legitimately valid: the same sequence however its files are written or linked
  seq("keys-in-another-order", (d) => writeFileSync(member(d), network({ step: "80", arch: reversedKeys(TINY), tensors: tinyTensors("F32", 200) })), true);
  seq("member-symlink-to-a-network", (d) => {
    const target = b.write("linked.safetensors", network({ step: "80", tensors: tinyTensors("F32", 200) }));
    symlinkSync(target, member(d));
  }, true);
  seq("leftover-temp-file", (d) => {
    writeFileSync(member(d), network({ step: "80", tensors: tinyTensors("F32", 200) }));
    writeFileSync(`${member(d)}.tmp-99999`, "half a file");
  }, true);
}

/** JSON targets (invert --target) for the 4-output network, and landscape dss --target. */
function targets(b: Builder, fx: Fixtures): void {
  const invert = (p: string) => ["invert", "--net", fx.net, "--method", "adam", "--workers", "1", "--target", p, "--json"];
  const list: [string, string | Uint8Array, boolean][] = [
    ["empty", "", false], ["null", "null", false], ["an object", "{}", false], ["an empty list", "[]", false], ["a list of an empty list", "[[]]", false],
    ["too few values", "[0.1, 0.2]", false], ["too many values", "[0.1, 0.2, 0.3, 0.4, 0.5]", false], ["a string value", "[0.1, 0.2, 0.3, \"0.4\"]", false],
    ["a null value", "[0.1, 0.2, 0.3, null]", false], ["a boolean value", "[0.1, 0.2, 0.3, true]", false], ["1e999 (Infinity)", "[0.1, 0.2, 0.3, 1e999]", false],
    ["a NaN literal", "[0.1, 0.2, 0.3, NaN]", false], ["rows of different lengths", "[[0.1, 0.2, 0.3, 0.4], [0.1, 0.2]]", false],
    ["nested 100,000 deep", "[".repeat(100000) + "]".repeat(100000), false], ["garbage after the list", "[0.1, 0.2, 0.3, 0.4] x", false],
    ["a byte-order mark", "\ufeff[0.1, 0.2, 0.3, 0.4]", false], ["UTF-16", Buffer.from("[0.1, 0.2, 0.3, 0.4]", "utf16le"), false],
    ["bytes that are not UTF-8", Uint8Array.of(0x5b, 0xff, 0x5d), false], ["a number", "0.5", false], ["a string", "\"[0.1, 0.2, 0.3, 0.4]\"", false],
    ["nested three deep", "[[[0.1, 0.2, 0.3, 0.4]]]", false], ["a valid signal", "[0.1, 0.2, 0.3, 0.4]", true], ["two valid signals", "[[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]]", true],
  ];
  for (const [name, text, valid] of list) {
    const p = b.write("target.json", text);
    b.add({ name: `JSON target: ${name}`, args: invert(p), valid });
    if (!valid && /few|nested three/.test(name)) {
      const out = b.path("dss-out");
      b.add({ name: `landscape dss target: ${name}`, args: ["landscape", "dss", "--net", fx.seq, "--target", p, "--pairs", "1", "--out", out, "--json"], outputs: [out] });
    }
  }
  for (const [name, p] of hostilePaths(b, ".json", /directory|FIFO|loop|\/dev\/zero|stdin|newline/)) {
    b.add({ name: `JSON target: ${name}`, args: invert(p) });
  }
}

/** PNG targets and inpainting masks for the 28 × 28 generator. */
function images(b: Builder, fx: Fixtures): void {
  const valid = pngBytes({ width: 28, height: 28 });
  const list: [string, Uint8Array | string, boolean][] = [
    ["text", "not an image", false], ["empty", "", false], ["the signature only", PNG_SIGNATURE, false], ["truncated", valid.subarray(0, valid.length >> 1), false],
    ["a bad IHDR checksum", pngBytes({ width: 28, height: 28, badCrc: true }), false], ["27 × 28 pixels", pngBytes({ width: 27, height: 28 }), false],
    ["100,000 × 100,000 pixels declared", pngBytes({ width: 100000, height: 100000, idat: deflateSync(new Uint8Array(10)) }), false],
    ["width 0", pngBytes({ width: 0, height: 28, idat: new Uint8Array(0) }), false], ["no IDAT", pngBytes({ width: 28, height: 28, idat: null }), false],
    ["IDAT that is not zlib", pngBytes({ width: 28, height: 28, idat: noise(50, 9) }), false], ["bit depth 3", pngBytes({ width: 28, height: 28, bitDepth: 3 }), false],
    ["colour type 5", pngBytes({ width: 28, height: 28, colorType: 5 }), false], ["a JPEG", Buffer.concat([Uint8Array.of(0xff, 0xd8, 0xff, 0xe0), noise(100, 10)]), false],
    ["1 × 1 pixel", pngBytes({ width: 1, height: 1 }), false], ["half of its rows", pngBytes({ width: 28, height: 28, idat: deflateSync(new Uint8Array(14 * 29)) }), false],
    ["28 × 28 grey", valid, true], ["28 × 28 RGB", pngBytes({ width: 28, height: 28, colorType: 2 }), true], ["28 × 28 grey + alpha", pngBytes({ width: 28, height: 28, colorType: 4 }), true],
    ["28 × 28 16-bit", pngBytes({ width: 28, height: 28, bitDepth: 16 }), true], ["28 × 28 palette", pngBytes({ width: 28, height: 28, colorType: 3 }), true],
  ];
  for (const [name, bytes, ok] of list) {
    const p = b.write("image.png", bytes);
    b.add({ name: `PNG target: ${name}`, args: ["invert", "--net", fx.image, "--method", "adam", "--workers", "1", "--target", p, "--json"], valid: ok });
    if (/27 × 28|100,000|no IDAT|28 × 28 grey$/.test(name)) {
      b.add({ name: `inpainting mask: ${name}`, args: ["invert", "--net", fx.image, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", `inpaint:${p}`, "--json"], valid: ok });
    }
  }
  const black = b.write("black.png", pngBytes({ width: 28, height: 28, pixel: () => 0 }));
  b.add({ name: "inpainting mask: all black (observes nothing)", args: ["invert", "--net", fx.image, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", `inpaint:${black}`, "--json"] });
  const mask = b.write("mask.png", pngBytes({ width: 28, height: 28 }));
  b.add({ name: "inpainting mask: for a network that makes no image", args: ["invert", "--net", fx.net, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", `inpaint:${mask}`, "--json"] });
  b.add({ name: "PNG target: for a network that makes no image", args: ["invert", "--net", fx.net, "--method", "adam", "--workers", "1", "--target", mask, "--json"] });
  for (const [name, p] of hostilePaths(b, ".png", /directory|FIFO|dangling|\/dev\/zero$|under/)) {
    b.add({ name: `PNG target: ${name}`, args: ["invert", "--net", fx.image, "--method", "adam", "--workers", "1", "--target", p, "--json"] });
    if (/FIFO|\/dev\/zero$/.test(name)) b.add({ name: `inpainting mask: ${name}`, args: ["invert", "--net", fx.image, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", `inpaint:${p}`, "--json"] });
  }
}

/** Measurement matrices (.npy, .safetensors) for the 4-output network: m × 4 is right. */
function matrices(b: Builder, fx: Fixtures): void {
  const f8 = (n: number, bad?: number) => encode("F64", Array.from({ length: n }, (_, i) => (i === 5 ? bad ?? 0.1 * i : 0.1 * i)));
  const list: [string, Uint8Array | string, boolean][] = [
    ["empty", "", false], ["text", "1 2 3 4\n5 6 7 8\n", false], ["a bad magic", npyBytes({ magic: Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58), data: f8(12) }), false],
    ["format version 4", npyBytes({ version: 4, data: f8(12) }), false], ["the magic only", npyBytes({ data: f8(12) }).subarray(0, 8), false],
    ["a header past the end", npyBytes({ declaredHeader: 60000, data: f8(12) }), false], ["a version 2 header of 2^32 − 1 bytes", npyBytes({ version: 2, declaredHeader: 2 ** 32 - 1 }), false],
    ["no descr", npyBytes({ header: "{'fortran_order': False, 'shape': (3, 4), }", data: f8(12) }), false],
    ["int32", npyBytes({ descr: "<i4", data: encode("I32", new Array(12).fill(1)) }), false], ["big-endian float32", npyBytes({ descr: ">f4", data: new Uint8Array(48) }), false],
    ["Fortran order", npyBytes({ fortran: "True", data: f8(12) }), false], ["1-D", npyBytes({ shape: "12,", data: f8(12) }), false],
    ["2^28 + 1 rows declared", npyBytes({ shape: `${2 ** 28 + 1}, 1`, data: f8(12) }), false], ["too little data", npyBytes({ data: f8(11) }), false],
    ["3 × 5 (the network has 4 outputs)", npyBytes({ shape: "3, 5", data: f8(15) }), false], ["4 × 3 (transposed)", npyBytes({ shape: "4, 3", data: f8(12) }), false],
    ["a safetensors file without \"A\"", safetensorsFile([{ name: "B", dtype: "F64", shape: [3, 4] }, { name: "C", dtype: "F64", shape: [3, 4] }]), false],
    ["a 1-D safetensors tensor", safetensorsFile([{ name: "A", dtype: "F64", shape: [12] }]), false],
    ["a safetensors NaN", safetensorsFile([{ name: "A", dtype: "F32", shape: [3, 4], values: [NaN, ...weights(11)] }]), false],
    ["a safetensors matrix of 5 columns", safetensorsFile([{ name: "A", dtype: "F64", shape: [3, 5] }]), false],
    ["a NaN entry", npyBytes({ data: f8(12, NaN) }), false], ["an infinite entry", npyBytes({ data: f8(12, -Infinity) }), false], ["0 rows", npyBytes({ shape: "0, 4" }), false],
    ["100,000 × 100,000 declared", npyBytes({ shape: "100000, 100000", data: f8(12) }), false], ["a network file", network(), false],
    ["a valid safetensors matrix", safetensorsFile([{ name: "A", dtype: "F32", shape: [3, 4] }]), true], ["a valid float64 .npy", npyBytes({ data: f8(12) }), true], ["a valid float32 .npy", npyBytes({ descr: "<f4", data: encode("F32", weights(12)) }), true],
  ];
  const invert = (p: string) => ["invert", "--net", fx.net, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", `matrix:${p}`, "--json"];
  for (const [name, bytes, valid] of list) b.add({ name: `measurement matrix: ${name}`, args: invert(b.write("A.npy", bytes)), valid });
  for (const [name, p] of hostilePaths(b, ".npy", /directory|FIFO|loop|\/dev\/null|proc/)) b.add({ name: `measurement matrix: ${name}`, args: invert(p) });
}

/**
 * Journals of `invert --journal`: damaged records are run again (the output is the clean run's), anything
 * that is not a journal of this run is refused and left as it was.
 */
function journals(b: Builder, fx: Fixtures): void {
  const clean = readFileSync(fx.journal, "utf8"), lines = clean.trimEnd().split("\n");
  const [settings, ...records] = lines;
  const record = (i: number) => JSON.parse(records[i]) as { key: string; result: Record<string, unknown>; [k: string]: unknown };
  const edited = (i: number, edit: (r: ReturnType<typeof record>) => void) => {
    const r = record(i);
    edit(r);
    return [settings, ...records.map((l, j) => (j === i ? JSON.stringify(r) : l))].join("\n") + "\n";
  };
  const list: [string, string | Uint8Array, boolean][] = [
    // resumable: what is whole and this run's is used, the rest run again
    ["an empty file", "", true], ["the settings only", settings + "\n", true], ["one record", [settings, records[0]].join("\n") + "\n", true],
    ["CRLF line ends", clean.replace(/\n/g, "\r\n"), true], ["every record", clean, true], ["a torn last record", clean + records[1].slice(0, 40), true],
    ["a torn record after the settings", settings + "\n" + records[0].slice(0, 25), true],
    ["a null result", edited(1, (r) => (r.result = null as never)), true], ["a result \"garbage\"", edited(1, (r) => (r.result = "garbage" as never)), true],
    ["an x̂ of the wrong length", edited(0, (r) => (r.result.xHat = [0.5])), true], ["an x̂ with a string", edited(2, (r) => (r.result.xHat = ["0.1", 0.2])), true],
    ["an x̂ with null (NaN in JSON)", edited(2, (r) => (r.result.xHat = [null, 0.2])), true], ["another trial's result", edited(0, (r) => (r.result.index = 2)), true],
    ["negative steps", edited(1, (r) => (r.result.steps = -5)), true], ["fractional steps", edited(1, (r) => (r.result.steps = 2.5)), true],
    ["an x* of the wrong length", edited(0, (r) => (r.result.xStar = [1, 2, 3])), true], ["a budget where the method has none", edited(0, (r) => (r.budget = 17)), true],
    ["records in another order", [settings, ...records.slice().reverse()].join("\n") + "\n", true],
    ["a record of another key", clean + JSON.stringify({ key: "elsewhere/regular/0", result: 1 }) + "\n", true],
    // not a journal of this run: refused, untouched
    ["a line that is not JSON", [settings, "not json", ...records].join("\n") + "\n", false], ["a record without a key", [settings, "{\"result\": 1}", ...records].join("\n") + "\n", false],
    ["a numeric key", [settings, "{\"key\": 7}", ...records].join("\n") + "\n", false], ["a JSON list line", [settings, "[1, 2]", ...records].join("\n") + "\n", false],
    ["other settings (trials 4)", [settings.replace("\"trials\":3", "\"trials\":4"), ...records].join("\n") + "\n", false],
    ["a settings record without settings", ["{\"key\": \"#settings\"}", ...records].join("\n") + "\n", false],
    ["records without settings", records.join("\n") + "\n", false], ["a byte-order mark", "\ufeff" + clean, false],
    ["binary noise", noise(500, 11), false], ["a NUL inside a record", [settings, records[0].replace("\"cell\"", "\"ce\u0000ll\""), ...records.slice(1)].join("\n") + "\n", false],
    ["text without a newline", "my notes about this run", false], ["a network file", network(), false], ["a PNG", pngBytes({ width: 4, height: 4 }), false],
  ];
  for (const [name, bytes, valid] of list) {
    const p = b.write("journal.jsonl", bytes);
    b.add({ name: `journal: ${name}`, args: [...fx.journalArgs, "--journal", p], valid, stdout: valid ? fx.journalStdout : undefined, outputs: valid ? [] : [p] });
  }
  // a compacted journal beside it, damaged
  const gz = (name: string, bytes: Uint8Array) => {
    const p = b.path("journal.jsonl");
    writeFileSync(p + ".gz", bytes);
    b.add({ name: `journal: ${name}`, args: [...fx.journalArgs, "--journal", p], outputs: [p, p + ".gz"] });
  };
  gz("PATH.gz not gzip", Buffer.from("not gzip"));
  gz("PATH.gz truncated", gzipSync(clean).subarray(0, 30));
  gz("PATH.gz without its last newline", gzipSync(clean.trimEnd()));
  gz("PATH.gz of binary noise", gzipSync(noise(200, 12)));
  for (const [name, p] of hostilePaths(b, ".jsonl")) {
    // legitimately valid: a journal made where a dangling symlink points, or under a name with control characters
    const valid = /dangling|newline/.test(name);
    b.add({ name: `journal: ${name}`, args: [...fx.journalArgs, "--journal", p], valid, stdout: valid ? fx.journalStdout : undefined, outputs: valid || p.startsWith("/proc/") ? [] : [p] });
  }
  // its lock file, PATH.lock, of the wrong kind; or a stale one of a process long gone (taken over)
  const locked = (name: string, make: (lock: string) => void, valid = false) => {
    const p = b.path("journal.jsonl");
    make(`${p}.lock`);
    b.add({ name: `journal lock: ${name}`, args: [...fx.journalArgs, "--journal", p], valid, stdout: valid ? fx.journalStdout : undefined, outputs: valid ? [] : [p, `${p}.lock`] });
  };
  locked("a FIFO", (l) => execFileSync("mkfifo", [l]));
  locked("a directory", (l) => mkdirSync(l));
  locked("a symlink to /dev/zero", (l) => symlinkSync("/dev/zero", l));
  locked("garbage (stale)", (l) => writeFileSync(l, noise(50, 14)), true);
  locked("empty (stale)", (l) => writeFileSync(l, ""), true);
  locked("a dead process's (stale)", (l) => writeFileSync(l, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname() })), true);
}

/** Training states (`surf train --resume --out DIR`): DIR a copy of a finished run with state/state.safetensors forged. */
function states(b: Builder, fx: Fixtures): void {
  const good = readFileSync(join(fx.trained, "state", "state.safetensors"));
  const parsed = parseSafetensors(good, "state");
  const meta = Object.fromEntries(parsed.metadata);
  // the run's tensors (less `drop`; `nan`'s first value NaN, a float32 tensor) under `metadata`
  const rewrite = (metadata: Record<string, string>, drop?: string, nan?: string) => serializeSafetensors(
    [...parsed.tensors].filter(([name]) => name !== drop).map(([name, t]) => {
      const bytes = new Uint8Array(t.bytes);
      if (name === nan) bytes.set(encode("F32", [NaN]));
      return [name, { dtype: t.dtype as Dtype, shape: t.shape, data: bytes }];
    }), metadata);
  const { "surfing.train.config": _config, ...withoutConfig } = meta;
  const config = JSON.parse(meta["surfing.train.config"]) as Record<string, unknown>;
  const withConfig = (change: Record<string, unknown>) => rewrite({ ...meta, "surfing.train.config": JSON.stringify({ ...config, ...change }) });
  const firstFloat = [...parsed.tensors].find(([, t]) => t.dtype === "F32")![0];
  const list: [string, Uint8Array | string | ((state: string) => void)][] = [
    ["no state directory", (s) => void s], ["an empty state file", ""], ["noise", noise(400, 13)], ["a network instead", network()],
    ["a directory", (s) => mkdirSync(s, { recursive: true })], ["a FIFO", (s) => execFileSync("mkfifo", [s])], ["a symlink to /dev/zero", (s) => symlinkSync("/dev/zero", s)],
    ["a dangling symlink", (s) => symlinkSync(join(fx.dir, "nowhere"), s)], ["a symlink loop", (s) => symlinkSync(s, s)],
    ["no configuration", rewrite(withoutConfig)], ["a configuration that is not JSON", rewrite({ ...meta, "surfing.train.config": "{model:" })],
    ["a null configuration", rewrite({ ...meta, "surfing.train.config": "null" })], ["the model \"__proto__\"", withConfig({ model: "__proto__" })],
    ["the model \"dcgan\"", withConfig({ model: "dcgan" })], ["negative steps", withConfig({ steps: -4 })], ["latent 10^9", withConfig({ latent: 1e9 })],
    ["hidden widths of 10^8", withConfig({ hidden: [1e8] })], ["batch 10^9", withConfig({ batch: 1e9 })],
    ["dtype f16", withConfig({ dtype: "f16" })], ["a width the mlp does not use", withConfig({ width: 1e6 })], ["a step past the end", rewrite({ ...meta, "surfing.step": "999" })], ["a step −1", rewrite({ ...meta, "surfing.step": "-1" })],
    ["optimizer steps that are not two counts", rewrite({ ...meta, "surfing.train.optimizer_steps": "[1]" })], ["a tensor missing", rewrite(meta, firstFloat)],
    ["a NaN in a tensor", rewrite(meta, undefined, firstFloat)], ["truncated", good.subarray(0, good.length - 10)],
  ];
  for (const [name, content] of list) {
    const dir = b.path("trained");
    cpSync(fx.trained, dir, { recursive: true });
    const state = join(dir, "state", "state.safetensors");
    rmSync(join(dir, "state"), { recursive: true });
    if (typeof content === "function") {
      if (name !== "no state directory") mkdirSync(join(dir, "state"));
      content(state);
    } else {
      mkdirSync(join(dir, "state"));
      writeFileSync(state, content);
    }
    // legitimately valid: a forged width an mlp run does not use (the run is finished: nothing is trained)
    b.add({ name: `training state: ${name}`, args: ["train", "--resume", "--out", dir, "--json"], valid: name.startsWith("a width the mlp") });
  }
}

/** Shards for surf merge: named directories (with --out) and OUT/shard-i-of-n with a damaged shard.json. */
function shards(b: Builder): void {
  const named: [string, (dir: string) => void][] = [
    ["no results", () => {}], ["results.jsonl not JSON", (d) => writeFileSync(join(d, "results.jsonl"), "garbage\n")],
    ["results.jsonl.gz not gzip", (d) => writeFileSync(join(d, "results.jsonl.gz"), "garbage")],
    ["results.jsonl a FIFO", (d) => execFileSync("mkfifo", [join(d, "results.jsonl")])], ["results.jsonl a directory", (d) => mkdirSync(join(d, "results.jsonl"))],
    ["results.jsonl a symlink to /dev/zero", (d) => symlinkSync("/dev/zero", join(d, "results.jsonl"))],
    ["results.jsonl of other settings", (d) => writeFileSync(join(d, "results.jsonl"), JSON.stringify({ key: "#settings", settings: { sweep: "table1" } }) + "\n")],
  ];
  for (const [name, make] of named) {
    const dir = b.path("shard"), out = b.path("merged");
    mkdirSync(dir);
    make(dir);
    b.add({ name: `merge shard: ${name}`, args: ["merge", "--sweep", "fig3", "--quick", "--out", out, dir, "--json"], outputs: [out] });
  }
  const record = { sweep: "fig3", shard: { index: 1, count: 1 }, quick: true, seed: "0", scale: {}, checkpoints: null };
  const auto: [string, string | ((p: string) => void)][] = [
    ["shard.json not JSON", "{sweep"], ["shard.json null", "null"], ["shard.json a list", "[]"], ["shard.json of another sweep", JSON.stringify({ ...record, sweep: "table1" })],
    ["shard.json of another shard", JSON.stringify({ ...record, shard: { index: 2, count: 3 } })], ["shard.json with a string scale", JSON.stringify({ ...record, scale: "big" })],
    ["shard.json a FIFO", (p) => execFileSync("mkfifo", [p])], ["shard.json a directory", (p) => mkdirSync(p)], ["shard.json a symlink to /dev/zero", (p) => symlinkSync("/dev/zero", p)],
    ["shard.json a symlink loop", (p) => symlinkSync(p, p)],
  ];
  for (const [name, content] of auto) {
    const out = b.path("sharded"), dir = join(out, "shard-1-of-1");
    mkdirSync(dir, { recursive: true });
    if (typeof content === "string") writeFileSync(join(dir, "shard.json"), content);
    else content(join(dir, "shard.json"));
    b.add({ name: `merge OUT: ${name}`, args: ["merge", "--sweep", "fig3", out, "--json"], outputs: [join(out, "results.jsonl"), join(out, "report.html"), join(out, "summary.json")] });
  }
}

// ---------------------------------------------------------------------------------------------
// The corpus of command lines

/** The flags of a command (with the global ones), from its spec: the corpus covers every one. */
function flagsOf(command: string) {
  const c = COMMANDS.find((x) => x.spec.name === command);
  if (!c) throw new Error(`no command ${command}`);
  return [...c.spec.flags, ...GLOBAL_FLAGS];
}

/**
 * Bad command lines. First the forms: every flag of every command given a value of the wrong form (or none),
 * unknown flags, stray arguments, outputs that cannot be written — refused when the flags are parsed, so
 * tried in this process (`parse`). Then each command's own bad values, conflicts and environments, each
 * beside otherwise valid flags so that the one fault is what is refused, run as the user runs them.
 * Long as a table is: one case a line, grouped by command.
 */
export function commandCorpus(fx: Fixtures): Corpus {
  const root = join(fx.dir, "commands");
  mkdirSync(root, { recursive: true });
  let serial = 0;
  const out = (name: string) => join(root, `${String(++serial).padStart(3, "0")}-${name}`);
  const cases: FuzzCase[] = [];
  const file = join(root, "a-file"), fifo = join(root, "fifo"), loop = join(root, "loop"), existingDir = join(root, "a-directory");
  writeFileSync(file, "x");
  execFileSync("mkfifo", [fifo]);
  symlinkSync(loop, loop);
  mkdirSync(existingDir);

  // Every command with its base: the fewest flags that make a valid (and cheap) run, an output where it writes.
  const base: Record<string, () => { args: string[]; outputs: string[] }> = {
    "selfcheck": () => ({ args: ["selfcheck", "--json"], outputs: [] }),
    "net random": () => { const o = out("net.safetensors"); return { args: ["net", "random", "--arch", "2,3,4", "--out", o, "--json"], outputs: [o] }; },
    "info": () => ({ args: ["info", fx.net, "--json"], outputs: [] }),
    "regions": () => ({ args: ["regions", fx.net, "--json"], outputs: [] }),
    "verify": () => { const o = out("verify"); return { args: ["verify", "wdc", "--quick", "--out", o, "--json"], outputs: [o] }; },
    "train": () => { const o = out("train"); return { args: ["train", "--model", "vae", "--arch", "mlp", "--hidden", "4", "--latent", "2", "--steps", "2", "--every", "1", "--batch", "2", "--out", o, "--json"], outputs: [o] }; },
    "invert": () => { const j = out("journal.jsonl"); return { args: ["invert", "--net", fx.net, "--method", "adam", "--trials", "2", "--workers", "1", "--journal", j, "--json"], outputs: [j, j + ".lock"] }; },
    "demo": () => { const o = out("demo"); return { args: ["demo", "--out", o, "--json"], outputs: [o] }; },
    "merge": () => { const o = out("merged"); return { args: ["merge", "--sweep", "fig3", "--quick", "--out", o, existingDir, "--json"], outputs: [o] }; },
    "landscape dss": () => { const o = out("dss"); return { args: ["landscape", "dss", "--task", "cubic", "--pairs", "1", "--levels", "0.3", "--end-steps", "5", "--bead-steps", "5", "--out", o, "--json"], outputs: [o] }; },
    "fid": () => ({ args: ["fid", fx.image, "--samples", "2", "--json"], outputs: [] }),
    "reproduce": () => { const o = out("reproduce"); return { args: ["reproduce", "fig3", "--quick", "--trials", "1", "--out", o, "--json"], outputs: [o] }; },
  };
  /** The base of `command` with `set` flags given (replacing the base's own; null: the flag last, without a value) and `extra` arguments. */
  const line = (command: string, set: [string, string | null][], extra: string[] = [], env?: Record<string, string>): FuzzCase => {
    const { args, outputs } = base[command]();
    const words = command.split(" ").length, rest = args.slice(words);
    for (const [flag, value] of set) {
      const at = rest.indexOf(`--${flag}`);
      if (at >= 0) rest.splice(at, flagsOf(command).find((f) => f.name === flag)?.type === "boolean" ? 1 : 2);
      if (value !== null) rest.push(`--${flag}`, value);
    }
    const bare = set.filter(([, v]) => v === null).map(([f]) => `--${f}`);
    return { name: "", args: [...args.slice(0, words), ...rest, ...extra, ...bare], env, outputs };
  };
  const add = (name: string, c: FuzzCase) => cases.push({ ...c, name });
  const parsed = (name: string, c: FuzzCase) => add(name, { ...c, parse: true });

  // 1. Forms, refused when the flags are parsed. Every flag of every command: a value of the wrong form (the
  // forms taken in turn), or none; a boolean given a value.
  for (const command of Object.keys(base)) {
    flagsOf(command).forEach((f, i) => {
      if (f.name === "help") return;
      const forms = f.type === "int" ? ["abc", "1.5", "1e999", ""] : f.type === "number" ? ["", "1e999", "abc", "1,5"] : undefined;
      if (forms) parsed(`${command} --${f.name} ${JSON.stringify(forms[i % forms.length])} (not a number)`, { ...line(command, [[f.name, forms[i % forms.length]]]), mentions: [`--${f.name}`] });
      else if (f.type === "boolean") parsed(`${command} --${f.name}=yes`, { ...line(command, [], [`--${f.name}=yes`]), mentions: [`--${f.name}`] });
      else parsed(`${command} --${f.name} without its value`, { ...line(command, [[f.name, null]]), mentions: [`--${f.name}`] });
    });
    parsed(`${command}: an unknown flag`, line(command, [], ["--frobnicate"]));
    parsed(`${command}: a misspelt flag`, line(command, [], ["--jsn"]));
    parsed(`${command}: a short flag`, line(command, [], ["-x"]));
    parsed(`${command}: --=5`, line(command, [], ["--=5"]));
    add(`${command}: SURF_BACKEND=gpu`, line(command, [], [], { SURF_BACKEND: "gpu" }));
  }
  for (const command of ["selfcheck", "net random", "train", "invert", "demo", "landscape dss"]) parsed(`${command}: a stray argument`, line(command, [], ["extra"]));
  parsed("info: two paths", line("info", [], [fx.net]));
  parsed("regions: two networks", line("regions", [], [fx.net]));
  parsed("verify: two names", line("verify", [], ["rric"]));
  parsed("fid: two networks", line("fid", [], [fx.net]));
  parsed("reproduce: two names", line("reproduce", [], ["fig4"]));
  parsed("info without a path", { name: "", args: ["info", "--json"] });
  parsed("regions without a network", { name: "", args: ["regions", "--json"] });
  parsed("reproduce without a name", { name: "", args: ["reproduce", "--quick", "--out", out("r"), "--json"] });
  parsed("an unknown command", { name: "", args: ["frobnicate"] });
  parsed("net without its subcommand", { name: "", args: ["net"] });
  parsed("landscape without its subcommand", { name: "", args: ["landscape"] });
  parsed("net with an unknown subcommand", { name: "", args: ["net", "copy"] });
  parsed("a command in capitals", { name: "", args: ["INVERT", "--net", fx.net] });
  // outputs that cannot be written, and paths that are empty
  const unwritable = (command: string, flag: string, kind: "file" | "directory") => {
    const wrong = kind === "file" ? existingDir : file;
    for (const [what, v] of [["empty", ""], [`a ${kind === "file" ? "directory" : "file"}`, wrong], ["under a file", join(file, "x", "y")], ["a FIFO", fifo], ["a symlink loop", loop], ["/dev/null", "/dev/null"]] as const) {
      parsed(`${command} --${flag} ${what}`, { ...line(command, [[flag, v]]), mentions: [`--${flag}`] });
    }
  };
  unwritable("net random", "out", "file");
  for (const c of ["train", "verify", "demo", "landscape dss", "reproduce", "merge"]) unwritable(c, "out", "directory");
  unwritable("invert", "journal", "file");
  unwritable("invert", "save-images", "directory");
  unwritable("reproduce", "checkpoints", "directory");
  for (const [what, v] of [["empty", ""], ["a file", file], ["under a file", join(file, "x")], ["a FIFO", fifo]] as const) {
    parsed(`fid --train-classifier --out ${what}`, { name: "", args: ["fid", "--train-classifier", "--out", v, "--json"], mentions: ["--out"] });
  }
  for (const [command, flag] of [["invert", "net"], ["invert", "target"], ["landscape dss", "net"], ["landscape dss", "target"]] as const) {
    parsed(`${command} --${flag} ""`, { ...line(command, [[flag, ""]]), mentions: [`--${flag}`] });
  }

  // 2. Each command's own bad values (the form is right; the value is not), run.
  const bad = (command: string, flag: string, values: string[], mentions = [`--${flag}`]) => {
    for (const v of values) add(`${command} --${flag} ${JSON.stringify(v)}`, { ...line(command, [[flag, v]]), mentions });
  };
  bad("net random", "arch", ["2", "2,,4", "2,100000000,784"]);
  bad("net random", "family", ["__proto__"]);
  bad("net random", "dtype", ["f16"]);
  add("net random without --arch", { name: "", args: ["net", "random", "--out", out("x.safetensors"), "--json"] });
  add("net random without --out", { name: "", args: ["net", "random", "--arch", "2,3,4", "--json"] });
  add("info of an empty path", { name: "", args: ["info", "", "--json"] });

  bad("regions", "box", ["0", "1e309"]);
  bad("regions", "max-regions", ["0"]);
  add("regions of a checkpoint directory", { name: "", args: ["regions", fx.seq, "--json"] });

  for (const name of ["theorem-9.9", "__proto__"]) add(`verify of the check ${JSON.stringify(name)}`, { name: "", args: ["verify", name, "--quick", "--json"] });

  bad("train", "model", ["__proto__"]);
  bad("train", "arch", ["resnet"]);
  bad("train", "latent", ["1000000000"]);
  const dcgan = (flag: string, value: string) => {
    const o = out("train");
    add(`train --arch dcgan --${flag} ${value}`, { name: "", args: ["train", "--model", "gan", "--arch", "dcgan", "--latent", "2", "--steps", "2", "--every", "1", "--batch", "2", `--${flag}`, value, "--out", o, "--json"], outputs: [o], mentions: [`--${flag}`] });
  };
  dcgan("width", "1000000");
  dcgan("critic-width", "1000000");
  bad("train", "critic-steps", ["0"]);
  bad("train", "hidden", ["4,,4", "100000000"]);
  bad("train", "steps", ["0"]);
  bad("train", "every", ["3"]);
  bad("train", "batch", ["1000000000"]);
  bad("train", "workers", ["65"]);
  add("train without --model", { name: "", args: ["train", "--arch", "mlp", "--out", out("train"), "--json"] });
  add("train without --out", { name: "", args: ["train", "--model", "vae", "--json"] });
  add("train --resume where nothing ran", line("train", [], ["--resume"]));
  add("train --resume --model gan on a vae run", { name: "", args: ["train", "--resume", "--model", "gan", "--out", fx.trained, "--json"] });
  add("train --resume --latent 9 on a k = 2 run", { name: "", args: ["train", "--resume", "--latent", "9", "--out", fx.trained, "--json"] });
  add("train --resume --steps 1, below the run's", { name: "", args: ["train", "--resume", "--steps", "1", "--out", fx.trained, "--json"] });
  add("train into another run's directory", { name: "", args: ["train", "--model", "gan", "--arch", "mlp", "--hidden", "4", "--latent", "2", "--steps", "2", "--every", "1", "--out", fx.trained, "--json"] });

  bad("invert", "method", ["__proto__"]);
  bad("invert", "x-star", ["0.1,,0.3", "0.1,", "0.1", "1e999,0"]);
  const measure = ["--measure", "measurement", "superres"];
  bad("invert", "measure", ["gaussian:0", "gaussian:1000000000", "subsample:5", "superres:3", "inpaint:rect:0,0,99,99", "matrix:"], measure);
  bad("invert", "noise", ["-0.1"]);
  bad("invert", "trials", ["4294967296"]);
  bad("invert", "lr", ["0"]);
  bad("invert", "budget", ["-1"]);
  bad("invert", "restarts", ["0"]);
  bad("invert", "workers", ["100000"]);
  bad("invert", "box", ["abc", "inf"]);
  bad("invert", "tau", ["-0.1"]);
  bad("invert", "inner", ["newton"]);
  bad("invert", "interpolate", ["1", "4294967296"]);
  for (const v of [join(root, "missing.json"), fifo]) add(`invert --target ${v}`, { ...line("invert", [["target", v]]), mentions: ["--target", v] });
  for (const v of [join(root, "missing.safetensors"), loop, "/dev/zero"]) add(`invert --net ${v}`, { ...line("invert", [["net", v]]), mentions: ["--net", v] });
  add("invert without --net", { name: "", args: ["invert", "--method", "adam", "--json"] });
  add("invert --x-star with --target", line("invert", [["x-star", "0.1,0.2"], ["target", join(root, "t.json")]]));
  add("invert --method surf of one network", line("invert", [["method", "surf"]]));
  add("invert --method restarts of one network", line("invert", [["method", "restarts"]]));
  add("invert --method surf-projected of one network", line("invert", [["method", "surf-projected"]]));
  add("invert --method certify --max-regions 1", line("invert", [["method", "certify"], ["max-regions", "1"]]));
  add("invert --measure inpaint:rect hiding every pixel", { name: "", args: ["invert", "--net", fx.image, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", "inpaint:rect:0,0,28,28", "--json"] });
  add("invert --measure superres:5 of 28 × 28", { name: "", args: ["invert", "--net", fx.image, "--method", "adam", "--trials", "1", "--workers", "1", "--measure", "superres:5", "--json"] });
  add("invert --measure matrix: of a missing file", line("invert", [["measure", `matrix:${join(root, "missing.npy")}`]]));
  add("invert --journal locked by a run on another host", (() => {
    const c = line("invert", []);
    const j = c.args[c.args.indexOf("--journal") + 1];
    writeFileSync(j + ".lock", JSON.stringify({ pid: 1, host: "elsewhere" }));
    return c;
  })());
  // legitimately valid: a square output is taken as a square grey image
  add("invert --measure superres:2 of a 4-output network (a 2 × 2 image)", { ...line("invert", [["measure", "superres:2"]]), valid: true });
  add("invert --method certify --box 1e308", { ...line("invert", [["method", "certify"], ["box", "1e308"]]), valid: true });

  bad("demo", "workers", ["100000"]);

  add("merge without OUT or shards", { name: "", args: ["merge", "--sweep", "fig3", "--json"] });
  add("merge --out without shards", { name: "", args: ["merge", "--sweep", "fig3", "--out", out("merged"), "--json"] });
  add("merge of a missing directory", { name: "", args: ["merge", "--sweep", "fig3", "--out", out("merged"), join(root, "missing"), "--json"] });
  add("merge OUT of a missing directory", { name: "", args: ["merge", "--sweep", "fig3", join(root, "missing-out"), "--json"], outputs: [join(root, "missing-out")] });
  add("merge OUT of an empty directory", { name: "", args: ["merge", "--sweep", "fig3", existingDir, "--json"], outputs: [existingDir] });
  add("merge OUT of a file", { name: "", args: ["merge", "--sweep", "fig3", file, "--json"] });
  add("merge --allow-partial with named shards", line("merge", [], ["--allow-partial"]));
  bad("merge", "sweep", ["fig1", "__proto__"]);
  bad("merge", "models", ["gan,gan"]);
  bad("merge", "k", ["5,5"]);

  bad("landscape dss", "task", ["__proto__"]);
  bad("landscape dss", "levels", ["0,,1", "1.5"]);
  bad("landscape dss", "pairs", ["0"]);
  bad("landscape dss", "alpha", ["1.5"]);
  bad("landscape dss", "samples", ["1000000000"]);
  bad("landscape dss", "insertion", ["random"]);
  add("landscape dss without --task or --net", { name: "", args: ["landscape", "dss", "--out", out("dss"), "--json"] });
  add("landscape dss with --task and --net", line("landscape dss", [["net", fx.seq]]));
  add("landscape dss without --out", { name: "", args: ["landscape", "dss", "--task", "cubic", "--json"] });
  const latent = (flag: string, value: string) => {
    const o = out("dss-latent");
    add(`landscape dss --net --${flag} ${JSON.stringify(value)}`, { name: "", args: ["landscape", "dss", "--net", fx.seq, "--pairs", "1", `--${flag}`, value, "--out", o, "--json"], outputs: [o], mentions: [`--${flag}`] });
  };
  latent("level", "1.5");
  latent("starts", "1");
  latent("stride", "0");
  latent("image", "99999999");
  latent("samples", "1000000000");
  add("landscape dss --net of a network file", { name: "", args: ["landscape", "dss", "--net", fx.net, "--out", out("dss"), "--json"] });
  add("landscape dss --net with --target and --image", { name: "", args: ["landscape", "dss", "--net", fx.seq, "--target", file, "--image", "1", "--out", out("dss"), "--json"] });

  bad("fid", "samples", ["1"]);
  bad("fid", "stride", ["0"]);
  bad("fid", "latent", ["gaussian"]);
  add("fid without a network", { name: "", args: ["fid", "--json"] });
  add("fid --train-classifier with a network", { name: "", args: ["fid", "--train-classifier", fx.net, "--out", out("classifier"), "--json"] });
  add("fid --train-classifier without --out", { name: "", args: ["fid", "--train-classifier", "--json"] });
  add("fid of a network that makes no image", { name: "", args: ["fid", fx.net, "--samples", "2", "--json"] });

  for (const name of ["fig9", "__proto__"]) add(`reproduce of the experiment ${JSON.stringify(name)}`, { name: "", args: ["reproduce", name, "--quick", "--out", out("r"), "--json"] });
  add("reproduce without --out", { name: "", args: ["reproduce", "fig3", "--quick", "--json"] });
  bad("reproduce", "shard", ["3/2", "a/b", "auto"]);
  bad("reproduce", "workers", ["100000"]);
  bad("reproduce", "models", ["gan,gan", "__proto__"]);
  bad("reproduce", "k", ["5,"]);
  bad("reproduce", "m", ["10,10"]);
  bad("reproduce", "train-seed", ["1.5"]);
  bad("reproduce", "trials", ["4294967296"]);
  // the full scale (no --quick) trains dcgan generators of --width and --k: sizes refused before training
  const full = (sweep: string, flag: string, value: string, mentions: string[]) => {
    const o = out("reproduce");
    add(`reproduce ${sweep} --${flag} ${value} (full scale)`, { name: "", args: ["reproduce", sweep, "--trials", "1", `--${flag}`, value, "--out", o, "--json"], outputs: [o], mentions });
  };
  full("fig3", "width", "1000000", ["--width"]);
  full("table1", "k", "1000000000", ["k1000000000"]);   // named by the cell, table1/gan/k1000000000
  full("fig3", "m", "1000000000", ["--m"]);
  add("reproduce --shards 3 without --shard auto", line("reproduce", [["shards", "3"]]));
  add("reproduce --shard 1/2 --shards 3", line("reproduce", [["shard", "1/2"], ["shards", "3"]]));
  for (const [what, env] of [
    ["SURF_SHARDS=abc", { SURF_SHARDS: "abc", JOB_COMPLETION_INDEX: "0" }], ["JOB_COMPLETION_INDEX=5 of 2", { JOB_COMPLETION_INDEX: "5", SURF_SHARDS: "2" }],
    ["SLURM_ARRAY_TASK_ID=x", { SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "2" }], ["SLURM_ARRAY_TASK_COUNT=0", { SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "0" }],
  ] as const) {
    add(`reproduce in a scheduler with ${what}`, line("reproduce", [], [], { ...env }));
  }
  const fig1 = (set: [string, string][], name: string, net = fx.seq, mentions?: string[]) => {
    const o = out("fig1");
    add(`reproduce fig1 ${name}`, { name: "", args: ["reproduce", "fig1", "--quick", "--net", net, ...set.flatMap(([f, v]) => [`--${f}`, v]), "--out", o, "--json"], outputs: [o], mentions });
  };
  fig1([["stages", ""]], "--stages \"\"", fx.seq, ["--stages"]);
  fig1([["images", "1,"]], "--images 1,", fx.seq, ["--images"]);
  fig1([["grid", "100000000"]], "--grid 10^8", fx.seq, ["--grid"]);
  fig1([["stride", "0"]], "--stride 0", fx.seq, ["--stride"]);
  fig1([], "of a sequence of 4 outputs (not images)");
  fig1([], "of a network file", fx.net);
  fig1([], "of a missing directory", join(root, "missing"));

  return { files: 0, cases };
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/** Write the valid inputs the corpus is built on into `dir`, and run `surf` on them once for the clean outputs. */
export function fixtures(dir: string, surf: (args: string[]) => { code: number | null; stdout: string; stderr: string }): Fixtures {
  const net = join(dir, "tiny.safetensors"), seq = join(dir, "tiny-seq"), image = join(dir, "image.safetensors");
  writeFileSync(net, network());
  mkdirSync(seq);
  [0, 40, 80].forEach((step, t) => writeFileSync(join(seq, `${String(step).padStart(9, "0")}.safetensors`), network({ step: String(step), tensors: tinyTensors("F32", 100 * t) })));
  const run = (args: string[]) => {
    const r = surf(args);
    if (r.code !== 0) throw new Error(`fixture: surf ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  run(["net", "random", "--arch", "2,8,784", "--out", image, "--seed", "fuzz"]);
  const journal = join(dir, "clean.jsonl");
  const journalArgs = ["invert", "--net", net, "--method", "adam", "--trials", "3", "--workers", "1", "--json"];
  const journalStdout = run([...journalArgs, "--journal", journal]);
  const seqArgs = ["invert", "--trials", "2", "--workers", "1", "--budget", "20", "--json"];
  const seqStdout = run([...seqArgs, "--net", seq]);
  const trained = join(dir, "trained");
  run(["train", "--model", "vae", "--arch", "mlp", "--hidden", "4", "--latent", "2", "--steps", "2", "--every", "1", "--batch", "2", "--out", trained]);
  return { dir, net, seq, image, journalArgs, journal, journalStdout, seqArgs, seqStdout, trained };
}
