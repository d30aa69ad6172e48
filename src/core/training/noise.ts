/**
 * The prior p_z. Noise is drawn in JavaScript from counter-based streams, so the same (seed, step, purpose) gives the
 * same z on every backend, and the sample grid's fixed noise depends on the run seed alone.
 */
import type { Config } from "../config.js";
import { Rng } from "../engine/random.js";
import { tf, type Tensor2D } from "../engine/tf.js";

/** The uniform prior's support, [-1, 1]^latentDim; the lab's latent sliders span exactly this. */
export const UNIFORM_PRIOR_RANGE: readonly [number, number] = [-1, 1];
/** How many fixed-noise samples the sample grids show (an 8×8 grid). */
export const FIXED_NOISE_COUNT = 64;

/** z ~ p_z as a plain array [count, latentDim]. */
export function noiseValues(prior: Config["prior"], count: number, latentDim: number, rng: Rng): Float32Array {
  const values = new Float32Array(count * latentDim);
  return prior === "uniform"
    ? rng.fillUniform(values, UNIFORM_PRIOR_RANGE[0], UNIFORM_PRIOR_RANGE[1])
    : rng.fillNormal(values);
}

/** z ~ p_z as a tensor [count, latentDim]. */
export function sampleNoise(config: Pick<Config, "prior" | "latentDim">, count: number, rng: Rng): Tensor2D {
  return tf.tensor2d(noiseValues(config.prior, count, config.latentDim, rng), [count, config.latentDim]);
}

/** The grid's noise [FIXED_NOISE_COUNT, latentDim]: from the run seed alone, so grids compare across steps and runs. */
export function fixedNoise(config: Pick<Config, "prior" | "latentDim" | "seed">, count = FIXED_NOISE_COUNT): Tensor2D {
  return sampleNoise(config, count, Rng.derive(config.seed, "fixed-noise"));
}
