import { describe, expect, it } from "vitest";

import {
  MAX_LINE_POINTS,
  SERIES_NAMES,
  evenlySpacedIndices,
  histogram1dSvg,
  histogramDensity,
  lineChartSvg,
  lossCurvesSvg,
  scatter2dSvg,
} from "../../../src/node/visual/plots.js";
import { groupsWithClass, parseSvg, textsOf, type SvgElement } from "./svgTree.js";

/** Drawn marks (paths) inside each data-mark group of a kind, e.g. "line" or "symbol". */
function markCounts(svg: SvgElement, kind: string): number[] {
  return groupsWithClass(svg, `mark-${kind} role-mark`).map((group) => group.children.length);
}

/** The number of "M"/"L" points in every line path (vega draws a line as one path). */
function linePointCounts(svg: SvgElement): number[] {
  return groupsWithClass(svg, "mark-line role-mark").flatMap((group) =>
    group.children.map((path) => (path.attributes.d ?? "").match(/[ML]/g)?.length ?? 0),
  );
}

/** Deterministic pseudo-random values in [0, 1). */
function uniform(count: number, seed: number): Float32Array {
  let state = seed;
  return new Float32Array(count).map(() => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  });
}

describe("lossCurvesSvg", () => {
  it("draws Discriminator and Adversarial curves, and D(x), D(G(z)) when scores are logged", async () => {
    const records = Array.from({ length: 50 }, (_, step) => ({
      step,
      discriminatorLoss: 1.3 + 0.01 * step,
      generatorLoss: 0.7 - 0.001 * step,
      realScore: 0.6,
      fakeScore: 0.4,
    }));
    const svg = parseSvg(await lossCurvesSvg(records));
    const texts = textsOf(svg);
    for (const name of ["Discriminator", "Adversarial", "D(x)", "D(G(z))", "step"]) expect(texts).toContain(name);
    expect(linePointCounts(svg)).toEqual([50, 50, 50, 50]);
    expect(groupsWithClass(svg, "mark-rule role-mark")).toHaveLength(1); // the D = 1/2 reference line
  });

  it("draws a critic's outputs on a free axis, without the D = 1/2 line (hinge, wasserstein-gp)", async () => {
    const records = Array.from({ length: 20 }, (_, step) => ({
      step,
      discriminatorLoss: -step,
      generatorLoss: step,
      realScore: 3 + step,
      fakeScore: -2 - step,
    }));
    const texts = textsOf(parseSvg(await lossCurvesSvg(records, "critic")));
    expect(texts).toContain("Critic outputs (mean value)");
    expect(texts).not.toContain("probability");
    const svg = parseSvg(await lossCurvesSvg(records, "critic"));
    expect(groupsWithClass(svg, "mark-rule role-mark")).toHaveLength(0);
  });

  it("has one panel without scores, and subsamples long runs keeping the last step", async () => {
    const steps = 10_000;
    const records = Array.from({ length: steps }, (_, step) => ({
      step,
      discriminatorLoss: 1,
      generatorLoss: 2,
    }));
    const source = await lossCurvesSvg(records);
    const svg = parseSvg(source);
    expect(textsOf(svg)).not.toContain(SERIES_NAMES.realScore);
    expect(linePointCounts(svg)).toEqual([MAX_LINE_POINTS, MAX_LINE_POINTS]);
    expect(textsOf(svg)).toContain("10,000"); // the x axis reaches the last step
  });

  it("leaves gaps for non-finite losses instead of failing", async () => {
    const records = [0, 1, 2, 3].map((step) => ({
      step,
      discriminatorLoss: step === 2 ? Number.NaN : 1,
      generatorLoss: step === 1 ? Number.POSITIVE_INFINITY : 1,
    }));
    expect(parseSvg(await lossCurvesSvg(records)).name).toBe("svg");
  });
});

