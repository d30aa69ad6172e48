/**
 * The plots of the run directory and `tsgan sample`, as standalone SVG strings: loss curves (plots/losses.svg) and,
 * for toy data, real-vs-generated histograms (1-D) and scatters (2-D). Built on the generic blocks in charts.ts.
 */
import type { TopLevelSpec } from "vega-lite";
import type { ScoreMeaning } from "../../core/losses/types.js";

import {
  CHART_CONFIG,
  DASH,
  MAX_LINE_POINTS,
  PANEL_HEIGHT,
  PANEL_WIDTH,
  SERIES_COLORS,
  SERIES_NAMES,
  evenlySpacedIndices,
  finiteOrNull,
  lineChartSpec,
  renderVegaLiteSvg,
} from "./charts.js";

export {
  MAX_LINE_POINTS,
  SERIES_COLORS,
  SERIES_NAMES,
  evenlySpacedIndices,
  lineChartSpec,
  lineChartSvg,
  renderVegaLiteSvg,
  type LineChartInput,
  type LineSeries,
} from "./charts.js";

/** Most points drawn per scatter series: keeps the SVG under ~1 MB while a ring or grid stays dense. */
export const MAX_SCATTER_POINTS = 5000;
/** Default histogram bins across `bounds`. */
const DEFAULT_HISTOGRAM_BINS = 60;
/** Default scatter side length in pixels (the longer side). */
const SCATTER_SIDE = 420;
/** Opacity of overlapping histogram bars and scatter points, so both series stay visible where they overlap. */
const OVERLAP_OPACITY = 0.45;
/** Area of each scatter point, in square pixels. */
const SCATTER_POINT_SIZE = 12;

/** One logged step, as in metrics.jsonl. Scores are D's mean outputs on real and generated batches (ScoreMeaning). */
export interface LossRecord {
  step: number;
  discriminatorLoss: number;
  generatorLoss: number;
  realScore?: number;
  fakeScore?: number;
}

/**
 * Loss curves as in seed 001: the "Discriminator" and "Adversarial" (generator) losses against step; below them,
 * when any record has scores, D(x) and D(G(z)): for a probability-valued D (the cross-entropy and least-squares
 * losses) on [0, 1] with a reference line at the equilibrium D = 1/2; for a critic (hinge, wasserstein-gp) as raw
 * mean outputs on a free axis, which have no equilibrium value. Runs with more than ~2000 records are subsampled
 * evenly (first and last step kept).
 */
export async function lossCurvesSvg(
  records: LossRecord[],
  scoreMeaning: ScoreMeaning = "probability",
): Promise<string> {
  const indices = evenlySpacedIndices(records.length, MAX_LINE_POINTS);
  const kept = indices.map((index) => records[index]!);
  const steps = kept.map((record) => record.step);
  const lossPanel = lineChartSpec({
    title: "Losses",
    yTitle: "loss",
    series: [
      {
        name: SERIES_NAMES.discriminatorLoss,
        x: steps,
        y: kept.map((record) => record.discriminatorLoss),
        color: SERIES_COLORS.discriminator,
      },
      {
        name: SERIES_NAMES.generatorLoss,
        x: steps,
        y: kept.map((record) => record.generatorLoss),
        color: SERIES_COLORS.adversarial,
      },
    ],
  });
  const hasScores = kept.some((record) => record.realScore !== undefined || record.fakeScore !== undefined);
  const panels: object[] = [lossPanel];
  if (hasScores) {
    panels.push(
      lineChartSpec({
        ...(scoreMeaning === "probability"
          ? {
              title: "Discriminator outputs (mean probability)",
              yTitle: "probability",
              yDomain: [0, 1],
              referenceLines: [0.5],
            }
          : { title: "Critic outputs (mean value)", yTitle: "critic value" }),
        series: [
          {
            name: SERIES_NAMES.realScore,
            x: steps,
            y: kept.map((record) => record.realScore ?? Number.NaN),
            color: SERIES_COLORS.real,
          },
          {
            name: SERIES_NAMES.fakeScore,
            x: steps,
            y: kept.map((record) => record.fakeScore ?? Number.NaN),
            color: SERIES_COLORS.generated,
          },
        ],
      }),
    );
  }
  return renderVegaLiteSvg({
    config: CHART_CONFIG,
    vconcat: panels,
    resolve: {
      scale: { color: "independent", strokeDash: "independent" },
      legend: { color: "independent" },
    },
  } as TopLevelSpec);
}

