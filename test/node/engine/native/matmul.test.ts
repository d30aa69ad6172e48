/** Native BatchMatMul and _FusedMatMul vs the TF.js cpu kernels, forward and gradients. */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { RELATIVE_TOLERANCE, compareBackends, requireNativeBackend, uniformValues } from "./helpers.js";

/** [aShape, bShape, transposeA, transposeB] */
type MatmulCase = [number[], number[], boolean, boolean];

const CASES: MatmulCase[] = [
  [[1, 1], [1, 1], false, false],
  [[3, 5], [5, 7], false, false],
  [[5, 3], [5, 7], true, false],
  [[3, 5], [7, 5], false, true],
  [[5, 3], [7, 5], true, true],
  [[2, 3, 4], [2, 4, 5], false, false],
  [[2, 3, 4], [4, 5], false, false],
  [[1, 3, 4], [3, 4, 5], false, false],
  [[3, 4, 3], [1, 5, 4], true, true],
  [[64, 100], [100, 6272], false, false], // the DCGAN generator's dense layer
  [[128, 6272], [6272, 1], false, false], // the DCGAN discriminator's dense layer
  [[128, 1], [6272, 1], false, true], // its input gradient (dy · Wᵀ)
  [[128, 6272], [128, 1], true, false], // its weight gradient (xᵀ · dy)
  [[200, 200], [200, 1000], false, false], // the MLP discriminator's maxout layer
];

beforeAll(() => {
  requireNativeBackend();
});

describe("BatchMatMul", () => {
  for (const [index, [aShape, bShape, transposeA, transposeB]] of CASES.entries()) {
    it(`${aShape.join("x")}${transposeA ? "ᵀ" : ""} · ${bShape.join("x")}${transposeB ? "ᵀ" : ""}`, () => {
      const error = compareBackends(() => {
        const a = tf.tensor(uniformValues(aShape, 10 + index), aShape);
        const b = tf.tensor(uniformValues(bShape, 30 + index), bShape);
        return tf.matMul(a, b, transposeA, transposeB);
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }

  it("gradients of a·b with respect to both", () => {
    const error = compareBackends(() => {
      const a = tf.tensor(uniformValues([7, 9], 1), [7, 9]);
      const b = tf.tensor(uniformValues([9, 4], 2), [9, 4]);
      const weights = tf.tensor(uniformValues([7, 4], 3), [7, 4]);
      return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), weights)))([a, b]);
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe("_FusedMatMul", () => {
  const ACTIVATIONS = ["linear", "relu", "relu6", "elu", "leakyrelu", "sigmoid"] as const;
  for (const [index, activation] of ACTIVATIONS.entries()) {
    it(`bias + ${activation}, forward and gradients`, () => {
      const error = compareBackends(() => {
        const a = tf.tensor2d(uniformValues([6, 11], 40 + index), [6, 11]);
        const b = tf.tensor2d(uniformValues([11, 5], 50 + index), [11, 5]);
        const bias = tf.tensor1d(uniformValues([5], 60 + index));
        const forward = tf.fused.matMul({ a, b, bias, activation, leakyreluAlpha: 0.1 });
        const gradients = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
          tf.sum(
            tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation, leakyreluAlpha: 0.1 }),
          ),
        )([a, b, bias]);
        return [forward, ...gradients];
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }
});
