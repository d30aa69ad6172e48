/**
 * Gaussian kernel density estimation (KDE) on a grid, and the bandwidth rules — the one implementation used by the
 * divergence metric, the theory experiments and the lab.
 *
 * The KDE (1/n) Σ_i N(x; x_i, h² I) uses linear binning and a separable, discretely normalised Gaussian kernel
 * truncated at ±KERNEL_HALF_WIDTH_BANDWIDTHS bandwidths (Wand 1994): each sample's unit mass is split between its
 * neighbouring grid points, then convolved axis by axis. Mass is conserved exactly, even when the bandwidth is below
 * the grid spacing, and the cost is O(grid points · kernel width) instead of O(grid points · samples).
 *
 * Bandwidth. Scott's rule h = σ̂ n^(−1/(d+4)) and Silverman's 0.9 · min(σ̂, IQR/1.34) · n^(−1/5) assume a unimodal
 * density and grossly oversmooth the toys: for the ring (8 modes of std 0.01 on the unit circle) σ̂ ≈ 0.7 gives
 * Scott's h ≈ 0.19, nineteen times the mode width, so even perfect samples would score a large JSD. The metric's
 * default is therefore likelihood cross-validation — the Parzen protocol in miniature: the first half of the samples
 * (of at most MAX_CROSS_VALIDATION_SAMPLES) are the kernel centres, the second half choose h from
 * BANDWIDTH_CANDIDATES log-spaced values between a floor and Scott's h by mean log-likelihood, and the chosen h is
 * rescaled by (centres ÷ n)^(1/(d+4)) for the full sample (the asymptotic n-dependence of the optimal h). The
 * samples must be in random order (i.i.d. draws are): the two halves must come from the same distribution.
 */
import type { Grid } from "./grid.js";
import { logspace, meanAndStd, meanAndVariance, sortedQuantile } from "./scalar.js";

/** Kernels are truncated at ± this many bandwidths (6e-5 of a 1-D Gaussian's mass lies beyond). */
export const KERNEL_HALF_WIDTH_BANDWIDTHS = 4;
/** Cross-validation uses at most this many samples (half centres, half held out): O(n²) pairs. */
export const MAX_CROSS_VALIDATION_SAMPLES = 5000;
/** Number of bandwidths cross-validation tries. */
export const BANDWIDTH_CANDIDATES = 16;
/**
 * Silverman's rule-of-thumb constant (Silverman 1986, eq. 3.31): h = 0.9 · min(σ̂, IQR / 1.34) · n^(−1/5), the
 * bandwidth that is near-optimal in mean integrated squared error for roughly Gaussian 1-D data.
 */
export const SILVERMAN_FACTOR = 0.9;
/** IQR / 1.34 estimates σ for Gaussian data (the normal's interquartile range is 1.349σ). */
const IQR_PER_STD = 1.34;

const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

/** The bandwidth rules: cross-validation, Scott's rule, or a fixed number. */
export type BandwidthRule = "cross-validation" | "scott" | number;

/** Scott's rule: σ̂ n^(−1/(d+4)), σ̂² the mean of the per-axis sample variances. 0 for identical samples. */
export function scottBandwidth(samples: ArrayLike<number>, dimension: number): number {
  const count = samples.length / dimension;
  if (count < 2) return 0;
  let variance = 0;
  for (let axis = 0; axis < dimension; axis++) {
    variance += meanAndVariance(column(samples, dimension, axis), "sample").variance / dimension;
  }
  return Math.sqrt(variance) * count ** (-1 / (dimension + 4));
}

/** Silverman's rule of thumb for 1-D samples (see {@link SILVERMAN_FACTOR}), never below `floor`. */
export function silvermanBandwidth(samples: ArrayLike<number>, floor = 0): number {
  const sorted = Float64Array.from(samples).sort();
  const { std } = meanAndStd(sorted);
  const spread = Math.min(std, (sortedQuantile(sorted, 0.75) - sortedQuantile(sorted, 0.25)) / IQR_PER_STD) || std;
  return Math.max(floor, SILVERMAN_FACTOR * spread * sorted.length ** -0.2);
}

/** One coordinate of rows [n, dimension] → [n] (the samples themselves in 1-D). */
function column(samples: ArrayLike<number>, dimension: number, axis: number): ArrayLike<number> {
  if (dimension === 1) return samples;
  return Float64Array.from({ length: samples.length / dimension }, (_, row) => samples[row * dimension + axis]!);
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
export function chooseBandwidth(
  samples: ArrayLike<number>,
  dimension: number,
  rule: BandwidthRule,
  floor: number,
): BandwidthChoice {
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
 * bandwidth: the Parzen window of metrics/parzen.ts, in plain JavaScript because toys have 1 or 2 dimensions (a 1 250 ×
 * 1 250 table of distances is cheaper to loop over than to ship to a backend). Log-sum-exp is stabilised by each
 * point's nearest centre.
 */
function heldOutLogLikelihoods(
  samples: ArrayLike<number>,
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
export function gaussianKdeOnGrid(samples: ArrayLike<number>, grid: Grid, bandwidth: number): Float64Array {
  if (!(bandwidth > 0)) throw new RangeError(`kernel density: bandwidth must be positive, got ${bandwidth}`);
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
