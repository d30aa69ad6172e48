/**
 * Divergences on the 1-D and 2-D toys, where p_data is known exactly — the quantities of Goodfellow et al. 2014, §4.
 *
 * - JSD(p_data ‖ p_g) = ½ ∫ p log(2p / (p + q)) + ½ ∫ q log(2q / (p + q)), in nats (0 … log 2), with p = p_data
 *   exact and q = p_g a Gaussian KDE of generated samples, both on one grid (kde.ts), integrated as Riemann sums.
 *   Generated mass outside the grid (where p = 0) adds ½ · log 2 per unit of mass.
 * - V(D*, G) = ∫ p log D* + ∫ q log(1 − D*) with D* = p / (p + q) (Proposition 1) on the same grid, beside
 *   −log 4 + 2 · JSD (Theorem 1). Both use the same p and q, so they agree to rounding: p is renormalised to 1 on
 *   the grid and q's missing mass is accounted for, and the identity is then exact algebra; `identityGap` shows it.
 * - V(D, G) = E_{x∼p_data} log D(x) + E_{z} log(1 − D(G(z))) of the trained D, estimated from fresh real samples and
 *   the generated samples; on logits l, log D = −softplus(−l) and log(1 − D) = −softplus(l). By Proposition 1 it is
 *   at most V(D*, G) up to estimation error (sampling noise and the KDE's smoothing of p_g); at equilibrium both are
 *   −log 4 ≈ −1.386.
 *
 * Caveat: the JSD of a KDE is biased upward for perfect samples by the kernel's smoothing (with 2 500 samples on the
 * ring, ~0.01 nats; see docs/evaluation.md); compare runs evaluated with the same sample count.
 */
import type { ToyDistribution } from "../data/toys.js";
import {
  KERNEL_HALF_WIDTH_BANDWIDTHS,
  chooseBandwidth,
  dataDensityOnGrid,
  densityGrid,
  gaussianKdeOnGrid,
  GRID_POINTS_PER_STD,
  type BandwidthRule,
} from "./kde.js";

const LOG_TWO = Math.log(2);
const LOG_FOUR = Math.log(4);

/** Jensen–Shannon divergence of two densities on a grid (nats); `outsideMass` is q's mass off the grid (p = 0 there). */
export function jensenShannonOnGrid(p: Float64Array, q: Float64Array, cellVolume: number, outsideMass = 0): number {
  if (p.length !== q.length) throw new RangeError(`jsd: ${p.length} vs ${q.length} grid points`);
  let sum = 0;
  for (let index = 0; index < p.length; index++) {
    const pi = p[index]!;
    const qi = q[index]!;
    const mixture = pi + qi;
    if (pi > 0) sum += pi * Math.log((2 * pi) / mixture);
    if (qi > 0) sum += qi * Math.log((2 * qi) / mixture);
  }
  return Math.max(0, (sum * cellVolume) / 2 + (outsideMass * LOG_TWO) / 2);
}

/** V(D*, G) = ∫ p log(p / (p + q)) + ∫ q log(q / (p + q)) on a grid (off the grid D* = 0 and q log 1 = 0). */
export function optimalValueOnGrid(p: Float64Array, q: Float64Array, cellVolume: number): number {
  if (p.length !== q.length) throw new RangeError(`V(D*, G): ${p.length} vs ${q.length} grid points`);
  let sum = 0;
  for (let index = 0; index < p.length; index++) {
    const pi = p[index]!;
    const qi = q[index]!;
    if (pi > 0) sum += pi * Math.log(pi / (pi + qi));
    if (qi > 0) sum += qi * Math.log(qi / (pi + qi));
  }
  return sum * cellVolume;
}

/** softplus(x) = log(1 + eˣ), finite for any x. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** V(D, G) estimated from D's logits on real and on generated samples. */
export interface ValueEstimate {
  /** realTerm + fakeTerm. */
  value: number;
  /** mean log D(x) over real samples. */
  realTerm: number;
  /** mean log(1 − D(G(z))) over generated samples. */
  fakeTerm: number;
}

/** V(D, G) from logits l: mean −softplus(−l_real) + mean −softplus(l_fake). */
export function valueFromLogits(realLogits: ArrayLike<number>, fakeLogits: ArrayLike<number>): ValueEstimate {
  let real = 0;
  for (let index = 0; index < realLogits.length; index++) real -= softplus(-realLogits[index]!);
  let fake = 0;
  for (let index = 0; index < fakeLogits.length; index++) fake -= softplus(fakeLogits[index]!);
  const realTerm = real / realLogits.length;
  const fakeTerm = fake / fakeLogits.length;
  return { value: realTerm + fakeTerm, realTerm, fakeTerm };
}

