/**
 * What a metric is: one object that owns its behaviour — its name, the data it applies to and what it needs, how it
 * computes its result from an evaluation's context, the rows it adds to the `tsgan eval` table, and the headline
 * numbers training-time evaluation writes to metrics.jsonl. Each metric's object sits beside its computation
 * (parzen.ts, frechet.ts, …); index.ts is the list. Adding one: docs/evaluation.md, "Adding a metric".
 *
 * The context is built by whoever evaluates (src/node/evaluate.ts): it holds the generated samples, and gives the
 * real data, the classifier's outputs and D's logits on demand — each computed once and shared by every metric.
 */
import type { MetricName } from "../config.js";
import type { ToyDistribution } from "../data/toys.js";
import type { CoverageObservation } from "../training/collapse.js";
import type { Matrix } from "./matrix.js";
import type { ImageClassifier } from "./types.js";

/** The two kinds of data: image datasets and the 1-D/2-D toy distributions. */
export type DataKind = "images" | "toy";

/** One step of a long computation, for progress bars. */
export interface EvaluationProgress {
  /** What is being done, e.g. "generating samples", "parzen". */
  phase: string;
  done: number;
  total: number;
}

/** A classifier's view of a set of images. */
export interface ClassifierOutputs {
  /** Penultimate-layer features [count, featureDim]. */
  features: Matrix;
  /** Softmax class probabilities [count, classes]. */
  probabilities: Float32Array;
  count: number;
  classes: number;
}

/** D's logits for points [count, dimension] row-major → [count]. */
export type LogitsFunction = (points: Float32Array, count: number) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** What a toy evaluation offers. */
export interface ToyData {
  distribution: ToyDistribution;
  /** Generated samples [count, dimension]. */
  generated: Float32Array;
  /** Fresh real samples [count, dimension], as many as generated (drawn once, on first use). */
  real(): Float32Array;
  /** The trained D's logits, when a D is there to ask. */
  logits?: LogitsFunction;
}

/** What an image evaluation offers (MNIST and Fashion-MNIST). */
export interface ImageData {
  /** Generated images [count, size], pixels in [0, 1]. */
  generated: Matrix;
  /** For a conditional generator: the class each generated image was asked to be, [count]; absent otherwise. */
  requestedClasses?: Int32Array;
  /** An official split [rows, size], pixels in [0, 1] (loaded once, on first use). */
  split(name: "train" | "test"): Matrix;
  /**
   * The classifier's outputs (computed once each, on first use): of the generated images, of the test set, or of the
   * first `count` training images — a "perfect generator" of the same sample size, the reference some metrics report.
   */
  classified(set: "generated" | "test" | "train"): Promise<ClassifierOutputs>;
  /** The classifier itself (ours for the dataset — MNIST's for stacked-mnist — or the one given), loaded once. */
  classifier(): Promise<ImageClassifier>;
}

/** Everything a metric may read; `toy` or `images` is present according to the data. */
export interface MetricContext {
  /** The dataset's name (picks reference numbers). */
  dataset: string;
  toy?: ToyData;
  images?: ImageData;
  /** Called as long computations advance (progress bars). */
  onProgress: (progress: EvaluationProgress) => void;
}

/** One printable row of the `tsgan eval` table: what, the value, and what to compare it with. */
export interface SummaryRow {
  quantity: string;
  value: string;
  reference: string;
}

/** One metric: what it applies to, what it needs, and its behaviour. */
export interface Metric<Name extends MetricName = MetricName, Result = unknown> {
  name: Name;
  /** One line for help text. */
  description: string;
  appliesTo: DataKind;
  /** Only these datasets, when set (e.g. stacked-modes: stacked-mnist); otherwise every dataset of `appliesTo`. */
  datasets?: readonly string[];
  /** Needs our trained classifier (MNIST and Fashion-MNIST only). */
  needsClassifier: boolean;
  /** Needs the official train and test splits (MNIST and Fashion-MNIST). */
  needsSplits: boolean;
  /** Cheap enough for training-time evaluation by default (--eval-every with no --eval-metrics). */
  duringTraining: boolean;
  /** Computes the metric from what the context offers. */
  compute(context: MetricContext): Promise<Result>;
  /** The rows of the eval table. */
  summary(result: Result, dataset: string): SummaryRow[];
  /** The numbers training-time evaluation writes to metrics.jsonl, by key. */
  headline(result: Result): Record<string, number>;
  /** What the collapse monitor watches (modes or classes covered), for metrics that count coverage. */
  coverage?(result: Result): CoverageObservation;
}

/** A number for tables: fixed decimals, "n/a" for NaN. */
export function formatValue(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** The toy part of the context; an Error naming the metric when the data are images. */
export function toyData(context: MetricContext, metric: MetricName): ToyData {
  if (!context.toy) throw new Error(`metric ${metric} needs a toy distribution`);
  return context.toy;
}

/** The image part of the context; an Error naming the metric when the data are a toy. */
export function imageData(context: MetricContext, metric: MetricName): ImageData {
  if (!context.images) throw new Error(`metric ${metric} needs image data`);
  return context.images;
}
