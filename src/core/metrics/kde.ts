/**
 * Densities on a grid for the 1-D and 2-D toys: the exact p_data, and p_g as a Gaussian kernel density estimate
 * (KDE) of generated samples. divergence.ts integrates both numerically on the same grid.
 *
 * The grid covers the data's box (toys.ts `bounds`: outermost modes ± 5 std) and the generated samples (± 4
 * bandwidths), but never more than EXTENT_LIMIT_WIDTHS box widths beyond the data box on each side; samples beyond
 * that (a diverging generator) and kernel tails past the edges become "mass outside the grid", where p_data = 0.
 * Spacing: GRID_POINTS_PER_STD points per mode std, so the narrowest Gaussians are resolved (a Riemann sum of a
 * Gaussian with spacing σ/4 is exact far below float64 rounding), within MIN/MAX_GRID_POINTS per axis.
 *
 * The KDE uses linear binning and a separable, discretely normalised Gaussian kernel truncated at ±4 bandwidths
 * (Wand 1994): each sample's unit mass is split between its neighbouring grid points, then convolved axis by axis.
 * Mass is conserved exactly, even when the bandwidth is below the grid spacing.
 *
 * Bandwidth. Scott's rule h = σ̂ n^(−1/(d+4)) assumes a unimodal density and grossly oversmooths the toys: for the
 * ring (8 modes of std 0.01 on the unit circle) σ̂ ≈ 0.7 gives h ≈ 0.19, nineteen times the mode width, so even
 * perfect samples would score a large JSD. The default is therefore likelihood cross-validation — the Parzen
 * protocol in miniature: the first half of the samples (of at most MAX_CROSS_VALIDATION_SAMPLES) are the kernel
 * centres, the second half choose h from BANDWIDTH_CANDIDATES log-spaced values between half the finest grid spacing
 * and Scott's h by mean log-likelihood, and the chosen h is rescaled by (centres ÷ n)^(1/(d+4)) for the full sample
 * (the asymptotic n-dependence of the optimal h).
 */
import type { ToyDistribution } from "../data/toys.js";
import { logspace } from "./matrix.js";

/** Grid points per mode standard deviation. */
export const GRID_POINTS_PER_STD = 4;
/** Fewest grid points per axis (so a wide unimodal toy is still integrated finely). */
export const MIN_GRID_POINTS: Readonly<Record<1 | 2, number>> = { 1: 2001, 2: 401 };
/** Most grid points per axis (a 2-D grid of 1025² ≈ 1 M points stays under a second to fill). */
export const MAX_GRID_POINTS: Readonly<Record<1 | 2, number>> = { 1: 100_001, 2: 1025 };
/** The grid extends at most this many data-box widths beyond the data box on each side. */
export const EXTENT_LIMIT_WIDTHS = 2;
/** Kernels are truncated at ± this many bandwidths (6e-5 of a 1-D Gaussian's mass lies beyond). */
export const KERNEL_HALF_WIDTH_BANDWIDTHS = 4;
/** Cross-validation uses at most this many samples (half centres, half held out): O(n²) pairs. */
export const MAX_CROSS_VALIDATION_SAMPLES = 5000;
/** Number of bandwidths cross-validation tries. */
export const BANDWIDTH_CANDIDATES = 16;

const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

/** The bandwidth rules: cross-validation (default), Scott's rule, or a fixed number. */
export type BandwidthRule = "cross-validation" | "scott" | number;

/** The part of a toy distribution the grid needs. */
export type GridLayout = Pick<ToyDistribution, "dimension" | "bounds" | "modeStd">;

/** A regular grid: points are the outer product of `axes`; flat index = i·axes[1].length + j in 2-D. */
export interface DensityGrid {
  dimension: 1 | 2;
  /** Grid coordinates along each axis. */
  axes: Float64Array[];
  /** Spacing along each axis. */
  spacing: number[];
  /** Product of the spacings: the weight of one grid point in a Riemann sum. */
  cellVolume: number;
  /** Total number of grid points. */
  size: number;
}

/** The grid for `layout` that also covers `samples` [n, dimension] ± `margin` (within the extent limit). */
export function densityGrid(layout: GridLayout, samples: Float32Array, margin: number): DensityGrid {
  const { dimension, bounds, modeStd } = layout;
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
  return {
    dimension,
    axes,
    spacing,
    cellVolume: spacing.reduce((product, step) => product * step, 1),
    size: axes.reduce((product, axis) => product * axis.length, 1),
  };
}

