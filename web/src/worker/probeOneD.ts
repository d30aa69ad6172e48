/**
 * The 1-D probe: everything Figure 1 draws, measured on the current G and D.
 *
 * p_g is G's push-forward of Z_GRID_COUNT evenly spaced prior quantiles (a deterministic, low-noise sample of p_g),
 * smoothed by a Gaussian KDE; D is evaluated on the x grid in inference mode. The numbers (V, C(G), JSD, E|D − ½|) are
 * computed on that grid by src/analysis/density1d.ts.
 */
import type { Config } from "../../../src/core/config.js";
import type { ToyDistribution } from "../../../src/core/data/toys.js";
import { tf } from "../../../src/core/engine/tf.js";
import type { Gan } from "../../../src/core/training/gan.js";
import {
  jensenShannon,
  kernelDensity,
  linearGrid,
  meanAndStd,
  meanDeviationFromHalf,
  optimalDiscriminator,
  silvermanBandwidth,
  theoreticalValue,
  valueFunction,
} from "../analysis/density1d.js";
import { priorDisplayRange, priorQuantiles } from "../analysis/normal.js";
import type { OneDProbe } from "./protocol.js";

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

export class OneDProber {
  private readonly x: Float64Array;
  private readonly spacing: number;
  private readonly dataDensity: Float64Array;
  private readonly zGrid: Float32Array;
  private readonly mappingZ: Float32Array;
  private readonly zRange: [number, number];

  constructor(distribution: ToyDistribution, prior: Config["prior"]) {
    const [low, high] = oneDViewRange(distribution);
    this.x = linearGrid(low, high, X_GRID_COUNT);
    this.spacing = this.x[1]! - this.x[0]!;
    this.dataDensity = this.x.map((point) => distribution.density([point]));
    this.zGrid = priorQuantiles(prior, Z_GRID_COUNT);
    this.mappingZ = priorQuantiles(prior, MAPPING_LINE_COUNT);
    this.zRange = priorDisplayRange(prior);
  }

  probe(gan: Gan, tick: number): OneDProbe {
    const [discriminatorValues, samples, mappingX] = tf.tidy(() => {
      const grid = tf.tensor2d(Float32Array.from(this.x), [this.x.length, 1]);
      const scores = tf.sigmoid(gan.discriminator.apply(grid, { training: false }));
      const generated = gan.generator.apply(tf.tensor2d(this.zGrid, [this.zGrid.length, 1]), { training: false });
      const mapped = gan.generator.apply(tf.tensor2d(this.mappingZ, [this.mappingZ.length, 1]), { training: false });
      return [scores.dataSync(), generated.dataSync(), mapped.dataSync()];
    });
    const discriminator = Float64Array.from(discriminatorValues);
    const generatorDensity = kernelDensity(samples, this.x, silvermanBandwidth(samples, this.spacing));
    const jsd = jensenShannon(this.dataDensity, generatorDensity, this.spacing);
    const { mean, std } = meanAndStd(samples);
    return {
      kind: "one-d",
      tick,
      x: this.x,
      dataDensity: this.dataDensity,
      generatorDensity,
      discriminator,
      optimalDiscriminator: optimalDiscriminator(this.dataDensity, generatorDensity),
      mappingZ: Float64Array.from(this.mappingZ),
      mappingX: Float64Array.from(mappingX),
      zRange: this.zRange,
      value: valueFunction(this.dataDensity, generatorDensity, discriminator, this.spacing),
      theoreticalValue: theoreticalValue(jsd),
      jensenShannon: jsd,
      meanDeviation: meanDeviationFromHalf(this.dataDensity, discriminator, this.spacing),
      generatorMean: mean,
      generatorStd: std,
    };
  }
}
