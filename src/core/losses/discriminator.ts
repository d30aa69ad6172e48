/**
 * The discriminator's objective and the value function (Goodfellow et al. 2014, eq. 1):
 *   V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))].
 * On logits l (D = σ(l)): log D = −softplus(−l) and log(1 − D) = −softplus(l), finite for |l| = 100 and beyond.
 *
 * With one-sided label smoothing (Salimans et al. 2016, "Improved techniques for training GANs", §3.4) the real
 * target is 1 − α instead of 1 and the fake target stays 0: the real term becomes the cross-entropy
 *   −[(1 − α) log D(x) + α log(1 − D(x))] = (1 − α)·softplus(−l) + α·softplus(l),
 * and the optimal D becomes (1 − α)·p_data / (p_data + p_g) (D* without smoothing scaled by 1 − α).
 */
import { tf, type Scalar, type Tensor } from "../engine/tf.js";

/** D maximises V, i.e. minimises −V: binary cross-entropy with real = 1 − α (α = 0: none), fake = 0. */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor, labelSmoothing = 0): Scalar {
  return tf.tidy(() => {
    const realTerm =
      labelSmoothing === 0
        ? tf.softplus(tf.neg(realLogits))
        : tf.add(
            tf.mul(1 - labelSmoothing, tf.softplus(tf.neg(realLogits))),
            tf.mul(labelSmoothing, tf.softplus(realLogits)),
          );
    return tf.add(tf.mean(realTerm), tf.mean(tf.softplus(fakeLogits))) as Scalar;
  });
}

/** V(D, G) itself, from D's logits on real and generated samples (= −discriminatorLoss; −log 4 when D = 1/2). */
export function valueFunction(realLogits: Tensor, fakeLogits: Tensor): Scalar {
  return tf.neg(discriminatorLoss(realLogits, fakeLogits)) as Scalar;
}
