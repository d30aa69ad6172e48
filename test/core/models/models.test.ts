/**
 * G and D built from a config: shapes, parameter counts (against the PyTorch benchmark model and the paper's MLPs,
 * computed by formula), config errors, output ranges, training vs inference mode, BatchNorm, and seeded weights.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { ConfigError, resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { buildNetworks, type Networks } from "../../../src/core/models/index.js";
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, BatchNorm, ParameterStore } from "../../../src/core/models/layers.js";
import { infer, snapshotValues } from "../../../src/core/models/network.js";

const MNIST_SHAPE = [28, 28, 1];
const TOY_SHAPE = [2];

/** Small nets for the behavioural tests (the cpu backend is slow on convolutions). */
const TINY_MLP: ConfigInput = {
  arch: "mlp",
  latentDim: 6,
  mlp: { generatorHidden: [16], discriminatorHidden: [12], maxoutPieces: 3, generatorBatchNorm: true },
};
const TINY_DCGAN: ConfigInput = {
  arch: "dcgan",
  latentDim: 6,
  dcgan: { generatorDepth: 8, generatorChannels: [4], discriminatorChannels: [4, 8] },
};
const TINY_IMAGE = [8, 8, 1];

/** Networks built in a test, disposed after it. */
let built: Networks[] = [];
function build(config: ConfigInput, dataShape: number[]): Networks {
  const networks = buildNetworks(resolveConfig(config), dataShape);
  built.push(networks);
  return networks;
}

function uniform(shape: number[], seed: number, low = -1, high = 1): Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(seed, "models-test").fillUniform(values, low, high), shape);
}

