/**
 * Metrics against closed forms: Fréchet distances of known Gaussians, the Parzen window of one point as an analytic
 * Gaussian log-density, JSD of identical and disjoint densities, the symmetric eigensolver, the classifier score's
 * extremes and the histogram definitions of class coverage and mode coverage. Expected values are written from the
 * formulas, never from the implementation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import { classCoverage } from "../../../src/core/metrics/classCoverage.js";
import { classifierScore } from "../../../src/core/metrics/classifierScore.js";
import { frechetDistance, type GaussianFit } from "../../../src/core/metrics/frechet.js";
import { multiply, symmetricEigen, symmetricSqrt } from "../../../src/core/metrics/linearAlgebra.js";
import { matrix } from "../../../src/core/metrics/matrix.js";
import { logspace } from "../../../src/core/numerics/scalar.js";
import { modeCoverage } from "../../../src/core/metrics/modes.js";
import { PARZEN_SIGMAS, parzenLogLikelihoods, parzenWindowEstimate } from "../../../src/core/metrics/parzen.js";

const LOG_TWO_PI = Math.log(2 * Math.PI);

function gaussian(mean: number[], covariance: number[][]): GaussianFit {
  return {
    mean: Float64Array.from(mean),
    covariance: Float64Array.from(covariance.flat()),
    dimension: mean.length,
    count: 2,
  };
}

/** A random symmetric positive definite matrix [n, n]: A Aᵀ + n·0.1 I. */
function randomCovariance(n: number, rng: Rng): Float64Array {
  const a = Float64Array.from({ length: n * n }, () => rng.normal());
  const result = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k]! * a[j * n + k]!;
      result[i * n + j] = sum / n + (i === j ? 0.1 : 0);
    }
  }
  return result;
}

describe("symmetric eigensolver", () => {
  it("reconstructs A = V Λ Vᵀ with orthonormal V (n = 40)", () => {
    const n = 40;
    const a = randomCovariance(n, Rng.derive(1, "eigen"));
    const { values, vectors } = symmetricEigen(a, n);
    let worstReconstruction = 0;
    let worstOrthogonality = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let reconstructed = 0;
        let gram = 0;
        for (let k = 0; k < n; k++) {
          reconstructed += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
          gram += vectors[k * n + i]! * vectors[k * n + j]!;
        }
        worstReconstruction = Math.max(worstReconstruction, Math.abs(reconstructed - a[i * n + j]!));
        worstOrthogonality = Math.max(worstOrthogonality, Math.abs(gram - (i === j ? 1 : 0)));
      }
    }
    expect(worstReconstruction).toBeLessThan(1e-10);
    expect(worstOrthogonality).toBeLessThan(1e-10);
  });

  it("squares its square root back", () => {
    const n = 12;
    const a = randomCovariance(n, Rng.derive(2, "sqrt"));
    const root = symmetricSqrt(a, n);
    const square = multiply(root, root, n);
    for (let index = 0; index < n * n; index++) expect(square[index]).toBeCloseTo(a[index]!, 10);
  });
});

describe("Fréchet distance", () => {
  it("is 0 for identical Gaussians", () => {
    const n = 16;
    const covariance = randomCovariance(n, Rng.derive(3, "same"));
    const fit = { mean: new Float64Array(n).fill(0.3), covariance, dimension: n, count: 10 };
    expect(frechetDistance(fit, fit).distance).toBeLessThan(1e-9);
  });

  it("of diagonal Gaussians is ‖Δμ‖² + Σ (√a_i − √b_i)²", () => {
    const first = gaussian(
      [0, 1, 2],
      [
        [1, 0, 0],
        [0, 4, 0],
        [0, 0, 9],
      ],
    );
    const second = gaussian(
      [1, 1, 0],
      [
        [4, 0, 0],
        [0, 1, 0],
        [0, 0, 9],
      ],
    );
    // ‖Δμ‖² = 1 + 0 + 4 = 5; (1 − 2)² + (2 − 1)² + 0 = 2.
    const result = frechetDistance(first, second);
    expect(result.meanTerm).toBeCloseTo(5, 12);
    expect(result.covarianceTerm).toBeCloseTo(2, 10);
    expect(result.distance).toBeCloseTo(7, 10);
  });

  it("of non-commuting 2×2 covariances matches tr √(Σ1Σ2) = √(tr Σ1Σ2 + 2√det Σ1Σ2)", () => {
    const s1 = [
      [2, 0.8],
      [0.8, 1],
    ];
    const s2 = [
      [1, -0.5],
      [-0.5, 3],
    ];
    const product = [
      [s1[0]![0]! * s2[0]![0]! + s1[0]![1]! * s2[1]![0]!, s1[0]![0]! * s2[0]![1]! + s1[0]![1]! * s2[1]![1]!],
      [s1[1]![0]! * s2[0]![0]! + s1[1]![1]! * s2[1]![0]!, s1[1]![0]! * s2[0]![1]! + s1[1]![1]! * s2[1]![1]!],
    ];
    const traceProduct = product[0]![0]! + product[1]![1]!;
    const determinant = product[0]![0]! * product[1]![1]! - product[0]![1]! * product[1]![0]!;
    const traceRoot = Math.sqrt(traceProduct + 2 * Math.sqrt(determinant));
    const expected = 3 + 4 - 2 * traceRoot; // tr Σ1 = 3, tr Σ2 = 4, equal means
    expect(frechetDistance(gaussian([0, 0], s1), gaussian([0, 0], s2)).distance).toBeCloseTo(expected, 10);
  });
});

