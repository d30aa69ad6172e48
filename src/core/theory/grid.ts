/**
 * 1-D densities on a grid: the common ground of the theory experiments (Goodfellow et al. 2014, section 4).
 *
 * A grid is `count` equal cells over [low, high]; a function is stored at the cell centres and integrated with the
 * midpoint rule Σ f(xᵢ)·Δ, which for the smooth, fast-decaying densities used here (Gaussians) is accurate to
 * float64 precision once Δ is a fraction of the narrowest standard deviation. Every density is kept twice, as values
 * and as logs, so that ratios and logs far in the tails (p ≈ 1e-200) stay exact instead of underflowing to 0/0.
 *
 * Sources of p on a grid here: an exact formula (toys, Gaussians) and the exact pushforward of a 1-D prior through a
 * known map x = G(z) (any G, e.g. a ReLU network, evaluated on a fine z grid and taken as linear between the z points
 * — exact for piecewise-linear G away from its kinks). The grid itself, integrals, the kernel density estimate of
 * samples and the scalar helpers live in src/core/numerics (shared with the metrics and the lab).
 */
import type { ToyDistribution } from "../data/toys.js";
import { functionOnGrid, type Grid1d } from "../numerics/grid.js";
import { gaussianLogDensity, standardNormalCdf } from "../numerics/scalar.js";

/** A density at a grid's cell centres, as values and as natural logs (−Infinity where it is 0). */
export interface DensityOnGrid {
  /** p(xᵢ) [count]. */
  readonly density: Float64Array;
  /** log p(xᵢ) [count]; finite far into the tails when the source has an exact log density. */
  readonly logDensity: Float64Array;
}

/** Segments of a pushforward narrower than this (in x) are treated as atoms: all their mass goes into one cell. */
const ATOM_WIDTH = 1e-12;

/** Builds a DensityOnGrid from log densities (values = exp(log)). */
export function fromLogDensity(logDensity: Float64Array): DensityOnGrid {
  return { density: logDensity.map(Math.exp), logDensity };
}

/** Builds a DensityOnGrid from values (logs = log(values), −Infinity at 0). */
export function fromDensity(density: Float64Array): DensityOnGrid {
  return { density, logDensity: density.map(Math.log) };
}

/** N(mean, std²) on the grid, exactly. */
export function gaussianOnGrid(mean: number, std: number, grid: Grid1d): DensityOnGrid {
  return fromLogDensity(grid.points.map((x) => gaussianLogDensity(x, mean, std)));
}

/** A toy distribution's exact density on the grid (1-D toys only). */
export function toyDensityOnGrid(distribution: ToyDistribution, grid: Grid1d): DensityOnGrid {
  if (distribution.dimension !== 1) throw new RangeError(`${distribution.name}: the theory experiments are 1-D`);
  return fromLogDensity(functionOnGrid((point) => distribution.logDensity(point), grid));
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
  grid: Grid1d,
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

/**
 * Wasserstein-1 distance between two densities on the grid: ∫ |F_p(x) − F_q(x)| dx with F the CDFs accumulated cell
 * by cell — the average distance mass must move to turn q into p, in units of x.
 */
export function wassersteinOnGrid(p: ArrayLike<number>, q: ArrayLike<number>, grid: Grid1d): number {
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

/** Keeps at most `maximum` evenly spaced grid points of each series (plots and JSON stay small). */
export function thinSeries(grid: Grid1d, series: ArrayLike<number>, maximum: number): { x: number[]; y: number[] } {
  const stride = Math.max(1, Math.ceil(grid.count / maximum));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = Math.floor(stride / 2); i < grid.count; i += stride) {
    x.push(grid.points[i]!);
    y.push(series[i]!);
  }
  return { x, y };
}
