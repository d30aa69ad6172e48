import { scoreMeaningOf } from "../config.js";
import { WASSERSTEIN_GP_PENALTY_WEIGHT } from "../config.js";
import { tf, type Scalar } from "../engine/tf.js";
import type { GanLoss } from "./types.js";

/**
 * Wasserstein GAN with gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", eq. 3):
 *   L = E_{x̃∼P_g}[D(x̃)] − E_{x∼P_r}[D(x)] + λ E_{x̂∼P_x̂}[(‖∇_x̂ D(x̂)‖₂ − 1)²]
 * where x̂ = εx + (1 − ε)x̃, ε ∼ U[0, 1] per sample, λ = 10; G minimises −E_z[D(G(z))]. D is a critic with raw
 * output l (no sigmoid). This file holds the two linear terms; the penalty is computed by the D step from D itself
 * (penalties.ts: gradientPenalty), with the weight given here. The paper's Algorithm 1 also uses n_critic = 5 D
 * steps per G step (the config's default k for this loss: src/core/config.ts) and Adam(1e-4, β1 = 0, β2 = 0.9)
 * (configs/ring_wgangp.json sets them; the config's optimizer defaults do not change with the loss).
 */
export const wassersteinGp: GanLoss = {
  name: "wasserstein-gp",
  description: "WGAN-GP: critic estimates the Wasserstein-1 distance, gradient penalty λ = 10, k = 5 by default",
  paper: "Gulrajani et al. 2017, Improved Training of Wasserstein GANs",
  scoreMeaning: scoreMeaningOf("wasserstein-gp"),
  score: (logits) => logits,
  discriminator: (realLogits, fakeLogits) => tf.sub(tf.mean(fakeLogits), tf.mean(realLogits)) as Scalar,
  generator: (fakeLogits) => tf.neg(tf.mean(fakeLogits)) as Scalar,
  gradientPenaltyWeight: WASSERSTEIN_GP_PENALTY_WEIGHT,
};
