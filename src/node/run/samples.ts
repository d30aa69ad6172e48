/**
 * Pictures of a generator: an image grid (PNG) for image data, real-vs-generated plots (SVG) for toy data.
 * G runs in inference mode (BatchNorm with running statistics, no dropout), from the prior it was trained with.
 * The generator is the EMA one when the run keeps it (samplingGenerator), unless `rawGenerator` asks for G itself.
 * A conditional run's G is told which class to draw for each noise row (`labels`); its grids have one row per class.
 */
import { ConfigError, type Config } from "../../core/config.js";
import type { Dataset } from "../../core/data/dataset.js";
import { PIXEL_RANGES } from "../../core/data/dataset.js";
import type { ToyDistribution } from "../../core/data/toys.js";
import { Rng } from "../../core/engine/random.js";
import { tf, type Tensor } from "../../core/engine/tf.js";
import { pixelRangeFor, resolveOutputActivation } from "../../core/models/index.js";
import { replicateIntoPacks } from "../../core/models/packing.js";
import { classRows, cyclingLabels, GRID_COLUMNS } from "../../core/training/conditional.js";
import type { Gan } from "../../core/training/gan.js";
import { FIXED_NOISE_COUNT, fixedNoise, noiseValues, sampleNoise } from "../../core/training/noise.js";
import { generate, type GeneratorChoice } from "../../core/training/sampling.js";
import { writeFileAtomic } from "../visual/files.js";
import { histogram1dSvg, scatter2dSvg } from "../visual/plots.js";
import { writeImageGrid } from "../visual/png.js";

/** Real samples drawn for toy plots, and the resolution of density / D(x) curves. */
const TOY_REAL_SAMPLES = 2000;
const CURVE_POINTS = 200;
/** Sample grids draw each pixel as 2×2 so 28×28 digits are legible at a glance. */
const GRID_UPSCALE = 2;

export { generate, type GeneratorChoice } from "../../core/training/sampling.js";

/** Noise [count, latentDim] and, for a conditional run, the classes and grid columns to draw it with. */
export interface SampleInputs {
  noise: Tensor;
  choice: Pick<GeneratorChoice, "labels" | "columns">;
}

/**
 * The run's sample pictures' inputs: the fixed noise (from the run seed alone). A conditional run's image grid has
 * one row per class, each with the same GRID_COLUMNS noise vectors; its toy plots ask for every class in turn.
 * `toyCount`: the points of a toy plot.
 */
export function fixedSampleInputs(config: Config, dataset: Dataset, toyCount: number): SampleInputs {
  const count = dataset.kind === "toy" ? toyCount : FIXED_NOISE_COUNT;
  if (config.conditional === "none") return { noise: fixedNoise(config, count), choice: {} };
  if (dataset.kind === "toy") {
    return { noise: fixedNoise(config, count), choice: { labels: cyclingLabels(config.classCount, count) } };
  }
  const columns = noiseValues(config.prior, GRID_COLUMNS, config.latentDim, Rng.derive(config.seed, "fixed-noise"));
  return classGrid(config, columns, GRID_COLUMNS);
}

/**
 * `count` new samples' inputs from `rng` (`tsgan sample`): for a conditional run, all of class `requestedClass`,
 * or without one a grid with a row per class (⌈count / classes⌉ columns). A ConfigError for a class the run lacks,
 * or for a class asked of an unconditional run.
 */
export function randomSampleInputs(config: Config, count: number, rng: Rng, requestedClass?: number): SampleInputs {
  if (config.conditional === "none") {
    if (requestedClass !== undefined) {
      throw new ConfigError("--class: this run is unconditional (trained without --conditional); it has no classes");
    }
    return { noise: sampleNoise(config, count, rng), choice: {} };
  }
  if (requestedClass !== undefined) {
    if (requestedClass >= config.classCount) {
      throw new ConfigError(`--class ${requestedClass}: this run's classes are 0 … ${config.classCount - 1}`);
    }
    return { noise: sampleNoise(config, count, rng), choice: { labels: new Int32Array(count).fill(requestedClass) } };
  }
  const columns = Math.ceil(count / config.classCount);
  return classGrid(config, noiseValues(config.prior, columns, config.latentDim, rng), columns);
}

/** One row per class, `noise` [columns, latentDim] in every row. */
function classGrid(config: Config, noise: Float32Array, columns: number): SampleInputs {
  const rows = classRows(noise, config.latentDim, config.classCount);
  return {
    noise: tf.tensor2d(rows.noise, [rows.labels.length, config.latentDim]),
    choice: { labels: rows.labels, columns },
  };
}

/** Writes the picture for `noise`: a PNG grid for images, an SVG plot for toys. Returns the path written. */
export async function writeSamplePicture(
  gan: Gan,
  dataset: Dataset,
  noise: Tensor,
  path: string,
  title: string,
  choice: GeneratorChoice = {},
): Promise<string> {
  return writePictureOfSamples(gan, dataset, generate(gan, noise, choice), path, title, choice.columns);
}

/**
 * Writes the picture of samples already drawn (flat [count, ...gan.dataShape], e.g. by rejection sampling): a PNG grid
 * for images (`columns` wide, default as square as the count allows), an SVG plot for toys. Returns the path written.
 */
export async function writePictureOfSamples(
  gan: Gan,
  dataset: Dataset,
  values: Float32Array,
  path: string,
  title: string,
  columns?: number,
): Promise<string> {
  const count = values.length / gan.dataShape.reduce((a, b) => a * b, 1);
  if (dataset.kind === "images") {
    const range = PIXEL_RANGES[pixelRangeFor(resolveOutputActivation(gan.config, true))];
    await writeImageGrid(
      path,
      values,
      { count, height: dataset.height, width: dataset.width, channels: dataset.channels },
      {
        valueRange: [range.low, range.high],
        upscale: GRID_UPSCALE,
        ...(columns ? { columns } : {}),
      },
    );
    return path;
  }
  await writeFileAtomic(path, await toyPlotSvg(gan, dataset.distribution, values, title));
  return path;
}

/** Real vs generated for a toy: a 2-D scatter, or 1-D histograms with the exact p_data and D(x). */
export async function toyPlotSvg(
  gan: Gan,
  distribution: ToyDistribution,
  generated: Float32Array,
  title: string,
): Promise<string> {
  const real = distribution.sample(TOY_REAL_SAMPLES, Rng.derive(gan.config.seed, "plot/real"));
  const { low, high } = distribution.bounds;
  if (distribution.dimension === 2) {
    return scatter2dSvg({ real, generated, bounds: { low: [low[0]!, low[1]!], high: [high[0]!, high[1]!] }, title });
  }
  const x = Array.from({ length: CURVE_POINTS }, (_, i) => low[0]! + ((high[0]! - low[0]!) * i) / (CURVE_POINTS - 1));
  // With packing (PacGAN) D judges packs: the curve is D on packs of copies of one point, D(x, …, x).
  const scores = tf.tidy(() => {
    const points = replicateIntoPacks(tf.tensor2d(x, [x.length, 1]), gan.config.pack);
    return tf.sigmoid(gan.discriminator.apply(points, { training: false }));
  });
  const discriminator = Array.from(scores.dataSync());
  scores.dispose();
  return histogram1dSvg({
    real,
    generated,
    density: { x, y: x.map((point) => distribution.density([point])) },
    discriminator: { x, y: discriminator },
    bounds: [low[0]!, high[0]!],
    title,
  });
}
