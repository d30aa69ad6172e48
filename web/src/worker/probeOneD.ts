/**
 * The 1-D probe: everything Figure 1 draws, measured on the current G and D.
 *
 * The curves: p_g is G's push-forward of Z_GRID_COUNT evenly spaced prior quantiles (a deterministic, low-noise sample
 * of p_g) smoothed by a Gaussian KDE with Silverman's bandwidth — a picture, cheap enough for every probe; D is
 * evaluated on the x grid in inference mode; V(D, G) and E_{p_data}|D − ½| are integrals on that grid.
 * The numbers JSD(p_data ‖ p_g) and C(G) = −log 4 + 2·JSD are `tsgan eval`'s (sampleMetrics.ts) on 2 500 fresh
 * samples, recomputed at most every METRICS_INTERVAL_MS: C(G) is estimated from other samples than the curve behind
 * V(D, G), so V ≤ C(G) holds up to the two estimates' difference.
 * All numerics come from src/core (numerics/, metrics/, theory/).
 */
import type { Config } from "../../../src/core/config.js";
import type { ToyDistribution } from "../../../src/core/data/toys.js";
import { tf } from "../../../src/core/engine/tf.js";
import { replicateIntoPacks } from "../../../src/core/models/packing.js";
import { valueOnGrid } from "../../../src/core/numerics/divergences.js";
import { expectationOnGrid, functionOnGrid, uniformGrid, type Grid1d } from "../../../src/core/numerics/grid.js";
import { gaussianKdeOnGrid, silvermanBandwidth } from "../../../src/core/numerics/kde.js";
import { meanAndStd, sigmoid } from "../../../src/core/numerics/scalar.js";
import { fromDensity } from "../../../src/core/theory/grid.js";
import { optimalDiscriminator } from "../../../src/core/theory/optimalDiscriminator.js";
import { samplingGenerator, type Gan } from "../../../src/core/training/gan.js";
import { priorDisplayRange, priorQuantiles } from "../analysis/normal.js";
import type { OneDProbe } from "./protocol.js";
import { METRICS_INTERVAL_MS, metricSamples, sampleMetrics } from "./sampleMetrics.js";

/** Points of the x grid (curves, integrals). */
export const X_GRID_COUNT = 400;
/** Prior quantiles pushed through G to estimate p_g. */
export const Z_GRID_COUNT = 4000;
/** z → x lines drawn, as in Figure 1. */
export const MAPPING_LINE_COUNT = 24;
/** The view always includes [−VIEW_INCLUDES, VIEW_INCLUDES], where an untrained G puts its samples. */
const VIEW_INCLUDES = 1.5;

/** The x range the 1-D page draws: the data's bounds widened to include the untrained generator's outputs. */
export function oneDViewRange(distribution: ToyDistribution): [number, number] {
  return [Math.min(distribution.bounds.low[0]!, -VIEW_INCLUDES), Math.max(distribution.bounds.high[0]!, VIEW_INCLUDES)];
}

/**
 * D* is left undefined (NaN, not drawn) where p_data + p_g is below this fraction of p_data's peak: there it is a ratio
 * of two vanishing tails, mathematically defined but meaningless to look at.
 */
const OPTIMAL_DISCRIMINATOR_FLOOR = 1e-3;

export class OneDProber {
  private readonly grid: Grid1d;
  private readonly dataDensity: Float64Array;
  private readonly zGrid: Float32Array;
  private readonly mappingZ: Float32Array;
  private readonly zRange: [number, number];
  private lastMetricsAt = Number.NEGATIVE_INFINITY;
  private metrics = { jensenShannon: Number.NaN, theoreticalValue: Number.NaN };

  constructor(
    private readonly distribution: ToyDistribution,
    prior: Config["prior"],
  ) {
    const [low, high] = oneDViewRange(distribution);
    this.grid = uniformGrid(low, high, X_GRID_COUNT);
    this.dataDensity = functionOnGrid((point) => distribution.density(point), this.grid);
    this.zGrid = priorQuantiles(prior, Z_GRID_COUNT);
    this.mappingZ = priorQuantiles(prior, MAPPING_LINE_COUNT);
    this.zRange = priorDisplayRange(prior);
  }

  probe(gan: Gan, tick: number, force = false): OneDProbe {
    const { grid } = this;
    const [logitValues, samples, mappingX] = tf.tidy(() => {
      const points = tf.tensor2d(Float32Array.from(grid.points), [grid.count, 1]);
      // With packing (PacGAN) D judges packs: the curve is D on packs of copies of one point.
      const logits = gan.discriminator.apply(replicateIntoPacks(points, gan.config.pack), { training: false });
      const generated = samplingGenerator(gan).apply(tf.tensor2d(this.zGrid, [this.zGrid.length, 1]), {
        training: false,
      });
      const mapped = samplingGenerator(gan).apply(tf.tensor2d(this.mappingZ, [this.mappingZ.length, 1]), {
        training: false,
      });
      return [logits.dataSync(), generated.dataSync(), mapped.dataSync()];
    });
    const logits = Float64Array.from(logitValues);
    const discriminator = logits.map(sigmoid);
    const generatorDensity = gaussianKdeOnGrid(samples, grid, silvermanBandwidth(samples, grid.step));
    const now = performance.now();
    if (force || now - this.lastMetricsAt >= METRICS_INTERVAL_MS) {
      this.lastMetricsAt = now;
      this.metrics = sampleMetrics(this.distribution, metricSamples(gan, tick));
    }
    const { mean, std } = meanAndStd(samples);
    return {
      kind: "one-d",
      tick,
      x: grid.points,
      dataDensity: this.dataDensity,
      generatorDensity,
      discriminator,
      optimalDiscriminator: drawableOptimalDiscriminator(this.dataDensity, generatorDensity),
      mappingZ: Float64Array.from(this.mappingZ),
      mappingX: Float64Array.from(mappingX),
      zRange: this.zRange,
      value: valueOnGrid(logits, this.dataDensity, generatorDensity, grid.step),
      theoreticalValue: this.metrics.theoreticalValue,
      jensenShannon: this.metrics.jensenShannon,
      meanDeviation: expectationOnGrid(
        this.dataDensity,
        discriminator.map((d) => Math.abs(d - 0.5)),
        grid,
      ),
      generatorMean: mean,
      generatorStd: std,
    };
  }
}

/** D* = p_data / (p_data + p_g) (theory/optimalDiscriminator.ts), NaN where both densities are negligible. */
function drawableOptimalDiscriminator(dataDensity: Float64Array, generatorDensity: Float64Array): Float64Array {
  const peak = dataDensity.reduce((largest, value) => Math.max(largest, value), 0);
  const optimal = optimalDiscriminator(fromDensity(dataDensity), fromDensity(generatorDensity));
  return optimal.map((value, index) =>
    dataDensity[index]! + generatorDensity[index]! > OPTIMAL_DISCRIMINATOR_FLOOR * peak ? value : Number.NaN,
  );
}
