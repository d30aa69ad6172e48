/**
 * Figure 1 of the paper, drawn from a 1-D probe: p_data (black, dotted), p_g (green, solid), D (blue, dashed), the
 * exact D* = p_data / (p_data + p_g) (thin, orange), and the mapping x = G(z) as lines from the z axis below to the
 * x axis above. Densities use the left axis; D and D* the right one, [0, 1].
 */
import type { OneDProbe } from "../worker/protocol.js";
import { COLORS, formatNumber, linearScale, niceTicks, prepareCanvas, strokePath } from "./canvas.js";

/** The paper's colours for Figure 1. */
export const FIGURE1_COLORS = { data: "#111111", generator: "#2e9d4a", discriminator: "#1f6fd1", optimal: "#e07b39" };

const MARGIN = { left: 44, right: 40, top: 30, bottom: 20 };
/** Share of the height above the x axis (the rest holds the mapping lines and the z axis). */
const PLOT_SHARE = 0.68;
/** Densities are drawn up to this multiple of p_data's peak (p_g spikes beyond are clipped). */
const DENSITY_HEADROOM = 1.6;

export interface Figure1Options {
  showOptimal: boolean;
  showMapping: boolean;
}

export function drawFigure1(canvas: HTMLCanvasElement, probe: OneDProbe, options: Figure1Options): void {
  const { context, width, height } = prepareCanvas(canvas);
  const x = probe.x;
  const xAxisY = MARGIN.top + (height - MARGIN.top - MARGIN.bottom) * PLOT_SHARE;
  const zAxisY = height - MARGIN.bottom - 4;
  const toX = linearScale(x[0]!, x[x.length - 1]!, MARGIN.left, width - MARGIN.right);
  let peak = 0;
  for (const value of probe.dataDensity) peak = Math.max(peak, value);
  const densityTop = peak * DENSITY_HEADROOM;
  const toDensityY = linearScale(0, densityTop, xAxisY, MARGIN.top);
  const toProbabilityY = linearScale(0, 1, xAxisY, MARGIN.top);
  const pixelsX = Array.from(x, toX);

  // Axes, gridlines and labels.
  context.lineWidth = 1;
  context.strokeStyle = COLORS.grid;
  for (const level of [0.5, 1]) {
    context.beginPath();
    context.moveTo(MARGIN.left, toProbabilityY(level));
    context.lineTo(width - MARGIN.right, toProbabilityY(level));
    context.stroke();
  }
  context.fillStyle = COLORS.muted;
  context.font = "10px system-ui, sans-serif";
  for (const [level, label] of [
    [0, "0"],
    [0.5, "½"],
    [1, "1"],
  ] as const) {
    context.fillText(label, width - MARGIN.right + 6, toProbabilityY(level) + 3);
  }
  context.fillText("D", width - MARGIN.right + 6, MARGIN.top - 10);
  context.fillText("p(x)", 6, MARGIN.top - 10);
  for (const tick of niceTicks(0, densityTop, 3)) {
    const label = formatNumber(tick);
    context.fillText(label, MARGIN.left - 6 - context.measureText(label).width, toDensityY(tick) + 3);
  }
  drawAxisLine(context, MARGIN.left, width - MARGIN.right, xAxisY);
  for (const tick of niceTicks(x[0]!, x[x.length - 1]!, 8)) {
    const label = formatNumber(tick);
    context.fillStyle = COLORS.muted;
    context.fillText(label, toX(tick) - context.measureText(label).width / 2, xAxisY + 13);
  }
  context.fillText("x", width - MARGIN.right + 6, xAxisY + 14);

  // z → x mapping lines (Figure 1's lower half).
  if (options.showMapping) {
    const [zLow, zHigh] = probe.zRange;
    const toZ = linearScale(zLow, zHigh, MARGIN.left, width - MARGIN.right);
    drawAxisLine(context, MARGIN.left, width - MARGIN.right, zAxisY);
    context.fillStyle = COLORS.muted;
    context.fillText(`z (${formatNumber(zLow)} … ${formatNumber(zHigh)})`, width - MARGIN.right - 70, zAxisY + 14);
    context.strokeStyle = "rgba(46, 157, 74, 0.55)";
    context.fillStyle = FIGURE1_COLORS.generator;
    context.lineWidth = 1;
    for (let index = 0; index < probe.mappingZ.length; index++) {
      const fromX = toZ(probe.mappingZ[index]!);
      const target = Math.min(width - MARGIN.right, Math.max(MARGIN.left, toX(probe.mappingX[index]!)));
      context.beginPath();
      context.moveTo(fromX, zAxisY);
      context.lineTo(target, xAxisY + 16);
      context.stroke();
      context.beginPath();
      context.arc(fromX, zAxisY, 1.6, 0, 2 * Math.PI);
      context.fill();
    }
  }

  // Curves, clipped to the plot.
  context.save();
  context.beginPath();
  context.rect(MARGIN.left, MARGIN.top - 2, width - MARGIN.left - MARGIN.right, xAxisY - MARGIN.top + 2);
  context.clip();
  const curve = (
    values: ArrayLike<number>,
    toY: (value: number) => number,
    color: string,
    dash: number[],
    lineWidth: number,
  ) => {
    context.strokeStyle = color;
    context.setLineDash(dash);
    context.lineWidth = lineWidth;
    strokePath(context, pixelsX, Array.from(values, toY));
  };
  if (options.showOptimal) curve(probe.optimalDiscriminator, toProbabilityY, FIGURE1_COLORS.optimal, [], 1);
  curve(probe.dataDensity, toDensityY, FIGURE1_COLORS.data, [2, 3], 2);
  curve(probe.generatorDensity, toDensityY, FIGURE1_COLORS.generator, [], 2);
  curve(probe.discriminator, toProbabilityY, FIGURE1_COLORS.discriminator, [7, 4], 2);
  context.restore();
  context.setLineDash([]);
  drawLegend(context, width, options.showOptimal);
}

function drawAxisLine(context: CanvasRenderingContext2D, from: number, to: number, y: number): void {
  context.strokeStyle = COLORS.axis;
  context.lineWidth = 1;
  context.setLineDash([]);
  context.beginPath();
  context.moveTo(from, y);
  context.lineTo(to, y);
  context.stroke();
}

function drawLegend(context: CanvasRenderingContext2D, width: number, showOptimal: boolean): void {
  const entries: Array<[string, string, number[]]> = [
    ["p_data", FIGURE1_COLORS.data, [2, 3]],
    ["p_g", FIGURE1_COLORS.generator, []],
    ["D(x)", FIGURE1_COLORS.discriminator, [7, 4]],
  ];
  if (showOptimal) entries.push(["D* = p_data / (p_data + p_g)", FIGURE1_COLORS.optimal, []]);
  context.font = "12px system-ui, sans-serif";
  let left = MARGIN.left;
  for (const [label, color, dash] of entries) {
    context.strokeStyle = color;
    context.lineWidth = 2;
    context.setLineDash(dash);
    context.beginPath();
    context.moveTo(left, 12);
    context.lineTo(left + 22, 12);
    context.stroke();
    context.setLineDash([]);
    context.fillStyle = COLORS.text;
    context.fillText(label, left + 28, 16);
    left += 40 + context.measureText(label).width;
    if (left > width - 100) break;
  }
}