/** Histogram of `values` over `bounds` as a density: count / (total · bin width). Values outside are not drawn. */
export function histogramDensity(
  values: ArrayLike<number>,
  bounds: [number, number],
  binCount: number,
): Array<{ start: number; end: number; density: number }> {
  const [low, high] = bounds;
  if (!(low < high) || !Number.isInteger(binCount) || binCount < 1) {
    throw new Error(`histogram: need low < high and a positive integer bin count, got [${low}, ${high}], ${binCount}`);
  }
  const binWidth = (high - low) / binCount;
  const counts = new Array<number>(binCount).fill(0);
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!(value >= low && value <= high)) continue; // outside, or NaN
    const bin = Math.min(binCount - 1, Math.floor((value - low) / binWidth));
    counts[bin]! += 1;
  }
  const total = Math.max(1, values.length);
  return counts.map((count, bin) => ({
    start: low + bin * binWidth,
    end: low + (bin + 1) * binWidth,
    density: count / (total * binWidth),
  }));
}

/** Input of {@link histogram1dSvg}. */
export interface Histogram1dInput {
  /** Samples from the data distribution. */
  real: Float32Array;
  /** Samples from the generator. */
  generated: Float32Array;
  /** The exact p_data on a grid, drawn as a dashed black curve. */
  density?: { x: number[]; y: number[] };
  /** D(x) on a grid, drawn as a dashed blue curve against a right-hand [0, 1] axis. */
  discriminator?: { x: number[]; y: number[] };
  /** x range of the plot and of the histogram bins. */
  bounds: [number, number];
  title?: string;
  /** Histogram bins across `bounds`; default 60. */
  bins?: number;
}

/**
 * Real vs generated 1-D samples as overlapping density histograms, with the exact p_data and D(x) when given —
 * the picture of Figure 1 in Goodfellow et al. (2014).
 */
