/**
 * Reading and writing the Hugging Face safetensors format, in memory and without Node APIs (so it
 * runs in browsers too). A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * (tensor name → {dtype, shape, data_offsets}, plus an optional "__metadata__" string map), then
 * the byte buffer the offsets point into; tensor data is little-endian and row-major.
 *
 * Files are untrusted, so the reader checks everything before using it, following the format's
 * README and the reference implementation (huggingface/safetensors, safetensors/src/tensor.rs): a
 * header of at most about 100 MB that starts with "{", no duplicate keys, a string-to-string
 * "__metadata__", and byte ranges that tile the data buffer exactly (no overlap, no holes, nothing
 * after the last tensor).
 */
import { InputError } from "../errors.js";

export type Dtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/** A tensor as stored: `bytes` is a view into the parsed file, little-endian, row-major, any alignment. */
export interface Tensor {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export interface Safetensors {
  readonly metadata: ReadonlyMap<string, string>;
  /** In header order. */
  readonly tensors: ReadonlyMap<string, Tensor>;
}

/** Longest header accepted, checked before the header is read (the reference caps it at 100 000 000 bytes). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const METADATA_KEY = "__metadata__";

// A Map, not an object literal, so that a dtype such as "constructor" finds nothing.
const DTYPE_BYTES: ReadonlyMap<string, number> = new Map<Dtype, number>([
  ["F64", 8], ["F32", 4], ["F16", 2], ["BF16", 2], ["I64", 8], ["I32", 4], ["I16", 2], ["I8", 1], ["U8", 1], ["BOOL", 1],
]);
const DTYPE_LIST = [...DTYPE_BYTES.keys()].join(", ");

// The typed array each dtype is written from.
const ELEMENT_ARRAY: Readonly<Record<Dtype, string>> = {
  F64: "Float64Array", F32: "Float32Array", F16: "Uint16Array", BF16: "Uint16Array", I64: "BigInt64Array",
  I32: "Int32Array", I16: "Int16Array", I8: "Int8Array", U8: "Uint8Array", BOOL: "Uint8Array",
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Number of elements of a tensor with this shape (1 for a scalar, shape []). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** What the header says about one tensor; `dataOffsets` [begin, end) are relative to the data buffer. */
export interface TensorInfo {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly dataOffsets: readonly [number, number];
}

export interface SafetensorsHeader {
  readonly metadata: ReadonlyMap<string, string>;
  /** In header order. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** Where the data buffer starts in the file: 8 + the header length. */
  readonly dataStart: number;
}

/**
 * Parse a whole safetensors file. The tensors' `bytes` are views into `bytes` (no copy). Throws
 * InputError with a one-line message starting with `${source}: ` for anything malformed.
 */
export function parseSafetensors(bytes: Uint8Array, source: string): Safetensors {
  const { metadata, tensors: infos, dataStart } = parseSafetensorsHeader(bytes, source, bytes.length);
  const tensors = new Map<string, Tensor>();
  for (const [name, { dtype, shape, dataOffsets: [begin, end] }] of infos) {
    tensors.set(name, { dtype, shape, bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  return { metadata, tensors };
}

/**
 * Parse and check the header of a `fileSize`-byte safetensors file given only its first bytes: at
 * least the 8 + N bytes of length and header (or the whole file if it is shorter). The tensors'
 * ranges are checked against `fileSize` exactly as parseSafetensors checks them against the data.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, source: string, fileSize: number): SafetensorsHeader {
  const fail = (message: string) => new InputError(`${source}: ${message}`);
  const tooFew = (needed: number) => new RangeError(`parseSafetensorsHeader: ${source}: needs the first ${needed} bytes of the file, got ${bytes.length}`);
  if (fileSize < 8) {
    throw fail(`file is ${fileSize} bytes, too short for the 8-byte header length (not a safetensors file?)`);
  }
  if (bytes.length < 8) throw tooFew(8);
  // torch.save writes a zip archive (PyTorch ≥ 1.6) or, before, a pickle (protocol 2: 0x80 0x02): say what it
  // is. A safetensors header always starts with "{" at byte 8, so a real one is never taken for these.
  const torchZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const torchPickle = bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  if ((torchZip || torchPickle) && bytes[8] !== 0x7b) {
    throw fail(`a PyTorch file (torch.save ${bytes[0] === 0x50 ? "zip archive" : "pickle"}), not .safetensors: save the model's state_dict with its architecture as README.md shows ("From PyTorch")`);
  }
  // Compare as a BigInt before anything is allocated: a random file claims an absurd length.
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  }
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;
  if (dataStart > fileSize) {
    throw fail(`header length ${headerLength} runs past the end of the ${fileSize}-byte file (truncated?)`);
  }
  if (bytes.length < dataStart) throw tooFew(dataStart);
  if (headerLength === 0 || bytes[8] !== 0x7b) {
    throw fail(`header is not a JSON object: it must start with "{" (not a safetensors file?)`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw fail("header is not valid UTF-8");
  }
  const header = new JsonParser(text, fail).document();

  const dataLength = fileSize - dataStart;
  const metadata = new Map<string, string>();
  const tensors = new Map<string, TensorInfo>();
  for (const [name, value] of header) {
    if (name === METADATA_KEY) {
      readMetadata(value, metadata, fail);
      continue;
    }
    tensors.set(name, tensorInfo(name, value, dataLength, fail));
  }
  checkCoverage(tensors, dataLength, fail);
  return { metadata, tensors, dataStart };
}

/** One tensor's header entry, checked: a known dtype, a shape, and data_offsets inside the data that fit the shape. */
function tensorInfo(name: string, value: Json, dataLength: number, fail: (message: string) => InputError): TensorInfo {
  const where = `tensor ${quote(name)}`;
  if (!(value instanceof Map)) throw fail(`${where}: entry must be an object with dtype, shape and data_offsets, got ${show(value)}`);
  const dtype = value.get("dtype");
  const size = typeof dtype === "string" ? DTYPE_BYTES.get(dtype) : undefined;
  if (size === undefined) throw fail(`${where}: unsupported dtype ${show(dtype)} (supported: ${DTYPE_LIST})`);
  const shape = value.get("shape");
  if (!isIntegerArray(shape)) throw fail(`${where}: shape must be an array of non-negative integers, got ${show(shape)}`);
  const offsets = value.get("data_offsets");
  if (!isIntegerArray(offsets) || offsets.length !== 2) {
    throw fail(`${where}: data_offsets must be [begin, end] with non-negative integers, got ${show(offsets)}`);
  }
  const [begin, end] = offsets;
  if (begin > end) throw fail(`${where}: data_offsets [${begin}, ${end}] are reversed (begin > end)`);
  if (end > dataLength) {
    throw fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the ${dataLength}-byte data buffer (truncated?)`);
  }
  // A product past 2^53 rounds to at least 2^53, so it never equals a real byte count.
  if (elementCount(shape) * size !== end - begin) {
    const needed = shape.reduce((p, d) => p * BigInt(d), BigInt(size));
    throw fail(`${where}: shape [${shape.join(", ")}] with dtype ${dtype} needs ${needed} bytes but data_offsets give ${end - begin}`);
  }
  return { dtype: dtype as Dtype, shape: Object.freeze(shape), dataOffsets: [begin, end] };
}

/**
 * Like the reference: sorted by offsets, each tensor starts where the previous one ended and the last ends
 * at the end of the data, so no byte is shared, skipped or left over.
 */
function checkCoverage(tensors: Map<string, TensorInfo>, dataLength: number, fail: (message: string) => InputError): void {
  const sorted = [...tensors].sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  for (let i = 0; i < sorted.length; i++) {
    const [name, { dataOffsets: [begin, end] }] = sorted[i];
    if (begin < covered) {
      const [prevName, prev] = sorted[i - 1];
      throw fail(`tensor ${quote(name)}: data_offsets [${begin}, ${end}] overlap tensor ${quote(prevName)} at [${prev.dataOffsets.join(", ")}]`);
    }
    if (begin > covered) throw fail(`bytes [${covered}, ${begin}) of the data buffer are not covered by any tensor`);
    covered = end;
  }
  if (covered < dataLength) {
    throw fail(`bytes [${covered}, ${dataLength}) at the end of the ${dataLength}-byte data buffer are not covered by any tensor`);
  }
}

function readMetadata(value: Json, into: Map<string, string>, fail: (message: string) => InputError): void {
  if (value === null) return; // the reference reads null as "no metadata"
  if (!(value instanceof Map)) throw fail(`${METADATA_KEY} must be an object of strings, got ${show(value)}`);
  for (const [key, v] of value) {
    if (typeof v !== "string") throw fail(`${METADATA_KEY} ${quote(key)}: value must be a string, got ${show(v)}`);
    into.set(key, v);
  }
}

function isIntegerArray(v: Json | undefined): v is number[] {
  return Array.isArray(v) && v.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);
}

// ---------------------------------------------------------------------------------------------
// A strict JSON parser for the header. Objects become Maps, so no key (such as "__proto__") can
// reach a prototype, and a repeated key is an error (the format forbids duplicates; JSON.parse
// would silently keep the last one). Grammar as RFC 8259; like serde_json, unpaired surrogate
// escapes are refused and nesting is limited.

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = Map<string, Json>;

const MAX_DEPTH = 128;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = [["true", true], ["false", false], ["null", null]] as const;
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'], ["\\", "\\"], ["/", "/"], ["b", "\b"], ["f", "\f"], ["n", "\n"], ["r", "\r"], ["t", "\t"],
]);

class JsonParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly fail: (message: string) => InputError,
  ) {}

  /** The whole text as one object; the caller has checked that it starts with "{". */
  document(): JsonObject {
    const v = this.object(0, undefined);
    this.space();
    if (this.pos < this.text.length) throw this.unexpected();
    return v;
  }

  private error(what: string): InputError {
    return this.fail(`header is not valid JSON: ${what} at character ${this.pos}`);
  }

  private unexpected(): InputError {
    const c = this.text[this.pos];
    return this.error(c === undefined ? "unexpected end" : `unexpected ${JSON.stringify(c)}`);
  }

  private space(): void {
    const s = this.text;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.pos++;
    }
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) throw this.unexpected();
    this.pos++;
  }

  /** `parent` is the key this value sits under, to say where a duplicate key is. */
  private value(depth: number, parent: string | undefined): Json {
    if (depth > MAX_DEPTH) throw this.error(`nested more than ${MAX_DEPTH} deep`);
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth, parent);
    if (c === "[") return this.array(depth, parent);
    if (c === '"') return this.string();
    for (const [word, v] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) throw this.unexpected();
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private object(depth: number, parent: string | undefined): JsonObject {
    const out: JsonObject = new Map();
    this.pos++;
    this.space();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') throw this.unexpected();
      const keyAt = this.pos;
      const key = this.string();
      if (out.has(key)) {
        this.pos = keyAt;
        throw this.error(`duplicate key ${quote(key)}${parent === undefined ? "" : ` in ${quote(parent)}`}`);
      }
      this.space();
      this.expect(":");
      this.space();
      out.set(key, this.value(depth + 1, key));
      this.space();
      if (this.text[this.pos] === "}") {
        this.pos++;
        return out;
      }
      this.expect(",");
      this.space();
    }
  }

  private array(depth: number, parent: string | undefined): Json[] {
    const out: Json[] = [];
    this.pos++;
    this.space();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1, parent));
      this.space();
      if (this.text[this.pos] === "]") {
        this.pos++;
        return out;
      }
      this.expect(",");
      this.space();
    }
  }

  private string(): string {
    const s = this.text;
    this.pos++; // the opening quote
    let out = "";
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= s.length) throw this.error("unterminated string");
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(runStart, this.pos++);
        return out;
      }
      if (c < 0x20) throw this.error("control character in a string");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += s.slice(runStart, this.pos);
      const e = s[this.pos + 1];
      if (e === "u") {
        const unit = this.hex4(this.pos + 2);
        this.pos += 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) throw this.error("unpaired surrogate escape");
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = s.startsWith("\\u", this.pos) ? this.hex4(this.pos + 2) : -1;
          if (low < 0xdc00 || low > 0xdfff) throw this.error("unpaired surrogate escape");
          this.pos += 6;
          out += String.fromCharCode(unit, low);
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        const decoded = e === undefined ? undefined : ESCAPES.get(e);
        if (decoded === undefined) throw this.error("invalid escape");
        out += decoded;
        this.pos += 2;
      }
      runStart = this.pos;
    }
  }

  private hex4(at: number): number {
    const digits = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw this.error("invalid \\u escape");
    return parseInt(digits, 16);
  }
}

/** A name from the file, quoted and escaped so that it stays on one line, and cut if very long. */
function quote(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

/** A short rendering of a header value for messages. */
function show(v: Json | undefined): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return quote(v);
  if (v instanceof Map) return "an object";
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => (Array.isArray(x) ? "[…]" : show(x)));
    return `[${items.join(", ")}${v.length > 8 ? ", …" : ""}]`;
  }
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * A safetensors file holding the tensors in the given order, back to back, after a header padded
 * with spaces so that the data starts at a multiple of 8 bytes (as the reference writer does).
 * `data` is the dtype's typed array (Float64Array for F64, Float32Array for F32, Uint16Array of raw
 * bits for F16 and BF16, BigInt64Array for I64, Int32Array, Int16Array, Int8Array, Uint8Array for
 * U8 and BOOL) or, for any dtype, a Uint8Array of its little-endian bytes (such as a parsed
 * Tensor's `bytes`). Throws RangeError on bad arguments.
 */
export function serializeSafetensors(
  tensors: Iterable<readonly [string, { dtype: Dtype; shape: readonly number[]; data: ArrayBufferView }]>,
  metadata?: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): Uint8Array {
  const fail = (message: string) => new RangeError(`serializeSafetensors: ${message}`);
  // The header is assembled as text: building it as an object would let a name like "__proto__"
  // set the object's prototype instead of adding a key.
  const fields: string[] = [];
  const metaEntries: [unknown, unknown][] =
    metadata === undefined ? [] : metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  if (metaEntries.length > 0) {
    const items = metaEntries.map(([key, value]) => {
      if (typeof key !== "string" || !wellFormed(key)) throw fail(`metadata key ${String(key)} must be a well-formed string`);
      if (typeof value !== "string") throw fail(`metadata ${quote(key)}: value must be a string, got ${typeof value}`);
      if (!wellFormed(value)) throw fail(`metadata ${quote(key)}: value is not well-formed Unicode`);
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    fields.push(`"${METADATA_KEY}":{${items.join(",")}}`);
  }

  const names = new Set<string>();
  const parts: { bytes: Uint8Array; swap: number }[] = [];
  let offset = 0;
  for (const [name, { dtype, shape, data }] of tensors) {
    const where = `tensor ${quote(name)}`;
    if (name === METADATA_KEY) throw fail(`"${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!wellFormed(name)) throw fail(`${where}: name is not well-formed Unicode`);
    if (names.has(name)) throw fail(`${where} appears twice`);
    names.add(name);
    const size = DTYPE_BYTES.get(dtype);
    if (size === undefined) throw fail(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${DTYPE_LIST})`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw fail(`${where}: shape must be non-negative integers, got [${shape.join(", ")}]`);
    }
    const kind = arrayKind(data);
    const raw = kind === "Uint8Array";
    if (!raw && kind !== ELEMENT_ARRAY[dtype]) {
      throw fail(`${where}: dtype ${dtype} is written from a ${ELEMENT_ARRAY[dtype]} (or a Uint8Array of little-endian bytes), got a ${kind}`);
    }
    const count = elementCount(shape);
    const [have, need] = raw ? [data.byteLength, count * size] : [data.byteLength / size, count];
    if (have !== need) {
      throw fail(`${where}: shape [${shape.join(", ")}] with dtype ${dtype} needs ${need} ${raw ? "bytes" : "elements"} but the ${kind} has ${have}`);
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    parts.push({ bytes, swap: raw || LITTLE_ENDIAN_HOST ? 1 : size });
    fields.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(",")}],"data_offsets":[${offset},${offset + bytes.length}]}`);
    offset += bytes.length;
  }

  const json = new TextEncoder().encode(`{${fields.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) throw fail(`header of ${headerLength} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const { bytes, swap } of parts) {
    out.set(bytes, at);
    swapBytes(out.subarray(at, at + bytes.length), swap);
    at += bytes.length;
  }
  return out;
}

/**
 * IEEE 754 binary16 bits of each value, rounded to the nearest, ties to even (as a float32 → float16 cast
 * does); beyond ±65504 rounds to ±Infinity, NaN stays NaN. The inverse of the F16 decoding below.
 */
export function toF16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToHalf(values[i]);
  return out;
}

function numberToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0, a = Math.abs(x);
  // Below 2^-14 the quantum is 2^-24 (subnormals; rounding up to 0x400 gives the least normal, as it should).
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;          // Math.log2 may be off by one ulp near powers of two
  if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven(a * 2 ** (10 - e));   // 1024 ≤ m ≤ 2048: 11 significant bits, exact products
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return e + 15 >= 0x1f ? sign | 0x7c00 : sign | ((e + 15) << 10) | (m - 1024);
}

/** q rounded to an integer, ties to even (q ≥ 0, exact in float64). */
function roundHalfEven(q: number): number {
  const f = Math.floor(q), d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** The typed array's class name, also for arrays from another realm (and "Uint8Array" for a Node Buffer). */
function arrayKind(data: ArrayBufferView): string {
  return Object.prototype.toString.call(data).slice(8, -1);
}

/** No unpaired surrogate: the string has a UTF-8 encoding (TextEncoder would silently replace it). */
function wellFormed(s: string): boolean {
  return !/\p{Cs}/u.test(s);
}

/** Reverse the bytes of each `size`-byte element in place (converts between little- and big-endian). */
function swapBytes(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decode a tensor of any float or integer dtype to float64 (exact except for I64 values beyond
 * 2^53, which round; BOOL gives 0 or 1). Throws InputError naming `${source}: tensor "${name}"`
 * if any value is NaN or ±Inf and `finite` is true.
 */
export function tensorToFloat64(t: Tensor, name: string, source: string, finite = false): Float64Array {
  const out = decodeInto(t, new Float64Array(elementCount(t.shape)));
  if (finite) checkFinite(t, out, name, source);
  return out;
}

/**
 * Decode a tensor of any float or integer dtype to float32 (F16 and BF16 exactly, wider types
 * rounded; BOOL gives 0 or 1). Throws InputError naming `${source}: tensor "${name}"` if `finite`
 * is true and a value is NaN or ±Inf, or a finite F64 value overflows float32.
 */
export function tensorToFloat32(t: Tensor, name: string, source: string, finite = false): Float32Array {
  const out = decodeInto(t, new Float32Array(elementCount(t.shape)));
  if (finite) checkFinite(t, out, name, source);
  return out;
}

function checkFinite(t: Tensor, out: Float32Array | Float64Array, name: string, source: string): void {
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i])) continue;
    const where = `${source}: tensor ${quote(name)}: ${position(t.shape, i)}`;
    // Only in this error path: the value as stored, to tell NaN/Inf in the file from float32 overflow.
    const stored = out instanceof Float64Array ? out[i] : decodeInto(t, new Float64Array(out.length))[i];
    if (Number.isFinite(stored)) throw new InputError(`${where} is ${stored}, which overflows float32`);
    throw new InputError(`${where} is ${stored}; the values must be finite`);
  }
}

