/**
 * Experiment `value-function`: Theorem 1 of Goodfellow et al. (2014) measured. As p_g moves along a family of
 * Gaussians N(μ_t, σ_t²) toward p_data = N(4, 0.5²), compute at each t
 *
 *   V(D*_G, G)           on a grid, from D*'s logits log p_data − log p_g,
 *   −log 4 + 2·JSD        on the same grid, from the JSD's own definition,
 *   V(D*_G, G) sampled    from samples of p_data and p_g (Monte Carlo, with its standard error),
 *
 * The first two must agree to float64 precision (they are equal in exact arithmetic once ∫p_data = ∫p_g = 1; the grid
 * reaches 12 standard deviations past every mode and its cells are a tenth of the narrowest one, so both integrals
 * are 1 to ~1e-15); the sampled value must agree within a few standard errors; all reach −log 4 at p_g = p_data.
 * No network is involved: this is the theory's arithmetic, checked.
 */
import { toyDistribution } from "../data/toys.js";
import { Rng } from "../engine/random.js";
import {
  LOG_FOUR,
  criterionFromJensenShannon,
  jensenShannonOnGrid,
  optimalValueOnGrid,
  valueBySampling,
} from "../numerics/divergences.js";
import { integrate, uniformGrid } from "../numerics/grid.js";
import { gaussianLogDensity } from "../numerics/scalar.js";
import { gaussianOnGrid, toyDensityOnGrid, type DensityOnGrid } from "./grid.js";
import { THEORY_DATASET } from "./networks.js";

/** How far past every Gaussian's mean the grid reaches, in its standard deviations: mass beyond 12σ is ~4e-33. */
export const GRID_REACH_STDS = 12;
/**
 * Floor on a standard error when dividing by it: at p_g = p_data every logit of D* is 0 up to rounding and the sampled
 * V has (almost) no variance, so deviations there are measured against this instead of against ~1e-17.
 */
const STANDARD_ERROR_FLOOR = 1e-12;
/** Grid cells per standard deviation of the narrowest Gaussian; the midpoint rule is then exact to float64. */
export const CELLS_PER_STD = 10;

export interface ValueFunctionOptions {
  /** Every random draw derives from it (the sampled V only; the grid values are deterministic). */
  seed: number;
  /** Points t along the path, evenly spaced in [0, 1] (t = 1 is p_g = p_data). */
  points?: number;
  /** p_g at t = 0: N(startMean, startStd²). Default N(0, 1): a G that passes z ∼ N(0, 1) through unchanged. */
  startMean?: number;
  startStd?: number;
  /** Samples of each distribution for the sampled V at each t. */
  samples?: number;
}

/** Defaults: 21 points, from N(0, 1), 20 000 samples each (standard error ≈ 0.005 nats). */
export const VALUE_FUNCTION_DEFAULTS = { points: 21, startMean: 0, startStd: 1, samples: 20_000 } as const;

export interface ValueFunctionResult {
  experiment: "value-function";
  settings: Required<ValueFunctionOptions> & { dataset: string; gridCells: number; gridLow: number; gridHigh: number };
  /** One entry per t. */
  series: {
    t: number[];
    generatedMean: number[];
    generatedStd: number[];
    /** V(D*_G, G) on the grid. */
    optimalValue: number[];
    /** −log 4 + 2·JSD(p_data ‖ p_g) on the grid. */
    criterion: number[];
    jensenShannon: number[];
    /** |V(D*, G) − (−log 4 + 2·JSD)|. */
    difference: number[];
    /** V(D*_G, G) by sampling, and its standard error. */
    sampledValue: number[];
    sampledStandardError: number[];
  };
  summary: {
    /** max_t |V(D*, G) − (−log 4 + 2·JSD)|. */
    maxDifference: number;
    /** max_t |sampled V − grid V| / standard error. */
    maxSampledDeviationInStandardErrors: number;
    /** max over t and both densities of |∫p dx − 1| on the grid. */
    maxMassError: number;
    /** V(D*, G) at t = 1 (p_g = p_data) and its distance from −log 4. */
    finalValue: number;
    finalDistanceFromMinusLogFour: number;
  };
}

