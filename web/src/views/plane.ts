/**
 * The 2-D view (after GAN Lab): D's probability as a heatmap (purple where D says "generated", teal where it says
 * "real", white at ½), the generator's manifold (G applied to a grid of z), real and generated samples, and the push
 * G's objective gives each generated sample (arrows). Draws a 2-D probe; knows nothing about training.
 */
import type { TwoDProbe } from "../worker/protocol.js";
import { COLORS, linearScale, prepareCanvas } from "./canvas.js";

export interface PlaneOptions {
  showHeatmap: boolean;
  showManifold: boolean;
  showArrows: boolean;
  showReal: boolean;
}

/** Heatmap end colours (RGB): D = 0 and D = 1; ½ is white. */
const FAKE_RGB = [123, 95, 196];
const REAL_RGB = [27, 158, 119];
/** Heatmap opacity at the extremes (the samples must stay readable on top). */
const HEATMAP_STRENGTH = 0.55;
/** Arrow length in pixels per unit of push, and the cap. */
const ARROW_PIXELS_PER_UNIT = 24;
const ARROW_MAX_PIXELS = 40;
/** Arrows are drawn for every ARROW_STRIDE-th generated sample. */
const ARROW_STRIDE = 3;

/** Data ↔ pixel mapping for a square plot of `size` pixels over `bounds`. */
export function planeTransform(bounds: [number, number, number, number], size: number) {
  const [xLow, xHigh, yLow, yHigh] = bounds;
  return {
    toPixelX: linearScale(xLow, xHigh, 0, size),
    toPixelY: linearScale(yLow, yHigh, size, 0),
    toDataX: linearScale(0, size, xLow, xHigh),
    toDataY: linearScale(size, 0, yLow, yHigh),
  };
}

let heatmapCanvas: HTMLCanvasElement | null = null;

function heatmapImage(probe: TwoDProbe): HTMLCanvasElement {
  const size = probe.resolution;
  heatmapCanvas ??= document.createElement("canvas");
  heatmapCanvas.width = size;
  heatmapCanvas.height = size;
  const context = heatmapCanvas.getContext("2d")!;
  const image = context.createImageData(size, size);
  for (let index = 0; index < size * size; index++) {
    const d = probe.heatmap[index]!;
    const towards = d >= 0.5 ? REAL_RGB : FAKE_RGB;
    const strength = Math.min(1, Math.abs(d - 0.5) * 2) * HEATMAP_STRENGTH;
    for (let channel = 0; channel < 3; channel++) {
      image.data[4 * index + channel] = Math.round(255 + (towards[channel]! - 255) * strength);
    }
    image.data[4 * index + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return heatmapCanvas;
}

function dot(context: CanvasRenderingContext2D, x: number, y: number, radius: number): void {
  context.moveTo(x + radius, y);
  context.arc(x, y, radius, 0, 2 * Math.PI);
}

export function drawPlane(
  canvas: HTMLCanvasElement,
  probe: TwoDProbe | null,
  real: Float32Array | null,
  options: PlaneOptions,
  bounds: [number, number, number, number],
): void {
  const { context, width } = prepareCanvas(canvas);
  const size = width;
  const { toPixelX, toPixelY } = planeTransform(bounds, size);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, size, size);
  if (probe && options.showHeatmap) {
    context.imageSmoothingEnabled = true;
    context.drawImage(heatmapImage(probe), 0, 0, size, size);
  }
  if (probe && options.showManifold && probe.manifoldLines > 0) {
    context.strokeStyle = "rgba(90, 70, 160, 0.35)";
    context.lineWidth = 1;
    for (let line = 0; line < probe.manifoldLines; line++) {
      context.beginPath();
      for (let point = 0; point < probe.manifoldPoints; point++) {
        const offset = 2 * (line * probe.manifoldPoints + point);
        const x = toPixelX(probe.manifold[offset]!);
        const y = toPixelY(probe.manifold[offset + 1]!);
        if (point === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      }
      context.stroke();
    }
  }
  if (real && options.showReal) {
    context.fillStyle = COLORS.real;
    context.beginPath();
    for (let index = 0; index < real.length; index += 2)
      dot(context, toPixelX(real[index]!), toPixelY(real[index + 1]!), 1.8);
    context.fill();
  }
  if (!probe) return;
  if (options.showArrows) {
    context.strokeStyle = "rgba(40, 40, 40, 0.55)";
    context.lineWidth = 1;
    context.beginPath();
    for (let index = 0; index < probe.generated.length; index += 2 * ARROW_STRIDE) {
      const x = toPixelX(probe.generated[index]!);
      const y = toPixelY(probe.generated[index + 1]!);
      let dx = probe.arrows[index]! * ARROW_PIXELS_PER_UNIT;
      let dy = -probe.arrows[index + 1]! * ARROW_PIXELS_PER_UNIT;
      const length = Math.hypot(dx, dy);
      if (length < 0.5) continue;
      if (length > ARROW_MAX_PIXELS) {
        dx *= ARROW_MAX_PIXELS / length;
        dy *= ARROW_MAX_PIXELS / length;
      }
      context.moveTo(x, y);
      context.lineTo(x + dx, y + dy);
      const angle = Math.atan2(dy, dx);
      for (const side of [-1, 1]) {
        context.moveTo(x + dx, y + dy);
        context.lineTo(x + dx - 4 * Math.cos(angle + side * 0.5), y + dy - 4 * Math.sin(angle + side * 0.5));
      }
    }
    context.stroke();
  }
  context.fillStyle = COLORS.generated;
  context.beginPath();
  for (let index = 0; index < probe.generated.length; index += 2) {
    dot(context, toPixelX(probe.generated[index]!), toPixelY(probe.generated[index + 1]!), 2);
  }
  context.fill();
}
