/**
 * The feature classifier on Node: load the committed weights (weights/classifier-<dataset>/), train new ones, save
 * them in TF.js' weights format. Evaluation metrics (Fréchet distance, classifier score, coverage) get an
 * `ImageClassifier` from `loadClassifier`.
 *
 *   const classifier = await loadClassifier("mnist");
 *   const probabilities = classifier.probabilities(images, count); // [count, 10]
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { ImageDataset } from "../core/data/dataset.js";
import { DataError } from "../core/data/errors.js";
import { tf, type Tensor } from "../core/engine/tf.js";
import type { ImageClassifier } from "../core/metrics/types.js";
import { buildClassifier, DEFAULT_CLASSIFIER_ARCHITECTURE, type Classifier } from "../core/models/classifier.js";
import { CheckpointError } from "../core/training/checkpoint.js";
import {
  DEFAULT_CLASSIFIER_TRAINING,
  EVALUATION_CHUNK,
  evaluateAccuracy,
  trainClassifierModel,
  type ClassifierProgress,
  type ClassifierTrainingOptions,
} from "../core/training/classifier.js";
import {
  CLASSIFIER_MANIFEST_FILE,
  CLASSIFIER_WEIGHTS_FILE,
  decodeClassifier,
  encodeClassifier,
  parseClassifierManifest,
  type ClassifierMetadata,
} from "../core/training/classifierWeights.js";
import type { BackendName } from "../core/engine/backend.js";
import { loadDataset } from "./datasets.js";
import { selectBackend } from "./engine/select.js";
import { writeFileAtomic } from "./visual/files.js";

/** The datasets a classifier is trained and committed for. */
export const CLASSIFIER_DATASETS = ["mnist", "fashion-mnist"] as const;
export type ClassifierDataset = (typeof CLASSIFIER_DATASETS)[number];

/** The package root: this file is src/node/classifier.ts (or dist/node/classifier.js), two levels down. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where the committed weights for `dataset` live: <package root>/weights/classifier-<dataset>/. */
export function committedClassifierDirectory(dataset: ClassifierDataset): string {
  return path.join(PACKAGE_ROOT, "weights", `classifier-${dataset}`);
}

function checkDataset(dataset: string): asserts dataset is ClassifierDataset {
  if (!(CLASSIFIER_DATASETS as readonly string[]).includes(dataset)) {
    throw new DataError(`no classifier for dataset "${dataset}"; valid: ${CLASSIFIER_DATASETS.join(", ")}`);
  }
}

/**
 * A trained classifier as an `ImageClassifier`: images [count, height, width, channels] with pixels in [0, 1] in,
 * features or probabilities out. Runs in inference mode (no dropout) in chunks of EVALUATION_CHUNK images, so memory
 * stays bounded for any count. Call `dispose()` to free its weights.
 */
export class TrainedClassifier implements ImageClassifier {
  readonly dataset: string;
  readonly classes: number;
  readonly featureDim: number;

  constructor(
    readonly model: Classifier,
    readonly metadata: ClassifierMetadata,
  ) {
    this.dataset = metadata.dataset;
    this.classes = model.classes;
    this.featureDim = model.featureDim;
  }

  /** Penultimate-layer activations [count, featureDim]. */
  features(images: Float32Array, count: number): Float32Array {
    return this.inChunks(images, count, this.featureDim, (batch) => this.model.features(batch, { training: false }));
  }

  /** Softmax class probabilities [count, classes]. */
  probabilities(images: Float32Array, count: number): Float32Array {
    return this.inChunks(images, count, this.classes, (batch) =>
      tf.softmax(this.model.logits(batch, { training: false })),
    );
  }

  dispose(): void {
    this.model.dispose();
  }

  private inChunks(
    images: Float32Array,
    count: number,
    width: number,
    forward: (batch: Tensor) => Tensor,
  ): Float32Array {
    const shape = this.model.architecture.inputShape; // [height, width, channels]
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count) || count < 0 || images.length !== count * size) {
      throw new RangeError(`classifier: ${images.length} values are not ${count} images of shape [${shape}]`);
    }
    const output = new Float32Array(count * width); // [count, width]
    for (let start = 0; start < count; start += EVALUATION_CHUNK) {
      const end = Math.min(start + EVALUATION_CHUNK, count);
      const values = tf.tidy(() =>
        forward(tf.tensor(images.subarray(start * size, end * size), [end - start, ...shape])),
      );
      output.set(values.dataSync(), start * width);
      values.dispose();
    }
    return output;
  }
}

/** Loads a classifier saved by `saveClassifier` from `directory` (model.json + weights.bin). */
export async function loadClassifierFrom(directory: string): Promise<TrainedClassifier> {
  const manifestPath = path.join(directory, CLASSIFIER_MANIFEST_FILE);
  const weightsPath = path.join(directory, CLASSIFIER_WEIGHTS_FILE);
  const manifest = parseClassifierManifest(await readOrExplain(manifestPath, "utf8"), manifestPath);
  const data = new Uint8Array(await readOrExplain(weightsPath));
  const model = decodeClassifier(manifest, data, weightsPath);
  const { checksum: _checksum, ...metadata } = manifest.userDefinedMetadata;
  return new TrainedClassifier(model, metadata);
}

/** The committed classifier for MNIST or Fashion-MNIST (weights/classifier-<dataset>/). */
export async function loadClassifier(dataset: ClassifierDataset): Promise<TrainedClassifier> {
  checkDataset(dataset);
  return loadClassifierFrom(committedClassifierDirectory(dataset));
}

