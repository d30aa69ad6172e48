/**
 * Image grids as PNG bytes: the sample grids in `runs/<name>/samples/step_NNNNNN.png` and `tsgan sample` output.
 *
 * Input is a batch of images in TF.js's NHWC order, as `generator.predict(noise).dataSync()` gives it. Values are
 * mapped linearly from `valueRange` to 0..255 (so a tanh generator's [-1, 1] and a sigmoid generator's [0, 1] both
 * fill the byte range), clamped, and grey images are widened to RGB. PNG encoding itself is pngjs's.
 */
import { PNG } from "pngjs";

import { writeFileAtomic } from "./files.js";

/** Shape of a batch of images, NHWC: `[count, height, width, channels]`. */
export interface ImageBatchShape {
  /** Number of images in the batch. */
  count: number;
  /** Rows of pixels per image. */
  height: number;
  /** Columns of pixels per image. */
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
}

/** How to lay out and scale a grid of images. */
export interface ImageGridOptions {
  /** Values mapped to black and white (per channel): [-1, 1] for a tanh output, [0, 1] for a sigmoid output. */
  valueRange: [number, number];
  /** Images per row; default `ceil(sqrt(count))`, a square-ish grid. */
  columns?: number;
  /** Pixels of padding around and between cells, in output pixels (after upscaling); default 2. */
  padding?: number;
  /** Integer nearest-neighbour magnification of each image pixel; default 1 (28×28 MNIST digits stay 28×28). */
  upscale?: number;
}

/** Pixel size of the grid PNG and the layout behind it. */
export interface ImageGridLayout {
  columns: number;
  rows: number;
  padding: number;
  upscale: number;
  /** Output width in pixels: columns·width·upscale + (columns + 1)·padding. */
  pixelWidth: number;
  /** Output height in pixels: rows·height·upscale + (rows + 1)·padding. */
  pixelHeight: number;
}

/** Default gap between cells: thin enough for 64 MNIST digits in a 240-pixel grid, wide enough to separate them. */
const DEFAULT_PADDING = 2;
/** Default magnification: none; viewers scale PNGs themselves. */
const DEFAULT_UPSCALE = 1;
/** Neutral mid-grey for padding and empty cells: distinct from both black backgrounds and white strokes. */
const PADDING_RGB: readonly [number, number, number] = [128, 128, 128];
/** NaN pixels (a diverged generator) are drawn magenta so they cannot pass for black or white. */
const NOT_A_NUMBER_RGB: readonly [number, number, number] = [255, 0, 255];
/** Largest byte value. */
const MAX_BYTE = 255;
/** Bytes per pixel in pngjs's RGBA buffer. */
const RGBA_BYTES = 4;
/** PNG colour type 2: truecolour without alpha (the grid is opaque, so alpha would only waste bytes). */
const PNG_COLOR_TYPE_RGB = 2;

/**
 * Check `shape` against `images` and `options`, and compute the grid layout. Throws a one-line Error naming the
 * offending value (a shape that does not match the array length, channels other than 1 or 3, an empty range...).
 */
export function imageGridLayout(
  images: ArrayLike<number>,
  shape: ImageBatchShape,
  options: ImageGridOptions,
): ImageGridLayout {
  const { count, height, width, channels } = shape;
  for (const [name, value] of [
    ["count", count],
    ["height", height],
    ["width", width],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`image grid: shape.${name} must be a positive integer, got ${value}`);
    }
  }
  if (channels !== 1 && channels !== 3) {
    throw new Error(`image grid: shape.channels must be 1 or 3, got ${channels}`);
  }
  const expectedLength = count * height * width * channels;
  if (images.length !== expectedLength) {
    throw new Error(
      `image grid: shape [${count}, ${height}, ${width}, ${channels}] needs ${expectedLength} values, got ${images.length}`,
    );
  }
  const [low, high] = options.valueRange;
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new Error(`image grid: valueRange must be finite with low < high, got [${low}, ${high}]`);
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const padding = options.padding ?? DEFAULT_PADDING;
  const upscale = options.upscale ?? DEFAULT_UPSCALE;
  if (!Number.isInteger(columns) || columns < 1) {
    throw new Error(`image grid: columns must be a positive integer, got ${columns}`);
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw new Error(`image grid: padding must be a non-negative integer, got ${padding}`);
  }
  if (!Number.isInteger(upscale) || upscale < 1) {
    throw new Error(`image grid: upscale must be a positive integer, got ${upscale}`);
  }
  const rows = Math.ceil(count / columns);
  return {
    columns,
    rows,
    padding,
    upscale,
    pixelWidth: columns * width * upscale + (columns + 1) * padding,
    pixelHeight: rows * height * upscale + (rows + 1) * padding,
  };
}

