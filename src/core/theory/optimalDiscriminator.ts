/**
 * The optimal discriminator (Goodfellow et al. 2014, Proposition 1): for G fixed,
 *
 *   D*_G(x) = p_data(x) / (p_data(x) + p_g(x)),
 *
 * computed on a grid in log space — logit D* = log p_data − log p_g — so it stays exact where both densities are tiny.
 * Also the yardsticks used to compare a trained D with D*: the region where the comparison is meaningful and the
 * max / mean / mass-weighted distances over it.
 */
import { expectationOnGrid, type Grid1d as Grid } from "../numerics/grid.js";
import { sigmoid } from "../numerics/scalar.js";
import type { DensityOnGrid } from "./grid.js";

/**
 * A grid point is in the comparison region when p_data + p_g there is at least this fraction of its largest value on
 * the grid. Where both densities are negligible D* is a ratio of two vanishing numbers that no finite sample (and so
 * no trained D) can see; 1% keeps every point within ~3 standard deviations of either distribution's mode.
 */
export const REGION_DENSITY_FRACTION = 0.01;

/** logit D*(xᵢ) = log p_data(xᵢ) − log p_g(xᵢ) [count]; ±Infinity where one density is 0, NaN where both are. */
export function optimalDiscriminatorLogits(data: DensityOnGrid, generated: DensityOnGrid): Float64Array {
  return data.logDensity.map((logData, i) => logData - generated.logDensity[i]!);
}

/** D*(xᵢ) = p_data / (p_data + p_g) [count]; 1/2 where both densities are 0 (every D is optimal there). */
export function optimalDiscriminator(data: DensityOnGrid, generated: DensityOnGrid): Float64Array {
  return optimalDiscriminatorLogits(data, generated).map((logit) => (Number.isNaN(logit) ? 0.5 : sigmoid(logit)));
}

/** Grid points where p_data + p_g ≥ `fraction` · its maximum: a mask [count] of 1s and 0s. */
export function comparisonRegion(
  data: DensityOnGrid,
  generated: DensityOnGrid,
  fraction = REGION_DENSITY_FRACTION,
): Uint8Array {
  const total = data.density.map((value, i) => value + generated.density[i]!);
  let largest = 0;
  for (const value of total) largest = Math.max(largest, value);
  return Uint8Array.from(total, (value) => (value >= fraction * largest ? 1 : 0));
}

/** How far one function of x is from another on a region of the grid. */
export interface GridDistance {
  /** max |a − b| over the region. */
  max: number;
  /** Unweighted mean |a − b| over the region's grid points. */
  mean: number;
  /** ∫ |a − b| · (p_data + p_g)/2 dx / ∫ (p_data + p_g)/2 dx over the region: weighted by where samples fall. */
  massWeightedMean: number;
  /** The x where the max is reached. */
  argmax: number;
  /** Grid points in the region. */
  points: number;
  /** The region's extent [first point, last point] (it may have gaps; this is its hull). */
  extent: [number, number];
}

/** Distances between `a` and `b` [count] over the points where `region` is 1, weighted for the mass-weighted mean. */
export function distanceOnRegion(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  region: Uint8Array,
  data: DensityOnGrid,
  generated: DensityOnGrid,
  grid: Grid,
): GridDistance {
  let max = 0;
  let argmax = Number.NaN;
  let sum = 0;
  let points = 0;
  let weightedSum = 0;
  let weightTotal = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  for (let i = 0; i < grid.count; i++) {
    if (!region[i]) continue;
    const difference = Math.abs(a[i]! - b[i]!);
    const weight = 0.5 * (data.density[i]! + generated.density[i]!);
    if (difference > max) {
      max = difference;
      argmax = grid.points[i]!;
    }
    sum += difference;
    weightedSum += weight * difference;
    weightTotal += weight;
    points += 1;
    if (Number.isNaN(first)) first = grid.points[i]!;
    last = grid.points[i]!;
  }
  return {
    max,
    mean: sum / points,
    massWeightedMean: weightedSum / weightTotal,
    argmax,
    points,
    extent: [first, last],
  };
}

/** E_{p_data}|D − 1/2| = ∫ p_data |D(x) − 1/2| dx / ∫ p_data dx: how far D is from the equilibrium where data is. */
export function meanDistanceFromHalf(discriminator: ArrayLike<number>, data: DensityOnGrid, grid: Grid): number {
  const distance = Float64Array.from(discriminator, (value) => Math.abs(value - 0.5));
  return expectationOnGrid(data.density, distance, grid);
}
