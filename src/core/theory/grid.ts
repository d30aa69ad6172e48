/**
 * 1-D densities on a grid: the common ground of the theory experiments (Goodfellow et al. 2014, section 4).
 *
 * A grid is `count` equal cells over [low, high]; a function is stored at the cell centres and integrated with the
 * midpoint rule Σ f(xᵢ)·Δ, which for the smooth, fast-decaying densities used here (Gaussians) is accurate to
 * float64 precision once Δ is a fraction of the narrowest standard deviation. Every density is kept twice, as values
 * and as logs, so that ratios and logs far in the tails (p ≈ 1e-200) stay exact instead of underflowing to 0/0.
 *
 * Three sources of p on a grid: an exact formula (toys, Gaussians), a Gaussian kernel density estimate of samples,
 * and the exact pushforward of a 1-D prior through a known map x = G(z) (any G, e.g. a ReLU network, evaluated on a
 * fine z grid and taken as linear between the z points — exact for piecewise-linear G away from its kinks).
 */
import type { ToyDistribution } from "../data/toys.js";

/** `count` equal cells over [low, high]; `points[i]` = low + (i + ½)·step is the centre of cell i. */
export interface Grid {
  readonly low: number;
  readonly high: number;
  readonly count: number;
  /** Cell width Δ = (high − low) / count. */
  readonly step: number;
  /** Cell centres [count]. */
  readonly points: Float64Array;
}

/** A density at a grid's cell centres, as values and as natural logs (−Infinity where it is 0). */
export interface DensityOnGrid {
  /** p(xᵢ) [count]. */
  readonly density: Float64Array;
  /** log p(xᵢ) [count]; finite far into the tails when the source has an exact log density. */
  readonly logDensity: Float64Array;
}

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Kernels further than this many bandwidths from a grid point are skipped: a Gaussian kernel there is below
 * e^(−32) ≈ 1.3e-14 of its peak, under float32 resolution of the samples themselves.
 */
export const KERNEL_CUTOFF_BANDWIDTHS = 8;
/**
 * Silverman's rule-of-thumb constant (Silverman 1986, eq. 3.31): h = 0.9 · min(σ̂, IQR / 1.34) · n^(−1/5), the
 * bandwidth that is near-optimal in mean integrated squared error for roughly Gaussian data.
 */
export const SILVERMAN_FACTOR = 0.9;
/** IQR / 1.34 estimates σ for Gaussian data (the normal's interquartile range is 1.349σ). */
const IQR_PER_STD = 1.34;
/** Segments of a pushforward narrower than this (in x) are treated as atoms: all their mass goes into one cell. */
const ATOM_WIDTH = 1e-12;

/** A grid of `count` cells over [low, high]. */
export function uniformGrid(low: number, high: number, count: number): Grid {
  if (!(high > low) || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`grid: need low < high and a positive integer count, got [${low}, ${high}], ${count}`);
  }
  const step = (high - low) / count;
  const points = new Float64Array(count);
  for (let i = 0; i < count; i++) points[i] = low + (i + 0.5) * step;
  return { low, high, count, step, points };
}

/** ∫ f dx by the midpoint rule: Σ f(xᵢ)·Δ. `values` [grid.count]. */
export function integrate(values: ArrayLike<number>, grid: Grid): number {
  let sum = 0;
  for (let i = 0; i < grid.count; i++) sum += values[i]!;
  return sum * grid.step;
}

/** log(e^a + e^b) without overflow or underflow; −Infinity when both are. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const largest = Math.max(a, b);
  return largest + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** log N(x; mean, std²). */
export function gaussianLogDensity(x: number, mean: number, std: number): number {
  const standardised = (x - mean) / std;
  return -0.5 * standardised * standardised - Math.log(std) - LOG_SQRT_TWO_PI;
}

/** Builds a DensityOnGrid from log densities (values = exp(log)). */
export function fromLogDensity(logDensity: Float64Array): DensityOnGrid {
  return { density: logDensity.map(Math.exp), logDensity };
}

