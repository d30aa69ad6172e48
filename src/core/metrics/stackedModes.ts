/**
 * Mode coverage on Stacked MNIST (Metz et al. 2017, "Unrolled Generative Adversarial Networks"; the protocol of
 * VEEGAN, Srivastava et al. 2017, and PacGAN, Lin et al. 2018, Table 3): our MNIST classifier labels each of a
 * generated image's three channels with its most probable digit; the triple (a, b, c) is the image's mode, one of
 * 1 000.
 *
 * - modesCovered: distinct triples among the samples (STACKED_MODES_SAMPLES = 26 000 by default, the published count).
 * - klToUniform: KL(q ‖ u) = Σ_t q_t log(1000 q_t), q the histogram of the samples' triples and u uniform over the
 *   1 000 triples (0 log 0 = 0; PacGAN's reference code computes this direction). 0 for an even spread, log 1000 ≈ 6.9
 *   for a single triple. Even a perfect generator's finite sample has KL ≈ (1000 − 1)/(2N) ≈ 0.019 nats at N = 26 000.
 *
 * Published (PacGAN Table 3, DCGAN of the VEEGAN experiment, 26 000 samples): DCGAN 99 modes, KL 3.4; PacDCGAN2
 * 1 000 modes, KL 0.06 (STACKED_REFERENCE).
 */
import { DIGIT_CLASSES, STACKED_CHANNELS, STACKED_MODES, tripleIndex } from "../data/stacked.js";
import { klDivergence } from "../numerics/divergences.js";
import { imageData, formatValue, type Metric } from "./metric.js";
import type { ImageClassifier } from "./types.js";

/** Generated samples per evaluation in the published protocol (VEEGAN, PacGAN): `tsgan eval`'s default here. */
export const STACKED_MODES_SAMPLES = 26_000;
/** Images per classifier call. */
const CLASSIFIER_CHUNK = 1000;

/** PacGAN's published numbers (Lin et al. 2018, Table 3): modes covered and KL to uniform. */
export const STACKED_REFERENCE = {
  dcgan: { modes: 99, kl: 3.4 },
  pacdcgan2: { modes: 1000, kl: 0.06 },
} as const;

export interface StackedModesResult {
  /** Distinct digit triples among the samples (of 1 000). */
  modesCovered: number;
  modes: number;
  /** KL(sample histogram of triples ‖ uniform over the 1 000) in nats. */
  klToUniform: number;
  count: number;
}

/** Modes covered and KL to uniform of triple indices (each 100·a + 10·b + c, in 0 … 999). */
export function stackedModes(triples: ArrayLike<number>): StackedModesResult {
  const count = triples.length;
  if (count === 0) throw new RangeError("stacked modes: no samples");
  const histogram = new Float64Array(STACKED_MODES);
  for (let index = 0; index < count; index++) histogram[triples[index]!]! += 1 / count;
  const uniform = new Float64Array(STACKED_MODES).fill(1 / STACKED_MODES);
  return {
    modesCovered: histogram.filter((share) => share > 0).length,
    modes: STACKED_MODES,
    klToUniform: Math.max(klDivergence(histogram, uniform), 0),
    count,
  };
}

/**
 * Each image's triple: `classifier` (grey digits [n, height, width, 1] in [0, 1]) labels each channel of `images`
 * ([count, height, width, 3] row-major, in [0, 1]) with its most probable digit. Returns [count] triple indices.
 */
export function classifyTriples(images: Float32Array, count: number, classifier: ImageClassifier): Uint16Array {
  if (classifier.classes !== DIGIT_CLASSES) {
    throw new RangeError(`stacked modes: needs a ${DIGIT_CLASSES}-class digit classifier, not ${classifier.classes}`);
  }
  const pixels = images.length / (count * STACKED_CHANNELS);
  if (!Number.isInteger(pixels)) throw new RangeError(`stacked modes: images are not ${STACKED_CHANNELS}-channel`);
  const triples = new Uint16Array(count);
  const channel = new Float32Array(CLASSIFIER_CHUNK * pixels); // [chunk, height, width, 1]
  for (let start = 0; start < count; start += CLASSIFIER_CHUNK) {
    const rows = Math.min(CLASSIFIER_CHUNK, count - start);
    const digits: Uint8Array[] = [];
    for (let c = 0; c < STACKED_CHANNELS; c++) {
      for (let row = 0; row < rows; row++) {
        const base = (start + row) * pixels * STACKED_CHANNELS;
        for (let pixel = 0; pixel < pixels; pixel++)
          channel[row * pixels + pixel] = images[base + pixel * STACKED_CHANNELS + c]!;
      }
      digits.push(argmaxRows(classifier.probabilities(channel.subarray(0, rows * pixels), rows), rows));
    }
    for (let row = 0; row < rows; row++)
      triples[start + row] = tripleIndex(digits[0]![row]!, digits[1]![row]!, digits[2]![row]!);
  }
  return triples;
}

/** The most probable class of each row of probabilities [rows, DIGIT_CLASSES]. */
function argmaxRows(probabilities: Float32Array, rows: number): Uint8Array {
  const labels = new Uint8Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let label = 1; label < DIGIT_CLASSES; label++) {
      if (probabilities[row * DIGIT_CLASSES + label]! > probabilities[row * DIGIT_CLASSES + best]!) best = label;
    }
    labels[row] = best;
  }
  return labels;
}

/** The `stacked-modes` metric: digit triples of the generated images under our MNIST classifier. */
export const stackedModesMetric: Metric<"stacked-modes", StackedModesResult> = {
  name: "stacked-modes",
  description:
    "Stacked MNIST: modes (digit triples of 1 000) covered and KL to uniform, our MNIST classifier per channel",
  appliesTo: "images",
  datasets: ["stacked-mnist"],
  needsClassifier: true,
  needsSplits: false,
  duringTraining: true,
  async compute(context) {
    const images = imageData(context, "stacked-modes");
    const classifier = await images.classifier();
    context.onProgress({ phase: "stacked-modes: classifying channels", done: 0, total: images.generated.rows });
    return stackedModes(classifyTriples(images.generated.values, images.generated.rows, classifier));
  },
  summary: (result) => [
    {
      quantity: "modes covered (digit triples)",
      value: `${result.modesCovered} / ${result.modes}`,
      reference: `PacGAN paper: DCGAN ${STACKED_REFERENCE.dcgan.modes}, PacDCGAN2 ${STACKED_REFERENCE.pacdcgan2.modes}`,
    },
    {
      quantity: "KL(triple histogram ‖ uniform)",
      value: formatValue(result.klToUniform, 3),
      reference: `PacGAN paper: DCGAN ${STACKED_REFERENCE.dcgan.kl}, PacDCGAN2 ${STACKED_REFERENCE.pacdcgan2.kl}; 0`,
    },
  ],
  headline: (result) => ({ stackedModesCovered: result.modesCovered, stackedKlToUniform: result.klToUniform }),
  coverage: (result) => ({ what: "modes", covered: result.modesCovered, total: result.modes }),
};
