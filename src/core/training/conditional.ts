/**
 * The training side of a conditional GAN (config.conditional; the networks are src/core/models/conditional.ts):
 * the labels of each batch, and AC-GAN's class term.
 *
 * Labels of generated batches are y ~ Uniform{0, …, K − 1}, drawn from their own counter-based stream
 * Rng.derive(seed, step, [index], LABELS_PURPOSE/…), so a resumed run draws the labels an uninterrupted run would
 * have drawn, and an unconditional run, which draws none, is unchanged.
 */
import { ConfigError, type Config } from "../config.js";
import { datasetClassCount, type Dataset } from "../data/dataset.js";
import type { Rng } from "../engine/random.js";
import { tf, type Scalar, type Tensor } from "../engine/tf.js";
import { splitDiscriminatorOutput } from "../models/conditional.js";

/** Purpose label of the streams that draw generated batches' class labels ("labels/discriminator", "labels/generator"). */
export const LABELS_PURPOSE = "labels";

/** The labels of one D step: the real batch's own [m] and those G is asked to draw [m] (int32 tensors). */
export interface StepLabels {
  real: Tensor;
  fake: Tensor;
}

/**
 * The config with `classCount` taken from the data's labels (a conditional run's config.json then records it, so
 * sample, eval and resume rebuild the same networks). Unconditional configs come back unchanged. A ConfigError
 * when the data have no labels, or when their classes differ from those a resumed run was built for.
 */
export function withDataClassCount(config: Config, dataset: Dataset): Config {
  if (config.conditional === "none") return config;
  const classCount = datasetClassCount(dataset);
  if (classCount === undefined || classCount < 2) {
    throw new ConfigError(
      `config: conditional: ${config.conditional} needs labelled data with 2 or more classes; ${dataset.name} has none ` +
        "(mnist, fashion-mnist, ring-2d and grid-2d do)",
    );
  }
  if (config.classCount !== 0 && config.classCount !== classCount) {
    throw new ConfigError(
      `config: classCount: the run was built for ${config.classCount} classes, the data have ${classCount}`,
    );
  }
  return { ...config, classCount };
}

/** y ~ Uniform{0, …, classCount − 1}, [count]: the classes a conditional G is asked to draw. */
export function sampleClassLabels(classCount: number, count: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: count }, () => rng.int(classCount));
}

/** Columns of a conditional run's sample grid: one row per class, the same GRID_COLUMNS noise vectors in each row. */
export const GRID_COLUMNS = 8;

/**
 * A grid with one row per class: `noise` [columns, latentDim] repeated in every row, row c asking for class c.
 * Returns noise [classCount · columns, latentDim] and labels [classCount · columns], row-major, so column j shows
 * what one z draws in every class (the style held, the class changed).
 */
export function classRows(
  noise: Float32Array,
  latentDim: number,
  classCount: number,
): { noise: Float32Array; labels: Int32Array } {
  const columns = noise.length / latentDim;
  const tiled = new Float32Array(classCount * noise.length);
  for (let label = 0; label < classCount; label++) tiled.set(noise, label * noise.length);
  const labels = Int32Array.from({ length: classCount * columns }, (_, index) => Math.floor(index / columns));
  return { noise: tiled, labels };
}

/** Balanced labels [count]: 0, 1, …, K − 1, 0, 1, … (evaluation and toy plots ask for every class equally). */
export function cyclingLabels(classCount: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, index) => index % classCount);
}

/** Labels as the int32 tensor [count] that ApplyOptions.labels takes. */
export function labelTensor(labels: Int32Array): Tensor {
  return tf.tensor1d(labels, "int32");
}

/**
 * D's output [m, 1] or [m, 1 + K] → the adversarial logits [m, 1] every loss reads, and AC-GAN's class term
 * CE = −E[log P(C = y | x)] (0 for the other kinds; `labels` [m] must be given for AC-GAN).
 */
export function adversarialAndClassTerms(
  output: Tensor,
  conditional: Config["conditional"],
  labels: Tensor | undefined,
): { logits: Tensor; classLoss: Scalar | null } {
  const { logits, classLogits } = splitDiscriminatorOutput(output, conditional);
  if (!classLogits) return { logits, classLoss: null };
  if (!labels) throw new Error("acgan: the class term needs the batch's labels");
  const classCount = classLogits.shape[1]!;
  const targets = tf.oneHot(tf.cast(labels, "int32") as tf.Tensor1D, classCount); // [m, K]
  return { logits, classLoss: tf.losses.softmaxCrossEntropy(targets, classLogits) as Scalar };
}
