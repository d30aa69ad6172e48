/**
 * Toy distributions with known densities: the 1-D and 2-D targets on which a GAN's output can be compared with the
 * truth exactly (mode coverage, divergences, density plots), and which train in seconds.
 *
 * Every toy is an equal-weight mixture of isotropic Gaussians with one shared standard deviation:
 *
 *   p(x) = (1/K) Σ_k N(x; μ_k, σ² I)
 *
 * so `modes` (the centres μ_k) and `modeStd` (σ) describe it completely; a unimodal toy is the mixture with K = 1.
 */

import { TOY_DATASET_NAMES, type ToyDatasetName } from "../config.js";
import type { Rng } from "../engine/random.js";
import { DataError } from "./errors.js";

/** A distribution with both a sampler and an exact, normalised density. */
export interface ToyDistribution {
  /** Registry name, e.g. "ring-2d". */
  readonly name: string;
  /** One line for help text and plot titles. */
  readonly description: string;
  /** Dimension of a sample. */
  readonly dimension: 1 | 2;
  /** `count` independent samples, row-major: [count, dimension]. Draws only from `rng`: equal rngs, equal samples. */
  sample(count: number, rng: Rng): Float32Array;
  /**
   * The same draws as `sample` (equal rngs, equal samples) with each sample's mixture component: its class label
   * [count], 0 … modeCount − 1 (a conditional GAN's labels on a toy: src/core/models/conditional.ts).
   */
  sampleLabelled(count: number, rng: Rng): { samples: Float32Array; labels: Int32Array };
  /** The exact density p(point) (normalised: integrates to 1 over the whole space). `point` has `dimension` entries. */
  density(point: ArrayLike<number>): number;
  /**
   * log p(point), computed with log-sum-exp, so it stays finite far from the modes where `density` underflows to 0
   * (for std 0.01, p is already 0 in float64 at distance 0.4 from every mode).
   */
  logDensity(point: ArrayLike<number>): number;
  /** The mixture centres: [modeCount, dimension], row-major. A unimodal toy has one mode: its mean. */
  readonly modes: Float32Array;
  /** Number of modes (rows of `modes`). */
  readonly modeCount: number;
  /** The standard deviation of every mode, per coordinate (all modes share it; for a unimodal toy, its std). */
  readonly modeStd: number;
  /**
   * A box holding all but a negligible part of the mass: the outermost mode centres ± `BOUNDS_STD_MULTIPLE` std per
   * coordinate. It is tight; plots that also show a generator's stray samples should add a margin.
   */
  readonly bounds: { readonly low: readonly number[]; readonly high: readonly number[] };
}

/**
 * Half-width of `bounds` around the outermost modes, in mode stds: a 1-D Gaussian puts 5.7e-7 of its mass beyond 5 std,
 * so the box holds all the mass to within plotting and numerical-integration precision.
 */
export const BOUNDS_STD_MULTIPLE = 5;

const LOG_TWO_PI = Math.log(2 * Math.PI);

/** What defines one equal-weight isotropic Gaussian mixture. */
export interface GaussianMixtureSpec {
  /** Registry name. */
  name: string;
  /** One line for help text. */
  description: string;
  /** The mixture centres, one array of `dimension` numbers each. */
  means: readonly (readonly number[])[];
  /** The shared per-coordinate standard deviation (> 0). */
  std: number;
}

/** Builds a toy distribution from equal-weight isotropic Gaussians with one shared std. */
export function gaussianMixture(spec: GaussianMixtureSpec): ToyDistribution {
  const { name, description, means, std } = spec;
  const firstMean = means[0];
  if (firstMean === undefined) throw new RangeError(`gaussianMixture ${name}: needs at least one mean`);
  const dimension = firstMean.length;
  if (dimension !== 1 && dimension !== 2) throw new RangeError(`gaussianMixture ${name}: dimension must be 1 or 2`);
  if (means.some((mean) => mean.length !== dimension)) {
    throw new RangeError(`gaussianMixture ${name}: every mean needs ${dimension} coordinates`);
  }
  if (!(std > 0)) throw new RangeError(`gaussianMixture ${name}: std must be positive, got ${std}`);

  const modeCount = means.length;
  const modes = Float32Array.from(means.flat()); // [modeCount, dimension]
  const centres = means.map((mean) => Float64Array.from(mean)); // float64 copies so densities are exact
  const variance = std * std;
  // log of the normalising constant of one component, including the 1/K mixture weight:
  //   log( (1/K) · (2πσ²)^(−d/2) )
  const logComponentScale = -Math.log(modeCount) - (dimension / 2) * (LOG_TWO_PI + Math.log(variance));

  /** Squared distance from `point` to every centre. */
  function squaredDistances(point: ArrayLike<number>): number[] {
    if (point.length !== dimension) {
      throw new RangeError(`${name}: a point needs ${dimension} coordinates, got ${point.length}`);
    }
    return centres.map((centre) => {
      let sum = 0;
      for (let axis = 0; axis < dimension; axis++) {
        const difference = point[axis]! - centre[axis]!;
        sum += difference * difference;
      }
      return sum;
    });
  }

  /** `count` samples and the component each came from (ToyDistribution.sampleLabelled). */
  function sampleLabelled(count: number, rng: Rng): { samples: Float32Array; labels: Int32Array } {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`${name}.sample: count ${count} is not a count`);
    const samples = new Float32Array(count * dimension); // [count, dimension]
    const labels = new Int32Array(count); // [count]: the component each sample came from
    for (let row = 0; row < count; row++) {
      const component = rng.int(modeCount);
      const centre = centres[component]!;
      labels[row] = component;
      for (let axis = 0; axis < dimension; axis++) {
        samples[row * dimension + axis] = centre[axis]! + std * rng.normal();
      }
    }
    return { samples, labels };
  }

  const low: number[] = [];
  const high: number[] = [];
  for (let axis = 0; axis < dimension; axis++) {
    const coordinates = means.map((mean) => mean[axis]!);
    low.push(Math.min(...coordinates) - BOUNDS_STD_MULTIPLE * std);
    high.push(Math.max(...coordinates) + BOUNDS_STD_MULTIPLE * std);
  }

  return {
    name,
    description,
    dimension,
    modes,
    modeCount,
    modeStd: std,
    bounds: { low, high },

    sample(count: number, rng: Rng): Float32Array {
      return sampleLabelled(count, rng).samples;
    },

    sampleLabelled,

    density(point: ArrayLike<number>): number {
      const distances = squaredDistances(point);
      let sum = 0;
      for (const squared of distances) sum += Math.exp(-squared / (2 * variance));
      return Math.exp(logComponentScale) * sum;
    },

    logDensity(point: ArrayLike<number>): number {
      const exponents = squaredDistances(point).map((squared) => -squared / (2 * variance));
      const largest = Math.max(...exponents);
      let sum = 0;
      for (const exponent of exponents) sum += Math.exp(exponent - largest);
      return logComponentScale + largest + Math.log(sum);
    },
  };
}