/** The exact density of `distribution` at every grid point [grid.size]. */
export function dataDensityOnGrid(distribution: Pick<ToyDistribution, "density">, grid: DensityGrid): Float64Array {
  const density = new Float64Array(grid.size);
  const [xs, ys] = grid.axes;
  if (grid.dimension === 1) {
    const point = [0];
    xs!.forEach((x, index) => {
      point[0] = x;
      density[index] = distribution.density(point);
    });
    return density;
  }
  const point = [0, 0];
  const columns = ys!.length;
  for (let i = 0; i < xs!.length; i++) {
    point[0] = xs![i]!;
    for (let j = 0; j < columns; j++) {
      point[1] = ys![j]!;
      density[i * columns + j] = distribution.density(point);
    }
  }
  return density;
}

/** Scott's rule: σ̂ n^(−1/(d+4)), σ̂² the mean of the per-axis sample variances. 0 for identical samples. */
export function scottBandwidth(samples: Float32Array, dimension: number): number {
  const count = samples.length / dimension;
  if (count < 2) return 0;
  let variance = 0;
  for (let axis = 0; axis < dimension; axis++) {
    let sum = 0;
    for (let index = axis; index < samples.length; index += dimension) sum += samples[index]!;
    const mean = sum / count;
    let squares = 0;
    for (let index = axis; index < samples.length; index += dimension) squares += (samples[index]! - mean) ** 2;
    variance += squares / (count - 1) / dimension;
  }
  return Math.sqrt(variance) * count ** (-1 / (dimension + 4));
}

/** The bandwidth chosen and how. */
export interface BandwidthChoice {
  bandwidth: number;
  rule: "cross-validation" | "scott" | "fixed";
  /** Cross-validation only: each candidate and its mean held-out log-likelihood. */
  candidates?: Array<{ bandwidth: number; meanLogLikelihood: number }>;
}

/**
 * Chooses the KDE bandwidth for `samples` [n, dimension] (finite values only) by `rule`; never below `floor` (half
 * the finest grid spacing: narrower kernels cannot be resolved).
 */
export async function chooseBandwidth(
  samples: Float32Array,
  dimension: number,
  rule: BandwidthRule,
  floor: number,
): Promise<BandwidthChoice> {
  if (typeof rule === "number") {
    if (!(rule > 0)) throw new RangeError(`bandwidth must be positive, got ${rule}`);
    return { bandwidth: rule, rule: "fixed" };
  }
  const scott = Math.max(scottBandwidth(samples, dimension), floor);
  const count = samples.length / dimension;
  const half = Math.floor(Math.min(count, MAX_CROSS_VALIDATION_SAMPLES) / 2);
  if (rule === "scott" || half < 2) return { bandwidth: scott, rule: "scott" };
  const candidates = scott > floor ? logspace(Math.log10(floor), Math.log10(scott), BANDWIDTH_CANDIDATES) : [floor];
  const scored = heldOutLogLikelihoods(samples, dimension, half, candidates);
  const best = scored.reduce((a, b) => (b.meanLogLikelihood > a.meanLogLikelihood ? b : a));
  // The optimal bandwidth shrinks like n^(−1/(d+4)): rescale from the `half` centres to all n samples.
  const bandwidth = Math.max(best.bandwidth * (half / count) ** (1 / (dimension + 4)), floor);
  return { bandwidth, rule: "cross-validation", candidates: scored };
}

/**
 * Mean log-likelihood of samples [half, 2·half) under the Gaussian KDE centred on samples [0, half), for each
 * bandwidth: the Parzen window of parzen.ts, in plain JavaScript because toys have 1 or 2 dimensions (a 1 250 ×
 * 1 250 table of distances is cheaper to loop over than to ship to a backend). Log-sum-exp is stabilised by each
 * point's nearest centre.
 */
function heldOutLogLikelihoods(
  samples: Float32Array,
  dimension: number,
  half: number,
  bandwidths: readonly number[],
): Array<{ bandwidth: number; meanLogLikelihood: number }> {
  const totals = new Float64Array(bandwidths.length);
  const squared = new Float64Array(half);
  const logHalf = Math.log(half);
  for (let point = 0; point < half; point++) {
    const offset = (half + point) * dimension;
    let nearest = Infinity;
    for (let centre = 0; centre < half; centre++) {
      let sum = 0;
      for (let axis = 0; axis < dimension; axis++)
        sum += (samples[offset + axis]! - samples[centre * dimension + axis]!) ** 2;
      squared[centre] = sum;
      if (sum < nearest) nearest = sum;
    }
    bandwidths.forEach((bandwidth, index) => {
      const scale = -1 / (2 * bandwidth * bandwidth);
      let sum = 0;
      for (let centre = 0; centre < half; centre++) sum += Math.exp((squared[centre]! - nearest) * scale);
      // log (1/M) Σ_j N(x; μ_j, h² I) = log Σ_j exp(−d_j²/2h²) − log M − d·log(h√(2π))
      totals[index] =
        totals[index]! + nearest * scale + Math.log(sum) - logHalf - dimension * Math.log(bandwidth * SQRT_TWO_PI);
    });
  }
  return bandwidths.map((bandwidth, index) => ({ bandwidth, meanLogLikelihood: totals[index]! / half }));
}

