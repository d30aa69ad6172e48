/**
 * Initial values that depend on the training data, computed once when a new GAN is built and then saved with the
 * weights like any other (a restored GAN never needs the data again).
 *
 * The one so far: the paper's code started its generator's sigmoid output bias at the logit of the training pixels'
 * marginal means (Goodfellow et al. 2014, mnist.yaml: pylearn2's init_sigmoid_bias_from_marginals), so that before
 * any training σ(bias) is the mean image, and G's first samples are blurred average digits, not uniform grey:
 *
 *   b_i = logit(clip(mean_n x_{n,i}, ε, 1 − ε)) = log(p / (1 − p)),   ε = 1e-7 (pylearn2's clip)
 *
 * The clip keeps the always-black border pixels (mean 0) finite: logit(1e-7) ≈ −16.1.
 */
import type { Config } from "../config.js";
import type { Dataset, ImageDataset } from "../data/dataset.js";

/** pylearn2's clip of the marginal means before the logit: p ∈ [1e-7, 1 − 1e-7]. */
export const MARGINAL_CLIP = 1e-7;

/** Data-dependent initial values handed to buildNetworks; each field is needed only when the config asks for it. */
export interface NetworkInitialization {
  /** G's output-layer bias [pixels per image] for mlp.generatorOutputBias "data-marginals" (marginalLogits). */
  generatorOutputBias?: Float32Array;
  /**
   * The networks' values are about to be overwritten (a checkpoint is being restored): a data-dependent initial
   * value that is missing may then start at zeros instead of being refused.
   */
  weightsFollow?: boolean;
}

/** For restoring a checkpoint: the saved weights replace whatever the networks start with. */
export const RESTORING: NetworkInitialization = { weightsFollow: true };

/**
 * logit(clip(mean pixel)) per pixel over the dataset's images [count, ...shape] in [0, 1]: [pixels per image].
 * Means are summed in float64.
 */
export function marginalLogits(dataset: ImageDataset): Float32Array {
  const size = dataset.height * dataset.width * dataset.channels;
  const sums = new Float64Array(size);
  for (let image = 0; image < dataset.count; image++) {
    const offset = image * size;
    for (let pixel = 0; pixel < size; pixel++) sums[pixel]! += dataset.images[offset + pixel]!;
  }
  const logits = new Float32Array(size);
  for (let pixel = 0; pixel < size; pixel++) {
    const mean = Math.min(Math.max(sums[pixel]! / dataset.count, MARGINAL_CLIP), 1 - MARGINAL_CLIP);
    logits[pixel] = Math.log(mean / (1 - mean));
  }
  return logits;
}

/** What the config's data-dependent initialisations need from `dataset` (nothing, unless it asks for one). */
export function networkInitialization(config: Config, dataset: Dataset): NetworkInitialization {
  if (config.arch !== "mlp" || config.mlp.generatorOutputBias !== "data-marginals") return {};
  if (dataset.kind !== "images" || dataset.pixelRange !== "sigmoid") {
    // The config refuses these already (config.ts); a dataset loaded some other way lands here.
    throw new Error("mlp.generatorOutputBias data-marginals needs images with pixels in [0, 1]");
  }
  return { generatorOutputBias: marginalLogits(dataset) };
}

/** The output bias G starts with: zeros, or the data's marginal logits (refused when they were not computed). */
export function generatorOutputBias(
  config: Config["mlp"],
  size: number,
  initialization: NetworkInitialization,
): () => Float32Array {
  return () => {
    if (config.generatorOutputBias === "zeros") return new Float32Array(size);
    const bias = initialization.generatorOutputBias;
    if (bias === undefined) {
      if (initialization.weightsFollow) return new Float32Array(size);
      throw new Error("mlp.generatorOutputBias data-marginals: build the GAN with the training images' marginals");
    }
    if (bias.length !== size) throw new Error(`generator output bias has ${bias.length} values, not ${size}`);
    return bias.slice();
  };
}
