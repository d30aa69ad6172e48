/**
 * Fréchet distance between Gaussian fits of two feature sets — in tsgan, the features are the penultimate layer of
 * our own MNIST / Fashion-MNIST classifier, so the number is "the Fréchet distance in our classifier's feature
 * space". It is not FID: FID is defined with Inception-v3's 2048-d pool features on ImageNet-like images, and values
 * computed here are not comparable with published FIDs.
 *
 * For N(μ1, Σ1) and N(μ2, Σ2) the squared 2-Wasserstein (Fréchet) distance is (Dowson & Landau 1982)
 *
 *   d² = ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^{1/2})
 *
 * tr (Σ1Σ2)^{1/2} is computed without a non-symmetric matrix square root: Σ1Σ2 = S (S Σ2) with S = Σ1^{1/2} has the
 * eigenvalues of (S Σ2) S = S Σ2 S, which is symmetric PSD, so tr (Σ1Σ2)^{1/2} = Σ_k √λ_k(S Σ2 S). Both steps use the
 * symmetric Jacobi eigensolver in float64 (linearAlgebra.ts); tiny negative eigenvalues from rounding count as 0.
 */
import { multiply, symmetricEigen, symmetricSqrt, trace } from "./linearAlgebra.js";
import type { Matrix } from "./matrix.js";
import { formatValue, imageData, type Metric } from "./metric.js";

/** Mean and covariance of a feature set. */
export interface GaussianFit {
  /** [dimension] */
  mean: Float64Array;
  /** [dimension, dimension] row-major; divisor N − 1 (unbiased, as numpy.cov and the FID reference code). */
  covariance: Float64Array;
  dimension: number;
  count: number;
}

/** The distance and its two parts. */
export interface FrechetResult {
  /** ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2}) (≥ 0; 0 for identical fits). */
  distance: number;
  /** ‖μ1 − μ2‖². */
  meanTerm: number;
  /** tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2}). */
  covarianceTerm: number;
  dimension: number;
}

/** Fits a Gaussian to the rows of `features` [N, d] in float64 (N ≥ 2). */
export function fitGaussian(features: Matrix): GaussianFit {
  const { values, rows, columns } = features;
  if (rows < 2) throw new RangeError(`fitGaussian: needs at least 2 rows, got ${rows}`);
  const mean = new Float64Array(columns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) mean[column] = mean[column]! + values[row * columns + column]!;
  }
  for (let column = 0; column < columns; column++) mean[column] = mean[column]! / rows;
  const covariance = new Float64Array(columns * columns);
  const centred = new Float64Array(columns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) centred[column] = values[row * columns + column]! - mean[column]!;
    // Upper triangle only; mirrored below.
    for (let i = 0; i < columns; i++) {
      const ci = centred[i]!;
      if (ci === 0) continue;
      const offset = i * columns;
      for (let j = i; j < columns; j++) covariance[offset + j] = covariance[offset + j]! + ci * centred[j]!;
    }
  }
  for (let i = 0; i < columns; i++) {
    for (let j = i; j < columns; j++) {
      const value = covariance[i * columns + j]! / (rows - 1);
      covariance[i * columns + j] = value;
      covariance[j * columns + i] = value;
    }
  }
  return { mean, covariance, dimension: columns, count: rows };
}

/** The Fréchet distance between two Gaussian fits of the same dimension. */
export function frechetDistance(first: GaussianFit, second: GaussianFit): FrechetResult {
  const n = first.dimension;
  if (second.dimension !== n) throw new RangeError(`frechet: dimensions ${n} and ${second.dimension} differ`);
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (first.mean[i]! - second.mean[i]!) ** 2;
  const root = symmetricSqrt(first.covariance, n); // S = Σ1^{1/2}
  const product = multiply(multiply(root, second.covariance, n), root, n); // S Σ2 S, symmetric PSD
  const { values } = symmetricEigen(product, n);
  let traceRoot = 0;
  for (const value of values) traceRoot += Math.sqrt(Math.max(value, 0));
  // Rounding can leave a tiny negative trace term for identical inputs; the distance is ≥ 0 by definition.
  const covarianceTerm = Math.max(trace(first.covariance, n) + trace(second.covariance, n) - 2 * traceRoot, 0);
  return { distance: meanTerm + covarianceTerm, meanTerm, covarianceTerm, dimension: n };
}

/** The Fréchet distance between Gaussian fits of two feature sets [N1, d] and [N2, d]. */
export function frechetDistanceOfFeatures(first: Matrix, second: Matrix): FrechetResult {
  return frechetDistance(fitGaussian(first), fitGaussian(second));
}

/** The `frechet` metric, with the "perfect generator" reference: N training images against the test set. */
export const frechetMetric: Metric<"frechet", FrechetResult & { reference?: FrechetResult }> = {
  name: "frechet",
  description: "Fréchet distance in our classifier's feature space, generated vs test",
  appliesTo: "images",
  needsClassifier: true,
  needsSplits: true,
  duringTraining: false,
  async compute(context) {
    const images = imageData(context, "frechet");
    const test = await images.classified("test");
    const generated = await images.classified("generated");
    const reference = await images.classified("train");
    return {
      ...frechetDistanceOfFeatures(generated.features, test.features),
      reference: frechetDistanceOfFeatures(reference.features, test.features),
    };
  },
  summary: (result) => [
    {
      quantity: "Fréchet distance (classifier features)",
      value: formatValue(result.distance, 3),
      reference: result.reference ? `train vs test: ${formatValue(result.reference.distance, 3)}` : "",
    },
  ],
  headline: (result) => ({ frechetDistance: result.distance }),
};
