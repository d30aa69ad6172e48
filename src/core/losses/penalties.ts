/**
 * Gradient penalties on D, added to D's loss by the D step. Both differentiate D's output with respect to its input
 * inside D's loss, so D's update differentiates a gradient (double backpropagation): every op in D needs a
 * differentiable gradient, on every backend (tested against finite differences in test/core/losses/penalties.test.ts).
 *
 * Both treat ∇_x Σ_i D(x_i) as the per-sample gradients ∇_{x_i} D(x_i), which holds only when D judges each sample
 * on its own: a BatchNorm in D couples the samples of a batch, so the config refuses a penalty with one (config.ts).
 */
import { tf, type Scalar, type Tensor } from "../engine/tf.js";
import { registerComparisonGradients } from "./comparisonGradients.js";

registerComparisonGradients();

/** D as a differentiable function: inputs [n, ...dataShape] → outputs [n, 1]. */
export type Critic = (inputs: Tensor) => Tensor;

/**
 * Added under the square root of ‖∇D‖² so that its derivative stays finite where a gradient is exactly zero (a net
 * of dead ReLUs): d√s/ds = 1/(2√s) is infinite at 0. Shifts a norm of 1 by 5e-13, far below float32's resolution.
 */
const NORM_FLOOR = 1e-12;

/** ‖∇_{x_i} D(x_i)‖₂² for each sample: [n]. */
export function inputGradientSquaredNorms(critic: Critic, inputs: Tensor): Tensor {
  const gradient = tf.grad((x: Tensor) => tf.sum(critic(x)))(inputs); // [n, ...dataShape]
  const sampleAxes = gradient.shape.slice(1).map((_, index) => index + 1);
  return tf.sum(tf.square(gradient), sampleAxes); // [n]
}

/** ε ∼ U[0, 1], one per sample, shaped [n, 1, …, 1] to broadcast over a batch of rank `rank` (seeded: reproducible). */
export function interpolationWeights(batch: number, rank: number, seed: number): Tensor {
  return tf.randomUniform([batch, ...Array<number>(rank - 1).fill(1)], 0, 1, "float32", seed);
}

/**
 * WGAN-GP's penalty (Gulrajani et al. 2017, eq. 3): λ E_{x̂}[(‖∇_x̂ D(x̂)‖₂ − 1)²] on the random interpolates
 * x̂ = εx + (1 − ε)x̃ between real samples x and generated ones x̃ (both [n, ...dataShape]; ε [n, 1, …]).
 */
export function gradientPenalty(critic: Critic, real: Tensor, fake: Tensor, epsilon: Tensor, weight: number): Scalar {
  return tf.tidy(() => {
    const interpolates = tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), fake)); // [n, ...dataShape]
    const norms = tf.sqrt(tf.add(inputGradientSquaredNorms(critic, interpolates), NORM_FLOOR)); // [n]
    return tf.mul(weight, tf.mean(tf.square(tf.sub(norms, 1)))) as Scalar;
  });
}

/**
 * The R1 penalty (Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?", eq. 9):
 *   R1(ψ) = γ/2 · E_{x∼p_D}[‖∇_x D_ψ(x)‖²]
 * on real samples [n, ...dataShape] only, added to D's loss. It penalises D for being steep on the data, where the
 * game's equilibrium needs D's gradient to vanish; any loss.
 */
export function r1Penalty(critic: Critic, real: Tensor, gamma: number): Scalar {
  return tf.tidy(() => tf.mul(gamma / 2, tf.mean(inputGradientSquaredNorms(critic, real))) as Scalar);
}
