/**
 * The image metrics of `tsgan eval` (MNIST and Fashion-MNIST): the paper's Parzen-window protocol on pixels, and the
 * classifier-space metrics (Fréchet distance, classifier score, class coverage, precision/recall) in our own
 * classifier. Generated images are mapped to [0, 1] first (tanh generators produce [−1, 1]); the real images are
 * loaded in [0, 1] directly.
 *
 * Beside each classifier metric a "perfect generator" reference is computed from real images: the test set's own
 * classifier score, and for Fréchet distance and precision/recall the first N training images (N = the number of
 * generated samples) against the test set — the value an exact copy of p_data would get at this sample size.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Config } from "../core/config.js";
import type { ImageDataset } from "../core/data/dataset.js";
import { DataError } from "../core/data/errors.js";
import { classCoverage, predictedClassCounts } from "../core/metrics/classCoverage.js";
import { classifierScore } from "../core/metrics/classifierScore.js";
import { frechetDistanceOfFeatures } from "../core/metrics/frechet.js";
import { matrix, sliceRows, type Matrix } from "../core/metrics/matrix.js";
import { PARZEN_VALIDATION_COUNT, PARZEN_VALIDATION_START, parzenWindowEstimate } from "../core/metrics/parzen.js";
import { DEFAULT_NEIGHBOURS, kthNeighbourSquaredDistances, precisionRecall } from "../core/metrics/precisionRecall.js";
import type { MetricName, MetricResults } from "../core/metrics/registry.js";
import type { ImageClassifier } from "../core/metrics/types.js";
import { resolveOutputActivation } from "../core/models/index.js";
import { loadDataset } from "./datasets.js";
import type { EvaluationProgress } from "./evaluate.js";

/** The image datasets with official train/test splits and a committed classifier. */
const SPLIT_DATASETS = ["mnist", "fashion-mnist"] as const;
/** Images per classifier call, so progress can be reported. */
const CLASSIFIER_CHUNK = 1000;

/** True for datasets with official splits (and our classifier): mnist, fashion-mnist. */
export function hasImageSplits(dataset: string): dataset is (typeof SPLIT_DATASETS)[number] {
  return (SPLIT_DATASETS as readonly string[]).includes(dataset);
}

/** What evaluateImageMetrics needs from evaluateRun. */
export interface ImageEvaluationInput {
  config: Config;
  /** One image's shape [height, width, channels]. */
  dataShape: number[];
  /** Generated images [count, ...dataShape] in the generator's output range. */
  generated: Float32Array;
  names: readonly MetricName[];
  /** Used instead of our committed classifier when given. */
  classifier?: ImageClassifier | undefined;
  onProgress: (progress: EvaluationProgress) => void;
  record: (name: MetricName, result: MetricResults[MetricName], seconds: number) => void;
}

/** Maps generator output to [0, 1]: (x + 1)/2 for tanh, as is for sigmoid; clamped against rounding. */
export function toUnitRange(values: Float32Array, activation: "tanh" | "sigmoid" | "linear"): Float32Array {
  const unit = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = activation === "tanh" ? (values[index]! + 1) / 2 : values[index]!;
    unit[index] = Math.min(1, Math.max(0, value));
  }
  return unit;
}

