// Central differences in float64 of a loss in the parameters of some networks, against the gradient its
// backprop leaves in their grad buffers — the check every training gradient passes.
import { expect } from "chai";
import type { Network } from "../../src/nn/network.js";
import type { Program } from "../../src/nn/program.js";
import { Rng } from "../../src/random/rng.js";

/**
 * Step of the central differences, h = H·max(1, |loss|)^{1/3}. Their error is ~h²·|f‴|/6 from truncation
 * plus ~ε·|f|/h from rounding — a loss summed over thousands of terms, as the VAE's ~600 nats, carries
 * ε·|f| ≈ 1e-12 of rounding noise, and batch norm over 4 samples makes |f‴| reach ~1e3 — and h ∝ |f|^{1/3}
 * balances the two: both stay below ~1e-7 here. A small h also keeps kinks that the activation pattern of
 * the last forward cannot show (those of a GAN's earlier passes) out of [θ − h, θ + h].
 */
const H = 1e-6;
/** |backprop − difference| ≤ REL · max(1, largest |gradient| compared): ten times the error bound above. */
const REL = 1e-6;

/** Activation masks of every piecewise activation of the programs: a kink changes them. */
export function patternOf(...programs: Program[]): string {
  return programs.map((prog) => prog.net.spec.layers.map((_, i) => {
    const m = prog.mask(i);
    return m ? Array.from(m).join("") : "";
  }).join("|")).join("/");
}

export interface GradientCheck {
  /** The loss at the current parameters (evaluated again at each perturbation). */
  loss: () => number;
  /** Add the loss's gradient into the networks' grad buffers (they are zeroed before). */
  gradient: () => void;
  /** The activation pattern after the last `loss()`; perturbations that change it are skipped (a kink within ±h). */
  pattern?: () => string;
}

/**
 * Check ∂loss/∂θ against central differences in `perTensor` entries of every trainable tensor (all of a
 * smaller one, drawn at random from a larger one); returns the number compared. At least 90 % of those
 * picked must be away from kinks.
 */
export function checkParamGradients(nets: Network[], check: GradientCheck, seed: string, perTensor = 8): number {
  for (const net of nets) {
    net.enableGrads();
    net.zeroGrads();
  }
  check.gradient();
  const rng = Rng.derive(seed, "fd-entries");
  const picked: { net: Network; p: Network["params"][number]; e: number; g: number }[] = [];
  for (const net of nets) {
    for (const p of net.params) {
      if (!p.trainable) continue;
      const entries = p.size <= perTensor ? Array.from({ length: p.size }, (_, e) => e) : Array.from({ length: perTensor }, () => rng.int(p.size));
      for (const e of entries) picked.push({ net, p, e, g: p.grads[e] });
    }
  }
  const base = check.loss(), basePattern = check.pattern?.();
  expect(Number.isFinite(base), "loss is finite").to.equal(true);
  const scale = Math.max(1, ...picked.map((x) => Math.abs(x.g))), h = H * Math.cbrt(Math.max(1, Math.abs(base)));
  let compared = 0;
  for (const { net, p, e, g } of picked) {
    const v = p.values[e];
    const at = (value: number): { f: number; pattern: string | undefined } => {
      p.values[e] = value;
      net.touch();
      const f = check.loss();
      return { f, pattern: check.pattern?.() };
    };
    const up = at(v + h), down = at(v - h);
    p.values[e] = v;
    net.touch();
    if (up.pattern !== basePattern || down.pattern !== basePattern) continue;
    const fd = (up.f - down.f) / (2 * h);
    if (Math.abs(g - fd) > REL * scale) expect.fail(`∂loss/∂${p.name}[${e}] = ${g} by backprop, ${fd} by central differences`);
    compared++;
  }
  expect(compared, "entries compared (not at a kink)").to.be.greaterThan(0.9 * picked.length);
  return compared;
}
