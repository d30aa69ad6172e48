/**
 * What the image metrics of `tsgan eval` read (MNIST and Fashion-MNIST), from disk: the official splits and our own
 * classifier's outputs. The metrics themselves (the paper's Parzen-window protocol on pixels; Fréchet distance,
 * classifier score, class coverage, precision/recall in classifier space) are in src/core/metrics. Generated images
 * are mapped to [0, 1] first (tanh generators produce [−1, 1]); the real images are loaded in [0, 1] directly.
 *
 * Beside some metrics a "perfect generator" reference is computed from real images: the test set's own classifier
 * score, and for Fréchet distance and precision/recall the first N training images (N = the number of generated
 * samples) against the test set — the value an exact copy of p_data would get at this sample size. The classifier's
 * outputs for each set are computed once and shared by every metric that asks.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Config } from "../core/config.js";
import type { ImageDataset } from "../core/data/dataset.js";
import { DataError } from "../core/data/errors.js";
import { matrix, sliceRows, type Matrix } from "../core/metrics/matrix.js";
import type { ClassifierOutputs, EvaluationProgress, ImageData } from "../core/metrics/metric.js";
import type { ImageClassifier } from "../core/metrics/types.js";
import { resolveOutputActivation } from "../core/models/index.js";
import { loadDataset } from "./datasets.js";

/** The image datasets with official train/test splits and a committed classifier. */
const SPLIT_DATASETS = ["mnist", "fashion-mnist"] as const;
/** Datasets without splits whose images our committed classifiers read: stacked-mnist's channels are MNIST digits. */
const CLASSIFIED_BY: Readonly<Record<string, (typeof SPLIT_DATASETS)[number]>> = { "stacked-mnist": "mnist" };
/** Images per classifier call, so progress can be reported. */
const CLASSIFIER_CHUNK = 1000;

/** True for datasets with official splits (and our classifier): mnist, fashion-mnist. */
export function hasImageSplits(dataset: string): dataset is (typeof SPLIT_DATASETS)[number] {
  return (SPLIT_DATASETS as readonly string[]).includes(dataset);
}

/** The committed classifier that reads `dataset`'s images (or their channels), or undefined when none does. */
export function classifierDatasetFor(dataset: string): (typeof SPLIT_DATASETS)[number] | undefined {
  return hasImageSplits(dataset) ? dataset : CLASSIFIED_BY[dataset];
}

/** What the image metrics' data are built from. */
export interface ImageEvaluationInput {
  config: Config;
  /** One image's shape [height, width, channels]. */
  dataShape: number[];
  /** Generated images [count, ...dataShape] in the generator's output range. */
  generated: Float32Array;
  /** For a conditional generator: the class asked for each generated image, [count]. */
  requestedClasses?: Int32Array | undefined;
  /** Used instead of our committed classifier when given. */
  classifier?: ImageClassifier | undefined;
  onProgress: (progress: EvaluationProgress) => void;
}

/** The image metrics' data, and what building it cost (shared work, not charged to any one metric). */
export interface ImageEvaluation {
  data: ImageData;
  /** Seconds spent so far loading splits and running the classifier. */
  sharedSeconds(): number;
  /** Frees our classifier, if one was loaded. */
  dispose(): void;
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

/**
 * Wall-clock seconds during which any shared work ran. Work that overlaps (Fréchet classifies the generated images and
 * the test set together) or nests (a split loads inside classifying it) counts once: summing each piece on its own
 * charged more than the time that passed, and a metric's own seconds (its time less the shared work's) went negative.
 */
function sharedWorkClock() {
  let seconds = 0;
  let running = 0;
  let since = 0;
  const begin = () => {
    if (running++ === 0) since = performance.now();
  };
  const end = () => {
    if (--running === 0) seconds += (performance.now() - since) / 1000;
  };
  return {
    async time<T>(work: () => T | Promise<T>): Promise<T> {
      begin();
      try {
        return await work();
      } finally {
        end();
      }
    },
    timeSync<T>(work: () => T): T {
      begin();
      try {
        return work();
      } finally {
        end();
      }
    },
    seconds: () => seconds,
  };
}

/**
 * The data the image metrics read: the generated images in [0, 1] at once; the official splits and the classifier's
 * outputs (of the generated images, the test set, and as many training images as generated) each on first use, once.
 */
export function imageEvaluation(input: ImageEvaluationInput): ImageEvaluation {
  const { config, dataShape, onProgress } = input;
  const dataset = config.dataset;
  const classifierDataset = classifierDatasetFor(dataset);
  if (classifierDataset === undefined && input.classifier === undefined) {
    throw new DataError(`image metrics need mnist, fashion-mnist or stacked-mnist, not ${dataset}`);
  }
  const size = dataShape.reduce((a, b) => a * b, 1);
  const count = input.generated.length / size;
  const generated = matrix(toUnitRange(input.generated, resolveOutputActivation(config, true)), count, size);
  const shared = sharedWorkClock();
  const splits = new Map<"train" | "test", Matrix>();
  const split = (name: "train" | "test") => {
    if (!splits.has(name)) shared.timeSync(() => splits.set(name, loadImages(dataset, name, size)));
    return splits.get(name)!;
  };
  let owned: ImageClassifier | undefined;
  let classifier: Promise<ImageClassifier> | undefined;
  const classifierOnce = () =>
    (classifier ??=
      input.classifier !== undefined
        ? Promise.resolve(input.classifier)
        : loadOurClassifier(classifierDataset!).then((loaded) => (owned = loaded)));
  const outputs = new Map<"generated" | "test" | "train", Promise<ClassifierOutputs>>();
  const images = {
    generated: () => generated,
    test: () => split("test"),
    train: () => sliceRows(split("train"), 0, count),
  };
  const phases = { generated: "classifier: generated", test: "classifier: test set", train: "classifier: train" };
  return {
    data: {
      generated,
      ...(input.requestedClasses ? { requestedClasses: input.requestedClasses } : {}),
      split,
      classifier: () => shared.time(classifierOnce),
      classified(set) {
        if (!outputs.has(set)) {
          outputs.set(
            set,
            shared.time(async () => classify(await classifierOnce(), images[set](), phases[set], onProgress)),
          );
        }
        return outputs.get(set)!;
      },
    },
    sharedSeconds: shared.seconds,
    dispose() {
      (owned as { dispose?: () => void } | undefined)?.dispose?.();
    },
  };
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
): Promise<ClassifierOutputs> {
  const features = new Float32Array(images.rows * classifier.featureDim);
  const probabilities = new Float32Array(images.rows * classifier.classes);
  for (let start = 0; start < images.rows; start += CLASSIFIER_CHUNK) {
    const chunk = sliceRows(images, start, start + CLASSIFIER_CHUNK);
    features.set(classifier.features(chunk.values, chunk.rows), start * classifier.featureDim);
    probabilities.set(classifier.probabilities(chunk.values, chunk.rows), start * classifier.classes);
    onProgress({ phase, done: start + chunk.rows, total: images.rows });
    await yieldToEventLoop();
  }
  return {
    features: matrix(features, images.rows, classifier.featureDim),
    probabilities,
    count: images.rows,
    classes: classifier.classes,
  };
}