/** Computes the requested image metrics and hands each result to `record`. */
export async function evaluateImageMetrics(input: ImageEvaluationInput): Promise<void> {
  const { config, dataShape, names, onProgress, record } = input;
  const dataset = config.dataset;
  if (!hasImageSplits(dataset)) throw new DataError(`image metrics need mnist or fashion-mnist, not ${dataset}`);
  const size = dataShape.reduce((a, b) => a * b, 1);
  const count = input.generated.length / size;
  const generated = matrix(toUnitRange(input.generated, resolveOutputActivation(config, true)), count, size);
  const test = loadImages(dataset, "test", size);
  const wantsReference = names.includes("frechet") || names.includes("precision-recall");
  const train = names.includes("parzen") || wantsReference ? loadImages(dataset, "train", size) : undefined;

  if (names.includes("parzen")) {
    const started = performance.now();
    const validation = sliceRows(train!, PARZEN_VALIDATION_START, PARZEN_VALIDATION_START + PARZEN_VALIDATION_COUNT);
    if (validation.rows < PARZEN_VALIDATION_COUNT) {
      throw new DataError(
        `${dataset}: the Parzen protocol needs ${PARZEN_VALIDATION_START + PARZEN_VALIDATION_COUNT} training images`,
      );
    }
    const result = await parzenWindowEstimate({
      samples: generated,
      validation,
      test,
      onProgress: (done, total) => onProgress({ phase: "parzen", done, total }),
    });
    record("parzen", result, (performance.now() - started) / 1000);
  }

  const classifierNames = names.filter((name) => name !== "parzen");
  if (classifierNames.length === 0) return;
  const owned = input.classifier === undefined ? await loadOurClassifier(dataset) : undefined;
  const classifier = input.classifier ?? owned!;
  try {
    const outputs = async (images: Matrix, label: string) => classify(classifier, images, label, onProgress);
    const generatedOutputs = await outputs(generated, "classifier: generated");
    const testOutputs = await outputs(test, "classifier: test set");
    const referenceOutputs = wantsReference ? await outputs(sliceRows(train!, 0, count), "classifier: train") : null;
    for (const name of classifierNames) {
      const started = performance.now();
      let result: MetricResults[MetricName];
      if (name === "frechet") {
        result = {
          ...frechetDistanceOfFeatures(generatedOutputs.features, testOutputs.features),
          reference: frechetDistanceOfFeatures(referenceOutputs!.features, testOutputs.features),
        };
      } else if (name === "classifier-score") {
        const { classes } = classifier;
        result = {
          ...classifierScore(generatedOutputs.probabilities, count, classes),
          reference: classifierScore(testOutputs.probabilities, test.rows, classes),
        };
      } else if (name === "class-coverage") {
        const { classes } = classifier;
        result = classCoverage(
          predictedClassCounts(generatedOutputs.probabilities, count, classes),
          predictedClassCounts(testOutputs.probabilities, test.rows, classes),
        );
      } else if (name === "precision-recall") {
        const report = (phase: string) => (done: number, total: number) => onProgress({ phase, done, total });
        // The test set's k-NN radii serve both the generated samples and the training-image reference.
        const realSquaredRadii = await kthNeighbourSquaredDistances(testOutputs.features, DEFAULT_NEIGHBOURS, {
          onProgress: report("precision-recall: test-set radii"),
        });
        result = {
          ...(await precisionRecall(testOutputs.features, generatedOutputs.features, {
            realSquaredRadii,
            onProgress: report("precision-recall"),
          })),
          reference: await precisionRecall(testOutputs.features, referenceOutputs!.features, {
            realSquaredRadii,
            onProgress: report("precision-recall: train reference"),
          }),
        };
      } else {
        continue;
      }
      record(name, result, (performance.now() - started) / 1000);
    }
  } finally {
    (owned as { dispose?: () => void } | undefined)?.dispose?.();
  }
}

/** An official split with pixels in [0, 1], as a matrix [count, size]; its image size must match the run's. */
function loadImages(dataset: string, split: "train" | "test", size: number): Matrix {
  const images = loadDataset(dataset, { split, pixelRange: "sigmoid" }) as ImageDataset;
  const imageSize = images.height * images.width * images.channels;
  if (imageSize !== size) {
    throw new DataError(`${dataset} ${split} images have ${imageSize} pixels, the run's generator makes ${size}`);
  }
  return matrix(images.images, images.count, size);
}

/** Our committed classifier for `dataset`, imported on demand (toy evaluations never load it). */
async function loadOurClassifier(dataset: (typeof SPLIT_DATASETS)[number]): Promise<ImageClassifier> {
  const { loadClassifier } = await import("./classifier.js");
  return loadClassifier(dataset);
}

/** Features [count, featureDim] and probabilities [count, classes] of `images`, in chunks with progress. */
async function classify(
  classifier: ImageClassifier,
  images: Matrix,
  phase: string,
  onProgress: (progress: EvaluationProgress) => void,
): Promise<{ features: Matrix; probabilities: Float32Array }> {
  const features = new Float32Array(images.rows * classifier.featureDim);
  const probabilities = new Float32Array(images.rows * classifier.classes);
  for (let start = 0; start < images.rows; start += CLASSIFIER_CHUNK) {
    const chunk = sliceRows(images, start, start + CLASSIFIER_CHUNK);
    features.set(classifier.features(chunk.values, chunk.rows), start * classifier.featureDim);
    probabilities.set(classifier.probabilities(chunk.values, chunk.rows), start * classifier.classes);
    onProgress({ phase, done: start + chunk.rows, total: images.rows });
    await yieldToEventLoop();
  }
  return { features: matrix(features, images.rows, classifier.featureDim), probabilities };
}
