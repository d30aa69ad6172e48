/** The loss registry: one file per objective; unknown names are rejected with the list of known ones. */
import { LOSS_NAMES } from "../config.js";
import { hinge } from "./hinge.js";
import { leastSquares } from "./leastSquares.js";
import { minimax } from "./minimax.js";
import { nonSaturating } from "./nonSaturating.js";
import type { GanLoss, GanLossName } from "./types.js";
import { wassersteinGp } from "./wassersteinGp.js";

export { discriminatorLoss, valueFunction } from "./discriminator.js";
export {
  gradientPenalty,
  inputGradientSquaredNorms,
  interpolationWeights,
  r1Penalty,
  type Critic,
} from "./penalties.js";
export type { DiscriminatorLossOptions, GanLoss, GanLossName, ScoreMeaning } from "./types.js";
/** The theory experiments and the watchdog name G's objective by the same list. */
export type { GanLossName as GeneratorLossName } from "./types.js";
export { hinge, leastSquares, minimax, nonSaturating, wassersteinGp };

/** One entry per name in the config's LOSS_NAMES, or the typecheck fails. */
export const GAN_LOSSES: Readonly<Record<GanLossName, GanLoss>> = {
  minimax,
  "non-saturating": nonSaturating,
  "least-squares": leastSquares,
  hinge,
  "wasserstein-gp": wassersteinGp,
};

/** The objective named `name`; for any other name, an error that lists the known ones. */
export function ganLoss(name: string): GanLoss {
  const loss = (GAN_LOSSES as Record<string, GanLoss | undefined>)[name];
  if (!loss) throw new Error(`unknown loss "${name}" (known: ${LOSS_NAMES.join(", ")})`);
  return loss;
}
