/**
 * The lab's pure helpers (no browser needed): the paper's quantities on a 1-D grid, PacGAN's mode metrics, the
 * priors' quantiles and display ranges, the drawn distribution's URL form, and the state ↔ URL mirror.
 */
import { describe, expect, it } from "vitest";
import { TOY_DISTRIBUTIONS } from "../../src/core/data/toys.js";
import { Rng } from "../../src/core/engine/random.js";
import { UNIFORM_PRIOR_RANGE } from "../../src/core/training/noise.js";
import {
  integrate,
  jensenShannon,
  kernelDensity,
  linearGrid,
  meanDeviationFromHalf,
  optimalDiscriminator,
  silvermanBandwidth,
  theoreticalValue,
  valueFunction,
} from "../../web/src/analysis/density1d.js";
import { jensenShannon2d, modeMetrics } from "../../web/src/analysis/modes2d.js";
import { normalQuantile, priorDisplayRange, priorQuantiles } from "../../web/src/analysis/normal.js";
import { decodeDrawnPoints, drawnDistribution, encodeDrawnPoints } from "../../web/src/data/labToys.js";
import { defaultState, hashFromState, parseLayers, stateFromHash } from "../../web/src/state.js";

const gaussian = TOY_DISTRIBUTIONS["gaussian-1d"];
const grid = linearGrid(-2, 8, 1001);
const spacing = grid[1]! - grid[0]!;
const dataDensity = grid.map((x) => gaussian.density([x]));

function normalDensity(mean: number, std: number) {
  return grid.map((x) => Math.exp(-0.5 * ((x - mean) / std) ** 2) / (std * Math.sqrt(2 * Math.PI)));
}

describe("1-D analysis", () => {
  it("estimates a density that integrates to 1 and matches N(4, 0.5²)", () => {
    const samples = gaussian.sample(20_000, Rng.derive(1, "test"));
    const estimate = kernelDensity(samples, grid, silvermanBandwidth(samples, spacing));
    expect(integrate(estimate, spacing)).toBeCloseTo(1, 3);
    expect(jensenShannon(dataDensity, estimate, spacing)).toBeLessThan(0.002);
  });

  it("gives JSD 0 for equal densities and log 2 for disjoint ones (mass off the grid included)", () => {
    expect(jensenShannon(dataDensity, dataDensity, spacing)).toBeCloseTo(0, 10);
    expect(jensenShannon(dataDensity, normalDensity(-1, 0.1), spacing)).toBeCloseTo(Math.LN2, 4);
    expect(jensenShannon(dataDensity, new Float64Array(grid.length), spacing)).toBeCloseTo(Math.LN2, 4); // all off-grid
  });

  it("satisfies Theorem 1: V(D*, G) = −log 4 + 2·JSD, and V(D, G) ≤ that for any other D", () => {
    const generatorDensity = normalDensity(3, 0.8);
    const jsd = jensenShannon(dataDensity, generatorDensity, spacing);
    // D* itself (optimalDiscriminator leaves it undefined for drawing where both densities vanish).
    const optimal = dataDensity.map((p, index) => p / (p + generatorDensity[index]!));
    expect(valueFunction(dataDensity, generatorDensity, optimal, spacing)).toBeCloseTo(theoreticalValue(jsd), 6);
    for (const constant of [0.2, 0.5, 0.9]) {
      const other = grid.map(() => constant);
      expect(valueFunction(dataDensity, generatorDensity, other, spacing)).toBeLessThan(theoreticalValue(jsd));
    }
    // At the equilibrium p_g = p_data: D* = ½, V = −log 4, and E|D − ½| = 0.
    const half = grid.map(() => 0.5);
    expect(
      optimalDiscriminator(dataDensity, dataDensity)
        .filter((d) => !Number.isNaN(d))
        .every((d) => d === 0.5),
    ).toBe(true);
    expect(valueFunction(dataDensity, dataDensity, half, spacing)).toBeCloseTo(-Math.log(4), 6);
    expect(meanDeviationFromHalf(dataDensity, half, spacing)).toBe(0);
  });
});

describe("2-D mode metrics (PacGAN's protocol)", () => {
  const ring = TOY_DISTRIBUTIONS["ring-2d"];

  it("scores samples of the data as perfect and a collapsed generator as one mode", () => {
    const real = ring.sample(2500, Rng.derive(2, "test"));
    const perfect = modeMetrics(ring, real);
    expect(perfect.modesCovered).toBe(8);
    expect(perfect.highQualityFraction).toBeGreaterThan(0.98);
    expect(perfect.reverseKl).toBeLessThan(0.01);
    const collapsed = new Float32Array(2500 * 2).map((_, index) => (index % 2 === 0 ? 1 : 0)); // every sample at (1, 0)
    const one = modeMetrics(ring, collapsed);
    expect(one).toEqual({ modesCovered: 1, highQualityFraction: 1, reverseKl: expect.closeTo(Math.log(8), 6) });
  });

  it("estimates a small JSD for the data itself and a large one for a collapsed generator", () => {
    const grid25 = TOY_DISTRIBUTIONS["grid-2d"];
    const real = grid25.sample(800, Rng.derive(3, "real"));
    const fake = grid25.sample(800, Rng.derive(3, "fake"));
    expect(jensenShannon2d(grid25, real, fake)).toBeLessThan(0.1);
    expect(jensenShannon2d(grid25, real, new Float32Array(1600))).toBeGreaterThan(0.55);
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
});
