import { scoreMeaningOf } from "../config.js";
import { tf, type Scalar } from "../engine/tf.js";
import { discriminatorLoss } from "./discriminator.js";
import type { GanLoss } from "./types.js";

/**
 * The paper's minimax game (Goodfellow et al. 2014, eq. 1): D maximises V(D, G) (discriminator.ts); G minimises
 * E_z[log(1 − D(G(z)))] = −E_z[softplus(l)].
 * Its gradient σ(l) vanishes when D rejects fakes with confidence (l → −∞): the saturation the paper warns about.
 */
export const minimax: GanLoss = {
  name: "minimax",
  description: "G minimises log(1 − D(G(z))) (the paper's minimax game; saturates when D rejects fakes)",
  paper: "Goodfellow et al. 2014, Generative Adversarial Nets",
  scoreMeaning: scoreMeaningOf("minimax"),
  score: (logits) => tf.sigmoid(logits),
  discriminator: (realLogits, fakeLogits, options) =>
    discriminatorLoss(realLogits, fakeLogits, options?.labelSmoothing ?? 0),
  generator: (fakeLogits) => tf.neg(tf.mean(tf.softplus(fakeLogits))) as Scalar,
  gradientPenaltyWeight: 0,
};
