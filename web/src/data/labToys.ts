/**
 * The lab's toy distributions beyond the core's four, built with the core's own `gaussianMixture` so that they have
 * exact densities, modes and bounds like the others:
 *
 * - `gaussians-2d`: three broad Gaussians (a target a small GAN can cover, unlike the ring's sharp modes);
 * - `drawn`: whatever the user draws — one Gaussian per drawn point, all with the same small std.
 *
 * Drawn points travel in the URL (state `drawn`): "x,y;x,y;…" with two decimals, so a drawing can be shared as a link.
 */
import { TOY_DATASET_NAMES } from "../../../src/core/config.js";
import { gaussianMixture, TOY_DISTRIBUTIONS, type ToyDistribution } from "../../../src/core/data/toys.js";

/** The three-Gaussian toy's centres and shared std. */
const GAUSSIANS_2D_MEANS = [
  [-1.5, -1],
  [1.5, -1],
  [0, 1.5],
];
const GAUSSIANS_2D_STD = 0.35;

/** Std of each drawn point's Gaussian: wide enough that a stroke reads as a continuous shape. */
export const DRAWN_STD = 0.08;
/** Drawn points keep two decimals in the URL. */
const DRAWN_DECIMALS = 2;
/** The drawing area: a square [−DRAWN_EXTENT, DRAWN_EXTENT]². */
export const DRAWN_EXTENT = 2;
/** The 2-D page's view box while the drawn distribution is chosen: the drawing area with a margin. */
export const DRAWN_VIEW_BOUNDS: [number, number, number, number] = [-2.4, 2.4, -2.4, 2.4];
/** At most this many drawn points (keeps the URL short and the density cheap). */
export const MAX_DRAWN_POINTS = 200;

export const GAUSSIANS_2D: ToyDistribution = gaussianMixture({
  name: "gaussians-2d",
  description: `2-D mixture of ${GAUSSIANS_2D_MEANS.length} Gaussians, std ${GAUSSIANS_2D_STD}`,
  means: GAUSSIANS_2D_MEANS,
  std: GAUSSIANS_2D_STD,
});

/** The name of the distribution drawn with the mouse (state `drawn` holds its points). */
export const DRAWN_DATASET = "drawn";

/** The 2-D distributions the lab offers by name: the core's 2-D toys, then the lab's own (the drawn one is built). */
export const LAB_TOYS_2D: Readonly<Record<string, ToyDistribution>> = {
  ...Object.fromEntries(
    TOY_DATASET_NAMES.filter((name) => TOY_DISTRIBUTIONS[name].dimension === 2).map((name) => [
      name,
      TOY_DISTRIBUTIONS[name],
    ]),
  ),
  "gaussians-2d": GAUSSIANS_2D,
};

/** A distribution from drawn points [x0, y0, x1, y1, …]. */
export function drawnDistribution(points: readonly number[], std = DRAWN_STD): ToyDistribution {
  if (points.length < 2 || points.length % 2 !== 0) throw new RangeError("a drawn distribution needs points");
  const means: number[][] = [];
  for (let index = 0; index < points.length; index += 2) means.push([points[index]!, points[index + 1]!]);
  return gaussianMixture({ name: DRAWN_DATASET, description: `${means.length} drawn points, std ${std}`, means, std });
}

/** "x,y;x,y" ← [x, y, x, y]. */
export function encodeDrawnPoints(points: readonly number[]): string {
  const pairs: string[] = [];
  for (let index = 0; index + 1 < points.length; index += 2) {
    pairs.push(`${points[index]!.toFixed(DRAWN_DECIMALS)},${points[index + 1]!.toFixed(DRAWN_DECIMALS)}`);
  }
  return pairs.join(";");
}

/** [x, y, x, y] ← "x,y;x,y"; anything malformed or outside the drawing area is dropped. */
export function decodeDrawnPoints(text: string): number[] {
  const points: number[] = [];
  for (const pair of text.split(";")) {
    const [x, y] = pair.split(",").map(Number);
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (Math.abs(x) > DRAWN_EXTENT || Math.abs(y) > DRAWN_EXTENT) continue;
    points.push(x, y);
    if (points.length >= 2 * MAX_DRAWN_POINTS) break;
  }
  return points;
}

/** A default drawing (a smile), so that choosing "drawn" trains at once. */
export const DEFAULT_DRAWN_POINTS: readonly number[] = (() => {
  const points: number[] = [];
  const smileCount = 16;
  for (let index = 0; index < smileCount; index++) {
    const angle = Math.PI * (1.15 + (0.7 * index) / (smileCount - 1));
    points.push(Math.cos(angle) * 1.2, Math.sin(angle) * 1.2 + 0.3);
  }
  points.push(-0.6, 0.8, 0.6, 0.8);
  return points.map((value) => Math.round(value * 100) / 100);
})();
