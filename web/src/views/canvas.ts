/**
 * Canvas helpers shared by the views: sharp drawing on high-DPI screens, and the lab's colours.
 */

/** The lab's palette: real data teal, generated purple (GAN Lab's convention), D blue. */
export const COLORS = {
  real: "#1b9e77",
  generated: "#7b5fc4",
  discriminator: "#1f6fd1",
  optimal: "#e07b39",
  data: "#222222",
  grid: "#e6e8ec",
  axis: "#8a8f98",
  text: "#3a3f47",
  muted: "#8a8f98",
  value: "#c2410c",
  theory: "#6b7280",
} as const;

export const FONT = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";

/**
 * Sizes the canvas's backing store to its CSS box × devicePixelRatio and returns a context scaled so that drawing
 * uses CSS pixels; width and height are the CSS size.
 */
export function prepareCanvas(canvas: HTMLCanvasElement): {
  context: CanvasRenderingContext2D;
  width: number;
  height: number;
} {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  const pixelWidth = Math.max(1, Math.round(width * ratio));
  const pixelHeight = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
    canvas.width = pixelWidth;
    canvas.height = pixelHeight;
  }
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2-D canvas context");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  context.font = FONT;
  return { context, width, height };
}

/** Linear map from [domainLow, domainHigh] to [rangeLow, rangeHigh]. */
export function linearScale(domainLow: number, domainHigh: number, rangeLow: number, rangeHigh: number) {
  const span = domainHigh - domainLow || 1;
  return (value: number) => rangeLow + ((value - domainLow) / span) * (rangeHigh - rangeLow);
}

/** About `count` round tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count: number): number[] {
  const span = high - low;
  if (!(span > 0) || !Number.isFinite(span)) return [low];
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step)
    ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

/** A compact label for a tick or readout: 0.0012 → "1.2e-3", 1234 → "1234", 0.25 → "0.25". */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1).replace("e+", "e");
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}

/** Draws a line through points, skipping non-finite values (gaps). */
export function strokePath(context: CanvasRenderingContext2D, xs: ArrayLike<number>, ys: ArrayLike<number>): void {
  context.beginPath();
  let pen = false;
  for (let index = 0; index < xs.length; index++) {
    const x = xs[index]!;
    const y = ys[index]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    if (pen) context.lineTo(x, y);
    else context.moveTo(x, y);
    pen = true;
  }
  context.stroke();
}