function valuesOf(tensor: Tensor): Float32Array {
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

afterEach(() => {
  for (const { generator, discriminator } of built) {
    generator.dispose();
    discriminator.dispose();
  }
  built = [];
});

describe("output shapes", () => {
  const cases: Array<{ name: string; config: ConfigInput; dataShape: number[] }> = [
    { name: "mlp on [28, 28, 1]", config: { arch: "mlp" }, dataShape: MNIST_SHAPE },
    { name: "dcgan on [28, 28, 1]", config: { arch: "dcgan" }, dataShape: MNIST_SHAPE },
    { name: "mlp on [2]", config: { arch: "mlp" }, dataShape: TOY_SHAPE },
  ];
  it.each(cases)(
    "$name: G maps [m, latentDim] to [m, ...dataShape], D maps that to [m, 1]",
    ({ config, dataShape }) => {
      const { generator, discriminator } = build(config, dataShape);
      const m = 3;
      expect(generator.inputShape).toEqual([100]);
      expect(generator.outputShape).toEqual(dataShape);
      expect(discriminator.inputShape).toEqual(dataShape);
      expect(discriminator.outputShape).toEqual([1]);
      tf.tidy(() => {
        const samples = generator.apply(uniform([m, 100], 1), { training: false });
        expect(samples.shape).toEqual([m, ...dataShape]);
        const logits = discriminator.apply(samples, { training: false });
        expect(logits.shape).toEqual([m, 1]);
        // Training mode gives the same shapes.
        expect(generator.apply(uniform([m, 100], 2), { training: true, seed: 1 }).shape).toEqual([m, ...dataShape]);
        expect(discriminator.apply(samples, { training: true, seed: 1 }).shape).toEqual([m, 1]);
      });
    },
  );

  it("rejects an input of the wrong shape with a message naming the network", () => {
    const { generator, discriminator } = build(TINY_MLP, TOY_SHAPE);
    const wrongNoise = tf.zeros([2, 5]);
    const wrongData = tf.zeros([2, 3]);
    expect(() => generator.apply(wrongNoise, { training: false })).toThrow(/generator/);
    expect(() => discriminator.apply(wrongData, { training: false })).toThrow(/discriminator/);
    tf.dispose([wrongNoise, wrongData]);
  });
});

describe("parameter counts", () => {
  it("default dcgan on MNIST equals the PyTorch benchmark model (../shared/peers/pytorch_dcgan_step.py)", () => {
    const { generator, discriminator } = build({}, MNIST_SHAPE);
    // G: Linear(100 → 7·7·128) + bias; BatchNorm1d(6272) weight + bias; ConvTranspose2d(128, 64, 4) + bias;
    //    BatchNorm2d(64) weight + bias; ConvTranspose2d(64, 1, 4) + bias.
    const generatorCount =
      100 * 6272 +
      6272 + // dense
      2 * 6272 + // batchNorm0
      128 * 64 * 4 * 4 +
      64 + // deconv0
      2 * 64 + // batchNorm1
      64 * 1 * 4 * 4 +
      1; // output
    // D: Conv2d(1, 64, 4) + bias; Conv2d(64, 128, 4) + bias; BatchNorm2d(128) weight + bias; Linear(7·7·128 → 1) + bias.
    const discriminatorCount =
      1 * 64 * 4 * 4 +
      64 + // conv0
      64 * 128 * 4 * 4 +
      128 + // conv1
      2 * 128 + // batchNorm1
      6272 * 1 +
      1; // logit
    expect(generator.parameterCount()).toBe(generatorCount);
    expect(discriminator.parameterCount()).toBe(discriminatorCount);
    // Running statistics are state, not parameters: the count above excludes them, as PyTorch's parameters() does.
    const statistics = [...generator.store.statistics.values()].reduce((total, v) => total + v.size, 0);
    expect(statistics).toBe(2 * 6272 + 2 * 64);
  });

  it("default mlp on MNIST has the paper's sizes (G: 100 → 1200 → 1200 → 784; D: maxout 240×5, 240×5 → 1)", () => {
    const { generator, discriminator } = build({ arch: "mlp" }, MNIST_SHAPE);
    const generatorCount =
      100 * 1200 +
      1200 + // dense0
      1200 * 1200 +
      1200 + // dense1
      1200 * 784 +
      784; // output
    const discriminatorCount =
      784 * 240 * 5 +
      240 * 5 + // maxout0: 240 units of 5 linear pieces each
      240 * 240 * 5 +
      240 * 5 + // maxout1
      240 * 1 +
      1; // logit
    expect(generator.parameterCount()).toBe(generatorCount);
    expect(discriminator.parameterCount()).toBe(discriminatorCount);
    expect(generator.store.statistics.size).toBe(0); // the paper's G has no BatchNorm
  });
});

describe("config errors", () => {
  it("an image side not divisible by 2^(upsamplings) is a ConfigError naming dcgan.generatorChannels", () => {
    const error = errorOf(() => build({ arch: "dcgan" }, [30, 30, 1]));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("dcgan.generatorChannels");
    expect(error.message).toContain("30");
  });

  it("the same side is accepted when fewer upsamplings make it divisible", () => {
    // 30 is divisible by 2 (one stride-2 layer: generatorChannels []), so this builds.
    const { generator } = build(
      { arch: "dcgan", dcgan: { generatorChannels: [], generatorDepth: 4, discriminatorChannels: [4] } },
      [30, 30, 1],
    );
    expect(generator.outputShape).toEqual([30, 30, 1]);
  });

  it("arch dcgan on non-image data [2] is a ConfigError", () => {
    const error = errorOf(() => build({ arch: "dcgan" }, TOY_SHAPE));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/dcgan/);
  });

  it("output activations that cannot reach the data are ConfigErrors", () => {
    expect(() => build({ ...TINY_DCGAN, generatorOutput: "linear" }, TINY_IMAGE)).toThrow(ConfigError);
    expect(() => build({ ...TINY_MLP, generatorOutput: "tanh" }, TOY_SHAPE)).toThrow(ConfigError);
  });
});

