/**
 * Mode coverage on the toy mixtures: PacGAN's protocol (Lin, Khetan, Fanti & Oh 2018, §4.1, after VEEGAN).
 *
 * Draw PACGAN_SAMPLES = 2 500 generated points. Assign each to its nearest mode centre μ_k. A sample is **high
 * quality** when its Euclidean distance to that centre is at most HIGH_QUALITY_STD_MULTIPLE = 3 times the mode std σ.
 *
 * - modesCovered: modes with at least one high-quality sample.
 * - highQualityFraction: high-quality samples / all samples (PacGAN reports it as a percentage).
 * - reverseKl: KL(q ‖ u) = Σ_k q_k log(K q_k), where q is the histogram of the high-quality samples over the K modes
 *   (normalised by the number of high-quality samples; low-quality samples are left out) and u is uniform over the
 *   K modes, with 0 log 0 = 0. It is 0 when the high-quality samples spread evenly over all modes and log(K / m) for
 *   even spread over m modes (log K for a single mode). With no high-quality sample at all q is undefined and
 *   reverseKl is NaN (written as null in JSON).
 *
 * PacGAN's reference numbers (their Table 1/2, mean over runs; 2-D grid of 25 and ring of 8, as in toys.ts):
 *   grid: GAN 17.3 modes, 94.8% high quality, reverse KL 0.70; PacGAN4 24.8 modes, 93.6%, 0.04
 *   ring: GAN 6.3 modes, 98.2% high quality
 * (PACGAN_REFERENCE). The networks and step counts behind them are PacGAN's, not tsgan's defaults.
 */
import type { ToyDistribution } from "../data/toys.js";
import { klDivergence } from "../numerics/divergences.js";
import { formatValue, toyData, type Metric } from "./metric.js";

/** PacGAN's number of generated samples per evaluation. */
export const PACGAN_SAMPLES = 2500;
/** A sample is high quality within this many mode standard deviations of its nearest mode. */
export const HIGH_QUALITY_STD_MULTIPLE = 3;

/** PacGAN's published numbers (Lin et al. 2018): modes covered, % high-quality samples, reverse KL. */
export const PACGAN_REFERENCE = {
  "grid-2d": {
    gan: { modes: 17.3, highQualityPercent: 94.8, reverseKl: 0.7 },
    pacgan4: { modes: 24.8, highQualityPercent: 93.6, reverseKl: 0.04 },
  },
  "ring-2d": {
    gan: { modes: 6.3, highQualityPercent: 98.2 },
  },
} as const;

/** What the protocol reports. */
export interface ModeCoverageResult {
  /** Modes with at least one high-quality sample. */
  modesCovered: number;
  modeCount: number;
  /** High-quality samples / all samples, in [0, 1]. */
  highQualityFraction: number;
  /** KL(high-quality mode histogram ‖ uniform) in nats; NaN when no sample is high quality. */
  reverseKl: number;
  /** High-quality samples per mode [modeCount]. */
  highQualityCounts: number[];
  sampleCount: number;
  /** The distance threshold used: HIGH_QUALITY_STD_MULTIPLE × modeStd. */
  threshold: number;
}

/** The part of a toy distribution the protocol needs. */
export type ModeLayout = Pick<ToyDistribution, "modes" | "modeCount" | "modeStd" | "dimension">;

/** Runs the protocol on `samples` [count, dimension] row-major. */
export function modeCoverage(samples: Float32Array, layout: ModeLayout): ModeCoverageResult {
  const { modes, modeCount, modeStd, dimension } = layout;
  if (samples.length % dimension !== 0) {
    throw new RangeError(`modes: ${samples.length} values are not rows of ${dimension}`);
  }
  const sampleCount = samples.length / dimension;
  if (sampleCount === 0) throw new RangeError("modes: no samples");
  const threshold = HIGH_QUALITY_STD_MULTIPLE * modeStd;
  const thresholdSquared = threshold * threshold;
  const highQualityCounts = new Array<number>(modeCount).fill(0);
  let highQuality = 0;
  for (let row = 0; row < sampleCount; row++) {
    let nearest = 0;
    let nearestSquared = Infinity;
    for (let mode = 0; mode < modeCount; mode++) {
      let squared = 0;
      for (let axis = 0; axis < dimension; axis++) {
        squared += (samples[row * dimension + axis]! - modes[mode * dimension + axis]!) ** 2;
      }
      if (squared < nearestSquared) {
        nearestSquared = squared;
        nearest = mode;
      }
    }
    // A NaN sample is never within the threshold (the comparison is false), so it counts as low quality.
    if (nearestSquared <= thresholdSquared) {
      highQualityCounts[nearest]! += 1;
      highQuality++;
    }
  }
  const uniform = new Array<number>(modeCount).fill(1 / modeCount);
  const reverseKl =
    highQuality > 0
      ? klDivergence(
          highQualityCounts.map((count) => count / highQuality),
          uniform,
        )
      : Number.NaN;
  return {
    modesCovered: highQualityCounts.filter((count) => count > 0).length,
    modeCount,
    highQualityFraction: highQuality / sampleCount,
    reverseKl,
    highQualityCounts,
    sampleCount,
    threshold,
  };
}

/** The `modes` metric: PacGAN's protocol. */
export const modesMetric: Metric<"modes", ModeCoverageResult> = {
  name: "modes",
  description: "PacGAN's protocol: modes covered, % high-quality samples, reverse KL",
  appliesTo: "toy",
  needsClassifier: false,
  needsSplits: false,
  duringTraining: true,
  async compute(context) {
    const { generated, distribution } = toyData(context, "modes");
    return modeCoverage(generated, distribution);
  },
  summary(result, dataset) {
    const gan = dataset === "grid-2d" || dataset === "ring-2d" ? PACGAN_REFERENCE[dataset].gan : undefined;
    return [
      {
        quantity: "modes covered",
        value: `${result.modesCovered} / ${result.modeCount}`,
        reference: gan ? `PacGAN paper, GAN: ${gan.modes}` : `${result.modeCount}`,
      },
      {
        quantity: "high-quality samples (%)",
        value: formatValue(100 * result.highQualityFraction, 1),
        reference: gan ? `PacGAN paper, GAN: ${gan.highQualityPercent}` : "",
      },
      {
        quantity: "reverse KL (mode histogram ‖ uniform)",
        value: formatValue(result.reverseKl, 3),
        reference: dataset === "grid-2d" ? `PacGAN paper, GAN: ${PACGAN_REFERENCE["grid-2d"].gan.reverseKl}` : "0",
      },
    ];
  },
  headline: (result) => ({ modesCovered: result.modesCovered, highQualityFraction: result.highQualityFraction }),
  coverage: (result) => ({ what: "modes", covered: result.modesCovered, total: result.modeCount }),
};
