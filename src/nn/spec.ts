/**
 * The architecture of a network: a sequence of layers named and parameterized exactly as PyTorch's
 * torch.nn modules (class name as "type", constructor attributes by their PyTorch names), so that an
 * nn.Sequential describes itself in a few lines of Python (README) and its state_dict names
 * ("0.weight", "2.running_mean", …) are the tensor names here. Stored as JSON in a safetensors
 * file's __metadata__ under "surfing.arch".
 */
import { InputError } from "../errors.js";

export type Pair = number | [number, number];

export type LayerSpec =
  | { type: "Linear"; in_features: number; out_features: number; bias: boolean }
  | { type: "Conv2d"; in_channels: number; out_channels: number; kernel_size: Pair; stride?: Pair; padding?: Pair; bias: boolean }
  | { type: "ConvTranspose2d"; in_channels: number; out_channels: number; kernel_size: Pair; stride?: Pair; padding?: Pair; output_padding?: Pair; bias: boolean }
  | { type: "BatchNorm1d" | "BatchNorm2d"; num_features: number; eps?: number; momentum?: number }
  | { type: "ReLU" }
  | { type: "LeakyReLU"; negative_slope?: number }
  | { type: "Sigmoid" }
  | { type: "Tanh" }
  | { type: "Unflatten"; dim?: number; unflattened_size: number[] }
  | { type: "Flatten"; start_dim?: number };

export type LayerType = LayerSpec["type"];

export interface NetworkSpec {
  /** Per-sample input shape: [k] for a latent vector. */
  input: number[];
  layers: LayerSpec[];
}

/** Per-sample shape: [features] or [channels, height, width]. */
export type Shape = readonly number[];

export const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export const pair = (p: Pair | undefined, fallback: number): [number, number] =>
  p === undefined ? [fallback, fallback] : typeof p === "number" ? [p, p] : [p[0], p[1]];

/** PyTorch's defaults where a file omits them. */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;
export const LEAKY_SLOPE = 0.01;

/**
 * Check a parsed architecture (from a file, or built in code) and return the per-sample shape after
 * each layer (index 0 = input). Errors name `source` and the layer: `net.safetensors: layer 3 (Conv2d): …`.
 */
