/**
 * The pictures of `tsgan theory`, as standalone SVG strings, from the plain results of src/core/theory. Built on the
 * blocks in charts.ts; colours and dashes follow Figure 1 of Goodfellow et al. (2014): p_data dotted black, p_g solid
 * green, D dashed blue, and the map z → x drawn as lines from the z line (below) to the x line (above).
 */
import type { TopLevelSpec } from "vega-lite";

import { toyDistribution } from "../../core/data/toys.js";
import type { Figure1Result, Figure1Snapshot } from "../../core/theory/figure1Experiment.js";
import type { OptimalDiscriminatorResult } from "../../core/theory/optimalDiscriminatorExperiment.js";
import type { ValueFunctionResult } from "../../core/theory/valueFunctionExperiment.js";
import type { VanishingGradientResult } from "../../core/theory/vanishingGradientExperiment.js";
import { LOG_FOUR } from "../../core/numerics/divergences.js";
import { CHART_CONFIG, DASH, SERIES_COLORS, SOLID, finiteOrNull, lineChartSpec, renderVegaLiteSvg } from "./charts.js";

/** The paper's dotted data curve. */
const DOTTED = [2, 3];
/** Size of one Figure-1 panel (four side by side). */
const FIGURE_1_PANEL_WIDTH = 250;
const FIGURE_1_PANEL_HEIGHT = 180;
/** Height of the z → x mapping strip under each Figure-1 panel. */
const MAPPING_HEIGHT = 70;
/** The density axis ends at this multiple of p_data's peak; taller p_g spikes (an early, narrow G) are clipped. */
const DENSITY_AXIS_HEADROOM = 2;
/** Figure 1's x window: the union of where the data and every snapshot's samples are, plus this margin. */
const WINDOW_MARGIN = 0.25;
/** p_g below this fraction of p_data's peak does not widen Figure 1's x window. */
const WINDOW_DENSITY_FRACTION = 0.01;
/** Legends here name curves by their formulas, which are longer than vega's default 160-pixel label limit. */
const THEORY_CHART_CONFIG = { ...CHART_CONFIG, legend: { ...CHART_CONFIG.legend, labelLimit: 360 } };
/** Float64's machine epsilon: the unit of the value-function differences. */
const FLOAT64_EPSILON = Number.EPSILON;
/** Colour of the trained D when drawn beside D*. */
const TRAINED_COLOR = "#d62728";
/** Colour of the mapping lines. */
const MAPPING_COLOR = "#555555";

/** One curve of a density-and-discriminator panel. */
interface Curve {
  name: string;
  y: ArrayLike<number>;
  color: string;
  dash: number[];
}

/**
 * A panel with densities on the left axis and discriminator curves on a right-hand [0, 1] axis, one merged legend.
 */
function densityPanel(input: {
  x: ArrayLike<number>;
  densities: Curve[];
  discriminators: Curve[];
  xDomain: [number, number];
  densityMax: number;
  title: string;
  width: number;
  height: number;
}): object {
  const all = [...input.densities, ...input.discriminators];
  const names = all.map((curve) => curve.name);
  // One legend: colour and dash encode the same field with the same legend, so vega-lite merges them.
  const legend = { title: null, symbolStrokeWidth: 2 };
  const color = {
    field: "series",
    type: "nominal" as const,
    scale: { domain: names, range: all.map((curve) => curve.color) },
    legend,
  };
  const strokeDash = {
    field: "series",
    type: "nominal" as const,
    scale: { domain: names, range: all.map((curve) => curve.dash) },
    legend,
  };
  const x = { field: "x", type: "quantitative" as const, title: "x", scale: { domain: input.xDomain, nice: false } };
  const values = (curves: Curve[]) =>
    curves.flatMap((curve) =>
      Array.from(input.x, (xValue, index) => ({ series: curve.name, x: xValue, y: finiteOrNull(curve.y[index]) })),
    );
  const line = { type: "line" as const, strokeWidth: 2, clip: true };
  return {
    title: input.title,
    width: input.width,
    height: input.height,
    layer: [
      {
        data: { values: values(input.densities) },
        mark: line,
        encoding: {
          x,
          y: { field: "y", type: "quantitative", title: "density", scale: { domain: [0, input.densityMax] } },
          color,
          strokeDash,
        },
      },
      {
        data: { values: values(input.discriminators) },
        mark: line,
        encoding: {
          x,
          y: {
            field: "y",
            type: "quantitative",
            title: "D(x)",
            scale: { domain: [0, 1] },
            axis: { orient: "right", titleColor: SERIES_COLORS.discriminator },
          },
          color,
          strokeDash,
        },
      },
    ],
    resolve: { scale: { y: "independent" } },
  };
}

