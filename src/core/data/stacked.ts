/**
 * Stacked MNIST (Metz, Poole, Pfau & Sohl-Dickstein 2017, "Unrolled Generative Adversarial Networks"; the protocol of
 * VEEGAN, Srivastava et al. 2017, and PacGAN, Lin et al. 2018): each image is three MNIST digits drawn independently
 * as the red, green and blue channels of one 28×28×3 image, so the data have 10³ = 1 000 modes, one per triple of
 * digits. A generator that drops modes is seen by classifying each channel (src/core/metrics/stackedModes.ts).
 *
 * As in PacGAN's reference code for the VEEGAN experiment (fjxmlzn/PacGAN, stacked_MNIST_experiments): a fixed set
 * of STACKED_MNIST_COUNT images, each channel an independent uniform draw, with replacement, from MNIST's 70 000
 * images (training and test sets together). Here the draws come from Rng.derive(seed, STACKED_PURPOSE), so the set is
 * a pure function of the seed.
 */
import { Rng } from "../engine/random.js";
import type { ImageDataset } from "./dataset.js";
import { DataError } from "./errors.js";

/** Images in the stacked set: PacGAN's VEEGAN-experiment config (num_training_sample = 128 000). */
export const STACKED_MNIST_COUNT = 128_000;
/** Digits per stacked image: one per colour channel. */
export const STACKED_CHANNELS = 3;
/** Classes per digit. */
export const DIGIT_CLASSES = 10;
/** Modes of Stacked MNIST: every triple of digits. */
export const STACKED_MODES = DIGIT_CLASSES ** STACKED_CHANNELS;
/** Purpose label of the stream that picks each channel's digit. */
export const STACKED_PURPOSE = "data/stacked-mnist";

/** The mode index of a triple of digits (red, green, blue): 100·a + 10·b + c. */
export function tripleIndex(red: number, green: number, blue: number): number {
  return (red * DIGIT_CLASSES + green) * DIGIT_CLASSES + blue;
}

/** A stacked dataset: images [count, height, width, 3] and each image's triple index. */
export interface StackedDataset extends ImageDataset {
  /** [count]: 100·a + 10·b + c for the digits a, b, c of the red, green and blue channels (`labels` stays unset). */
  tripleLabels: Uint16Array;
}

/**
 * `count` stacked images from the grey labelled digits of `source` ([n, height, width, 1]), each channel an
 * independent uniform draw with replacement, from Rng.derive(seed, STACKED_PURPOSE). Pixels keep the source's range.
 */
export function stackDigits(source: ImageDataset, count: number, seed: number, name = "stacked-mnist"): StackedDataset {
  if (source.channels !== 1 || source.labels === undefined) {
    throw new DataError(`${name}: needs grey labelled digits, not ${source.name} (${source.channels} channels)`);
  }
  const labels = source.labels;
  const pixels = source.height * source.width;
  const images = new Float32Array(count * pixels * STACKED_CHANNELS); // [count, height, width, 3]
  const tripleLabels = new Uint16Array(count);
  const rng = Rng.derive(seed, STACKED_PURPOSE);
  const digits = [0, 0, 0];
  for (let image = 0; image < count; image++) {
    const base = image * pixels * STACKED_CHANNELS;
    for (let channel = 0; channel < STACKED_CHANNELS; channel++) {
      const example = rng.int(source.count);
      digits[channel] = labels[example]!;
      const digit = source.images.subarray(example * pixels, (example + 1) * pixels); // [height, width]
      for (let pixel = 0; pixel < pixels; pixel++) images[base + pixel * STACKED_CHANNELS + channel] = digit[pixel]!;
    }
    tripleLabels[image] = tripleIndex(digits[0]!, digits[1]!, digits[2]!);
  }
  return {
    kind: "images",
    name,
    images,
    count,
    height: source.height,
    width: source.width,
    channels: STACKED_CHANNELS,
    pixelRange: source.pixelRange,
    tripleLabels,
  };
}
