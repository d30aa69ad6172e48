import { tf, type Scalar } from "../engine/tf.js";
import type { GeneratorLoss } from "./types.js";

/**
 * The paper's minimax game: G minimises E_z[log(1 − D(G(z)))] = −E_z[softplus(l)].
 * Its gradient σ(l) vanishes when D rejects fakes with confidence (l → −∞): the saturation the paper warns about.
 */
export const minimax: GeneratorLoss = {
  name: "minimax",
  description: "G minimises log(1 − D(G(z))) (the paper's minimax game; saturates when D rejects fakes)",
  fromLogits: (fakeLogits) => tf.neg(tf.mean(tf.softplus(fakeLogits))) as Scalar,
};
