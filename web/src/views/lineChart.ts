/**
 * A small line chart on canvas: several named series against a shared x (training updates), linear or log y,
 * a legend on top. It only stores points and draws them; series are thinned (every other point dropped) when they
 * grow past MAX_POINTS, so a long session stays cheap to draw.
 */
import { COLORS, formatNumber, linearScale, niceTicks, prepareCanvas, strokePath } from "./canvas.js";

/** Points kept per series before thinning. */
const MAX_POINTS = 2000;
const MARGIN = { left: 46, right: 10, top: 40, bottom: 22 };
/** Baselines of the title row and the legend row. */
const TITLE_Y = 14;
const LEGEND_Y = 30;
const TICK_COUNT = 4;

export interface SeriesSpec {
  key: string;
  label: string;
  color: string;
  dash?: number[];
  width?: number;
  /** Shown in the legend (default true); series that share a label and colour list it once. */
  legend?: boolean;
}

export interface LineChartOptions {
  title: string;
  series: SeriesSpec[];
  scale?: "linear" | "log";
  /** Always include these y values (e.g. 0 and 1 for probabilities). */
  include?: number[];
  /** What an empty chart says (default: "no data yet — press play", the training pages' case). */
  empty?: string;
}

interface SeriesData {
  x: number[];
  y: number[];
  /** Keep every `stride`-th point offered (doubles when the series is thinned). */
  stride: number;
  offered: number;
}

