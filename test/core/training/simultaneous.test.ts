/**
 * The paper's code's simultaneous update: D's and G's gradients both taken at the current weights, from one
 * minibatch, G's through the same dropout masks as D's fake pass — so D ends where a lone D step takes it and G where
 * a lone G step (with D's fake-pass masks) takes it, both from the same start.
 */
import { describe, expect, it } from "vitest";

import { resolveConfig } from "../../../src/core/config.js";
import { Rng, hashSeed } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import { snapshotValues } from "../../../src/core/models/network.js";
import { createGan, disposeGan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import { simultaneousStep } from "../../../src/core/training/simultaneous.js";
import { discriminatorStep, FAKE_PASS, generatorStep } from "../../../src/core/training/steps.js";

const config = resolveConfig({
  arch: "mlp",
  batchSize: 8,
  latentDim: 4,
  optimizer: "sgd",
  generatorLearningRate: 0.1,
  discriminatorLearningRate: 0.05,
  simultaneousUpdates: true,
  mlp: { generatorHidden: [16], discriminatorHidden: [12], maxoutPieces: 3, discriminatorDropout: 0.5 },
});
const SEEDS = { generator: 11, discriminator: 12 };

describe("simultaneousStep", () => {
  it("moves D as a D step and G as a G step would, both from the same weights", () => {
    const real = tf.tensor2d(new Rng(3).fillNormal(new Float32Array(8 * 2)), [8, 2]);
    const noise = sampleNoise(config, 8, new Rng(4));
    const [together, discriminatorOnly, generatorOnly] = [0, 1, 2].map(() => createGan(config, [2]));
    const before = tf.memory().numTensors;
    const metrics = simultaneousStep(together!, real, noise, SEEDS);
    tf.dispose([...Object.values(metrics.discriminator), ...Object.values(metrics.generator)]);
    expect(tf.memory().numTensors).toBe(before); // no leak

    tf.dispose(Object.values(discriminatorStep(discriminatorOnly!, real, noise, SEEDS)));
    const fakePass = { generator: SEEDS.generator, discriminator: hashSeed(SEEDS.discriminator, FAKE_PASS) };
    tf.dispose(Object.values(generatorStep(generatorOnly!, noise, fakePass)));

    const initial = createGan(config, [2]);
    for (const [network, expected, unchanged] of [
      ["discriminator", discriminatorOnly!.discriminator, initial.discriminator],
      ["generator", generatorOnly!.generator, initial.generator],
    ] as const) {
      const actual = snapshotValues(together![network]);
      const moved = [...actual].some(([name, values]) =>
        values.some((v, i) => v !== snapshotValues(unchanged).get(name)![i]),
      );
      expect(moved, `${network} moved`).toBe(true);
      for (const [name, values] of snapshotValues(expected)) expect(actual.get(name), name).toEqual(values);
    }
    expect(together!.generatorOptimizer.step).toBe(1);
    expect(together!.discriminatorOptimizer.step).toBe(1);
    for (const gan of [together!, discriminatorOnly!, generatorOnly!, initial]) disposeGan(gan);
    tf.dispose([real, noise]);
  });
});
