/**
 * Small scalar helpers in float64, written once for the metrics, the theory experiments and the lab: the logistic
 * function and its logs (finite for any logit), log-sum-exp of two terms, moments and quantiles of a sample, and the
 * standard normal's density, CDF and quantile.
 */

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** σ(l) = 1 / (1 + e^(−l)), without overflow for any l. */
export function sigmoid(logit: number): number {
  return logit >= 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
}

/** softplus(l) = log(1 + e^l), finite for any l: −log D = softplus(−l), −log(1 − D) = softplus(l) for D = σ(l). */
export function softplus(logit: number): number {
  return logit > 0 ? logit + Math.log1p(Math.exp(-logit)) : Math.log1p(Math.exp(logit));
}

/** log σ(l) = −softplus(−l): log D for a discriminator's logit l. */
export function logSigmoid(logit: number): number {
  return -softplus(-logit);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of values sorted ascending, as the order statistic at index ⌊q·n⌋ (clamped to the last):
 * no interpolation, so it is always one of the values. NaN for no values.
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** log(e^a + e^b) without overflow or underflow; −Infinity when both are. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const largest = Math.max(a, b);
  return largest + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * Which variance: "population" divides the squared deviations by n (the moments of the values themselves);
 * "sample" divides by n − 1 (the unbiased estimate of the variance they were drawn from).
 */
export type VarianceKind = "population" | "sample";

/** Mean and variance of `values` in float64, two passes; NaN for no values, variance 0 for one. */
export function meanAndVariance(
  values: ArrayLike<number>,
  kind: VarianceKind = "population",
): { mean: number; variance: number } {
  const count = values.length;
  if (count === 0) return { mean: Number.NaN, variance: Number.NaN };
  let sum = 0;
  for (let index = 0; index < count; index++) sum += values[index]!;
  const mean = sum / count;
  let squares = 0;
  for (let index = 0; index < count; index++) squares += (values[index]! - mean) ** 2;
  const divisor = kind === "sample" ? count - 1 : count;
  return { mean, variance: divisor > 0 ? squares / divisor : 0 };
}

/** Mean and standard deviation of `values` (see {@link meanAndVariance}). */
export function meanAndStd(
  values: ArrayLike<number>,
  kind: VarianceKind = "population",
): { mean: number; std: number } {
  const { mean, variance } = meanAndVariance(values, kind);
  return { mean, std: Math.sqrt(variance) };
}

/** `count` numbers evenly spaced in log10 from 10^`low` to 10^`high` inclusive, as numpy.logspace. */
export function logspace(low: number, high: number, count: number): number[] {
  if (count === 1) return [10 ** low];
  return Array.from({ length: count }, (_, index) => 10 ** (low + ((high - low) * index) / (count - 1)));
}

/** log N(x; mean, std²). */
export function gaussianLogDensity(x: number, mean: number, std: number): number {
  const standardised = (x - mean) / std;
  return -0.5 * standardised * standardised - Math.log(std) - LOG_SQRT_TWO_PI;
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

/** Below this probability (and above 1 − it) Acklam's approximation switches to its tail formula. */
const NORMAL_QUANTILE_LOW_TAIL = 0.02425;

/** The standard normal's quantile function Φ⁻¹(p), 0 < p < 1 (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p = ${p} is not in (0, 1)`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (coefficients: number[], x: number) =>
    coefficients.reduce((sum, coefficient) => sum * x + coefficient, 0);
  if (p < NORMAL_QUANTILE_LOW_TAIL) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - NORMAL_QUANTILE_LOW_TAIL) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