/**
 * Mean of `gaussian-1d`: 4, far enough from 0 that a generator which merely passes its zero-centred noise through is
 * visibly wrong; the target of John Glover's "An introduction to Generative Adversarial Networks (with code in
 * TensorFlow)", AYLIEN 2016.
 */
const GAUSSIAN_1D_MEAN = 4;
/** Std of `gaussian-1d`: 0.5, narrower than both priors, so the generator must learn a scale as well as a shift. */
const GAUSSIAN_1D_STD = 0.5;
/** Means of `mixture-1d`: ±2, i.e. 8 stds apart, so the density midway is 2e⁻⁸ ≈ 7e-4 of the peak (clearly bimodal). */
const MIXTURE_1D_MEANS = [-2, 2];
/** Std of each `mixture-1d` mode. */
const MIXTURE_1D_STD = 0.5;
/** Number of `ring-2d` modes, evenly spaced on a circle (PacGAN, Lin et al. 2018). */
const RING_MODE_COUNT = 8;
/** Radius of the `ring-2d` circle (PacGAN: the unit circle). */
const RING_RADIUS = 1;
/** Std of each `ring-2d` mode (PacGAN). */
const RING_STD = 0.01;
/** `grid-2d` puts one mode at each point of this set squared: 25 modes (PacGAN). */
const GRID_COORDINATES = [-4, -2, 0, 2, 4];
/** Std of each `grid-2d` mode (PacGAN). */
const GRID_STD = 0.05;

/** The names of the built-in toy distributions: the config's list (src/core/config.ts), where the choices live. */
export const TOY_DISTRIBUTION_NAMES = TOY_DATASET_NAMES;
/** The name of a built-in toy distribution. */
export type ToyDistributionName = ToyDatasetName;

/** The built-in toy distributions by name: one entry per name in the config's list, or the typecheck fails. */
export const TOY_DISTRIBUTIONS: Readonly<Record<ToyDistributionName, ToyDistribution>> = {
  "gaussian-1d": gaussianMixture({
    name: "gaussian-1d",
    description: `1-D Gaussian N(${GAUSSIAN_1D_MEAN}, ${GAUSSIAN_1D_STD}²)`,
    means: [[GAUSSIAN_1D_MEAN]],
    std: GAUSSIAN_1D_STD,
  }),
  "mixture-1d": gaussianMixture({
    name: "mixture-1d",
    description: `1-D equal mixture of N(${MIXTURE_1D_MEANS.join(" / ")}, ${MIXTURE_1D_STD}²)`,
    means: MIXTURE_1D_MEANS.map((mean) => [mean]),
    std: MIXTURE_1D_STD,
  }),
  "ring-2d": gaussianMixture({
    name: "ring-2d",
    description: `2-D ring of ${RING_MODE_COUNT} Gaussians, radius ${RING_RADIUS}, std ${RING_STD} (PacGAN)`,
    means: Array.from({ length: RING_MODE_COUNT }, (_, mode) => {
      const angle = (2 * Math.PI * mode) / RING_MODE_COUNT;
      return [RING_RADIUS * Math.cos(angle), RING_RADIUS * Math.sin(angle)];
    }),
    std: RING_STD,
  }),
  "grid-2d": gaussianMixture({
    name: "grid-2d",
    description:
      `2-D grid of ${GRID_COORDINATES.length ** 2} Gaussians at {${GRID_COORDINATES.join(",")}}², ` +
      `std ${GRID_STD} (PacGAN)`,
    means: GRID_COORDINATES.flatMap((x) => GRID_COORDINATES.map((y) => [x, y])),
    std: GRID_STD,
  }),
};

/** True when `name` is a built-in toy distribution's name. */
export function isToyDistributionName(name: string): name is ToyDistributionName {
  return (TOY_DISTRIBUTION_NAMES as readonly string[]).includes(name);
}

/** The built-in toy distribution called `name`; a DataError listing the valid names for any other. */
export function toyDistribution(name: string): ToyDistribution {
  if (!isToyDistributionName(name)) {
    throw new DataError(`unknown toy distribution "${name}"; valid: ${TOY_DISTRIBUTION_NAMES.join(", ")}`);
  }
  return TOY_DISTRIBUTIONS[name];
}
