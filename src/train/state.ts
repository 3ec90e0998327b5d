/**
 * The state of a training run: everything --resume needs to continue bit for bit — both networks'
 * parameters and buffers (batch-norm running statistics and counters), the optimizers' moments and step
 * counts, the step reached and the run's configuration. Everything random is derived from the seed and
 * the step (procedure.ts, sampler.ts), so no generator state is kept. One .safetensors file, written
 * atomically, in DIR/state/ — apart from the checkpoint sequence in DIR, which holds generators only.
 */
import { lstatSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readRegularFile } from "../io.js";
import { join } from "node:path";
import { InputError } from "../errors.js";
import type { Network } from "../nn/network.js";
import { parseSafetensors, serializeSafetensors, tensorToFloat32, tensorToFloat64, type Dtype } from "../nn/safetensors.js";
import { checkConfig, type TrainConfig } from "./config.js";
import { HYPERPARAMETERS } from "./hyperparameters.js";
import type { Procedure } from "./procedure.js";

export const STATE_DIR = "state";
export const STATE_FILE = "state.safetensors";
export const CONFIG_KEY = "surfing.train.config";
const STEP_KEY = "surfing.step";
const OPTIMIZER_STEPS_KEY = "surfing.train.optimizer_steps";

export function statePath(dir: string): string {
  return join(dir, STATE_DIR, STATE_FILE);
}

type Entry = [string, { dtype: Dtype; shape: readonly number[]; data: ArrayBufferView }];

/** The tensors of a procedure's state, by name: "generator.0.weight", "partner.optimizer.0.weight.exp_avg", … */
function tensors(proc: Procedure): Entry[] {
  const out: Entry[] = [];
  const roles: [string, Network][] = [["generator", proc.generator], ["partner", proc.partner]];
  roles.forEach(([role, net], r) => {
    const dtype = net.dtype === "f32" ? "F32" : "F64";
    for (const p of net.params) out.push([`${role}.${p.name}`, { dtype, shape: p.shape, data: p.values }]);
    net.batchesTracked.forEach((t, i) => {
      if (net.layerParams[i].some((p) => p.name.endsWith(".running_mean"))) {
        out.push([`${role}.${i}.num_batches_tracked`, { dtype: "I64", shape: [], data: BigInt64Array.of(BigInt(t.count)) }]);
      }
    });
    const opt = proc.optimizers[r];
    for (const b of opt.state) out.push([`${role}.optimizer.${b.name}`, { dtype, shape: b.param.shape, data: opt.values(b) }]);
  });
  return out;
}

/** Write the state after `step` (atomically: a killed run leaves the previous state whole). */
export function saveState(dir: string, proc: Procedure, step: number): void {
  const bytes = serializeSafetensors(tensors(proc), {
    [CONFIG_KEY]: JSON.stringify(proc.config),
    [STEP_KEY]: String(step),
    [OPTIMIZER_STEPS_KEY]: JSON.stringify(proc.optimizers.map((o) => o.t)),
  });
  const path = statePath(dir), tmp = `${path}.tmp-${process.pid}`;
  mkdirSync(join(dir, STATE_DIR), { recursive: true });
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export interface SavedState {
  config: TrainConfig;
  step: number;
  /** Restore the saved networks and optimizers into a procedure built from `config`. */
  restore(proc: Procedure): void;
}

/** Read a run's state; a missing, foreign or damaged file is an InputError naming it. */
export function readState(dir: string): SavedState {
  const path = statePath(dir);
  // only a regular file: a FIFO or /dev/zero in its place would block the read or never end
  try {
    lstatSync(path);
  } catch {
    throw new InputError(`${path}: no training state (nothing to resume: start without \`resume\`)`);
  }
  const bytes = readRegularFile(path, "a training state (.safetensors)");
  const file = parseSafetensors(bytes, path);
  const field = (key: string): string => {
    const v = file.metadata.get(key);
    if (v === undefined) throw new InputError(`${path}: no "${key}" in the metadata (not a surfing training state)`);
    return v;
  };
  let config: TrainConfig, optimizerSteps: number[];
  try {
    // a run stored before criticWidth existed trained its partner at the generator's width
    const stored = JSON.parse(field(CONFIG_KEY)) as Omit<TrainConfig, "criticWidth"> & { criticWidth?: number };
    // and one stored before criticSteps existed, its model's partner updates per generator update
    config = { ...stored, criticWidth: stored.criticWidth ?? stored.width, criticSteps: stored.criticSteps ?? HYPERPARAMETERS[stored.model].criticSteps };
    optimizerSteps = JSON.parse(field(OPTIMIZER_STEPS_KEY)) as number[];
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: metadata is not valid JSON (${(e as Error).message})`);
  }
  try {
    checkConfig(config);
  } catch (e) {
    throw new InputError(`${path}: the stored configuration is invalid (${(e as Error).message})`);
  }
  const step = Number(field(STEP_KEY));
  if (!(Number.isSafeInteger(step) && step >= 0 && step <= config.steps)) throw new InputError(`${path}: "${STEP_KEY}" must be a step in 0…${config.steps}, got "${field(STEP_KEY)}"`);
  if (!Array.isArray(optimizerSteps) || optimizerSteps.length !== 2 || !optimizerSteps.every((t) => Number.isSafeInteger(t) && t >= 0)) {
    throw new InputError(`${path}: "${OPTIMIZER_STEPS_KEY}" must be two step counts, got ${JSON.stringify(optimizerSteps)}`);
  }
  return {
    config,
    step,
    restore(proc: Procedure): void {
      const expected = tensors(proc);
      if (file.tensors.size !== expected.length) throw new InputError(`${path}: ${file.tensors.size} tensors, the run's networks and optimizers have ${expected.length}`);
      for (const [name, { shape, data }] of expected) {
        const t = file.tensors.get(name);
        if (!t) throw new InputError(`${path}: tensor "${name}" is missing`);
        if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new InputError(`${path}: tensor "${name}" has shape [${t.shape}], the run needs [${shape}]`);
        if (data instanceof BigInt64Array) {
          const [role, layer] = name.split(".");
          (role === "generator" ? proc.generator : proc.partner).batchesTracked[Number(layer)].count = Number(tensorToFloat64(t, name, path, true)[0]);
        } else {
          (data as Float32Array | Float64Array).set(data instanceof Float32Array ? tensorToFloat32(t, name, path, true) : tensorToFloat64(t, name, path, true));
        }
      }
      proc.optimizers.forEach((o, i) => (o.t = optimizerSteps[i]));
      proc.generator.touch();
      proc.partner.touch();
    },
  };
}
