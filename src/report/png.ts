/** Grey images as PNG files (pngjs), for the sample grids of training runs and the reports' images. */
import { PNG } from "pngjs";
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
 * A PNG file's pixels as grey values in [0, 1] (row-major): colour by ITU-R BT.601 luma, 0.299 R + 0.587 G +
 * 0.114 B, alpha ignored. Refused (InputError naming `source`) when the bytes are not a PNG.
 *
 * @example
 * const { width, height, values } = readGreyPng(greyPng([0, 1], 2, 1), "x.png");   // 2, 1, [0, 1]
 */
export function readGreyPng(bytes: Uint8Array, source: string): { width: number; height: number; values: Float64Array } {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new InputError(`${source}: not a PNG image (${(e as Error).message})`);
  }
  const { width, height, data } = png, values = new Float64Array(width * height);
  for (let i = 0; i < values.length; i++) values[i] = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255;
  return { width, height, values };
}
