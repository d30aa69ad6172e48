/**
 * Conditional GANs (config.conditional: projection D, AC-GAN): the networks' shapes and heads, a D step and a G step
 * with labels (each moves only its own network, the label weights included), on every backend; the labelled toys and
 * batches; the class count taken from the data; checkpoints and a bit-identical resume of a conditional run.
 */
import { afterEach, describe, expect, it } from "vitest";

import { resolveConfig, type Config, type ConfigInput } from "../../../src/core/config.js";
import { labelledRealBatch, realBatch } from "../../../src/core/data/batches.js";
import { toyDataset, type ImageDataset } from "../../../src/core/data/dataset.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { Rng, hashSeed } from "../../../src/core/engine/random.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { LABEL_EMBEDDING_DIMENSION } from "../../../src/core/models/conditional.js";
import { snapshotValues } from "../../../src/core/models/network.js";
import { trainAlgorithm1, type TrainingEventMap } from "../../../src/core/training/algorithm1.js";
import { encodeCheckpoint, restoreGan } from "../../../src/core/training/checkpoint.js";
import {
  classRows,
  labelTensor,
  sampleClassLabels,
  withDataClassCount,
  type StepLabels,
} from "../../../src/core/training/conditional.js";
import { Events } from "../../../src/core/training/events.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import { discriminatorStep, generatorStep } from "../../../src/core/training/steps.js";
import { describeEachBackend } from "../../support/backends.js";

const BATCH = 8;
const CLASSES = 4;
const KINDS = ["projection", "acgan"] as const;

const NETWORKS: Array<{ name: string; config: ConfigInput; dataShape: number[] }> = [
  {
    name: "tiny mlp on 2-D data",
    config: { arch: "mlp", mlp: { generatorHidden: [8], discriminatorHidden: [6], maxoutPieces: 2 } },
    dataShape: [2],
  },
  {
    name: "tiny dcgan on 8×8 images",
    config: { arch: "dcgan", dcgan: { generatorDepth: 8, generatorChannels: [4], discriminatorChannels: [4, 8] } },
    dataShape: [8, 8, 1],
  },
];

let gans: Gan[] = [];
function gan(config: ConfigInput, dataShape: number[]): Gan {
  const created = createGan(resolveConfig({ batchSize: BATCH, latentDim: 4, ...config }), dataShape);
  gans.push(created);
  return created;
}
afterEach(() => {
  gans.forEach(disposeGan);
  gans = [];
});

function realData(dataShape: number[]): Tensor {
  const values = new Float32Array(BATCH * dataShape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(5, "real").fillUniform(values, -1, 1), [BATCH, ...dataShape]);
}
function stepLabels(): StepLabels {
  return {
    real: labelTensor(sampleClassLabels(CLASSES, BATCH, Rng.derive(5, "labels/real"))),
    fake: labelTensor(sampleClassLabels(CLASSES, BATCH, Rng.derive(5, "labels/fake"))),
  };
}
const seeds = { generator: hashSeed(5, "g"), discriminator: hashSeed(5, "d") };

/** Names whose values differ between two snapshots. */
function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): string[] {
  return [...before.keys()].filter((name) => before.get(name)!.some((value, i) => value !== after.get(name)![i]));
}

