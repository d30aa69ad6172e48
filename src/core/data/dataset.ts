/**
 * The dataset shapes the trainer consumes: images already scaled to the generator's output range, or a toy
 * distribution sampled on demand. Loading them from disk is src/node/datasets.ts's job; building them from parsed IDX
 * arrays is this file's.
 */

import { DataError } from "./errors.js";
import type { IdxArray } from "./idx.js";
import type { ToyDistribution } from "./toys.js";

/**
 * The range pixels are scaled to, matching the generator's output activation:
 * "tanh" → [−1, 1] (DCGAN), "sigmoid" → [0, 1] (the paper's MLP on MNIST).
 */
export type PixelRange = "tanh" | "sigmoid";

/** The interval each pixel range maps to: black → `low`, white → `high`. */
export const PIXEL_RANGES: Readonly<Record<PixelRange, { readonly low: number; readonly high: number }>> = {
  tanh: { low: -1, high: 1 },
  sigmoid: { low: 0, high: 1 },
};

/** The largest ubyte value: ubyte pixels are divided by it to land in [0, 1]. */
const UBYTE_MAX = 255;
/** Channel counts an image dataset may have: grey, RGB, RGBA. */
const ALLOWED_CHANNELS = [1, 3, 4] as const;
/** Dimensions of an image IDX file without a channel axis: [count, height, width]. */
const IMAGE_DIMENSIONS_GREY = 3;
/** Dimensions of an image IDX file with a channel axis: [count, height, width, channels]. */
const IMAGE_DIMENSIONS_CHANNELS = 4;

/** Images held in memory, scaled to `pixelRange`. */
export interface ImageDataset {
  kind: "images";
  /** The dataset's name as the user gave it (e.g. "mnist", "idx:digits.idx3"). */
  name: string;
  /** The pixels: [count, height, width, channels] row-major, each in `PIXEL_RANGES[pixelRange]`. */
  images: Float32Array;
  /** One class label per image, [count], when the dataset has them. */
  labels?: Uint8Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Channels per pixel: 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: number;
  /** The range `images` is scaled to. */
  pixelRange: PixelRange;
}

/** A toy distribution: real batches are fresh samples, so there is no fixed set of examples. */
export interface ToyDataset {
  kind: "toy";
  /** The distribution's registry name (e.g. "ring-2d"). */
  name: string;
  /** The distribution sampled for real batches. */
  distribution: ToyDistribution;
}

/** Anything the trainer can draw real batches from. */
export type Dataset = ImageDataset | ToyDataset;

/** Wraps a toy distribution as a dataset named after it. */
export function toyDataset(distribution: ToyDistribution): ToyDataset {
  return { kind: "toy", name: distribution.name, distribution };
}

/** The shape of one real example: [height, width, channels] for images (e.g. [28, 28, 1]), [dimension] for toys. */
export function dataShape(dataset: Dataset): number[] {
  return dataset.kind === "images"
    ? [dataset.height, dataset.width, dataset.channels]
    : [dataset.distribution.dimension];
}

/** Number of numbers in one real example: the product of `dataShape`. */
export function exampleSize(dataset: Dataset): number {
  return dataShape(dataset).reduce((product, size) => product * size, 1);
}

/**
 * The number of classes a conditional GAN can learn on this dataset, or undefined when it has no labels: for images
 * with labels, the largest label + 1; for a 2-D toy with several modes, its mixture components (the labels
 * `ToyDistribution.sampleLabelled` gives). 1-D toys are left out: their plots draw D(x), which a conditional D
 * cannot give without a class.
 */
export function datasetClassCount(dataset: Dataset): number | undefined {
  if (dataset.kind === "toy") {
    const { distribution } = dataset;
    return distribution.dimension === 2 && distribution.modeCount > 1 ? distribution.modeCount : undefined;
  }
  if (!dataset.labels || dataset.labels.length === 0) return undefined;
  let largest = 0;
  for (const label of dataset.labels) largest = Math.max(largest, label);
  return largest + 1;
}

/**
 * Builds an image dataset from parsed IDX arrays.
 *
 * `images`: [count, height, width] (one channel) or [count, height, width, channels] with channels 1, 3 or 4; ubyte
 * pixels are divided by 255, float/double pixels must already lie in [0, 1]; then both are mapped linearly onto
 * `pixelRange`. `labels`, when given, must be 1-D ubyte with one label per image. Anything else is a DataError naming
 * the IDX source (or `name` when the array has none).
 */
