/**
 * Class coverage: which classes a generator produces, as judged by our classifier. Each sample is assigned its most
 * probable class (argmax p(y|x)); the histogram of these labels is compared with the histogram the same classifier
 * gives the real test set (so the classifier's own confusions largely cancel).
 *
 * - histogram: fraction of samples per predicted class.
 * - classesCovered: classes whose sample fraction is at least COVERED_FRACTION_OF_REFERENCE (10%) of the test set's
 *   fraction for that class, i.e. ≥ ~1% of the samples for a balanced 10-class set; a handful of stray samples does
 *   not make a class covered. classesHit counts classes with at least one sample.
 * - klToReference = KL(sample histogram ‖ reference histogram) = Σ_c q_c log(q_c / r_c), q from the samples, r from
 *   the test set — the reverse-KL direction PacGAN uses for mode histograms. It is 0 for matching histograms and
 *   log(1 / r_c) (≈ log 10 ≈ 2.3) for a generator collapsed onto class c. Classes absent from the samples add 0
 *   (0 log 0 = 0); the reference gets an add-one (Laplace) pseudo-count per class, so a class the test set never
 *   shows gives a large but finite value.
 * - For a conditional generator (the evaluation asks for every class in turn): perClassAccuracy[c] = the fraction of
 *   samples asked to be class c that the classifier labels c ("does it draw a 7 when asked"), and classAccuracy, the
 *   fraction over all samples. Chance is 1/classes; real test images score the classifier's own accuracy (≈ 0.99 on
 *   MNIST).
 */
import { klDivergence } from "../numerics/divergences.js";
import { formatValue, imageData, type Metric } from "./metric.js";

/** A class counts as covered when its sample fraction reaches this fraction of the reference's fraction. */
export const COVERED_FRACTION_OF_REFERENCE = 0.1;
/** Pseudo-count added to every class of the reference histogram (Laplace smoothing). */
export const REFERENCE_PSEUDO_COUNT = 1;

/** The most probable class of row `row` of `probabilities` [count, classes] (the first on ties). */
function predictedClass(probabilities: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let label = 1; label < classes; label++) {
    if (probabilities[row * classes + label]! > probabilities[row * classes + best]!) best = label;
  }
  return best;
}

/** Per-class counts of the argmax labels of `probabilities` [count, classes]. */
export function predictedClassCounts(probabilities: Float32Array, count: number, classes: number): number[] {
  if (probabilities.length !== count * classes) {
    throw new RangeError(`class counts: ${probabilities.length} probabilities for [${count}, ${classes}]`);
  }
  const counts = new Array<number>(classes).fill(0);
  for (let row = 0; row < count; row++) counts[predictedClass(probabilities, row, classes)]! += 1;
  return counts;
}

/**
 * How often the predicted class (argmax of `probabilities` [count, classes]) is the requested one (`requested`
 * [count]): per requested class (NaN for a class never requested) and over all samples.
 */
export function requestedClassAccuracy(
  probabilities: Float32Array,
  requested: Int32Array,
  classes: number,
): { perClassAccuracy: number[]; classAccuracy: number } {
  const count = requested.length;
  if (probabilities.length !== count * classes) {
    throw new RangeError(`class accuracy: ${probabilities.length} probabilities for ${count} requested classes`);
  }
  const asked = new Array<number>(classes).fill(0);
  const correct = new Array<number>(classes).fill(0);
  for (let row = 0; row < count; row++) {
    const wanted = requested[row]!;
    if (wanted < 0 || wanted >= classes) throw new RangeError(`class accuracy: class ${wanted} of ${classes}`);
    asked[wanted]! += 1;
    if (predictedClass(probabilities, row, classes) === wanted) correct[wanted]! += 1;
  }
  const total = correct.reduce((a, b) => a + b, 0);
  return {
    perClassAccuracy: asked.map((times, label) => (times > 0 ? correct[label]! / times : Number.NaN)),
    classAccuracy: count > 0 ? total / count : Number.NaN,
  };
}

