import type { LossName } from "../config.js";
import type { Scalar, Tensor } from "../engine/tf.js";

/** A generator objective's name: the config's list (src/core/config.ts), where the choices live. */
export type GeneratorLossName = LossName;

/** A generator objective. On logits: D(x) = σ(l), −log D = softplus(−l), −log(1 − D) = softplus(l). */
export interface GeneratorLoss {
  readonly name: GeneratorLossName;
  /** One line for help text. */
  readonly description: string;
  /** The scalar G minimises, from D's logits on G's samples [batch, 1]. */
  fromLogits(fakeLogits: Tensor): Scalar;
}