/** Builds a DensityOnGrid from values (logs = log(values), −Infinity at 0). */
export function fromDensity(density: Float64Array): DensityOnGrid {
  return { density, logDensity: density.map(Math.log) };
}

/** N(mean, std²) on the grid, exactly. */
export function gaussianOnGrid(mean: number, std: number, grid: Grid): DensityOnGrid {
  return fromLogDensity(grid.points.map((x) => gaussianLogDensity(x, mean, std)));
}

/** A toy distribution's exact density on the grid (1-D toys only). */
export function toyDensityOnGrid(distribution: ToyDistribution, grid: Grid): DensityOnGrid {
  if (distribution.dimension !== 1) throw new RangeError(`${distribution.name}: the theory experiments are 1-D`);
  const point = new Float64Array(1);
  return fromLogDensity(
    grid.points.map((x) => {
      point[0] = x;
      return distribution.logDensity(point);
    }),
  );
}

/** Mean and standard deviation (population, float64) of samples. */
export function meanAndStd(samples: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  const mean = sum / samples.length;
  let squares = 0;
  for (let i = 0; i < samples.length; i++) squares += (samples[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / samples.length) };
}

/** Silverman's rule-of-thumb bandwidth for a Gaussian KDE of 1-D samples (see {@link SILVERMAN_FACTOR}). */
export function silvermanBandwidth(samples: ArrayLike<number>): number {
  const sorted = Float64Array.from(samples).sort();
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const { std } = meanAndStd(sorted);
  const spread = Math.min(std, (quantile(0.75) - quantile(0.25)) / IQR_PER_STD) || std;
  return SILVERMAN_FACTOR * spread * sorted.length ** -0.2;
}

/**
 * Gaussian kernel density estimate of 1-D samples on the grid: p̂(x) = (1/n) Σⱼ N(x; sⱼ, h²), h by Silverman's rule
 * unless given. It is the density of p_g convolved with N(0, h²), so it is slightly too wide (variance + h²).
 */
export function kernelDensityOnGrid(samples: ArrayLike<number>, grid: Grid, bandwidth?: number): DensityOnGrid {
  const h = bandwidth ?? silvermanBandwidth(samples);
  if (!(h > 0)) throw new RangeError(`kernel density: bandwidth must be positive, got ${h}`);
  const density = new Float64Array(grid.count);
  const normaliser = 1 / (samples.length * h * Math.sqrt(2 * Math.PI));
  const reach = KERNEL_CUTOFF_BANDWIDTHS * h;
  for (let j = 0; j < samples.length; j++) {
    const sample = samples[j]!;
    const first = Math.max(0, Math.floor((sample - reach - grid.low) / grid.step));
    const last = Math.min(grid.count - 1, Math.ceil((sample + reach - grid.low) / grid.step));
    for (let i = first; i <= last; i++) {
      const standardised = (grid.points[i]! - sample) / h;
      density[i]! += normaliser * Math.exp(-0.5 * standardised * standardised);
    }
  }
  return fromDensity(density);
}

/**
 * The density of x = G(z) on the grid, for a 1-D prior, from G evaluated on a fine, increasing z grid.
 *
 * Between consecutive z points G is taken as linear, so the prior mass of segment i, `segmentMass[i]`, is spread
 * uniformly over [G(zᵢ), G(zᵢ₊₁)] (either order; a flat segment is an atom in one cell). Summing the overlap of every
 * segment with every cell gives cell masses; density = mass / Δ. For a ReLU network with a linear output G is
 * piecewise linear, so this is exact except in the few segments that hold a kink. Mass outside [low, high] is lost
 * and reported.
 *
 * `mapped` [segments + 1]: G at the z points; `segmentMass` [segments]: prior mass between consecutive z points.
 */
