/**
 * Reproducibility: the same seed and config give the same weights after N iterations, and a run stopped at
 * iteration s and resumed from its checkpoint gives bit-identical weights at N (same backend).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig, type Config, type ConfigInput } from "../../../src/core/config.js";
import { toyDataset, type Dataset } from "../../../src/core/data/dataset.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { tf } from "../../../src/core/engine/tf.js";
import { snapshotValues } from "../../../src/core/models/network.js";
import { trainAlgorithm1, type TrainingEventMap } from "../../../src/core/training/algorithm1.js";
import { encodeCheckpoint, restoreCheckpoint } from "../../../src/core/training/checkpoint.js";
import { Events } from "../../../src/core/training/events.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";

const TOTAL_STEPS = 6;
const STOP_AT = 3;

/** Small nets with every kind of state: BatchNorm statistics in G, dropout in D, Adam moments, k = 2. */
const SETTINGS: ConfigInput = {
  dataset: "ring-2d",
  arch: "mlp",
  steps: TOTAL_STEPS,
  batchSize: 16,
  latentDim: 2,
  discriminatorSteps: 2,
  seed: 7,
  mlp: {
    generatorHidden: [8, 8],
    discriminatorHidden: [8],
    maxoutPieces: 3,
    generatorBatchNorm: true,
    discriminatorDropout: 0.5,
  },
};

function allValues(gan: Gan): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const [name, v] of snapshotValues(gan.generator)) values.set(`generator/${name}`, v);
  for (const [name, v] of snapshotValues(gan.discriminator)) values.set(`discriminator/${name}`, v);
  if (gan.generatorEma) for (const [name, v] of snapshotValues(gan.generatorEma)) values.set(`generatorEma/${name}`, v);
  return values;
}

async function train(gan: Gan, dataset: Dataset, stopAt?: number): Promise<void> {
  const options = stopAt === undefined ? {} : { shouldStop: () => gan.step >= stopAt };
  await trainAlgorithm1(gan, dataset, new Events<TrainingEventMap>(), options);
}

/** Every value of a run of `config` stopped at STOP_AT, checkpointed (encode → restore) and trained to the end. */
async function stoppedAndResumed(config: Config, dataset: Dataset): Promise<Map<string, Float32Array>> {
  const first = createGan(config, [2]);
  await train(first, dataset, STOP_AT);
  const { manifest, data } = encodeCheckpoint(first);
  disposeGan(first);
  const resumed = createGan(config, [2]);
  try {
    restoreCheckpoint(resumed, manifest, data);
    await train(resumed, dataset);
    return allValues(resumed);
  } finally {
    disposeGan(resumed);
  }
}

function expectIdentical(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, values] of a) expect(b.get(name), name).toEqual(values);
}

describe("reproducibility", () => {
  const dataset = toyDataset(toyDistribution("ring-2d"));
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("same seed and config give the same weights after N iterations; another seed does not", async () => {
    const runs: Array<Map<string, Float32Array>> = [];
    for (const seed of [7, 7, 8]) {
      const gan = createGan(resolveConfig({ ...SETTINGS, seed }), [2]);
      await train(gan, dataset);
      expect(gan.step).toBe(TOTAL_STEPS);
      runs.push(allValues(gan));
      disposeGan(gan);
    }
    expectIdentical(runs[0]!, runs[1]!);
    expect(runs[2]!.get("generator/dense0/kernel")).not.toEqual(runs[0]!.get("generator/dense0/kernel"));
  });

  it("a run stopped at step s and resumed from its checkpoint matches an uninterrupted run bit for bit", async () => {
    const config = resolveConfig(SETTINGS);
    const uninterrupted = createGan(config, [2]);
    await train(uninterrupted, dataset);
    const expected = allValues(uninterrupted);
    disposeGan(uninterrupted);

    const first = createGan(config, [2]);
    await train(first, dataset, STOP_AT);
    expect(first.step).toBe(STOP_AT);
    const { manifest, data } = encodeCheckpoint(first);
    disposeGan(first);

    const resumed = createGan(config, [2]);
    restoreCheckpoint(resumed, manifest, data);
    expect(resumed.step).toBe(STOP_AT);
    expect(resumed.generatorOptimizer.step).toBe(STOP_AT);
    expect(resumed.discriminatorOptimizer.step).toBe(STOP_AT * config.discriminatorSteps);
    await train(resumed, dataset);
    expect(resumed.step).toBe(TOTAL_STEPS);
    expectIdentical(allValues(resumed), expected);
    disposeGan(resumed);
  });

  it("with spectral norm on both networks and an EMA generator, a resumed run still matches bit for bit", async () => {
    // ũ, ṽ (statistics of both networks) and the EMA generator are state too: the checkpoint must carry them.
    const config = resolveConfig({ ...SETTINGS, spectralNorm: "both", generatorEma: 0.9 });
    const uninterrupted = createGan(config, [2]);
    await train(uninterrupted, dataset);
    const expected = allValues(uninterrupted);
    disposeGan(uninterrupted);
    expect([...expected.keys()]).toContain("discriminator/maxout0/kernel/u");
    expect([...expected.keys()]).toContain("generatorEma/dense0/kernel");

    expectIdentical(await stoppedAndResumed(config, dataset), expected);
  });

  it("with PacGAN packing (pack 2: 2·batchSize samples a minibatch), a resumed run still matches bit for bit", async () => {
    const config = resolveConfig({ ...SETTINGS, pack: 2 });
    const uninterrupted = createGan(config, [2]);
    await train(uninterrupted, dataset);
    const expected = allValues(uninterrupted);
    disposeGan(uninterrupted);
    expect(expected.get("discriminator/maxout0/kernel")!.length).toBe(2 * 2 * 8 * 3); // [pack·2, units·pieces]

    expectIdentical(await stoppedAndResumed(config, dataset), expected);
  });

  it("resuming without the optimizer state would differ (the test above can fail)", async () => {
    const config = resolveConfig(SETTINGS);
    const reference = createGan(config, [2]);
    await train(reference, dataset);
    const expected = allValues(reference);
    disposeGan(reference);

    const first = createGan(config, [2]);
    await train(first, dataset, STOP_AT);
    const { manifest, data } = encodeCheckpoint(first);
    disposeGan(first);
    const weightsOnly = createGan(config, [2]);
    restoreCheckpoint(weightsOnly, manifest, data, { weightsOnly: true });
    await train(weightsOnly, dataset);
    expect(allValues(weightsOnly).get("generator/dense0/kernel")).not.toEqual(expected.get("generator/dense0/kernel"));
    disposeGan(weightsOnly);
  });
});