export async function histogram1dSvg(input: Histogram1dInput): Promise<string> {
  const binCount = input.bins ?? DEFAULT_HISTOGRAM_BINS;
  const bars = [
    ...histogramDensity(input.real, input.bounds, binCount).map((bin) => ({
      sample: SERIES_NAMES.real,
      ...bin,
    })),
    ...histogramDensity(input.generated, input.bounds, binCount).map((bin) => ({
      sample: SERIES_NAMES.generated,
      ...bin,
    })),
  ];
  // Two legends: filled squares for the sample histograms, dashed strokes for the exact curves.
  const curveNames: string[] = [];
  const curveColors: string[] = [];
  if (input.density) {
    curveNames.push(SERIES_NAMES.density);
    curveColors.push(SERIES_COLORS.real);
  }
  if (input.discriminator) {
    curveNames.push(SERIES_NAMES.discriminator);
    curveColors.push(SERIES_COLORS.discriminator);
  }
  const curveStroke = {
    field: "curve",
    type: "nominal" as const,
    scale: { domain: curveNames, range: curveColors },
    legend: {
      title: null,
      symbolType: "stroke",
      symbolStrokeDash: DASH,
      symbolStrokeWidth: 2,
    },
  };
  const xEncoding = {
    field: "start",
    type: "quantitative" as const,
    title: "x",
    scale: { domain: input.bounds, nice: false },
  };
  const densityLayers: object[] = [
    {
      data: { values: bars },
      mark: {
        type: "bar" as const,
        opacity: OVERLAP_OPACITY,
        clip: true,
        aria: false, // no per-bar aria-label: halves the SVG and screen readers gain nothing from 120 bars
      },
      encoding: {
        x: xEncoding,
        x2: { field: "end" },
        y: {
          field: "density",
          type: "quantitative" as const,
          title: "density",
          stack: null,
        },
        y2: { datum: 0 },
        fill: {
          field: "sample",
          type: "nominal" as const,
          scale: {
            domain: [SERIES_NAMES.real, SERIES_NAMES.generated],
            range: [SERIES_COLORS.real, SERIES_COLORS.generated],
          },
          legend: { title: null, symbolOpacity: OVERLAP_OPACITY },
        },
      },
    },
  ];
  if (input.density) {
    densityLayers.push(curveLayer(SERIES_NAMES.density, input.density, "density", curveStroke));
  }
  const layers: object[] = [{ layer: densityLayers }];
  if (input.discriminator) {
    const discriminatorLayer = curveLayer(SERIES_NAMES.discriminator, input.discriminator, "D(x)", curveStroke) as {
      encoding: { y: object };
    };
    discriminatorLayer.encoding.y = {
      ...discriminatorLayer.encoding.y,
      scale: { domain: [0, 1] },
      axis: { orient: "right", titleColor: SERIES_COLORS.discriminator },
    };
    layers.push(discriminatorLayer);
  }
  return renderVegaLiteSvg({
    config: CHART_CONFIG,
    title: input.title ?? "Real vs generated",
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    layer: layers,
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec);
}

/** A dashed curve layer for one named series; `stroke` is the shared curve colour encoding (one legend). */
function curveLayer(name: string, curve: { x: number[]; y: number[] }, yTitle: string, stroke: object): object {
  if (curve.x.length !== curve.y.length) {
    throw new Error(`histogram: curve "${name}" has ${curve.x.length} x values but ${curve.y.length} y`);
  }
  const values = curve.x.map((x, index) => ({
    curve: name,
    start: x,
    value: finiteOrNull(curve.y[index]),
  }));
  return {
    data: { values },
    mark: {
      type: "line" as const,
      strokeWidth: 2,
      strokeDash: DASH,
      clip: true,
    },
    encoding: {
      x: { field: "start", type: "quantitative" as const },
      y: { field: "value", type: "quantitative" as const, title: yTitle },
      stroke,
    },
  };
}

/** Input of {@link scatter2dSvg}: point sets `[n, 2]` flattened (x0, y0, x1, y1, ...). */
export interface Scatter2dInput {
  real: Float32Array;
  generated: Float32Array;
  /** Plot window; points outside are clipped. */
  bounds: { low: [number, number]; high: [number, number] };
  title?: string;
}

/**
 * Real vs generated 2-D samples (ring, grid toys) as a scatter in two colours with a legend; generated drawn on top.
 * Each series is subsampled to at most 5000 points. The plot keeps the bounds' aspect ratio.
 */
export async function scatter2dSvg(input: Scatter2dInput): Promise<string> {
  const values: Array<{ series: string; x: number | null; y: number | null }> = [];
  for (const [name, points] of [
    [SERIES_NAMES.real, input.real],
    [SERIES_NAMES.generated, input.generated],
  ] as const) {
    if (points.length % 2 !== 0) {
      throw new Error(`scatter: ${name} points must be [n, 2] flattened, got an odd length ${points.length}`);
    }
    for (const index of evenlySpacedIndices(points.length / 2, MAX_SCATTER_POINTS)) {
      values.push({
        series: name,
        x: finiteOrNull(points[2 * index]),
        y: finiteOrNull(points[2 * index + 1]),
      });
    }
  }
  const { low, high } = input.bounds;
  const spanX = high[0] - low[0];
  const spanY = high[1] - low[1];
  if (!(spanX > 0) || !(spanY > 0)) {
    throw new Error(`scatter: bounds need low < high on both axes, got low ${low} high ${high}`);
  }
  const scale = SCATTER_SIDE / Math.max(spanX, spanY);
  const names = [SERIES_NAMES.real, SERIES_NAMES.generated];
  return renderVegaLiteSvg({
    config: CHART_CONFIG,
    title: input.title ?? "Real vs generated",
    width: Math.round(spanX * scale),
    height: Math.round(spanY * scale),
    data: { values },
    mark: {
      type: "circle",
      aria: false, // no per-point aria-label: it would triple the SVG size
      size: SCATTER_POINT_SIZE,
      opacity: OVERLAP_OPACITY,
      clip: true,
    },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: "x₁",
        scale: { domain: [low[0], high[0]], nice: false },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: "x₂",
        scale: { domain: [low[1], high[1]], nice: false },
      },
      color: {
        field: "series",
        type: "nominal",
        scale: {
          domain: names,
          range: [SERIES_COLORS.real, SERIES_COLORS.generated],
        },
        legend: { title: null, symbolOpacity: 1 },
      },
    },
  } as TopLevelSpec);
}
