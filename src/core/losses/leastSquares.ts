import { scoreMeaningOf } from "../config.js";
import { tf, type Scalar, type Tensor } from "../engine/tf.js";
import type { GanLoss } from "./types.js";

/**
 * Least-squares GAN (Mao et al. 2017, "Least Squares Generative Adversarial Networks", eq. 2):
 *   min_D V(D) = ½ E_x[(D(x) − b)²] + ½ E_z[(D(G(z)) − a)²]
 *   min_G V(G) = ½ E_z[(D(G(z)) − c)²]
 * with the paper's 0-1 coding (eq. 9): a = 0 for fakes, b = 1 for reals, c = 1 for G. D(x) is D's raw output l (no
 * sigmoid): squares of l stay finite at |l| = 100. The optimal D is (b·p_data + a·p_g)/(p_data + p_g) =
 * p_data/(p_data + p_g), so l is reported as D(x) directly. G's gradient (l − c) does not vanish when D rejects fakes.
 */
const FAKE_TARGET = 0; // a
const REAL_TARGET = 1; // b
const GENERATOR_TARGET = 1; // c

/** ½ E[(l − target)²] over a batch of outputs [n, 1]. */
function halfMeanSquare(logits: Tensor, target: number): Scalar {
  return tf.mul(0.5, tf.mean(tf.square(tf.sub(logits, target)))) as Scalar;
}

export const leastSquares: GanLoss = {
  name: "least-squares",
  description: "LSGAN: D regresses reals to 1 and fakes to 0, G pulls D(G(z)) to 1 (no vanishing gradient)",
  paper: "Mao et al. 2017, Least Squares Generative Adversarial Networks",
  scoreMeaning: scoreMeaningOf("least-squares"),
  score: (logits) => logits,
  discriminator: (realLogits, fakeLogits) =>
    tf.add(halfMeanSquare(realLogits, REAL_TARGET), halfMeanSquare(fakeLogits, FAKE_TARGET)) as Scalar,
  generator: (fakeLogits) => halfMeanSquare(fakeLogits, GENERATOR_TARGET),
  gradientPenaltyWeight: 0,
};
