/**
 * New samples from a GAN: G in inference mode (BatchNorm with running statistics, no dropout), z from the prior it was
 * trained with. The generator is the EMA one when the GAN keeps it (samplingGenerator), unless `rawGenerator` asks for
 * G itself. `tsgan sample`, the sample grids, evaluation and library users all draw through here.
 */
import { Rng } from "../engine/random.js";
import type { Tensor } from "../engine/tf.js";
import { infer } from "../models/network.js";
import { samplingGenerator, type Gan } from "./gan.js";
import { sampleNoise } from "./noise.js";

/** The purpose that keys sampling noise: `sampleGan(gan, n, { seed })` draws what `tsgan sample --seed` draws. */
export const SAMPLE_PURPOSE = "sample";

/** Which generator draws: by default the EMA generator when the GAN keeps one. */
export interface GeneratorChoice {
  /** Sample from G itself even when the GAN keeps an EMA generator (`--raw-generator`). */
  rawGenerator?: boolean;
}

/** Options of sampleGan. */
export interface SampleOptions extends GeneratorChoice {
  /** Seed of the noise (default: the GAN's config seed); the same seed gives the same samples. */
  seed?: number;
}

/** Generates G(z) for the given noise [count, latentDim] → values [count, ...dataShape]. */
export function generate(gan: Gan, noise: Tensor, choice: GeneratorChoice = {}): Float32Array {
  const output = infer(samplingGenerator(gan, choice.rawGenerator), noise);
  const values = output.dataSync() as Float32Array;
  output.dispose();
  return values;
}

/**
 * `count` new samples, flat row-major [count, ...gan.dataShape]: a 2-D toy gives (x, y) pairs, an image GAN pixels in
 * its output range (tanh: [−1, 1]). Nothing of the GAN changes, and no tensor is left behind.
 */
export function sampleGan(gan: Gan, count: number, options: SampleOptions = {}): Float32Array {
  const noise = sampleNoise(gan.config, count, Rng.derive(options.seed ?? gan.config.seed, SAMPLE_PURPOSE));
  try {
    return generate(gan, noise, options);
  } finally {
    noise.dispose();
  }
}
