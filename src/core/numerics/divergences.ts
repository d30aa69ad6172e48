/**
 * Divergences and the GAN value function (Goodfellow et al. 2014), written once:
 *
 *   JSD(p ‖ q)  = ½ ∫ p log(2p / (p + q)) + ½ ∫ q log(2q / (p + q)), in nats (0 … log 2)
 *   KL(p ‖ q)   = Σ_k p_k log(p_k / q_k) of two histograms (0 log 0 = 0)
 *   V(D, G)     = E_{x∼p_data}[log D(x)] + E_{x∼p_g}[log(1 − D(x))]                      (eq. 1)
 *   C(G)        = max_D V(D, G) = V(D*_G, G) = −log 4 + 2 · JSD(p_data ‖ p_g)              (Theorem 1)
 *
 * On a grid every integral is a Riemann sum (grid.ts); by sampling, V is a mean over samples. D is given by its logits
 * l: log D = logσ(l) = −softplus(−l) and log(1 − D) = −softplus(l), finite for saturated D (|l| ≥ 30). The JSD is
 * computed from its own definition, V(D*, G) through V with D*'s logits log p_data − log p_g (Proposition 1), so that
 * V(D*, G) = −log 4 + 2·JSD is a check of Theorem 1, not an identity of the code.
 */
import { logSigmoid, meanAndVariance, softplus } from "./scalar.js";

/** log 4: −V(D, G) at D = 1/2 everywhere, and −C(G) at its global minimum p_g = p_data. */
export const LOG_FOUR = Math.log(4);

/** p · f, taken as 0 where p is 0 (f may then be infinite or NaN: 0 · log 0 = 0 by continuity). */
function weighted(density: number, value: number): number {
  return density === 0 ? 0 : density * value;
}

/**
 * JSD(p ‖ q) of two densities on a grid with cell volume `cellVolume`, in nats, clamped to [0, log 2] against rounding.
 * `outsideMass` is q's mass off the grid, where p = 0: it adds ½ · log 2 per unit of mass.
 */
export function jensenShannonOnGrid(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  cellVolume: number,
  outsideMass = 0,
): number {
  if (p.length !== q.length) throw new RangeError(`jsd: ${p.length} vs ${q.length} grid points`);
  let sum = 0;
  for (let index = 0; index < p.length; index++) {
    const pi = p[index]!;
    const qi = q[index]!;
    const mixture = pi + qi;
    if (pi > 0) sum += pi * Math.log((2 * pi) / mixture);
    if (qi > 0) sum += qi * Math.log((2 * qi) / mixture);
  }
  return Math.min(Math.LN2, Math.max(0, (sum * cellVolume) / 2 + (outsideMass * Math.LN2) / 2));
}

/** KL(p ‖ q) = Σ_k p_k log(p_k / q_k) of two histograms (each summing to 1), in nats; 0 log 0 = 0. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`kl: ${p.length} vs ${q.length} bins`);
  let sum = 0;
  for (let index = 0; index < p.length; index++) {
    const pk = p[index]!;
    if (pk > 0) sum += pk * Math.log(pk / q[index]!);
  }
  return sum;
}

/**
 * V(D, G) on a grid for a discriminator given by its logits l(xᵢ):
 * Σᵢ cellVolume · [p_data(xᵢ) · log σ(lᵢ) + p_g(xᵢ) · (−softplus(lᵢ))]. All arrays [grid size].
 */
export function valueOnGrid(
  logits: ArrayLike<number>,
  data: ArrayLike<number>,
  generated: ArrayLike<number>,
  cellVolume: number,
): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const logit = logits[i]!;
    sum += weighted(data[i]!, logSigmoid(logit)) + weighted(generated[i]!, -softplus(logit));
  }
  return sum * cellVolume;
}

/** logit D*(xᵢ) = log p_data(xᵢ) − log p_g(xᵢ): ±Infinity where one density is 0, NaN where both are. */
export function optimalLogits(data: ArrayLike<number>, generated: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: data.length }, (_, i) => Math.log(data[i]!) - Math.log(generated[i]!));
}

/** V(D*_G, G) on the grid: {@link valueOnGrid} with D*'s logits (off the grid D* = 0 and p_g log 1 = 0). */
export function optimalValueOnGrid(data: ArrayLike<number>, generated: ArrayLike<number>, cellVolume: number): number {
  return valueOnGrid(optimalLogits(data, generated), data, generated, cellVolume);
}

/** C(G) = −log 4 + 2 · JSD(p_data ‖ p_g): the value the optimal D attains (Theorem 1). */
export function criterionFromJensenShannon(jensenShannon: number): number {
  return -LOG_FOUR + 2 * jensenShannon;
}

/** V(D, G) estimated by sampling. */
export interface ValueEstimate {
  /** realTerm + fakeTerm. */
  value: number;
  /** mean log D(x) over real samples. */
  realTerm: number;
  /** mean log(1 − D(G(z))) over generated samples. */
  fakeTerm: number;
  /** Standard error of `value`: √(var(real terms)/n + var(fake terms)/m). */
  standardError: number;
}

/**
 * V(D, G) by sampling, from D's logits on real samples (x ∼ p_data) and on generated ones (x = G(z), z ∼ p_z):
 * mean(log σ(l_real)) + mean(−softplus(l_fake)) in float64 — what a minibatch's −(D loss) estimates.
 */
export function valueBySampling(realLogits: ArrayLike<number>, fakeLogits: ArrayLike<number>): ValueEstimate {
  const real = meanAndVariance(Float64Array.from(realLogits, logSigmoid));
  const fake = meanAndVariance(Float64Array.from(fakeLogits, (logit) => -softplus(logit)));
  return {
    value: real.mean + fake.mean,
    realTerm: real.mean,
    fakeTerm: fake.mean,
    standardError: Math.sqrt(real.variance / realLogits.length + fake.variance / fakeLogits.length),
  };
}
