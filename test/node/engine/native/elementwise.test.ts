/** Native element-wise kernels (unary, broadcasting binary, comparisons, Select, AddN) vs the TF.js cpu kernels. */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { RELATIVE_TOLERANCE, compareBackends, requireNativeBackend, runOn, uniformValues } from "./helpers.js";

/** Sizes: tiny, odd, and large enough to run on both threads (> 2^15 elements). */
const UNARY_SHAPES = [[1], [7, 3], [64, 14, 14, 8]];

/** Unary ops with the input range each is defined on. */
const UNARY_OPS: [string, (x: tf.Tensor) => tf.Tensor, number, number][] = [
  ["neg", tf.neg, -3, 3],
  ["abs", tf.abs, -3, 3],
  ["square", tf.square, -3, 3],
  ["sqrt", tf.sqrt, 0.01, 9],
  ["rsqrt", tf.rsqrt, 0.01, 9],
  ["reciprocal", tf.reciprocal, 0.5, 9],
  ["exp", tf.exp, -10, 10],
  ["log", tf.log, 0.001, 100],
  ["log1p", tf.log1p, -0.5, 10],
  ["expm1", tf.expm1, -3, 3],
  ["tanh", tf.tanh, -6, 6],
  ["sigmoid", tf.sigmoid, -12, 12],
  ["softplus", tf.softplus, -20, 20],
  ["elu", tf.elu, -4, 4],
  ["relu", tf.relu, -3, 3],
  ["relu6", tf.relu6, -3, 9],
  ["leakyRelu", (x) => tf.leakyRelu(x, 0.2), -3, 3],
  ["step", (x) => tf.step(x, 0.3), -3, 3],
  ["sign", tf.sign, -3, 3],
  ["clipByValue", (x) => tf.clipByValue(x, -0.5, 0.7), -3, 3],
  ["floor", tf.floor, -3, 3],
  ["ceil", tf.ceil, -3, 3],
];

/** Broadcast pairs: same shape, trailing vector, middle broadcast, both sides broadcast, scalars. */
const BINARY_SHAPES: [number[], number[]][] = [
  [
    [5, 6],
    [5, 6],
  ],
  [[2, 3, 4], [4]],
  [
    [2, 3, 4],
    [3, 1],
  ],
  [[1], [5, 6]],
  [[], [3]],
  [
    [2, 1, 4],
    [1, 3, 1],
  ],
  [
    [4, 1],
    [1, 5],
  ],
  [[64, 14, 14, 64], [64]], // per-channel bias / batch-norm scale on an NHWC activation
  [
    [1, 1, 1, 64],
    [64, 14, 14, 64],
  ],
  [
    [128, 7, 7, 128],
    [128, 7, 7, 128],
  ],
];

const BINARY_OPS: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ["add", tf.add],
  ["sub", tf.sub],
  ["mul", tf.mul],
  ["div", tf.div],
  ["maximum", tf.maximum],
  ["minimum", tf.minimum],
  ["squaredDifference", tf.squaredDifference],
  ["pow", tf.pow],
];

const COMPARISONS: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ["greater", tf.greater],
  ["greaterEqual", tf.greaterEqual],
  ["less", tf.less],
  ["lessEqual", tf.lessEqual],
  ["equal", tf.equal],
  ["notEqual", tf.notEqual],
];

beforeAll(() => {
  requireNativeBackend();
});

describe("unary", () => {
  for (const [name, op, low, high] of UNARY_OPS) {
    it(name, () => {
      for (const [index, shape] of UNARY_SHAPES.entries()) {
        const error = compareBackends(() => op(tf.tensor(uniformValues(shape, index, low, high), shape)));
        expect(error, `${name} ${shape.join("x")}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
      }
    });
  }

  it("gradients of tanh, sigmoid, relu, leakyRelu, elu, softplus, sqrt, exp, log", () => {
    const shape = [16, 9, 11];
    const error = compareBackends(() => {
      const x = tf.tensor(uniformValues(shape, 5, 0.05, 3), shape);
      const centred = tf.tensor(uniformValues(shape, 6, -3, 3), shape);
      const functions = [tf.tanh, tf.sigmoid, tf.relu, (t: tf.Tensor) => tf.leakyRelu(t, 0.2), tf.elu, tf.softplus];
      const positive = [tf.sqrt, tf.exp, tf.log];
      return [
        ...functions.map((f) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), t)))(centred)),
        ...positive.map((f) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), t)))(x)),
      ];
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe("binary with broadcasting", () => {
  for (const [name, op] of BINARY_OPS) {
    it(name, () => {
      for (const [index, [aShape, bShape]] of BINARY_SHAPES.entries()) {
        const positive = name === "pow" || name === "div";
        const error = compareBackends(() =>
          op(
            tf.tensor(uniformValues(aShape, index, positive ? 0.5 : -2, 2), aShape),
            tf.tensor(uniformValues(bShape, 50 + index, positive ? 0.5 : -2, 2), bShape),
          ),
        );
        expect(error, `${name} ${aShape.join("x")} ${bShape.join("x")}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
      }
    });
  }

  it("gradients of broadcasting add, sub, mul, div (reductions over broadcast axes)", () => {
    const error = compareBackends(() => {
      const a = tf.tensor(uniformValues([8, 5, 5, 6], 1), [8, 5, 5, 6]);
      const b = tf.tensor(uniformValues([6], 2, 0.5, 2), [6]);
      return [tf.add, tf.sub, tf.mul, tf.div].flatMap((op) =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(op(x, y), x)))([a, b]),
      );
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });

  it("NaN propagates through maximum and minimum as in JavaScript", () => {
    const compute = () => {
      const a = tf.tensor1d([NaN, 1, 2, NaN]);
      const b = tf.tensor1d([0, NaN, 1, NaN]);
      return [tf.maximum(a, b), tf.minimum(a, b)];
    };
    const expected = runOn("cpu", compute);
    const actual = runOn("native", compute);
    expect(Array.from(actual.values[0]!)).toEqual(Array.from(expected.values[0]!));
    expect(Array.from(actual.values[1]!)).toEqual(Array.from(expected.values[1]!));
  });
});

describe("comparisons, Select, AddN", () => {
  for (const [name, op] of COMPARISONS) {
    it(name, () => {
      for (const [index, [aShape, bShape]] of BINARY_SHAPES.entries()) {
        // Values on a coarse grid so that ties (equal, greaterEqual) occur.
        const grid = (shape: number[], seed: number) => uniformValues(shape, seed, -2, 2).map((v) => Math.round(v));
        const compute = () => op(tf.tensor(grid(aShape, index), aShape), tf.tensor(grid(bShape, 9 + index), bShape));
        const expected = runOn("cpu", compute);
        const actual = runOn("native", compute);
        expect(actual.shapes).toEqual(expected.shapes);
        expect(actual.values[0]!.every((v, i) => v === expected.values[0]![i])).toBe(true);
      }
    });
  }

  it("select (tf.where) and its gradient", () => {
    const shape = [64, 14, 14, 8];
    const error = compareBackends(() => {
      const x = tf.tensor(uniformValues(shape, 1), shape);
      const y = tf.tensor(uniformValues(shape, 2), shape);
      const condition = tf.greater(x, y);
      return [
        tf.where(condition, x, y),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.where(condition, a, b)))([x, y]),
      ];
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });

  it("addN", () => {
    const shape = [5, 7, 9];
    const error = compareBackends(() =>
      tf.addN([1, 2, 3, 4].map((seed) => tf.tensor(uniformValues(shape, seed), shape))),
    );
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});