describe("generator output range", () => {
  /**
   * Noise scaled far outside the prior drives the output layer's pre-activations deep into saturation: with zero
   * biases and inference-mode BatchNorm (running mean 0, variance 1) the nets are positively homogeneous, so the
   * pre-activations scale with z (the DCGAN's N(0, 0.02) weights shrink them ~10⁴-fold; 10⁶ overcomes that).
   */
  const LOUD = 1e6;
  const cases: Array<{ name: string; config: ConfigInput; low: number; high: number }> = [
    { name: "dcgan, auto (tanh)", config: TINY_DCGAN, low: -1, high: 1 },
    { name: "dcgan, sigmoid", config: { ...TINY_DCGAN, generatorOutput: "sigmoid" }, low: 0, high: 1 },
    { name: "mlp, tanh", config: { ...TINY_MLP, generatorOutput: "tanh" }, low: -1, high: 1 },
    { name: "mlp, sigmoid", config: { ...TINY_MLP, generatorOutput: "sigmoid" }, low: 0, high: 1 },
  ];
  it.each(cases)("$name: stays within [$low, $high] and reaches both ends", ({ config, low, high }) => {
    const { generator } = build(config, TINY_IMAGE);
    const values = valuesOf(tf.tidy(() => generator.apply(tf.mul(uniform([8, 6], 3), LOUD), { training: false })));
    const min = values.reduce((a, b) => Math.min(a, b), Infinity);
    const max = values.reduce((a, b) => Math.max(a, b), -Infinity);
    expect(min).toBeGreaterThanOrEqual(low);
    expect(max).toBeLessThanOrEqual(high);
    // The bound is not vacuous: the pre-activations did leave the range.
    expect(min).toBeLessThan(low + 0.01);
    expect(max).toBeGreaterThan(high - 0.01);
  });

  it("toy data gets an unbounded (linear) output under auto", () => {
    const { generator } = build(TINY_MLP, TOY_SHAPE);
    const values = valuesOf(tf.tidy(() => generator.apply(tf.mul(uniform([8, 6], 3), LOUD), { training: false })));
    expect(values.some((v) => Math.abs(v) > 1)).toBe(true);
  });
});

describe("training and inference mode", () => {
  const cases: Array<{ name: string; config: ConfigInput; dataShape: number[] }> = [
    { name: "mlp D (input and maxout dropout)", config: TINY_MLP, dataShape: TOY_SHAPE },
    {
      name: "dcgan D (conv dropout)",
      config: { ...TINY_DCGAN, dcgan: { ...TINY_DCGAN.dcgan, discriminatorDropout: 0.3 } },
      dataShape: TINY_IMAGE,
    },
    {
      name: "dcgan G (dense dropout)",
      config: { ...TINY_DCGAN, dcgan: { ...TINY_DCGAN.dcgan, generatorDropout: 0.4 } },
      dataShape: TINY_IMAGE,
    },
  ];
  it.each(cases)(
    "$name: inference is deterministic; training dropout is a function of the seed",
    ({ name, config, dataShape }) => {
      const networks = build(config, dataShape);
      const network = name.includes(" G ") ? networks.generator : networks.discriminator;
      const input = uniform([6, ...network.inputShape], 4);
      const run = (options: Parameters<typeof network.apply>[1]) =>
        valuesOf(tf.tidy(() => network.apply(input, options)));

      expect(run({ training: false })).toEqual(run({ training: false }));
      expect(valuesOf(infer(network, input))).toEqual(run({ training: false }));
      expect(run({ training: true, seed: 11 })).toEqual(run({ training: true, seed: 11 }));
      expect(run({ training: true, seed: 11 })).not.toEqual(run({ training: true, seed: 12 }));
      expect(() => run({ training: true })).toThrow(/seed/);
      input.dispose();
    },
  );
});

