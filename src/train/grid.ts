/**
 * Sample grids: a generator's images tiled into one greyscale PNG, so a person can follow
 * training from checkpoint to checkpoint. The latent inputs are fixed for a run, so every grid shows the
 * same 64 draws.
 */
import type { Network } from "../nn/network.js";
import { HEIGHT, WIDTH } from "../data/fashion-mnist.js";
import { greyPng } from "../report/png.js";

/** Tiles per row and column of a sample grid. */
export const GRID_SIDE = 8;
/** Grey pixels between tiles. */
const GAP = 2;
const GAP_GREY = 128 / 255;

/**
 * The images (rows of HEIGHT·WIDTH values in [0, 1], clamped; NaN shows black) tiled `cols` to a row,
 * as PNG bytes.
 */
export function gridPng(images: readonly ArrayLike<number>[], cols = GRID_SIDE): Uint8Array {
  const rows = Math.ceil(images.length / cols);
  const width = cols * WIDTH + (cols + 1) * GAP, height = rows * HEIGHT + (rows + 1) * GAP;
  const data = new Float64Array(width * height).fill(GAP_GREY);
  images.forEach((image, n) => {
    const x0 = GAP + (n % cols) * (WIDTH + GAP), y0 = GAP + Math.floor(n / cols) * (HEIGHT + GAP);
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) data[(y0 + y) * width + x0 + x] = image[y * WIDTH + x];
    }
  });
  return greyPng(data, width, height);
}

/** The generator's images (eval mode: batch norm with running statistics, as inversion sees it) at the latent rows `z`. */
export function sampleGrid(generator: Network, z: readonly ArrayLike<number>[]): Uint8Array {
  return gridPng(generator.forward(z, "eval"));
}
