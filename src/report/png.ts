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
 * A PNG file's pixels in [0, 1]: one grey channel (colour by ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B)
 * or three, channel-major (R plane, G plane, B plane — PyTorch's C × H × W); alpha ignored. Refused
 * (InputError naming `source`) when the bytes are not a PNG.
 *
 * @example
 * const { width, height, values } = readPng(greyPng([0, 1], 2, 1), "x.png");   // 2, 1, [0, 1]
 */
export function readPng(bytes: Uint8Array, source: string, channels: 1 | 3 = 1): { width: number; height: number; values: Float64Array } {
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
