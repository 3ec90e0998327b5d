/**
 * A feed-forward network G_θ: a sequence of layers (spec.ts) with its parameters θ in the kernels' heap.
 * Run it through a compiled Program (program.ts) for a batch of inputs, one row per sample.
 */
import { kernels as defaultKernels, type DType, type Kernels } from "../kernels/index.js";
import { Rng, type Seed } from "../random/rng.js";
import { InputError } from "../errors.js";
import { Param } from "./param.js";
import { inferShapes, pair, size, type LayerSpec, type NetworkSpec, type Shape } from "./spec.js";
import { Program, type Mode } from "./program.js";

/** Layers whose output is affine in their input (the "A" of an affine-then-activation block). */
export const AFFINE_TYPES = new Set(["Linear", "Conv2d", "ConvTranspose2d"]);
/** With these and reshapes only (batch norm in eval mode), G is piecewise linear. */
export const PIECEWISE_LINEAR_TYPES = new Set(["Linear", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d", "ReLU", "LeakyReLU", "Unflatten", "Flatten"]);

export interface NetworkOptions {
  dtype?: DType;
  kernels?: Kernels;
  /** Seed of PyTorch's default initialization; the parameters stay zero when omitted. */
  seed?: Seed;
}

/**
 * A feed-forward network G_θ: layers as PyTorch names them, parameters in the kernels' heap, run for a batch
 * of inputs (one row each) at once.
 *
 * @example
 * import { Network } from "surfing";
 * const G = new Network({
 *   input: [2],
 *   layers: [{ type: "Linear", in_features: 2, out_features: 3, bias: true }, { type: "ReLU" }],
 * }, { seed: "0" });   // PyTorch's default initialization, seeded
 * G.outputSize;   // → 3
 * G.forward([[0.5, -1], [0, 0]]).length;   // → 2
 * G.free();
 */
export class Network {
  readonly spec: NetworkSpec;
  /** Per-sample shape before layer i (shapes[0] = input) and after the last layer. */
  readonly shapes: Shape[];
  readonly dtype: DType;
  readonly kernels: Kernels;
  /** Parameters of each layer, in state_dict order. */
  readonly layerParams: Param[][];
  /** Counts updates of the parameters; compiled programs refresh what they derive from them. */
  version = 0;
  /** Batches seen in train mode by each batch-norm layer (PyTorch's num_batches_tracked), by layer index. */
  readonly batchesTracked: { count: number }[];
  private readonly programs = new Map<string, Program>();

  constructor(spec: NetworkSpec, options: NetworkOptions = {}, source = "network") {
    this.shapes = checkedShapes(spec, source);
    this.spec = structuredClone(spec);
    this.dtype = options.dtype ?? "f32";
    this.kernels = options.kernels ?? defaultKernels;
    this.layerParams = this.spec.layers.map((layer, i) => paramShapes(layer).map(([name, shape, trainable]) =>
      new Param(this.kernels, this.dtype, `${i}.${name}`, shape, trainable)));
    this.batchesTracked = this.spec.layers.map(() => ({ count: 0 }));
    if (options.seed !== undefined) this.initialize(options.seed);
    else this.resetBuffers();
  }

  /** All parameters and buffers, in state_dict order. */
  get params(): Param[] {
    return this.layerParams.flat();
  }

  param(name: string): Param {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new RangeError(`no parameter named "${name}" (have ${this.params.map((q) => q.name).join(", ")})`);
    return p;
  }

  get inputShape(): Shape {
    return this.shapes[0];
  }
  get outputShape(): Shape {
    return this.shapes[this.shapes.length - 1];
  }
  get inputSize(): number {
    return size(this.inputShape);
  }
  get outputSize(): number {
    return size(this.outputShape);
  }
  get parameterCount(): number {
    return this.params.filter((p) => p.trainable).reduce((s, p) => s + p.size, 0);
  }

  /** True when G is piecewise linear in eval mode (batch norm is then affine). */
  get piecewiseLinear(): boolean {
    return this.spec.layers.every((l) => PIECEWISE_LINEAR_TYPES.has(l.type));
  }

  /** The first layer that makes G not piecewise linear, or -1. */
  get firstSmoothLayer(): number {
    return this.spec.layers.findIndex((l) => !PIECEWISE_LINEAR_TYPES.has(l.type));
  }

  /** Record that parameters changed (after an optimizer step or a load). */
  touch(): void {
    this.version++;
  }

  /**
   * PyTorch's default initialization (torch.nn.init in Linear/Conv reset_parameters): weights and biases
   * uniform on ±1/√fan_in; batch norm γ = 1, β = 0, running mean 0, variance 1.
   */
  initialize(seed: Seed): void {
    this.spec.layers.forEach((layer, i) => {
      const ps = this.layerParams[i];
      if (AFFINE_TYPES.has(layer.type)) {
        const bound = 1 / Math.sqrt(fanIn(layer));
        for (const p of ps) Rng.derive(seed, "init", p.name).fillUniform(p.values, -bound, bound);
      }
    });
    this.resetBuffers();
    this.touch();
  }

  /** Batch norm: γ = 1, β = 0, running mean 0, running variance 1 (PyTorch's reset). */
  private resetBuffers(): void {
    this.spec.layers.forEach((layer, i) => {
      if (layer.type !== "BatchNorm1d" && layer.type !== "BatchNorm2d") return;
      for (const p of this.layerParams[i]) {
        const v = p.name.endsWith(".weight") || p.name.endsWith(".running_var") ? 1 : 0;
        p.values.fill(v);
      }
    });
  }

  /** Allocate (zeroed) gradient buffers for the trainable parameters. */
  enableGrads(): void {
    for (const p of this.params) if (p.trainable && p.grad === 0) p.grad = this.kernels.calloc(p.size * (this.dtype === "f32" ? 4 : 8));
  }

  zeroGrads(): void {
    for (const p of this.params) if (p.grad !== 0) p.grads.fill(0);
  }

  /**
   * The compiled program for `batch` rows in `mode` (cached): "eval" folds batch norm into the preceding
   * affine layer and uses running statistics; "train" uses batch statistics and updates them.
   */
  program(batch: number, mode: Mode = "eval"): Program {
    const key = `${mode}/${batch}`;
    let p = this.programs.get(key);
    if (!p) {
      p = new Program(this, batch, mode);
      this.programs.set(key, p);
    }
    return p;
  }

  /** G(x) for each row of `inputs` (a convenience for small work; allocates). */
  forward(inputs: readonly ArrayLike<number>[] | Float32Array | Float64Array, mode: Mode = "eval"): Float64Array[] {
    const rows = Array.isArray(inputs) ? inputs.length : inputs.length / this.inputSize;
    if (!Number.isInteger(rows)) throw new RangeError(`forward: ${inputs.length} values are not whole rows of ${this.inputSize}`);
    const prog = this.program(Math.max(1, rows), mode);
    prog.setInput(inputs);
    prog.forward(rows);
    return prog.readOutput(rows);
  }

  /** A deep copy (same dtype and heap). */
  clone(): Network {
    const copy = new Network(this.spec, { dtype: this.dtype, kernels: this.kernels });
    this.params.forEach((p, i) => copy.params[i].values.set(p.values));
    copy.touch();
    return copy;
  }

  free(): void {
    for (const p of this.programs.values()) p.free();
    this.programs.clear();
    for (const p of this.params) p.free();
  }

  /** Layer i's type, for messages. */
  describeLayer(i: number): string {
    return `layer ${i} (${this.spec.layers[i].type})`;
  }
}

/**
 * The most values one parameter tensor or one sample's activation may have: 2^28 (1 GiB of float32). The
 * heap is a WebAssembly memory of at most 4 GiB, so a layer past this cannot run, and an architecture that
 * declares one (Linear(5, 1e9), a 100,000² image) is refused before anything is allocated.
 */
export const MAX_TENSOR_VALUES = 2 ** 28;

/**
 * The per-sample shapes of an architecture (inferShapes), refused when a parameter tensor or an activation
 * would hold more than MAX_TENSOR_VALUES: what the Network constructor checks before allocating anything.
 */
export function checkedShapes(spec: NetworkSpec, source: string): Shape[] {
  const shapes = inferShapes(spec, source);
  spec.layers.forEach((layer, i) => {
    for (const [name, shape] of paramShapes(layer)) {
      const n = shape.reduce((a, b) => a * b, 1);
      if (n > MAX_TENSOR_VALUES) throw new InputError(`${source}: layer ${i} (${layer.type}) declares ${i}.${name} of shape [${shape}], ${n.toExponential(2)} values: more than the ${MAX_TENSOR_VALUES} one tensor may have here`);
    }
  });
  shapes.forEach((shape, i) => {
    const n = size(shape);
    if (n > MAX_TENSOR_VALUES) throw new InputError(`${source}: ${i === 0 ? "the input" : `layer ${i - 1}'s output`} has ${n.toExponential(2)} values per sample: more than the ${MAX_TENSOR_VALUES} one activation may have here`);
  });
  return shapes;
}

/** Parameter names, PyTorch shapes and trainability of a layer. */
export function paramShapes(layer: LayerSpec): [string, number[], boolean][] {
  switch (layer.type) {
    case "Linear":
      return [["weight", [layer.out_features, layer.in_features], true], ...(layer.bias ? [["bias", [layer.out_features], true] as [string, number[], boolean]] : [])];
    case "Conv2d":
    case "ConvTranspose2d": {
      const [kh, kw] = pair(layer.kernel_size, 1);
      const w: number[] = layer.type === "Conv2d" ? [layer.out_channels, layer.in_channels, kh, kw] : [layer.in_channels, layer.out_channels, kh, kw];
      return [["weight", w, true], ...(layer.bias ? [["bias", [layer.out_channels], true] as [string, number[], boolean]] : [])];
    }
    case "BatchNorm1d":
    case "BatchNorm2d":
      return [["weight", [layer.num_features], true], ["bias", [layer.num_features], true],
              ["running_mean", [layer.num_features], false], ["running_var", [layer.num_features], false]];
    default:
      return [];
  }
}

function fanIn(layer: LayerSpec): number {
  switch (layer.type) {
    case "Linear":
      return layer.in_features;
    case "Conv2d": {
      const [kh, kw] = pair(layer.kernel_size, 1);
      return layer.in_channels * kh * kw;
    }
    case "ConvTranspose2d": {
      // PyTorch computes fan_in from weight.shape[1] · kernel area = out_channels · kh · kw.
      const [kh, kw] = pair(layer.kernel_size, 1);
      return layer.out_channels * kh * kw;
    }
    default:
      throw new InputError(`fanIn of ${layer.type}`);
  }
}
