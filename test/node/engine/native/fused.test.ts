/**
 * The fused kernels that tsgan's layers and optimizers call on the native backend, vs the same computations
 * written as TF.js ops on the cpu backend: TsganAdam, TsganMomentumSgd, TsganMovingAverage and TsganRunningStatistics
 * (bit-identical),
 * TsganBatchNormTraining and its registered gradient, TsganGlobalNorm (contract: src/core/engine/fusedKernels.ts); that tsgan's Adam, BatchNorm and global
 * gradient norm actually run them on native (and not elsewhere); and the fused gradients' deference to the stock
 * formulas when a backward pass is itself differentiated.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import {
  ADAM_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  GLOBAL_NORM_KERNEL,
  MOMENTUM_SGD_KERNEL,
  MOVING_AVERAGE_KERNEL,
  RUNNING_STATISTICS_KERNEL,
} from "../../../../src/core/engine/fusedKernels.js";
import { BatchNorm, ParameterStore } from "../../../../src/core/models/layers.js";
import { resolveConfig } from "../../../../src/core/config.js";
import { buildGenerator } from "../../../../src/core/models/index.js";
import { emaDecayAt, updateEma } from "../../../../src/core/training/ema.js";
import { Adam, MomentumSgd } from "../../../../src/core/training/optimizers.js";
import { globalNorm } from "../../../../src/core/training/steps.js";
import { nativeInfo, setNativeThreads } from "../../../../src/node/engine/native/index.js";
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

describe("TsganMomentumSgd and TsganMovingAverage", () => {
  const shape = [100, 627]; // large enough to run on both threads
  const values = (seed: number, low = -1, high = 1) => tf.tensor(uniformValues(shape, seed, low, high), shape);

  // The paper's momentum ramp and learning rates (configs/results/mnist-paper.json), and a tiny decayed rate.
  for (const [momentum, learningRate] of [
    [0.5, 0.1],
    [0.58, 0.05],
    [0.7, 1e-6],
  ] as const) {
    it(`TsganMomentumSgd equals u·μ − g·α, θ + u bit for bit (μ ${momentum}, α ${learningRate})`, () => {
      const inputs = () => ({
        variable: values(1),
        gradient: values(2, -1e-2, 1e-2),
        velocity: values(3, -1e-3, 1e-3),
      });
      const expected = runOn("cpu", () => {
        const { variable, gradient, velocity } = inputs();
        const newVelocity = tf.sub(tf.mul(velocity, momentum), tf.mul(gradient, learningRate));
        return [tf.add(variable, newVelocity), newVelocity];
      });
      const actual = runOn("native", () => {
        const attributes = { momentum, learningRate };
        return tf.engine().runKernel(MOMENTUM_SGD_KERNEL, inputs(), attributes) as tf.Tensor[];
      });
      actual.values.forEach((result, index) => {
        expect(Array.from(result)).toEqual(Array.from(expected.values[index]!));
      });
    });
  }

  // The EMA's warm-up decays (step 0: 0.1; step 100: ~0.92) and its constant β.
  for (const decay of [0.1, 101 / 110, 0.999]) {
    it(`TsganMovingAverage equals a·β + x·(1 − β) bit for bit (β ${decay.toFixed(4)})`, () => {
      const inputs = () => ({ average: values(4), value: values(5) });
      const expected = runOn("cpu", () => {
        const { average, value } = inputs();
        return [tf.add(tf.mul(average, decay), tf.mul(value, 1 - decay))];
      });
      const actual = runOn("native", () => [
        tf.engine().runKernel(MOVING_AVERAGE_KERNEL, inputs(), { decay, oneMinusDecay: 1 - decay }) as tf.Tensor,
      ]);
      expect(Array.from(actual.values[0]!)).toEqual(Array.from(expected.values[0]!));
    });
  }

  it("refuse inputs of different sizes and missing attributes in one line", () => {
    tf.setBackend("native");
    const [a, b] = [tf.zeros([3]), tf.zeros([4])];
    expect(() =>
      tf.engine().runKernel(MOVING_AVERAGE_KERNEL, { average: a, value: b }, { decay: 0.9, oneMinusDecay: 0.1 }),
    ).toThrow(`${MOVING_AVERAGE_KERNEL}: average, value must be float32 of one size`);
    expect(() =>
      tf.engine().runKernel(MOMENTUM_SGD_KERNEL, { variable: a, gradient: a, velocity: a }, { momentum: 0.5 }),
    ).toThrow(`${MOMENTUM_SGD_KERNEL}: attribute learningRate missing`);
    tf.dispose([a, b]);
  });

  it("are registered for the native backend only", () => {
    for (const kernel of [MOMENTUM_SGD_KERNEL, MOVING_AVERAGE_KERNEL]) {
      expect(tf.getKernel(kernel, "native")).toBeDefined();
      expect(tf.getKernel(kernel, "cpu")).toBeUndefined();
    }
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

  /** The call documented in src/core/engine/fusedKernels.ts; returns [y, mean, variance]. */
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

