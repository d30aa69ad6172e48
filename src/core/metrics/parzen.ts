/**
 * Gaussian Parzen-window log-likelihood: the protocol of Goodfellow et al. 2014, Table 1 (after Breuleux et al. 2011).
 *
 * A Gaussian of width σ is centred on each of M generated samples μ_j; a held-out point x then has
 *
 *   log p(x) = logmeanexp_j( −‖x − μ_j‖² / 2σ² ) − d · log(σ √(2π))
 *
 * σ is chosen from logspace(−1, 0, 10) by the mean log-likelihood of a validation set, and the estimate reported is
 * the mean log-likelihood of the test set with its standard error std/√N. On MNIST (pixels in [0, 1]) the protocol
 * is: 10 000 generated samples; validation = the first 1 000 of training images 50 000–59 999; test = all 10 000
 * test images. The paper's adversarial nets scored 225 ± 2 nats (Deep GSN 214 ± 1.1, stacked CAE 121 ± 1.6).
 *
 * Caveat: Parzen estimates are weak evidence. In high dimensions they are dominated by the σ choice, far from the
 * true log-likelihood, and can rank models inversely to sample quality; even the training set itself scores worse
 * than some poor models (Theis, van den Oord & Bethge 2016, "A note on the evaluation of generative models").
 * Report it to compare with the paper, not as the measure of a generator.
 *
 * Cost: all ‖x − μ_j‖² come from one matrix product per chunk of points (see matrix.ts); the distances do not depend
 * on σ, so the ten σ candidates share one product, and the log-sum-exps are JavaScript loops over the downloaded
 * chunk. Measured times are in docs/evaluation.md.
 */
import { logspace, meanAndStd } from "../numerics/scalar.js";
import { forEachDistanceChunk, type ChunkOptions, type Matrix } from "./matrix.js";
import { DataError } from "../data/errors.js";
import { sliceRows } from "./matrix.js";
import { formatValue, imageData, type Metric } from "./metric.js";

/** The paper's number of generated samples the window is centred on. */
export const PARZEN_SAMPLES = 10_000;
/** The σ candidates: numpy.logspace(−1, 0, 10), 0.1 … 1 (the paper's code, for pixels in [0, 1]). */
export const PARZEN_SIGMAS: readonly number[] = logspace(-1, 0, 10);
/** The validation images are taken from the MNIST training set starting at this index (images 50 000–59 999)… */
export const PARZEN_VALIDATION_START = 50_000;
/** …of which the first 1 000 are used to choose σ. */
export const PARZEN_VALIDATION_COUNT = 1_000;
/** The test set: the full official 10 000-image test split. */
export const PARZEN_TEST_COUNT = 10_000;

/** Published MNIST Parzen log-likelihoods in nats (Goodfellow et al. 2014, Table 1): mean ± standard error. */
export const PAPER_PARZEN_MNIST = {
  adversarialNets: { mean: 225, standardError: 2 },
  deepGsn: { mean: 214, standardError: 1.1 },
  stackedCae: { mean: 121, standardError: 1.6 },
  dbn: { mean: 138, standardError: 2 },
} as const;

const LOG_TWO_PI = Math.log(2 * Math.PI);
/**
 * Terms exp(x) with x below this are skipped in log-sum-exp: e^−60 ≈ 9e-27, so even 10⁶ of them change the sum
 * (≥ 1, the nearest centre's term) by less than float64 rounding.
 */
const NEGLIGIBLE_EXPONENT = -60;

/**
 * Log-likelihoods log p(x) of every row of `points` under the Parzen window of width σ on `centres`, for each σ in
 * `sigmas`: result[s][i] for sigma s and point i. Distances are float32 (from the backend's matrix product), the
 * log-sum-exp is float64.
 */
export async function parzenLogLikelihoods(
  centres: Matrix,
  points: Matrix,
  sigmas: readonly number[],
  options: ChunkOptions = {},
): Promise<Float64Array[]> {
  if (sigmas.length === 0 || sigmas.some((sigma) => !(sigma > 0))) {
    throw new RangeError(`parzen: σ candidates must be positive, got [${sigmas.join(", ")}]`);
  }
  const dimension = centres.columns;
  const count = centres.rows;
  const scales = sigmas.map((sigma) => -1 / (2 * sigma * sigma));
  // −log M turns the sum into a mean; −d·log(σ√(2π)) normalises each d-dimensional Gaussian.
  const constants = sigmas.map((sigma) => -Math.log(count) - dimension * (Math.log(sigma) + LOG_TWO_PI / 2));
  const results = sigmas.map(() => new Float64Array(points.rows));
  await forEachDistanceChunk(
    points,
    centres,
    (squared, firstRow, rows) => {
      for (let row = 0; row < rows; row++) {
        const base = row * count;
        // log Σ_j exp(−d_j/2σ²) = −d_min/2σ² + log Σ_j exp(−(d_j − d_min)/2σ²): the nearest centre's term is 1.
        let nearest = Infinity;
        for (let j = 0; j < count; j++) if (squared[base + j]! < nearest) nearest = squared[base + j]!;
        scales.forEach((scale, s) => {
          let sum = 0;
          for (let j = 0; j < count; j++) {
            const exponent = (squared[base + j]! - nearest) * scale;
            if (exponent > NEGLIGIBLE_EXPONENT) sum += Math.exp(exponent);
          }
          results[s]![firstRow + row] = nearest * scale + Math.log(sum) + constants[s]!;
        });
      }
    },
    options,
  );
  return results;
}

