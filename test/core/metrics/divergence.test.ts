/**
 * Divergences on grids against closed forms (JSD of identical densities = 0, of disjoint ones = log 2; V at D = 1/2
 * is −log 4), the KDE's mass conservation, Theorem 1's identity V(D*, G) = −log 4 + 2·JSD, and the registry.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/config.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { Rng } from "../../../src/core/engine/random.js";
import { divergence } from "../../../src/core/metrics/divergence.js";
import { jensenShannonOnGrid, optimalValueOnGrid, valueBySampling } from "../../../src/core/numerics/divergences.js";
import { densityGrid } from "../../../src/core/numerics/grid.js";
import { gaussianKdeOnGrid, scottBandwidth } from "../../../src/core/numerics/kde.js";
import {
  METRICS,
  METRIC_NAMES,
  applicableMetrics,
  metricInfo,
  parseMetricList,
  whyNotApplicable,
} from "../../../src/core/metrics/index.js";

const LOG_TWO = Math.log(2);
const LOG_FOUR = Math.log(4);

/** A density on a 1-D grid of `points` cells of width `cell`, uniform over cells [first, last). */
function boxDensity(points: number, cell: number, first: number, last: number): Float64Array {
  const density = new Float64Array(points);
  for (let index = first; index < last; index++) density[index] = 1 / ((last - first) * cell);
  return density;
}

describe("JSD and V(D*, G) on a grid", () => {
  const cell = 0.01;
  const p = boxDensity(400, cell, 0, 100);
  const disjoint = boxDensity(400, cell, 200, 300);

  it("JSD of identical densities is 0 and V(D*, G) = −log 4", () => {
    expect(jensenShannonOnGrid(p, p, cell)).toBeCloseTo(0, 14);
    expect(optimalValueOnGrid(p, p, cell)).toBeCloseTo(-LOG_FOUR, 12);
  });

  it("JSD of disjoint densities is log 2 and V(D*, G) = 0", () => {
    expect(jensenShannonOnGrid(p, disjoint, cell)).toBeCloseTo(LOG_TWO, 12);
    expect(optimalValueOnGrid(p, disjoint, cell)).toBeCloseTo(0, 12);
  });

  it("counts generated mass off the grid as disjoint from p_data", () => {
    const half = disjoint.map((value) => value / 2); // half of q's mass is on the grid, half off it
    expect(jensenShannonOnGrid(p, half, cell, 0.5)).toBeCloseTo(LOG_TWO, 12);
  });

  it("V(D, G) at D = 1/2 everywhere (logits 0) is −log 4", () => {
    expect(valueBySampling([0, 0, 0], [0, 0]).value).toBeCloseTo(-LOG_FOUR, 14);
    expect(valueBySampling([100], [-100]).value).toBeCloseTo(0, 12); // a perfect D: V → 0, finite at ±100
  });
});

describe("KDE on a grid", () => {
  it("conserves each sample's mass, even with a bandwidth below the spacing", () => {
    const ring = toyDistribution("ring-2d");
    const samples = ring.sample(500, Rng.derive(1, "kde"));
    const grid = densityGrid(ring, samples, 0.2); // ≥ 4 bandwidths: no kernel reaches past the edges
    for (const bandwidth of [0.0001, 0.01, 0.05]) {
      const density = gaussianKdeOnGrid(samples, grid, bandwidth);
      const mass = density.reduce((sum, value) => sum + value, 0) * grid.cellVolume;
      expect(mass).toBeCloseTo(1, 6);
    }
  });

  it("Scott's rule is σ̂ n^(−1/(d+4))", () => {
    const samples = Float32Array.from([-1, 1, -1, 1]); // 1-D: std (n − 1 divisor) = √(4/3)
    expect(scottBandwidth(samples, 1)).toBeCloseTo(Math.sqrt(4 / 3) * 4 ** (-1 / 5), 12);
  });
});

