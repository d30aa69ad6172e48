/** The loss registry: one file per objective; unknown names are rejected with the list of known ones. */
import { minimax } from "./minimax.js";
import { nonSaturating } from "./nonSaturating.js";
import type { GeneratorLoss, GeneratorLossName } from "./types.js";

export { discriminatorLoss, valueFunction } from "./discriminator.js";
export type { GeneratorLoss, GeneratorLossName } from "./types.js";
export { minimax, nonSaturating };

export const GENERATOR_LOSSES: Readonly<Record<GeneratorLossName, GeneratorLoss>> = {
  minimax,
  "non-saturating": nonSaturating,
};

export function generatorLoss(name: string): GeneratorLoss {
  const loss = (GENERATOR_LOSSES as Record<string, GeneratorLoss | undefined>)[name];
  if (!loss) throw new Error(`unknown loss "${name}" (known: ${Object.keys(GENERATOR_LOSSES).join(", ")})`);
  return loss;
}
