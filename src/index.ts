// surfing — the library's public entry point: everything that runs alike in Node, Deno and a browser.
// What needs a file system (network files, checkpoint directories, Fashion-MNIST, training, the results
// store) is in "surfing/node" (src/node.ts).
export { kernels, createKernels, requestedBackend, wasmSupported, Kernels, Act, BiasAxis, NO_EPILOGUE, BYTES } from "./kernels/index.js";
export { selfCheck, type SelfCheckReport } from "./kernels/selfcheck.js";
export type { Backend, DType, Epilogue, PackedB } from "./kernels/index.js";
export { Mat, gemm, type GemmOptions, type Floats } from "./tensor/mat.js";
export { Rng, type Seed } from "./random/rng.js";
export { InputError } from "./errors.js";

// Networks: the layers of the README's table (PyTorch's names), the papers' architectures and Gaussian ensembles, safetensors bytes.
export { Network } from "./nn/network.js";
export type { NetworkSpec, LayerSpec } from "./nn/spec.js";
export { dcganGenerator, mlpGenerator } from "./nn/architectures.js";
export { randomNetwork, FAMILIES, type Family } from "./nn/ensembles.js";
export { networkFromSafetensors, networkToSafetensors, type Checkpoint } from "./nn/checkpoint.js";

// The objective f(x) = ½‖A·G(x) − A·y‖² for a batch of latents, its measurements and optimizers.
export { Objective } from "./objective/objective.js";
export { Identity, DenseMeasurement, gaussianMeasurement, measurementFromSpec, observe, type Measurement, type MeasurementSpec } from "./objective/measurement.js";
export { createOptimizer, OPTIMIZER_KINDS, type OptimizerKind, type OptimizerOptions, type LatentOptimizer } from "./optim/optimizer.js";

// Surfing (Algorithm 3.1) and its baselines, over worker threads / Web Workers; Algorithm 3.2.
export { run, type Method, type RunOptions, type TrialResult, type Targets, type MeasurementChoice, type NetworkSequence } from "./surf/surf.js";
export { runParallel, defaultWorkers } from "./surf/pool.js";
export { invert, type InvertOptions, type InvertResult, type InvertMethod } from "./surf/invert.js";
export { openSequence, type SequenceSource } from "./surf/sequence.js";
export { stepBudgets, neuripsTotal, SCHEDULE_KINDS, type Schedule } from "./surf/schedule.js";
export { stageMethod, stageInput, atEqualCompute, type Stage, type StageInputs } from "./surf/stages.js";
export { summarize, wilson, percentile, type RunSummary } from "./surf/metrics.js";
export { surfProjected, surfProjectedNetworks, type ProjectedSurfOptions, type ProjectedSurfResult, type ProjectedSurfStep } from "./surf/projected.js";

// Exact piecewise-linear geometry: regions, LP/QP, enumeration, pieces, certificates.
/**
 * The exact piecewise-linear geometry of ReLU networks in float64: activation regions, LPs and QPs on them,
 * region enumeration, the pieces of Algorithm 3.2 and global certificates.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);   // G: R² → R⁴ with 6 ReLU neurons, in float64
 * // its linear regions in [−1, 1]²
 * geometry.enumerateRegions(net).count;   // → 11
 * // f(z) = ½‖G(z) − G(x*)‖²: its global minimizer over the box, certified region by region
 * const ls = { A: null, m: 4, obs: geometry.evaluate(net, [0.5, -0.25]).output };
 * geometry.certify(net, ls, { box: 1 }).xGlobal;   // ≈ [0.5, -0.25]
 */
export * as geometry from "./geometry/index.js";
