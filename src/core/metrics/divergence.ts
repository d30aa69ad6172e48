/**
 * Divergences on the 1-D and 2-D toys, where p_data is known exactly — the quantities of Goodfellow et al. 2014, §4.
 *
 * - JSD(p_data ‖ p_g) = ½ ∫ p log(2p / (p + q)) + ½ ∫ q log(2q / (p + q)), in nats (0 … log 2), with p = p_data
 *   exact and q = p_g a Gaussian KDE of generated samples, both on one grid (numerics/grid.ts, numerics/kde.ts),
 *   integrated as Riemann sums. Generated mass outside the grid (where p = 0) adds ½ · log 2 per unit of mass.
 * - V(D*, G) = ∫ p log D* + ∫ q log(1 − D*) with D* = p / (p + q) (Proposition 1) on the same grid, beside
 *   −log 4 + 2 · JSD (Theorem 1). Both use the same p and q, so they agree to rounding: p is renormalised to 1 on
 *   the grid and q's missing mass is accounted for; `identityGap` shows the rounding.
 * - V(D, G) = E_{x∼p_data} log D(x) + E_{z} log(1 − D(G(z))) of the trained D, estimated from fresh real samples and
 *   the generated samples; on logits l, log D = −softplus(−l) and log(1 − D) = −softplus(l). By Proposition 1 it is
 *   at most V(D*, G) up to estimation error (sampling noise and the KDE's smoothing of p_g); at equilibrium both are
 *   −log 4 ≈ −1.386.
 *
 * Caveat: the JSD of a KDE is biased upward for perfect samples by the kernel's smoothing (with 2 500 samples on the
 * ring, ~0.01 nats; see docs/evaluation.md); compare runs evaluated with the same sample count.
 */
import type { ToyDistribution } from "../data/toys.js";
import {
  criterionFromJensenShannon,
  jensenShannonOnGrid,
  optimalValueOnGrid,
  valueBySampling,
  type ValueEstimate,
} from "../numerics/divergences.js";
import { densityGrid, functionOnGrid, GRID_POINTS_PER_STD, type Grid } from "../numerics/grid.js";
import { formatValue, toyData, type LogitsFunction, type Metric, type SummaryRow } from "./metric.js";
import {
  chooseBandwidth,
  gaussianKdeOnGrid,
  KERNEL_HALF_WIDTH_BANDWIDTHS,
  type BandwidthRule,
} from "../numerics/kde.js";

/** The part of a toy distribution the grid divergences need. */
export type DivergenceLayout = Pick<ToyDistribution, "dimension" | "bounds" | "modeStd" | "density">;

/** Inputs of the divergence metric. */
export interface DivergenceOptions {
  /** The toy distribution (exact density). */
  distribution: DivergenceLayout;
  /** Generated samples [n, dimension] row-major. */
  generated: Float32Array;
  /** Fresh real samples [m, dimension] for V(D, G); required with `logits`. */
  real?: Float32Array;
  /** The trained D's logits; when given, V(D, G) is reported. */
  logits?: LogitsFunction;
  /** KDE bandwidth rule (default cross-validation; see numerics/kde.ts). */
  bandwidth?: BandwidthRule;
}

/** What the divergence metric reports. */
export interface DivergenceResult {
  /** JSD(p_data ‖ p_g) in nats. */
  jensenShannon: number;
  /** V(D*, G) on the grid. */
  optimalValue: number;
  /** −log 4 + 2 · JSD (Theorem 1's C(G)). */
  theoreticalValue: number;
  /** optimalValue − theoreticalValue: rounding only. */
  identityGap: number;
  /** V(D, G) of the trained D, when its logits were given. */
  discriminatorValue?: Omit<ValueEstimate, "standardError"> & { realCount: number; generatedCount: number };
  /** The KDE bandwidth and how it was chosen. */
  bandwidth: number;
  bandwidthRule: "cross-validation" | "scott" | "fixed";
  /** Grid points per axis and spacing per axis. */
  gridPoints: number[];
  gridSpacing: number[];
  /** Generated (KDE) mass that fell outside the grid, in [0, 1]. */
  generatedMassOutsideGrid: number;
  /** p_data's Riemann mass on the grid before renormalisation (≈ 1). */
  dataMassOnGrid: number;
  sampleCount: number;
}

/** JSD and V(D*, G) of generated samples against the exact p_data, and the grid and densities behind them. */
export interface GridDivergence {
  /** What the metric reports (without V(D, G), which needs D). */
  result: DivergenceResult;
  grid: Grid;
  /** p_data on the grid, renormalised to ∫ p = 1 [grid.size]. */
  dataDensity: Float64Array;
  /** The KDE of the generated samples [grid.size], normalised by all samples (non-finite ones are off the grid). */
  generatedDensity: Float64Array;
}

/**
 * JSD(p_data ‖ p_g), V(D*, G) and −log 4 + 2·JSD of `generated` [n, dimension] on the metric's grid — synchronous,
 * so the lab's probes call it as it is.
 */
