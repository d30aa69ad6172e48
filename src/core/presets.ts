/**
 * Per-dataset presets: what `tsgan train --dataset X` uses before a --config file and flags are applied.
 * Image datasets take the schema defaults. Toy data gets small MLPs so that a run finishes in seconds.
 */
import { ConfigSchema, mergeConfig, resolveConfig, type Config, type ConfigInput } from "./config.js";
import { isToyDistributionName, toyDistribution } from "./data/toys.js";

/** The paper's Figure 1 setting: 1-D z mapped to 1-D x by small nets. */
const TOY_1D: ConfigInput = {
  arch: "mlp",
  steps: 2000,
  batchSize: 128,
  latentDim: 1, // one noise dimension, so the z → x mapping can be drawn as in Figure 1
  prior: "uniform",
  generatorLearningRate: 1e-3,
  discriminatorLearningRate: 1e-3,
  sampleEvery: 500,
  checkpointEvery: 0,
  mlp: {
    generatorHidden: [32, 32],
    discriminatorHidden: [32, 32],
    maxoutPieces: 2,
    discriminatorInputDropout: 0,
    discriminatorDropout: 0,
  },
};

/** PacGAN's 2-D experiments (z ~ N(0, I) in 2-D, Adam β1 = 0.8, batch 100), with narrower layers for speed. */
const TOY_2D: ConfigInput = {
  arch: "mlp",
  steps: 2000,
  batchSize: 100,
  latentDim: 2,
  prior: "normal",
  beta1: 0.8,
  generatorLearningRate: 1e-3,
  discriminatorLearningRate: 1e-3,
  sampleEvery: 500,
  checkpointEvery: 0,
  mlp: {
    generatorHidden: [128, 128, 128],
    discriminatorHidden: [128, 128],
    maxoutPieces: 5,
    generatorBatchNorm: true,
    discriminatorInputDropout: 0,
    discriminatorDropout: 0,
  },
};

/** The preset for a dataset spec (empty for images: the schema defaults are the image defaults). */
export function presetFor(dataset: string): ConfigInput {
  if (!isToyDistributionName(dataset)) return {};
  return toyDistribution(dataset).dimension === 1 ? TOY_1D : TOY_2D;
}

/** Layers defaults, preset, file and flags into one validated config. */
export function configFromLayers(
  file: Record<string, unknown> | undefined,
  flags: Record<string, unknown> = {},
): Config {
  const dataset = (flags.dataset ?? file?.dataset ?? ConfigSchema.shape.dataset.parse(undefined)) as string;
  return resolveConfig(mergeConfig(presetFor(dataset) as Record<string, unknown>, file, flags));
}
