/**
 * Dynamic String Sampling in weight space (Freeman & Bruna 2017, Section 4.1 and Figure 1, rows 1–2): for each level L0,
 * pairs of randomly initialized 1-4-4-1 sigmoid networks are trained to the level and connected by DSS;
 * normalized geodesic length and bead count are averaged over the pairs that connected, against L0.
 *
 * Levels are given relative to Var(y), the loss of the best constant fit (so 0.01 means R² = 0.99), which
 * makes the quadratic and cubic tasks comparable. Pair p's two networks start from PyTorch's default
 * initialization seeded by (seed, task, p, end) — the same two networks at every level — and are trained to
 * α·L0 like the beads (our choice: the paper trains them "to L0", but an endpoint on the boundary of the level
 * set can leave no room for a segment to start inside it).
 */
import { InputError } from "../errors.js";
import type { Seed } from "../random/rng.js";
import { checkDssOptions, connect, DSS_SUMMARY_FORM, statistics, summarize, type DssOptions, type DssSummary, type RunStatistics } from "./dss.js";
import type { ResultStore } from "../store.js";
import { RegressionLoss, type RegressionTask } from "./regression.js";
import { checkTrainOptions, trainBelow, type TrainOptions, type TrainResult } from "./train.js";
import { orNull, type Form } from "../form.js";

/**
 * Defaults of `surf landscape dss --task`. Levels from 30 % of Var(y) down to 0.1 % (R² = 0.999): the 1-4-4-1
 * network reaches 0.01 % within a few thousand Adam steps, so every level is attainable. Adam's step sizes:
 * 0.03 takes random networks down fastest, 0.01 keeps a bead near the string it starts on (both measured on
 * these tasks: a few hundred to a few thousand steps per level). Eight pairs per level, as a compromise
 * between the noise of the averages and a run of a few minutes.
 */
export const WEIGHT_DEFAULTS = {
  levels: [0.3, 0.1, 0.03, 0.01, 0.003, 0.001],
  pairs: 8,
  beads: { lr: 0.01, maxSteps: 20000 },
  endpoints: { lr: 0.03, maxSteps: 50000 },
} as const;

export interface WeightSweepOptions {
  task: RegressionTask;
  /** Levels L0 / Var(y), each in (0, 1]. */
  levels: readonly number[];
  pairs: number;
  seed: Seed;
  /** DSS settings but the level (α, samples, insertion, bead budget, bead training). */
  dss: Omit<DssOptions, "level" | "onBead">;
  /** Training of the pair's networks to α·L0. */
  endpoints: TrainOptions;
  /** Finished pairs, for resuming; every pair is recorded as it finishes. */
  journal?: ResultStore;
  /** Told after every pair. */
  onPair?: (done: number, total: number) => void;
}

export interface PairRecord {
  /** L0 / Var(y). */
  level: number;
  L0: number;
  pair: number;
  /** The training of the two endpoints (F, steps, whether α·L0 was reached). */
  endpoints: TrainResult[];
  /** null when an endpoint did not reach α·L0. */
  dss: DssSummary | null;
}

/** The form of a PairRecord read back from the journal. */
const PAIR_FORM: Form = {
  level: "number", L0: "number", pair: "number", endpoints: [{ value: "number", steps: "number", reached: "boolean" }], dss: orNull(DSS_SUMMARY_FORM),
};

export interface LevelResult extends RunStatistics {
  level: number;
  L0: number;
  /** Pairs whose endpoints could not be trained to α·L0 within their budget (no DSS run). */
  endpointsMissed: number;
}

export interface WeightSweep {
  task: RegressionTask;
  variance: number;
  parameters: number;
  levels: LevelResult[];
  pairs: PairRecord[];
}

export function weightSweep(options: WeightSweepOptions): WeightSweep {
  const { task, levels, pairs, seed } = options;
  if (levels.length === 0 || !levels.every((l) => l > 0 && l <= 1)) throw new InputError(`weight-space DSS: levels are L0 / Var(y), each in (0, 1], got ${levels.join(", ")}`);
  if (!(Number.isSafeInteger(pairs) && pairs >= 1)) throw new InputError(`weight-space DSS: pairs must be a positive integer, got ${pairs}`);
  checkTrainOptions(options.endpoints, "weight-space DSS endpoint training");
  const loss = new RegressionLoss(task);
  try {
    const { alpha } = checkDssOptions({ ...options.dss, level: 1 });   // α (and the settings' validity) before any training
    const records: PairRecord[] = [];
    let done = 0;
    for (const level of levels) {
      const L0 = level * loss.variance;
      for (let p = 0; p < pairs; p++) {
        const key = `${task}/${level}/${p}`;
        const compute = (): PairRecord => {
          const ends = ["A", "B"].map((end) => loss.initialTheta(`${seed}/${task}/pair/${p}/${end}`));
          const trained = ends.map((theta) => trainBelow(loss, theta, alpha * L0, options.endpoints));
          const dss = trained.every((t) => t.reached) ? summarize(connect(loss, ends[0], ends[1], { ...options.dss, level: L0 })) : null;
          return { level, L0, pair: p, endpoints: trained, dss };
        };
        records.push(options.journal ? options.journal.getOrCompute(key, compute, PAIR_FORM) : compute());
        options.onPair?.(++done, levels.length * pairs);
      }
    }
    return {
      task,
      variance: loss.variance,
      parameters: loss.dimension,
      levels: levels.map((level) => {
        const here = records.filter((r) => r.level === level);
        return { level, L0: level * loss.variance, ...statistics(here.flatMap((r) => (r.dss ? [r.dss] : []))), endpointsMissed: here.filter((r) => !r.dss).length };
      }),
      pairs: records,
    };
  } finally {
    loss.free();
  }
}
