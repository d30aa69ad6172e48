/**
 * New samples from a GAN: G in inference mode (BatchNorm with running statistics, no dropout), z from the prior it was
 * trained with. The generator is the EMA one when the GAN keeps it (samplingGenerator), unless `rawGenerator` asks for
 * G itself. `tsgan sample`, the sample grids, evaluation and library users all draw through here; D's logits on
 * samples (evaluation's V(D, G), rejection sampling) too.
 */
import { Rng } from "../engine/random.js";
import { tf, type Tensor } from "../engine/tf.js";
import { infer } from "../models/network.js";
import { packWithPartners } from "../models/packing.js";
import { cyclingLabels, labelTensor } from "./conditional.js";
import { samplingGenerator, type Gan } from "./gan.js";
import { sampleNoise } from "./noise.js";

/** The purpose that keys sampling noise: `sampleGan(gan, n, { seed })` draws what `tsgan sample --seed` draws. */
export const SAMPLE_PURPOSE = "sample";

/** Which generator draws (by default the EMA generator when the GAN keeps one), and what a conditional one draws. */
export interface GeneratorChoice {
  /** Sample from G itself even when the GAN keeps an EMA generator (`--raw-generator`). */
  rawGenerator?: boolean;
  /** The class asked of a conditional G for each noise row, [count]; a conditional GAN needs them. */
  labels?: Int32Array;
  /** Columns of an image grid (default: as square as the count allows). */
  columns?: number;
}

/** Options of sampleGan. */
export interface SampleOptions extends GeneratorChoice {
  /** Seed of the noise (default: the GAN's config seed); the same seed gives the same samples. */
  seed?: number;
}

/** Generates G(z) (or G(z, y) with `choice.labels`) for the noise [count, latentDim] → [count, ...dataShape]. */
export function generate(gan: Gan, noise: Tensor, choice: GeneratorChoice = {}): Float32Array {
  const labels = choice.labels ? labelTensor(choice.labels) : undefined;
  const output = infer(samplingGenerator(gan, choice.rawGenerator), noise, labels);
  const values = output.dataSync() as Float32Array;
  tf.dispose([output, ...(labels ? [labels] : [])]);
  return values;
}

/** G's samples for `count` fresh draws of the prior from `rng` → [count, ...dataShape], flat; no tensor left behind. */
export function generateFromPrior(gan: Gan, count: number, rng: Rng, choice: GeneratorChoice = {}): Float32Array {
  const noise = sampleNoise(gan.config, count, rng);
  try {
    return generate(gan, noise, choice);
  } finally {
    noise.dispose();
  }
}

/**
 * `count` new samples, flat row-major [count, ...gan.dataShape]: a 2-D toy gives (x, y) pairs, an image GAN pixels in
 * its output range (tanh: [−1, 1]). A conditional GAN draws `options.labels`, by default every class in turn
 * (0, 1, …, K − 1, 0, …). Nothing of the GAN changes, and no tensor is left behind.
 */
export function sampleGan(gan: Gan, count: number, options: SampleOptions = {}): Float32Array {
  const { conditional, classCount } = gan.config;
  const labels = options.labels ?? (conditional === "none" ? undefined : cyclingLabels(classCount, count));
  const rng = Rng.derive(options.seed ?? gan.config.seed, SAMPLE_PURPOSE);
  return generateFromPrior(gan, count, rng, { ...options, labels });
}

/** D runs on this many samples at a time (discriminatorLogits). */
const LOGITS_CHUNK = 1000;

/**
 * D's logits for `count` samples, flat row-major [count, ...gan.dataShape] → [count], D in inference mode, in chunks.
 * An unconditional D that judges one sample (pack 1) judges each alone. A packed D (pack m > 1) judges each sample in
 * slot 0 of a pack whose other slots hold `partners`, flat [k·(m − 1), ...gan.dataShape]: k sets of m − 1 samples,
 * and the logit is the mean over the k sets (why it means log(p_data/p_g) up to a constant: rejection.ts).
 */
export function discriminatorLogits(
  gan: Gan,
  samples: Float32Array,
  count: number,
  partners?: Float32Array,
): Float32Array {
  const { dataShape } = gan;
  const others = gan.config.pack - 1;
  const size = samples.length / count;
  const sets = others === 0 ? 1 : (partners?.length ?? 0) / (others * size);
  if (!Number.isInteger(sets) || sets < 1) {
    throw new RangeError(
      `discriminatorLogits: a D that judges packs of ${others + 1} needs partners, k·${others} samples`,
    );
  }
  // [k][m − 1, ...dataShape]: one tensor per partner set, made once for all chunks.
  const partnerSets = Array.from({ length: others === 0 ? 0 : sets }, (_, set) =>
    tf.tensor(partners!.subarray(set * others * size, (set + 1) * others * size), [others, ...dataShape]),
  );
  const logits = new Float32Array(count);
  try {
    for (let start = 0; start < count; start += LOGITS_CHUNK) {
      const rows = Math.min(LOGITS_CHUNK, count - start);
      const input = tf.tensor(samples.subarray(start * size, (start + rows) * size), [rows, ...dataShape]);
      const packs = others === 0 ? [input] : partnerSets.map((set) => packWithPartners(input, set));
      for (const pack of packs) {
        const output = infer(gan.discriminator, pack);
        const values = output.dataSync() as Float32Array;
        for (let row = 0; row < rows; row++) logits[start + row]! += values[row]! / sets;
        output.dispose();
      }
      tf.dispose([input, ...packs]); // with pack 1, packs is [input]: disposing twice is a no-op
    }
  } finally {
    tf.dispose(partnerSets);
  }
  return logits;
}
