/**
 * Draws images [count, height, width, channels] with values in [low, high] as a square grid on a canvas.
 */
import { prepareCanvas } from "./canvas.js";

/** Pixels between tiles. */
const GAP = 2;

export interface ImageBatch {
  images: Float32Array;
  count: number;
  shape: [number, number, number];
  range: [number, number];
}

let scratch: HTMLCanvasElement | null = null;

/** The grid as an offscreen canvas at 1 image pixel per pixel. */
export function gridCanvas(batch: ImageBatch, columns = Math.ceil(Math.sqrt(batch.count))): HTMLCanvasElement {
  const [height, width, channels] = batch.shape;
  const rows = Math.ceil(batch.count / columns);
  scratch ??= document.createElement("canvas");
  scratch.width = columns * (width + GAP) - GAP;
  scratch.height = rows * (height + GAP) - GAP;
  const context = scratch.getContext("2d")!;
  const picture = context.createImageData(scratch.width, scratch.height);
  picture.data.fill(255);
  const [low, high] = batch.range;
  const toByte = (value: number) => Math.round(Math.min(1, Math.max(0, (value - low) / (high - low))) * 255);
  for (let image = 0; image < batch.count; image++) {
    const originX = (image % columns) * (width + GAP);
    const originY = Math.floor(image / columns) * (height + GAP);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const source = ((image * height + row) * width + column) * channels;
        const target = 4 * ((originY + row) * scratch.width + originX + column);
        for (let channel = 0; channel < 3; channel++) {
          picture.data[target + channel] = toByte(batch.images[source + (channels === 1 ? 0 : channel)]!);
        }
        picture.data[target + 3] = 255;
      }
    }
  }
  context.putImageData(picture, 0, 0);
  return scratch;
}

/** Draws the grid scaled to fit the canvas, pixels kept sharp. */
export function drawImageGrid(canvas: HTMLCanvasElement, batch: ImageBatch, columns?: number): void {
  const { context, width, height } = prepareCanvas(canvas);
  const grid = gridCanvas(batch, columns);
  const scale = Math.min(width / grid.width, height / grid.height);
  context.imageSmoothingEnabled = false;
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  const drawnWidth = grid.width * scale;
  const drawnHeight = grid.height * scale;
  context.drawImage(grid, (width - drawnWidth) / 2, (height - drawnHeight) / 2, drawnWidth, drawnHeight);
}