describe("divergence metric", () => {
  it("reports V(D*, G) equal to −log 4 + 2·JSD, and V(D, G) from D's logits", async () => {
    const distribution = toyDistribution("mixture-1d");
    const generated = toyDistribution("gaussian-1d").sample(1000, Rng.derive(2, "shifted"));
    const real = distribution.sample(1000, Rng.derive(3, "real"));
    const result = await divergence({ distribution, generated, real, logits: (_, count) => new Float32Array(count) });
    expect(result.jensenShannon).toBeGreaterThan(0.2);
    expect(Math.abs(result.identityGap)).toBeLessThan(1e-9);
    expect(result.optimalValue).toBeCloseTo(-LOG_FOUR + 2 * result.jensenShannon, 9);
    expect(result.discriminatorValue?.value).toBeCloseTo(-LOG_FOUR, 12);
    expect(result.dataMassOnGrid).toBeCloseTo(1, 5);
  });

  it("treats samples far outside the data and NaN samples as mass off the grid", async () => {
    const distribution = toyDistribution("gaussian-1d");
    const generated = Float32Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? 1e6 : Number.NaN));
    const result = await divergence({ distribution, generated });
    expect(result.generatedMassOutsideGrid).toBeCloseTo(1, 9);
    expect(result.jensenShannon).toBeCloseTo(LOG_TWO, 6);
  });
});

describe("metric registry", () => {
  it("names every metric and rejects unknown names with the valid list", () => {
    expect(METRIC_NAMES).toEqual([
      "parzen",
      "frechet",
      "classifier-score",
      "class-coverage",
      "precision-recall",
      "modes",
      "divergence",
      "stacked-modes",
    ]);
    expect(() => metricInfo("fid")).toThrow(ConfigError);
    expect(() => metricInfo("fid")).toThrow(/unknown metric "fid"; valid: parzen, frechet/);
    expect(() => parseMetricList("modes,bogus")).toThrow(/unknown metric "bogus"/);
    expect(parseMetricList(" modes, divergence ,modes")).toEqual(["modes", "divergence"]);
  });

  it("lists one metric object per name, in the names' order, each owning its table rows and headline numbers", async () => {
    expect(METRICS.map((metric) => metric.name)).toEqual([...METRIC_NAMES]);
    const ring = toyDistribution("ring-2d");
    const generated = ring.sample(500, Rng.derive(4, "metric objects"));
    const context = {
      dataset: "ring-2d",
      toy: { distribution: ring, generated, real: () => ring.sample(500, Rng.derive(5, "real")) },
      onProgress: () => {},
    };
    const modes = METRICS.find((metric) => metric.name === "modes")!;
    const result = await modes.compute(context);
    expect(modes.summary(result, "ring-2d").map((row) => row.quantity)).toEqual([
      "modes covered",
      "high-quality samples (%)",
      "reverse KL (mode histogram ‖ uniform)",
    ]);
    expect(Object.keys(modes.headline(result))).toEqual(["modesCovered", "highQualityFraction"]);
    expect(modes.coverage?.(result)).toEqual({ what: "modes", covered: 8, total: 8 });
    const divergenceMetric = METRICS.find((metric) => metric.name === "divergence")!;
    const divergenceResult = await divergenceMetric.compute(context); // no D here: no V(D, G) row
    expect(divergenceMetric.summary(divergenceResult, "ring-2d")).toHaveLength(2);
    expect(Object.keys(divergenceMetric.headline(divergenceResult))).toEqual(["jensenShannon"]);
  });

  it("knows which metrics apply to images and to toys", () => {
    const toy = { kind: "toy", dataset: "ring-2d", classifier: false, splits: false } as const;
    const mnist = { kind: "images", dataset: "mnist", classifier: true, splits: true } as const;
    const idx = { kind: "images", dataset: "idx:x", classifier: false, splits: false } as const;
    expect(applicableMetrics(toy)).toEqual(["modes", "divergence"]);
    expect(applicableMetrics(mnist)).toEqual([
      "parzen",
      "frechet",
      "classifier-score",
      "class-coverage",
      "precision-recall",
    ]);
    expect(applicableMetrics(idx)).toEqual([]);
    // Stacked MNIST: no splits, but our MNIST classifier reads its channels; stacked-modes applies to it alone.
    const stacked = { kind: "images", dataset: "stacked-mnist", classifier: true, splits: false } as const;
    expect(applicableMetrics(stacked)).toEqual(["stacked-modes"]);
    expect(whyNotApplicable("parzen", toy)).toMatch(/image datasets, not to ring-2d/);
    expect(whyNotApplicable("modes", mnist)).toMatch(/toy distributions/);
    expect(whyNotApplicable("stacked-modes", mnist)).toMatch(/applies to stacked-mnist only, not to mnist/);
  });
});