/**
 * Encode a batch of images as one PNG grid, row-major (image i in row ⌊i / columns⌋, column i mod columns).
 *
 * @param images NHWC values, `[count, height, width, channels]` flattened; channels 1 (grey) or 3 (RGB).
 * @param shape the batch shape; must match `images.length`.
 * @param options value range, columns, padding and upscale (see {@link ImageGridOptions}).
 * @returns PNG file bytes (RGB, 8 bits per channel).
 */
export function encodeImageGrid(images: Float32Array, shape: ImageBatchShape, options: ImageGridOptions): Buffer {
  const layout = imageGridLayout(images, shape, options);
  const { height, width, channels } = shape;
  const { columns, padding, upscale, pixelWidth, pixelHeight } = layout;
  const [low, high] = options.valueRange;
  const toByte = (value: number): number => {
    const scaled = Math.round(((value - low) / (high - low)) * MAX_BYTE);
    return Math.min(MAX_BYTE, Math.max(0, scaled));
  };

  const png = new PNG({ width: pixelWidth, height: pixelHeight });
  const rgba = png.data; // [pixelHeight, pixelWidth, 4]
  fillBackground(rgba);

  const imageSize = height * width * channels;
  for (let index = 0; index < shape.count; index++) {
    const cellLeft = padding + (index % columns) * (width * upscale + padding);
    const cellTop = padding + Math.floor(index / columns) * (height * upscale + padding);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const source = index * imageSize + (y * width + x) * channels;
        const rgb = pixelRgb(images, source, channels, toByte);
        for (let dy = 0; dy < upscale; dy++) {
          const rowStart = (cellTop + y * upscale + dy) * pixelWidth + cellLeft + x * upscale;
          for (let dx = 0; dx < upscale; dx++) {
            const target = (rowStart + dx) * RGBA_BYTES;
            rgba[target] = rgb[0];
            rgba[target + 1] = rgb[1];
            rgba[target + 2] = rgb[2];
          }
        }
      }
    }
  }
  return PNG.sync.write(png, { colorType: PNG_COLOR_TYPE_RGB });
}

/** Encode an image grid (see {@link encodeImageGrid}) and write it atomically to `path`. */
export async function writeImageGrid(
  path: string,
  images: Float32Array,
  shape: ImageBatchShape,
  options: ImageGridOptions,
): Promise<void> {
  await writeFileAtomic(path, encodeImageGrid(images, shape, options));
}

/** Fill an RGBA buffer with the padding colour, fully opaque. */
function fillBackground(rgba: Buffer): void {
  for (let offset = 0; offset < rgba.length; offset += RGBA_BYTES) {
    rgba[offset] = PADDING_RGB[0];
    rgba[offset + 1] = PADDING_RGB[1];
    rgba[offset + 2] = PADDING_RGB[2];
    rgba[offset + 3] = MAX_BYTE;
  }
}

/** One pixel's RGB bytes; grey is repeated to all three channels, and any NaN channel marks the pixel magenta. */
function pixelRgb(
  images: Float32Array,
  source: number,
  channels: number,
  toByte: (value: number) => number,
): readonly [number, number, number] {
  const first = images[source] ?? Number.NaN;
  const second = channels === 3 ? (images[source + 1] ?? Number.NaN) : first;
  const third = channels === 3 ? (images[source + 2] ?? Number.NaN) : first;
  if (Number.isNaN(first) || Number.isNaN(second) || Number.isNaN(third)) {
    return NOT_A_NUMBER_RGB;
  }
  return [toByte(first), toByte(second), toByte(third)];
}
