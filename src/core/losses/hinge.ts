import { scoreMeaningOf } from "../config.js";
import { tf, type Scalar } from "../engine/tf.js";
import type { GanLoss } from "./types.js";

/**
 * Hinge loss (Lim & Ye 2017, "Geometric GAN"), in the form SAGAN (Zhang et al. 2019, eq. 5) and BigGAN use:
 *   L_D = E_x[max(0, 1 − D(x))] + E_z[max(0, 1 + D(G(z)))]
 *   L_G = −E_z[D(G(z))]
 * D is a critic with raw output l (no sigmoid): reals pushed above +1, fakes below −1, nothing beyond the margin.
 * Piecewise linear, so finite at any |l|.
 */
const MARGIN = 1;

export const hinge: GanLoss = {
  name: "hinge",
  description: "hinge (SAGAN, BigGAN): D pushes reals above +1 and fakes below −1; G raises D(G(z))",
  paper: "Lim & Ye 2017, Geometric GAN",
  scoreMeaning: scoreMeaningOf("hinge"),
  score: (logits) => logits,
  discriminator: (realLogits, fakeLogits) =>
    tf.add(tf.mean(tf.relu(tf.sub(MARGIN, realLogits))), tf.mean(tf.relu(tf.add(MARGIN, fakeLogits)))) as Scalar,
  generator: (fakeLogits) => tf.neg(tf.mean(fakeLogits)) as Scalar,
  gradientPenaltyWeight: 0,
};
