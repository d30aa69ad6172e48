/**
 * The lab's pure helpers (no browser needed): the paper's quantities on a 1-D grid (from src/core/numerics), PacGAN's
 * mode metrics and the JSD through the lab's path (equal to `tsgan eval`'s on the same samples), the priors' quantiles
 * and display ranges, the drawn distribution's URL form, and the state ↔ URL mirror.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig, mergeConfig } from "../../src/core/config.js";
import { TOY_DISTRIBUTIONS, toyDistribution } from "../../src/core/data/toys.js";
import { Rng } from "../../src/core/engine/random.js";
import { divergence } from "../../src/core/metrics/divergence.js";
import { modeCoverage } from "../../src/core/metrics/modes.js";
import {
  criterionFromJensenShannon,
  jensenShannonOnGrid,
  optimalLogits,
  valueOnGrid,
} from "../../src/core/numerics/divergences.js";
import { expectationOnGrid, integrate, uniformGrid } from "../../src/core/numerics/grid.js";
import { gaussianKdeOnGrid, silvermanBandwidth } from "../../src/core/numerics/kde.js";
import { normalQuantile } from "../../src/core/numerics/scalar.js";
import { presetFor } from "../../src/core/presets.js";
import { fromDensity } from "../../src/core/theory/grid.js";
import { optimalDiscriminator } from "../../src/core/theory/optimalDiscriminator.js";
import { createGan, disposeGan } from "../../src/core/training/gan.js";
import { tf } from "../../src/core/engine/tf.js";
import { UNIFORM_PRIOR_RANGE } from "../../src/core/training/noise.js";
import { priorDisplayRange, priorQuantiles } from "../../web/src/analysis/normal.js";
import { decodeDrawnPoints, drawnDistribution, encodeDrawnPoints } from "../../web/src/data/labToys.js";
import { defaultState, hashFromState, parseLayers, stateFromHash, toyTrainingConfig } from "../../web/src/state.js";
import { OneDProber } from "../../web/src/worker/probeOneD.js";
import { TwoDProber } from "../../web/src/worker/probeTwoD.js";
import { metricSamples, sampleMetrics } from "../../web/src/worker/sampleMetrics.js";

const gaussian = TOY_DISTRIBUTIONS["gaussian-1d"];
const grid = uniformGrid(-2, 8, 1001);
const spacing = grid.step;
const dataDensity = grid.points.map((x) => gaussian.density([x]));
/** JSD with the generated mass missing from the grid counted as off-grid mass (disjoint from p_data). */
const jensenShannon = (p: Float64Array, q: Float64Array) =>
  jensenShannonOnGrid(p, q, spacing, Math.max(0, 1 - integrate(q, grid)));
const logit = (probability: number) => Math.log(probability / (1 - probability));

function normalDensity(mean: number, std: number) {
  return grid.points.map((x) => Math.exp(-0.5 * ((x - mean) / std) ** 2) / (std * Math.sqrt(2 * Math.PI)));
}

describe("1-D analysis (the lab's curves, from src/core/numerics)", () => {
  it("estimates a density that integrates to 1 and matches N(4, 0.5²)", () => {
    const samples = gaussian.sample(20_000, Rng.derive(1, "test"));
    const estimate = gaussianKdeOnGrid(samples, grid, silvermanBandwidth(samples, spacing));
    expect(integrate(estimate, grid)).toBeCloseTo(1, 3);
    expect(jensenShannon(dataDensity, estimate)).toBeLessThan(0.002);
  });

  it("gives JSD 0 for equal densities and log 2 for disjoint ones (mass off the grid included)", () => {
    expect(jensenShannon(dataDensity, dataDensity)).toBeCloseTo(0, 10);
    expect(jensenShannon(dataDensity, normalDensity(-1, 0.1))).toBeCloseTo(Math.LN2, 4);
    expect(jensenShannon(dataDensity, new Float64Array(grid.count))).toBeCloseTo(Math.LN2, 4); // all off-grid
  });

  it("satisfies Theorem 1: V(D*, G) = −log 4 + 2·JSD, and V(D, G) ≤ that for any other D", () => {
    const generatorDensity = normalDensity(3, 0.8);
    const jsd = jensenShannon(dataDensity, generatorDensity);
    // D* itself, as logits log p_data − log p_g.
    const optimal = optimalLogits(dataDensity, generatorDensity);
    expect(valueOnGrid(optimal, dataDensity, generatorDensity, spacing)).toBeCloseTo(
      criterionFromJensenShannon(jsd),
      6,
    );
    for (const constant of [0.2, 0.5, 0.9]) {
      const other = grid.points.map(() => logit(constant));
      expect(valueOnGrid(other, dataDensity, generatorDensity, spacing)).toBeLessThan(criterionFromJensenShannon(jsd));
    }
    // At the equilibrium p_g = p_data: D* = ½, V = −log 4, and E|D − ½| = 0.
    const half = grid.points.map(() => 0.5);
    expect(
      optimalDiscriminator(fromDensity(dataDensity), fromDensity(dataDensity))
        .filter((d) => !Number.isNaN(d))
        .every((d) => d === 0.5),
    ).toBe(true);
    expect(valueOnGrid(half.map(logit), dataDensity, dataDensity, spacing)).toBeCloseTo(-Math.log(4), 6);
    expect(
      expectationOnGrid(
        dataDensity,
        half.map((d) => Math.abs(d - 0.5)),
        grid,
      ),
    ).toBe(0);
  });
});