/** "element [1, 2]" for flat index i of a row-major tensor, or "the scalar". */
function position(shape: readonly number[], i: number): string {
  if (shape.length === 0) return "the scalar";
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return `element [${index.join(", ")}]`;
}

function decodeInto<T extends Float32Array | Float64Array>(t: Tensor, out: T): T {
  const src = elements(t);
  if (src instanceof BigInt64Array) {
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  } else if (t.dtype === "F16") {
    const table = (halfValues ??= Float64Array.from({ length: 0x10000 }, (_, h) => halfToNumber(h)));
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  } else if (t.dtype === "BF16") {
    // A bfloat16 is the top half of a float32.
    const bits = new Uint32Array(src.length);
    for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
    out.set(new Float32Array(bits.buffer));
  } else if (t.dtype === "BOOL") {
    for (let i = 0; i < src.length; i++) out[i] = src[i] === 0 ? 0 : 1;
  } else {
    out.set(src);
  }
  return out;
}

/** The elements as a typed array: a view when aligned on a little-endian host, else an aligned copy. */
function elements(t: Tensor): Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array {
  const size = DTYPE_BYTES.get(t.dtype);
  if (size === undefined) throw new RangeError(`unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${DTYPE_LIST})`);
  const count = elementCount(t.shape);
  if (t.bytes.byteLength !== count * size) {
    throw new RangeError(`a tensor of dtype ${t.dtype} and shape [${t.shape.join(", ")}] needs ${count * size} bytes, got ${t.bytes.byteLength}`);
  }
  let b = t.bytes;
  if (size > 1 && (b.byteOffset % size !== 0 || !LITTLE_ENDIAN_HOST)) {
    b = new Uint8Array(b);   // a copy at offset 0 (Node's Buffer.slice would return a view)
    swapBytes(b, LITTLE_ENDIAN_HOST ? 1 : size);
  }
  const { buffer, byteOffset } = b;
  switch (t.dtype) {
    case "F64": return new Float64Array(buffer, byteOffset, count);
    case "F32": return new Float32Array(buffer, byteOffset, count);
    case "F16": case "BF16": return new Uint16Array(buffer, byteOffset, count);
    case "I64": return new BigInt64Array(buffer, byteOffset, count);
    case "I32": return new Int32Array(buffer, byteOffset, count);
    case "I16": return new Int16Array(buffer, byteOffset, count);
    case "I8": return new Int8Array(buffer, byteOffset, count);
    case "U8": case "BOOL": return b;
  }
}

// Every F16 value, indexed by its bits: built on first use, much faster than decoding each element.
let halfValues: Float64Array | undefined;

/** IEEE 754 binary16 bits to their exact value. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (0x400 + fraction) * 2 ** (exponent - 25);
}
