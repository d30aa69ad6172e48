/** The loss registry: one file per objective; unknown names are rejected with the list of known ones. */
import { LOSS_NAMES } from "../config.js";
import { minimax } from "./minimax.js";
import { nonSaturating } from "./nonSaturating.js";
import type { GeneratorLoss, GeneratorLossName } from "./types.js";

export { discriminatorLoss, valueFunction } from "./discriminator.js";
export type { GeneratorLoss, GeneratorLossName } from "./types.js";
export { minimax, nonSaturating };

/** One entry per name in the config's LOSS_NAMES, or the typecheck fails. */
export const GENERATOR_LOSSES: Readonly<Record<GeneratorLossName, GeneratorLoss>> = {
  minimax,
  "non-saturating": nonSaturating,
};

export function generatorLoss(name: string): GeneratorLoss {
  const loss = (GENERATOR_LOSSES as Record<string, GeneratorLoss | undefined>)[name];
  if (!loss) throw new Error(`unknown loss "${name}" (known: ${LOSS_NAMES.join(", ")})`);
  return loss;
}
