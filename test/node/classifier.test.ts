/**
 * The feature classifier on real data: a tiny training run lowers the loss, save → load gives identical
 * probabilities, the committed MNIST and Fashion-MNIST weights reach their targets on the official test sets, the
 * ImageClassifier methods work in chunks, and damaged weight files end in one clear line (library and CLI).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { ImageDataset } from "../../src/core/data/dataset.js";
import { tf } from "../../src/core/engine/tf.js";
import { buildClassifier, DEFAULT_CLASSIFIER_ARCHITECTURE } from "../../src/core/models/classifier.js";
import { CheckpointError } from "../../src/core/training/checkpoint.js";
import {
  DEFAULT_CLASSIFIER_TRAINING,
  evaluateAccuracy,
  gatherExamples,
  softmaxCrossEntropy,
  trainClassifierModel,
} from "../../src/core/training/classifier.js";
import { CLASSIFIER_MANIFEST_FILE, CLASSIFIER_WEIGHTS_FILE } from "../../src/core/training/classifierWeights.js";
import {
  committedClassifierDirectory,
  loadClassifier,
  loadClassifierData,
  loadClassifierFrom,
  saveClassifier,
  TrainedClassifier,
  type ClassifierDataset,
} from "../../src/node/classifier.js";
import { selectBackend } from "../../src/node/engine/select.js";

const CLI = join(import.meta.dirname, "..", "..", "bin", "tsgan.js");
/** The targets on the official test sets. */
const TARGET_ACCURACY: Record<ClassifierDataset, number> = { mnist: 0.99, "fashion-mnist": 0.9 };
/** Images for the tiny training run: a few hundred, so it takes about a second. */
const TINY_TRAINING_IMAGES = 256;

const scratch = mkdtempSync(join(tmpdir(), "tsgan-classifier-"));
let mnistTest: ImageDataset;

