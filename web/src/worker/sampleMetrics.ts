/**
 * The lab's sample metrics on the toys — mode coverage and JSD(p_data ‖ p_g) — computed by the very functions
 * `tsgan eval` uses (src/core/metrics/modes.ts, divergence.ts), on as many samples as `tsgan eval` draws by default,
 * so that the lab and `tsgan eval` print the same numbers for the same samples (test/web/analysis.test.ts).
 *
 * Until the evaluation code was shared, the lab estimated the JSD its own way: in 1-D with Silverman's bandwidth, in
 * 2-D by Monte Carlo on 800 samples with a kernel as wide as a mode. Both oversmooth p_g (Silverman's rule assumes
 * one mode; a fixed kernel of one mode std widens every mode, so even perfect samples score well above 0), so the lab
 * now uses the metric's estimator: a KDE whose bandwidth is chosen by held-out likelihood, integrated against the
 * exact p_data on a fine grid.
 */
import type { ToyDistribution } from "../../../src/core/data/toys.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import { gridDivergence } from "../../../src/core/metrics/divergence.js";
import { modeCoverage, PACGAN_SAMPLES } from "../../../src/core/metrics/modes.js";
import { samplingGenerator, type Gan } from "../../../src/core/training/gan.js";
import { noiseValues } from "../../../src/core/training/noise.js";

/** Samples per evaluation: `tsgan eval`'s default for toys (PacGAN's 2 500). */
export const METRIC_SAMPLE_COUNT = PACGAN_SAMPLES;
/**
 * The metrics are recomputed at most this often: the cross-validated KDE on a fine grid costs a few hundred
 * milliseconds for 2 500 samples, which the worker takes from training; every 3 s keeps that near a tenth.
 */
export const METRICS_INTERVAL_MS = 3000;

/** Mode coverage and divergence of one set of samples. */
export interface SampleMetrics {
  modesCovered: number;
  modeCount: number;
  highQualityFraction: number;
  /** KL(high-quality mode histogram ‖ uniform); NaN when no sample is high quality. */
  reverseKl: number;
  /** JSD(p_data ‖ p_g) in nats. */
  jensenShannon: number;
  /** C(G) = −log 4 + 2·JSD (Theorem 1). */
  theoreticalValue: number;
}

/** The metrics of `samples` [count, dimension], exactly as `tsgan eval` computes them. */
export function sampleMetrics(distribution: ToyDistribution, samples: Float32Array): SampleMetrics {
  const modes = modeCoverage(samples, distribution);
  const { result } = gridDivergence(distribution, samples);
  return {
    modesCovered: modes.modesCovered,
    modeCount: modes.modeCount,
    highQualityFraction: modes.highQualityFraction,
    reverseKl: modes.reverseKl,
    jensenShannon: result.jensenShannon,
    theoreticalValue: result.theoreticalValue,
  };
}

/** METRIC_SAMPLE_COUNT fresh samples of G (inference mode) for the metrics at `tick`: [count, dimension]. */
export function metricSamples(gan: Gan, tick: number): Float32Array {
  const { config } = gan;
  const noise = noiseValues(
    config.prior,
    METRIC_SAMPLE_COUNT,
    config.latentDim,
    Rng.derive(config.seed, "lab/metrics", tick),
  );
  return tf.tidy(
    () =>
      samplingGenerator(gan)
        .apply(tf.tensor2d(noise, [METRIC_SAMPLE_COUNT, config.latentDim]), { training: false })
        .dataSync() as Float32Array,
  );
}
