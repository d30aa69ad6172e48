/**
 * SGD's learning-rate decay and momentum ramp (the paper's code's ExponentialDecay and MomentumAdjustor) against
 * their closed forms, a scheduled MomentumSgd against a float64 hand computation, Adam under the same rate decay,
 * and the config's refusals of the paper-reproduction options where they mean nothing.
 */
import { afterEach, describe, expect, it } from "vitest";

import { ConfigError, resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { tf, type Variable } from "../../../src/core/engine/tf.js";
import { Adam, createOptimizer, MomentumSgd } from "../../../src/core/training/optimizers.js";
import {
  learningRateSchedule,
  scheduledLearningRate,
  scheduledMomentum,
  sgdSchedule,
  type SgdSchedule,
} from "../../../src/core/training/schedules.js";

/** mnist.yaml's numbers: rate 0.1 ÷ 1.000004 per update, floor 1e-6; momentum 0.5 → 0.7 over 249 epochs of 500. */
const PAPER: SgdSchedule = sgdSchedule(
  resolveConfig({
    optimizer: "sgd",
    momentum: 0.5,
    finalMomentum: 0.7,
    momentumRampUpdates: [0, 124_500],
    learningRateDecay: 1.000004,
    minimumLearningRate: 1e-6,
  }),
  0.1,
);

describe("the SGD schedules", () => {
  it("the rate is rate₀ / decay^t, never below the floor", () => {
    expect(scheduledLearningRate(PAPER, 0)).toBe(0.1);
    // 0.1 / 1.000004^100000 = 0.1 · e^(−100000 · ln 1.000004)
    expect(scheduledLearningRate(PAPER, 100_000)).toBeCloseTo(0.1 * Math.exp(-100_000 * Math.log(1.000004)), 11);
    expect(scheduledLearningRate(PAPER, 100_000)).toBeCloseTo(0.067032, 6);
    // The floor: 0.1 / 1.000004^t = 1e-6 at t = ln(1e5) / ln(1.000004) ≈ 2.88 million updates.
    const floorAt = Math.log(1e5) / Math.log(1.000004);
    expect(scheduledLearningRate(PAPER, Math.floor(floorAt) - 10)).toBeGreaterThan(1e-6);
    expect(scheduledLearningRate(PAPER, Math.ceil(floorAt) + 10)).toBe(1e-6);
    expect(scheduledLearningRate(PAPER, 1e9)).toBe(1e-6);
  });

  it("the momentum ramps linearly from μ₀ to μ₁ between the ramp's updates, and stays put outside it", () => {
    expect(scheduledMomentum(PAPER, 0)).toBe(0.5);
    expect(scheduledMomentum(PAPER, 62_250)).toBeCloseTo(0.6, 12); // halfway
    expect(scheduledMomentum(PAPER, 500)).toBeCloseTo(0.5 + 0.2 / 249, 12); // one epoch in: pylearn2's epoch-1 value
    expect(scheduledMomentum(PAPER, 124_500)).toBeCloseTo(0.7, 12);
    expect(scheduledMomentum(PAPER, 10_000_000)).toBeCloseTo(0.7, 12);
    const late = { ...PAPER, rampUpdates: [100, 200] as const };
    expect(scheduledMomentum(late, 50)).toBe(0.5);
    expect(scheduledMomentum(late, 150)).toBeCloseTo(0.6, 12);
  });

  it("a decay that starts at update s keeps rate₀ for s updates, then is the same decay shifted by s", () => {
    const held = learningRateSchedule(resolveConfig({ learningRateDecay: 2, learningRateDecayStart: 3 }), 0.8);
    // 0.8, 0.8, 0.8, 0.8 (t = s: no division yet), 0.4, 0.2, 0.1
    expect([0, 1, 2, 3, 4, 5, 6].map((t) => scheduledLearningRate(held, t))).toEqual([
      0.8, 0.8, 0.8, 0.8, 0.4, 0.2, 0.1,
    ]);
    const fromStart = { ...held, learningRateDecayStart: 0 };
    for (const t of [0, 7, 100]) {
      expect(scheduledLearningRate(held, t + 3)).toBe(scheduledLearningRate(fromStart, t));
    }
    // The floor still holds once the decay runs.
    const floored = { ...held, minimumLearningRate: 0.3 };
    expect(scheduledLearningRate(floored, 5)).toBe(0.3);
    expect(scheduledLearningRate(floored, 2)).toBe(0.8);
  });

  it("the defaults are constant: no decay, no ramp", () => {
    const constant = sgdSchedule(resolveConfig({ optimizer: "sgd", momentum: 0.9 }), 0.01);
    for (const t of [0, 1, 1000, 1e7]) {
      expect(scheduledLearningRate(constant, t)).toBe(0.01);
      expect(scheduledMomentum(constant, t)).toBe(0.9);
    }
  });
});

describe("MomentumSgd with a schedule", () => {
  const created: Array<{ dispose(): void }> = [];
  afterEach(() => {
    for (const item of created.splice(0)) item.dispose();
  });

  it("uses rate(t) and momentum(t) at update t: u ← μ_t·u − α_t·g; θ ← θ + u (float64 by hand)", () => {
    const schedule: SgdSchedule = {
      learningRate: 0.5,
      learningRateDecay: 1.5,
      learningRateDecayStart: 0,
      minimumLearningRate: 0.2,
      momentum: 0.1,
      finalMomentum: 0.9,
      rampUpdates: [1, 3],
    };
    const initial = [0.25, -1.5, 2];
    const gradients = [
      [1, -2, 0.5],
      [-0.25, 4, 1],
      [2, 2, -3],
      [0.5, -1, 0.125],
      [1, 1, 1],
    ];
    const variable: Variable = tf.variable(tf.tensor1d(initial));
    created.push(variable);
    const optimizer = new MomentumSgd([variable], ["w"], schedule);
    created.push(optimizer);
    const expected = initial.map((theta0, j) => {
      let theta = theta0;
      let velocity = 0;
      gradients.forEach((gradient, t) => {
        const rate = Math.max(0.5 / 1.5 ** t, 0.2); // 0.5, 0.333, 0.222, 0.2 (floor), 0.2
        const momentum = 0.1 + 0.8 * Math.min(Math.max((t - 1) / 2, 0), 1); // 0.1, 0.1, 0.5, 0.9, 0.9
        velocity = momentum * velocity - rate * gradient[j]!;
        theta += velocity;
      });
      return theta;
    });
    for (const gradient of gradients) {
      const tensor = tf.tensor1d(gradient);
      optimizer.apply([tensor]);
      tensor.dispose();
    }
    expect(optimizer.step).toBe(gradients.length);
    const actual = Array.from(variable.dataSync());
    actual.forEach((value, j) => expect(Math.abs(value - expected[j]!)).toBeLessThan(1e-5));
  });
});

describe("Adam with a decaying rate", () => {
  const created: Array<{ dispose(): void }> = [];
  afterEach(() => {
    for (const item of created.splice(0)) item.dispose();
  });

  it("steps by ≈ rate(t)·sign(g) under a constant gradient: the decay reaches Adam's step size", () => {
    // With a constant gradient g, m̂ = g and v̂ = g² at every t (bias corrections exact), so each update is
    // rate(t)·g/(|g| + ε) ≈ rate(t)·sign(g): the weight's path is the sum of the scheduled rates.
    const config = resolveConfig({
      optimizer: "adam",
      learningRateDecay: 2,
      minimumLearningRate: 0.01,
      generatorLearningRate: 0.1,
      discriminatorLearningRate: 0.1,
    });
    const schedule = learningRateSchedule(config, 0.1);
    const variable: Variable = tf.variable(tf.tensor1d([0, 0]));
    created.push(variable);
    const optimizer = createOptimizer(config, [variable], ["w"], 0.1);
    created.push(optimizer);
    expect(optimizer).toBeInstanceOf(Adam);
    const updates = 6;
    for (let t = 0; t < updates; t++) {
      const gradient = tf.tensor1d([3, -0.5]);
      optimizer.apply([gradient]);
      gradient.dispose();
    }
    // 0.1 + 0.05 + 0.025 + 0.0125 + 0.01 (floor) + 0.01 = 0.2075, against 0.6 at a constant rate.
    const travelled = Array.from({ length: updates }, (_, t) => scheduledLearningRate(schedule, t)).reduce(
      (sum, rate) => sum + rate,
    );
    expect(travelled).toBeCloseTo(0.2075, 12);
    const [first, second] = Array.from(variable.dataSync());
    expect(first).toBeCloseTo(-travelled, 6);
    expect(second).toBeCloseTo(travelled, 6);
  });

  it("keeps a constant rate when given a number (the default decay of 1)", () => {
    const variable: Variable = tf.variable(tf.tensor1d([0]));
    created.push(variable);
    const optimizer = new Adam([variable], ["w"], 0.1, 0.5, 0.999);
    created.push(optimizer);
    for (let t = 0; t < 3; t++) {
      const gradient = tf.tensor1d([1]);
      optimizer.apply([gradient]);
      gradient.dispose();
    }
    expect(variable.dataSync()[0]).toBeCloseTo(-0.3, 6);
  });
});

describe("the config refuses the paper's options where they mean nothing", () => {
  const refusals: Array<[string, ConfigInput, RegExp]> = [
    ["a momentum ramp on Adam", { finalMomentum: 0.7 }, /set optimizer to sgd/],
    ["a ramp that ends before it starts", { optimizer: "sgd", momentumRampUpdates: [10, 5] }, /ends \(5\) before/],
    [
      "a floor above a rate",
      { optimizer: "sgd", learningRateDecay: 1.1, minimumLearningRate: 0.5, generatorLearningRate: 0.1 },
      /minimumLearningRate 0.5 is above a learning rate/,
    ],
    ["a decay below 1", { optimizer: "sgd", learningRateDecay: 0.99 }, /learningRateDecay/],
    ["a decay start without a decay", { learningRateDecayStart: 100 }, /no decay to start/],
    ["a negative decay start", { learningRateDecay: 1.1, learningRateDecayStart: -1 }, /learningRateDecayStart/],
    ["simultaneous updates with k = 2", { simultaneousUpdates: true, discriminatorSteps: 2 }, /must be 1, not 2/],
    [
      "marginal bias without a sigmoid",
      { arch: "mlp", mlp: { generatorOutputBias: "data-marginals" } },
      /set generatorOutput to sigmoid/,
    ],
    [
      "marginal bias for a toy",
      { dataset: "ring-2d", generatorOutput: "sigmoid", mlp: { generatorOutputBias: "data-marginals" } },
      /ring-2d has none/,
    ],
    ["an image range on a toy", { dataset: "ring-2d", trainImages: [0, 10] }, /ring-2d is sampled afresh/],
    ["an empty image range", { trainImages: [10, 10] }, /\[10, 10\] is empty/],
    ["a negative weight range", { mlp: { generatorWeightRange: -0.05 } }, /generatorWeightRange/],
  ];
  for (const [what, input, message] of refusals) {
    it(what, () => {
      expect(() => resolveConfig(input)).toThrow(ConfigError);
      expect(() => resolveConfig(input)).toThrow(message);
    });
  }

  it("every new option defaults to off", () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      learningRateDecay: 1,
      learningRateDecayStart: 0,
      minimumLearningRate: 0,
      finalMomentum: null,
      momentumRampUpdates: [0, 0],
      simultaneousUpdates: false,
      trainImages: null,
    });
    expect(config.mlp).toMatchObject({
      generatorWeightRange: 0,
      discriminatorWeightRange: 0,
      generatorOutputBias: "zeros",
    });
  });
});