describe("histogram1dSvg", () => {
  it("draws real and generated density bars with p_data and D(x) curves and two legends", async () => {
    const bins = 20;
    const x = Array.from({ length: 101 }, (_, index) => -2 + index * 0.04);
    const svg = parseSvg(
      await histogram1dSvg({
        real: uniform(1000, 1),
        generated: uniform(1000, 2).map((value) => value - 1),
        bounds: [-2, 2],
        bins,
        density: { x, y: x.map((value) => (value >= 0 && value < 1 ? 1 : 0)) },
        discriminator: { x, y: x.map(() => 0.5) },
        title: "mixture-1d",
      }),
    );
    const texts = textsOf(svg);
    for (const name of ["real", "generated", "p_data", "D(x)", "density", "mixture-1d"]) expect(texts).toContain(name);
    expect(markCounts(svg, "rect")).toEqual([2 * bins]);
    expect(linePointCounts(svg)).toEqual([101, 101]);
    const legends = groupsWithClass(svg, "mark-group role-legend").filter(
      (group) => group.attributes["aria-roledescription"] === "legend",
    );
    expect(legends).toHaveLength(2);
  });

  it("draws bars alone when no curves are given", async () => {
    const svg = parseSvg(
      await histogram1dSvg({
        real: uniform(10, 3),
        generated: uniform(10, 4),
        bounds: [0, 1],
      }),
    );
    expect(markCounts(svg, "rect")).toEqual([120]);
    expect(groupsWithClass(svg, "mark-line role-mark")).toHaveLength(0);
  });
});

describe("histogramDensity", () => {
  it("integrates to the fraction of samples inside the bounds", () => {
    const values = new Float32Array([0.1, 0.2, 0.3, 0.9, 1.0, 5, Number.NaN, -1]);
    const bins = histogramDensity(values, [0, 1], 4);
    const mass = bins.reduce((sum, bin) => sum + bin.density * (bin.end - bin.start), 0);
    expect(mass).toBeCloseTo(5 / 8, 10);
    expect(bins.map((bin) => bin.density)).toEqual([2, 1, 0, 2].map((count) => count / (8 * 0.25)));
  });
});

describe("scatter2dSvg", () => {
  it("draws every real and generated point with a two-entry legend", async () => {
    const real = uniform(2 * 300, 5);
    const generated = uniform(2 * 200, 6);
    const svg = parseSvg(
      await scatter2dSvg({
        real,
        generated,
        bounds: { low: [0, 0], high: [1, 1] },
        title: "ring-2d",
      }),
    );
    expect(markCounts(svg, "symbol")).toEqual([500]);
    const texts = textsOf(svg);
    for (const name of ["real", "generated", "ring-2d"]) expect(texts).toContain(name);
    const fills = new Set(
      groupsWithClass(svg, "mark-symbol role-mark")[0]!.children.map((point) => point.attributes.fill),
    );
    expect(fills.size).toBe(2);
  });

  it("rejects a point array of odd length", async () => {
    await expect(
      scatter2dSvg({
        real: new Float32Array(3),
        generated: new Float32Array(2),
        bounds: { low: [0, 0], high: [1, 1] },
      }),
    ).rejects.toThrow(/odd length 3/);
  });
});

describe("lineChartSvg", () => {
  it("draws any named series, with an optional log axis", async () => {
    const x = [1, 2, 3, 4];
    const svg = parseSvg(
      await lineChartSvg({
        title: "Parzen log-likelihood",
        yTitle: "nats",
        logY: true,
        series: [
          { name: "train", x, y: [1, 10, 100, 1000] },
          { name: "test", x, y: [2, 20, 0, 2000], dashed: true },
        ],
      }),
    );
    const texts = textsOf(svg);
    for (const name of ["train", "test", "nats", "Parzen log-likelihood"]) expect(texts).toContain(name);
    expect(groupsWithClass(svg, "mark-line role-mark")).toHaveLength(2);
  });

  it("rejects series whose x and y lengths differ", async () => {
    await expect(lineChartSvg({ series: [{ name: "a", x: [1, 2], y: [1] }] })).rejects.toThrow(/2 x values but 1 y/);
  });
});

describe("evenlySpacedIndices", () => {
  it("keeps all indices when short and the first and last when long", () => {
    expect(evenlySpacedIndices(3, 5)).toEqual([0, 1, 2]);
    const picked = evenlySpacedIndices(10_001, 100);
    expect(picked).toHaveLength(100);
    expect([picked[0], picked[99]]).toEqual([0, 10_000]);
  });
});
