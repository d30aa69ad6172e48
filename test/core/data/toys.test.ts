import { describe, expect, it } from "vitest";

import { Rng } from "../../../src/core/engine/random.js";
import { DataError } from "../../../src/core/data/errors.js";
import {
  BOUNDS_STD_MULTIPLE,
  TOY_DISTRIBUTIONS,
  TOY_DISTRIBUTION_NAMES,
  toyDistribution,
  type ToyDistribution,
} from "../../../src/core/data/toys.js";

/** Samples drawn for the moment checks: the mean's standard error is then < 1 % of a coordinate's std. */
const SAMPLE_COUNT = 20_000;
/** Tolerance of the moment checks, in standard errors (a correct sampler fails one with probability ~1e-6). */
const STANDARD_ERRORS = 5;
/** Integration step in mode stds: the midpoint rule on a Gaussian is then exact to far below 1e-6. */
const INTEGRATION_STEPS_PER_STD = 4;

/** Midpoint-rule integral of the density over `bounds`. */
function integrateDensity(toy: ToyDistribution): number {
  const step = toy.modeStd / INTEGRATION_STEPS_PER_STD;
  const [lowX = 0, lowY = 0] = toy.bounds.low;
  const [highX = 0, highY = 0] = toy.bounds.high;
  const stepsX = Math.ceil((highX - lowX) / step);
  if (toy.dimension === 1) {
    let sum = 0;
    for (let i = 0; i < stepsX; i++) sum += toy.density([lowX + (i + 0.5) * step]);
    return sum * step;
  }
  const stepsY = Math.ceil((highY - lowY) / step);
  const point = new Float64Array(2);
  let sum = 0;
  for (let i = 0; i < stepsX; i++) {
    point[0] = lowX + (i + 0.5) * step;
    for (let j = 0; j < stepsY; j++) {
      point[1] = lowY + (j + 0.5) * step;
      sum += toy.density(point);
    }
  }
  return sum * step * step;
}

/** Index of the nearest mode and the offset of `point` from it. */
function nearestMode(toy: ToyDistribution, point: ArrayLike<number>): { mode: number; offset: number[] } {
  let best = { mode: -1, distance: Infinity, offset: [] as number[] };
  for (let mode = 0; mode < toy.modeCount; mode++) {
    const offset = Array.from(
      { length: toy.dimension },
      (_, axis) => point[axis]! - toy.modes[mode * toy.dimension + axis]!,
    );
    const distance = Math.hypot(...offset);
    if (distance < best.distance) best = { mode, distance, offset };
  }
  return best;
}

describe("registry", () => {
  it("holds the four toys under their names", () => {
    expect([...TOY_DISTRIBUTION_NAMES]).toEqual(["gaussian-1d", "mixture-1d", "ring-2d", "grid-2d"]);
    for (const name of TOY_DISTRIBUTION_NAMES) expect(toyDistribution(name).name).toBe(name);
  });

  it("rejects an unknown name with a DataError listing the valid ones", () => {
    expect(() => toyDistribution("spiral-2d")).toThrow(DataError);
    expect(() => toyDistribution("spiral-2d")).toThrow(/gaussian-1d, mixture-1d, ring-2d, grid-2d/);
  });

  it("has the documented parameters", () => {
    const gaussian = TOY_DISTRIBUTIONS["gaussian-1d"];
    expect([...gaussian.modes]).toEqual([4]);
    expect(gaussian.modeStd).toBe(0.5);
    expect(gaussian.density([4])).toBeCloseTo(1 / (0.5 * Math.sqrt(2 * Math.PI)), 12);

    expect([...TOY_DISTRIBUTIONS["mixture-1d"].modes]).toEqual([-2, 2]);
    expect(TOY_DISTRIBUTIONS["mixture-1d"].modeStd).toBe(0.5);

    const ring = TOY_DISTRIBUTIONS["ring-2d"];
    expect(ring.modeCount).toBe(8);
    expect(ring.modeStd).toBe(0.01);
    for (let mode = 0; mode < 8; mode++) {
      expect(Math.hypot(ring.modes[2 * mode]!, ring.modes[2 * mode + 1]!)).toBeCloseTo(1, 6);
    }

    const grid = TOY_DISTRIBUTIONS["grid-2d"];
    expect(grid.modeCount).toBe(25);
    expect(grid.modeStd).toBe(0.05);
    expect(new Set(grid.modes)).toEqual(new Set([-4, -2, 0, 2, 4]));
    // a 2-D density at a mode: (1/25) · 1/(2π σ²), the other modes contributing nothing measurable
    expect(grid.density([2, -4])).toBeCloseTo(1 / (25 * 2 * Math.PI * 0.05 ** 2), 6);
  });
});

