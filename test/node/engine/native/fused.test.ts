/**
 * The fused kernels that tsgan's layers and optimizers may call on the native backend, vs the same computations
 * written as TF.js ops on the cpu backend: TsganAdam (bit-identical), TsganBatchNormTraining and its registered
 * gradient (as documented in src/node/engine/native/kernels/batchnorm.ts); and the fused gradients'
 * deference to the stock formulas when a backward pass is itself differentiated.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { ADAM_KERNEL, BATCH_NORM_TRAINING_KERNEL } from "../../../../src/node/engine/native/index.js";
import {
  RELATIVE_TOLERANCE,
  compareBackends,
  relativeError,
  requireNativeBackend,
  runOn,
  uniformValues,
} from "./helpers.js";

beforeAll(() => {
  requireNativeBackend();
});

describe("TsganAdam", () => {
  const LEARNING_RATE = 2e-4;
  const BETA1 = 0.5;
  const BETA2 = 0.999;
  const EPSILON = 1e-8;
  const shape = [100, 627]; // large enough to run on both threads

  function inputs() {
    return {
      variable: tf.tensor(uniformValues(shape, 1), shape),
      gradient: tf.tensor(uniformValues(shape, 2, -1e-2, 1e-2), shape),
      m: tf.tensor(uniformValues(shape, 3, -1e-3, 1e-3), shape),
      v: tf.tensor(uniformValues(shape, 4, 0, 1e-5), shape),
    };
  }

  for (const step of [1, 2, 1000]) {
    it(`equals the op-by-op update bit for bit (step ${step})`, () => {
      const firstCorrection = 1 - BETA1 ** step;
      const secondCorrection = Math.sqrt(1 - BETA2 ** step);
      const expected = runOn("cpu", () => {
        const { variable, gradient, m, v } = inputs();
        const newM = tf.add(tf.mul(m, BETA1), tf.mul(gradient, 1 - BETA1));
        const newV = tf.add(tf.mul(v, BETA2), tf.mul(tf.square(gradient), 1 - BETA2));
        const denominator = tf.add(tf.div(tf.sqrt(newV), secondCorrection), EPSILON);
        return [tf.sub(variable, tf.mul(tf.div(newM, denominator), LEARNING_RATE / firstCorrection)), newM, newV];
      });
      const actual = runOn("native", () => {
        const attrs = {
          beta1: BETA1,
          oneMinusBeta1: 1 - BETA1,
          beta2: BETA2,
          oneMinusBeta2: 1 - BETA2,
          secondCorrection,
          epsilon: EPSILON,
          stepSize: LEARNING_RATE / firstCorrection,
        };
        return tf.engine().runKernel(ADAM_KERNEL, inputs(), attrs) as tf.Tensor[];
      });
      actual.values.forEach((values, index) => {
        expect(Array.from(values)).toEqual(Array.from(expected.values[index]!));
      });
    });
  }

  it("is registered for the native backend only", () => {
    expect(tf.getKernel(ADAM_KERNEL, "native")).toBeDefined();
    expect(tf.getKernel(ADAM_KERNEL, "cpu")).toBeUndefined();
  });
});

describe("fused gradients and higher-order differentiation", () => {
  it("second derivatives through Tanh, Sigmoid, Square match the cpu backend", () => {
    const shape = [7, 9];
    const error = compareBackends(() => {
      const x = tf.tensor(uniformValues(shape, 9, -2, 2), shape);
      // (TF.js cannot differentiate LeakyRelu's or Relu's gradient on any backend: Greater/Step have none.)
      const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.square(t)), tf.sigmoid(t)));
      // d/dx of (d f / dx · x): needs the gradient of the gradient
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(t), t)))(x);
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe("TsganBatchNormTraining", () => {
  const EPSILON = 1e-5;

  /** The call documented in kernels/batchnorm.ts; returns [y, mean, variance]. */
  function fusedBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Tensor[] {
    return tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING_KERNEL, { x, scale, offset }, { varianceEpsilon: EPSILON }) as tf.Tensor[];
  }

  function stockBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Tensor[] {
    const axes = x.shape.slice(0, -1).map((_, axis) => axis);
    const { mean, variance } = tf.moments(x, axes);
    return [tf.batchNorm(x, mean, variance, offset, scale, EPSILON), mean, variance];
  }

  for (const shape of [
    [16, 14, 14, 64],
    [32, 7, 7, 128],
    [64, 6272],
    [3, 5, 2],
  ]) {
    it(`forward, statistics and gradients ${shape.join("x")}`, () => {
      const channels = shape[shape.length - 1]!;
      const compute = (normalise: typeof fusedBatchNorm) => () => {
        const x = tf.tensor(uniformValues(shape, 1, -2, 3), shape);
        const scale = tf.tensor1d(uniformValues([channels], 2, 0.5, 1.5));
        const offset = tf.tensor1d(uniformValues([channels], 3));
        const weights = tf.tensor(uniformValues(shape, 4), shape);
        const forward = normalise(x, scale, offset);
        const gradients = tf.grads((input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
          tf.sum(tf.mul(normalise(input, gamma, beta)[0]!, weights)),
        )([x, scale, offset]);
        return [...forward, ...gradients];
      };
      const expected = runOn("cpu", compute(stockBatchNorm));
      const actual = runOn("native", compute(fusedBatchNorm));
      expected.values.forEach((values, index) => {
        expect(actual.shapes[index], `output ${index}`).toEqual(expected.shapes[index]);
        expect(relativeError(actual.values[index]!, values), `output ${index}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
      });
    });
  }
});

describe("TsganBatchNormTraining statistics in a loss", () => {
  it("gradients that reach the mean and variance outputs flow back to x", () => {
    const shape = [6, 4, 3];
    const compute = (useFused: boolean) => () => {
      const x = tf.tensor(uniformValues(shape, 11, -2, 2), shape);
      const scale = tf.tensor1d([1, 2, 0.5]);
      const offset = tf.tensor1d([0, 1, -1]);
      return tf.grad((input: tf.Tensor) => {
        const [y, mean, variance] = useFused
          ? (tf
              .engine()
              .runKernel(
                BATCH_NORM_TRAINING_KERNEL,
                { x: input, scale, offset },
                { varianceEpsilon: 1e-5 },
              ) as tf.Tensor[])
          : (() => {
              const moments = tf.moments(input, [0, 1]);
              return [
                tf.batchNorm(input, moments.mean, moments.variance, offset, scale, 1e-5),
                moments.mean,
                moments.variance,
              ];
            })();
        return tf.add(tf.sum(tf.square(y!)), tf.add(tf.sum(tf.mul(mean!, 3)), tf.sum(tf.mul(variance!, 5))));
      })(x);
    };
    const expected = runOn("cpu", compute(false));
    const actual = runOn("native", compute(true));
    expect(relativeError(actual.values[0]!, expected.values[0]!)).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});
