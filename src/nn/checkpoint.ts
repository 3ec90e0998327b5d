/**
 * A network as a .safetensors file (browser-safe: bytes in, bytes out). Tensor names are PyTorch's
 * state_dict names ("0.weight", "2.running_mean", "2.num_batches_tracked"); the architecture is JSON in
 * the metadata under "surfing.arch", the training step under "surfing.step". A file written by
 * safetensors.torch.save_file from an nn.Sequential with that metadata loads here (README).
 */
import type { DType, Kernels } from "../kernels/index.js";
import { InputError } from "../errors.js";
import { Network, paramShapes } from "./network.js";
import { inferShapes, type NetworkSpec } from "./spec.js";
import { parseSafetensors, serializeSafetensors, tensorToFloat32, tensorToFloat64, toF16Bits, type Dtype, type Safetensors } from "./safetensors.js";

export const ARCH_KEY = "surfing.arch";
export const STEP_KEY = "surfing.step";

export interface Checkpoint {
  network: Network;
  /** The training step (metadata "surfing.step"), when the file has one. */
  step: number | undefined;
}

/**
 * The network as a .safetensors file; its values in its own precision, or in `dtype` (F16 halves a float32
 * network's size, for embedding it in a page: every value rounds to the nearest float16).
 *
 * @example
 * import { networkToSafetensors, randomNetwork } from "surfing";
 * const G = randomNetwork("surf", [2, 8, 5], "example");
 * const bytes = networkToSafetensors(G, 0);   // a Uint8Array: write it, post it to a worker, embed it
 * networkToSafetensors(G, 0, "F16").length < bytes.length;   // → true
 */
export function networkToSafetensors(net: Network, step?: number, dtype: "F64" | "F32" | "F16" = net.dtype === "f32" ? "F32" : "F64"): Uint8Array {
  const tensors: [string, { dtype: Dtype; shape: readonly number[]; data: ArrayBufferView }][] = [];
  const data = (values: Float32Array | Float64Array) =>
    dtype === "F16" ? toF16Bits(values) : dtype === "F32" ? Float32Array.from(values) : Float64Array.from(values);
  net.spec.layers.forEach((layer, i) => {
    for (const p of net.layerParams[i]) {
      tensors.push([p.name, { dtype, shape: p.shape, data: data(p.values) }]);
    }
    if (layer.type === "BatchNorm1d" || layer.type === "BatchNorm2d") {
      tensors.push([`${i}.num_batches_tracked`, { dtype: "I64", shape: [], data: BigInt64Array.of(BigInt(net.batchesTracked[i].count)) }]);
    }
  });
  const metadata: Record<string, string> = { format: "pt", [ARCH_KEY]: JSON.stringify(net.spec) };
  if (step !== undefined) metadata[STEP_KEY] = String(step);
  return serializeSafetensors(tensors, metadata);
}

/** The architecture and step recorded in a file's metadata. */
export function readMetadata(metadata: ReadonlyMap<string, string>, source: string): { spec: NetworkSpec; step: number | undefined } {
  const arch = metadata.get(ARCH_KEY);
  if (arch === undefined) {
    throw new InputError(`${source}: no "${ARCH_KEY}" in the metadata: not a surfing network (for a PyTorch model, save the architecture as the README shows)`);
  }
  let spec: NetworkSpec;
  try {
    spec = JSON.parse(arch) as NetworkSpec;
  } catch (e) {
    throw new InputError(`${source}: metadata "${ARCH_KEY}" is not valid JSON (${(e as Error).message})`);
  }
  const raw = metadata.get(STEP_KEY);
  let step: number | undefined;
  if (raw !== undefined) {
    step = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(step)) throw new InputError(`${source}: metadata "${STEP_KEY}" must be a non-negative integer, got "${raw}"`);
  }
  return { spec, step };
}

/**
 * Read a network from .safetensors bytes; every parameter must be present, of the right shape, finite.
 *
 * @example
 * import { networkFromSafetensors, networkToSafetensors, randomNetwork } from "surfing";
 * const bytes = networkToSafetensors(randomNetwork("surf", [2, 8, 5], "example"), 40);   // θ at training step 40
 * const { network, step } = networkFromSafetensors(bytes, "θ_40");   // the name is for messages
 * step;   // → 40
 * network.outputSize;   // → 5
 */
export function networkFromSafetensors(bytes: Uint8Array, source: string, options: { dtype?: DType; kernels?: Kernels } = {}): Checkpoint {
  const file: Safetensors = parseSafetensors(bytes, source);
  const { spec, step } = readMetadata(file.metadata, source);
  // Every tensor the architecture needs, of its shape, before any buffer is made: an architecture that
  // declares more than the file holds (Linear(5, 1e9) in a small file) is refused, not allocated.
  inferShapes(spec, source);
  spec.layers.forEach((layer, i) => {
    for (const [name, shape] of paramShapes(layer)) {
      const t = file.tensors.get(`${i}.${name}`), where = `layer ${i} (${layer.type})`;
      if (!t) throw new InputError(`${source}: tensor "${i}.${name}" is missing (${where} needs ${name} of shape [${shape}])`);
      if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) throw new InputError(`${source}: tensor "${i}.${name}" has shape [${t.shape}], ${where} needs [${shape}]`);
    }
  });
  const net = new Network(spec, options, source);
  const expected = new Set<string>();
  try {
    net.spec.layers.forEach((layer, i) => {
      for (const p of net.layerParams[i]) {
        expected.add(p.name);
        const t = file.tensors.get(p.name);
        if (!t) throw new InputError(`${source}: tensor "${p.name}" is missing (${net.describeLayer(i)} needs ${p.name.split(".")[1]} of shape [${p.shape}])`);
        if (t.shape.length !== p.shape.length || t.shape.some((d, j) => d !== p.shape[j])) {
          throw new InputError(`${source}: tensor "${p.name}" has shape [${t.shape}], ${net.describeLayer(i)} needs [${p.shape}]`);
        }
        p.values.set(net.dtype === "f32" ? tensorToFloat32(t, p.name, source, true) : tensorToFloat64(t, p.name, source, true));
      }
      if (layer.type === "BatchNorm1d" || layer.type === "BatchNorm2d") {
        const name = `${i}.num_batches_tracked`;
        expected.add(name);
        const t = file.tensors.get(name);
        if (t) net.batchesTracked[i].count = Number(tensorToFloat64(t, name, source, true)[0] ?? 0);
      }
    });
    const unexpected = [...file.tensors.keys()].filter((name) => !expected.has(name));
    if (unexpected.length > 0) {
      throw new InputError(`${source}: tensor${unexpected.length > 1 ? "s" : ""} ${unexpected.slice(0, 5).map((n) => `"${n}"`).join(", ")}${unexpected.length > 5 ? ", …" : ""} not used by the architecture (does "${ARCH_KEY}" describe this model?)`);
    }
  } catch (e) {
    net.free();
    throw e;
  }
  net.touch();
  return { network: net, step };
}