/** Runs the experiment; pure arithmetic in float64, well under a second. */
export function valueFunctionExperiment(options: ValueFunctionOptions): ValueFunctionResult {
  const settings = { ...VALUE_FUNCTION_DEFAULTS, ...options };
  const { points, startMean, startStd, samples, seed } = settings;
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`value-function: points must be ≥ 2`);
  const data = toyDistribution(THEORY_DATASET);
  const targetMean = data.modes[0]!;
  const targetStd = data.modeStd;
  const path = Array.from({ length: points }, (_, index) => {
    const t = index / (points - 1);
    return { t, mean: startMean + t * (targetMean - startMean), std: startStd + t * (targetStd - startStd) };
  });

  const narrowest = Math.min(targetStd, ...path.map((point) => point.std));
  const low = Math.min(...path.map((point) => point.mean - GRID_REACH_STDS * point.std));
  const high = Math.max(...path.map((point) => point.mean + GRID_REACH_STDS * point.std));
  const grid = uniformGrid(low, high, Math.ceil(((high - low) / narrowest) * CELLS_PER_STD));
  const dataOnGrid = toyDensityOnGrid(data, grid);

  const series: ValueFunctionResult["series"] = {
    t: [],
    generatedMean: [],
    generatedStd: [],
    optimalValue: [],
    criterion: [],
    jensenShannon: [],
    difference: [],
    sampledValue: [],
    sampledStandardError: [],
  };
  let maxMassError = Math.abs(integrate(dataOnGrid.density, grid) - 1);
  for (const [index, point] of path.entries()) {
    const generated: DensityOnGrid = gaussianOnGrid(point.mean, point.std, grid);
    maxMassError = Math.max(maxMassError, Math.abs(integrate(generated.density, grid) - 1));
    const optimalValue = optimalValueOnGrid(dataOnGrid.density, generated.density, grid.step);
    const jensenShannon = jensenShannonOnGrid(dataOnGrid.density, generated.density, grid.step);
    const criterion = criterionFromJensenShannon(jensenShannon);
    const sampled = sampledOptimalValue(point.mean, point.std, samples, Rng.derive(seed, index, "theory/value"));
    series.t.push(point.t);
    series.generatedMean.push(point.mean);
    series.generatedStd.push(point.std);
    series.optimalValue.push(optimalValue);
    series.criterion.push(criterion);
    series.jensenShannon.push(jensenShannon);
    series.difference.push(Math.abs(optimalValue - criterion));
    series.sampledValue.push(sampled.value);
    series.sampledStandardError.push(sampled.standardError);
  }
  const finalValue = series.optimalValue[points - 1]!;
  return {
    experiment: "value-function",
    settings: { ...settings, dataset: THEORY_DATASET, gridCells: grid.count, gridLow: low, gridHigh: high },
    series,
    summary: {
      maxDifference: Math.max(...series.difference),
      maxSampledDeviationInStandardErrors: Math.max(
        ...series.sampledValue.map(
          (value, i) =>
            Math.abs(value - series.optimalValue[i]!) / Math.max(STANDARD_ERROR_FLOOR, series.sampledStandardError[i]!),
        ),
      ),
      maxMassError,
      finalValue,
      finalDistanceFromMinusLogFour: Math.abs(finalValue + LOG_FOUR),
    },
  };
}

/**
 * V(D*, G) by sampling: D*'s logit at x is log p_data(x) − log p_g(x), evaluated at `samples` draws from each.
 * At p_g = p_data every logit is 0 and the estimate is exactly −log 4 (zero variance).
 */
function sampledOptimalValue(mean: number, std: number, samples: number, rng: Rng) {
  const data = toyDistribution(THEORY_DATASET);
  const point = new Float64Array(1);
  const logit = (x: number) => {
    point[0] = x;
    return data.logDensity(point) - gaussianLogDensity(x, mean, std);
  };
  const real = Float64Array.from(data.sample(samples, rng), logit);
  const generated = new Float64Array(samples);
  for (let i = 0; i < samples; i++) generated[i] = logit(mean + std * rng.normal());
  return valueBySampling(real, generated);
}
