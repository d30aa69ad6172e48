/**
 * Sample metrics for 2-D toys (pure functions), with the evaluation issue's definitions (PacGAN's protocol):
 *
 * - a generated sample is high quality when it lies within 3 standard deviations of its nearest mode;
 * - a mode is covered when at least one high-quality sample is nearest to it;
 * - reverse KL of the covered-mode histogram q (high-quality samples only) against uniform u: Σ q_k log(q_k / u_k);
 * - JSD(p_data ‖ p_g) by Monte Carlo: ½ E_{x∼p_data} log(p/m) + ½ E_{x∼p_g} log(q/m), m = (p + q)/2, with p exact and
 *   q a Gaussian KDE of the generated samples whose bandwidth is the data's mode std (so a perfect generator scores
 *   a small positive floor — q is p blurred once more — rather than 0).
 * (src/core/metrics will own these definitions when the evaluation issue lands; this is the lab's copy until then.)
 */

/** PacGAN: within 3 std of the nearest mode is "high quality". */
export const HIGH_QUALITY_STDS = 3;

/** What a toy distribution must tell the metrics. */
export interface ModeSource {
  modes: Float32Array; // [modeCount, 2]
  modeCount: number;
  modeStd: number;
  density(point: ArrayLike<number>): number;
}

export interface ModeMetrics {
  modesCovered: number;
  highQualityFraction: number;
  reverseKl: number;
}

/** Modes covered, high-quality fraction and reverse KL of `samples` [count, 2]. */
export function modeMetrics(source: ModeSource, samples: Float32Array): ModeMetrics {
  const count = samples.length / 2;
  const histogram = new Float64Array(source.modeCount);
  const limit = (HIGH_QUALITY_STDS * source.modeStd) ** 2;
  let highQuality = 0;
  for (let row = 0; row < count; row++) {
    const x = samples[2 * row]!;
    const y = samples[2 * row + 1]!;
    let nearest = 0;
    let nearestDistance = Number.POSITIVE_INFINITY;
    for (let mode = 0; mode < source.modeCount; mode++) {
      const distance = (x - source.modes[2 * mode]!) ** 2 + (y - source.modes[2 * mode + 1]!) ** 2;
      if (distance < nearestDistance) {
        nearestDistance = distance;
        nearest = mode;
      }
    }
    if (nearestDistance <= limit) {
      highQuality++;
      histogram[nearest] = histogram[nearest]! + 1;
    }
  }
  let covered = 0;
  let reverseKl = 0;
  for (const hits of histogram) {
    if (hits === 0) continue;
    covered++;
    const q = hits / highQuality;
    reverseKl += q * Math.log(q * source.modeCount);
  }
  return { modesCovered: covered, highQualityFraction: count ? highQuality / count : 0, reverseKl };
}

/** Gaussian KDE of `samples` [count, 2] at one point. */
function kernelDensityAt(samples: Float32Array, x: number, y: number, bandwidth: number): number {
  const count = samples.length / 2;
  const inverseTwoVariance = 1 / (2 * bandwidth * bandwidth);
  let sum = 0;
  for (let row = 0; row < count; row++) {
    const distance = (x - samples[2 * row]!) ** 2 + (y - samples[2 * row + 1]!) ** 2;
    sum += Math.exp(-distance * inverseTwoVariance);
  }
  return (sum * inverseTwoVariance) / (Math.PI * count);
}

/** ½ · a · log(a / m) summed over points, for the Monte Carlo JSD. */
function halfLogRatio(a: number, b: number): number {
  const m = (a + b) / 2;
  return a > 0 && m > 0 ? 0.5 * Math.log(a / m) : 0;
}

/**
 * Monte Carlo JSD in nats between the exact p_data and a KDE of `generated` [n, 2], with `real` [n, 2] drawn from
 * p_data. Costs O(n²) kernel evaluations.
 */
export function jensenShannon2d(source: ModeSource, real: Float32Array, generated: Float32Array): number {
  const bandwidth = source.modeStd;
  let sum = 0;
  const realCount = real.length / 2;
  for (let row = 0; row < realCount; row++) {
    const point = [real[2 * row]!, real[2 * row + 1]!];
    const p = source.density(point);
    const q = kernelDensityAt(generated, point[0]!, point[1]!, bandwidth);
    sum += halfLogRatio(p, q) / realCount;
  }
  const generatedCount = generated.length / 2;
  for (let row = 0; row < generatedCount; row++) {
    const point = [generated[2 * row]!, generated[2 * row + 1]!];
    const p = source.density(point);
    const q = kernelDensityAt(generated, point[0]!, point[1]!, bandwidth);
    sum += halfLogRatio(q, p) / generatedCount;
  }
  return Math.min(Math.LN2, Math.max(0, sum));
}
