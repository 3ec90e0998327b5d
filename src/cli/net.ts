/** `surf net random` and `surf info`. */
import { UsageError, type ParsedArgs } from "./args.js";
import { FAMILIES, randomNetwork, type Family } from "../nn/ensembles.js";
import { CheckpointSequence, isDirectory, readNetwork, writeNetwork } from "../nn/files.js";
import { Network } from "../nn/network.js";
import { size } from "../nn/spec.js";
import { InputError } from "../errors.js";

export async function random(args: ParsedArgs): Promise<number> {
  const family = String(args.flags.family) as Family;
  if (!FAMILIES.includes(family)) throw new UsageError(`--family must be surf or hv, got "${family}"`);
  const dtype = String(args.flags.dtype);
  if (dtype !== "f32" && dtype !== "f64") throw new UsageError(`--dtype must be f32 or f64, got "${dtype}"`);
  if (args.flags.arch === undefined) throw new UsageError("--arch is required (for example --arch 2,50,50,784)");
  if (args.flags.out === undefined) throw new UsageError("--out is required (the .safetensors file to write)");
  const arch = String(args.flags.arch).split(",").map((s) => Number(s.trim()));
  if (arch.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new UsageError(`--arch must be positive integers separated by commas, got "${args.flags.arch}"`);
  let net: Network;
  try {
    net = randomNetwork(family, arch, args.seed, { dtype });   // its sizes checked before anything is allocated
  } catch (e) {
    throw e instanceof InputError ? new UsageError(`--arch ${args.flags.arch}: ${e.message}`) : e;
  }
  const out = String(args.flags.out);
  writeNetwork(out, net);
  const summary = { path: out, family, arch, seed: args.seed, dtype, parameters: net.parameterCount };
  process.stdout.write(args.json ? JSON.stringify(summary) + "\n" : `wrote ${out}: ${family} network ${arch.join("→")}, ${net.parameterCount} parameters (${dtype}, seed ${args.seed})\n`);
  net.free();
  return 0;
}

export async function info(args: ParsedArgs): Promise<number> {
  const path = args.positionals[0];
  let net: Network, steps: number[] | undefined, step: number | undefined;
  if (isDirectory(path)) {
    const seq = CheckpointSequence.open(path);
    steps = seq.steps;
    net = seq.load(seq.length - 1);
  } else {
    ({ network: net, step } = readNetwork(path));
  }
  const layers = net.spec.layers.map((l, i) => ({ index: i, ...l, output: net.shapes[i + 1] }));
  const report = {
    path,
    input: net.inputShape,
    output: net.outputShape,
    parameters: net.parameterCount,
    piecewiseLinear: net.piecewiseLinear,
    layers,
    ...(steps ? { checkpoints: steps.length, steps } : { step: step ?? null }),
  };
  if (args.json) {
    process.stdout.write(JSON.stringify(report) + "\n");
  } else {
    const lines = [
      `${path}: ${steps ? `checkpoint sequence of ${steps.length} networks, steps ${steps[0]}…${steps[steps.length - 1]}` : `network${step !== undefined ? ` at step ${step}` : ""}`}`,
      `input [${net.inputShape}] (k = ${size(net.inputShape)}) → output [${net.outputShape}] (n = ${net.outputSize}), ${net.parameterCount} parameters`,
      `piecewise linear: ${net.piecewiseLinear ? "yes" : `no (layer ${net.firstSmoothLayer} is ${net.spec.layers[net.firstSmoothLayer].type})`}`,
      "",
      ...layers.map((l) => `  ${String(l.index).padStart(3)}  ${describe(l)}  → [${l.output}]`),
    ];
    if (steps && steps.length > 1) lines.push("", `steps: ${steps.length <= 12 ? steps.join(", ") : `${steps.slice(0, 5).join(", ")}, …, ${steps.slice(-3).join(", ")}`}`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  net.free();
  return 0;
}

function describe(l: Record<string, unknown>): string {
  const { type, index: _i, output: _o, ...rest } = l;
  const args = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
  return `${String(type)}(${args})`;
}
