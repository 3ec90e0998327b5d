/**
 * Minibatches of an image set for training, without replacement within an epoch: epoch e visits the
 * images in the order of a Fisher–Yates permutation drawn from Rng.derive(seed, "epoch", e), and batch b
 * takes positions b·B … b·B + B − 1 of the epochs laid end to end. A batch depends only on the seed
 * and its index, so a resumed run draws exactly the batches an uninterrupted one would.
 */
import type { DType, Kernels } from "../kernels/index.js";
import { Rng, type Seed } from "../random/rng.js";
import { PIXELS, type ImageSet } from "./fashion-mnist.js";

export class BatchSampler {
  private epoch = -1;
  private order: Uint32Array;

  constructor(readonly set: ImageSet, readonly batch: number, readonly seed: Seed) {
    if (!(Number.isSafeInteger(batch) && batch >= 1)) throw new RangeError(`sampler: batch must be a positive integer, got ${batch}`);
    if (set.count < 1) throw new RangeError("sampler: the image set is empty");
    this.order = new Uint32Array(set.count);
  }

  /** The image indices of batch b. */
  indices(b: number): number[] {
    const n = this.set.count, out: number[] = [];
    for (let j = 0; j < this.batch; j++) {
      const position = b * this.batch + j;
      out.push(this.permutation(Math.floor(position / n))[position % n]);
    }
    return out;
  }

  /** Write batch b (batch × PIXELS, pixel / 255 in [0, 1]) at `ptr` in the heap of K as `dtype`. */
  fill(b: number, K: Kernels, dtype: DType, ptr: number): void {
    const out = K.view(dtype, ptr, this.batch * PIXELS);
    const { images } = this.set;
    this.indices(b).forEach((index, j) => {
      const src = index * PIXELS, dst = j * PIXELS;
      for (let p = 0; p < PIXELS; p++) out[dst + p] = images[src + p] / 255;
    });
  }

  private permutation(epoch: number): Uint32Array {
    if (epoch !== this.epoch) {
      const rng = Rng.derive(this.seed, "epoch", epoch), order = this.order;
      for (let i = 0; i < order.length; i++) order[i] = i;
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      this.epoch = epoch;
    }
    return this.order;
  }
}
