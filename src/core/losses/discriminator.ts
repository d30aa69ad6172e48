/**
 * The discriminator's objective and the value function (Goodfellow et al. 2014, eq. 1):
 *   V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))].
 * On logits l (D = σ(l)): log D = −softplus(−l) and log(1 − D) = −softplus(l), finite for |l| = 100 and beyond.
 */
import { tf, type Scalar, type Tensor } from "../engine/tf.js";

/** D maximises V, i.e. minimises −V: binary cross-entropy with real = 1, fake = 0 (the two means summed). */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor): Scalar {
  return tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))) as Scalar;
}

/** V(D, G) itself, from D's logits on real and generated samples (= −discriminatorLoss; −log 4 when D = 1/2). */
export function valueFunction(realLogits: Tensor, fakeLogits: Tensor): Scalar {
  return tf.neg(discriminatorLoss(realLogits, fakeLogits)) as Scalar;
}
