import type { LossName, ScoreMeaning } from "../config.js";
import type { Scalar, Tensor } from "../engine/tf.js";

/** A loss's name: the config's list (src/core/config.ts), where the choices live. */
export type GanLossName = LossName;

/** Options of D's objective that the config sets. */
export interface DiscriminatorLossOptions {
  /**
   * One-sided label smoothing α (Salimans et al. 2016): real targets 1 − α, fake targets 0. Only the binary
   * cross-entropy losses have targets to smooth; the config refuses α > 0 for the others.
   */
  labelSmoothing?: number;
}

/**
 * What D's output means, and so what the step reports as D(x) and D(G(z)) (realScore, fakeScore):
 * - "probability": D(x) is a probability: σ(l) for the cross-entropy losses, the raw output l for least-squares
 *   (with LSGAN's 0-1 coding its optimal D is p_data/(p_data + p_g), the same as the 2014 paper's D*).
 *   The saturation watchdog (D(x) ≥ 0.99 and D(G(z)) ≤ 0.01) applies.
 * - "critic": an unbounded score (hinge, Wasserstein); reported raw. Only differences mean something (a Wasserstein
 *   critic is defined up to a constant), so no probability threshold applies.
 */
export type { ScoreMeaning };

/**
 * An adversarial objective: D's and G's losses (both minimised) on D's raw outputs l ("logits": no sigmoid is
 * applied by the networks), finite for |l| = 100 and beyond.
 */
export interface GanLoss {
  readonly name: GanLossName;
  /** One line for help text. */
  readonly description: string;
  /** The paper, as "Authors Year, title". */
  readonly paper: string;
  readonly scoreMeaning: ScoreMeaning;
  /** The per-sample score reported as D(x) / D(G(z)), from D's outputs [batch, 1]. */
  score(logits: Tensor): Tensor;
  /** The scalar D minimises, from D's outputs on real [m, 1] and generated [n, 1] samples. */
  discriminator(realLogits: Tensor, fakeLogits: Tensor, options?: DiscriminatorLossOptions): Scalar;
  /** The scalar G minimises, from D's outputs on G's samples [n, 1]. */
  generator(fakeLogits: Tensor): Scalar;
  /**
   * The weight λ of the gradient penalty on random interpolates that this loss adds to D's objective
   * (src/core/losses/penalties.ts), or 0 when it has none.
   */
  readonly gradientPenaltyWeight: number;
}
