/**
 * Synthetic "images" for the metric tests: small vectors drawn from an equal mixture of CLASSES isotropic Gaussians
 * (one per class), whose exact density and class posterior are known, and a stub ImageClassifier whose features are
 * the pixels themselves and whose probabilities are that exact posterior. Fast, and every "perfect" value is known.
 */
import { Rng } from "../../../src/core/engine/random.js";
import { matrix, type Matrix } from "../../../src/core/metrics/matrix.js";
import type { ImageClassifier } from "../../../src/core/metrics/types.js";

/** Number of classes (as MNIST). */
export const CLASSES = 10;
/** Pixels per synthetic image. */
export const PIXELS = 4;
/** Per-pixel standard deviation around the class centre: wide enough that Parzen's σ ≥ 0.1 can fit it. */
export const PIXEL_STD = 0.2;
/** Class centres are uniform in [CENTRE_LOW, CENTRE_HIGH]^PIXELS. */
const CENTRE_LOW = 0.2;
const CENTRE_HIGH = 0.8;
const LOG_TWO_PI = Math.log(2 * Math.PI);

/** A sample of synthetic images [rows, PIXELS] with the exact mean log-density of its rows. */
export type SampleSet = Matrix & { exactMeanLogDensity: number };

export class SyntheticImages {
  /** [CLASSES, PIXELS] */
  readonly centres: Float64Array;

  constructor(seed = 7) {
    const rng = Rng.derive(seed, "synthetic/centres");
    this.centres = Float64Array.from({ length: CLASSES * PIXELS }, () => rng.uniformIn(CENTRE_LOW, CENTRE_HIGH));
  }

  /** log p(x, y = class) for every class: log(1/K) + log N(x; centre, std² I). */
  jointLogDensities(pixels: ArrayLike<number>, offset = 0): number[] {
    return Array.from({ length: CLASSES }, (_, label) => {
      let squared = 0;
      for (let pixel = 0; pixel < PIXELS; pixel++) {
        squared += (pixels[offset + pixel]! - this.centres[label * PIXELS + pixel]!) ** 2;
      }
      return (
        -Math.log(CLASSES) - squared / (2 * PIXEL_STD ** 2) - (PIXELS / 2) * (LOG_TWO_PI + Math.log(PIXEL_STD ** 2))
      );
    });
  }

  /** The trace of the data's covariance: PIXELS·std² plus the (population) variance of the centres per pixel. */
  get featureTrace(): number {
    let trace = PIXELS * PIXEL_STD ** 2;
    for (let pixel = 0; pixel < PIXELS; pixel++) {
      let sum = 0;
      let squares = 0;
      for (let label = 0; label < CLASSES; label++) {
        const value = this.centres[label * PIXELS + pixel]!;
        sum += value;
        squares += value * value;
      }
      trace += squares / CLASSES - (sum / CLASSES) ** 2;
    }
    return trace;
  }

  /** `count` images: a uniformly drawn class, then its centre plus Gaussian noise. */
  sample(count: number, rng: Rng): SampleSet {
    const values = new Float32Array(count * PIXELS);
    for (let row = 0; row < count; row++) {
      const label = rng.int(CLASSES);
      for (let pixel = 0; pixel < PIXELS; pixel++) {
        values[row * PIXELS + pixel] = this.centres[label * PIXELS + pixel]! + PIXEL_STD * rng.normal();
      }
    }
    let total = 0;
    for (let row = 0; row < count; row++) total += logSumExp(this.jointLogDensities(values, row * PIXELS));
    return { ...matrix(values, count, PIXELS), exactMeanLogDensity: total / count };
  }
}

function logSumExp(values: number[]): number {
  const largest = Math.max(...values);
  return largest + Math.log(values.reduce((sum, value) => sum + Math.exp(value - largest), 0));
}

/** A classifier for SyntheticImages: features = pixels, probabilities = the exact class posterior. */
export function stubClassifier(images: SyntheticImages): ImageClassifier {
  return {
    dataset: "synthetic",
    classes: CLASSES,
    featureDim: PIXELS,
    features: (pixels, count) => pixels.slice(0, count * PIXELS),
    probabilities(pixels, count) {
      const output = new Float32Array(count * CLASSES);
      for (let row = 0; row < count; row++) {
        const joint = images.jointLogDensities(pixels, row * PIXELS);
        const normaliser = logSumExp(joint);
        joint.forEach((value, label) => (output[row * CLASSES + label] = Math.exp(value - normaliser)));
      }
      return output;
    },
  };
}
