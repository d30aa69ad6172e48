/**
 * generator.json: what an app needs besides the model to use an exported generator — how to draw z, what the
 * outputs mean, and where the weights came from. Written beside model.json by `tsgan export`.
 */
import type { Config } from "../config.js";
import { PIXEL_RANGES } from "../data/dataset.js";
import { pixelRangeFor, resolveOutputActivation, type OutputActivation } from "../models/index.js";
import { UNIFORM_PRIOR_RANGE } from "../training/noise.js";

export const GENERATOR_CARD_FORMAT = "tsgan-generator/1";
/** The model file the card sits beside. */
export const MODEL_FILE = "model.json";

/** p_z as an app must draw it: N(0, 1) or U(low, high), independently for each of the `latentDim` entries. */
export type PriorDescription = { kind: "normal"; mean: 0; std: 1 } | { kind: "uniform"; low: number; high: number };

/** generator.json: what an app needs to draw samples from the exported model without tsgan (prior, sizes, ranges). */
export interface GeneratorCard {
  format: typeof GENERATOR_CARD_FORMAT;
  /** The TF.js LayersModel: z [batch, latentDim] → x [batch, ...dataShape]; `tf.loadLayersModel(<dir>/model.json)`. */
  model: typeof MODEL_FILE;
  prior: PriorDescription;
  latentDim: number;
  /** G's last activation and the interval its outputs lie in; null for `linear` (toys: unbounded). */
  output: { activation: OutputActivation; range: [number, number] | null };
  /** One sample's shape: [height, width, channels] for images, [dimension] for toys. */
  dataShape: number[];
  /** Images: a pixel's brightness in [0, 1] is (x − low) / (high − low) with [low, high] = output.range. */
  data: { kind: "images"; height: number; width: number; channels: number } | { kind: "toy"; dimension: number };
  /** The dataset G was trained on, as the run's config names it. */
  dataset: string;
  arch: Config["arch"];
  /** Which weights: the EMA of G's weights (runs with generatorEma) or G's own. */
  generator: "ema" | "raw";
  source: { run: string; step: number };
  tsganVersion: string;
}

export interface CardSource {
  config: Config;
  dataShape: number[];
  /** The run directory and checkpoint step exported. */
  run: string;
  step: number;
  generator: GeneratorCard["generator"];
  tsganVersion: string;
}

/** The prior a config trains with, as numbers (noise.ts draws exactly this). */
export function describePrior(prior: Config["prior"]): PriorDescription {
  return prior === "uniform"
    ? { kind: "uniform", low: UNIFORM_PRIOR_RANGE[0], high: UNIFORM_PRIOR_RANGE[1] }
    : { kind: "normal", mean: 0, std: 1 };
}

/** The range G's outputs lie in: its pixel range for images, none (unbounded) for toys. */
export function outputRange(config: Config, isImage: boolean): [number, number] | null {
  const activation = resolveOutputActivation(config, isImage);
  if (activation === "linear") return null;
  const { low, high } = PIXEL_RANGES[pixelRangeFor(activation)];
  return [low, high];
}

export function generatorCard(source: CardSource): GeneratorCard {
  const { config, dataShape } = source;
  const isImage = dataShape.length === 3;
  const [height, width, channels] = dataShape as [number, number, number];
  return {
    format: GENERATOR_CARD_FORMAT,
    model: MODEL_FILE,
    prior: describePrior(config.prior),
    latentDim: config.latentDim,
    output: { activation: resolveOutputActivation(config, isImage), range: outputRange(config, isImage) },
    dataShape: [...dataShape],
    data: isImage ? { kind: "images", height, width, channels } : { kind: "toy", dimension: dataShape[0]! },
    dataset: config.dataset,
    arch: config.arch,
    generator: source.generator,
    source: { run: source.run, step: source.step },
    tsganVersion: source.tsganVersion,
  };
}
