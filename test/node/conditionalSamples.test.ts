/**
 * What `tsgan sample` and the training grids ask a conditional G for (src/node/run/samples.ts): one class, or a row
 * per class with the same noise in every row; an unconditional run draws exactly the noise it always drew and
 * refuses a class. And what `tsgan eval` asks for: every class in turn, scored per class by class coverage.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { toyDataset } from "../../src/core/data/dataset.js";
import { toyDistribution } from "../../src/core/data/toys.js";
import { Rng } from "../../src/core/engine/random.js";
import { tf } from "../../src/core/engine/tf.js";
import type { ImageClassifier } from "../../src/core/metrics/types.js";
import { withDataClassCount } from "../../src/core/training/conditional.js";
import { createGan, disposeGan } from "../../src/core/training/gan.js";
import { fixedNoise, sampleNoise } from "../../src/core/training/noise.js";
import { evaluateGan } from "../../src/node/evaluate.js";
import { fixedSampleInputs, randomSampleInputs, type SampleInputs } from "../../src/node/run/samples.js";

const ring = toyDataset(toyDistribution("ring-2d"));
const plain = resolveConfig({ dataset: "ring-2d", arch: "mlp", latentDim: 3 });
const conditional = withDataClassCount({ ...plain, conditional: "projection" }, ring);
const mnistLike = { ...conditional, classCount: 10 };
const images = {
  kind: "images",
  name: "mnist",
  images: new Float32Array(0),
  count: 0,
  height: 28,
  width: 28,
  channels: 1,
  pixelRange: "tanh",
} as const;

function values(inputs: SampleInputs): number[] {
  const result = Array.from(inputs.noise.dataSync());
  inputs.noise.dispose();
  return result;
}

describe("conditional sample inputs", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("--class c asks every sample for c; a row per class has ⌈count / K⌉ columns of shared noise", () => {
    const one = randomSampleInputs(conditional, 5, Rng.derive(1, "sample"), 3);
    expect(Array.from(one.choice.labels!)).toEqual([3, 3, 3, 3, 3]);
    expect(values(one)).toHaveLength(5 * 3);

    const grid = randomSampleInputs(conditional, 20, Rng.derive(1, "sample"));
    expect(grid.choice.columns).toBe(3);
    expect(Array.from(grid.choice.labels!)).toEqual(Array.from({ length: 24 }, (_, i) => Math.floor(i / 3)));
    const noise = values(grid);
    const firstRow = noise.slice(0, 9);
    for (let row = 1; row < 8; row++) expect(noise.slice(row * 9, row * 9 + 9)).toEqual(firstRow);

    expect(() => randomSampleInputs(conditional, 4, Rng.derive(1, "sample"), 8)).toThrow(/classes are 0 … 7/);
  });

  it("an unconditional run draws the noise it always drew and refuses a class", () => {
    const inputs = randomSampleInputs(plain, 6, Rng.derive(1, "sample"));
    expect(inputs.choice).toEqual({});
    const expected = sampleNoise(plain, 6, Rng.derive(1, "sample"));
    expect(values(inputs)).toEqual(Array.from(expected.dataSync()));
    expected.dispose();
    expect(() => randomSampleInputs(plain, 6, Rng.derive(1, "sample"), 1)).toThrow(/unconditional/);
    const fixed = fixedSampleInputs(plain, ring, 50);
    const expectedFixed = fixedNoise(plain, 50);
    expect(values(fixed)).toEqual(Array.from(expectedFixed.dataSync()));
    expectedFixed.dispose();
  });

  it("the training grid of a conditional image run: a row per class, each the run's first 8 fixed-noise vectors", () => {
    const inputs = fixedSampleInputs(mnistLike, images, 1000);
    expect(inputs.choice.columns).toBe(8);
    expect(inputs.choice.labels).toHaveLength(80);
    const noise = values(inputs);
    const first = fixedNoise(mnistLike, 8);
    const firstRow = Array.from(first.dataSync());
    first.dispose();
    for (let row = 0; row < 10; row++) expect(noise.slice(row * 24, row * 24 + 24)).toEqual(firstRow);
    const toy = fixedSampleInputs(conditional, ring, 16);
    expect(Array.from(toy.choice.labels!)).toEqual(Array.from({ length: 16 }, (_, i) => i % 8));
    toy.noise.dispose();
  });
});

/** A stub classifier that calls every image a 0 (so exactly the samples asked to be 0 are "right"). */
const ALWAYS_ZERO: ImageClassifier = {
  dataset: "mnist",
  classes: 10,
  featureDim: 2,
  features: (_images, count) => new Float32Array(count * 2),
  probabilities: (_images, count) => {
    const output = new Float32Array(count * 10);
    for (let image = 0; image < count; image++) output[image * 10] = 1;
    return output;
  },
};

describe("tsgan eval of a conditional image GAN", () => {
  it("asks for every class in turn and reports the accuracy of the requested class, per class", async () => {
    await tf.setBackend("cpu");
    const config = resolveConfig({
      dataset: "mnist",
      arch: "mlp",
      conditional: "projection",
      classCount: 10,
      latentDim: 4,
      mlp: { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2 },
    });
    const gan = createGan(config, [28, 28, 1]);
    try {
      const metrics = await evaluateGan({
        gan,
        names: ["class-coverage"],
        samples: 100,
        seed: 1,
        classifier: ALWAYS_ZERO,
      });
      const result = metrics["class-coverage"]!.result;
      expect(result.perClassAccuracy).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(result.classAccuracy).toBeCloseTo(0.1, 12); // 10 of 100 samples were asked to be a 0
    } finally {
      disposeGan(gan);
    }
  });
});
