/**
 * A named tensor of a network, living in the kernels' heap in the network's dtype: a trainable
 * parameter (weight, bias) or a buffer (batch-norm running statistics). Names and shapes are PyTorch's
 * state_dict names and shapes ("0.weight": [out, in]).
 */
import { BYTES, type DType, type Kernels } from "../kernels/index.js";

export class Param {
  /** Gradient in the heap (same dtype and size), 0 until Network.enableGrads(). */
  grad = 0;
  readonly size: number;

  constructor(
    readonly kernels: Kernels,
    readonly dtype: DType,
    readonly name: string,
    readonly shape: readonly number[],
    readonly trainable: boolean,
    readonly ptr: number = kernels.calloc(shape.reduce((a, b) => a * b, 1) * BYTES[dtype]),
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** A view of the values (re-read after any allocation: the heap may grow). */
  get values(): Float32Array | Float64Array {
    return this.kernels.view(this.dtype, this.ptr, this.size);
  }

  /** A view of the gradient. */
  get grads(): Float32Array | Float64Array {
    if (this.grad === 0) throw new Error(`${this.name}: gradients are not enabled (Network.enableGrads())`);
    return this.kernels.view(this.dtype, this.grad, this.size);
  }

  free(): void {
    this.kernels.free(this.ptr);
    if (this.grad !== 0) this.kernels.free(this.grad);
  }
}