describe.each(TOY_DISTRIBUTION_NAMES.map((name) => [name, TOY_DISTRIBUTIONS[name]] as const))("%s", (_, toy) => {
  const samples = toy.sample(SAMPLE_COUNT, Rng.derive(7, 0, "test/toys"));

  it("samples [count, dimension], a pure function of the rng", () => {
    expect(samples).toBeInstanceOf(Float32Array);
    expect(samples.length).toBe(SAMPLE_COUNT * toy.dimension);
    expect(toy.sample(5, Rng.derive(1, 2, "x"))).toEqual(toy.sample(5, Rng.derive(1, 2, "x")));
    expect(toy.sample(5, Rng.derive(1, 2, "x"))).not.toEqual(toy.sample(5, Rng.derive(1, 3, "x")));
    expect(toy.sample(0, Rng.derive(1)).length).toBe(0);
  });

  it("has a density that integrates to 1 over its bounds", () => {
    expect(integrateDensity(toy)).toBeCloseTo(1, 5);
  });

  it("has a log density equal to log(density), and finite where the density underflows", () => {
    const inside = Array.from(toy.modes.subarray(0, toy.dimension), (value) => value + 0.3 * toy.modeStd);
    expect(toy.logDensity(inside)).toBeCloseTo(Math.log(toy.density(inside)), 10);
    const far = Array.from({ length: toy.dimension }, () => 1000);
    expect(toy.density(far)).toBe(0);
    expect(Number.isFinite(toy.logDensity(far))).toBe(true);
    expect(toy.logDensity(far)).toBeLessThan(-1e3);
  });

  it("has bounds holding every mode and every sample", () => {
    for (let axis = 0; axis < toy.dimension; axis++) {
      const column = samples.filter((_, index) => index % toy.dimension === axis);
      const modeColumn = toy.modes.filter((_, index) => index % toy.dimension === axis);
      expect(Math.min(...column, ...modeColumn)).toBeGreaterThan(toy.bounds.low[axis]!);
      expect(Math.max(...column, ...modeColumn)).toBeLessThan(toy.bounds.high[axis]!);
    }
    const spread = toy.bounds.high.map((high, axis) => high - toy.bounds.low[axis]!);
    for (const width of spread) expect(width).toBeGreaterThanOrEqual(2 * BOUNDS_STD_MULTIPLE * toy.modeStd);
  });

  it("samples with the mixture's mean and variance per coordinate", () => {
    for (let axis = 0; axis < toy.dimension; axis++) {
      const modeCoordinates = Array.from(
        { length: toy.modeCount },
        (_, mode) => toy.modes[mode * toy.dimension + axis]!,
      );
      const mean = modeCoordinates.reduce((sum, value) => sum + value, 0) / toy.modeCount;
      // law of total variance: within-mode σ² plus the variance of the mode centres
      const variance =
        toy.modeStd ** 2 + modeCoordinates.reduce((sum, value) => sum + (value - mean) ** 2, 0) / toy.modeCount;
      let sampleSum = 0;
      let squareSum = 0;
      for (let row = 0; row < SAMPLE_COUNT; row++) {
        const value = samples[row * toy.dimension + axis]!;
        sampleSum += value;
        squareSum += value * value;
      }
      const sampleMean = sampleSum / SAMPLE_COUNT;
      const sampleVariance = squareSum / SAMPLE_COUNT - sampleMean ** 2;
      expect(Math.abs(sampleMean - mean)).toBeLessThan(STANDARD_ERRORS * Math.sqrt(variance / SAMPLE_COUNT));
      // Var(sample variance) ≈ (μ₄ − σ⁴)/n ≤ 2σ⁴/n when the kurtosis is at most a Gaussian's 3, as for these mixtures
      expect(Math.abs(sampleVariance - variance)).toBeLessThan(
        STANDARD_ERRORS * variance * Math.sqrt(2 / SAMPLE_COUNT),
      );
    }
  });

  it("puts 1/K of the samples on each mode, each with std modeStd around its centre", () => {
    const perMode = new Array<number>(toy.modeCount).fill(0);
    let squaredOffsets = 0;
    for (let row = 0; row < SAMPLE_COUNT; row++) {
      const { mode, offset } = nearestMode(toy, samples.subarray(row * toy.dimension, (row + 1) * toy.dimension));
      perMode[mode]! += 1;
      for (const value of offset) squaredOffsets += value * value;
    }
    const expected = SAMPLE_COUNT / toy.modeCount;
    const binomialStd = Math.sqrt(SAMPLE_COUNT * (1 / toy.modeCount) * (1 - 1 / toy.modeCount));
    for (const count of perMode) expect(Math.abs(count - expected)).toBeLessThanOrEqual(STANDARD_ERRORS * binomialStd);
    const withinStd = Math.sqrt(squaredOffsets / (SAMPLE_COUNT * toy.dimension));
    expect(withinStd).toBeGreaterThan(0.97 * toy.modeStd);
    expect(withinStd).toBeLessThan(1.03 * toy.modeStd);
  });
});
