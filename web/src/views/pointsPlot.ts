/**
 * Generated toy samples from a checkpoint: a scatter plot for 2-D data, a histogram for 1-D data.
 */
import { COLORS, formatNumber, linearScale, niceTicks, prepareCanvas } from "./canvas.js";

const MARGIN = 28;
const HISTOGRAM_BINS = 60;

export function drawPoints(canvas: HTMLCanvasElement, values: Float32Array, dimension: number): void {
  const { context, width, height } = prepareCanvas(canvas);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  const xs = dimension === 2 ? values.filter((_, index) => index % 2 === 0) : values;
  const ys = dimension === 2 ? values.filter((_, index) => index % 2 === 1) : null;
  const extent = (array: Float32Array) => {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const value of array) if (Number.isFinite(value)) [low, high] = [Math.min(low, value), Math.max(high, value)];
    const pad = (high - low) * 0.08 || 1;
    return [low - pad, high + pad] as const;
  };
  const [xLow, xHigh] = extent(xs);
  const toX = linearScale(xLow, xHigh, MARGIN, width - 8);
  context.fillStyle = COLORS.muted;
  context.font = "10px system-ui, sans-serif";
  for (const tick of niceTicks(xLow, xHigh, 5)) context.fillText(formatNumber(tick), toX(tick) - 8, height - 8);
  if (ys) {
    const [yLow, yHigh] = extent(ys);
    const toY = linearScale(yLow, yHigh, height - MARGIN, 8);
    for (const tick of niceTicks(yLow, yHigh, 5)) context.fillText(formatNumber(tick), 2, toY(tick) + 3);
    context.fillStyle = COLORS.generated;
    context.beginPath();
    for (let index = 0; index < xs.length; index++) {
      const x = toX(xs[index]!);
      const y = toY(ys[index]!);
      context.moveTo(x + 2, y);
      context.arc(x, y, 2, 0, 2 * Math.PI);
    }
    context.fill();
    return;
  }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const value of xs) {
    const bin = Math.floor(((value - xLow) / (xHigh - xLow)) * HISTOGRAM_BINS);
    if (bin >= 0 && bin < HISTOGRAM_BINS) counts[bin]!++;
  }
  const tallest = Math.max(...counts, 1);
  const barWidth = (width - 8 - MARGIN) / HISTOGRAM_BINS;
  context.fillStyle = COLORS.generated;
  counts.forEach((count, bin) => {
    const barHeight = (count / tallest) * (height - MARGIN - 8);
    context.fillRect(MARGIN + bin * barWidth, height - MARGIN - barHeight, Math.max(1, barWidth - 1), barHeight);
  });
}