describe("BatchNorm", () => {
  const FEATURE_MEANS = [5, -2, 0.5];
  const FEATURE_STDS = [3, 0.5, 10];
  const BATCH = 16;

  /** [BATCH, 3] with per-feature mean and scale far from (0, 1); also returned as plain rows. */
  function skewedBatch(): { tensor: Tensor; rows: number[][] } {
    const rng = Rng.derive(5, "batch-norm-test");
    const rows = Array.from({ length: BATCH }, () =>
      FEATURE_MEANS.map((mu, j) => mu + FEATURE_STDS[j]! * rng.normal()),
    );
    return { tensor: tf.tensor2d(rows), rows };
  }

  function featureMoments(
    values: ArrayLike<number>,
    features: number,
  ): { mean: number[]; variance: number[]; unbiased: number[] } {
    const count = values.length / features;
    const mean = Array.from({ length: features }, (_, j) => {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += values[i * features + j]!;
      return sum / count;
    });
    const squares = Array.from({ length: features }, (_, j) => {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += (values[i * features + j]! - mean[j]!) ** 2;
      return sum;
    });
    return { mean, variance: squares.map((s) => s / count), unbiased: squares.map((s) => s / (count - 1)) };
  }

  function newLayer(shape: number[]): { layer: BatchNorm; store: ParameterStore } {
    const store = new ParameterStore("bnTest", 1);
    return { layer: new BatchNorm(store, "bn", shape), store };
  }

  function disposeStore(store: ParameterStore): void {
    for (const v of [...store.trainable.values(), ...store.statistics.values()]) v.dispose();
  }

  it("training mode normalises each feature over the batch (mean ≈ 0, variance ≈ 1), then applies scale and offset", () => {
    const { layer, store } = newLayer([3]);
    const { tensor } = skewedBatch();
    const normalised = featureMoments(valuesOf(tf.tidy(() => layer.apply(tensor, { training: true }))), 3);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(normalised.mean[j]!)).toBeLessThan(1e-4);
      expect(normalised.variance[j]).toBeCloseTo(1, 3);
    }
    store.trainable.get("bn/scale")!.assign(tf.tensor1d([2, 0.5, 3]));
    store.trainable.get("bn/offset")!.assign(tf.tensor1d([1, -1, 4]));
    const scaled = featureMoments(valuesOf(tf.tidy(() => layer.apply(tensor, { training: true }))), 3);
    [1, -1, 4].forEach((offset, j) => expect(scaled.mean[j]).toBeCloseTo(offset, 4));
    [4, 0.25, 9].forEach((variance, j) => expect(scaled.variance[j]).toBeCloseTo(variance, 2));
    tensor.dispose();
    disposeStore(store);
  });

  it("normalises images per channel over batch, height and width", () => {
    const { layer, store } = newLayer([3, 3, 2]);
    const input = tf.tidy(() => tf.add(tf.mul(uniform([4, 3, 3, 2], 6), tf.tensor1d([4, 0.3])), tf.tensor1d([-7, 2])));
    const moments = featureMoments(valuesOf(tf.tidy(() => layer.apply(input, { training: true }))), 2);
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(moments.mean[j]!)).toBeLessThan(1e-4);
      expect(moments.variance[j]).toBeCloseTo(1, 3);
    }
    input.dispose();
    disposeStore(store);
  });

  it("running statistics change only with updateStatistics: true, by the PyTorch rule (momentum 0.1, unbiased variance)", () => {
    const { layer, store } = newLayer([3]);
    const { tensor, rows } = skewedBatch();
    const runningMean = store.statistics.get("bn/runningMean")!;
    const runningVariance = store.statistics.get("bn/runningVariance")!;
    const stats = () => [Array.from(runningMean.dataSync()), Array.from(runningVariance.dataSync())];
    const initial = stats();
    expect(initial).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);

    tf.tidy(() => layer.apply(tensor, { training: true }));
    tf.tidy(() => layer.apply(tensor, { training: true, updateStatistics: false }));
    tf.tidy(() => layer.apply(tensor, { training: false }));
    tf.tidy(() => layer.apply(tensor, { training: false, updateStatistics: true })); // inference never updates
    expect(stats()).toEqual(initial);

    tf.tidy(() => layer.apply(tensor, { training: true, updateStatistics: true }));
    const batch = featureMoments(rows.flat(), 3);
    const [mean, variance] = stats() as [number[], number[]];
    for (let j = 0; j < 3; j++) {
      expect(mean[j]).toBeCloseTo(BATCH_NORM_MOMENTUM * 0 + (1 - BATCH_NORM_MOMENTUM) * batch.mean[j]!, 4);
      const expectedVariance = BATCH_NORM_MOMENTUM * 1 + (1 - BATCH_NORM_MOMENTUM) * batch.unbiased[j]!;
      expect(Math.abs(variance[j]! - expectedVariance) / expectedVariance).toBeLessThan(1e-5);
    }
    tensor.dispose();
    disposeStore(store);
  });

  it("inference mode normalises with the running statistics", () => {
    const { layer, store } = newLayer([3]);
    store.statistics.get("bn/runningMean")!.assign(tf.tensor1d([1, 2, 3]));
    store.statistics.get("bn/runningVariance")!.assign(tf.tensor1d([4, 0.25, 9]));
    const input = tf.tensor2d([[3, 2.5, 0]]);
    const output = valuesOf(tf.tidy(() => layer.apply(input, { training: false })));
    const expected = [
      (3 - 1) / Math.sqrt(4 + BATCH_NORM_EPSILON),
      (2.5 - 2) / Math.sqrt(0.25 + BATCH_NORM_EPSILON),
      (0 - 3) / Math.sqrt(9 + BATCH_NORM_EPSILON),
    ];
    expected.forEach((value, j) => expect(output[j]).toBeCloseTo(value, 5));
    input.dispose();
    disposeStore(store);
  });

  it("inside a network: only a training pass with updateStatistics: true moves the running statistics", () => {
    const { generator } = build(TINY_DCGAN, TINY_IMAGE);
    const statisticsNames = [...generator.store.statistics.keys()];
    expect(statisticsNames.length).toBe(4); // two BatchNorm layers, mean and variance each
    const noise = uniform([4, 6], 7);
    const before = snapshotValues(generator);
    tf.tidy(() => generator.apply(noise, { training: true, seed: 1 }));
    tf.tidy(() => generator.apply(noise, { training: false }));
    expect(snapshotValues(generator)).toEqual(before);
    tf.tidy(() => generator.apply(noise, { training: true, updateStatistics: true, seed: 1 }));
    const after = snapshotValues(generator);
    for (const name of statisticsNames) expect(after.get(name)).not.toEqual(before.get(name));
    for (const name of generator.parameterNames) expect(after.get(name)).toEqual(before.get(name));
    noise.dispose();
  });
});

