// Network files: round trips; a PyTorch-style file built byte by byte loads; each bad file names the
// file and the tensor; checkpoint sequences come back in step order and refuse mixed architectures.
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernels, scratchDirectory } from "../helpers.js";
import { InputError } from "../../src/errors.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { networkFromSafetensors, networkToSafetensors } from "../../src/nn/checkpoint.js";
import { CheckpointSequence, readNetwork, writeNetwork } from "../../src/nn/files.js";
import { parseSafetensors, serializeSafetensors, type Dtype } from "../../src/nn/safetensors.js";
import { convNetwork } from "./fixtures.js";

type Entry = [string, { dtype: Dtype; shape: number[]; data: ArrayBufferView }];

/** The tensors and metadata of a network file, for building variants of it. */
function parts(net = randomNetwork("surf", [2, 3, 4], "parts")): { entries: Entry[]; metadata: Record<string, string> } {
  const entries: Entry[] = net.params.map((p) => [p.name, { dtype: "F32", shape: [...p.shape], data: Float32Array.from(p.values) }]);
  const metadata = { "surfing.arch": JSON.stringify(net.spec) };
  net.free();
  return { entries, metadata };
}

describe("network files", () => {
  let dir = "";
  scratchDirectory("ckpt", (d) => (dir = d));

  it("round trip: architecture, every parameter bit for bit, batch-norm statistics and counters, the step", () => {
    for (const dtype of ["f32", "f64"] as const) {
      const net = convNetwork("roundtrip", dtype);
      net.batchesTracked[1].count = 17;
      const path = join(dir, `net-${dtype}.safetensors`);
      writeNetwork(path, net, 120);
      const { network: back, step } = readNetwork(path, { dtype });
      expect(step).to.equal(120);
      expect(back.spec).to.deep.equal(net.spec);
      back.params.forEach((p, i) => expect(Array.from(p.values), p.name).to.deep.equal(Array.from(net.params[i].values)));
      expect(back.batchesTracked[1].count).to.equal(17);
      // and it computes the same function
      const x = [[0.3, -0.7, 1.1]];
      expect(Array.from(back.forward(x)[0])).to.deep.equal(Array.from(net.forward(x)[0]));
      net.free();
      back.free();
    }
  });

  it("loads a file written byte by byte as safetensors.torch.save_file writes an nn.Sequential state_dict", () => {
    // Linear(2, 3) → BatchNorm1d(3) → ReLU → Linear(3, 1, bias=False), with num_batches_tracked as I64
    const arch = { input: [2], layers: [
      { type: "Linear", in_features: 2, out_features: 3, bias: true },
      { type: "BatchNorm1d", num_features: 3, eps: 1e-5, momentum: 0.1 },
      { type: "ReLU" },
      { type: "Linear", in_features: 3, out_features: 1, bias: false },
    ] };
    const tensors: [string, string, number[], number[]][] = [
      ["0.weight", "F32", [3, 2], [1, 0, 0, 1, 1, 1]],
      ["0.bias", "F32", [3], [0, 0, -1]],
      ["1.weight", "F32", [3], [1, 1, 1]],
      ["1.bias", "F32", [3], [0, 0, 0]],
      ["1.running_mean", "F32", [3], [0, 0, 0]],
      ["1.running_var", "F32", [3], [1, 1, 1]],
      ["1.num_batches_tracked", "I64", [], [5]],
      ["3.weight", "F32", [1, 3], [1, 2, 3]],
    ];
    let offset = 0;
    const header: Record<string, unknown> = { __metadata__: { format: "pt", "surfing.arch": JSON.stringify(arch) } };
    const chunks: Uint8Array[] = [];
    for (const [name, dtype, shape, values] of tensors) {
      const bytes = dtype === "I64" ? new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) : new Uint8Array(Float32Array.from(values).buffer);
      header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
      offset += bytes.length;
      chunks.push(bytes);
    }
    let json = JSON.stringify(header);
    while ((8 + json.length) % 8 !== 0) json += " ";
    const file = new Uint8Array(8 + json.length + offset);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(new TextEncoder().encode(json), 8);
    let at = 8 + json.length;
    for (const c of chunks) {
      file.set(c, at);
      at += c.length;
    }
    const { network, step } = networkFromSafetensors(file, "torch.safetensors", { kernels });
    expect(step).to.equal(undefined);
    expect(network.batchesTracked[1].count).to.equal(5);
    // x = (2, 1): z = (2, 1, 2), BN (eval) ≈ z/√(1+1e-5), ReLU, then 1·2 + 2·1 + 3·2 = 10 (up to the BN epsilon)
    expect(network.forward([[2, 1]])[0][0]).to.be.closeTo(10 / Math.sqrt(1 + 1e-5), 1e-5);
    network.free();
  });

  it("bad files name the file and the tensor", () => {
    const cases: [string, (p: ReturnType<typeof parts>) => void, RegExp][] = [
      ["missing tensor", (p) => p.entries.splice(1, 1), /bad\.safetensors: tensor "0\.bias" is missing \(layer 0 \(Linear\) needs bias of shape \[3\]\)/],
      ["wrong shape", (p) => (p.entries[0][1] = { dtype: "F32", shape: [2, 3], data: new Float32Array(6) }), /tensor "0\.weight" has shape \[2,3\], layer 0 \(Linear\) needs \[3,2\]/],
      ["NaN weight", (p) => ((p.entries[2][1].data as Float32Array)[1] = NaN), /tensor "2\.weight".*NaN/],
      ["Inf weight", (p) => ((p.entries[0][1].data as Float32Array)[0] = -Infinity), /tensor "0\.weight".*Inf/],
      ["unexpected tensor", (p) => p.entries.push(["9.weight", { dtype: "F32", shape: [1], data: new Float32Array(1) }]), /tensor "9\.weight" not used by the architecture/],
      ["no architecture", (p) => delete p.metadata["surfing.arch"], /no "surfing\.arch" in the metadata/],
      ["bad architecture JSON", (p) => (p.metadata["surfing.arch"] = "{oops"), /"surfing\.arch" is not valid JSON/],
      ["inconsistent architecture", (p) => (p.metadata["surfing.arch"] = JSON.stringify({ input: [5], layers: [{ type: "Linear", in_features: 2, out_features: 3, bias: true }] })), /layer 0 \(Linear\): in_features = 2 but its input has shape \[5\]/],
      ["unknown layer", (p) => (p.metadata["surfing.arch"] = JSON.stringify({ input: [2], layers: [{ type: "Softmax" }] })), /layer 0 \(Softmax\): unknown layer type/],
      ["bad step", (p) => (p.metadata["surfing.step"] = "-3"), /"surfing\.step" must be a non-negative integer, got "-3"/],
    ];
    for (const [what, mutate, message] of cases) {
      const p = parts();
      mutate(p);
      const bytes = serializeSafetensors(p.entries, p.metadata);
      expect(() => networkFromSafetensors(bytes, "bad.safetensors", { kernels }), what).to.throw(InputError, message);
    }
    expect(() => networkFromSafetensors(new Uint8Array(5), "short.safetensors")).to.throw(InputError, /short\.safetensors/);
    expect(() => readNetwork(join(dir, "nope.safetensors"))).to.throw(InputError, /nope\.safetensors: no such file/);
  });

  it("a checkpoint directory loads θ_0 … θ_T in step order, from the headers, one network at a time", () => {
    const seq = mkdtempSync(join(dir, "seq-"));
    const steps = [0, 40, 80, 120];
    const nets = steps.map((s) => randomNetwork("hv", [2, 5, 6], `step-${s}`));
    // names that sort against the steps, written out of order, and a file that is not a checkpoint
    const names = ["d", "c", "b", "a"];
    for (const i of [2, 0, 3, 1]) writeNetwork(join(seq, `${names[i]}.safetensors`), nets[i], steps[i]);
    writeFileSync(join(seq, "log.jsonl"), "{}\n");
    const opened = CheckpointSequence.open(seq);
    expect(opened.steps).to.deep.equal([0, 40, 80, 120]);
    opened.steps.forEach((_, t) => {
      const loaded = opened.load(t);
      expect(Array.from(loaded.params[0].values)).to.deep.equal(Array.from(nets[t].params[0].values));
      loaded.free();
    });
    for (const n of nets) n.free();
  });

  it("a sequence whose files list the architecture's keys in different orders is one architecture", () => {
    const seq = join(dir, "reordered"), a = randomNetwork("hv", [2, 5, 6], "a"), b = randomNetwork("hv", [2, 5, 6], "b");
    CheckpointSequence.write(seq, a, 0);
    // θ_40 as another exporter writes it: the same layers, every object's keys reversed
    const reverse = (v: unknown): unknown => Array.isArray(v) ? v.map(reverse)
      : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    const file = parseSafetensors(networkToSafetensors(b, 40), "b");
    const tensors = [...file.tensors].map(([name, t]) => [name, { dtype: t.dtype as Dtype, shape: t.shape, data: t.bytes.slice() }] as [string, { dtype: Dtype; shape: readonly number[]; data: ArrayBufferView }]);
    const arch = JSON.stringify(reverse(JSON.parse(file.metadata.get("surfing.arch")!)));
    expect(arch).to.not.equal(file.metadata.get("surfing.arch"));
    writeFileSync(join(seq, "000000040.safetensors"), serializeSafetensors(tensors, { ...Object.fromEntries(file.metadata), "surfing.arch": arch }));
    const opened = CheckpointSequence.open(seq), loaded = opened.load(1);
    expect(opened.steps).to.deep.equal([0, 40]);
    expect(Array.from(loaded.params[0].values)).to.deep.equal(Array.from(b.params[0].values));
    for (const n of [a, b, loaded]) n.free();
  });

  it("a sequence refuses mixed architectures, missing and repeated steps, and an empty directory", () => {
    const mixed = join(dir, "mixed");
    const a = randomNetwork("hv", [2, 5], "a"), b = randomNetwork("hv", [2, 6], "b");
    CheckpointSequence.write(mixed, a, 0);
    CheckpointSequence.write(mixed, b, 40);
    expect(() => CheckpointSequence.open(mixed)).to.throw(InputError, /architecture differs from .*000000000\.safetensors/);
    const nostep = join(dir, "nostep");
    CheckpointSequence.write(nostep, a, 0);
    writeNetwork(join(nostep, "final.safetensors"), a);
    expect(() => CheckpointSequence.open(nostep)).to.throw(InputError, /final\.safetensors: no "surfing\.step"/);
    const repeated = join(dir, "repeated");
    CheckpointSequence.write(repeated, a, 40);
    writeNetwork(join(repeated, "copy.safetensors"), a, 40);
    expect(() => CheckpointSequence.open(repeated)).to.throw(InputError, /step 40 again/);
    const empty = mkdtempSync(join(dir, "empty-"));
    writeFileSync(join(empty, "notes.txt"), "hi");
    expect(() => CheckpointSequence.open(empty)).to.throw(InputError, /no \.safetensors files/);
    a.free();
    b.free();
  });

  it("bytes written by networkToSafetensors carry the PyTorch format tag and I64 batch counters", () => {
    const net = convNetwork("tags", "f32");
    const bytes = networkToSafetensors(net, 3);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))));
    expect(text).to.match(/"format":"pt"/);
    expect(text).to.match(/"1\.num_batches_tracked":\{"dtype":"I64","shape":\[\]/);
    net.free();
  });

  it("stored in F16, a float32 network takes two bytes a value and loads within float16's rounding", () => {
    const net = convNetwork("half", "f32");
    const half = networkToSafetensors(net, 3, "F16");
    for (const p of net.params) {
      const t = parseSafetensors(half, "half").tensors.get(p.name)!;
      expect([t.dtype, t.bytes.byteLength], p.name).to.deep.equal(["F16", 2 * p.size]);
    }
    const { network: back, step } = networkFromSafetensors(half, "half");
    expect(step).to.equal(3);
    net.params.forEach((p, i) => p.values.forEach((v, j) => {
      // float16 keeps 11 significant bits: a relative error of at most 2^-11 for normal values
      const got = back.params[i].values[j];
      if (!(Math.abs(got - v) <= 2 ** -11 * Math.abs(v) + 2 ** -25)) expect.fail(`${p.name}[${j}]: ${v} stored as ${got}`);
    }));
    back.free();
    net.free();
  });
});
