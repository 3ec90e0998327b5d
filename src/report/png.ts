/** Grey images as PNG files (pngjs), for the sample grids of training runs and the reports' images. */
import { PNG } from "pngjs";

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