async function readOrExplain(file: string): Promise<Buffer>;
async function readOrExplain(file: string, encoding: "utf8"): Promise<string>;
async function readOrExplain(file: string, encoding?: "utf8"): Promise<Buffer | string> {
  try {
    return encoding === undefined ? await readFile(file) : await readFile(file, encoding);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CheckpointError(`${file}: cannot read classifier weights: ${why}`);
  }
}

/** Writes model.json + weights.bin into `directory` (created if missing), each file atomically. */
export async function saveClassifier(
  directory: string,
  classifier: Classifier,
  metadata: ClassifierMetadata,
): Promise<void> {
  const { manifest, data } = await encodeClassifier(classifier, metadata);
  // weights.bin first: if we die in between, the old manifest's checksum rejects the new weights loudly.
  await writeFileAtomic(path.join(directory, CLASSIFIER_WEIGHTS_FILE), data);
  await writeFileAtomic(path.join(directory, CLASSIFIER_MANIFEST_FILE), formatJson(manifest));
}

/** Width prettier wraps at in this repository (.prettierrc.json): short arrays stay on one line up to it. */
const JSON_LINE_WIDTH = 120;
const JSON_INDENT = "  ";

/**
 * JSON laid out as prettier lays it out (objects one key per line, arrays of numbers and strings on one line when
 * they fit), so committed model.json files pass `prettier --check` and diff readably: shapes read `[5, 5, 1, 32]`.
 */
export function formatJson(value: unknown): string {
  const format = (item: unknown, indent: string, prefixWidth: number): string => {
    if (Array.isArray(item)) {
      if (item.length === 0) return "[]";
      if (item.every((element) => typeof element !== "object" || element === null)) {
        const inline = `[${item.map((element) => JSON.stringify(element)).join(", ")}]`;
        if (indent.length + prefixWidth + inline.length + 1 <= JSON_LINE_WIDTH) return inline;
      }
      const inner = indent + JSON_INDENT;
      return `[\n${item.map((element) => inner + format(element, inner, 0)).join(",\n")}\n${indent}]`;
    }
    if (typeof item === "object" && item !== null) {
      const entries = Object.entries(item).filter(([, entry]) => entry !== undefined);
      if (entries.length === 0) return "{}";
      const inner = indent + JSON_INDENT;
      const lines = entries.map(([key, entry]) => {
        const label = `${JSON.stringify(key)}: `;
        return inner + label + format(entry, inner, label.length);
      });
      return `{\n${lines.join(",\n")}\n${indent}}`;
    }
    return JSON.stringify(item);
  };
  return `${format(value, "", 0)}\n`;
}

/** Loads the official split of a classifier dataset with pixels in [0, 1], the range `ImageClassifier` takes. */
export function loadClassifierData(dataset: ClassifierDataset, split: "train" | "test"): ImageDataset {
  checkDataset(dataset);
  return loadDataset(dataset, { split, pixelRange: "sigmoid" }) as ImageDataset;
}

export interface TrainClassifierOptions {
  dataset: ClassifierDataset;
  /** Overrides of DEFAULT_CLASSIFIER_TRAINING (epochs, seed, …). */
  training?: Partial<ClassifierTrainingOptions>;
  /** Directory to write model.json + weights.bin to. Default: the committed weights directory of the dataset. */
  out?: string;
  /** TF.js backend. Default "auto": the fastest that works here. */
  backend?: BackendName;
  /** The command line to record in the metadata. */
  command: string;
  onProgress?: (progress: ClassifierProgress) => void;
  /** Checked after every step; true ends training early (nothing is written then). */
  shouldStop?: () => boolean;
  /** Where one-line notices go (e.g. the backend hint). Default: stderr. */
  log?: (line: string) => void;
}

export interface TrainClassifierResult {
  /** False when `shouldStop` ended training early; nothing was written then. */
  completed: boolean;
  directory: string;
  backend: string;
  /** Test-set accuracy (official test split, all 10 000 images) when completed. */
  testAccuracy: number;
  /** Test images the accuracy was measured on (0 when not completed). */
  testCount: number;
  trainingSeconds: number;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
}

/** Trains a classifier on the official training split, measures it on the full test split and saves it. */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainClassifierResult> {
  checkDataset(options.dataset);
  const training: ClassifierTrainingOptions = { ...DEFAULT_CLASSIFIER_TRAINING, ...options.training };
  const directory = options.out ?? committedClassifierDirectory(options.dataset);
  const backend = await selectBackend(options.backend ?? "auto", options.log);
  const train = loadClassifierData(options.dataset, "train");
  const test = loadClassifierData(options.dataset, "test");
  const classifier = buildClassifier(DEFAULT_CLASSIFIER_ARCHITECTURE, training.seed);
  try {
    const started = performance.now();
    const { completed, epochLosses } = await trainClassifierModel(
      classifier,
      train,
      training,
      options.onProgress,
      options.shouldStop,
    );
    const trainingSeconds = (performance.now() - started) / 1000;
    const result = { directory, backend, trainingSeconds, epochLosses };
    if (!completed) return { ...result, completed: false, testAccuracy: Number.NaN, testCount: 0 };
    const { accuracy, count } = evaluateAccuracy(classifier, test);
    await saveClassifier(directory, classifier, {
      dataset: options.dataset,
      architecture: classifier.architecture,
      training,
      testAccuracy: accuracy,
      testCount: count,
      backend,
      trainingSeconds: Math.round(trainingSeconds),
      command: options.command,
      createdAt: new Date().toISOString(),
    });
    return { ...result, completed: true, testAccuracy: accuracy, testCount: count };
  } finally {
    classifier.dispose();
  }
}
