/**
 * The D and G steps with PacGAN packing (pack m = 2), on every backend: D's inputs are packs whose m samples all come
 * from one source (read off D's inputs during the steps and compared with the real minibatch and with G(z)), a D step
 * moves only D and a G step only G, every loss runs on packs, and the R1 penalty is taken on packs.
 */
import { afterEach, describe, expect, it } from "vitest";

import { LOSS_NAMES, resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { Rng, hashSeed } from "../../../src/core/engine/random.js";
import { tf, type Scalar, type Tensor } from "../../../src/core/engine/tf.js";
import { r1Penalty } from "../../../src/core/losses/index.js";
import { packSamples, samplesPerMinibatch } from "../../../src/core/models/packing.js";
import { snapshotValues, type Network } from "../../../src/core/models/network.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import { discriminatorStep, fakeScore, generatorStep, type StepSeeds } from "../../../src/core/training/steps.js";
import { describeEachBackend } from "../../support/backends.js";

const PACK = 2;
const PACKS = 4;

const CASES: Array<{ name: string; config: ConfigInput; dataShape: number[] }> = [
  {
    name: "tiny mlp on 2-D data",
    config: {
      arch: "mlp",
      batchSize: PACKS,
      pack: PACK,
      latentDim: 3,
      mlp: { generatorHidden: [8], discriminatorHidden: [6], maxoutPieces: 2, generatorBatchNorm: true },
    },
    dataShape: [2],
  },
  {
    name: "tiny dcgan on 8×8 RGB images",
    config: {
      arch: "dcgan",
      batchSize: PACKS,
      pack: PACK,
      latentDim: 3,
      dcgan: { generatorDepth: 8, generatorChannels: [4], discriminatorChannels: [4, 8] },
    },
    dataShape: [8, 8, 3],
  },
];

let gans: Gan[] = [];
afterEach(() => {
  gans.forEach(disposeGan);
  gans = [];
});
function gan(config: ConfigInput, dataShape: number[]): Gan {
  const created = createGan(resolveConfig(config), dataShape);
  gans.push(created);
  return created;
}

const seeds: StepSeeds = { generator: hashSeed(3, "dropout/generator"), discriminator: hashSeed(3, "dropout/d") };
const scalar = (t: Scalar) => t.dataSync()[0]!;

/** The real minibatch of one D step: batchSize packs of m samples, [batchSize·m, ...dataShape]. */
function realSamples(g: Gan): Tensor {
  const count = samplesPerMinibatch(g.config);
  const values = new Float32Array(count * g.dataShape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(5, "real").fillUniform(values, -1, 1), [count, ...g.dataShape]);
}

function noise(g: Gan): Tensor {
  return sampleNoise(g.config, samplesPerMinibatch(g.config), Rng.derive(5, "noise"));
}

/** Runs `body` while recording the values of every input D is applied to (D itself runs unchanged). */
function recordInputs(network: Network, body: () => void): Float32Array[] {
  const inputs: Float32Array[] = [];
  const apply = network.apply.bind(network);
  network.apply = (input, options) => {
    inputs.push(Float32Array.from(input.dataSync()));
    return apply(input, options);
  };
  try {
    body();
  } finally {
    network.apply = apply;
  }
  return inputs;
}

/** What D should see for these samples: their packs, as values. */
function packed(samples: Tensor): Float32Array {
  return tf.tidy(() => Float32Array.from(packSamples(samples, PACK).dataSync()));
}

describeEachBackend("steps with packing", () => {
  describe.each(CASES)("$name", ({ config, dataShape }) => {
    it("a D step: D judges packs of real samples only, then packs of generated samples only; G is unchanged", () => {
      const g = gan(config, dataShape);
      const real = realSamples(g);
      const z = noise(g);
      // G(z) as the D step computes it (training-mode batch statistics, the step's dropout seed), before the step.
      const generated = g.generator.apply(z, { training: true, updateStatistics: false, seed: seeds.generator });
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);

      let metrics: ReturnType<typeof discriminatorStep> | undefined;
      const inputs = recordInputs(g.discriminator, () => {
        metrics = discriminatorStep(g, real, z, seeds);
      });

      expect(inputs).toHaveLength(2); // one pass over the real packs, one over the generated packs
      expect(inputs[0]!.length).toBe(real.size); // PACKS packs of PACK samples each: nothing dropped or repeated
      expect(inputs[0]).toEqual(packed(real));
      expect(inputs[1]).toEqual(packed(generated));
      expect(changed(generatorBefore, snapshotValues(g.generator))).toEqual([]);
      const moved = changed(discriminatorBefore, snapshotValues(g.discriminator));
      expect(moved).toContain(g.discriminator.parameterNames[0]); // the first layer, the one packing widened
      expect(moved.length).toBeGreaterThanOrEqual(g.discriminator.parameterNames.length - 1);
      for (const value of Object.values(metrics!)) expect(Number.isFinite(scalar(value))).toBe(true);
      tf.dispose([real, z, generated, ...Object.values(metrics!)]);
    });

    it("a G step: D judges packs of generated samples only; D is unchanged, G moves", () => {
      const g = gan(config, dataShape);
      const z = noise(g);
      const generated = g.generator.apply(z, { training: true, updateStatistics: false, seed: seeds.generator });
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);

      let metrics: ReturnType<typeof generatorStep> | undefined;
      const inputs = recordInputs(g.discriminator, () => {
        metrics = generatorStep(g, z, seeds);
      });

      expect(inputs).toHaveLength(1);
      expect(inputs[0]).toEqual(packed(generated));
      expect(changed(discriminatorBefore, snapshotValues(g.discriminator))).toEqual([]);
      expect(changed(generatorBefore, snapshotValues(g.generator)).length).toBeGreaterThan(0);
      // The after-step score judges packs too: the mean over PACKS packs, a probability.
      const after = fakeScore(g, z, seeds);
      expect(scalar(after)).toBeGreaterThan(0);
      expect(scalar(after)).toBeLessThan(1);
      tf.dispose([z, generated, after, ...Object.values(metrics!)]);
    });
  });

  describe("every loss and R1 on packs (tiny mlp)", () => {
    const base = CASES[0]!;
    it.each(LOSS_NAMES)("%s: finite metrics, each step moves only its own network", (loss) => {
      const g = gan({ ...base.config, loss }, base.dataShape);
      const real = realSamples(g);
      const z = noise(g);
      const generatorBefore = snapshotValues(g.generator);
      const dMetrics = discriminatorStep(g, real, z, seeds);
      expect(changed(generatorBefore, snapshotValues(g.generator))).toEqual([]);
      const discriminatorBefore = snapshotValues(g.discriminator);
      const gMetrics = generatorStep(g, z, seeds);
      expect(changed(discriminatorBefore, snapshotValues(g.discriminator))).toEqual([]);
      const metrics = [...Object.values(dMetrics), ...Object.values(gMetrics)];
      for (const metric of metrics) expect(Number.isFinite(scalar(metric))).toBe(true);
      tf.dispose([real, z, ...metrics]);
    });

    it("R1 acts on packs: the penalised D loss exceeds the plain one by γ/2·E‖∇D(pack)‖² over the real packs", () => {
      const noDropout: ConfigInput = {
        ...base.config,
        mlp: { ...base.config.mlp, discriminatorInputDropout: 0, discriminatorDropout: 0 },
      };
      const gamma = 10;
      const plain = gan(noDropout, base.dataShape);
      const penalised = gan({ ...noDropout, r1Gamma: gamma }, base.dataShape);
      const real = realSamples(plain);
      const z = noise(plain);
      const critic = (x: Tensor) => penalised.discriminator.apply(x, { training: true, updateStatistics: false });
      const expected = tf.tidy(() => scalar(r1Penalty(critic, packSamples(real, PACK), gamma)));
      expect(expected).toBeGreaterThan(0);
      const plainMetrics = discriminatorStep(plain, real, z, seeds);
      const penalisedMetrics = discriminatorStep(penalised, real, z, seeds);
      const difference = scalar(penalisedMetrics.loss) - scalar(plainMetrics.loss);
      expect(Math.abs(difference - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
      tf.dispose([real, z, ...Object.values(plainMetrics), ...Object.values(penalisedMetrics)]);
    });
  });
});

function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): string[] {
  return [...before.keys()].filter((name) => {
    const a = before.get(name)!;
    const b = after.get(name)!;
    return a.length !== b.length || a.some((value, index) => !Object.is(value, b[index]));
  });
}