/** D's logits for points [count, dimension] row-major → [count]. */
export type LogitsFunction = (points: Float32Array, count: number) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** Inputs of the divergence metric. */
export interface DivergenceOptions {
  /** The toy distribution (exact density). */
  distribution: Pick<ToyDistribution, "dimension" | "bounds" | "modeStd" | "density">;
  /** Generated samples [n, dimension] row-major. */
  generated: Float32Array;
  /** Fresh real samples [m, dimension] for V(D, G); required with `logits`. */
  real?: Float32Array;
  /** The trained D's logits; when given, V(D, G) is reported. */
  logits?: LogitsFunction;
  /** KDE bandwidth rule (default cross-validation; see kde.ts). */
  bandwidth?: BandwidthRule;
}

/** What the divergence metric reports. */
export interface DivergenceResult {
  /** JSD(p_data ‖ p_g) in nats. */
  jensenShannon: number;
  /** V(D*, G) on the grid. */
  optimalValue: number;
  /** −log 4 + 2 · JSD (Theorem 1's C(G)). */
  theoreticalValue: number;
  /** optimalValue − theoreticalValue: rounding only. */
  identityGap: number;
  /** V(D, G) of the trained D, when its logits were given. */
  discriminatorValue?: ValueEstimate & { realCount: number; generatedCount: number };
  /** The KDE bandwidth and how it was chosen. */
  bandwidth: number;
  bandwidthRule: "cross-validation" | "scott" | "fixed";
  /** Grid points per axis and spacing per axis. */
  gridPoints: number[];
  gridSpacing: number[];
  /** Generated (KDE) mass that fell outside the grid, in [0, 1]. */
  generatedMassOutsideGrid: number;
  /** p_data's Riemann mass on the grid before renormalisation (≈ 1). */
  dataMassOnGrid: number;
  sampleCount: number;
}

/** Computes JSD, V(D*, G) and −log 4 + 2·JSD on a grid, and V(D, G) when D's logits are given. */
export async function divergence(options: DivergenceOptions): Promise<DivergenceResult> {
  const { distribution, generated } = options;
  const dimension = distribution.dimension;
  const count = generated.length / dimension;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`divergence: ${generated.length} values`);
  const finite = finiteRows(generated, dimension);
  // Bandwidths below half the finest possible grid spacing cannot be resolved on the grid.
  const floor = distribution.modeStd / GRID_POINTS_PER_STD / 2;
  const choice =
    finite.length > 0
      ? await chooseBandwidth(finite, dimension, options.bandwidth ?? "cross-validation", floor)
      : { bandwidth: floor, rule: "fixed" as const };
  const grid = densityGrid(distribution, finite, KERNEL_HALF_WIDTH_BANDWIDTHS * choice.bandwidth);

  const p = dataDensityOnGrid(distribution, grid);
  let dataMass = 0;
  for (const value of p) dataMass += value;
  dataMass *= grid.cellVolume;
  for (let index = 0; index < p.length; index++) p[index] = p[index]! / dataMass; // ∫ p = 1 on the grid

  // Non-finite samples are generated mass outside the grid too: the KDE is normalised by all `count` samples.
  const q = gaussianKdeOnGrid(finite, grid, choice.bandwidth);
  let generatedMass = 0;
  for (let index = 0; index < q.length; index++) {
    q[index] = (q[index]! * (finite.length / dimension)) / count;
    generatedMass += q[index]!;
  }
  const outsideMass = Math.max(0, 1 - generatedMass * grid.cellVolume);

  const jensenShannon = jensenShannonOnGrid(p, q, grid.cellVolume, outsideMass);
  const optimalValue = optimalValueOnGrid(p, q, grid.cellVolume);
  const theoreticalValue = -LOG_FOUR + 2 * jensenShannon;
  const result: DivergenceResult = {
    jensenShannon,
    optimalValue,
    theoreticalValue,
    identityGap: optimalValue - theoreticalValue,
    bandwidth: choice.bandwidth,
    bandwidthRule: choice.rule,
    gridPoints: grid.axes.map((axis) => axis.length),
    gridSpacing: grid.spacing,
    generatedMassOutsideGrid: outsideMass,
    dataMassOnGrid: dataMass,
    sampleCount: count,
  };
  if (options.logits) {
    const real = options.real;
    if (!real || real.length === 0) throw new RangeError("divergence: V(D, G) needs fresh real samples");
    const realCount = real.length / dimension;
    const estimate = valueFromLogits(await options.logits(real, realCount), await options.logits(generated, count));
    result.discriminatorValue = { ...estimate, realCount, generatedCount: count };
  }
  return result;
}

/** The rows of `samples` [n, dimension] whose coordinates are all finite. */
function finiteRows(samples: Float32Array, dimension: number): Float32Array {
  const count = samples.length / dimension;
  const kept = new Float32Array(samples.length);
  let length = 0;
  for (let row = 0; row < count; row++) {
    let ok = true;
    for (let axis = 0; axis < dimension; axis++) ok &&= Number.isFinite(samples[row * dimension + axis]!);
    if (!ok) continue;
    kept.set(samples.subarray(row * dimension, (row + 1) * dimension), length);
    length += dimension;
  }
  return kept.subarray(0, length);
}
