/**
 * Densities and the paper's quantities on a 1-D grid (pure functions, no TF.js):
 *
 *   p_g               a Gaussian kernel density estimate of G's samples (binned onto the grid, then smoothed)
 *   D*(x)             = p_data(x) / (p_data(x) + p_g(x))                                    (Proposition 1)
 *   V(D, G)           = ∫ p_data log D + ∫ p_g log(1 − D)                                    (eq. 1)
 *   JSD(p_data ‖ p_g) = ½ ∫ p_data log(p_data / m) + ½ ∫ p_g log(p_g / m),  m = (p_data + p_g)/2
 *   C(G) = V(D*, G)   = −log 4 + 2·JSD                                                       (Theorem 1)
 *
 * All integrals are Riemann sums over the same grid, so V(D, G) ≤ C(G) holds exactly for every D — the chart shows
 * the current D's value approaching the theory's bound. Mass of p_g that falls outside the grid, where p_data is
 * negligible, counts in the JSD as it should: ½·q·log 2.
 * (The evaluation issue's src/core/theory will own these definitions; this file is the lab's copy until it lands.)
 */

/** Silverman's rule of thumb for a Gaussian kernel: h = 0.9 · min(σ, IQR/1.34) · n^(−1/5). */
const SILVERMAN_FACTOR = 0.9;
const SILVERMAN_EXPONENT = -1 / 5;
const IQR_TO_STD = 1.34;
/** The kernel is cut at this many bandwidths (the rest is < 1e-4 of its mass). */
const KERNEL_HALF_WIDTH = 4;
/**
 * D* is left undefined (NaN, not drawn) where p_data + p_g is below this fraction of p_data's peak: there it is a ratio
 * of two vanishing tails, mathematically defined but meaningless to look at.
 */
const OPTIMAL_DISCRIMINATOR_FLOOR = 1e-3;

/** count evenly spaced points from low to high inclusive. */
export function linearGrid(low: number, high: number, count: number): Float64Array {
  const grid = new Float64Array(count);
  for (let index = 0; index < count; index++) grid[index] = low + ((high - low) * index) / (count - 1);
  return grid;
}

/** Mean and standard deviation. */
export function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let index = 0; index < values.length; index++) squares += (values[index]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}

/** Silverman's bandwidth, never below `floor` (a collapsed G has σ = 0). */
export function silvermanBandwidth(samples: ArrayLike<number>, floor: number): number {
  const sorted = Float64Array.from(samples).sort();
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const { std } = meanAndStd(sorted);
  const spread = Math.min(std, (quantile(0.75) - quantile(0.25)) / IQR_TO_STD) || std;
  return Math.max(floor, SILVERMAN_FACTOR * spread * sorted.length ** SILVERMAN_EXPONENT);
}

/**
 * Gaussian KDE of `samples` evaluated on an evenly spaced `grid` (linear binning, then a discrete convolution: exact
 * to within a fraction of the grid spacing, and O(grid · kernel) instead of O(grid · samples)). Samples outside the
 * grid are dropped, so the result integrates to the fraction of samples inside it.
 */
export function kernelDensity(samples: ArrayLike<number>, grid: Float64Array, bandwidth: number): Float64Array {
  const count = grid.length;
  const spacing = grid[1]! - grid[0]!;
  const bins = new Float64Array(count);
  for (let index = 0; index < samples.length; index++) {
    const position = (samples[index]! - grid[0]!) / spacing;
    const left = Math.floor(position);
    const weight = position - left;
    if (left >= 0 && left < count) bins[left] = bins[left]! + 1 - weight;
    if (left + 1 >= 0 && left + 1 < count) bins[left + 1] = bins[left + 1]! + weight;
  }
  const reach = Math.max(1, Math.ceil((KERNEL_HALF_WIDTH * bandwidth) / spacing));
  const kernel = new Float64Array(2 * reach + 1);
  let kernelSum = 0;
  for (let offset = -reach; offset <= reach; offset++) {
    const value = Math.exp(-0.5 * ((offset * spacing) / bandwidth) ** 2);
    kernel[offset + reach] = value;
    kernelSum += value;
  }
  const density = new Float64Array(count);
  const scale = 1 / (samples.length * spacing * kernelSum);
  for (let index = 0; index < count; index++) {
    const mass = bins[index]!;
    if (mass === 0) continue;
    for (let offset = -reach; offset <= reach; offset++) {
      const target = index + offset;
      if (target >= 0 && target < count) density[target] = density[target]! + mass * kernel[offset + reach]! * scale;
    }
  }
  return density;
}

/** Σ values · spacing. */
export function integrate(values: ArrayLike<number>, spacing: number): number {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index]!;
  return sum * spacing;
}

/** D*(x) = p_data / (p_data + p_g); NaN where neither has appreciable mass. */
export function optimalDiscriminator(dataDensity: Float64Array, generatorDensity: Float64Array): Float64Array {
  const peak = dataDensity.reduce((largest, value) => Math.max(largest, value), 0);
  return dataDensity.map((p, index) => {
    const total = p + generatorDensity[index]!;
    return total > OPTIMAL_DISCRIMINATOR_FLOOR * peak ? p / total : Number.NaN;
  });
}

/** p · log(p / m), with 0 · log 0 = 0. */
function relativeTerm(p: number, m: number): number {
  return p > 0 ? p * Math.log(p / m) : 0;
}

/** JSD(p ‖ q) in nats (0 … log 2) on the grid; q's missing mass (outside the grid) counts as disjoint from p. */
export function jensenShannon(dataDensity: Float64Array, generatorDensity: Float64Array, spacing: number): number {
  let sum = 0;
  for (let index = 0; index < dataDensity.length; index++) {
    const p = dataDensity[index]!;
    const q = generatorDensity[index]!;
    const m = (p + q) / 2;
    sum += 0.5 * (relativeTerm(p, m) + relativeTerm(q, m));
  }
  const outside = Math.max(0, 1 - integrate(generatorDensity, spacing));
  return Math.min(Math.LN2, sum * spacing + 0.5 * outside * Math.LN2);
}

/** V(D, G) = ∫ p_data log D + ∫ p_g log(1 − D) on the grid (D clamped away from 0 and 1 by float32 limits). */
export function valueFunction(
  dataDensity: Float64Array,
  generatorDensity: Float64Array,
  discriminator: Float64Array,
  spacing: number,
): number {
  const epsilon = 1e-7;
  let sum = 0;
  for (let index = 0; index < dataDensity.length; index++) {
    const d = Math.min(1 - epsilon, Math.max(epsilon, discriminator[index]!));
    sum += dataDensity[index]! * Math.log(d) + generatorDensity[index]! * Math.log(1 - d);
  }
  return sum * spacing;
}

/** C(G) = −log 4 + 2·JSD: the value of the optimal discriminator (Theorem 1). */
export function theoreticalValue(jensenShannonNats: number): number {
  return -Math.log(4) + 2 * jensenShannonNats;
}

/** E_{x∼p_data} |D(x) − ½|: how far D is from the equilibrium's constant ½ where the data are. */
export function meanDeviationFromHalf(dataDensity: Float64Array, discriminator: Float64Array, spacing: number): number {
  let weighted = 0;
  for (let index = 0; index < dataDensity.length; index++) {
    weighted += dataDensity[index]! * Math.abs(discriminator[index]! - 0.5);
  }
  return (weighted * spacing) / integrate(dataDensity, spacing);
}