export function pushforwardOnGrid(
  mapped: ArrayLike<number>,
  segmentMass: ArrayLike<number>,
  grid: Grid,
): DensityOnGrid & { outsideMass: number } {
  if (mapped.length !== segmentMass.length + 1) {
    throw new RangeError(`pushforward: ${mapped.length} mapped points for ${segmentMass.length} segments`);
  }
  const mass = new Float64Array(grid.count);
  let outsideMass = 0;
  const cellOf = (x: number) => Math.floor((x - grid.low) / grid.step);
  for (let segment = 0; segment < segmentMass.length; segment++) {
    const segmentTotal = segmentMass[segment]!;
    const start = Math.min(mapped[segment]!, mapped[segment + 1]!);
    const end = Math.max(mapped[segment]!, mapped[segment + 1]!);
    const width = end - start;
    if (width < ATOM_WIDTH) {
      const cell = cellOf(start);
      if (cell >= 0 && cell < grid.count) mass[cell]! += segmentTotal;
      else outsideMass += segmentTotal;
      continue;
    }
    let placed = 0;
    const first = Math.max(0, cellOf(start));
    const last = Math.min(grid.count - 1, cellOf(end));
    for (let cell = first; cell <= last; cell++) {
      const cellLow = grid.low + cell * grid.step;
      const overlap = Math.min(end, cellLow + grid.step) - Math.max(start, cellLow);
      if (overlap <= 0) continue;
      const share = (segmentTotal * overlap) / width;
      mass[cell]! += share;
      placed += share;
    }
    outsideMass += Math.max(0, segmentTotal - placed);
  }
  const density = mass.map((cellMass) => cellMass / grid.step);
  return { ...fromDensity(density), outsideMass };
}

/**
 * The prior's mass on each segment of an increasing z grid: uniform on [zLow, zHigh] (the segment's length over the
 * support's), or the standard normal (Φ differences; the grid should reach ±6, beyond which 2e-9 of the mass lies).
 * `points` [segments + 1] → [segments].
 */
export function priorSegmentMass(points: ArrayLike<number>, prior: "uniform" | "normal"): Float64Array {
  const segments = points.length - 1;
  const mass = new Float64Array(segments);
  const span = points[segments]! - points[0]!;
  for (let i = 0; i < segments; i++) {
    mass[i] =
      prior === "uniform"
        ? (points[i + 1]! - points[i]!) / span
        : standardNormalCdf(points[i + 1]!) - standardNormalCdf(points[i]!);
  }
  return mass;
}

/** Φ(x), the standard normal CDF, via erfc (|error| < 1.2e-7, Numerical Recipes' erfcc — ample for masses). */
export function standardNormalCdf(x: number): number {
  return 0.5 * complementaryErrorFunction(-x / Math.SQRT2);
}

/** erfc(x) by the Chebyshev fit of Numerical Recipes (2nd ed., §6.2), fractional error < 1.2e-7 everywhere. */
function complementaryErrorFunction(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const polynomial =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const result = t * Math.exp(polynomial);
  return x >= 0 ? result : 2 - result;
}

/**
 * Wasserstein-1 distance between two densities on the grid: ∫ |F_p(x) − F_q(x)| dx with F the CDFs accumulated cell
 * by cell — the average distance mass must move to turn q into p, in units of x.
 */
export function wassersteinOnGrid(p: ArrayLike<number>, q: ArrayLike<number>, grid: Grid): number {
  let cumulativeP = 0;
  let cumulativeQ = 0;
  let sum = 0;
  for (let i = 0; i < grid.count; i++) {
    cumulativeP += p[i]! * grid.step;
    cumulativeQ += q[i]! * grid.step;
    sum += Math.abs(cumulativeP - cumulativeQ);
  }
  return sum * grid.step;
}

/** Mean of f under the density p on the grid: ∫ p·f dx / ∫ p dx. */
export function expectationOnGrid(density: ArrayLike<number>, values: ArrayLike<number>, grid: Grid): number {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < grid.count; i++) {
    weighted += density[i]! * values[i]!;
    total += density[i]!;
  }
  return weighted / total;
}

/** Keeps at most `maximum` evenly spaced grid points of each series (plots and JSON stay small). */
export function thinSeries(grid: Grid, series: ArrayLike<number>, maximum: number): { x: number[]; y: number[] } {
  const stride = Math.max(1, Math.ceil(grid.count / maximum));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = Math.floor(stride / 2); i < grid.count; i += stride) {
    x.push(grid.points[i]!);
    y.push(series[i]!);
  }
  return { x, y };
}
