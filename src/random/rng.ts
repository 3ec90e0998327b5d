/**
 * The one seeded generator. Every random draw in the library comes from an Rng derived from the run
 * seed and a path naming what it is for (`Rng.derive(seed, "trial", 17)`), so a trial's randomness
 * depends only on the run seed and its index — never on batch size, worker count or engine.
 *
 * Stream: seedrandom's xor4096 (Brent's xorgens, period 2^4096 − 1), 53-bit doubles.
 * Normals: Marsaglia's polar method, with fdlibm's logarithm (./log.ts) instead of Math.log, whose last
 * bit differs between engines (Node 20 and Deno 2 disagree); Math.sqrt is exact everywhere. So a seed
 * gives the same bits under Node, Deno and browsers.
 */
import seedrandom from "seedrandom";
import { log } from "./log.js";

export type Seed = string | number;

/**
 * The seeded generator every random draw of the library comes from (seedrandom's xor4096), one stream per
 * seed and path: the same bits under Node, Deno and browsers.
 *
 * @example
 * import { Rng } from "surfing";
 * const a = Rng.derive("0", "trial", 17), b = Rng.derive("0", "trial", 17);   // seed "0", trial 17's stream
 * a.normal() === b.normal();   // → true
 * a.uniformIn(-1, 1);   // uniform on [−1, 1)
 */
export class Rng {
  private readonly prng: seedrandom.PRNG;
  private spare = NaN;

  constructor(readonly seed: string) {
    this.prng = seedrandom.xor4096(seed);
  }

  /** The generator for `path` under `seed`: independent streams for independent purposes. */
  static derive(seed: Seed, ...path: Seed[]): Rng {
    return new Rng([seed, ...path].map(String).join("/"));
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.prng.double();
  }

  /** Uniform on [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.prng.double() - 1;
      v = 2 * this.prng.double() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Fill `out` with N(mean, std²) draws. */
  fillNormal(out: { length: number; [i: number]: number }, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  /** Fill `out` with uniform draws on [lo, hi). */
  fillUniform(out: { length: number; [i: number]: number }, lo = 0, hi = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.prng.double();
  }
}
