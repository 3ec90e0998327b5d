/**
 * The pieces of Algorithm 3.2 (Song, Fan & Lafferty 2019, Section 3): S(x, θ, τ) = {(i, j) : |w_ij·x_{i−1} + b_ij| ≤ τ},
 * the neurons whose sign may change in the next step, and P(x, θ, τ), every full-dimensional linear piece
 * whose pattern differs from x's only inside S — found by the subdivision of subdivision.ts with the
 * neurons outside S clipped to x's sign and those inside S split. Pieces are intersected with the box
 * [−L, L]^k (a polytope needs bounds; choose L to contain the minimizers sought). Section 6 bounds their
 * number by 1 + 2|S| … and for hyperplanes through one point in general position it is exactly
 * 2 Σ_{i<k} C(|S| − 1, i) (Cover).
 */
import { InputError } from "../errors.js";
import { checkBox, checkNet, checkPoint, type PiecewiseLinearNet } from "./affine.js";
import { strictInterior } from "./lp.js";
import { evaluate } from "./pattern.js";
import type { Region } from "./region.js";
import { subdivide } from "./subdivision.js";

export interface Piece extends Region {
  /** A strictly interior point (the centroid of the piece's vertices, or its Chebyshev centre). */
  readonly interior: Float64Array;
}

/**
 * S(x, θ, τ): the neurons (pattern indices) with |pre-activation| ≤ τ at x.
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * // the neurons whose pre-activation at x is within τ = 0.1 of 0: the ones a small step may switch
 * geometry.slackSet(net, [0.5, -0.25], 0.1);   // → [0]
 */
export function slackSet(net: PiecewiseLinearNet, x: ArrayLike<number>, tau: number): Int32Array {
  checkNet(net);
  checkTau(tau);
  const { pre } = evaluate(net, checkPoint(x, net.k, "x"));
  const S: number[] = [];
  pre.forEach((v, j) => {
    if (Math.abs(v) <= tau) S.push(j);
  });
  return Int32Array.from(S);
}

/**
 * The default cap on |P(x, θ, τ)|.
 *
 * @example
 * import { geometry } from "surfing";
 * geometry.DEFAULT_MAX_PIECES;   // → 100000
 */
export const DEFAULT_MAX_PIECES = 100_000;

/**
 * P(x, θ, τ) inside [−L, L]^k: H-representation, affine map and an interior point of each piece; more
 * than maxPieces (default DEFAULT_MAX_PIECES) is refused with InputError (τ is too large for the net).
 *
 * @example
 * import { geometry } from "surfing";
 * const net = geometry.randomNet([2, 6, 4], "surf", 0);
 * // x's piece and the one across neuron 0, the only neuron within τ = 0.1 of switching (slackSet)
 * const found = geometry.pieces(net, [0.5, -0.25], 0.1, 1);   // in the box [−1, 1]²
 * found.map((piece) => geometry.patternString(piece.pattern));   // → ["100011", "000011"]
 */
export function pieces(net: PiecewiseLinearNet, x: ArrayLike<number>, tau: number, box: number, maxPieces = DEFAULT_MAX_PIECES): Piece[] {
  checkNet(net);
  checkTau(tau);
  const L = checkBox(box);
  const { pre, pattern } = evaluate(net, checkPoint(x, net.k, "x"));
  const fixed = new Int8Array(pattern.length);
  for (let j = 0; j < pattern.length; j++) fixed[j] = Math.abs(pre[j]) <= tau ? 0 : pattern[j] ? 1 : -1;
  const out: Piece[] = [];
  subdivide(net, L, (leaf) => {
    // Every piece of the exact subdivision has interior; the LP only improves the centroid (its tolerance is relative to the box).
    const region = leaf.region(), interior = strictInterior(region, leaf.interior) ?? leaf.interior.slice();
    out.push({ ...region, interior });
  }, { fixed, maxRegions: maxPieces, tooMany: `pieces: more than maxPieces = ${maxPieces} pieces in P(x, θ, τ) for τ = ${tau} (|S| = ${fixed.filter((v) => v === 0).length} neurons within τ of 0); lower τ, or raise maxPieces` });
  return out;
}

function checkTau(tau: number): void {
  if (typeof tau !== "number" || !Number.isFinite(tau) || tau < 0) throw new InputError(`tau must be a finite slack ≥ 0, got ${String(tau)}`);
}