describe("2-D mode metrics (PacGAN's protocol, through the lab's path)", () => {
  const ring = TOY_DISTRIBUTIONS["ring-2d"];

  it("scores samples of the data as perfect and a collapsed generator as one mode", () => {
    const real = ring.sample(2500, Rng.derive(2, "test"));
    const perfect = sampleMetrics(ring, real);
    expect(perfect.modesCovered).toBe(8);
    expect(perfect.highQualityFraction).toBeGreaterThan(0.98);
    expect(perfect.reverseKl).toBeLessThan(0.01);
    const collapsed = new Float32Array(2500 * 2).map((_, index) => (index % 2 === 0 ? 1 : 0)); // every sample at (1, 0)
    const one = sampleMetrics(ring, collapsed);
    expect({
      modesCovered: one.modesCovered,
      highQualityFraction: one.highQualityFraction,
      reverseKl: one.reverseKl,
    }).toEqual({
      modesCovered: 1,
      highQualityFraction: 1,
      reverseKl: expect.closeTo(Math.log(8), 6),
    });
  });

  it("estimates a small JSD for the data itself and a large one for a collapsed generator", () => {
    const grid25 = TOY_DISTRIBUTIONS["grid-2d"];
    const fake = grid25.sample(2500, Rng.derive(3, "fake"));
    expect(sampleMetrics(grid25, fake).jensenShannon).toBeLessThan(0.1);
    expect(sampleMetrics(grid25, new Float32Array(5000)).jensenShannon).toBeGreaterThan(0.55);
  });
});

describe("the lab's probes and tsgan eval agree", () => {
  /** An untrained GAN for `dataset` with its preset (what the lab builds before the first step). */
  const ganFor = (dataset: string) =>
    createGan(resolveConfig(mergeConfig(presetFor(dataset) as Record<string, unknown>, { dataset, seed: 7 })), [
      toyDistribution(dataset).dimension,
    ]);
  const TICK = 3;

  it("1-D: the probe's JSD and C(G) are the divergence metric's on the same samples", async () => {
    const distribution = toyDistribution("mixture-1d");
    const gan = ganFor("mixture-1d");
    try {
      const probe = new OneDProber(distribution, gan.config.prior).probe(gan, TICK, true);
      const metric = await divergence({ distribution, generated: metricSamples(gan, TICK) });
      expect(probe.jensenShannon).toBe(metric.jensenShannon);
      expect(probe.theoreticalValue).toBe(metric.theoreticalValue);
      expect(probe.jensenShannon).toBeGreaterThan(0); // an untrained G is far from p_data
    } finally {
      disposeGan(gan);
    }
  });

  it("2-D: the probe's modes, high-quality fraction, reverse KL and JSD are the metrics' on the same samples", async () => {
    const distribution = toyDistribution("ring-2d");
    const gan = ganFor("ring-2d");
    try {
      const metrics = new TwoDProber(distribution, gan).probe(gan, TICK, true).metrics!;
      const samples = metricSamples(gan, TICK);
      const modes = modeCoverage(samples, distribution);
      const metric = await divergence({ distribution, generated: samples });
      expect(metrics.modesCovered).toBe(modes.modesCovered);
      expect(metrics.modeCount).toBe(modes.modeCount);
      expect(metrics.highQualityFraction).toBe(modes.highQualityFraction);
      expect(metrics.reverseKl).toEqual(modes.reverseKl); // NaN when no sample is high quality, as in eval
      expect(metrics.jensenShannon).toBe(metric.jensenShannon);
      expect(metrics.jensenShannon).toBeGreaterThan(0);
    } finally {
      disposeGan(gan);
    }
  });
});