/** Figure 1: four panels (p_data, p_g, D over x) with the z → x mapping strip under each. */
export async function figure1Svg(result: Figure1Result): Promise<string> {
  const { snapshots } = result;
  const dataPeak = Math.max(...snapshots[0]!.dataDensity);
  let low = Infinity;
  let high = -Infinity;
  for (const snapshot of snapshots) {
    snapshot.x.forEach((x, index) => {
      const visible = Math.max(snapshot.dataDensity[index]!, snapshot.generatedDensity[index]!);
      if (visible >= WINDOW_DENSITY_FRACTION * dataPeak) {
        low = Math.min(low, x);
        high = Math.max(high, x);
      }
    });
  }
  const window: [number, number] = [low - WINDOW_MARGIN, high + WINDOW_MARGIN];
  const densityMax = DENSITY_AXIS_HEADROOM * dataPeak;
  const labels = ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)"];
  const columns = snapshots.map((snapshot, index) => ({
    vconcat: [
      densityPanel({
        x: snapshot.x,
        densities: [
          { name: "p_data", y: snapshot.dataDensity, color: SERIES_COLORS.real, dash: DOTTED },
          { name: "p_g", y: snapshot.generatedDensity, color: SERIES_COLORS.generated, dash: SOLID },
        ],
        discriminators: [{ name: "D", y: snapshot.discriminator, color: SERIES_COLORS.discriminator, dash: DASH }],
        xDomain: window,
        densityMax,
        title:
          `${labels[index] ?? ""} step ${snapshot.step}: JSD ${snapshot.jensenShannon.toFixed(3)}, ` +
          `E|D − ½| ${snapshot.meanDistanceFromHalf.toFixed(3)}`,
        width: FIGURE_1_PANEL_WIDTH,
        height: FIGURE_1_PANEL_HEIGHT,
      }),
      mappingStrip(snapshot, window, result.settings.config.prior === "normal"),
    ],
  }));
  return renderVegaLiteSvg({
    config: THEORY_CHART_CONFIG,
    title: {
      text: "Figure 1, measured: a 1-D GAN on N(4, 0.5²) trained with Algorithm 1",
      subtitle:
        `p_data dotted black, p_g solid green (axis clipped at ${densityMax.toFixed(2)}), D dashed blue; ` +
        `lines: z (below, its range stretched over the window) → x = G(z) (above)`,
    },
    hconcat: columns,
    resolve: { scale: { color: "shared", strokeDash: "shared" }, legend: { color: "shared" } },
  } as unknown as TopLevelSpec);
}

/** The z → x lines under a Figure-1 panel: z's interval drawn across the window below, G(z) above. */
function mappingStrip(snapshot: Figure1Snapshot, window: [number, number], normalPrior: boolean): object {
  const { z, x } = snapshot.mapping;
  const zLow = z[0]!;
  const zHigh = z[z.length - 1]!;
  const lines = z.map((zValue, index) => ({
    from: window[0] + ((zValue - zLow) / (zHigh - zLow)) * (window[1] - window[0]),
    to: finiteOrNull(x[index]),
  }));
  const xScale = { domain: window, nice: false };
  return {
    width: FIGURE_1_PANEL_WIDTH,
    height: MAPPING_HEIGHT,
    title: { text: `z ∈ [${zLow}, ${zHigh}]${normalPrior ? " (normal prior)" : ""} → x = G(z)`, fontSize: 11 },
    layer: [
      {
        data: { values: lines },
        mark: { type: "rule", color: MAPPING_COLOR, strokeWidth: 1, clip: true },
        encoding: {
          x: { field: "from", type: "quantitative", scale: xScale, axis: null },
          x2: { field: "to" },
          y: { datum: 0, type: "quantitative", scale: { domain: [0, 1] }, axis: null },
          y2: { datum: 1 },
        },
      },
      {
        data: { values: [{ level: 0 }, { level: 1 }] },
        mark: { type: "rule", color: SERIES_COLORS.real, strokeWidth: 1 },
        encoding: { y: { field: "level", type: "quantitative", scale: { domain: [0, 1] }, axis: null } },
      },
    ],
  };
}