describeEachBackend("conditional networks and steps", () => {
  describe.each(NETWORKS)("$name", ({ config, dataShape }) => {
    it.each(KINDS)("%s: G draws [m, ...dataShape] from z and y; D's output has the head's shape", (conditional) => {
      const g = gan({ ...config, conditional, classCount: CLASSES }, dataShape);
      const labels = stepLabels();
      const z = sampleNoise(g.config, BATCH, Rng.derive(1, "z"));
      const fake = g.generator.apply(z, { training: false, labels: labels.fake });
      expect(fake.shape).toEqual([BATCH, ...dataShape]);
      const output = g.discriminator.apply(fake, { training: false, labels: labels.fake });
      expect(output.shape).toEqual([BATCH, conditional === "acgan" ? 1 + CLASSES : 1]);
      expect(() => g.generator.apply(z, { training: false })).toThrow(/needs labels/);
      expect(g.generator.parameterNames).toContain("labelEmbedding");
      tf.dispose([z, fake, output, labels.real, labels.fake]);
    });

    it.each(KINDS)("%s: a D step moves D (its head's label weights too) and leaves G bit-identical", (conditional) => {
      const g = gan({ ...config, conditional, classCount: CLASSES }, dataShape);
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);
      const [real, z, labels] = [realData(dataShape), sampleNoise(g.config, BATCH, Rng.derive(1, "z")), stepLabels()];
      const tensorsBefore = tf.memory().numTensors;
      const metrics = discriminatorStep(g, real, z, seeds, labels);
      const loss = metrics.loss.dataSync()[0]!;
      tf.dispose(Object.values(metrics));
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(Number.isFinite(loss)).toBe(true);
      expect(changed(generatorBefore, snapshotValues(g.generator))).toEqual([]);
      const moved = changed(discriminatorBefore, snapshotValues(g.discriminator));
      const head = conditional === "projection" ? "projection/embedding" : "classLogits/kernel";
      expect(moved).toContain(head);
      expect(moved).toContain("logit/kernel");
      tf.dispose([real, z, labels.real, labels.fake]);
    });

    it.each(KINDS)("%s: a G step moves G (its label embedding too) and leaves D bit-identical", (conditional) => {
      const g = gan({ ...config, conditional, classCount: CLASSES }, dataShape);
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);
      const [z, labels] = [sampleNoise(g.config, BATCH, Rng.derive(1, "z")), stepLabels()];
      const metrics = generatorStep(g, z, seeds, labels.fake);
      tf.dispose(Object.values(metrics));
      expect(changed(discriminatorBefore, snapshotValues(g.discriminator))).toEqual([]);
      expect(changed(generatorBefore, snapshotValues(g.generator))).toContain("labelEmbedding");
      tf.dispose([z, labels.real, labels.fake]);
    });
  });
});

describe("the projection head", () => {
  it("is the unconditional D plus ⟨E[y], φ(x)⟩: with E = 0 it gives the unconditional D's logits exactly", () => {
    const { config, dataShape } = NETWORKS[0]!;
    const plain = gan(config, dataShape);
    const conditional = gan({ ...config, conditional: "projection", classCount: CLASSES }, dataShape);
    const table = conditional.discriminator.store.trainable.get("projection/embedding")!;
    const labels = stepLabels();
    const x = realData(dataShape);
    const unconditional = plain.discriminator.apply(x, { training: false }).dataSync();
    // The same seed and names give the shared layers the same initial weights; a nonzero table moves the logits.
    const projected = conditional.discriminator.apply(x, { training: false, labels: labels.real }).dataSync();
    expect(projected).not.toEqual(unconditional);
    table.assign(tf.zerosLike(table));
    const zeroed = conditional.discriminator.apply(x, { training: false, labels: labels.real }).dataSync();
    expect(zeroed).toEqual(unconditional);
    tf.dispose([x, labels.real, labels.fake]);
  });

  it("G's input is [z, E[y]]: LABEL_EMBEDDING_DIMENSION more inputs to its first layer", () => {
    const { config, dataShape } = NETWORKS[0]!;
    const plain = gan(config, dataShape);
    const conditional = gan({ ...config, conditional: "projection", classCount: CLASSES }, dataShape);
    const rows = (g: Gan) => g.generator.store.trainable.get("dense0/kernel")!.shape[0]!;
    expect(rows(conditional)).toBe(rows(plain) + LABEL_EMBEDDING_DIMENSION);
  });
});

