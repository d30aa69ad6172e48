/**
 * The classifier score: exp(E_x KL(p(y|x) ‖ p(y))), the "Inception score" of Salimans et al. 2016 computed in our own
 * MNIST / Fashion-MNIST classifier (so, like the Fréchet distance here, not comparable with published Inception
 * scores). p(y|x) is the classifier's softmax for one image, p(y) = E_x p(y|x) its average over the whole set.
 *
 * It is high when each image is classified confidently (low-entropy p(y|x)) and the classes are used evenly
 * (high-entropy p(y)); its maximum is the number of classes. A generator collapsed onto one image scores ≈ 1. The
 * real test set's own score is the value a perfect generator would get, and is reported beside it.
 *
 * Caveats (Barratt & Sharma 2018): it ignores p_data (a generator of one perfect image per class scores the maximum),
 * and rewards confident misclassification.
 */
import { formatValue, imageData, type Metric } from "./metric.js";

/** Probabilities are floored at this before taking logs, so a softmax that underflowed to 0 gives a finite KL. */
export const PROBABILITY_FLOOR = 1e-12;

/** The score and the mean KL it is the exponential of. */
export interface ClassifierScoreResult {
  /** exp(mean KL): 1 (collapsed or uninformative) … classes (confident and balanced). */
  score: number;
  /** E_x KL(p(y|x) ‖ p(y)) in nats: the mutual information between image and predicted class. */
  meanKl: number;
  /** The marginal p(y) [classes]. */
  marginal: number[];
  count: number;
  classes: number;
}

/** Classifier score of a set of softmax outputs `probabilities` [count, classes] row-major. */
export function classifierScore(probabilities: Float32Array, count: number, classes: number): ClassifierScoreResult {
  if (!(count > 0) || !(classes > 0) || probabilities.length !== count * classes) {
    throw new RangeError(`classifierScore: ${probabilities.length} probabilities for [${count}, ${classes}]`);
  }
  const marginal = new Float64Array(classes);
  for (let row = 0; row < count; row++) {
    for (let label = 0; label < classes; label++)
      marginal[label] = marginal[label]! + probabilities[row * classes + label]!;
  }
  for (let label = 0; label < classes; label++) marginal[label] = marginal[label]! / count;
  const logMarginal = Array.from(marginal, (value) => Math.log(Math.max(value, PROBABILITY_FLOOR)));
  let totalKl = 0;
  for (let row = 0; row < count; row++) {
    for (let label = 0; label < classes; label++) {
      const p = probabilities[row * classes + label]!;
      if (p > 0) totalKl += p * (Math.log(Math.max(p, PROBABILITY_FLOOR)) - logMarginal[label]!);
    }
  }
  const meanKl = Math.max(totalKl / count, 0);
  return { score: Math.exp(meanKl), meanKl, marginal: Array.from(marginal), count, classes };
}

/** The `classifier-score` metric, beside the test set's own score. */
export const classifierScoreMetric: Metric<
  "classifier-score",
  ClassifierScoreResult & { reference: ClassifierScoreResult }
> = {
  name: "classifier-score",
  description: "exp(E KL(p(y|x) ‖ p(y))) in our classifier",
  appliesTo: "images",
  needsClassifier: true,
  needsSplits: true,
  duringTraining: true,
  async compute(context) {
    const images = imageData(context, "classifier-score");
    const generated = await images.classified("generated");
    const test = await images.classified("test");
    return {
      ...classifierScore(generated.probabilities, generated.count, generated.classes),
      reference: classifierScore(test.probabilities, test.count, test.classes),
    };
  },
  summary: (result) => [
    {
      quantity: "classifier score",
      value: formatValue(result.score, 3),
      reference: `test set: ${formatValue(result.reference.score, 3)} (max ${result.classes})`,
    },
  ],
  headline: (result) => ({ classifierScore: result.score }),
};
