import { describe, expect, it } from "vitest";

import {
  TOY_PURPOSE,
  batchExampleIndices,
  batchesPerEpoch,
  epochPermutation,
  realBatch,
} from "../../../src/core/data/batches.js";
import { toyDataset, type ImageDataset } from "../../../src/core/data/dataset.js";
import { TOY_DISTRIBUTIONS } from "../../../src/core/data/toys.js";
import { Rng } from "../../../src/core/engine/random.js";

const COUNT = 10;
const SEED = 1234;

/** 10 images of 2×2×1 whose pixels all equal the image's index, so a batch reveals which images it holds. */
function numberedImages(count = COUNT): ImageDataset {
  const images = new Float32Array(count * 4); // [count, 2, 2, 1]
  for (let example = 0; example < count; example++) images.fill(example, example * 4, (example + 1) * 4);
  return { kind: "images", name: "numbered", images, count, height: 2, width: 2, channels: 1, pixelRange: "sigmoid" };
}

/** Which image each row of a batch of numbered images is. */
function rowsOf(batch: Float32Array): number[] {
  const rows: number[] = [];
  for (let row = 0; row < batch.length / 4; row++) {
    expect(new Set(batch.subarray(row * 4, (row + 1) * 4)).size).toBe(1); // rows are whole images
    rows.push(batch[row * 4]!);
  }
  return rows;
}

describe("realBatch on images", () => {
  it("is [batchSize, height, width, channels] and matches batchExampleIndices", () => {
    const dataset = numberedImages();
    const batch = realBatch(dataset, 3, 4, SEED);
    expect(batch.length).toBe(4 * 2 * 2 * 1);
    expect(rowsOf(batch)).toEqual([...batchExampleIndices(dataset, 3, 4, SEED)]);
  });

  it("is a pure function: same arguments, same batch, in any call order and on a fresh dataset object", () => {
    const inOrder = numberedImages();
    const forward = Array.from({ length: 12 }, (_, index) => realBatch(inOrder, index, 3, SEED));
    const shuffled = numberedImages();
    for (const index of [11, 0, 7, 3, 3, 10, 1, 2, 9, 4, 6, 5, 8]) {
      expect(realBatch(shuffled, index, 3, SEED)).toEqual(forward[index]);
    }
    expect(realBatch(numberedImages(), 7, 3, SEED)).toEqual(forward[7]);
  });

  it("visits every image exactly once per epoch, in a different order each epoch", () => {
    const dataset = numberedImages();
    const batchSize = 5; // two batches per epoch
    const epochs = [0, 1, 2].map((epoch) => [
      ...rowsOf(realBatch(dataset, 2 * epoch, batchSize, SEED)),
      ...rowsOf(realBatch(dataset, 2 * epoch + 1, batchSize, SEED)),
    ]);
    for (const order of epochs) expect([...order].sort((a, b) => a - b)).toEqual([...Array(COUNT).keys()]);
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
    expect(epochs[0]).toEqual([...epochPermutation(dataset, 0, SEED)]);
  });

  it("takes a batch that straddles an epoch boundary from the end of one epoch and the start of the next", () => {
    const dataset = numberedImages();
    // batch 2 of size 4 covers positions 8..11: epoch 0's last two images, then epoch 1's first two
    const rows = rowsOf(realBatch(dataset, 2, 4, SEED));
    const first = epochPermutation(dataset, 0, SEED);
    const second = epochPermutation(dataset, 1, SEED);
    expect(rows).toEqual([first[8], first[9], second[0], second[1]]);
  });

  it("spans several epochs when the batch is larger than the dataset", () => {
    const dataset = numberedImages();
    const rows = rowsOf(realBatch(dataset, 1, 25, SEED)); // positions 25..49: epochs 2 (half), 3, 4
    const expected = [
      ...epochPermutation(dataset, 2, SEED).subarray(5),
      ...epochPermutation(dataset, 3, SEED),
      ...epochPermutation(dataset, 4, SEED),
    ];
    expect(rows).toEqual(expected);
  });

  it("depends on the seed", () => {
    const dataset = numberedImages();
    expect(rowsOf(realBatch(dataset, 0, COUNT, 1))).not.toEqual(rowsOf(realBatch(dataset, 0, COUNT, 2)));
  });

  it("rejects a negative or fractional batch index and a zero batch size", () => {
    const dataset = numberedImages();
    expect(() => realBatch(dataset, -1, 4, SEED)).toThrow(RangeError);
    expect(() => realBatch(dataset, 1.5, 4, SEED)).toThrow(RangeError);
    expect(() => realBatch(dataset, 0, 0, SEED)).toThrow(RangeError);
    expect(batchesPerEpoch(dataset, 3)).toBe(3);
  });
});

describe("realBatch on toys", () => {
  const dataset = toyDataset(TOY_DISTRIBUTIONS["ring-2d"]);

  it("is a fresh sample derived from (seed, batch index)", () => {
    const batch = realBatch(dataset, 5, 16, SEED);
    expect(batch.length).toBe(16 * 2);
    expect(batch).toEqual(dataset.distribution.sample(16, Rng.derive(SEED, 5, TOY_PURPOSE)));
    expect(realBatch(dataset, 5, 16, SEED)).toEqual(batch);
    expect(realBatch(dataset, 6, 16, SEED)).not.toEqual(batch);
    expect(realBatch(dataset, 5, 16, SEED + 1)).not.toEqual(batch);
  });
});