describe("priors", () => {
  it("shows exactly the uniform prior's range, and ±3 for the normal prior", () => {
    expect(priorDisplayRange("uniform")).toEqual([...UNIFORM_PRIOR_RANGE]);
    expect(priorDisplayRange("normal")).toEqual([-3, 3]);
  });

  it("has accurate normal quantiles and evenly spread prior grids", () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    const uniform = priorQuantiles("uniform", 4);
    expect(Array.from(uniform)).toEqual([-0.75, -0.25, 0.25, 0.75]);
  });
});

describe("the drawn distribution", () => {
  it("round-trips through the URL and builds a mixture with one mode per point", () => {
    const points = [0.5, -1.25, 1.99, 0];
    expect(decodeDrawnPoints(encodeDrawnPoints(points))).toEqual(points);
    expect(decodeDrawnPoints("1,1;bad;9,9;-0.5,0.5")).toEqual([1, 1, -0.5, 0.5]); // junk and out-of-area dropped
    const distribution = drawnDistribution(points);
    expect(distribution.modeCount).toBe(2);
    expect(distribution.density([0.5, -1.25])).toBeGreaterThan(distribution.density([0, 0]));
  });
});

describe("state in the URL", () => {
  it("writes only what differs from the page's defaults and reads it back", () => {
    const state = defaultState("one-d");
    expect(hashFromState(state, "one-d")).toBe("");
    state.loss = "minimax";
    state.discriminatorSteps = 3;
    const hash = hashFromState(state, "one-d");
    expect(hash).toBe("#loss=minimax&discriminatorSteps=3");
    expect(stateFromHash(hash, "one-d")).toEqual(state);
  });

  it("falls back to defaults for unreadable or out-of-place values", () => {
    const state = stateFromHash(
      "#loss=wasserstein&discriminatorSteps=-2&dataset=ring-2d&batchSize=12.5&seed=7",
      "one-d",
    );
    expect(state.loss).toBe("non-saturating");
    expect(state.discriminatorSteps).toBe(1);
    expect(state.dataset).toBe("gaussian-1d"); // the ring is a 2-D page's dataset
    expect(state.batchSize).toBe(128);
    expect(state.seed).toBe(7);
    expect(parseLayers("64,32")).toEqual([64, 32]);
  });

  it("carries the techniques (R1, label smoothing, spectral norm, EMA) from the URL into the config", () => {
    const state = stateFromHash("#r1Gamma=2.5&labelSmoothing=0.1&spectralNorm=both&generatorEma=0.99", "two-d");
    const config = resolveConfig({ dataset: "ring-2d", arch: "mlp", ...toyTrainingConfig(state) });
    expect([config.r1Gamma, config.labelSmoothing, config.spectralNorm, config.generatorEma]).toEqual([
      2.5,
      0.1,
      "both",
      0.99,
    ]);
    // Out of range: EMA must stay below 1, smoothing at most ½; an unknown normalisation is not one.
    const refused = stateFromHash("#generatorEma=1&labelSmoothing=0.7&spectralNorm=generator", "two-d");
    expect([refused.generatorEma, refused.labelSmoothing, refused.spectralNorm]).toEqual([0, 0, "none"]);
  });
});

describe("the lab's pictures follow the EMA generator, as tsgan sample does", () => {
  it("the probe's mapping z → x and the metrics' samples are the EMA generator's, not G's, when the GAN keeps one", () => {
    const dataset = "gaussian-1d";
    const config = resolveConfig(
      mergeConfig(presetFor(dataset) as Record<string, unknown>, { dataset, seed: 7, generatorEma: 0.9 }),
    );
    const gan = createGan(config, [1]);
    try {
      // Move G away from its EMA copy: the two then draw different points from the same noise.
      tf.tidy(() => gan.generator.parameters.forEach((parameter) => parameter.assign(tf.add(parameter, 0.5))));
      const withoutEma = { ...gan, generatorEma: null };
      const emaAsGenerator = { ...withoutEma, generator: gan.generatorEma! };
      expect(Array.from(metricSamples(gan, 1))).toEqual(Array.from(metricSamples(emaAsGenerator, 1)));
      expect(Array.from(metricSamples(gan, 1))).not.toEqual(Array.from(metricSamples(withoutEma, 1)));
      const prober = new OneDProber(toyDistribution(dataset), gan.config.prior);
      const points = (view: typeof gan) => Array.from(prober.probe(view, 1).mappingX);
      expect(points(gan)).toEqual(points(emaAsGenerator));
      expect(points(gan)).not.toEqual(points(withoutEma));
    } finally {
      disposeGan(gan);
    }
  });
});
