import { describe, expect, it } from "vitest";

import { dataShape, exampleSize, imageDatasetFromIdx, toyDataset } from "../../../src/core/data/dataset.js";
import { DataError } from "../../../src/core/data/errors.js";
import { idxMagic, type IdxArray } from "../../../src/core/data/idx.js";
import { TOY_DISTRIBUTIONS } from "../../../src/core/data/toys.js";

/** An image IDX array: [count, height, width] (+ channels), pixel values 0, 51, 102, … cycling through 0..255. */
function ubyteImages(dims: number[], source = "images.idx"): IdxArray {
  const length = dims.reduce((product, size) => product * size, 1);
  const data = Uint8Array.from({ length }, (_, index) => (index * 51) % 256);
  return { magic: idxMagic("ubyte", dims.length), type: "ubyte", dims, data, source };
}

function ubyteLabels(values: number[], source = "labels.idx"): IdxArray {
  return { magic: idxMagic("ubyte", 1), type: "ubyte", dims: [values.length], data: Uint8Array.from(values), source };
}

describe("imageDatasetFromIdx", () => {
  it("turns [count, height, width] ubyte into one channel scaled to [-1, 1] (tanh)", () => {
    const dataset = imageDatasetFromIdx(ubyteImages([2, 3, 5]), ubyteLabels([4, 7]), "tiny", "tanh");
    expect(dataset).toMatchObject({ kind: "images", name: "tiny", count: 2, height: 3, width: 5, channels: 1 });
    expect(dataset.pixelRange).toBe("tanh");
    expect(dataset.images.length).toBe(30);
    expect([...dataset.images.subarray(0, 6)]).toEqual([-1, -0.6, -0.2, 0.2, 0.6, 1].map(Math.fround));
    expect([...dataset.labels!]).toEqual([4, 7]);
    expect(dataShape(dataset)).toEqual([3, 5, 1]);
    expect(exampleSize(dataset)).toBe(15);
  });

  it("scales to [0, 1] for sigmoid", () => {
    const dataset = imageDatasetFromIdx(ubyteImages([1, 2, 3]), undefined, "tiny", "sigmoid");
    expect([...dataset.images]).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1].map(Math.fround));
    expect(dataset.labels).toBeUndefined();
  });

  it("accepts [count, height, width, channels] with 3 channels", () => {
    const dataset = imageDatasetFromIdx(ubyteImages([2, 4, 4, 3]), undefined, "rgb", "sigmoid");
    expect(dataShape(dataset)).toEqual([4, 4, 3]);
    expect(dataset.images.length).toBe(2 * 4 * 4 * 3);
  });

  it("accepts float pixels in [0, 1] and rejects those outside", () => {
    const images: IdxArray = {
      magic: idxMagic("float", 3),
      type: "float",
      dims: [1, 1, 2],
      data: Float32Array.from([0, 0.5]),
    };
    expect([...imageDatasetFromIdx(images, undefined, "f", "tanh").images]).toEqual([-1, 0]);
    const bad: IdxArray = { ...images, data: Float32Array.from([0, 2]), source: "bright.idx" };
    expect(() => imageDatasetFromIdx(bad, undefined, "f", "tanh")).toThrow(/^bright\.idx: float pixel 2 .*outside/);
  });

  it("rejects a label count that differs from the image count, naming both files", () => {
    const action = () => imageDatasetFromIdx(ubyteImages([3, 2, 2]), ubyteLabels([1, 2]), "tiny", "tanh");
    expect(action).toThrow(DataError);
    expect(action).toThrow("labels.idx: 2 labels for 3 images in images.idx");
  });

  it("rejects labels that are not 1-D ubyte", () => {
    expect(() => imageDatasetFromIdx(ubyteImages([2, 2, 2]), ubyteImages([2, 1], "lab2d"), "t", "tanh")).toThrow(
      /^lab2d: labels must be 1-D ubyte/,
    );
  });

  it("rejects images that are not 3-D or 4-D, have odd channels, no pixels, or integer types other than ubyte", () => {
    expect(() => imageDatasetFromIdx(ubyteImages([4, 4]), undefined, "t", "tanh")).toThrow(
      /^images\.idx: images must have/,
    );
    expect(() => imageDatasetFromIdx(ubyteImages([1, 2, 2, 5]), undefined, "t", "tanh")).toThrow(/5 channels/);
    expect(() => imageDatasetFromIdx(ubyteImages([0, 28, 28]), undefined, "t", "tanh")).toThrow(/no pixels/);
    const shorts: IdxArray = {
      magic: idxMagic("short", 3),
      type: "short",
      dims: [1, 1, 1],
      data: Int16Array.from([9]),
    };
    expect(() => imageDatasetFromIdx(shorts, undefined, "name-only", "tanh")).toThrow(/^name-only: short pixels/);
  });
});

describe("dataShape", () => {
  it("is [dimension] for toys", () => {
    expect(dataShape(toyDataset(TOY_DISTRIBUTIONS["ring-2d"]))).toEqual([2]);
    expect(dataShape(toyDataset(TOY_DISTRIBUTIONS["gaussian-1d"]))).toEqual([1]);
    expect(toyDataset(TOY_DISTRIBUTIONS["grid-2d"])).toMatchObject({ kind: "toy", name: "grid-2d" });
  });
});