export function imageDatasetFromIdx(
  images: IdxArray,
  labels: IdxArray | undefined,
  name: string,
  pixelRange: PixelRange,
): ImageDataset {
  const imageSource = images.source ?? name;
  const [count, height, width, channels = 1] = images.dims;
  const rank = images.dims.length;
  if (
    (rank !== IMAGE_DIMENSIONS_GREY && rank !== IMAGE_DIMENSIONS_CHANNELS) ||
    count === undefined ||
    height === undefined ||
    width === undefined
  ) {
    throw new DataError(
      `${imageSource}: images must have dimensions [count, height, width] or [count, height, width, channels], ` +
        `got [${images.dims.join(", ")}]`,
    );
  }
  if (count === 0 || height === 0 || width === 0) {
    throw new DataError(`${imageSource}: no pixels: dimensions [${images.dims.join(", ")}]`);
  }
  if (!(ALLOWED_CHANNELS as readonly number[]).includes(channels)) {
    throw new DataError(`${imageSource}: ${channels} channels; images need ${ALLOWED_CHANNELS.join(", ")}`);
  }
  const pixels = scalePixels(images, imageSource, pixelRange); // [count, height, width, channels]

  let labelArray: Uint8Array | undefined;
  if (labels !== undefined) {
    const labelSource = labels.source ?? `${name} labels`;
    if (labels.dims.length !== 1 || labels.type !== "ubyte") {
      throw new DataError(
        `${labelSource}: labels must be 1-D ubyte, got ${labels.type} of dimensions [${labels.dims.join(", ")}]`,
      );
    }
    if (labels.dims[0] !== count) {
      throw new DataError(`${labelSource}: ${labels.dims[0]} labels for ${count} images in ${imageSource}`);
    }
    labelArray = labels.data as Uint8Array; // type "ubyte" guarantees a Uint8Array
  }

  const dataset: ImageDataset = { kind: "images", name, images: pixels, count, height, width, channels, pixelRange };
  if (labelArray !== undefined) dataset.labels = labelArray;
  return dataset;
}

/** Maps IDX pixels onto `pixelRange`: ubyte via /255, floats taken as already in [0, 1]. */
function scalePixels(images: IdxArray, source: string, pixelRange: PixelRange): Float32Array {
  const { low, high } = PIXEL_RANGES[pixelRange];
  const span = high - low;
  const data = images.data;
  const pixels = new Float32Array(data.length);
  if (images.type === "ubyte") {
    // A lookup table: 256 multiplications instead of one per pixel (47 M for MNIST's training set).
    const table = new Float32Array(UBYTE_MAX + 1);
    for (let value = 0; value <= UBYTE_MAX; value++) table[value] = low + (span * value) / UBYTE_MAX;
    for (let index = 0; index < data.length; index++) pixels[index] = table[data[index]!]!;
    return pixels;
  }
  if (images.type !== "float" && images.type !== "double") {
    throw new DataError(
      `${source}: ${images.type} pixels are not supported; images must be ubyte (0–255) or float in [0, 1]`,
    );
  }
  for (let index = 0; index < data.length; index++) {
    const value = data[index]!;
    if (!(value >= 0 && value <= 1)) {
      throw new DataError(`${source}: float pixel ${value} at element ${index} is outside [0, 1]`);
    }
    pixels[index] = low + span * value;
  }
  return pixels;
}

/**
 * Images [start, stop) of `dataset` (labels too), e.g. MNIST's training images 0–49 999: the paper trained on those
 * and chose the Parzen σ on images 50 000 onwards, which training must not see. The pixels are copied, so the full
 * set can be freed. A range outside the dataset is a DataError naming it.
 */
export function imageRange(dataset: ImageDataset, start: number, stop: number): ImageDataset {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(stop) && 0 <= start && start < stop)) {
    throw new DataError(`${dataset.name}: image range [${start}, ${stop}) is empty or not a pair of indices`);
  }
  if (stop > dataset.count) {
    throw new DataError(`${dataset.name}: image range [${start}, ${stop}) reaches past its ${dataset.count} images`);
  }
  const size = dataset.height * dataset.width * dataset.channels;
  const subset: ImageDataset = {
    ...dataset,
    images: dataset.images.slice(start * size, stop * size), // [stop − start, height, width, channels]
    count: stop - start,
  };
  if (dataset.labels !== undefined) subset.labels = dataset.labels.slice(start, stop);
  return subset;
}
