/**
 * The feature classifier's model, loss and saved form, on the cpu backend with synthetic inputs: shapes, the
 * parameter count by formula, seeded weights, training vs inference mode, the cross-entropy against its formula, and
 * the TF.js weights format's round trip and its rejection of damaged bytes.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { Rng } from "../../../src/core/engine/random.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import {
  buildClassifier,
  classifierParameterCount,
  DEFAULT_CLASSIFIER_ARCHITECTURE,
  validateArchitecture,
  type Classifier,
  type ClassifierArchitecture,
} from "../../../src/core/models/classifier.js";
import { snapshotValues } from "../../../src/core/models/network.js";
import { CheckpointError } from "../../../src/core/training/checkpoint.js";
import { DEFAULT_CLASSIFIER_TRAINING, softmaxCrossEntropy } from "../../../src/core/training/classifier.js";
import {
  decodeClassifier,
  encodeClassifier,
  parseClassifierManifest,
  type ClassifierMetadata,
} from "../../../src/core/training/classifierWeights.js";

/** (5·5·1·32 + 32) + (5·5·32·64 + 64) + (7·7·64·128 + 128) + (128·10 + 10), written out. */
const DEFAULT_PARAMETER_COUNT = 832 + 51_264 + 401_536 + 1_290;
/** A small variant for the slower checks on the cpu backend. */
const SMALL: ClassifierArchitecture = {
  ...DEFAULT_CLASSIFIER_ARCHITECTURE,
  inputShape: [8, 8, 1],
  convolutionChannels: [3, 4],
  kernelSize: 3,
  featureDim: 6,
  classes: 5,
};
const SMALL_METADATA: ClassifierMetadata = {
  dataset: "mnist",
  architecture: SMALL,
  training: { ...DEFAULT_CLASSIFIER_TRAINING },
  testAccuracy: 0.5,
  testCount: 10,
  backend: "cpu",
  trainingSeconds: 1,
  command: "test",
  createdAt: "2026-01-01T00:00:00.000Z",
};

let built: Classifier[] = [];
function build(architecture: ClassifierArchitecture, seed: number): Classifier {
  const classifier = buildClassifier(architecture, seed);
  built.push(classifier);
  return classifier;
}

function images(count: number, shape: number[], seed: number): Tensor {
  const values = new Float32Array(count * shape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(seed, "classifier-test").fillUniform(values, 0, 1), [count, ...shape]);
}

