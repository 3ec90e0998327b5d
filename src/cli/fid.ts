/**
 * `surf fid NET`: the FID of a generator (one network, or every S-th checkpoint of a sequence and θ_T) against
 * the held-out Fashion-MNIST images, in the features of our classifier (src/quality). `surf fid
 * --train-classifier --out DIR`: retrain that classifier from its seed, with its test accuracy.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { positiveIntFlag, UsageError, type ParsedArgs } from "./args.js";
import { progressBar } from "./progress.js";
import { loadFashionMnist, PIXELS } from "../data/fashion-mnist.js";
import { InputError } from "../errors.js";
import { inferShapes, size } from "../nn/spec.js";
import { CheckpointSequence, isDirectory, readNetwork } from "../nn/files.js";
import { networkToSafetensors } from "../nn/checkpoint.js";
import { accuracy, CLASSIFIER_TRAINING, featureNetwork, loadClassifier, trainClassifier, type ClassifierRecord } from "../quality/classifier.js";
import { generatorFid, imageMoments } from "../quality/score.js";

export async function run(args: ParsedArgs): Promise<number> {
  if (args.flags["train-classifier"] === true) return trainIt(args);
  const path = args.positionals[0];
  if (path === undefined) throw new UsageError("give a .safetensors generator or a checkpoint directory (or --train-classifier)");
  const samples = positiveIntFlag(args.flags.samples, "--samples", 10000);
  if (samples < 2) throw new UsageError(`--samples must be at least 2 (a covariance needs two images), got ${samples}`);
  const latent = String(args.flags.latent ?? "uniform");
  if (latent !== "uniform" && latent !== "normal") throw new UsageError(`--latent must be uniform or normal, got "${latent}"`);
  // the generator read and checked before the images and the classifier load
  const sequence = isDirectory(path) ? CheckpointSequence.open(path) : undefined, single = sequence ? undefined : readNetwork(path);
  const n = size(inferShapes(sequence?.spec ?? single!.network.spec, path).at(-1)!);
  if (n !== PIXELS) {
    single?.network.free();
    throw new InputError(`${path}: FID compares 28 × 28 images: the generator needs ${PIXELS} outputs, it has ${n}`);
  }
  const T = sequence ? sequence.length - 1 : 0;
  const stride = positiveIntFlag(args.flags.stride, "--stride", Math.max(1, Math.ceil(T / 10)));
  const indices = sequence ? [...Array.from({ length: Math.floor(T / stride) + 1 }, (_, i) => i * stride).filter((t) => t < T), T] : [0];
  const data = loadFashionMnist({ log: (m) => process.stderr.write(`surf: ${m}\n`) });
  const { network: classifier, record } = loadClassifier(), features = featureNetwork(classifier);
  classifier.free();
  const reference = imageMoments(features, data.heldOut), bar = progressBar("fid");
  const rows: { step: number | null; fid: number }[] = [];
  for (const [j, t] of indices.entries()) {
    bar.update(j, indices.length, sequence ? `θ_${t}` : "", "networks");
    const { network, step } = sequence ? { network: sequence.load(t), step: sequence.steps[t] } : single!;
    try {
      rows.push({ step: step ?? null, fid: generatorFid(features, network, reference, { samples, latent }) });
    } finally {
      network.free();
    }
  }
  bar.done();
  features.free();
  const result = { net: path, samples, latent, classifierAccuracy: record.testAccuracy, fid: rows };
  if (args.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    process.stdout.write(rows.map((r) => `${r.step === null ? "" : `step ${String(r.step).padStart(6)}  `}FID ${r.fid.toFixed(2)}`).join("\n") + "\n");
    process.stdout.write(`FID: ${samples} generated images against the 10,000 held-out ones, in the 128 features of our classifier (test accuracy ${(100 * record.testAccuracy).toFixed(2)} %); not comparable with Inception-FID.\n`);
  }
  return 0;
}

async function trainIt(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError("--train-classifier takes no network");
  const out = args.flags.out;
  if (out === undefined || String(out) === "") throw new UsageError("--out is required with --train-classifier (the directory for fid-classifier.safetensors and .json)");
  const data = loadFashionMnist({ log: (m) => process.stderr.write(`surf: ${m}\n`) });
  const bar = progressBar("classifier");
  const net = trainClassifier(data.train, CLASSIFIER_TRAINING, (step, steps, loss) => bar.update(step, steps, `loss ${loss.toFixed(3)}`, "steps"));
  bar.done();
  const bytes = networkToSafetensors(net);
  const record: ClassifierRecord = {
    ...CLASSIFIER_TRAINING, testAccuracy: accuracy(net, data.heldOut), trainImages: data.train.count, testImages: data.heldOut.count,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
  net.free();
  mkdirSync(String(out), { recursive: true });
  for (const [name, content] of [["fid-classifier.safetensors", bytes], ["fid-classifier.json", JSON.stringify(record, null, 2) + "\n"]] as const) {
    const path = join(String(out), name), tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  }
  process.stdout.write(args.json ? JSON.stringify(record) + "\n" : `classifier: test accuracy ${(100 * record.testAccuracy).toFixed(2)} % on ${record.testImages} held-out images; wrote ${out}/fid-classifier.safetensors (sha256 ${record.sha256.slice(0, 16)}…)\n`);
  return 0;
}
