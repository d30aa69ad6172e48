/**
 * Generic chart building blocks shared by every tsgan plot: headless vega-lite → SVG rendering, the colour and name
 * conventions, subsampling, and a multi-series line chart. Specific plots live beside it, built on
 * {@link lineChartSpec} and {@link renderVegaLiteSvg}: loss curves, toy histograms and scatters in plots.ts,
 * training-time evaluation curves in curves.ts.
 *
 * Rendering uses `renderer: "none"`, so no canvas package is needed; text widths are estimated, which is fine for
 * axis and legend layout. Colours follow Figure 1 of Goodfellow et al. (2014): data black, generator green,
 * discriminator blue (dashed).
 */
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** Series colours shared by every plot, so "generated" is the same green everywhere. */
export const SERIES_COLORS = {
  /** p_data and real samples: black, as the paper's dotted data curve. */
  real: "#222222",
  /** p_g and generated samples: green, as the paper's generative distribution. */
  generated: "#2ca02c",
  /** D(x): blue, as the paper's dashed discriminator curve. */
  discriminator: "#1f77b4",
  /** The generator's (adversarial) loss. */
  adversarial: "#ff7f0e",
} as const;

/** Series names used in legends; tests and other plots look for these exact strings. */
export const SERIES_NAMES = {
  discriminatorLoss: "Discriminator",
  generatorLoss: "Adversarial",
  realScore: "D(x)",
  fakeScore: "D(G(z))",
  real: "real",
  generated: "generated",
  density: "p_data",
  discriminator: "D(x)",
} as const;

/**
 * Colours of series without their own, in order: the discriminator's blue, the adversarial orange, the generated
 * green, then red and six more distinguishable hues for charts with many series (a sweep's settings); they repeat
 * after ten.
 */
export const LINE_PALETTE: readonly string[] = [
  SERIES_COLORS.discriminator,
  SERIES_COLORS.adversarial,
  SERIES_COLORS.generated,
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** Most points drawn per line series: more than an SVG a few hundred pixels wide can show. */
export const MAX_LINE_POINTS = 2000;
/** Default chart panel size in pixels. */
export const PANEL_WIDTH = 520;
export const PANEL_HEIGHT = 220;
/** Dash pattern for dashed lines (reference curves, D). */
export const DASH: number[] = [6, 4];
export const SOLID: number[] = [1, 0];
/** Visual defaults for every chart. */
export const CHART_CONFIG = {
  font: "Helvetica, Arial, sans-serif",
  background: "white",
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: "right" as const },
  title: { fontSize: 14, anchor: "start" as const },
};

/** One line of a line chart. */
export interface LineSeries {
  /** Legend label, unless `group` is given; names a line, so unique within a chart. */
  name: string;
  /**
   * Several lines that share one legend entry and one colour (a sweep setting's seeds): the first series of a group
   * sets its colour and dash. Default: the series is its own group.
   */
  group?: string;
  /** x values (for example steps). */
  x: ArrayLike<number>;
  /** y values, same length as `x`; non-finite values leave a gap. */
  y: ArrayLike<number>;
  /** CSS colour; default: {@link LINE_PALETTE} in group order. */
  color?: string;
  /** Draw dashed; default solid. */
  dashed?: boolean;
}

