/**
 * The value function of the minimax game (Goodfellow et al. 2014, eq. 1) and the virtual training criterion
 * (Theorem 1):
 *
 *   V(D, G) = E_{x∼p_data}[log D(x)] + E_{x∼p_g}[log(1 − D(x))]
 *   C(G)    = max_D V(D, G) = V(D*_G, G) = −log 4 + 2 · JSD(p_data ‖ p_g)
 *
 * Each on a grid (midpoint rule, in log space: D is given as logits, log D = −softplus(−l), log(1 − D) = −softplus(l))
 * and V also by sampling. The JSD is computed from its own definition — ½ KL(p_data ‖ m) + ½ KL(p_g ‖ m) with
 * m = (p_data + p_g)/2 — not from V, so that V(D*, G) = −log 4 + 2·JSD is a check of the theorem, not an identity
 * of the code.
 */
import { logAddExp, type DensityOnGrid, type Grid } from "./grid.js";
import { softplus } from "./networks.js";
import { optimalDiscriminatorLogits } from "./optimalDiscriminator.js";

/** log 4: −V(D, G) at D = 1/2 everywhere, and −C(G) at its global minimum p_g = p_data. */
export const LOG_FOUR = Math.log(4);

/** p · f, taken as 0 where p is 0 (f may then be infinite: 0 · log 0 = 0 by continuity). */
function weighted(density: number, value: number): number {
  return density === 0 ? 0 : density * value;
}

/**
 * V(D, G) on the grid for a discriminator given by its logits l(xᵢ) [count]:
 * Σᵢ Δ · [p_data(xᵢ) · (−softplus(−lᵢ)) + p_g(xᵢ) · (−softplus(lᵢ))].
 */
export function valueOnGrid(
  logits: ArrayLike<number>,
  data: DensityOnGrid,
  generated: DensityOnGrid,
  grid: Grid,
): number {
  let sum = 0;
  for (let i = 0; i < grid.count; i++) {
    const logit = logits[i]!;
    sum += weighted(data.density[i]!, -softplus(-logit)) + weighted(generated.density[i]!, -softplus(logit));
  }
  return sum * grid.step;
}

/** V(D*_G, G) on the grid: {@link valueOnGrid} with D*'s logits log p_data − log p_g. */
export function optimalValueOnGrid(data: DensityOnGrid, generated: DensityOnGrid, grid: Grid): number {
  return valueOnGrid(optimalDiscriminatorLogits(data, generated), data, generated, grid);
}

/**
 * JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2, in nats (0 … log 2), on the grid in log space:
 * log m = logaddexp(log p, log q) − log 2.
 */
export function jensenShannonOnGrid(p: DensityOnGrid, q: DensityOnGrid, grid: Grid): number {
  let sum = 0;
  for (let i = 0; i < grid.count; i++) {
    const logP = p.logDensity[i]!;
    const logQ = q.logDensity[i]!;
    const logMixture = logAddExp(logP, logQ) - Math.LN2;
    sum += 0.5 * (weighted(p.density[i]!, logP - logMixture) + weighted(q.density[i]!, logQ - logMixture));
  }
  return sum * grid.step;
}

/** C(G) = −log 4 + 2 · JSD(p_data ‖ p_g): the value the optimal D attains (Theorem 1). */
export function virtualTrainingCriterion(data: DensityOnGrid, generated: DensityOnGrid, grid: Grid): number {
  return -LOG_FOUR + 2 * jensenShannonOnGrid(data, generated, grid);
}

/** A Monte-Carlo estimate and its standard error. */
export interface Estimate {
  value: number;
  /** Standard error of `value`: √(var(real terms)/n + var(fake terms)/m). */
  standardError: number;
}

/** Mean and variance of the terms t(v) over values (float64). */
function meanAndVariance(values: ArrayLike<number>, term: (value: number) => number): [number, number] {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const t = term(values[i]!);
    sum += t;
    squares += t * t;
  }
  const mean = sum / values.length;
  return [mean, Math.max(0, squares / values.length - mean * mean)];
}

/**
 * V(D, G) by sampling, from D's logits on real samples (x ∼ p_data) and on generated ones (x = G(z), z ∼ p_z):
 * mean(−softplus(−l_real)) + mean(−softplus(l_fake)) in float64 — what a minibatch's −(D loss) estimates.
 */
export function valueBySampling(realLogits: ArrayLike<number>, fakeLogits: ArrayLike<number>): Estimate {
  const [realMean, realVariance] = meanAndVariance(realLogits, (logit) => -softplus(-logit));
  const [fakeMean, fakeVariance] = meanAndVariance(fakeLogits, (logit) => -softplus(logit));
  return {
    value: realMean + fakeMean,
    standardError: Math.sqrt(realVariance / realLogits.length + fakeVariance / fakeLogits.length),
  };
}
