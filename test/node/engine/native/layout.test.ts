/**
 * Native Tile, Transpose and FusedBatchNorm vs the TF.js cpu kernels (Transpose bit for bit), batch normalisation's gradients as tsgan's layers
 * use them (tf.moments + tf.batchNorm), and the output-array pool's safety rules.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import type { NativeBackend } from "../../../../src/node/engine/native/index.js";
import { RELATIVE_TOLERANCE, compareBackends, requireNativeBackend, runOn, uniformValues } from "./helpers.js";

beforeAll(() => {
  requireNativeBackend();
});

describe("Tile", () => {
  const CASES: [number[], number[]][] = [
    [
      [1, 1, 1, 64],
      [64, 14, 14, 1],
    ],
    [[3], [4]],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [2, 1, 3],
      [1, 5, 2],
    ],
    [
      [1, 6272],
      [64, 1],
    ],
  ];
  for (const [shape, reps] of CASES) {
    it(`${shape.join("x")} by ${reps.join("x")}`, () => {
      const error = compareBackends(() => tf.tile(tf.tensor(uniformValues(shape, 1), shape), reps));
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }
});

describe("Transpose", () => {
  const CASES: [number[], number[]][] = [
    [
      [64, 2, 28, 28, 3],
      [0, 2, 3, 1, 4],
    ], // PacGAN's packing of Stacked MNIST (the last axis stays: row copies)
    [
      [32, 2, 28, 28, 3],
      [0, 2, 3, 4, 1],
    ], // its gradient's shape, element by element
    [
      [7, 5],
      [1, 0],
    ],
    [
      [3, 4, 5],
      [2, 0, 1],
    ],
    [
      [2, 3, 4, 5],
      [3, 2, 1, 0],
    ],
    [[6], [0]],
    [
      [1, 9, 1],
      [2, 1, 0],
    ],
  ];
  for (const [shape, perm] of CASES) {
    it(`${shape.join("x")} by [${perm.join(", ")}], bit for bit`, () => {
      const compute = () => [tf.transpose(tf.tensor(uniformValues(shape, 7), shape), perm)];
      const [expected, actual] = [runOn("cpu", compute), runOn("native", compute)];
      expect(actual.shapes).toEqual(expected.shapes);
      expect(Array.from(actual.values[0]!)).toEqual(Array.from(expected.values[0]!));
    });
  }

  it("leaves int32 tensors to the cpu kernel, with the same values", () => {
    tf.setBackend("native");
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], "int32");
    expect(Array.from(tf.transpose(x).dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    x.dispose();
  });
});

describe("batch normalisation", () => {
  const SHAPES = [
    [64, 14, 14, 64],
    [128, 7, 7, 128],
    [64, 6272],
    [5, 3, 2, 7],
    [100, 400],
  ];

  for (const shape of SHAPES) {
    it(`training-mode forward and gradients ${shape.join("x")}`, () => {
      const channels = shape[shape.length - 1]!;
      const axes = shape.slice(0, -1).map((_, axis) => axis);
      const error = compareBackends(() => {
        const x = tf.tensor(uniformValues(shape, 1, -2, 3), shape);
        const scale = tf.tensor1d(uniformValues([channels], 2, 0.5, 1.5));
        const offset = tf.tensor1d(uniformValues([channels], 3));
        const weights = tf.tensor(uniformValues(shape, 4), shape);
        const normalise = (input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
          const { mean, variance } = tf.moments(input, axes);
          return tf.batchNorm(input, mean, variance, beta, gamma, 1e-5);
        };
        const forward = normalise(x, scale, offset);
        const gradients = tf.grads((input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
          tf.sum(tf.mul(normalise(input, gamma, beta), weights)),
        )([x, scale, offset]);
        return [forward, ...gradients];
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }

  it("inference mode with running statistics, without scale or offset", () => {
    const shape = [8, 5, 5, 6];
    const error = compareBackends(() => {
      const x = tf.tensor(uniformValues(shape, 5), shape);
      const mean = tf.tensor1d(uniformValues([6], 6));
      const variance = tf.tensor1d(uniformValues([6], 7, 0.5, 2));
      return [tf.batchNorm(x, mean, variance, undefined, undefined, 1e-3), tf.batchNorm(x, mean, variance)];
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe("output-array pool", () => {
  const SIZE = 64 * 1024; // above the pooling threshold

  function nativeBackend(): NativeBackend {
    tf.setBackend("native");
    return tf.backend() as NativeBackend;
  }

  it("reuses the memory of disposed kernel outputs", () => {
    const backend = nativeBackend();
    const x = tf.ones([SIZE]);
    tf.dispose(tf.neg(x)); // warm: one array of SIZE floats goes back to the pool
    const before = { ...backend.pool.stats };
    for (let i = 0; i < 10; i++) tf.dispose(tf.neg(x));
    expect(backend.pool.stats.reused - before.reused).toBe(10);
    expect(backend.pool.stats.allocated - before.allocated).toBe(0);
    x.dispose();
  });

  it("never reuses an array that was read out (dataSync hands out the array itself)", () => {
    nativeBackend();
    const x = tf.ones([SIZE]);
    const y = tf.neg(x);
    const values = y.dataSync();
    y.dispose();
    for (let i = 0; i < 5; i++) tf.dispose(tf.mul(x, 3));
    expect(values.every((value) => value === -1)).toBe(true);
    x.dispose();
  });

  it("never reuses memory a cpu kernel returned a view on (Slice)", () => {
    nativeBackend();
    const x = tf.ones([SIZE]);
    const y = tf.neg(x);
    const view = tf.slice(y, [0], [SIZE / 2]); // the cpu Slice returns a subarray of y's array
    y.dispose();
    for (let i = 0; i < 5; i++) tf.dispose(tf.mul(x, 3));
    expect(view.dataSync().every((value) => value === -1)).toBe(true);
    tf.dispose([x, view]);
  });

  it("leaks no tensors over many training-like iterations", () => {
    nativeBackend();
    const before = tf.memory().numTensors;
    // Variables made inside tidy: tidy disposes the initial tensors, the variables stay.
    const [x, filter] = tf.tidy(() => [
      tf.variable(tf.tensor(uniformValues([32, 8, 8, 16], 1), [32, 8, 8, 16])),
      tf.variable(tf.tensor(uniformValues([3, 3, 16, 16], 2), [3, 3, 16, 16])),
    ]);
    for (let i = 0; i < 50; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same"))) as tf.Scalar,
        );
        filter.assign(tf.sub(filter, tf.mul(grads[filter.name]!, 1e-4)));
      });
    }
    tf.dispose([x, filter]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