/** A line chart: several named series against a shared x axis. */
export interface LineChartInput {
  series: LineSeries[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Fixed x domain; default fitted to the data. */
  xDomain?: [number, number];
  /** Fixed y domain; default fitted to the data. */
  yDomain?: [number, number];
  /** Logarithmic y axis (values ≤ 0 are dropped). */
  logY?: boolean;
  /** Horizontal grey dashed reference lines at these y values (for example D = 1/2). */
  referenceLines?: number[];
  width?: number;
  height?: number;
  /** Subsample each series to at most this many points (evenly spaced, first and last kept); default 2000. */
  maxPointsPerSeries?: number;
  /** Draw the legend; default true. Off for a panel of one line, whose title already names it. */
  legend?: boolean;
}

/** Render a vega-lite spec to an SVG string, headless. */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Indices of at most `maximum` evenly spaced elements of an array of `length`, always including the first and last
 * (so a loss curve keeps its end points). All indices when `length <= maximum`.
 */
export function evenlySpacedIndices(length: number, maximum: number): number[] {
  if (length <= maximum) return Array.from({ length }, (_, index) => index);
  if (maximum <= 1) return length > 0 ? [length - 1] : [];
  const indices: number[] = [];
  for (let index = 0; index < maximum; index++) {
    indices.push(Math.round((index * (length - 1)) / (maximum - 1)));
  }
  return indices;
}

/** A finite number stays; anything else becomes null, which vega-lite treats as a gap rather than a broken scale. */
export function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Colour and dash encodings that map series names to fixed colours and dashes, with one merged legend (or none). */
function seriesEncoding(names: string[], colors: string[], dashes: number[][], showLegend: boolean) {
  const legend = showLegend ? { title: null } : null;
  return {
    color: {
      field: "series",
      type: "nominal" as const,
      scale: { domain: names, range: colors },
      legend,
      sort: names,
    },
    strokeDash: {
      field: "series",
      type: "nominal" as const,
      scale: { domain: names, range: dashes },
      legend,
      sort: names,
    },
  };
}

/** The vega-lite spec behind {@link lineChartSvg}, for composing into larger charts. */
export function lineChartSpec(input: LineChartInput) {
  const maximum = input.maxPointsPerSeries ?? MAX_LINE_POINTS;
  // Grouped lines are told apart by their own name (`line`, vega-lite's detail channel); colour and legend follow
  // the group (`series`). Ungrouped charts leave `line` out, so their spec is what it was before groups existed.
  const grouped = input.series.some((series) => series.group !== undefined);
  const values: Array<{ series: string; line?: string; x: number | null; y: number | null }> = [];
  for (const series of input.series) {
    if (series.x.length !== series.y.length) {
      throw new Error(`line chart: series "${series.name}" has ${series.x.length} x values but ${series.y.length} y`);
    }
    for (const index of evenlySpacedIndices(series.x.length, maximum)) {
      const y = finiteOrNull(series.y[index]);
      values.push({
        series: series.group ?? series.name,
        ...(grouped ? { line: series.name } : {}),
        x: finiteOrNull(series.x[index]),
        y: input.logY && y !== null && y <= 0 ? null : y,
      });
    }
  }
  const leaders = input.series.filter(
    (series, index) =>
      input.series.findIndex((other) => (other.group ?? other.name) === (series.group ?? series.name)) === index,
  );
  const names = leaders.map((series) => series.group ?? series.name);
  const colors = leaders.map((series, index) => series.color ?? LINE_PALETTE[index % LINE_PALETTE.length]!);
  const dashes = leaders.map((series) => (series.dashed ? DASH : SOLID));
  const lineLayer = {
    data: { values },
    mark: { type: "line" as const, strokeWidth: 1.5, clip: true },
    encoding: {
      x: {
        field: "x",
        type: "quantitative" as const,
        title: input.xTitle ?? "step",
        scale: input.xDomain ? { domain: input.xDomain, nice: false } : { zero: false },
      },
      y: {
        field: "y",
        type: "quantitative" as const,
        title: input.yTitle ?? "",
        scale: {
          ...(input.yDomain ? { domain: input.yDomain } : {}),
          // Losses rarely start at 0: fit the data, not the origin (a log scale has no zero to include).
          ...(input.logY ? { type: "log" as const } : input.yDomain ? {} : { zero: false }),
        },
      },
      ...seriesEncoding(names, colors, dashes, input.legend ?? true),
      ...(grouped ? { detail: { field: "line", type: "nominal" as const } } : {}),
    },
  };
  const ruleLayers = (input.referenceLines ?? []).map((level) => ({
    mark: {
      type: "rule" as const,
      color: "#999999",
      strokeDash: [3, 3],
      strokeWidth: 1,
    },
    encoding: { y: { datum: level, type: "quantitative" as const } },
  }));
  return {
    ...(input.title ? { title: input.title } : {}),
    width: input.width ?? PANEL_WIDTH,
    height: input.height ?? PANEL_HEIGHT,
    layer: [lineLayer, ...ruleLayers],
  };
}

/** A line chart of named series as an SVG string (generic helper shared by the loss curves and later plots). */
export async function lineChartSvg(input: LineChartInput): Promise<string> {
  return renderVegaLiteSvg({
    config: CHART_CONFIG,
    ...lineChartSpec(input),
  } as TopLevelSpec);
}
