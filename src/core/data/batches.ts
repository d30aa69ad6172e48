/**
 * Deterministic real batches: batch number b of a run is a pure function of (dataset, b, batch size, seed), so a run
 * resumed at step s draws exactly the batches an uninterrupted run would have drawn, with no data-loader state to save.
 *
 * Images are walked epoch by epoch, each epoch in its own order:
 *
 *   position p = b · batchSize + i          (i = 0 … batchSize − 1: the p-th example the run has seen)
 *   epoch      = floor(p / count)
 *   example    = permutation(epoch)[p mod count],   permutation(epoch) = Rng.derive(seed, epoch, "data/shuffle")
 *
 * so every epoch visits each image exactly once, and a batch that straddles an epoch boundary takes its tail from the
 * next epoch's order. Toy batches are fresh samples from Rng.derive(seed, b, "data/toy").
 */

import { Rng } from "../engine/random.js";
import { exampleSize, type Dataset, type ImageDataset } from "./dataset.js";

/** Purpose label of the per-epoch shuffle's random stream. */
export const SHUFFLE_PURPOSE = "data/shuffle";
/** Purpose label of the per-batch toy samples' random stream. */
export const TOY_PURPOSE = "data/toy";

/**
 * Permutations kept per dataset: the current epoch's and the next one's, so that walking batches in order (including
 * across an epoch boundary) never recomputes one. A permutation of MNIST's 60 000 images is 240 kB.
 */
const CACHED_EPOCHS_PER_DATASET = 2;

interface CachedPermutation {
  seed: number;
  epoch: number;
  order: Uint32Array; // [count]
}

/**
 * Per-dataset cache of recent epoch permutations. Keyed weakly by the dataset object, so it lives exactly as long as the
 * dataset does; it only saves work and never changes a result (every entry is a pure function of its key).
 */
const permutationCache = new WeakMap<ImageDataset, CachedPermutation[]>();

/** The order in which epoch `epoch` visits the images: a permutation of 0 … count − 1. */
export function epochPermutation(dataset: ImageDataset, epoch: number, seed: number): Uint32Array {
  const cached = permutationCache.get(dataset) ?? [];
  const hit = cached.find((entry) => entry.seed === seed && entry.epoch === epoch);
  if (hit !== undefined) return hit.order;
  const order = Rng.derive(seed, epoch, SHUFFLE_PURPOSE).permutation(dataset.count);
  cached.push({ seed, epoch, order });
  if (cached.length > CACHED_EPOCHS_PER_DATASET) cached.shift();
  permutationCache.set(dataset, cached);
  return order;
}

function checkBatchArguments(batchIndex: number, batchSize: number): void {
  if (!Number.isSafeInteger(batchIndex) || batchIndex < 0) {
    throw new RangeError(`batch index must be a non-negative integer, got ${batchIndex}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }
}

/**
 * The indices of the images in batch `batchIndex`: [batchSize], each in 0 … count − 1. Use it to fetch labels that
 * match `realBatch`'s images (e.g. to train a classifier on the same walk).
 */
export function batchExampleIndices(
  dataset: ImageDataset,
  batchIndex: number,
  batchSize: number,
  seed: number,
): Uint32Array {
  checkBatchArguments(batchIndex, batchSize);
  if (dataset.count < 1) throw new RangeError(`dataset ${dataset.name} has no images to batch`);
  const indices = new Uint32Array(batchSize); // [batchSize]
  let position = batchIndex * batchSize;
  let filled = 0;
  while (filled < batchSize) {
    // Take as much as this epoch has left, then move on (a batch larger than the dataset spans several epochs).
    const epoch = Math.floor(position / dataset.count);
    const offset = position - epoch * dataset.count;
    const take = Math.min(batchSize - filled, dataset.count - offset);
    indices.set(epochPermutation(dataset, epoch, seed).subarray(offset, offset + take), filled);
    filled += take;
    position += take;
  }
  return indices;
}

/**
 * Real batch number `batchIndex` for a run with this `seed`: [batchSize, ...dataShape(dataset)] row-major, e.g.
 * [64, 28, 28, 1] for MNIST or [64, 2] for ring-2d. A pure function of its arguments: the same arguments give the same
 * batch whatever was called before.
 */
export function realBatch(dataset: Dataset, batchIndex: number, batchSize: number, seed: number): Float32Array {
  checkBatchArguments(batchIndex, batchSize);
  if (dataset.kind === "toy") {
    return dataset.distribution.sample(batchSize, Rng.derive(seed, batchIndex, TOY_PURPOSE));
  }
  const size = exampleSize(dataset); // numbers per image: height · width · channels
  const batch = new Float32Array(batchSize * size); // [batchSize, height, width, channels]
  const indices = batchExampleIndices(dataset, batchIndex, batchSize, seed);
  for (let row = 0; row < batchSize; row++) {
    const example = indices[row]!;
    batch.set(dataset.images.subarray(example * size, (example + 1) * size), row * size);
  }
  return batch;
}

/**
 * `realBatch` with its class labels [batchSize] (int32): the images' own labels, or each toy sample's mixture
 * component. The batch is exactly `realBatch`'s. Throws for an image dataset without labels.
 */
export function labelledRealBatch(
  dataset: Dataset,
  batchIndex: number,
  batchSize: number,
  seed: number,
): { batch: Float32Array; labels: Int32Array } {
  checkBatchArguments(batchIndex, batchSize);
  if (dataset.kind === "toy") {
    const { samples, labels } = dataset.distribution.sampleLabelled(
      batchSize,
      Rng.derive(seed, batchIndex, TOY_PURPOSE),
    );
    return { batch: samples, labels };
  }
  const { labels } = dataset;
  if (!labels) throw new RangeError(`dataset ${dataset.name} has no labels`);
  const indices = batchExampleIndices(dataset, batchIndex, batchSize, seed);
  return {
    batch: realBatch(dataset, batchIndex, batchSize, seed),
    labels: Int32Array.from(indices, (i) => labels[i]!),
  };
}

/** Number of whole batches in one epoch of an image dataset (the last, partial one straddles into the next epoch). */
export function batchesPerEpoch(dataset: ImageDataset, batchSize: number): number {
  return Math.floor(dataset.count / batchSize);
}
