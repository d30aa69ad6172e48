import { tf, type Scalar } from "../engine/tf.js";
import type { GeneratorLoss } from "./types.js";

/**
 * The paper's practical alternative: G maximises E_z[log D(G(z))], i.e. minimises E_z[softplus(−l)].
 * Same fixed point as minimax; its gradient σ(l) − 1 stays near −1 exactly when D rejects fakes.
 */
export const nonSaturating: GeneratorLoss = {
  name: "non-saturating",
  description: "G maximises log D(G(z)) (same fixed point, strong gradients early)",
  fromLogits: (fakeLogits) => tf.mean(tf.softplus(tf.neg(fakeLogits))) as Scalar,
};