export function gridDivergence(
  distribution: DivergenceLayout,
  generated: Float32Array,
  bandwidth: BandwidthRule = "cross-validation",
): GridDivergence {
  const dimension = distribution.dimension;
  const count = generated.length / dimension;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`divergence: ${generated.length} values`);
  const finite = finiteRows(generated, dimension);
  // Bandwidths below half the finest possible grid spacing cannot be resolved on the grid.
  const floor = distribution.modeStd / GRID_POINTS_PER_STD / 2;
  const choice =
    finite.length > 0
      ? chooseBandwidth(finite, dimension, bandwidth, floor)
      : { bandwidth: floor, rule: "fixed" as const };
  const grid = densityGrid(distribution, finite, KERNEL_HALF_WIDTH_BANDWIDTHS * choice.bandwidth);

  const p = functionOnGrid((point) => distribution.density(point), grid);
  let dataMass = 0;
  for (const value of p) dataMass += value;
  dataMass *= grid.cellVolume;
  for (let index = 0; index < p.length; index++) p[index] = p[index]! / dataMass; // ∫ p = 1 on the grid

  // Non-finite samples are generated mass outside the grid too: the KDE is normalised by all `count` samples.
  const q = gaussianKdeOnGrid(finite, grid, choice.bandwidth);
  let generatedMass = 0;
  for (let index = 0; index < q.length; index++) {
    q[index] = (q[index]! * (finite.length / dimension)) / count;
    generatedMass += q[index]!;
  }
  const outsideMass = Math.max(0, 1 - generatedMass * grid.cellVolume);

  const jensenShannon = jensenShannonOnGrid(p, q, grid.cellVolume, outsideMass);
  const optimalValue = optimalValueOnGrid(p, q, grid.cellVolume);
  const theoreticalValue = criterionFromJensenShannon(jensenShannon);
  const result: DivergenceResult = {
    jensenShannon,
    optimalValue,
    theoreticalValue,
    identityGap: optimalValue - theoreticalValue,
    bandwidth: choice.bandwidth,
    bandwidthRule: choice.rule,
    gridPoints: grid.axes.map((axis) => axis.length),
    gridSpacing: [...grid.spacing],
    generatedMassOutsideGrid: outsideMass,
    dataMassOnGrid: dataMass,
    sampleCount: count,
  };
  return { result, grid, dataDensity: p, generatedDensity: q };
}

/** Computes JSD, V(D*, G) and −log 4 + 2·JSD on a grid, and V(D, G) when D's logits are given. */
export async function divergence(options: DivergenceOptions): Promise<DivergenceResult> {
  const { distribution, generated } = options;
  const dimension = distribution.dimension;
  const { result } = gridDivergence(distribution, generated, options.bandwidth);
  if (options.logits) {
    const real = options.real;
    if (!real || real.length === 0) throw new RangeError("divergence: V(D, G) needs fresh real samples");
    const realCount = real.length / dimension;
    const count = result.sampleCount;
    const { value, realTerm, fakeTerm } = valueBySampling(
      await options.logits(real, realCount),
      await options.logits(generated, count),
    );
    result.discriminatorValue = { value, realTerm, fakeTerm, realCount, generatedCount: count };
  }
  return result;
}

/** The rows of `samples` [n, dimension] whose coordinates are all finite. */
function finiteRows(samples: Float32Array, dimension: number): Float32Array {
  const count = samples.length / dimension;
  const kept = new Float32Array(samples.length);
  let length = 0;
  for (let row = 0; row < count; row++) {
    let ok = true;
    for (let axis = 0; axis < dimension; axis++) ok &&= Number.isFinite(samples[row * dimension + axis]!);
    if (!ok) continue;
    kept.set(samples.subarray(row * dimension, (row + 1) * dimension), length);
    length += dimension;
  }
  return kept.subarray(0, length);
}

/** The `divergence` metric: JSD, V(D*, G) beside −log 4 + 2·JSD, and the trained D's V(D, G) when D is there. */
export const divergenceMetric: Metric<"divergence", DivergenceResult> = {
  name: "divergence",
  description: "JSD(p_data ‖ p_g), V(D, G), V(D*, G) beside −log 4 + 2·JSD",
  appliesTo: "toy",
  needsClassifier: false,
  needsSplits: false,
  duringTraining: true,
  async compute(context) {
    const toy = toyData(context, "divergence");
    const { distribution, generated, logits } = toy;
    return divergence(logits ? { distribution, generated, real: toy.real(), logits } : { distribution, generated });
  },
  summary(result) {
    const rows: SummaryRow[] = [
      {
        quantity: "JSD(p_data ‖ p_g) (nats)",
        value: formatValue(result.jensenShannon, 4),
        reference: "0 … log 2 = 0.693",
      },
      {
        quantity: "V(D*, G) on the grid",
        value: formatValue(result.optimalValue, 4),
        reference: `−log 4 + 2·JSD = ${formatValue(result.theoreticalValue, 4)}`,
      },
    ];
    if (result.discriminatorValue) {
      rows.push({
        quantity: "V(D, G) of the trained D",
        value: formatValue(result.discriminatorValue.value, 4),
        reference: `≤ V(D*, G); −log 4 = ${formatValue(-Math.log(4), 4)} at equilibrium`,
      });
    }
    return rows;
  },
  headline: (result) => ({ jensenShannon: result.jensenShannon }),
};
