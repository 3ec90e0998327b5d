/** Grey images as PNG files (pngjs), for the sample grids of training runs and the reports' images. */
import { PNG } from "pngjs";
import { inflateSync } from "node:zlib";
import { InputError } from "../errors.js";

/** `values` (row-major, width × height, in [0, 1]: clamped, NaN black) as an 8-bit greyscale PNG. */
export function greyPng(values: ArrayLike<number>, width: number, height: number): Uint8Array {
  if (!(Number.isSafeInteger(width) && width >= 1 && Number.isSafeInteger(height) && height >= 1)) throw new RangeError(`greyPng: bad size ${width} × ${height}`);
  if (values.length !== width * height) throw new RangeError(`greyPng: ${values.length} values for ${width} × ${height} pixels`);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const data = Buffer.alloc(width * height);
  for (let i = 0; i < data.length; i++) {
    const v = values[i];
    data[i] = Number.isNaN(v) ? 0 : Math.round(255 * Math.min(1, Math.max(0, v)));
  }
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/**
 * A PNG file's pixels in [0, 1]: one grey channel (colour by ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B)
 * or three, channel-major (R plane, G plane, B plane — PyTorch's C × H × W); alpha ignored. Refused
 * (InputError naming `source`) when the bytes are not a PNG.
 *
 * @example
 * const { width, height, values } = readPng(greyPng([0, 1], 2, 1), "x.png");   // 2, 1, [0, 1]
 */
export function readPng(bytes: Uint8Array, source: string, channels: 1 | 3 = 1): { width: number; height: number; values: Float64Array } {
  checkImageData(bytes, source);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new InputError(`${source}: not a PNG image (${(e as Error).message})`);
  }
  const { width, height, data } = png, pixels = width * height, values = new Float64Array(channels * pixels);
  for (let i = 0; i < pixels; i++) {
    if (channels === 1) values[i] = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255;
    else for (let c = 0; c < 3; c++) values[c * pixels + i] = data[4 * i + c] / 255;
  }
  return { width, height, values };
}

/** The most pixels a PNG read here may declare (4096²): pngjs allocates 4 bytes per pixel before decoding. */
export const MAX_PNG_PIXELS = 2 ** 24;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7's passes: first column and row, column and row steps (PNG specification, Section 8.2). */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * What pngjs leaves unchecked, checked first: the declared size against MAX_PNG_PIXELS before anything is
 * allocated, and the image data — every IDAT chunk, inflated — holding exactly the filtered scanlines the
 * header declares (pngjs reads missing, undecodable or short data as black pixels). Anything else malformed
 * is left for pngjs to refuse.
 */
function checkImageData(bytes: Uint8Array, source: string): void {
  const fail = (what: string) => new InputError(`${source}: not a PNG image (${what})`);
  if (bytes.length < 33 || !SIGNATURE.every((b, i) => bytes[i] === b)) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16), height = view.getUint32(20), depth = bytes[24], samples = SAMPLES[bytes[25]], interlaced = bytes[28] === 1;
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR" || samples === undefined || width === 0 || height === 0) return;
  if (width * height > MAX_PNG_PIXELS) throw fail(`${width}×${height} pixels declared, more than the ${MAX_PNG_PIXELS} read here`);
  const chunks: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at), type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === "IDAT") chunks.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
    if (type === "IEND") break;
    at += 12 + length;
  }
  // filtered scanlines: a filter byte and ceil(width · bits per pixel / 8) bytes per row, per pass if interlaced
  const rowBytes = (w: number) => 1 + Math.ceil((w * samples * depth) / 8);
  const expected = interlaced
    ? ADAM7.reduce((sum, [x0, y0, dx, dy]) => {
      const w = Math.max(0, Math.ceil((width - x0) / dx)), h = Math.max(0, Math.ceil((height - y0) / dy));
      return sum + (w > 0 ? h * rowBytes(w) : 0);
    }, 0)
    : height * rowBytes(width);
  let data: Buffer;
  try {
    data = inflateSync(Buffer.concat(chunks), { maxOutputLength: expected + 1 });
  } catch (e) {
    throw fail(chunks.length === 0 ? "no image data (IDAT)" : `its image data does not inflate: ${(e as Error).message}`);
  }
  if (data.length !== expected) throw fail(`its image data holds ${data.length} bytes, a ${width}×${height} image needs ${expected}`);
}
