/**
 * Shared shapes for evaluation. The feature network is our own classifier (no Inception download): it maps
 * images to class probabilities and to penultimate-layer features, in which Fréchet distance, classifier score,
 * class coverage and precision/recall are computed.
 */

/** A trained image classifier used as a feature space. Images are [count, height, width, channels] in [0, 1]. */
export interface ImageClassifier {
  /** Which dataset it was trained on, e.g. "mnist" or "fashion-mnist". */
  readonly dataset: string;
  /** Number of classes (10 for MNIST and Fashion-MNIST). */
  readonly classes: number;
  /** Width of the penultimate layer. */
  readonly featureDim: number;
  /** Penultimate-layer activations [count, featureDim]. */
  features(images: Float32Array, count: number): Float32Array;
  /** Softmax class probabilities [count, classes]. */
  probabilities(images: Float32Array, count: number): Float32Array;
}
