/**
 * The training losses, each with its gradient: a value summed over a batch times `scale` (1/batch for a
 * mean), and the gradient with respect to what the networks output written into `grad`. Float64 arithmetic
 * over heap views; a batch holds a few thousand values, so these loops cost nothing next to the products.
 */
type Floats = Float32Array | Float64Array;

/** log(1 + eˣ), without overflow. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Binary cross-entropy of discriminator logits l against a label (1 real, 0 fake):
 * −log σ(l) or −log(1 − σ(l)) (Goodfellow et al. 2014), ∂/∂l = σ(l) − label. The non-saturating
 * generator loss is the label-1 loss of the fakes' logits.
 */
export function logitCrossEntropy(logits: Floats, label: 0 | 1, scale: number, grad: Floats): number {
  let loss = 0;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i];
    loss += label === 1 ? softplus(-l) : softplus(l);
    grad[i] = scale * (sigmoid(l) - label);
  }
  return scale * loss;
}

/** A critic's mean score with a sign: sign·Σ D, ∂/∂D = sign (WGAN's E D(G(z)) − E D(x) is two of these). */
export function criticScore(scores: Floats, sign: 1 | -1, scale: number, grad: Floats): number {
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    s += scores[i];
    grad[i] = sign * scale;
  }
  return sign * scale * s;
}

/** Logarithms clamped below at −100, as torch.nn.BCELoss does, so a saturated pixel costs 100 nats, not ∞. */
const LOG_FLOOR = -100;
/** torch.nn.BCELoss's backward divides by max(p(1 − p), 1e-12) (its EPSILON). */
const BCE_EPS = 1e-12;

/**
 * The Bernoulli decoder's reconstruction loss −log p(x | z) = −Σ [x log p + (1 − x) log(1 − p)] of
 * images x in [0, 1] under pixel probabilities p = G(z) (sigmoid outputs), and ∂/∂p as torch.nn.BCELoss
 * computes it: (p − x) / max(p(1 − p), ε) — the sigmoid's backward then leaves p − x.
 */
export function bernoulliReconstruction(x: Floats, p: Floats, scale: number, grad: Floats): number {
  let loss = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i], xi = x[i];
    loss -= xi * Math.max(Math.log(pi), LOG_FLOOR) + (1 - xi) * Math.max(Math.log1p(-pi), LOG_FLOOR);
    grad[i] = (scale * (pi - xi)) / Math.max(pi * (1 - pi), BCE_EPS);
  }
  return scale * loss;
}

/**
 * KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²) (Kingma & Welling 2014, Appendix B) of the
 * encoder's outputs, rows × 2k with μ first and log σ² second in each row; ∂/∂μ = μ and
 * ∂/∂log σ² = ½(σ² − 1), added (times scale) into `grad` (same layout).
 */
export function gaussianKl(encoded: Floats, rows: number, k: number, scale: number, grad: Floats): number {
  let kl = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const m = r * 2 * k + j, v = m + k, mu = encoded[m], lv = encoded[v], s2 = Math.exp(lv);
      kl += 0.5 * (mu * mu + s2 - 1 - lv);
      grad[m] += scale * mu;
      grad[v] += scale * 0.5 * (s2 - 1);
    }
  }
  return scale * kl;
}

/**
 * The reparameterization z = μ + σ·ε, σ = exp(½ log σ²) (Kingma & Welling 2014, Section 2.4), of the
 * encoder's rows × 2k outputs and ε (rows × k) into z (rows × k).
 */
export function reparameterize(encoded: Floats, eps: Floats, rows: number, k: number, z: Floats): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) z[r * k + j] = encoded[r * 2 * k + j] + Math.exp(0.5 * encoded[r * 2 * k + k + j]) * eps[r * k + j];
  }
}

/**
 * Back through the reparameterization: given ∂L/∂z, write ∂L/∂μ = ∂L/∂z and ∂L/∂log σ² = ∂L/∂z·ε·½σ
 * into `grad` (rows × 2k, overwritten).
 */
export function reparameterizeBackward(encoded: Floats, eps: Floats, gz: Floats, rows: number, k: number, grad: Floats): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const g = gz[r * k + j];
      grad[r * 2 * k + j] = g;
      grad[r * 2 * k + k + j] = g * eps[r * k + j] * 0.5 * Math.exp(0.5 * encoded[r * 2 * k + k + j]);
    }
  }
}

/**
 * WGAN-GP's gradient penalty λ·Σ_rows (‖g_r‖ − 1)² (Gulrajani et al. 2017, eq. 3) of the critic's input
 * gradients g (rows × n), times scale, and its gradient u_r = 2λ·scale·(‖g_r‖ − 1)·g_r/‖g_r‖ with respect
 * to g (0 where g_r = 0: a subgradient), the direction Program.mixedBackward takes.
 */
export function gradientPenalty(g: Floats, rows: number, n: number, lambda: number, scale: number, u: Floats): number {
  let penalty = 0;
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let i = 0; i < n; i++) sq += g[r * n + i] ** 2;
    const norm = Math.sqrt(sq), c = norm > 0 ? (2 * lambda * scale * (norm - 1)) / norm : 0;
    penalty += (norm - 1) ** 2;
    for (let i = 0; i < n; i++) u[r * n + i] = c * g[r * n + i];
  }
  return lambda * scale * penalty;
}

/**
 * Softmax cross-entropy of rows × classes logits against integer labels, −Σ_r log softmax(l_r)[y_r] times
 * scale (torch.nn.CrossEntropyLoss), with ∂/∂l = scale·(softmax(l) − onehot(y)) written into `grad`. The
 * log-sum-exp is shifted by the row's maximum, so no logit overflows.
 */
export function softmaxCrossEntropy(logits: Floats, labels: ArrayLike<number>, classes: number, scale: number, grad: Floats): number {
  let loss = 0;
  for (let r = 0; r < labels.length; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
    const logSum = max + Math.log(sum);
    loss += logSum - logits[o + labels[r]];
    for (let c = 0; c < classes; c++) grad[o + c] = scale * (Math.exp(logits[o + c] - logSum) - (c === labels[r] ? 1 : 0));
  }
  return scale * loss;
}
