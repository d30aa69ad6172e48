/**
 * Builds G and D from a config and the data's shape. Nothing here knows about losses (only training/ joins them).
 */
import type { Config } from "../config.js";
import { hashSeed } from "../engine/random.js";
import { conditioningOf } from "./conditional.js";
import { dcganDiscriminator, dcganGenerator } from "./dcgan.js";
import { mlpDiscriminator, mlpGenerator } from "./mlp.js";
import type { Network } from "./network.js";
import { resolveOutputActivation } from "./output.js";

export { pixelRangeFor, resolveOutputActivation, type OutputActivation } from "./output.js";

export interface Networks {
  generator: Network;
  discriminator: Network;
}

/**
 * G: z [batch, latentDim] → x [batch, ...dataShape]; D: x → logit [batch, 1]. Weights derive from the run seed.
 * A conditional config (conditional.ts) adds G's label embedding and D's projection or auxiliary-classifier head.
 */
export function buildNetworks(config: Config, dataShape: number[]): Networks {
  const discriminatorSeed = hashSeed(config.seed, "discriminator");
  const normalizeDiscriminator = config.spectralNorm !== "none";
  const conditioning = conditioningOf(config);
  return {
    generator: buildGenerator(config, dataShape),
    discriminator:
      config.arch === "dcgan"
        ? dcganDiscriminator(config.dcgan, dataShape, discriminatorSeed, normalizeDiscriminator, conditioning)
        : mlpDiscriminator(config.mlp, dataShape, discriminatorSeed, normalizeDiscriminator, conditioning),
  };
}

/**
 * G alone, with the initial weights buildNetworks gives it (same seed, same names): also the EMA generator's
 * network (src/core/training/ema.ts).
 */
export function buildGenerator(config: Config, dataShape: number[]): Network {
  const output = resolveOutputActivation(config, dataShape.length === 3);
  const generatorSeed = hashSeed(config.seed, "generator");
  const normalizeGenerator = config.spectralNorm === "both";
  const conditioning = conditioningOf(config);
  const { dcgan, mlp, latentDim } = config;
  return config.arch === "dcgan"
    ? dcganGenerator(dcgan, latentDim, dataShape, output, generatorSeed, normalizeGenerator, conditioning)
    : mlpGenerator(mlp, latentDim, dataShape, output, generatorSeed, normalizeGenerator, conditioning);
}
