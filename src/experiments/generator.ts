/**
 * What a sweep records of a cell's generator, beside its trials: the SHA-256 of θ_T's file — so a sequence
 * regenerated from its seed on another machine is used only if it is bit for bit the one the stored trials
 * ran on — and the FID of θ_T and of every tenth checkpoint (src/quality), computed once per sequence and
 * kept in the results store (records under "generator/NAME/").
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { FashionMnist } from "../data/fashion-mnist.js";
import { CheckpointSequence } from "../nn/files.js";
import type { Network } from "../nn/network.js";
import { featureNetwork, loadClassifier } from "../quality/classifier.js";
import type { FeatureMoments } from "../quality/fid.js";
import { FID_SAMPLES, generatorFid, imageMoments } from "../quality/score.js";
import { HYPERPARAMETERS } from "../train/hyperparameters.js";
import { InputError } from "../errors.js";
import type { ResultStore } from "../store.js";
import { linePlot } from "../report/svg.js";
import type { Figure } from "../report/html.js";
import type { CellPlan } from "./sweeps.js";
import { hasForm, type Form } from "../form.js";

export const GENERATOR_PREFIX = "generator/";
/** FID along the sequence at every PATH_POINTS-th of T (and θ_T). */
const PATH_POINTS = 10;

export const FID_CAPTION = `the Fréchet distance between ${FID_SAMPLES.toLocaleString("en")} images G_θ(z) (500 with --quick) and the 10,000 held-out images in the 128 features of our Fashion-MNIST classifier (src/quality; lower is closer) — not comparable with Inception-FID figures.`;

const keyOf = (p: CellPlan, what: string) => `${GENERATOR_PREFIX}${basename(p.dir)}/${what}`;

/** The forms of a sequence's records (src/form.ts): θ_T's digest, and a checkpoint's FID. */
const DIGEST_FORM: Form = { sha256: "string", step: "number" };
const FID_FORM: Form = { fid: "number", samples: "number", t: "number", classifierAccuracy: "number" };

/**
 * Refuse a sequence whose θ_T differs from the one this store's trials ran on (a regenerated sequence must
 * be bit for bit the same); record θ_T's digest the first time.
 */
export function checkSequence(store: ResultStore, p: CellPlan): void {
  const sequence = CheckpointSequence.open(p.dir), last = sequence.entries[sequence.length - 1];
  const sha256 = createHash("sha256").update(readFileSync(last.path)).digest("hex");
  const key = keyOf(p, "sha256"), record = store.get(key), stored = record?.value as { sha256: string; step: number } | undefined;
  // the digest is what ties the stored trials to θ_T: a damaged one cannot be checked, nor silently replaced
  if (record !== undefined && !hasForm(stored, DIGEST_FORM)) throw new InputError(`${store.path}: the record "${key}" is damaged (not {sha256, step}); restore the results file, or use another \`out\``);
  if (stored === undefined) store.append([{ key, value: { sha256, step: last.step } }]);
  else if (stored.sha256 !== sha256 || stored.step !== last.step) {
    throw new InputError(`${last.path}: θ_T differs from the one the stored trials of ${p.cell.id} ran on (SHA-256 ${sha256.slice(0, 12)}…, recorded ${stored.sha256.slice(0, 12)}… at step ${stored.step}); retrain it with the software that made the results, or use another \`out\``);
  }
}

/** The checkpoints whose FID a sequence's record holds: every ⌈T/10⌉-th and θ_T. */
export function fidIndices(length: number): number[] {
  const T = length - 1, stride = Math.max(1, Math.ceil(T / PATH_POINTS));
  const out = Array.from({ length: Math.floor(T / stride) + 1 }, (_, i) => i * stride);
  if (out.at(-1) !== T) out.push(T);
  return out;
}

/**
 * The FID of the plan's sequence at fidIndices, each computed once and stored (a killed run keeps what it
 * finished). The classifier and the held-out images' moments are loaded only when something is missing.
 */
export function measureGenerator(store: ResultStore, p: CellPlan, data: () => FashionMnist, samples = FID_SAMPLES, onProgress?: (what: string) => void): void {
  const sequence = CheckpointSequence.open(p.dir), indices = fidIndices(sequence.length);
  // missing, or damaged (measured again)
  const missing = indices.filter((t) => !hasForm(store.get(keyOf(p, `fid/${sequence.steps[t]}`))?.value, FID_FORM));
  if (missing.length === 0) return;
  const { network: classifier, record } = loadClassifier();
  const features = featureNetwork(classifier);
  classifier.free();
  try {
    const reference: FeatureMoments = imageMoments(features, data().heldOut);
    for (const [j, t] of missing.entries()) {
      onProgress?.(`FID of θ_${t} (${j + 1}/${missing.length})`);
      const generator: Network = sequence.load(t);
      try {
        const fid = generatorFid(features, generator, reference, { latent: HYPERPARAMETERS[p.spec.model].latent, samples });
        store.append([{ key: keyOf(p, `fid/${sequence.steps[t]}`), value: { fid, samples, t, classifierAccuracy: record.testAccuracy, classifier: record.sha256 } }]);
      } finally {
        generator.free();
      }
    }
  } finally {
    features.free();
  }
}

export interface GeneratorSummary {
  sequence: string;
  sha256?: string;
  /** FID of θ_T, and along the sequence (step, FID). */
  fid?: number;
  samples?: number;
  classifierAccuracy?: number;
  path: { step: number; t: number; fid: number }[];
}

/** What the store holds of a plan's generator (for summary.json and the report); null when nothing. */
export function generatorSummary(store: ResultStore, p: CellPlan): GeneratorSummary | null {
  const name = basename(p.dir), digest = store.get(keyOf(p, "sha256"))?.value, sha = hasForm(digest, DIGEST_FORM) ? digest as { sha256: string; step: number } : undefined;
  const path = store.matching(`${GENERATOR_PREFIX}${name}/fid/`).filter((r) => hasForm(r.value, FID_FORM)).map((r) => {
    const v = r.value as { fid: number; samples: number; t: number; classifierAccuracy: number };
    return { step: Number(r.key.slice(r.key.lastIndexOf("/") + 1)), ...v };
  }).sort((a, b) => a.step - b.step);
  if (!sha && path.length === 0) return null;
  const final = path.find((x) => x.step === p.training.steps);
  return {
    sequence: name, ...(sha ? { sha256: sha.sha256 } : {}),
    ...(final ? { fid: final.fid, samples: final.samples, classifierAccuracy: final.classifierAccuracy } : {}),
    path: path.map(({ step, t, fid }) => ({ step, t, fid })),
  };
}

/** FID along each sequence (one line per distinct generator), on shared axes; undefined when none has any. */
export function fidFigure(generators: readonly { label: string; g: GeneratorSummary | null }[]): Figure | undefined {
  const seen = new Set<string>();
  const series = generators.flatMap(({ label, g }) => {
    if (!g || g.path.length < 2 || seen.has(g.sequence)) return [];
    seen.add(g.sequence);
    return [{ label, style: "line" as const, points: g.path.map((x) => [x.step, x.fid] as const) }];
  });
  if (series.length === 0) return undefined;
  return {
    svg: linePlot({ title: "FID along the checkpoint sequence", x: { label: "training step" }, y: { label: "FID", log: true }, series }),
    caption: `FID of θ_t at every tenth checkpoint and θ_T: ${FID_CAPTION}`,
  };
}
