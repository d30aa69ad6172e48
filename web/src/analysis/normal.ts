/**
 * Quantiles of the priors, for deterministic "grids" of z that represent p_z evenly: the z-grid of the 1-D page
 * (p_g as G's push-forward of evenly spaced quantiles) and the manifold lines of the 2-D page.
 */
import { normalQuantile } from "../../../src/core/numerics/scalar.js";

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