describe("Parzen window", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("uses the paper's σ grid, logspace(−1, 0, 10)", () => {
    expect(PARZEN_SIGMAS).toHaveLength(10);
    expect(PARZEN_SIGMAS[0]).toBeCloseTo(0.1, 12);
    expect(PARZEN_SIGMAS[9]).toBeCloseTo(1, 12);
    expect(PARZEN_SIGMAS[1]! / PARZEN_SIGMAS[0]!).toBeCloseTo(10 ** (1 / 9), 12);
    expect(logspace(0, 2, 3)).toEqual([1, 10, 100]);
  });

  it("of a single point is the Gaussian log-density log N(x; μ, σ² I)", async () => {
    const dimension = 5;
    const centre = [0.1, 0.2, 0.3, 0.4, 0.5];
    const points = [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0, 1, 0, 1, 0];
    const sigmas = [0.1, 0.5, 1];
    const result = await parzenLogLikelihoods(
      matrix(Float32Array.from(centre), 1, dimension),
      matrix(Float32Array.from(points), 3, dimension),
      sigmas,
    );
    sigmas.forEach((sigma, s) => {
      for (let point = 0; point < 3; point++) {
        let squared = 0;
        for (let axis = 0; axis < dimension; axis++) {
          squared += (Math.fround(points[point * dimension + axis]!) - Math.fround(centre[axis]!)) ** 2;
        }
        const expected = -squared / (2 * sigma * sigma) - (dimension / 2) * (LOG_TWO_PI + 2 * Math.log(sigma));
        expect(result[s]![point]).toBeCloseTo(expected, 3);
      }
    });
  });

  it("of two points is the log of the mean of their Gaussians; standard error is std/√N", async () => {
    const centres = matrix(Float32Array.from([0, 0, 1, 0]), 2, 2);
    const sigma = 0.5;
    const points = [0, 0.5, 1, 1, 0.5, 0.5, 3, 0];
    const expected = [0, 1, 2, 3].map((point) => {
      const density = [0, 1].reduce((sum, centre) => {
        const squared = (points[2 * point]! - centre) ** 2 + points[2 * point + 1]! ** 2;
        return sum + Math.exp(-squared / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma);
      }, 0);
      return Math.log(density / 2);
    });
    const test = matrix(Float32Array.from(points), 4, 2);
    const result = await parzenWindowEstimate({ samples: centres, validation: test, test, sigmas: [0.05, sigma, 5] });
    const mean = expected.reduce((a, b) => a + b, 0) / 4;
    const std = Math.sqrt(expected.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 3);
    expect(result.sigma).toBe(sigma);
    expect(result.meanLogLikelihood).toBeCloseTo(mean, 5);
    expect(result.standardError).toBeCloseTo(std / 2, 5);
    expect(result.validation.map((candidate) => candidate.sigma)).toEqual([0.05, sigma, 5]);
  });
});

describe("classifier score", () => {
  it("is the number of classes for confident, balanced predictions and 1 for uninformative ones", () => {
    const classes = 4;
    const oneHot = new Float32Array(8 * classes);
    for (let row = 0; row < 8; row++) oneHot[row * classes + (row % classes)] = 1;
    expect(classifierScore(oneHot, 8, classes).score).toBeCloseTo(classes, 6);
    expect(classifierScore(new Float32Array(8 * classes).fill(1 / classes), 8, classes).score).toBeCloseTo(1, 6);
    const collapsed = new Float32Array(8 * classes);
    for (let row = 0; row < 8; row++) collapsed[row * classes] = 1;
    expect(classifierScore(collapsed, 8, classes).score).toBeCloseTo(1, 6);
  });
});

describe("class coverage", () => {
  it("is KL(sample ‖ Laplace-smoothed reference) with coverage at 10% of the reference share", () => {
    const reference = [250, 250, 250, 250];
    const counts = [90, 10, 0, 0]; // class 1 has 10% of the samples: 40% of its reference share of 25%
    const result = classCoverage(counts, reference);
    const r = 251 / 1004;
    expect(result.klToReference).toBeCloseTo(0.9 * Math.log(0.9 / r) + 0.1 * Math.log(0.1 / r), 12);
    expect(result.classesCovered).toBe(2);
    expect(result.classesHit).toBe(2);
    expect(classCoverage([1, 99, 100, 100], reference).classesCovered).toBe(3); // 0.33% < 2.5%
    expect(classCoverage(reference, reference).klToReference).toBeLessThan(1e-12);
  });
});

describe("mode coverage (PacGAN)", () => {
  const layout = {
    modes: Float32Array.from([0, 0, 1, 0, 0, 1, 1, 1]),
    modeCount: 4,
    modeStd: 0.1,
    dimension: 2 as const,
  };

  it("counts a sample as high quality within 3 std of its nearest mode", () => {
    // 0.29 from mode 0 (inside 0.3), 0.31 from mode 1 (outside), exactly on mode 2, far from everything.
    const samples = Float32Array.from([0.29, 0, 1, 0.31, 0, 1, 0.5, 0.5]);
    const result = modeCoverage(samples, layout);
    expect(result.highQualityCounts).toEqual([1, 0, 1, 0]);
    expect(result.modesCovered).toBe(2);
    expect(result.highQualityFraction).toBe(0.5);
    expect(result.reverseKl).toBeCloseTo(Math.log(4 / 2), 12); // even over 2 of 4 modes: log(K / m)
  });

  it("gives reverse KL 0 for an even spread and log K for one mode", () => {
    expect(modeCoverage(layout.modes, layout).reverseKl).toBeCloseTo(0, 12);
    expect(modeCoverage(Float32Array.from([1, 1, 1, 1]), layout).reverseKl).toBeCloseTo(Math.log(4), 12);
    expect(Number.isNaN(modeCoverage(Float32Array.from([9, 9]), layout).reverseKl)).toBe(true);
  });
});