describe("tsgan's optimizers, EMA and BatchNorm run on the fused kernels on native", () => {
  /** Names of the kernels that `compute` ran on `backend` (from tf.profile). */
  async function kernelsRun(backend: "cpu" | "native", compute: () => void): Promise<string[]> {
    tf.setBackend(backend);
    const info = await tf.profile(() => {
      compute();
      return tf.scalar(0);
    });
    return info.kernelNames;
  }

  it("Adam calls TsganAdam on native, the ops on cpu, and both give the same bits", async () => {
    const shape = [37, 29];
    const STEPS = 3;
    const train = (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const variable = tf.variable(tf.tensor(uniformValues(shape, 21), shape));
      const optimizer = new Adam([variable], ["weights"], 2e-4, 0.5, 0.999);
      for (let step = 0; step < STEPS; step++) {
        const gradient = tf.tensor(uniformValues(shape, 30 + step, -1e-2, 1e-2), shape);
        optimizer.apply([gradient]);
        gradient.dispose();
      }
      const values = Float32Array.from(variable.dataSync());
      optimizer.dispose();
      variable.dispose();
      return values;
    };
    expect(Array.from(train("native"))).toEqual(Array.from(train("cpu")));
    const kernels = async (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const variable = tf.variable(tf.zeros(shape));
      const optimizer = new Adam([variable], ["weights"], 2e-4, 0.5, 0.999);
      const gradient = tf.onesLike(variable);
      const names = await kernelsRun(backend, () => optimizer.apply([gradient]));
      tf.dispose([gradient, variable]);
      optimizer.dispose();
      return names;
    };
    expect(await kernels("native")).toContain(ADAM_KERNEL);
    expect(await kernels("cpu")).not.toContain(ADAM_KERNEL);
  });

  it("MomentumSgd calls TsganMomentumSgd on native, the ops on cpu, and both give the same bits", async () => {
    const shape = [37, 29];
    // A ramp from 0.5 to 0.7 over the three updates and a decaying rate: every coefficient changes per update.
    const schedule = {
      learningRate: 0.1,
      learningRateDecay: 1.5,
      learningRateDecayStart: 0,
      minimumLearningRate: 0,
      momentum: 0.5,
      finalMomentum: 0.7,
      rampUpdates: [0, 2] as const,
    };
    const train = (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const variable = tf.variable(tf.tensor(uniformValues(shape, 22), shape));
      const optimizer = new MomentumSgd([variable], ["weights"], schedule);
      for (let step = 0; step < 3; step++) {
        const gradient = tf.tensor(uniformValues(shape, 40 + step, -1e-2, 1e-2), shape);
        optimizer.apply([gradient]);
        gradient.dispose();
      }
      const state = optimizer.getState();
      const values = [Float32Array.from(variable.dataSync()), ...[...state.slots.values()].map((t) => t.dataSync())];
      tf.dispose([...state.slots.values(), variable]);
      optimizer.dispose();
      return values.map((array) => Array.from(array));
    };
    expect(train("native")).toEqual(train("cpu"));
    const kernels = async (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const variable = tf.variable(tf.zeros(shape));
      const optimizer = new MomentumSgd([variable], ["weights"], schedule);
      const gradient = tf.onesLike(variable);
      const names = await kernelsRun(backend, () => optimizer.apply([gradient]));
      tf.dispose([gradient, variable]);
      optimizer.dispose();
      return names;
    };
    expect(await kernels("native")).toContain(MOMENTUM_SGD_KERNEL);
    expect(await kernels("cpu")).not.toContain(MOMENTUM_SGD_KERNEL);
  });

  it("the EMA of G calls TsganMovingAverage on native, the ops on cpu, and both give the same bits", async () => {
    const config = (seed: number) =>
      resolveConfig({ dataset: "ring-2d", arch: "mlp", seed, mlp: { generatorHidden: [16] } });
    const averaged = (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const generator = buildGenerator(config(1), [2]);
      const ema = buildGenerator(config(2), [2]); // other initial values than G's
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => {
          for (const variable of generator.store.trainable.values()) variable.assign(tf.mul(variable, 1.5));
        });
        updateEma(ema, generator, emaDecayAt({ generatorEma: 0.999, generatorEmaWarmup: true }, step));
      }
      const values = [...ema.store.trainable.values()].map((variable) => Array.from(variable.dataSync()));
      generator.dispose();
      ema.dispose();
      return values;
    };
    expect(averaged("native")).toEqual(averaged("cpu"));
    const kernels = async (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const [generator, ema] = [buildGenerator(config(1), [2]), buildGenerator(config(2), [2])];
      const names = await kernelsRun(backend, () => updateEma(ema, generator, 0.999));
      generator.dispose();
      ema.dispose();
      return names;
    };
    expect(await kernels("native")).toContain(MOVING_AVERAGE_KERNEL);
    expect(await kernels("cpu")).not.toContain(MOVING_AVERAGE_KERNEL);
  });

  it("BatchNorm in training mode calls TsganBatchNormTraining on native and matches cpu", async () => {
    const shape = [8, 5, 5, 6];
    const compute = () => {
      const store = new ParameterStore("bn", 1);
      const layer = new BatchNorm(store, "bn0", shape.slice(1));
      const x = tf.tensor(uniformValues(shape, 41, -2, 3), shape);
      const weights = tf.tensor(uniformValues(shape, 42), shape);
      // The gradient of Σ y·w with respect to x, and the output (its running statistics updated on the way).
      const gradient = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(layer.apply(input, { training: true, updateStatistics: true }), weights)),
      )(x);
      const inference = layer.apply(x, { training: false }); // uses the running statistics just updated
      const outputs = [layer.apply(x, { training: true }), gradient, inference];
      tf.dispose([...store.trainable.values(), ...store.statistics.values()]);
      return outputs;
    };
    const expected = runOn("cpu", compute);
    const actual = runOn("native", compute);
    expected.values.forEach((values, index) => {
      expect(relativeError(actual.values[index]!, values), `output ${index}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
    const kernels = async (backend: "cpu" | "native") =>
      kernelsRun(backend, () => {
        tf.tidy(() => {
          compute();
        });
      });
    expect(await kernels("native")).toContain(BATCH_NORM_TRAINING_KERNEL);
    expect(await kernels("cpu")).not.toContain(BATCH_NORM_TRAINING_KERNEL);
  });
});

describe("TsganRunningStatistics", () => {
  const MOMENTUM = 0.9;
  it("equals BatchNorm's op chain on cpu bit for bit, and the layer runs it on native only", async () => {
    const shape = [6272];
    const count = 64; // values per channel in the batch
    const inputs = () => ({
      runningMean: tf.tensor(uniformValues(shape, 51), shape),
      runningVariance: tf.tensor(uniformValues(shape, 52, 0.1, 3), shape),
      mean: tf.tensor(uniformValues(shape, 53), shape),
      variance: tf.tensor(uniformValues(shape, 54, 0, 2), shape),
    });
    const expected = runOn("cpu", () => {
      const { runningMean, runningVariance, mean, variance } = inputs();
      const unbiased = tf.mul(variance, count / (count - 1));
      return [
        tf.add(tf.mul(runningMean, MOMENTUM), tf.mul(mean, 1 - MOMENTUM)),
        tf.add(tf.mul(runningVariance, MOMENTUM), tf.mul(unbiased, 1 - MOMENTUM)),
      ];
    });
    const actual = runOn("native", () => {
      const attributes = { momentum: MOMENTUM, varianceFactor: count / (count - 1) };
      return tf.engine().runKernel(RUNNING_STATISTICS_KERNEL, inputs(), attributes) as tf.Tensor[];
    });
    actual.values.forEach((values, index) => {
      expect(Array.from(values)).toEqual(Array.from(expected.values[index]!));
    });
    // The layer's running statistics after a few training batches: the same bits on cpu and on native.
    const trainedStatistics = (backend: "cpu" | "native") =>
      runOn(backend, () => {
        const store = new ParameterStore("bn", 1);
        const layer = new BatchNorm(store, "bn0", [5, 5, 6]);
        for (let batch = 0; batch < 3; batch++) {
          const x = tf.tensor(uniformValues([8, 5, 5, 6], 60 + batch, -2, 3), [8, 5, 5, 6]);
          tf.tidy(() => layer.apply(x, { training: true, updateStatistics: true }));
          x.dispose();
        }
        const statistics = [...store.statistics.values()].map((statistic) => statistic.clone());
        tf.dispose([...store.trainable.values(), ...store.statistics.values()]);
        return statistics;
      });
    const [cpuStatistics, nativeStatistics] = [trainedStatistics("cpu"), trainedStatistics("native")];
    nativeStatistics.values.forEach((values, index) => {
      // The batch statistics differ by float32 rounding (TsganBatchNormTraining sums in float64), so not bit for bit.
      expect(relativeError(values, cpuStatistics.values[index]!)).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
    const kernels = async (backend: "cpu" | "native") => {
      tf.setBackend(backend);
      const store = new ParameterStore("bn", 1);
      const layer = new BatchNorm(store, "bn0", [6]);
      const x = tf.tensor(uniformValues([8, 6], 70), [8, 6]);
      const info = await tf.profile(() => tf.tidy(() => layer.apply(x, { training: true, updateStatistics: true })));
      tf.dispose([x, ...store.trainable.values(), ...store.statistics.values()]);
      return info.kernelNames;
    };
    expect(await kernels("native")).toContain(RUNNING_STATISTICS_KERNEL);
    expect(await kernels("cpu")).not.toContain(RUNNING_STATISTICS_KERNEL);
  });
});

describe("TsganGlobalNorm", () => {
  it("globalNorm runs it on native and agrees with the op chain on cpu", async () => {
    const shapes = [[400, 400], [1000], [4, 4, 64, 128], [3], [70001]];
    const compute = () => {
      const gradients = shapes.map((shape, index) => tf.tensor(uniformValues(shape, 50 + index), shape));
      return globalNorm(gradients);
    };
    const expected = runOn("cpu", compute);
    const actual = runOn("native", compute);
    expect(actual.shapes[0]).toEqual([]);
    expect(relativeError(actual.values[0]!, expected.values[0]!)).toBeLessThanOrEqual(1e-6);
    tf.setBackend("native");
    const gradients = shapes.map((shape) => tf.ones(shape));
    const info = await tf.profile(() => globalNorm(gradients));
    expect(info.kernelNames).toContain(GLOBAL_NORM_KERNEL);
    expect(info.kernelNames).not.toContain("Square");
    tf.dispose(gradients);
  });

  it("does not depend on the thread count", () => {
    const shape = [300, 1000]; // many blocks, split over the threads
    const compute = () => globalNorm([tf.tensor(uniformValues(shape, 60), shape)]);
    const threads = nativeInfo()!.threads;
    const withAll = runOn("native", compute).values[0]![0];
    setNativeThreads(1);
    try {
      expect(runOn("native", compute).values[0]![0]).toBe(withAll);
    } finally {
      setNativeThreads(threads);
    }
  });
});