/** D beside D* (exact and from a KDE of samples), |D − D*| over x, and D's loss against its floor −C(G). */
export async function optimalDiscriminatorSvg(result: OptimalDiscriminatorResult): Promise<string> {
  const { series, summary } = result;
  const x = series.x;
  const xDomain: [number, number] = [x[0]!, x[x.length - 1]!];
  const inRegion = (values: number[]) => values.map((value, index) => (series.region[index] ? value : Number.NaN));
  const distance = (a: number[], b: number[]) => inRegion(a.map((value, index) => Math.abs(value - b[index]!)));
  const top = densityPanel({
    x,
    densities: [
      { name: "p_data", y: series.dataDensity, color: SERIES_COLORS.real, dash: DOTTED },
      { name: "p_g", y: series.generatedDensity, color: SERIES_COLORS.generated, dash: SOLID },
    ],
    discriminators: [
      { name: "D* (exact)", y: series.optimal, color: SERIES_COLORS.discriminator, dash: DASH },
      { name: "D (trained)", y: series.trained, color: TRAINED_COLOR, dash: SOLID },
    ],
    xDomain,
    densityMax: DENSITY_AXIS_HEADROOM * Math.max(...series.dataDensity),
    title:
      `D trained against a fixed G vs D* = p_data / (p_data + p_g): max |D − D*| ` +
      `${summary.trainedVsOptimal.max.toFixed(3)}, mean ${summary.trainedVsOptimal.mean.toFixed(4)}`,
    width: 620,
    height: 240,
  });
  const middle = lineChartSpec({
    title: "|D − D*| where p_data + p_g is non-negligible",
    xTitle: "x",
    yTitle: "absolute difference",
    xDomain,
    series: [
      { name: "|D − D*|", x, y: distance(series.trained, series.optimal), color: TRAINED_COLOR },
      {
        name: "|D*(KDE) − D*|",
        x,
        y: distance(series.optimalFromSamples, series.optimal),
        color: SERIES_COLORS.generated,
        dashed: true,
      },
    ],
    width: 620,
    height: 140,
  });
  const bottom = lineChartSpec({
    title: "D's minibatch loss −V(D, G) (mean per chunk of steps); grey: its floor −C(G) = log 4 − 2·JSD",
    yTitle: "loss",
    series: [{ name: "D loss", x: series.lossStep, y: series.loss, color: SERIES_COLORS.discriminator }],
    referenceLines: [-summary.optimalValue],
    width: 620,
    height: 140,
  });
  return renderVegaLiteSvg({
    config: THEORY_CHART_CONFIG,
    vconcat: [top, middle, bottom],
    resolve: { scale: { color: "independent", strokeDash: "independent" } },
  } as unknown as TopLevelSpec);
}

/** V(D*, G) and −log 4 + 2·JSD along the path to p_data, and their difference. */
export async function valueFunctionSvg(result: ValueFunctionResult): Promise<string> {
  const { series, summary } = result;
  const top = lineChartSpec({
    title: "C(G) = V(D*, G) as p_g = N(μ_t, σ_t²) moves to p_data = N(4, 0.5²); its minimum is −log 4 (grey)",
    xTitle: "t",
    yTitle: "nats",
    referenceLines: [-LOG_FOUR],
    series: [
      { name: "V(D*, G) on the grid", x: series.t, y: series.optimalValue, color: SERIES_COLORS.discriminator },
      {
        name: "−log 4 + 2·JSD",
        x: series.t,
        y: series.criterion,
        color: SERIES_COLORS.adversarial,
        dashed: true,
      },
      { name: "V(D*, G) sampled", x: series.t, y: series.sampledValue, color: SERIES_COLORS.generated },
    ],
  });
  const bottom = lineChartSpec({
    title:
      `|V(D*, G) − (−log 4 + 2·JSD)| in units of float64's ε = 2.2e-16: ` +
      `max ${summary.maxDifference.toExponential(1)} = ${(summary.maxDifference / FLOAT64_EPSILON).toFixed(1)} ε`,
    xTitle: "t",
    yTitle: "|difference| / ε",
    series: [
      {
        name: "difference",
        x: series.t,
        y: series.difference.map((difference) => difference / FLOAT64_EPSILON),
        color: SERIES_COLORS.real,
      },
    ],
    height: 140,
  });
  return renderVegaLiteSvg({
    config: THEORY_CHART_CONFIG,
    vconcat: [top, bottom],
    resolve: { scale: { color: "independent", strokeDash: "independent" } },
  } as unknown as TopLevelSpec);
}

/** ‖∇_θg‖, D(G(z)) and G's mean per iteration, minimax vs non-saturating, from the same strong D. */
export async function vanishingGradientSvg(result: VanishingGradientResult): Promise<string> {
  const { minimax, nonSaturating } = result.runs;
  const dataMean = toyDistribution(result.settings.dataset).modes[0]!;
  const pair = (pick: (run: typeof minimax) => number[]) => [
    { name: "minimax: min log(1 − D(G(z)))", x: minimax.step, y: pick(minimax), color: SERIES_COLORS.adversarial },
    {
      name: "non-saturating: max log D(G(z))",
      x: nonSaturating.step,
      y: pick(nonSaturating),
      color: SERIES_COLORS.generated,
    },
  ];
  const panels = [
    lineChartSpec({
      title: "‖∇θg G's loss‖ per iteration, from the same pre-trained (strong) D",
      xTitle: "iteration",
      yTitle: "gradient norm",
      logY: true,
      series: pair((run) => run.gradientNorm),
    }),
    lineChartSpec({
      title: "D(G(z)) seen by the G step",
      xTitle: "iteration",
      yTitle: "probability",
      logY: true,
      series: pair((run) => run.fakeScore),
      height: 160,
    }),
    lineChartSpec({
      title: `Mean of G(z) over fixed z (grey: the data's mean, ${dataMean})`,
      xTitle: "iteration",
      yTitle: "x",
      referenceLines: [dataMean],
      series: pair((run) => run.generatedMean),
      height: 160,
    }),
  ];
  return renderVegaLiteSvg({
    config: THEORY_CHART_CONFIG,
    vconcat: panels,
    resolve: { scale: { color: "independent", strokeDash: "independent" } },
  } as unknown as TopLevelSpec);
}