describe("labelled data", () => {
  const ring = toyDistribution("ring-2d");

  it("a toy's labels are the components its samples were drawn from: same draws as sample, nearest mode", () => {
    const { samples, labels } = ring.sampleLabelled(200, Rng.derive(3, "ring"));
    expect(samples).toEqual(ring.sample(200, Rng.derive(3, "ring")));
    for (let row = 0; row < 200; row++) {
      const distances = Array.from({ length: ring.modeCount }, (_, mode) =>
        Math.hypot(samples[2 * row]! - ring.modes[2 * mode]!, samples[2 * row + 1]! - ring.modes[2 * mode + 1]!),
      );
      expect(distances.indexOf(Math.min(...distances))).toBe(labels[row]);
    }
  });

  it("labelledRealBatch gives realBatch's batch and the images' own labels", () => {
    const count = 10;
    const images = new Float32Array(count * 4).map((_, i) => Math.floor(i / 4) / count); // image i is all i/10
    const dataset: ImageDataset = {
      kind: "images",
      name: "tiny",
      images,
      labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
      count,
      height: 2,
      width: 2,
      channels: 1,
      pixelRange: "sigmoid",
    };
    for (const batchIndex of [0, 1, 4]) {
      const { batch, labels } = labelledRealBatch(dataset, batchIndex, 4, 9);
      expect(batch).toEqual(realBatch(dataset, batchIndex, 4, 9));
      for (let row = 0; row < 4; row++) expect(labels[row]).toBe(Math.round(batch[row * 4]! * count) % 3);
    }
    expect(labelledRealBatch(toyDataset(ring), 2, 8, 9).batch).toEqual(realBatch(toyDataset(ring), 2, 8, 9));
  });

  it("a conditional config takes its class count from the data; data without labels are refused", () => {
    const config = resolveConfig({ dataset: "ring-2d", arch: "mlp", conditional: "projection" });
    expect(withDataClassCount(config, toyDataset(ring)).classCount).toBe(8);
    const grid = toyDataset(toyDistribution("grid-2d"));
    expect(withDataClassCount(config, grid).classCount).toBe(25);
    expect(() => withDataClassCount(config, toyDataset(toyDistribution("gaussian-1d")))).toThrow(/labelled data/);
    expect(() => withDataClassCount({ ...config, classCount: 5 }, toyDataset(ring))).toThrow(/built for 5 classes/);
    const plain = resolveConfig({ dataset: "ring-2d", arch: "mlp" });
    expect(withDataClassCount(plain, toyDataset(toyDistribution("gaussian-1d")))).toBe(plain);
  });

  it("a class grid repeats the same noise in every row, row c asking for class c", () => {
    const noise = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 columns of latentDim 2
    const grid = classRows(noise, 2, 2);
    expect(Array.from(grid.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(grid.noise)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
  });
});

describe("conditional checkpoints and resume", () => {
  const dataset = toyDataset(toyDistribution("ring-2d"));
  const settings = (conditional: "projection" | "acgan"): Config =>
    withDataClassCount(
      resolveConfig({
        dataset: "ring-2d",
        arch: "mlp",
        conditional,
        steps: 6,
        batchSize: 16,
        latentDim: 2,
        discriminatorSteps: 2,
        seed: 7,
        mlp: { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2, generatorBatchNorm: true },
      }),
      dataset,
    );
  const everything = (g: Gan) =>
    new Map([
      ...[...snapshotValues(g.generator)].map(([n, v]): [string, Float32Array] => [`generator/${n}`, v]),
      ...[...snapshotValues(g.discriminator)].map(([n, v]): [string, Float32Array] => [`discriminator/${n}`, v]),
    ]);
  const train = (g: Gan, stopAt?: number) =>
    trainAlgorithm1(g, dataset, new Events<TrainingEventMap>(), stopAt ? { shouldStop: () => g.step >= stopAt } : {});

  it.each(KINDS)("%s: a run stopped at step 3 and resumed matches an uninterrupted one bit for bit", async (kind) => {
    const config = settings(kind);
    const uninterrupted = createGan(config, [2]);
    await train(uninterrupted);
    const expected = everything(uninterrupted);
    disposeGan(uninterrupted);

    const first = createGan(config, [2]);
    await train(first, 3);
    const { manifest, data } = encodeCheckpoint(first);
    disposeGan(first);
    expect(manifest.tensors.map((entry) => entry.name)).toContain("generator/labelEmbedding");
    expect(manifest.config.classCount).toBe(8);
    // Rebuilt from the checkpoint's own config (what openGan does), the label weights come back.
    const resumed = restoreGan(JSON.parse(JSON.stringify(manifest)), data);
    expect(resumed.step).toBe(3);
    await train(resumed);
    expect(everything(resumed)).toEqual(expected);
    disposeGan(resumed);
  });

  it("an unconditional checkpoint whose config predates the conditional keys still loads", () => {
    const tiny = { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2 };
    const plain = createGan(resolveConfig({ dataset: "ring-2d", arch: "mlp", latentDim: 2, mlp: tiny }), [2]);
    const { manifest, data } = encodeCheckpoint(plain);
    const old = JSON.parse(JSON.stringify(manifest)) as Record<string, Record<string, unknown>>;
    delete old.config!.conditional;
    delete old.config!.classCount;
    const restored = restoreGan(old as never, data);
    expect(restored.config.conditional).toBe("none");
    expect(everything(restored)).toEqual(everything(plain));
    [plain, restored].forEach(disposeGan);
  });
});