beforeAll(async () => {
  await selectBackend("wasm");
  mnistTest = loadClassifierData("mnist", "test");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The first `count` images of a dataset, as a dataset of their own. */
function firstImages(dataset: ImageDataset, count: number): ImageDataset {
  const size = dataset.height * dataset.width * dataset.channels;
  return {
    ...dataset,
    count,
    images: dataset.images.slice(0, count * size),
    labels: dataset.labels!.slice(0, count),
  };
}

/** Mean cross-entropy of a classifier on every image of a small dataset, in inference mode. */
function meanLoss(classifier: ReturnType<typeof buildClassifier>, dataset: ImageDataset): number {
  return tf.tidy(() => {
    const indices = Array.from({ length: dataset.count }, (_, index) => index);
    const { images, labels } = gatherExamples(dataset, indices);
    return softmaxCrossEntropy(classifier.logits(images, { training: false }), labels).dataSync()[0]!;
  });
}

describe("classifier training", () => {
  it("lowers the loss on a few hundred MNIST images, leaking no tensors", async () => {
    const train = firstImages(loadClassifierData("mnist", "train"), TINY_TRAINING_IMAGES);
    const classifier = buildClassifier(DEFAULT_CLASSIFIER_ARCHITECTURE, 1);
    const before = meanLoss(classifier, train);
    const tensorsBefore = tf.memory().numTensors;
    const steps: number[] = [];
    const result = await trainClassifierModel(
      classifier,
      train,
      { ...DEFAULT_CLASSIFIER_TRAINING, epochs: 2, batchSize: 32 },
      (progress) => steps.push(progress.step),
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result).toMatchObject({ steps: 16, completed: true });
    expect(steps).toEqual(Array.from({ length: 16 }, (_, index) => index + 1));
    expect(before).toBeGreaterThan(2); // ≈ log 10 = 2.30 for an untrained net
    expect(meanLoss(classifier, train)).toBeLessThan(0.7 * before); // measured: 2.31 → 1.33 in 16 steps
    expect(result.epochLosses[1]!).toBeLessThan(result.epochLosses[0]!);
    classifier.dispose();
  });

  it("stops early when asked", async () => {
    const train = firstImages(mnistTest, 128);
    const classifier = buildClassifier(DEFAULT_CLASSIFIER_ARCHITECTURE, 1);
    let stepsSeen = 0;
    const options = { ...DEFAULT_CLASSIFIER_TRAINING, epochs: 2, batchSize: 32 };
    const result = await trainClassifierModel(
      classifier,
      train,
      options,
      (progress) => (stepsSeen = progress.step),
      () => stepsSeen >= 3,
    );
    expect(result).toMatchObject({ steps: 3, completed: false });
    classifier.dispose();
  });
});

describe("saved classifiers", () => {
  it("save → load gives identical probabilities and features, in chunks of any size", async () => {
    const model = buildClassifier(DEFAULT_CLASSIFIER_ARCHITECTURE, 5);
    const metadata = (await loadClassifier("mnist")).metadata;
    const original = new TrainedClassifier(model, metadata);
    const directory = join(scratch, "round-trip");
    await saveClassifier(directory, model, metadata);
    const loaded = await loadClassifierFrom(directory);
    const count = 1_010; // one full chunk of 1000 and a partial one
    const images = firstImages(mnistTest, count).images;
    const probabilities = loaded.probabilities(images, count);
    const features = loaded.features(images, count);
    expect(probabilities).toEqual(original.probabilities(images, count));
    expect(features).toEqual(original.features(images, count));
    expect(probabilities).toHaveLength(count * 10);
    const rowSum = probabilities.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(rowSum).toBeCloseTo(1, 5);
    // Chunking does not change results beyond rounding (some kernels sum in a batch-size-dependent order).
    const alone = loaded.features(images.subarray((count - 1) * 784), 1);
    const inChunk = features.subarray((count - 1) * 128);
    alone.forEach((value, index) => expect(value).toBeCloseTo(inChunk[index]!, 4));
    expect(() => loaded.features(images, count + 1)).toThrow("are not 1011 images of shape [28,28,1]");
    original.dispose();
    loaded.dispose();
  });

  for (const dataset of ["mnist", "fashion-mnist"] as const) {
    it(`the committed ${dataset} weights reach ${TARGET_ACCURACY[dataset] * 100}% on the full test set`, async () => {
      const classifier = await loadClassifier(dataset);
      expect(classifier).toMatchObject({ dataset, classes: 10, featureDim: 128 });
      const test = dataset === "mnist" ? mnistTest : loadClassifierData(dataset, "test");
      const { accuracy, count } = evaluateAccuracy(classifier.model, test);
      expect(count).toBe(10_000);
      expect(accuracy).toBeGreaterThanOrEqual(TARGET_ACCURACY[dataset]);
      // The figure recorded beside the weights is what they measure (to a few images: backends round differently).
      expect(Math.abs(accuracy - classifier.metadata.testAccuracy)).toBeLessThanOrEqual(0.0005);
      classifier.dispose();
    });
  }
});

describe("damaged weight files", () => {
  function damagedCopy(name: string, damage: (bytes: Buffer) => Buffer): string {
    const directory = join(scratch, name);
    cpSync(committedClassifierDirectory("mnist"), directory, { recursive: true });
    const file = join(directory, CLASSIFIER_WEIGHTS_FILE);
    writeFileSync(file, damage(readFileSync(file)));
    return directory;
  }

  it("a flipped byte, a truncated file or a missing file is a one-line CheckpointError", async () => {
    const flipped = damagedCopy("flipped", (bytes) => {
      bytes[1000]! ^= 0x40;
      return bytes;
    });
    const truncated = damagedCopy("truncated", (bytes) => bytes.subarray(0, 5000));
    const missing = join(scratch, "missing");
    const cases: Array<[string, RegExp]> = [
      [flipped, /weights\.bin: checksum fnv1a32:\w{8} does not match the manifest's fnv1a32:\w{8} \(corrupted file\)$/],
      [truncated, /weights\.bin: 5000 bytes, but the manifest describes 1819688 \(truncated or wrong file\)$/],
      [missing, /model\.json: cannot read classifier weights: no such file$/],
    ];
    for (const [directory, message] of cases) {
      const error = await loadClassifierFrom(directory).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("the CLI prints one line and exits 2", () => {
    const directory = damagedCopy("cli", (bytes) => bytes.subarray(0, 4));
    writeFileSync(join(directory, CLASSIFIER_MANIFEST_FILE), "{ truncated");
    const result = spawnSync(
      process.execPath,
      [CLI, "classifier", "eval", "--dataset", "mnist", "--weights", directory, "--backend", "cpu"],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^tsgan: .*model\.json: not valid JSON \(.*\)$/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
