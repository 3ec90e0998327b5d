// The safetensors reader and writer: round trips, files built by hand per the format, the reference
// implementation's own byte vectors, and one error per way an untrusted file can be malformed.
import { expect } from "chai";
import { InputError } from "../../src/errors.js";
import {
  MAX_HEADER_BYTES, elementCount, parseSafetensors, parseSafetensorsHeader, serializeSafetensors, tensorToFloat32, tensorToFloat64, toF16Bits,
  type Dtype, type Tensor,
} from "../../src/nn/safetensors.js";

const SRC = "model.safetensors";
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The 8-byte little-endian unsigned header length. */
function u64(n: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++, n >>= 8n) out.push(Number(n & 0xffn));
  return out;
}

/** A file put together by hand: length, header (text or raw bytes, JSON-encoded if an object), data. */
function file(header: string | Uint8Array | object, data: number | ArrayLike<number> = 0): Uint8Array {
  const h = header instanceof Uint8Array ? header : utf8(typeof header === "string" ? header : JSON.stringify(header));
  const d = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  out.set(u64(BigInt(h.length)));
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

const entry = (dtype: string, shape: unknown, begin: unknown, end: unknown) => ({ dtype, shape, data_offsets: [begin, end] });

/** Parsing must fail with a one-line InputError that starts with the source; returns the message. */
function rejects(bytes: Uint8Array, pattern: RegExp, source = SRC): string {
  let error: unknown;
  try {
    parseSafetensors(bytes, source);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${pattern}`).to.be.instanceOf(InputError);
  const message = (error as Error).message;
  expect(message.startsWith(`${source}: `), message).to.equal(true);
  expect(message).not.to.include("\n");
  expect(message).to.match(pattern);
  return message;
}

/** Values as strings, so that -0, NaN and ±Infinity compare exactly and diffs stay readable. */
const exact = (values: ArrayLike<number>) => Array.from(values, (v) => (Object.is(v, -0) ? "-0" : String(v)));

function tensor(dtype: Dtype, shape: number[], bytes: number[]): Tensor {
  return { dtype, shape, bytes: new Uint8Array(bytes) };
}

describe("safetensors", () => {
  describe("reading files built by hand", () => {
    it("reads a file assembled byte by byte per the spec", () => {
      const header = '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
        '"b":{"dtype":"F64","shape":[],"data_offsets":[16,24]}}   ';
      const data = [
        0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f, 0, 0, 0x40, 0x40, // F32 1, -2, 0.5, 3
        0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // F64 1.5
      ];
      const bytes = new Uint8Array([...u64(BigInt(header.length)), ...utf8(header), ...data]);
      const st = parseSafetensors(bytes, SRC);
      expect([...st.metadata]).to.deep.equal([["format", "pt"]]);
      expect([...st.tensors.keys()]).to.deep.equal(["w", "b"]);
      const w = st.tensors.get("w")!;
      expect(w.dtype).to.equal("F32");
      expect(w.shape).to.deep.equal([2, 2]);
      expect(w.bytes.buffer).to.equal(bytes.buffer); // a view, not a copy
      expect(w.bytes.byteOffset).to.equal(8 + header.length);
      expect(exact(tensorToFloat64(w, "w", SRC))).to.deep.equal(["1", "-2", "0.5", "3"]);
      const b = st.tensors.get("b")!;
      expect(b.shape).to.deep.equal([]);
      expect(exact(tensorToFloat64(b, "b", SRC))).to.deep.equal(["1.5"]);
    });

    it("reads the reference implementation's documented example", () => {
      // safetensors/src/tensor.rs, SafeTensors::deserialize doc: "<\x00..." then 16 zero bytes.
      const bytes = new Uint8Array([0x3c, 0, 0, 0, 0, 0, 0, 0, ...utf8('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}'), ...new Uint8Array(16)]);
      const t = parseSafetensors(bytes, SRC).tensors.get("test")!;
      expect(t.dtype).to.equal("I32");
      expect(exact(tensorToFloat64(t, "test", SRC))).to.deep.equal(["0", "0", "0", "0"]);
    });

    it("accepts what the reference accepts: any JSON whitespace as padding, null metadata, unknown fields, empty files", () => {
      const header = '{"__metadata__":null,"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"note":{"x":[1]}}} \n\t\r';
      const st = parseSafetensors(file(header, [7]), SRC);
      expect(st.metadata.size).to.equal(0);
      expect(exact(tensorToFloat64(st.tensors.get("w")!, "w", SRC))).to.deep.equal(["7"]);
      expect(parseSafetensors(file("{}"), SRC).tensors.size).to.equal(0);
    });

    it("decodes data at any alignment, in a file at any offset", () => {
      // A 1-byte tensor first puts every later tensor at an odd offset.
      const f32 = new Float32Array([1.25, -3]), f64 = new Float64Array([Math.PI]), i64 = new BigInt64Array([-5n]);
      const raw = (a: ArrayBufferView) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
      const data = [9, ...raw(f32), ...raw(f64), ...raw(i64), 0x00, 0x3c];
      const header = {
        u: entry("U8", [1], 0, 1), f: entry("F32", [2], 1, 9), d: entry("F64", [1], 9, 17),
        i: entry("I64", [1], 17, 25), h: entry("F16", [1], 25, 27),
      };
      const inner = file(header, data);
      const outer = new Uint8Array(inner.length + 3);
      outer.set(inner, 3);
      const st = parseSafetensors(outer.subarray(3), SRC);
      const get = (name: string) => tensorToFloat64(st.tensors.get(name)!, name, SRC);
      expect(st.tensors.get("f")!.bytes.byteOffset % 4).not.to.equal(0);
      expect(exact(get("u"))).to.deep.equal(["9"]);
      expect(exact(get("f"))).to.deep.equal(["1.25", "-3"]);
      expect(exact(get("d"))).to.deep.equal([String(Math.PI)]);
      expect(exact(get("i"))).to.deep.equal(["-5"]);
      expect(exact(get("h"))).to.deep.equal(["1"]);
      expect(exact(tensorToFloat32(st.tensors.get("d")!, "d", SRC))).to.deep.equal([String(Math.fround(Math.PI))]);
      // the same bytes as a Node Buffer (what readFileSync returns): its slice() is a view, not a copy
      const buffered = parseSafetensors(Buffer.from(outer.buffer, outer.byteOffset + 3, inner.length), SRC);
      for (const name of ["u", "f", "d", "i", "h"]) {
        expect(exact(tensorToFloat64(buffered.tensors.get(name)!, name, SRC)), name).to.deep.equal(exact(get(name)));
      }
    });
  });

  describe("reading only the header", () => {
    it("checks the header against the file size, without the data", () => {
      const bytes = serializeSafetensors([["w", { dtype: "F32", shape: [4], data: new Float32Array(4) }]], { format: "pt" });
      const dataStart = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
      const head = bytes.slice(0, dataStart);
      const header = parseSafetensorsHeader(head, SRC, bytes.length);
      expect(header.dataStart).to.equal(dataStart);
      expect([...header.metadata]).to.deep.equal([["format", "pt"]]);
      expect([...header.tensors]).to.deep.equal([["w", { dtype: "F32", shape: [4], dataOffsets: [0, 16] }]]);
      expect(() => parseSafetensorsHeader(head, SRC, bytes.length - 1)).to.throw(InputError, /tensor "w": data_offsets \[0, 16\] run past the end of the 15-byte data buffer/);
      expect(() => parseSafetensorsHeader(head, SRC, bytes.length + 4)).to.throw(InputError, /bytes \[16, 20\) at the end of the 20-byte data buffer are not covered/);
      expect(() => parseSafetensorsHeader(head, SRC, dataStart - 1)).to.throw(InputError, /runs past the end of the \d+-byte file \(truncated\?\)/);
      expect(() => parseSafetensorsHeader(head.subarray(0, 4), SRC, 4)).to.throw(InputError, /^model\.safetensors: file is 4 bytes/);
      expect(() => parseSafetensorsHeader(new Uint8Array(u64(2n ** 62n)), SRC, 1e9)).to.throw(InputError, /exceeds the 104857600-byte limit/);
      // Too few bytes passed for a file that has them is the caller's mistake, not the file's.
      expect(() => parseSafetensorsHeader(head.subarray(0, dataStart - 1), SRC, bytes.length)).to.throw(RangeError, new RegExp(`needs the first ${dataStart} bytes of the file, got ${dataStart - 1}`));
    });
  });

  describe("writing", () => {
    it("writes byte for byte what the reference writer writes", () => {
      // The expected files of the reference's own tests (safetensors/src/tensor.rs: test_serialization,
      // test_serialization_forced_alignement, test_empty).
      const floats = new Float32Array([0, 1, 2, 3, 4, 5]);
      const floatBytes = [...new Uint8Array(floats.buffer)];
      const one = (name: string, shape: number[]) => serializeSafetensors([[name, { dtype: "F32", shape, data: floats }]]);
      expect([...one("attn.0", [1, 2, 3])]).to.deep.equal([
        ...u64(64n), ...utf8('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'), ...floatBytes,
      ]);
      expect([...one("attn0", [1, 1, 2, 3])]).to.deep.equal([
        ...u64(72n), ...utf8('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '), ...floatBytes,
      ]);
      expect([...serializeSafetensors([])]).to.deep.equal([...u64(8n), ...utf8("{}      ")]);
      expect([...serializeSafetensors([], { framework: "pt" })]).to.deep.equal([
        ...u64(40n), ...utf8('{"__metadata__":{"framework":"pt"}}     '),
      ]);
    });

    it("keeps the given order, packs the data and starts it at a multiple of 8 bytes", () => {
      for (let len = 1; len <= 16; len++) {
        const name = "x".repeat(len);
        const bytes = serializeSafetensors([
          [name, { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) }],
          ["a", { dtype: "I16", shape: [2], data: new Int16Array([-1, 2]) }],
        ]);
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect((8 + n) % 8).to.equal(0);
        const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
        expect(text).to.match(/^\{.*\} *$/);
        const header = JSON.parse(text) as Record<string, { data_offsets: number[] }>;
        expect(Object.keys(header)).to.deep.equal([name, "a"]);
        expect(header[name].data_offsets).to.deep.equal([0, 3]);
        expect(header.a.data_offsets).to.deep.equal([3, 7]);
        expect(bytes.length).to.equal(8 + n + 7);
      }
    });

    it("round-trips every dtype, with exact F16 and BF16 values", () => {
      const cases: { dtype: Dtype; data: ArrayBufferView; values: number[] }[] = [
        { dtype: "F64", data: new Float64Array([1, -2, 0.5, 1e300, -0, 2 ** -1074]), values: [1, -2, 0.5, 1e300, -0, 2 ** -1074] },
        { dtype: "F32", data: new Float32Array([1, -2, 0.5, 3.4028234663852886e38, -0, 2 ** -149]), values: [1, -2, 0.5, 3.4028234663852886e38, -0, 2 ** -149] },
        { dtype: "F16", data: new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]), values: [1, -2, 0.5, 65504, 2 ** -24, -0] },
        { dtype: "BF16", data: new Uint16Array([0x3f80, 0xc000, 0x3f00, 0x477f, 0x0001, 0x8000]), values: [1, -2, 0.5, 65280, 2 ** -133, -0] },
        { dtype: "I64", data: new BigInt64Array([1n, -2n, 0n, 2n ** 53n, -(2n ** 63n), 7n]), values: [1, -2, 0, 2 ** 53, -(2 ** 63), 7] },
        { dtype: "I32", data: new Int32Array([1, -2, 0, 2 ** 31 - 1, -(2 ** 31), 7]), values: [1, -2, 0, 2 ** 31 - 1, -(2 ** 31), 7] },
        { dtype: "I16", data: new Int16Array([1, -2, 0, 32767, -32768, 7]), values: [1, -2, 0, 32767, -32768, 7] },
        { dtype: "I8", data: new Int8Array([1, -2, 0, 127, -128, 7]), values: [1, -2, 0, 127, -128, 7] },
        { dtype: "U8", data: new Uint8Array([1, 2, 0, 255, 128, 7]), values: [1, 2, 0, 255, 128, 7] },
        { dtype: "BOOL", data: new Uint8Array([1, 0, 1, 1, 0, 0]), values: [1, 0, 1, 1, 0, 0] },
      ];
      const bytes = serializeSafetensors(cases.map(({ dtype, data }) => [dtype.toLowerCase(), { dtype, shape: [2, 3], data }]));
      const st = parseSafetensors(bytes, SRC);
      expect([...st.tensors.keys()]).to.deep.equal(cases.map((c) => c.dtype.toLowerCase()));
      for (const { dtype, data, values } of cases) {
        const t = st.tensors.get(dtype.toLowerCase())!;
        expect(t.dtype).to.equal(dtype);
        expect(t.shape).to.deep.equal([2, 3]);
        expect([...t.bytes], dtype).to.deep.equal([...new Uint8Array(data.buffer)]);
        expect(exact(tensorToFloat64(t, dtype, SRC, true)), dtype).to.deep.equal(exact(values));
        expect(exact(tensorToFloat32(t, dtype, SRC)), dtype).to.deep.equal(exact(values.map(Math.fround)));
      }
    });

    it("decodes F16 and BF16 infinities and NaN", () => {
      const half = tensor("F16", [3], [0x00, 0x7c, 0x00, 0xfc, 0x00, 0x7e]);
      expect(exact(tensorToFloat64(half, "h", SRC))).to.deep.equal(["Infinity", "-Infinity", "NaN"]);
      const brain = tensor("BF16", [3], [0x80, 0x7f, 0x80, 0xff, 0xc0, 0x7f]);
      expect(exact(tensorToFloat32(brain, "b", SRC))).to.deep.equal(["Infinity", "-Infinity", "NaN"]);
    });

    it("decodes all 65536 F16 bit patterns like a bit-level conversion to float32", () => {
      const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
      const viaBits = (h: number): number => {
        const sign = (h & 0x8000) << 16;
        const e = (h >> 10) & 0x1f;
        let m = h & 0x3ff;
        if (e === 0x1f) u32[0] = sign | 0x7f800000 | (m << 13);
        else if (e !== 0) u32[0] = sign | ((e + 112) << 23) | (m << 13);
        else if (m === 0) u32[0] = sign;
        else {
          let shift = 0; // normalise the subnormal
          while ((m & 0x400) === 0) (m <<= 1), shift++;
          u32[0] = sign | ((113 - shift) << 23) | ((m & 0x3ff) << 13);
        }
        return f32[0];
      };
      const all = new Uint16Array(65536).map((_, i) => i);
      const decoded = tensorToFloat64({ dtype: "F16", shape: [65536], bytes: new Uint8Array(all.buffer) }, "all", SRC);
      for (let h = 0; h < 65536; h++) {
        const want = viaBits(h);
        if (!(Number.isNaN(want) ? Number.isNaN(decoded[h]) : Object.is(decoded[h], want))) {
          expect.fail(`F16 0x${h.toString(16)} decoded to ${decoded[h]}, expected ${want}`);
        }
      }
    });

    it("encodes F16 as the decoder's exact inverse, and anything else to the nearest F16, ties to even", () => {
      const all = new Uint16Array(65536).map((_, i) => i);
      const decoded = tensorToFloat64({ dtype: "F16", shape: [65536], bytes: new Uint8Array(all.buffer) }, "all", SRC);
      const back = toF16Bits(decoded);
      for (let h = 0; h < 65536; h++) {
        const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
        if (nan ? back[h] !== 0x7e00 : back[h] !== h) expect.fail(`F16 0x${h.toString(16)} (${decoded[h]}) encoded to 0x${back[h].toString(16)}`);
      }
      // Between neighbours a < b (finite, positive): just below the midpoint → a, just above → b, at it → the even one.
      for (let h = 0; h < 0x7bff; h++) {
        const a = decoded[h], b = decoded[h + 1], mid = (a + b) / 2, below = mid - (b - a) / 1024, above = mid + (b - a) / 1024;
        const [lo, at, hi] = toF16Bits([below, mid, above]);
        if (lo !== h || hi !== h + 1 || at !== (h % 2 === 0 ? h : h + 1)) expect.fail(`between 0x${h.toString(16)} and its successor: ${lo}, ${at}, ${hi}`);
      }
      expect(Array.from(toF16Bits([65519.99, 65520, -1e6, -0, 2 ** -26]))).to.deep.equal([0x7bff, 0x7c00, 0xfc00, 0x8000, 0]);
    });

    it("round-trips empty tensors and scalars", () => {
      expect(elementCount([])).to.equal(1);
      expect(elementCount([0])).to.equal(0);
      expect(elementCount([3, 0, 2])).to.equal(0);
      const bytes = serializeSafetensors([
        ["empty", { dtype: "F32", shape: [0], data: new Float32Array(0) }],
        ["scalar", { dtype: "F64", shape: [], data: new Float64Array([-7.5]) }],
        ["hollow", { dtype: "I32", shape: [3, 0], data: new Int32Array(0) }],
      ]);
      const st = parseSafetensors(bytes, SRC);
      const empty = st.tensors.get("empty")!, scalar = st.tensors.get("scalar")!, hollow = st.tensors.get("hollow")!;
      expect([empty.shape, scalar.shape, hollow.shape]).to.deep.equal([[0], [], [3, 0]]);
      expect(tensorToFloat32(empty, "empty", SRC, true).length).to.equal(0);
      expect(exact(tensorToFloat64(scalar, "scalar", SRC, true))).to.deep.equal(["-7.5"]);
      expect(tensorToFloat64(hollow, "hollow", SRC).length).to.equal(0);
    });

    it("round-trips metadata given as a Map or a record", () => {
      const meta = new Map([["format", "pt"], ["epoch", "40"], ["note", "é ✓ \n \"q\" 𝄞"], ["", ""]]);
      const fromMap = parseSafetensors(serializeSafetensors([], meta), SRC).metadata;
      expect([...fromMap]).to.deep.equal([...meta]);
      const fromRecord = parseSafetensors(serializeSafetensors([], Object.fromEntries(meta)), SRC).metadata;
      expect([...fromRecord]).to.deep.equal([...meta]);
    });

    it("round-trips raw little-endian bytes, such as a parsed tensor's", () => {
      const first = parseSafetensors(serializeSafetensors([["w", { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) }]]), SRC);
      const w = first.tensors.get("w")!;
      const again = parseSafetensors(serializeSafetensors([["w", { dtype: w.dtype, shape: w.shape, data: w.bytes }]]), SRC);
      expect(exact(tensorToFloat64(again.tensors.get("w")!, "w", SRC))).to.deep.equal(["1", "2"]);
    });

    it("refuses bad arguments with a RangeError naming the tensor", () => {
      const write = (dtype: string, shape: number[], data: ArrayBufferView, name = "w") => () =>
        serializeSafetensors([[name, { dtype: dtype as Dtype, shape, data }]]);
      expect(write("F32", [2], new Float64Array(2))).to.throw(RangeError, /tensor "w": dtype F32 is written from a Float32Array \(or a Uint8Array of little-endian bytes\), got a Float64Array/);
      expect(write("F32", [2, 3], new Float32Array(5))).to.throw(RangeError, /tensor "w": shape \[2, 3\] with dtype F32 needs 6 elements but the Float32Array has 5/);
      expect(write("F32", [2], new Uint8Array(7))).to.throw(RangeError, /needs 8 bytes but the Uint8Array has 7/);
      expect(write("I64", [1], new Float64Array(1))).to.throw(RangeError, /written from a BigInt64Array/);
      expect(write("F16", [1], new DataView(new ArrayBuffer(2)))).to.throw(RangeError, /got a DataView/);
      expect(write("U16", [1], new Uint16Array(1))).to.throw(RangeError, /tensor "w": unsupported dtype "U16"/);
      expect(write("F32", [-1], new Float32Array(0))).to.throw(RangeError, /shape must be non-negative integers, got \[-1\]/);
      expect(write("F32", [1.5], new Float32Array(0))).to.throw(RangeError, /shape must be/);
      expect(write("F32", [1], new Float32Array(1), "__metadata__")).to.throw(RangeError, /"__metadata__" is reserved/);
      expect(write("F32", [1], new Float32Array(1), "bad\ud800")).to.throw(RangeError, /not well-formed/);
      const twice = () => serializeSafetensors([
        ["w", { dtype: "U8", shape: [1], data: new Uint8Array(1) }],
        ["w", { dtype: "U8", shape: [1], data: new Uint8Array(1) }],
      ]);
      expect(twice).to.throw(RangeError, /tensor "w" appears twice/);
      const notString = { epoch: 40 } as unknown as Record<string, string>;
      expect(() => serializeSafetensors([], notString)).to.throw(RangeError, /metadata "epoch": value must be a string, got number/);
      expect(() => serializeSafetensors([], new Map([["k", "\udc00"]]))).to.throw(RangeError, /metadata "k": value is not well-formed/);
    });
  });

  describe("refusing malformed files", () => {
    const ok = (extra: object = {}) => ({ w: entry("F32", [2], 0, 8), ...extra });

    it("fewer than 8 bytes", () => {
      rejects(new Uint8Array(5), /file is 5 bytes, too short for the 8-byte header length \(not a safetensors file\?\)$/);
      rejects(new Uint8Array(0), /file is 0 bytes/);
    });

    it("a header length past the end of the file", () => {
      rejects(new Uint8Array([...u64(100n), ...utf8("{}        ")]), /header length 100 runs past the end of the 18-byte file \(truncated\?\)$/);
      // The largest allowed length, with nothing after it: refused without reading or allocating.
      rejects(new Uint8Array(u64(BigInt(MAX_HEADER_BYTES))), /header length 104857600 runs past the end of the 8-byte file/);
    });

    it("a header over the limit, from the 8 length bytes alone", () => {
      const message = rejects(new Uint8Array(u64(2n ** 62n)), /./, "ckpt/000040.safetensors");
      expect(message).to.equal("ckpt/000040.safetensors: header length 4611686018427387904 exceeds the 104857600-byte limit (not a safetensors file?)");
      rejects(new Uint8Array(u64(BigInt(MAX_HEADER_BYTES) + 1n)), /header length 104857601 exceeds the 104857600-byte limit/);
      rejects(new Uint8Array(u64(2n ** 64n - 1n)), /header length 18446744073709551615 exceeds/);
      rejects(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]), /a PyTorch file \(torch\.save zip archive\), not \.safetensors/); // a zip (torch.save)
      rejects(new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]), /a PyTorch file \(torch\.save pickle\)/); // legacy torch.save
      // a real file whose header length starts with the pickle's bytes (640 = 0x80 0x02) is still read as one
      const padded = (pad: number) => serializeSafetensors([["w", { dtype: "F32", shape: [1], data: new Float32Array(1) }]], { pad: "x".repeat(pad) });
      const pad = Array.from({ length: 700 }, (_, i) => i).find((i) => new DataView(padded(i).buffer).getUint32(0, true) === 640)!;
      expect(Array.from(padded(pad).subarray(0, 2))).to.deep.equal([0x80, 0x02]);
      expect(parseSafetensors(padded(pad), SRC).metadata.get("pad")).to.have.length(pad);
    });

    it("a header that is not UTF-8 or not JSON", () => {
      rejects(file(new Uint8Array([0x7b, 0xff, 0x7d])), /header is not valid UTF-8$/);
      rejects(file(new Uint8Array([0x7b, 0xed, 0xa0, 0x80, 0x7d])), /header is not valid UTF-8$/); // an encoded surrogate
      rejects(file('{"a":}'), /header is not valid JSON: unexpected "}" at character 5$/);
      rejects(file('{"a":1,}'), /header is not valid JSON: unexpected "}"/);
      rejects(file('{"a":01}'), /header is not valid JSON/);
      rejects(file('{"a":tru}'), /header is not valid JSON/);
      rejects(file('{"a":"x'), /header is not valid JSON: unterminated string/);
      rejects(file('{"a\tb":1}'), /header is not valid JSON: control character in a string/);
      rejects(file('{"\\x":1}'), /header is not valid JSON: invalid escape/);
      rejects(file('{"\\ud800":1}'), /header is not valid JSON: unpaired surrogate escape/);
      rejects(file('{"\\udc00\\ud800":1}'), /unpaired surrogate escape/);
      rejects(file("{}x"), /header is not valid JSON: unexpected "x" at character 2$/);
      rejects(file("{}\0\0\0\0\0\0"), /header is not valid JSON: unexpected "\\u0000"/); // NUL padding: serde_json refuses it too
      rejects(file('{"w":'), /header is not valid JSON: unexpected end/);
      rejects(file(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":${"[".repeat(200)}${"]".repeat(200)}}}`, 1), /nested more than 128 deep/);
    });

    it("a header that is not a JSON object", () => {
      rejects(file("[1, 2]"), /header is not a JSON object: it must start with "\{" \(not a safetensors file\?\)$/);
      rejects(file('"w"'), /header is not a JSON object/);
      rejects(file(" {}"), /header is not a JSON object/); // the spec: the header MUST begin with "{"
      rejects(file(""), /header is not a JSON object/);
    });

    it("duplicate keys, however they are spelled", () => {
      rejects(file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\\u0077":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4),
        /header is not valid JSON: duplicate key "w" at character/);
      rejects(file('{"__metadata__":{"a":"1","a":"2"}}'), /duplicate key "a" in "__metadata__"/);
      rejects(file('{"w":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}}', 1), /duplicate key "dtype" in "w"/);
    });

    it("an entry that is not an object", () => {
      rejects(file({ w: [0, 8] }, 8), /tensor "w": entry must be an object with dtype, shape and data_offsets, got \[0, 8\]$/);
      rejects(file({ w: "F32" }), /tensor "w": entry must be an object .* got "F32"$/);
      const message = rejects(file({ "a\nb": null }), /tensor "a\\nb": entry must be an object/);
      expect(message).to.include('"a\\nb"'); // names are quoted and escaped, so messages stay on one line
    });

    it("an unknown or missing dtype", () => {
      rejects(file({ w: entry("F8_E4M3", [2], 0, 2) }, 2), /tensor "w": unsupported dtype "F8_E4M3" \(supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL\)$/);
      rejects(file({ w: entry("f32", [2], 0, 8) }, 8), /tensor "w": unsupported dtype "f32"/);
      rejects(file({ w: entry("constructor", [2], 0, 8) }, 8), /tensor "w": unsupported dtype "constructor"/);
      rejects(file({ w: { shape: [2], data_offsets: [0, 8] } }, 8), /tensor "w": unsupported dtype nothing/);
      rejects(file({ w: { dtype: 4, shape: [2], data_offsets: [0, 8] } }, 8), /tensor "w": unsupported dtype 4/);
    });

    it("a bad shape", () => {
      rejects(file({ w: entry("F32", [-2], 0, 8) }, 8), /tensor "w": shape must be an array of non-negative integers, got \[-2\]$/);
      rejects(file({ w: entry("F32", [1.5], 0, 8) }, 8), /tensor "w": shape must be .* got \[1\.5\]$/);
      rejects(file({ w: entry("F32", "2", 0, 8) }, 8), /tensor "w": shape must be .* got "2"$/);
      rejects(file({ w: entry("F32", 2, 0, 8) }, 8), /tensor "w": shape must be .* got 2$/);
      rejects(file({ w: entry("F32", [[2]], 0, 8) }, 8), /tensor "w": shape must be .* got \[\[…\]\]$/);
      rejects(file({ w: entry("F32", [2 ** 53], 0, 8) }, 8), /tensor "w": shape must be/);
      rejects(file({ w: { dtype: "F32", data_offsets: [0, 8] } }, 8), /tensor "w": shape must be .* got nothing$/);
    });

    it("bad data_offsets: not integers, reversed, past the end", () => {
      rejects(file({ w: entry("F32", [2], 0.5, 8) }, 8), /tensor "w": data_offsets must be \[begin, end\] with non-negative integers, got \[0\.5, 8\]$/);
      rejects(file({ w: entry("F32", [2], "0", "8") }, 8), /tensor "w": data_offsets must be .* got \["0", "8"\]$/);
      rejects(file({ w: entry("F32", [2], -8, 0) }, 8), /tensor "w": data_offsets must be/);
      rejects(file({ w: entry("F32", [2], 0, 1e20) }, 8), /tensor "w": data_offsets must be .* got \[0, 100000000000000000000\]$/);
      rejects(file({ w: { dtype: "F32", shape: [2], data_offsets: [0, 4, 8] } }, 8), /tensor "w": data_offsets must be/);
      rejects(file({ w: { dtype: "F32", shape: [2] } }, 8), /tensor "w": data_offsets must be .* got nothing$/);
      rejects(file({ w: entry("F32", [2], 8, 0) }, 8), /tensor "w": data_offsets \[8, 0\] are reversed \(begin > end\)$/);
      rejects(file({ w: entry("F32", [10], 0, 40) }, 16), /tensor "w": data_offsets \[0, 40\] run past the end of the 16-byte data buffer \(truncated\?\)$/);
    });

    it("a byte range that does not match shape × dtype", () => {
      const message = rejects(file({ "3.weight": entry("F32", [64, 128], 0, 32764) }, 32764), /./);
      expect(message).to.equal('model.safetensors: tensor "3.weight": shape [64, 128] with dtype F32 needs 32768 bytes but data_offsets give 32764');
      rejects(file({ w: entry("F64", [2 ** 40, 2 ** 40], 0, 8) }, 8), /tensor "w": shape \[1099511627776, 1099511627776\] with dtype F64 needs 9671406556917033397649408 bytes but data_offsets give 8$/);
      rejects(file({ w: entry("BF16", [], 0, 4) }, 4), /tensor "w": shape \[\] with dtype BF16 needs 2 bytes but data_offsets give 4$/);
    });

    it("overlapping byte ranges", () => {
      rejects(file({ a: entry("F32", [2], 0, 8), b: entry("F32", [2], 4, 12) }, 12), /tensor "b": data_offsets \[4, 12\] overlap tensor "a" at \[0, 8\]$/);
      // Two names for the same bytes.
      rejects(file({ a: entry("F32", [2], 0, 8), b: entry("U8", [8], 0, 8) }, 8), /tensor "b": data_offsets \[0, 8\] overlap tensor "a" at \[0, 8\]$/);
    });

    it("bytes not covered by any tensor", () => {
      rejects(file({ b: entry("F32", [1], 8, 12), a: entry("F32", [1], 0, 4) }, 12), /: bytes \[4, 8\) of the data buffer are not covered by any tensor$/);
      rejects(file({ a: entry("F32", [1], 0, 4) }, 8), /: bytes \[4, 8\) at the end of the 8-byte data buffer are not covered by any tensor$/);
      rejects(file({}, 3), /: bytes \[0, 3\) at the end of the 3-byte data buffer are not covered/);
      rejects(file({ a: entry("F32", [1], 4, 8) }, 8), /: bytes \[0, 4\) of the data buffer are not covered/);
    });

    it("metadata that is not a map of strings", () => {
      rejects(file(ok({ __metadata__: { epoch: 3 } }), 8), /: __metadata__ "epoch": value must be a string, got 3$/);
      rejects(file(ok({ __metadata__: { nested: { a: "b" } } }), 8), /: __metadata__ "nested": value must be a string, got an object$/);
      rejects(file(ok({ __metadata__: ["pt"] }), 8), /: __metadata__ must be an object of strings, got \["pt"\]$/);
      rejects(file(ok({ __metadata__: "pt" }), 8), /: __metadata__ must be an object of strings, got "pt"$/);
    });

    it("NaN and ±Inf when finite values are required", () => {
      const f32 = new Float32Array([1, 2, NaN, 4]);
      const st = parseSafetensors(serializeSafetensors([["layer.w", { dtype: "F32", shape: [2, 2], data: f32 }]]), SRC);
      const w = st.tensors.get("layer.w")!;
      expect(() => tensorToFloat32(w, "layer.w", SRC, true)).to.throw(InputError, /^model\.safetensors: tensor "layer\.w": element \[1, 0\] is NaN; the values must be finite$/);
      expect(() => tensorToFloat64(w, "layer.w", SRC, true)).to.throw(InputError, /element \[1, 0\] is NaN/);
      expect(exact(tensorToFloat32(w, "layer.w", SRC))).to.deep.equal(["1", "2", "NaN", "4"]); // not checked by default
      const inf = tensor("F16", [], [0x00, 0xfc]);
      expect(() => tensorToFloat32(inf, "s", SRC, true)).to.throw(InputError, /tensor "s": the scalar is -Infinity; the values must be finite$/);
      const huge = tensor("F64", [1, 3], [...new Uint8Array(new Float64Array([0, 0, 1e300]).buffer)]);
      expect(() => tensorToFloat32(huge, "h", SRC, true)).to.throw(InputError, /tensor "h": element \[0, 2\] is 1e\+300, which overflows float32$/);
      expect(() => tensorToFloat64(huge, "h", SRC, true)).not.to.throw();
    });
  });

  describe("untrusted keys", () => {
    const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

    it("reads __proto__, constructor and friends as plain names without touching any prototype", () => {
      const before = protoNames();
      const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"__proto__":{"polluted":1}},' +
        '"constructor":{"dtype":"U8","shape":[1],"data_offsets":[4,5]},' +
        '"toString":{"dtype":"U8","shape":[1],"data_offsets":[5,6]},' +
        '"hasOwnProperty":{"dtype":"U8","shape":[0],"data_offsets":[6,6]},' +
        '"__metadata__":{"__proto__":"p","constructor":"c","polluted":"yes"}}';
      const st = parseSafetensors(file(header, [0, 0, 0x80, 0x3f, 2, 3]), SRC);
      expect([...st.tensors.keys()]).to.deep.equal(["__proto__", "constructor", "toString", "hasOwnProperty"]);
      expect(exact(tensorToFloat64(st.tensors.get("__proto__")!, "__proto__", SRC))).to.deep.equal(["1"]);
      expect(st.tensors.get("constructor")!.dtype).to.equal("U8");
      expect([...st.metadata]).to.deep.equal([["__proto__", "p"], ["constructor", "c"], ["polluted", "yes"]]);
      expect(protoNames()).to.deep.equal(before);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.getPrototypeOf(st.tensors.get("__proto__"))).to.equal(Object.prototype);

      // And back through the writer, from a Map and from a record with an own "__proto__" key.
      const again = parseSafetensors(serializeSafetensors(
        [...st.tensors].map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: t.bytes }] as const),
        Object.fromEntries(st.metadata),
      ), SRC);
      expect([...again.tensors.keys()]).to.deep.equal([...st.tensors.keys()]);
      expect([...again.metadata]).to.deep.equal([...st.metadata]);
      expect([...again.tensors.get("__proto__")!.bytes]).to.deep.equal([0, 0, 0x80, 0x3f]);
      expect(protoNames()).to.deep.equal(before);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it("does not look dtypes, shapes or offsets up through a prototype", () => {
      rejects(file({ w: entry("toString", [1], 0, 4) }, 4), /tensor "w": unsupported dtype "toString"/);
      rejects(file({ w: entry("__proto__", [1], 0, 4) }, 4), /tensor "w": unsupported dtype "__proto__"/);
      rejects(file('{"w":{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}}', 4), /tensor "w": unsupported dtype nothing/);
    });
  });
});