function values(tensor: Tensor): Float32Array {
  const result = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return result;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

afterEach(() => {
  for (const classifier of built) classifier.dispose();
  built = [];
});

describe("classifier model", () => {
  it("maps [n, 28, 28, 1] to features [n, 128] and logits [n, 10] with 454 922 parameters", () => {
    const classifier = build(DEFAULT_CLASSIFIER_ARCHITECTURE, 1);
    const input = images(2, [28, 28, 1], 1);
    const features = classifier.features(input, { training: false });
    const logits = classifier.logits(input, { training: false });
    expect(features.shape).toEqual([2, 128]);
    expect(logits.shape).toEqual([2, 10]);
    expect(Math.min(...values(features))).toBeGreaterThanOrEqual(0); // after the ReLU
    logits.dispose();
    input.dispose();
    expect(classifier.parameterCount()).toBe(DEFAULT_PARAMETER_COUNT);
    expect(classifierParameterCount(DEFAULT_CLASSIFIER_ARCHITECTURE)).toBe(DEFAULT_PARAMETER_COUNT);
    expect(classifierParameterCount(SMALL)).toBe(build(SMALL, 1).parameterCount());
    expect(classifier.network.parameterNames).toEqual([
      "conv0/filter",
      "conv0/bias",
      "conv1/filter",
      "conv1/bias",
      "features/kernel",
      "features/bias",
      "logits/kernel",
      "logits/bias",
    ]);
  });

  it("rejects images of the wrong shape, naming both shapes", () => {
    const classifier = build(SMALL, 1);
    const input = images(1, [9, 8, 1], 1);
    expect(() => classifier.logits(input, { training: false })).toThrow("input shape [9,8,1] does not match [8,8,1]");
    input.dispose();
  });

  it("holds no tensors but its variables, and frees them on dispose", () => {
    const before = tf.memory().numTensors;
    const classifier = buildClassifier(SMALL, 1);
    expect(tf.memory().numTensors - before).toBe(classifier.network.namedVariables().length);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("initialises its weights from the seed", () => {
    const first = snapshotValues(build(SMALL, 7).network);
    const again = snapshotValues(build(SMALL, 7).network);
    const other = snapshotValues(build(SMALL, 8).network);
    expect(again).toEqual(first);
    expect(other.get("conv0/filter")).not.toEqual(first.get("conv0/filter"));
  });

  it("uses dropout only in training mode, with masks from the seed", () => {
    const classifier = build(SMALL, 1);
    const input = images(4, SMALL.inputShape, 2);
    const inference = values(classifier.logits(input, { training: false }));
    expect(values(classifier.logits(input, { training: false }))).toEqual(inference);
    const trained = values(classifier.logits(input, { training: true, seed: 5 }));
    expect(values(classifier.logits(input, { training: true, seed: 5 }))).toEqual(trained);
    expect(trained).not.toEqual(inference);
    expect(() => classifier.logits(input, { training: true })).toThrow("needs ApplyOptions.seed");
    input.dispose();
  });

  it("validates architectures read from files", () => {
    expect(() => validateArchitecture({ ...SMALL, inputShape: [8, 8] })).toThrow("inputShape");
    expect(() => validateArchitecture({ ...SMALL, kernelSize: 0 })).toThrow("kernelSize");
    expect(() => validateArchitecture({ ...SMALL, dropout: 1 })).toThrow("dropout");
  });
});

describe("softmax cross-entropy", () => {
  it("matches −log softmax(logits)[label] averaged over the batch", () => {
    const logits = tf.tensor2d([
      [0, 0, 0, 0],
      [2, -1, 0.5, 30],
    ]);
    const labels = tf.tensor1d([1, 3], "int32");
    const second = -(30 - Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5) + Math.exp(30)));
    expect(values(softmaxCrossEntropy(logits, labels))).toBeCloseTo((Math.log(4) + second) / 2, 5);
    tf.dispose([logits, labels]);
  });
});

describe("TF.js weights format", () => {
  it("round-trips: the decoded classifier gives identical outputs and leaks nothing", async () => {
    const classifier = build(SMALL, 3);
    const { manifest, data } = await encodeClassifier(classifier, SMALL_METADATA);
    expect(manifest.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
    expect(data.byteLength).toBe(classifier.parameterCount() * Float32Array.BYTES_PER_ELEMENT);
    // What tf.io reads on its own: the specs describe the bytes.
    const decodedByTf = tf.io.decodeWeights(data.slice().buffer, manifest.weightsManifest[0]!.weights);
    expect(Object.keys(decodedByTf)).toEqual(classifier.network.parameterNames);
    tf.dispose(Object.values(decodedByTf));

    const before = tf.memory().numTensors;
    const restored = decodeClassifier(parseClassifierManifest(JSON.stringify(manifest), "model.json"), data, "w.bin");
    built.push(restored);
    expect(tf.memory().numTensors - before).toBe(restored.network.namedVariables().length); // its variables only
    const input = images(3, SMALL.inputShape, 4);
    expect(values(restored.logits(input, { training: false }))).toEqual(
      values(classifier.logits(input, { training: false })),
    );
    input.dispose();
  });

  it("rejects damaged bytes and manifests with one line that says what is wrong", async () => {
    const { manifest, data } = await encodeClassifier(build(SMALL, 3), SMALL_METADATA);
    const before = tf.memory().numTensors;
    const flipped = data.slice();
    flipped[10]! ^= 0xff;
    const attempts: Array<[() => unknown, RegExp]> = [
      [() => decodeClassifier(manifest, flipped, "w.bin"), /^w\.bin: checksum fnv1a32:\w+ does not match .*corrupted/],
      [() => decodeClassifier(manifest, data.subarray(0, 100), "w.bin"), /^w\.bin: 100 bytes, but the manifest/],
      [() => parseClassifierManifest("{ not json", "m.json"), /^m\.json: not valid JSON/],
      [() => parseClassifierManifest('{"format": "other"}', "m.json"), /^m\.json: not a tsgan classifier manifest/],
    ];
    for (const [attempt, message] of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
