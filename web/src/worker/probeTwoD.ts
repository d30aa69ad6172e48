/**
 * The 2-D probe (GAN Lab's picture, from tsgan's own core): D's probability on a grid (heatmap), G's samples from
 * fixed noise, the push G's objective gives each sample (gradient arrows), the manifold (G applied to a grid of z),
 * and — at most every METRICS_INTERVAL_MS, since they cost more — `tsgan eval`'s mode coverage and JSD on 2 500 fresh
 * samples (sampleMetrics.ts).
 */
import type { ToyDistribution } from "../../../src/core/data/toys.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { replicateIntoPacks } from "../../../src/core/models/packing.js";
import { samplingGenerator, type Gan } from "../../../src/core/training/gan.js";
import { noiseValues } from "../../../src/core/training/noise.js";
import type { TwoDMetrics, TwoDProbe } from "./protocol.js";
import { METRICS_INTERVAL_MS, metricSamples, sampleMetrics } from "./sampleMetrics.js";

/** Heatmap cells per side. */
export const HEATMAP_RESOLUTION = 48;
/** Generated points drawn (fixed noise, so each point moves smoothly as G learns). */
export const DISPLAY_SAMPLE_COUNT = 600;
/** Manifold: this many lines in each direction of z, each with MANIFOLD_POINTS points. */
export const MANIFOLD_LINES = 11;
export const MANIFOLD_POINTS = 41;
/** The manifold covers z in [−2, 2]² for the normal prior (95% per axis) and [−1, 1]² for the uniform one. */
const NORMAL_MANIFOLD_LIMIT = 2;
/** The view box is the data's bounds widened by this fraction on each side. */
const VIEW_MARGIN = 0.3;

/** A square view box around the distribution: [xLow, xHigh, yLow, yHigh]. */
export function twoDViewBounds(distribution: ToyDistribution): [number, number, number, number] {
  const { low, high } = distribution.bounds;
  const centreX = (low[0]! + high[0]!) / 2;
  const centreY = (low[1]! + high[1]!) / 2;
  const half = (Math.max(high[0]! - low[0]!, high[1]! - low[1]!) / 2) * (1 + VIEW_MARGIN);
  return [centreX - half, centreX + half, centreY - half, centreY + half];
}

export class TwoDProber {
  private readonly grid: Float32Array; // [resolution², 2], row 0 at the top
  private readonly displayNoise: Float32Array;
  private readonly manifoldNoise: Float32Array | null;
  private lastMetricsAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly distribution: ToyDistribution,
    gan: Gan,
    private readonly bounds: [number, number, number, number] = twoDViewBounds(distribution),
  ) {
    const [xLow, xHigh, yLow, yHigh] = bounds;
    this.grid = new Float32Array(HEATMAP_RESOLUTION * HEATMAP_RESOLUTION * 2);
    for (let row = 0; row < HEATMAP_RESOLUTION; row++) {
      for (let column = 0; column < HEATMAP_RESOLUTION; column++) {
        const index = 2 * (row * HEATMAP_RESOLUTION + column);
        this.grid[index] = xLow + ((column + 0.5) / HEATMAP_RESOLUTION) * (xHigh - xLow);
        this.grid[index + 1] = yHigh - ((row + 0.5) / HEATMAP_RESOLUTION) * (yHigh - yLow);
      }
    }
    const { config } = gan;
    this.displayNoise = noiseValues(
      config.prior,
      DISPLAY_SAMPLE_COUNT,
      config.latentDim,
      Rng.derive(config.seed, "lab/display"),
    );
    this.manifoldNoise = config.latentDim === 2 ? manifoldNoise(config.prior) : null;
  }

  probe(gan: Gan, tick: number, force = false): TwoDProbe {
    const { latentDim, pack } = gan.config;
    // With packing (PacGAN) D judges packs; the heat map and the arrows show it on packs of copies of one point.
    const discriminatorOn = (x: Tensor) => gan.discriminator.apply(replicateIntoPacks(x, pack), { training: false });
    const [heatmap, generated, arrows, manifold] = tf.tidy(() => {
      const scores = tf.sigmoid(discriminatorOn(tf.tensor2d(this.grid, [this.grid.length / 2, 2])));
      const noise = tf.tensor2d(this.displayNoise, [DISPLAY_SAMPLE_COUNT, latentDim]);
      const points = samplingGenerator(gan).apply(noise, { training: false });
      // The push on each sample: −∂(G's loss)/∂x, times the batch size so it does not shrink with the batch.
      const lossOf = (x: Tensor) => tf.mul(gan.loss.generator(discriminatorOn(x)), DISPLAY_SAMPLE_COUNT);
      const push = tf.neg(tf.grad(lossOf)(points));
      const lines = this.manifoldNoise
        ? samplingGenerator(gan)
            .apply(tf.tensor2d(this.manifoldNoise, [this.manifoldNoise.length / 2, 2]), { training: false })
            .dataSync()
        : new Float32Array(0);
      return [
        scores.dataSync() as Float32Array,
        points.dataSync() as Float32Array,
        push.dataSync() as Float32Array,
        lines as Float32Array,
      ];
    });
    const now = performance.now();
    let metrics: TwoDMetrics | null = null;
    if (force || now - this.lastMetricsAt >= METRICS_INTERVAL_MS) {
      this.lastMetricsAt = now;
      metrics = this.metrics(gan, tick);
    }
    return {
      kind: "two-d",
      tick,
      bounds: this.bounds,
      heatmap,
      resolution: HEATMAP_RESOLUTION,
      generated,
      arrows,
      manifold,
      manifoldLines: this.manifoldNoise ? 2 * MANIFOLD_LINES : 0,
      manifoldPoints: MANIFOLD_POINTS,
      metrics,
    };
  }

  private metrics(gan: Gan, tick: number): TwoDMetrics {
    const { modesCovered, modeCount, highQualityFraction, reverseKl, jensenShannon } = sampleMetrics(
      this.distribution,
      metricSamples(gan, tick),
    );
    return { modesCovered, modeCount, highQualityFraction, reverseKl, jensenShannon };
  }
}

/** z on grid lines: MANIFOLD_LINES lines of constant z₁, then as many of constant z₂, each MANIFOLD_POINTS long. */
function manifoldNoise(prior: "uniform" | "normal"): Float32Array {
  const limit = prior === "uniform" ? 1 : NORMAL_MANIFOLD_LIMIT;
  const values = new Float32Array(2 * MANIFOLD_LINES * MANIFOLD_POINTS * 2);
  let offset = 0;
  for (const constantAxis of [0, 1]) {
    for (let line = 0; line < MANIFOLD_LINES; line++) {
      const fixed = -limit + (2 * limit * line) / (MANIFOLD_LINES - 1);
      for (let point = 0; point < MANIFOLD_POINTS; point++) {
        const moving = -limit + (2 * limit * point) / (MANIFOLD_POINTS - 1);
        values[offset + constantAxis] = fixed;
        values[offset + 1 - constantAxis] = moving;
        offset += 2;
      }
    }
  }
  return values;
}
