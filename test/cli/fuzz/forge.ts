// The bytes of the formats surf reads — safetensors, NumPy .npy, PNG — built field by field, so that any one
// field can be made wrong while the rest stay right. Deterministic: the same call gives the same bytes.
import { deflateSync } from "node:zlib";

/** A safetensors file from its header, given as an object or as raw text; `declared` overrides the length prefix. */
export function safetensorsBytes(header: object | string | Uint8Array, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array {
  const text = header instanceof Uint8Array ? header : Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

export interface ForgedTensor {
  name: string;
  dtype: string;
  shape: unknown;
  /** The values, encoded as `dtype` (F32, F64, F16 by truncation of float32, BF16, I32, I64, U8, BOOL); default 0.1·sin(i). */
  values?: readonly number[];
  /** Raw data instead of values (any length: the offsets follow it). */
  bytes?: Uint8Array;
}

const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function count(shape: unknown): number {
  return Array.isArray(shape) && shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0) ? shape.reduce((a: number, b: number) => a * b, 1) : 1;
}

/** The little-endian bytes of `values` as `dtype`. */
export function encode(dtype: string, values: readonly number[]): Uint8Array {
  const size = SIZES[dtype] ?? 4, out = new Uint8Array(values.length * size), view = new DataView(out.buffer);
  values.forEach((v, i) => {
    switch (dtype) {
      case "F64": return view.setFloat64(8 * i, v, true);
      case "F16": return view.setUint16(2 * i, f16(v), true);
      case "BF16": {
        const f = new DataView(new ArrayBuffer(4));
        f.setFloat32(0, v);
        return view.setUint16(2 * i, f.getUint16(0), true);
      }
      case "I64": return view.setBigInt64(8 * i, BigInt(Math.trunc(v)), true);
      case "I32": return view.setInt32(4 * i, Math.trunc(v), true);
      case "I16": return view.setInt16(2 * i, Math.trunc(v), true);
      case "I8": return view.setInt8(i, Math.trunc(v));
      case "U8": case "BOOL": return view.setUint8(i, Math.trunc(v) & 0xff);
      default: return view.setFloat32(4 * i, v, true);
    }
  });
  return out;
}

/** Float16 bits of a small finite number, NaN or ±Inf (enough for test weights; rounds toward zero). */
function f16(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0, a = Math.abs(v);
  if (a === Infinity || a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  const e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | Math.floor((a / 2 ** e - 1) * 1024);
}

/** Deterministic small weights: 0.1·sin(i + 1). */
export function weights(n: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => 0.1 * Math.sin(i + 1 + offset));
}

/**
 * A safetensors file of `tensors` laid out one after another (offsets computed from their bytes) with
 * `metadata` as __metadata__ (undefined: none; any other value is written as given, to forge bad ones).
 */
export function safetensorsFile(tensors: readonly ForgedTensor[], metadata?: unknown): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const t of tensors) {
    const bytes = t.bytes ?? encode(t.dtype, t.values ?? weights(count(t.shape)));
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    parts.push(bytes);
    at += bytes.length;
  }
  return safetensorsBytes(header, Buffer.concat(parts));
}

export interface NpyOptions {
  descr?: string;
  fortran?: string;
  shape?: string;
  /** The whole header dictionary text instead (descr, fortran and shape then unused). */
  header?: string;
  version?: number;
  /** Declared header length instead of the real one. */
  declaredHeader?: number;
  data?: Uint8Array;
  magic?: Uint8Array;
}

/** A NumPy .npy file (format 1: 2-byte header length; 2 and 3: 4-byte), padded as NumPy pads. */
export function npyBytes(o: NpyOptions): Uint8Array {
  const version = o.version ?? 1, prefix = version === 1 ? 10 : 12;
  let header = o.header ?? `{'descr': '${o.descr ?? "<f8"}', 'fortran_order': ${o.fortran ?? "False"}, 'shape': (${o.shape ?? "3, 4"}), }`;
  header += " ".repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + "\n";
  const magic = o.magic ?? Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);
  const head = new Uint8Array(prefix), view = new DataView(head.buffer);
  head.set(magic.subarray(0, 6));
  head[6] = version;
  head[7] = 0;
  if (version === 1) view.setUint16(8, o.declaredHeader ?? header.length, true);
  else view.setUint32(8, o.declaredHeader ?? header.length, true);
  return Buffer.concat([head, Buffer.from(header, "latin1"), o.data ?? new Uint8Array(0)]);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC (`badCrc` flips it). */
export function pngChunk(type: string, data: Uint8Array, badCrc = false): Uint8Array {
  const out = new Uint8Array(12 + data.length), view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, "latin1"), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, (crc32(out.subarray(4, 8 + data.length)) ^ (badCrc ? 1 : 0)) >>> 0);
  return out;
}

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface PngOptions {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA (others to forge bad ones). */
  colorType?: number;
  bitDepth?: number;
  interlace?: number;
  /** A pixel's value (0…255) at (x, y), every channel alike; default a gradient. */
  pixel?: (x: number, y: number) => number;
  /** Raw IDAT data instead of the deflated scanlines (null: no IDAT chunk). */
  idat?: Uint8Array | null;
  badCrc?: boolean;
}

/** A PNG, non-interlaced scanlines with filter 0 (unless `idat` is given). */
export function pngBytes(o: PngOptions): Uint8Array {
  const colorType = o.colorType ?? 0, bitDepth = o.bitDepth ?? 8;
  const ihdr = new Uint8Array(13), view = new DataView(ihdr.buffer);
  view.setUint32(0, o.width);
  view.setUint32(4, o.height);
  ihdr.set([bitDepth, colorType, 0, 0, o.interlace ?? 0], 8);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType] ?? 1, bytesPerSample = bitDepth === 16 ? 2 : 1;
  const pixel = o.pixel ?? ((x: number, y: number) => (x * 9 + y * 7) % 256);
  let idat = o.idat;
  if (idat === undefined) {
    const rows: number[] = [];
    for (let y = 0; y < o.height; y++) {
      rows.push(0);
      for (let x = 0; x < o.width; x++) for (let c = 0; c < channels * bytesPerSample; c++) rows.push(colorType === 3 ? pixel(x, y) % 2 : pixel(x, y));
    }
    idat = deflateSync(Uint8Array.from(rows));
  }
  const chunks = [PNG_SIGNATURE, pngChunk("IHDR", ihdr, o.badCrc)];
  if (colorType === 3) chunks.push(pngChunk("PLTE", Uint8Array.of(0, 0, 0, 255, 255, 255)));
  if (idat !== null) chunks.push(pngChunk("IDAT", idat));
  chunks.push(pngChunk("IEND", new Uint8Array(0)));
  return Buffer.concat(chunks);
}

/** `n` bytes from a small deterministic generator (xorshift32 from `seed`). */
export function noise(n: number, seed: number): Uint8Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 0xff;
  });
}
