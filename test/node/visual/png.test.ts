import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";

import { encodeImageGrid, imageGridLayout, type ImageBatchShape } from "../../../src/node/visual/png.js";

/** The RGB bytes of pixel (x, y) in a decoded PNG. */
function pixelAt(png: PNG, x: number, y: number): [number, number, number] {
  const offset = (y * png.width + x) * 4;
  return [png.data[offset]!, png.data[offset + 1]!, png.data[offset + 2]!];
}

const PADDING_GREY: [number, number, number] = [128, 128, 128];

describe("encodeImageGrid", () => {
  it("places image i in row floor(i / columns), column i mod columns, and maps [-1, 1] to 0..255", () => {
    // 5 grey 4×3 images (height 4, width 3), all -1 (black) except image 3, which is +1 (white).
    const shape: ImageBatchShape = {
      count: 5,
      height: 4,
      width: 3,
      channels: 1,
    };
    const images = new Float32Array(5 * 4 * 3).fill(-1);
    images.fill(1, 3 * 12, 4 * 12);
    const padding = 1;
    const png = PNG.sync.read(encodeImageGrid(images, shape, { valueRange: [-1, 1], padding }));
    // Default columns: ceil(sqrt(5)) = 3 → 2 rows. Width 3·3 + 4·1 = 13, height 2·4 + 3·1 = 11.
    expect([png.width, png.height]).toEqual([13, 11]);
    const cellOrigin = (index: number): [number, number] => [
      padding + (index % 3) * (3 + padding),
      padding + Math.floor(index / 3) * (4 + padding),
    ];
    for (let index = 0; index < 5; index++) {
      const [left, top] = cellOrigin(index);
      const expected = index === 3 ? [255, 255, 255] : [0, 0, 0];
      expect(pixelAt(png, left, top), `image ${index} top-left`).toEqual(expected);
      expect(pixelAt(png, left + 2, top + 3), `image ${index} bottom-right`).toEqual(expected);
    }
    expect(pixelAt(png, 0, 0), "outer padding").toEqual(PADDING_GREY);
    expect(pixelAt(png, 4, 2), "padding between columns").toEqual(PADDING_GREY);
    const [emptyLeft, emptyTop] = cellOrigin(5);
    expect(pixelAt(png, emptyLeft + 1, emptyTop + 1), "empty sixth cell").toEqual(PADDING_GREY);
  });

  it("maps valueRange linearly, clamps outside it, and keeps RGB channels apart", () => {
    // One 1×4 RGB image with [0, 1] range: mid grey, out-of-range values, and pure colours.
    const images = new Float32Array([0.5, 0.5, 0.5, -3, 7, 1, 1, 0, 0, 0, 0, 1]);
    const shape: ImageBatchShape = {
      count: 1,
      height: 1,
      width: 4,
      channels: 3,
    };
    const png = PNG.sync.read(encodeImageGrid(images, shape, { valueRange: [0, 1], padding: 0 }));
    expect([png.width, png.height]).toEqual([4, 1]);
    expect(pixelAt(png, 0, 0)).toEqual([128, 128, 128]);
    expect(pixelAt(png, 1, 0)).toEqual([0, 255, 255]);
    expect(pixelAt(png, 2, 0)).toEqual([255, 0, 0]);
    expect(pixelAt(png, 3, 0)).toEqual([0, 0, 255]);
  });

  it("upscales by nearest neighbour and honours columns", () => {
    const images = new Float32Array([0, 1, 1, 0]); // two 1×2 grey images: [black, white], [white, black]
    const shape: ImageBatchShape = {
      count: 2,
      height: 1,
      width: 2,
      channels: 1,
    };
    const png = PNG.sync.read(
      encodeImageGrid(images, shape, {
        valueRange: [0, 1],
        columns: 1,
        padding: 0,
        upscale: 3,
      }),
    );
    expect([png.width, png.height]).toEqual([6, 6]);
    expect(pixelAt(png, 2, 2)).toEqual([0, 0, 0]);
    expect(pixelAt(png, 3, 0)).toEqual([255, 255, 255]);
    expect(pixelAt(png, 0, 5)).toEqual([255, 255, 255]);
    expect(pixelAt(png, 5, 3)).toEqual([0, 0, 0]);
  });

  it("draws NaN as magenta rather than black", () => {
    const png = PNG.sync.read(
      encodeImageGrid(
        new Float32Array([Number.NaN]),
        { count: 1, height: 1, width: 1, channels: 1 },
        { valueRange: [0, 1], padding: 0 },
      ),
    );
    expect(pixelAt(png, 0, 0)).toEqual([255, 0, 255]);
  });

  it("rejects a shape that does not match the array, with a one-line message", () => {
    const images = new Float32Array(2 * 28 * 28);
    const shape: ImageBatchShape = {
      count: 3,
      height: 28,
      width: 28,
      channels: 1,
    };
    expect(() => encodeImageGrid(images, shape, { valueRange: [-1, 1] })).toThrow(/needs 2352 values, got 1568$/);
    expect(() => encodeImageGrid(images, { ...shape, count: 2, channels: 2 }, { valueRange: [-1, 1] })).toThrow(
      /channels must be 1 or 3/,
    );
    expect(() => encodeImageGrid(images, { ...shape, count: 2 }, { valueRange: [1, 1] })).toThrow(/valueRange/);
    expect(() => encodeImageGrid(images, { ...shape, count: 2 }, { valueRange: [0, 1], upscale: 1.5 })).toThrow(
      /upscale/,
    );
    try {
      encodeImageGrid(images, shape, { valueRange: [-1, 1] });
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("lays out 64 MNIST digits as an 8×8 grid", () => {
    const layout = imageGridLayout(
      new Float32Array(64 * 28 * 28),
      { count: 64, height: 28, width: 28, channels: 1 },
      { valueRange: [0, 1] },
    );
    expect(layout).toMatchObject({
      columns: 8,
      rows: 8,
      pixelWidth: 8 * 28 + 9 * 2,
      pixelHeight: 8 * 28 + 9 * 2,
    });
  });
});