describe("initial weights", () => {
  it.each([
    { name: "mlp", config: TINY_MLP, dataShape: TOY_SHAPE },
    { name: "dcgan", config: TINY_DCGAN, dataShape: TINY_IMAGE },
  ])("$name: are a pure function of config.seed", ({ config, dataShape }) => {
    const first = build({ ...config, seed: 7 }, dataShape);
    const second = build({ ...config, seed: 7 }, dataShape);
    const other = build({ ...config, seed: 8 }, dataShape);
    for (const key of ["generator", "discriminator"] as const) {
      const a = snapshotValues(first[key]);
      const b = snapshotValues(second[key]);
      const c = snapshotValues(other[key]);
      expect([...a.keys()]).toEqual([...b.keys()]);
      expect(a).toEqual(b);
      // Every randomly initialised tensor (kernels and filters; biases start at 0) differs under another seed.
      const random = [...a.keys()].filter((name) => /(kernel|filter)$/.test(name));
      expect(random.length).toBeGreaterThan(1);
      for (const name of random) expect(c.get(name)).not.toEqual(a.get(name));
    }
    // G and D draw from different streams: their first weights are not the same numbers.
    const g = first.generator.parameters[0]!.dataSync();
    const d = first.discriminator.parameters[0]!.dataSync();
    expect(Array.from(g.slice(0, 4))).not.toEqual(Array.from(d.slice(0, 4)));
  });
});
