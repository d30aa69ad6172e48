/**
 * Regular evaluation grids in one and two dimensions, and integrals on them as Riemann sums Σ f(xᵢ) · cellVolume.
 *
 * Two ways to lay a grid out:
 * - `uniformGrid(low, high, count)`: 1-D, `count` equal cells over [low, high] with the points at the cell centres
 *   (the midpoint rule, which for smooth fast-decaying densities is accurate to float64 precision once the spacing is
 *   a fraction of the narrowest standard deviation) — the theory experiments and the lab's 1-D page;
 * - `densityGrid(layout, samples, margin)`: 1-D or 2-D, points from edge to edge of a box that covers a toy
 *   distribution and a set of samples, GRID_POINTS_PER_STD points per mode std — the divergence metric.
 *
 * `densityGrid` covers the data's box (toys.ts `bounds`: outermost modes ± 5 std) and the generated samples
 * (± `margin`), but never more than EXTENT_LIMIT_WIDTHS box widths beyond the data box on each side; samples beyond
 * that (a diverging generator) become "mass outside the grid", where p_data = 0.
 */

/** A regular grid: points are the outer product of `axes`; flat index = i·axes[1].length + j in 2-D. */
export interface Grid {
  readonly dimension: 1 | 2;
  /** Grid coordinates along each axis. */
  readonly axes: readonly Float64Array[];
  /** Spacing along each axis. */
  readonly spacing: readonly number[];
  /** Product of the spacings: the weight of one grid point in a Riemann sum. */
  readonly cellVolume: number;
  /** Total number of grid points. */
  readonly size: number;
}

/** A 1-D grid of `count` equal cells over [low, high]; `points[i]` = low + (i + ½)·step is the centre of cell i. */
export interface Grid1d extends Grid {
  readonly dimension: 1;
  readonly low: number;
  readonly high: number;
  readonly count: number;
  /** Cell width Δ = (high − low) / count. */
  readonly step: number;
  /** Cell centres [count]. */
  readonly points: Float64Array;
}

/** Grid points per mode standard deviation. */
export const GRID_POINTS_PER_STD = 4;
/** Fewest grid points per axis (so a wide unimodal toy is still integrated finely). */
export const MIN_GRID_POINTS: Readonly<Record<1 | 2, number>> = { 1: 2001, 2: 401 };
/** Most grid points per axis (a 2-D grid of 1025² ≈ 1 M points stays under a second to fill). */
export const MAX_GRID_POINTS: Readonly<Record<1 | 2, number>> = { 1: 100_001, 2: 1025 };
/** The grid extends at most this many data-box widths beyond the data box on each side. */
export const EXTENT_LIMIT_WIDTHS = 2;

/** `count` cells over [low, high], points at the cell centres. */
export function uniformGrid(low: number, high: number, count: number): Grid1d {
  if (!(high > low) || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`grid: need low < high and a positive integer count, got [${low}, ${high}], ${count}`);
  }
  const step = (high - low) / count;
  const points = new Float64Array(count);
  for (let i = 0; i < count; i++) points[i] = low + (i + 0.5) * step;
  return {
    dimension: 1,
    axes: [points],
    spacing: [step],
    cellVolume: step,
    size: count,
    low,
    high,
    count,
    step,
    points,
  };
}

/** The grid whose axes are `axes`, each evenly spaced by `spacing` (default: its first two points' distance). */
export function gridFromAxes(axes: Float64Array[], spacing = axes.map((axis) => axis[1]! - axis[0]!)): Grid {
  if (axes.length !== 1 && axes.length !== 2) throw new RangeError(`grid: ${axes.length} axes (1 or 2 supported)`);
  return {
    dimension: axes.length as 1 | 2,
    axes,
    spacing,
    cellVolume: spacing.reduce((product, step) => product * step, 1),
    size: axes.reduce((product, axis) => product * axis.length, 1),
  };
}

/** What `densityGrid` needs of a toy distribution: its dimension, its box and its narrowest scale. */
export interface GridLayout {
  readonly dimension: number;
  readonly bounds: { readonly low: readonly number[]; readonly high: readonly number[] };
  readonly modeStd: number;
}

/** The grid for `layout` that also covers `samples` [n, dimension] ± `margin` (within the extent limit). */
export function densityGrid(layout: GridLayout, samples: ArrayLike<number>, margin: number): Grid {
  const { bounds, modeStd } = layout;
  const dimension = layout.dimension as 1 | 2;
  const axes: Float64Array[] = [];
  const spacing: number[] = [];
  for (let axis = 0; axis < dimension; axis++) {
    const dataLow = bounds.low[axis]!;
    const dataHigh = bounds.high[axis]!;
    const width = dataHigh - dataLow;
    let sampleLow = Infinity;
    let sampleHigh = -Infinity;
    for (let index = axis; index < samples.length; index += dimension) {
      const value = samples[index]!;
      if (value < sampleLow) sampleLow = value; // NaN compares false and is skipped
      if (value > sampleHigh) sampleHigh = value;
    }
    const low = Math.max(Math.min(dataLow, sampleLow - margin), dataLow - EXTENT_LIMIT_WIDTHS * width);
    const high = Math.min(Math.max(dataHigh, sampleHigh + margin), dataHigh + EXTENT_LIMIT_WIDTHS * width);
    const wanted = Math.ceil(((high - low) * GRID_POINTS_PER_STD) / modeStd) + 1;
    const points = Math.min(Math.max(wanted, MIN_GRID_POINTS[dimension]), MAX_GRID_POINTS[dimension]);
    const step = (high - low) / (points - 1);
    axes.push(Float64Array.from({ length: points }, (_, index) => low + step * index));
    spacing.push(step);
  }
  return gridFromAxes(axes, spacing);
}

/** f at every grid point [grid.size] (f receives a reused point array [dimension]). */
export function functionOnGrid(f: (point: number[]) => number, grid: Grid): Float64Array {
  const values = new Float64Array(grid.size);
  const [xs, ys] = grid.axes;
  if (grid.dimension === 1) {
    const point = [0];
    for (let index = 0; index < xs!.length; index++) {
      point[0] = xs![index]!;
      values[index] = f(point);
    }
    return values;
  }
  const point = [0, 0];
  const columns = ys!.length;
  for (let i = 0; i < xs!.length; i++) {
    point[0] = xs![i]!;
    for (let j = 0; j < columns; j++) {
      point[1] = ys![j]!;
      values[i * columns + j] = f(point);
    }
  }
  return values;
}

/** ∫ f by the Riemann sum Σ f(xᵢ) · cellVolume. `values` [grid.size]. */
export function integrate(values: ArrayLike<number>, grid: Grid): number {
  let sum = 0;
  for (let i = 0; i < grid.size; i++) sum += values[i]!;
  return sum * grid.cellVolume;
}

/** Mean of f under the density p on the grid: ∫ p·f / ∫ p. `density`, `values` [grid.size]. */
export function expectationOnGrid(density: ArrayLike<number>, values: ArrayLike<number>, grid: Grid): number {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < grid.size; i++) {
    weighted += density[i]! * values[i]!;
    total += density[i]!;
  }
  return weighted / total;
}