/** What class coverage reports. */
export interface ClassCoverageResult {
  /** Fraction of samples per predicted class [classes]. */
  histogram: number[];
  /** Fraction of test images per predicted class [classes] (unsmoothed). */
  referenceHistogram: number[];
  /** Classes with ≥ COVERED_FRACTION_OF_REFERENCE of their reference share. */
  classesCovered: number;
  /** Classes with at least one sample. */
  classesHit: number;
  classes: number;
  /** KL(sample histogram ‖ smoothed reference histogram) in nats. */
  klToReference: number;
  count: number;
  /** Conditional generators only: per requested class, the fraction of its samples classified as it [classes]. */
  perClassAccuracy?: number[];
  /** Conditional generators only: the fraction of all samples classified as the class they were asked to be. */
  classAccuracy?: number;
}

/** Class coverage of samples' predicted-class `counts` against the reference (test set) `referenceCounts`. */
export function classCoverage(counts: readonly number[], referenceCounts: readonly number[]): ClassCoverageResult {
  const classes = counts.length;
  if (referenceCounts.length !== classes || classes === 0) {
    throw new RangeError(`class coverage: ${classes} sample classes vs ${referenceCounts.length} reference classes`);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const referenceTotal = referenceCounts.reduce((a, b) => a + b, 0);
  if (!(total > 0) || !(referenceTotal > 0)) throw new RangeError("class coverage: empty histogram");
  const histogram = counts.map((value) => value / total);
  const referenceHistogram = referenceCounts.map((value) => value / referenceTotal);
  const smoothedTotal = referenceTotal + REFERENCE_PSEUDO_COUNT * classes;
  const smoothedReference = referenceCounts.map((value) => (value + REFERENCE_PSEUDO_COUNT) / smoothedTotal);
  const klToReference = klDivergence(histogram, smoothedReference);
  let classesCovered = 0;
  for (let label = 0; label < classes; label++) {
    const q = histogram[label]!;
    const share = referenceHistogram[label]!;
    if (share > 0 && q >= COVERED_FRACTION_OF_REFERENCE * share) classesCovered++;
  }
  return {
    histogram,
    referenceHistogram,
    classesCovered,
    classesHit: counts.filter((value) => value > 0).length,
    classes,
    klToReference: Math.max(klToReference, 0),
    count: total,
  };
}

/** The `class-coverage` metric: the generated images' predicted classes against the test set's. */
export const classCoverageMetric: Metric<"class-coverage", ClassCoverageResult> = {
  name: "class-coverage",
  description: "predicted-class histogram, classes covered, KL to the test set's",
  appliesTo: "images",
  needsClassifier: true,
  needsSplits: true,
  duringTraining: true,
  async compute(context) {
    const images = imageData(context, "class-coverage");
    const generated = await images.classified("generated");
    const test = await images.classified("test");
    const coverage = classCoverage(
      predictedClassCounts(generated.probabilities, generated.count, generated.classes),
      predictedClassCounts(test.probabilities, test.count, test.classes),
    );
    if (!images.requestedClasses) return coverage;
    return {
      ...coverage,
      ...requestedClassAccuracy(generated.probabilities, images.requestedClasses, generated.classes),
    };
  },
  summary: (result) => [
    {
      quantity: "classes covered",
      value: `${result.classesCovered} / ${result.classes}`,
      reference: `${result.classes}`,
    },
    { quantity: "KL(samples ‖ test) of class histogram", value: formatValue(result.klToReference, 4), reference: "0" },
    ...(result.classAccuracy === undefined
      ? []
      : [
          {
            quantity: "samples classified as the class asked for",
            value: formatValue(result.classAccuracy, 4),
            reference: `1 (chance ${formatValue(1 / result.classes, 2)})`,
          },
          {
            quantity: "per class (0 … K − 1)",
            value: (result.perClassAccuracy ?? []).map((accuracy) => formatValue(accuracy, 2)).join(" "),
            reference: "1 each",
          },
        ]),
  ],
  headline: (result) => ({
    classesCovered: result.classesCovered,
    classKlToReference: result.klToReference,
    ...(result.classAccuracy === undefined ? {} : { classAccuracy: result.classAccuracy }),
  }),
  coverage: (result) => ({ what: "classes", covered: result.classesCovered, total: result.classes }),
};
