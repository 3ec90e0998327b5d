// surfing/node — the part of the library that needs a file system (Node, Deno): network files and checkpoint
// sequences, Fashion-MNIST and its cache, training, and the resumable results store.
export { readNetwork, writeNetwork, CheckpointSequence, isDirectory, type LoadOptions, type SequenceEntry } from "./nn/files.js";
export { loadFashionMnist, type FashionMnist, type ImageSet, type DataOptions } from "./data/fashion-mnist.js";
export { makeConfig, type TrainConfig, type ArchKind } from "./train/config.js";
export { train, trainOrResume, type RunOptions as TrainOptions, type RunResult as TrainResult } from "./train/run.js";
export { MODEL_KINDS, HYPERPARAMETERS, type ModelKind } from "./train/hyperparameters.js";
export { ResultStore } from "./store.js";
