/**
 * Quantiles of the priors, for deterministic "grids" of z that represent p_z evenly: the z-grid of the 1-D page
 * (p_g as G's push-forward of evenly spaced quantiles) and the manifold lines of the 2-D page.
 */

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
  const lowTail = 0.02425;
  const poly = (coefficients: number[], x: number) =>
    coefficients.reduce((sum, coefficient) => sum * x + coefficient, 0);
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - lowTail) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** count values representing the prior evenly: the midpoint quantiles (i + ½)/count of U[−1, 1] or N(0, 1). */
export function priorQuantiles(prior: "uniform" | "normal", count: number): Float32Array {
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    const p = (index + 0.5) / count;
    values[index] = prior === "uniform" ? 2 * p - 1 : normalQuantile(p);
  }
  return values;
}

/**
 * The range the lab's latent sliders and manifold lines span: exactly the uniform prior's support [−1, 1]; for the
 * normal prior ±3, where each coordinate has 99.73% of its mass (a wider range mostly shows z the generator never
 * saw in training).
 */
export function priorDisplayRange(prior: "uniform" | "normal"): [number, number] {
  return prior === "uniform" ? [-1, 1] : [-NORMAL_DISPLAY_LIMIT, NORMAL_DISPLAY_LIMIT];
}

/** ±3 standard deviations. */
export const NORMAL_DISPLAY_LIMIT = 3;
