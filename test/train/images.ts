// A small synthetic image set for training tests: bright rectangles of random size and place on black
// (a VAE learns them quickly), with labels 0…9.
import type { ImageSet } from "../../src/data/fashion-mnist.js";
import { Rng } from "../../src/random/rng.js";

export function syntheticImages(count: number, seed: string): ImageSet {
  const rng = Rng.derive(seed, "images");
  const images = new Uint8Array(count * 784), labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const x0 = 2 + rng.int(12), y0 = 2 + rng.int(12), w = 6 + rng.int(12), h = 6 + rng.int(12), v = 128 + rng.int(128);
    for (let y = y0; y < Math.min(28, y0 + h); y++) for (let x = x0; x < Math.min(28, x0 + w); x++) images[n * 784 + y * 28 + x] = v;
    labels[n] = n % 10;
  }
  return { count, images, labels };
}