export function inferShapes(spec: NetworkSpec, source: string): Shape[] {
  const fail = (where: string, what: string): never => {
    throw new InputError(`${source}: ${where}: ${what}`);
  };
  if (typeof spec !== "object" || spec === null) fail("architecture", "must be an object {input, layers}");
  if (!Array.isArray(spec.input) || spec.input.length === 0 || !spec.input.every(isCount)) {
    fail("architecture.input", `must be a non-empty list of positive integers (the per-sample input shape), got ${JSON.stringify(spec.input)}`);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) fail("architecture.layers", "must be a non-empty list");
  const shapes: Shape[] = [spec.input.slice()];
  spec.layers.forEach((layer, i) => {
    const where = `layer ${i} (${typeof layer === "object" && layer !== null ? String((layer as { type?: unknown }).type) : typeof layer})`;
    const x = shapes[i];
    const need = (cond: boolean, what: string) => {
      if (!cond) fail(where, what);
    };
    const count = (name: string, v: unknown) => need(isCount(v), `${name} must be a positive integer, got ${JSON.stringify(v)}`);
    const flag = (name: string, v: unknown) => need(typeof v === "boolean", `${name} must be true or false, got ${JSON.stringify(v)}`);
    const pairOf = (name: string, v: unknown, min: number) =>
      need(v === undefined || (isInt(v) && (v as number) >= min) || (Array.isArray(v) && v.length === 2 && v.every((e) => isInt(e) && e >= min)),
        `${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
    need(typeof layer === "object" && layer !== null, "must be an object with a type");
    switch (layer.type) {
      case "Linear": {
        count("in_features", layer.in_features);
        count("out_features", layer.out_features);
        flag("bias", layer.bias);
        need(x.length === 1 && x[0] === layer.in_features, `in_features = ${layer.in_features} but its input has shape [${x}]`);
        shapes.push([layer.out_features]);
        return;
      }
      case "Conv2d":
      case "ConvTranspose2d":
        count("in_channels", layer.in_channels);
        count("out_channels", layer.out_channels);
        flag("bias", layer.bias);
        pairOf("kernel_size", layer.kernel_size, 1);
        need(layer.kernel_size !== undefined, "kernel_size is required");
        pairOf("stride", layer.stride, 1);
        pairOf("padding", layer.padding, 0);
        need(x.length === 3 && x[0] === layer.in_channels, `in_channels = ${layer.in_channels} but its input has shape [${x}] (want [${layer.in_channels}, H, W])`);
        if (layer.type === "ConvTranspose2d") pairOf("output_padding", layer.output_padding, 0);
        shapes.push(convShape(layer, x, need));
        return;
      case "BatchNorm1d":
      case "BatchNorm2d": {
        count("num_features", layer.num_features);
        need(layer.eps === undefined || (typeof layer.eps === "number" && layer.eps > 0), `eps must be a positive number, got ${JSON.stringify(layer.eps)}`);
        need(layer.momentum === undefined || (typeof layer.momentum === "number" && layer.momentum > 0 && layer.momentum <= 1),
          `momentum must be a number in (0, 1] (cumulative averaging, momentum=None, is not supported), got ${JSON.stringify(layer.momentum)}`);
        const want = layer.type === "BatchNorm1d" ? 1 : 3;
        need(x.length === want && x[0] === layer.num_features,
          `num_features = ${layer.num_features} but its input has shape [${x}] (${layer.type} wants ${want === 1 ? "[features]" : "[channels, H, W]"})`);
        shapes.push(x);
        return;
      }
      case "ReLU":
      case "Sigmoid":
      case "Tanh":
        shapes.push(x);
        return;
      case "LeakyReLU":
        need(layer.negative_slope === undefined || (typeof layer.negative_slope === "number" && Number.isFinite(layer.negative_slope)),
          `negative_slope must be a finite number, got ${JSON.stringify(layer.negative_slope)}`);
        shapes.push(x);
        return;
      case "Unflatten":
        need(layer.dim === undefined || layer.dim === 1 || layer.dim === -1, `only dim = 1 (the features of each sample) is supported, got ${layer.dim}`);
        need(Array.isArray(layer.unflattened_size) && layer.unflattened_size.length >= 1 && layer.unflattened_size.every(isCount),
          `unflattened_size must be a list of positive integers, got ${JSON.stringify(layer.unflattened_size)}`);
        need(x.length === 1 && size(layer.unflattened_size) === x[0], `unflattened_size [${layer.unflattened_size}] does not hold its input of shape [${x}]`);
        shapes.push(layer.unflattened_size.slice());
        return;
      case "Flatten":
        need(layer.start_dim === undefined || layer.start_dim === 1, `only start_dim = 1 is supported, got ${layer.start_dim}`);
        shapes.push([size(x)]);
        return;
      default:
        fail(where, `unknown layer type (supported: Linear, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, ReLU, LeakyReLU, Sigmoid, Tanh, Unflatten, Flatten)`);
    }
  });
  return shapes;
}

/** A convolution's output shape [out_channels, oh, ow] from its input's (PyTorch's formulas), its settings checked. */
function convShape(layer: Extract<LayerSpec, { type: "Conv2d" | "ConvTranspose2d" }>, x: Shape, need: (cond: boolean, what: string) => void): Shape {
  const [kh, kw] = pair(layer.kernel_size, 1), [sh, sw] = pair(layer.stride, 1), [ph, pw] = pair(layer.padding, 0);
  let oh: number, ow: number;
  if (layer.type === "Conv2d") {
    oh = Math.floor((x[1] + 2 * ph - kh) / sh) + 1;
    ow = Math.floor((x[2] + 2 * pw - kw) / sw) + 1;
  } else {
    const [qh, qw] = pair(layer.output_padding, 0);
    need(qh < sh && qw < sw, "output_padding must be smaller than stride");
    oh = (x[1] - 1) * sh - 2 * ph + kh + qh;
    ow = (x[2] - 1) * sw - 2 * pw + kw + qw;
  }
  need(oh >= 1 && ow >= 1, `an input of shape [${x}] leaves no output pixels`);
  return [layer.out_channels, oh, ow];
}

function isInt(v: unknown): boolean {
  return typeof v === "number" && Number.isSafeInteger(v);
}

function isCount(v: unknown): boolean {
  return isInt(v) && (v as number) > 0;
}