export class LineChart {
  private readonly data = new Map<string, SeriesData>();
  private dirty = true;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private options: LineChartOptions,
  ) {
    for (const series of options.series) this.data.set(series.key, { x: [], y: [], stride: 1, offered: 0 });
  }

  /** Changes the title and the y values always shown (e.g. a run whose D is a critic, not a probability). */
  reframe(title: string, include: number[] | undefined): void {
    this.options = { ...this.options, title, include };
    this.dirty = true;
  }

  /** Adds one point to a series (null and non-finite values, or ≤ 0 on a log chart, are skipped). */
  add(key: string, x: number, y: number | null): void {
    const series = this.data.get(key);
    if (!series || y === null || !Number.isFinite(y) || (this.options.scale === "log" && y <= 0)) return;
    series.offered++;
    if (series.offered % series.stride !== 0) return;
    series.x.push(x);
    series.y.push(y);
    if (series.x.length > MAX_POINTS) {
      series.x = series.x.filter((_, index) => index % 2 === 0);
      series.y = series.y.filter((_, index) => index % 2 === 0);
      series.stride *= 2;
    }
    this.dirty = true;
  }

  clear(): void {
    for (const series of this.data.values()) Object.assign(series, { x: [], y: [], stride: 1, offered: 0 });
    this.dirty = true;
  }

  /** Total points held (the tests read it through the canvas's data-points attribute). */
  pointCount(): number {
    let count = 0;
    for (const series of this.data.values()) count += series.x.length;
    return count;
  }

  /** Redraws if anything changed (call from requestAnimationFrame). */
  draw(force = false): void {
    if (!this.dirty && !force) return;
    this.dirty = false;
    const { context, width, height } = prepareCanvas(this.canvas);
    this.canvas.dataset.points = String(this.pointCount());
    const log = this.options.scale === "log";
    const transform = (value: number) => (log ? Math.log10(value) : value);
    let xLow = Number.POSITIVE_INFINITY;
    let xHigh = Number.NEGATIVE_INFINITY;
    let yLow = Number.POSITIVE_INFINITY;
    let yHigh = Number.NEGATIVE_INFINITY;
    for (const series of this.data.values()) {
      for (let index = 0; index < series.x.length; index++) {
        xLow = Math.min(xLow, series.x[index]!);
        xHigh = Math.max(xHigh, series.x[index]!);
        yLow = Math.min(yLow, transform(series.y[index]!));
        yHigh = Math.max(yHigh, transform(series.y[index]!));
      }
    }
    for (const value of this.options.include ?? []) {
      yLow = Math.min(yLow, transform(value));
      yHigh = Math.max(yHigh, transform(value));
    }
    this.drawFrame(context, width, height);
    if (!Number.isFinite(xLow)) {
      context.fillStyle = COLORS.muted;
      context.fillText(this.options.empty ?? "no data yet — press play", MARGIN.left + 8, MARGIN.top + 20);
      return;
    }
    if (xHigh === xLow) xHigh = xLow + 1;
    if (yHigh === yLow) [yLow, yHigh] = [yLow - 0.5, yHigh + 0.5];
    const padding = (yHigh - yLow) * 0.05;
    yLow -= padding;
    yHigh += padding;
    const toX = linearScale(xLow, xHigh, MARGIN.left, width - MARGIN.right);
    const toY = linearScale(yLow, yHigh, height - MARGIN.bottom, MARGIN.top);
    this.drawAxes(context, width, height, [xLow, xHigh, yLow, yHigh], toX, toY);
    context.save();
    context.beginPath();
    context.rect(MARGIN.left, MARGIN.top, width - MARGIN.left - MARGIN.right, height - MARGIN.top - MARGIN.bottom);
    context.clip();
    for (const spec of this.options.series) {
      const series = this.data.get(spec.key)!;
      context.strokeStyle = spec.color;
      context.lineWidth = spec.width ?? 1.5;
      context.setLineDash(spec.dash ?? []);
      strokePath(
        context,
        series.x.map(toX),
        series.y.map((value) => toY(transform(value))),
      );
    }
    context.restore();
  }

  private drawFrame(context: CanvasRenderingContext2D, width: number, height: number): void {
    context.fillStyle = COLORS.text;
    context.font = "600 12px system-ui, sans-serif";
    context.fillText(this.options.title, MARGIN.left, TITLE_Y);
    context.font = "11px system-ui, sans-serif";
    let legendX = MARGIN.left;
    for (const spec of this.options.series) {
      if (spec.legend === false) continue;
      context.strokeStyle = spec.color;
      context.lineWidth = 2;
      context.setLineDash(spec.dash ?? []);
      context.beginPath();
      context.moveTo(legendX, LEGEND_Y - 4);
      context.lineTo(legendX + 16, LEGEND_Y - 4);
      context.stroke();
      context.fillStyle = COLORS.text;
      context.fillText(spec.label, legendX + 21, LEGEND_Y);
      legendX += 21 + context.measureText(spec.label).width + 14;
    }
    context.setLineDash([]);
    context.strokeStyle = COLORS.grid;
    context.strokeRect(
      MARGIN.left,
      MARGIN.top,
      width - MARGIN.left - MARGIN.right,
      height - MARGIN.top - MARGIN.bottom,
    );
  }

  private drawAxes(
    context: CanvasRenderingContext2D,
    width: number,
    height: number,
    [xLow, xHigh, yLow, yHigh]: number[],
    toX: (value: number) => number,
    toY: (value: number) => number,
  ): void {
    const log = this.options.scale === "log";
    context.font = "10px system-ui, sans-serif";
    context.lineWidth = 1;
    context.setLineDash([]);
    const yTicks = log
      ? niceTicks(Math.floor(yLow!), Math.ceil(yHigh!), TICK_COUNT).filter((tick) => Number.isInteger(tick))
      : niceTicks(yLow!, yHigh!, TICK_COUNT);
    for (const tick of yTicks) {
      const y = toY(tick);
      if (y < MARGIN.top - 1 || y > height - MARGIN.bottom + 1) continue;
      context.strokeStyle = COLORS.grid;
      context.beginPath();
      context.moveTo(MARGIN.left, y);
      context.lineTo(width - MARGIN.right, y);
      context.stroke();
      context.fillStyle = COLORS.muted;
      const label = log ? `1e${tick}` : formatNumber(tick);
      context.fillText(label, MARGIN.left - 6 - context.measureText(label).width, y + 3);
    }
    for (const tick of niceTicks(xLow!, xHigh!, TICK_COUNT + 1)) {
      const x = toX(tick);
      context.fillStyle = COLORS.muted;
      const label = formatNumber(tick);
      context.fillText(label, x - context.measureText(label).width / 2, height - 6);
    }
  }
}