/** One σ candidate and the mean validation log-likelihood it gave. */
export interface ParzenCandidate {
  sigma: number;
  meanLogLikelihood: number;
}

/** The Parzen-window estimate under the paper's protocol. */
export interface ParzenResult {
  /** The σ with the best mean validation log-likelihood. */
  sigma: number;
  /** Mean test log-likelihood in nats (higher is better). */
  meanLogLikelihood: number;
  /** std/√N over the test points (std with divisor N − 1). */
  standardError: number;
  /** Every σ tried and its mean validation log-likelihood. */
  validation: ParzenCandidate[];
  /** Number of generated samples (window centres), validation points and test points; data dimension. */
  sampleCount: number;
  validationCount: number;
  testCount: number;
  dimension: number;
}

/** Inputs of the protocol. */
export interface ParzenOptions extends ChunkOptions {
  /** Generated samples, the window centres [M, d] (the protocol: M = PARZEN_SAMPLES, pixels in [0, 1]). */
  samples: Matrix;
  /** The validation points that choose σ [V, d]. */
  validation: Matrix;
  /** The test points the estimate is reported on [N, d]. */
  test: Matrix;
  /** σ candidates (default PARZEN_SIGMAS). */
  sigmas?: readonly number[];
  /** Progress over the whole protocol, validation then test, in points done. */
  onProgress?: (done: number, total: number) => void;
}

/** Chooses σ on the validation set, then reports the test set's mean log-likelihood ± standard error. */
export async function parzenWindowEstimate(options: ParzenOptions): Promise<ParzenResult> {
  const { samples, validation, test } = options;
  const sigmas = options.sigmas ?? PARZEN_SIGMAS;
  const total = validation.rows + test.rows;
  const report = (offset: number) => (done: number) => options.onProgress?.(offset + done, total);
  const chunkRows = options.chunkRows;

  const validationLikelihoods = await parzenLogLikelihoods(samples, validation, sigmas, {
    chunkRows,
    onProgress: report(0),
  });
  const candidates = sigmas.map((sigma, s) => ({
    sigma,
    meanLogLikelihood: meanAndStd(validationLikelihoods[s]!).mean,
  }));
  const best = candidates.reduce((a, b) => (b.meanLogLikelihood > a.meanLogLikelihood ? b : a));

  const [testLikelihoods] = await parzenLogLikelihoods(samples, test, [best.sigma], {
    chunkRows,
    onProgress: report(validation.rows),
  });
  const { mean, std } = meanAndStd(testLikelihoods!, "sample");
  return {
    sigma: best.sigma,
    meanLogLikelihood: mean,
    standardError: std / Math.sqrt(test.rows),
    validation: candidates,
    sampleCount: samples.rows,
    validationCount: validation.rows,
    testCount: test.rows,
    dimension: samples.columns,
  };
}

/** The `parzen` metric: the paper's protocol on pixels (no classifier). */
export const parzenMetric: Metric<"parzen", ParzenResult> = {
  name: "parzen",
  description: "Gaussian Parzen-window log-likelihood of the test set (the paper's Table 1)",
  appliesTo: "images",
  needsClassifier: false,
  needsSplits: true,
  duringTraining: false,
  async compute(context) {
    const images = imageData(context, "parzen");
    const end = PARZEN_VALIDATION_START + PARZEN_VALIDATION_COUNT;
    const validation = sliceRows(images.split("train"), PARZEN_VALIDATION_START, end);
    if (validation.rows < PARZEN_VALIDATION_COUNT) {
      throw new DataError(`${context.dataset}: the Parzen protocol needs ${end} training images`);
    }
    return parzenWindowEstimate({
      samples: images.generated,
      validation,
      test: images.split("test"),
      onProgress: (done, total) => context.onProgress({ phase: "parzen", done, total }),
    });
  },
  summary(result, dataset) {
    const paper = PAPER_PARZEN_MNIST;
    return [
      {
        quantity: `log-likelihood (nats), σ = ${formatValue(result.sigma, 3)}`,
        value: `${formatValue(result.meanLogLikelihood, 1)} ± ${formatValue(result.standardError, 1)}`,
        reference:
          dataset === "mnist"
            ? `paper: GAN ${paper.adversarialNets.mean} ± ${paper.adversarialNets.standardError}, ` +
              `Deep GSN ${paper.deepGsn.mean} ± ${paper.deepGsn.standardError}`
            : "",
      },
    ];
  },
  headline: (result) => ({ parzenLogLikelihood: result.meanLogLikelihood }),
};