/** The discrete Gaussian kernel for one axis, normalised to sum 1, half-width ⌈4h/Δ⌉. */
function axisKernel(bandwidth: number, step: number): Float64Array {
  const halfWidth = Math.ceil((KERNEL_HALF_WIDTH_BANDWIDTHS * bandwidth) / step);
  const kernel = Float64Array.from({ length: 2 * halfWidth + 1 }, (_, index) =>
    Math.exp(-(((index - halfWidth) * step) ** 2) / (2 * bandwidth * bandwidth)),
  );
  const total = kernel.reduce((a, b) => a + b, 0);
  return kernel.map((value) => value / total);
}

/** Convolves `values` along one axis: `count` lines of `length` points, consecutive points `stride` apart. */
function convolveAxis(
  values: Float64Array,
  kernel: Float64Array,
  lines: number,
  length: number,
  lineStride: number,
  pointStride: number,
): Float64Array {
  const output = new Float64Array(values.length);
  const halfWidth = (kernel.length - 1) / 2;
  for (let line = 0; line < lines; line++) {
    const base = line * lineStride;
    for (let source = 0; source < length; source++) {
      const value = values[base + source * pointStride]!;
      if (value === 0) continue; // binned samples are sparse along most lines
      const first = Math.max(0, source - halfWidth);
      const last = Math.min(length - 1, source + halfWidth);
      for (let target = first; target <= last; target++) {
        const at = base + target * pointStride;
        output[at] = output[at]! + value * kernel[target - source + halfWidth]!;
      }
    }
  }
  return output;
}

/**
 * The Gaussian KDE (1/n) Σ_i N(x; x_i, h² I) of `samples` [n, dimension] at every grid point [grid.size]. Samples
 * outside the grid and kernel mass past its edges are lost, so Σ density · cellVolume = the mass on the grid ≤ 1.
 */
export function gaussianKdeOnGrid(samples: Float32Array, grid: DensityGrid, bandwidth: number): Float64Array {
  const { dimension, axes, spacing } = grid;
  const count = samples.length / dimension;
  const lengths = axes.map((axis) => axis.length);
  const binned = new Float64Array(grid.size);
  const columns = dimension === 2 ? lengths[1]! : 1;
  for (let row = 0; row < count; row++) {
    // Linear binning: fractional grid position u = (x − low)/Δ per axis, mass split between ⌊u⌋ and ⌊u⌋ + 1.
    const cells: Array<[number, number][]> = [];
    let inside = true;
    for (let axis = 0; axis < dimension && inside; axis++) {
      const position = (samples[row * dimension + axis]! - axes[axis]![0]!) / spacing[axis]!;
      if (!(position >= 0 && position <= lengths[axis]! - 1)) inside = false; // also rejects NaN
      const lower = Math.min(Math.floor(position), lengths[axis]! - 2);
      const fraction = position - lower;
      cells.push([
        [lower, 1 - fraction],
        [lower + 1, fraction],
      ]);
    }
    if (!inside) continue;
    if (dimension === 1) {
      for (const [index, weight] of cells[0]!) binned[index] = binned[index]! + weight;
    } else {
      for (const [i, wi] of cells[0]!) {
        for (const [j, wj] of cells[1]!) binned[i * columns + j] = binned[i * columns + j]! + wi * wj;
      }
    }
  }
  let smoothed: Float64Array;
  if (dimension === 1) {
    smoothed = convolveAxis(binned, axisKernel(bandwidth, spacing[0]!), 1, lengths[0]!, 0, 1);
  } else {
    // Along y (contiguous) for each x line, then along x (stride = columns) for each y line.
    const alongY = convolveAxis(binned, axisKernel(bandwidth, spacing[1]!), lengths[0]!, columns, columns, 1);
    smoothed = convolveAxis(alongY, axisKernel(bandwidth, spacing[0]!), columns, lengths[0]!, 1, columns);
  }
  const scale = 1 / (count * grid.cellVolume);
  for (let index = 0; index < smoothed.length; index++) smoothed[index] = smoothed[index]! * scale;
  return smoothed;
}
