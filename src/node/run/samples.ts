/**
 * Pictures of a generator: an image grid (PNG) for image data, real-vs-generated plots (SVG) for toy data.
 * G runs in inference mode (BatchNorm with running statistics, no dropout), from the prior it was trained with.
 * The generator is the EMA one when the run keeps it (samplingGenerator), unless `rawGenerator` asks for G itself.
 */
import type { Dataset } from "../../core/data/dataset.js";
import { PIXEL_RANGES } from "../../core/data/dataset.js";
import type { ToyDistribution } from "../../core/data/toys.js";
import { Rng } from "../../core/engine/random.js";
import { tf, type Tensor } from "../../core/engine/tf.js";
import { pixelRangeFor, resolveOutputActivation } from "../../core/models/index.js";
import { replicateIntoPacks } from "../../core/models/packing.js";
import type { Gan } from "../../core/training/gan.js";
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

/** Writes the picture for `noise`: a PNG grid for images, an SVG plot for toys. Returns the path written. */
export async function writeSamplePicture(
  gan: Gan,
  dataset: Dataset,
  noise: Tensor,
  path: string,
  title: string,
  choice: GeneratorChoice = {},
): Promise<string> {
  const values = generate(gan, noise, choice);
  const count = noise.shape[0]!;
  if (dataset.kind === "images") {
    const range = PIXEL_RANGES[pixelRangeFor(resolveOutputActivation(gan.config, true))];
    await writeImageGrid(
      path,
      values,
      { count, height: dataset.height, width: dataset.width, channels: dataset.channels },
      {
        valueRange: [range.low, range.high],
        upscale: GRID_UPSCALE,
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
