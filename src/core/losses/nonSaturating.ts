import { scoreMeaningOf } from "../config.js";
import { tf, type Scalar } from "../engine/tf.js";
import { discriminatorLoss } from "./discriminator.js";
import type { GanLoss } from "./types.js";

/**
 * The paper's practical alternative (Goodfellow et al. 2014, §3): D as in the minimax game (discriminator.ts); G
 * maximises E_z[log D(G(z))], i.e. minimises E_z[softplus(−l)].
 * Same fixed point as minimax; its gradient σ(l) − 1 stays near −1 exactly when D rejects fakes.
 */
export const nonSaturating: GanLoss = {
  name: "non-saturating",
  description: "G maximises log D(G(z)) (same fixed point, strong gradients early)",
  paper: "Goodfellow et al. 2014, Generative Adversarial Nets",
  scoreMeaning: scoreMeaningOf("non-saturating"),
  score: (logits) => tf.sigmoid(logits),
  discriminator: (realLogits, fakeLogits, options) =>
    discriminatorLoss(realLogits, fakeLogits, options?.labelSmoothing ?? 0),
  generator: (fakeLogits) => tf.mean(tf.softplus(tf.neg(fakeLogits))) as Scalar,
  gradientPenaltyWeight: 0,
};
