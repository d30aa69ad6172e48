/** Native reductions (Sum, Mean, Max, Min, Prod) vs the TF.js cpu kernels, over many axis sets. */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { reductionView } from "../../../../src/node/engine/native/kernels/reduce.js";
import { RELATIVE_TOLERANCE, compareBackends, requireNativeBackend, uniformValues } from "./helpers.js";

/** [shape, axes]: per-channel over NHWC, rows, spatial, whole tensor, size-1 dims, non-contiguous (fallback). */
const CASES: [number[], number[] | undefined][] = [
  [
    [64, 14, 14, 64],
    [0, 1, 2],
  ],
  [
    [128, 7, 7, 128],
    [0, 1, 2],
  ],
  [[200, 1000], [1]],
  [[200, 1000], [0]],
  [
    [3, 5, 7, 2],
    [1, 2],
  ],
  [[3, 5, 7, 2], [3]],
  [[3, 5, 7, 2], undefined],
  [
    [1, 9, 1, 4],
    [0, 1],
  ],
  [[1], [0]],
  [[6, 1, 5], [1]],
  [
    [4, 5, 6],
    [0, 2],
  ],
  [[100000], [0]],
];

const OPS: [string, (x: tf.Tensor, axis: number[] | undefined, keepDims: boolean) => tf.Tensor, number, number][] = [
  ["sum", (x, axis, keepDims) => tf.sum(x, axis, keepDims), -1, 1],
  ["mean", (x, axis, keepDims) => tf.mean(x, axis, keepDims), -1, 1],
  ["max", (x, axis, keepDims) => tf.max(x, axis, keepDims), -1, 1],
  ["min", (x, axis, keepDims) => tf.min(x, axis, keepDims), -1, 1],
  ["prod", (x, axis, keepDims) => tf.prod(x, axis, keepDims), 0.999, 1.001],
];

beforeAll(() => {
  requireNativeBackend();
});

describe("reductions", () => {
  for (const [name, op, low, high] of OPS) {
    it(name, () => {
      for (const [index, [shape, axes]] of CASES.entries()) {
        for (const keepDims of [false, true]) {
          const error = compareBackends(() =>
            op(tf.tensor(uniformValues(shape, index, low, high), shape), axes, keepDims),
          );
          expect(error, `${name} ${shape.join("x")} axes ${axes} keepDims ${keepDims}`).toBeLessThanOrEqual(
            RELATIVE_TOLERANCE,
          );
        }
      }
    });
  }

  it("gradients of sum, mean and max", () => {
    const shape = [8, 5, 5, 6];
    const error = compareBackends(() => {
      const x = tf.tensor(uniformValues(shape, 3), shape);
      return [
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sum(t, [0, 1, 2], true), t)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, [1, 2], true), t)))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.max(t, [3])))(x),
      ];
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });

  it("gradients of max and min (maxout-shaped, middle axis, ties)", () => {
    const error = compareBackends(() => {
      const maxout = tf.tensor(uniformValues([20, 30, 5], 4), [20, 30, 5]);
      const middle = tf.tensor(uniformValues([4, 6, 3], 5), [4, 6, 3]);
      const ties = tf.tensor([
        [1, 3, 3],
        [2, 2, 0],
      ]);
      return [
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.max(t, 2), tf.max(t, 2))))(maxout),
        tf.grad((t: tf.Tensor) => tf.sum(tf.min(t, 1)))(middle),
        tf.grad((t: tf.Tensor) => tf.sum(tf.max(t, 1)))(ties),
      ];
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });

  it("views axis sets as [outer, reduced, inner] blocks", () => {
    expect(reductionView([64, 14, 14, 64], [0, 1, 2])).toEqual({ outer: 1, length: 12544, inner: 64 });
    expect(reductionView([3, 5, 7, 2], [1, 2])).toEqual({ outer: 3, length: 35, inner: 2 });
    expect(reductionView([1, 9, 1, 4], [0, 3])).toEqual({ outer: 9, length: 4, inner: 1 });
    expect(reductionView([4, 5, 6], [0, 2])).toBeUndefined();
  });
});
