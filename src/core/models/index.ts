/**
 * Builds G and D from a config and the data's shape. Nothing here knows about losses (only training/ joins them).
 */
import type { Config } from "../config.js";
import { hashSeed } from "../engine/random.js";
import { conditioningOf } from "./conditional.js";
import type { NetworkInitialization } from "./initialization.js";
import { dcganDiscriminator, dcganGenerator } from "./dcgan.js";
import { mlpDiscriminator, mlpGenerator } from "./mlp.js";
import type { Network } from "./network.js";
import { resolveOutputActivation } from "./output.js";
import { packedShape } from "./packing.js";

export { marginalLogits, networkInitialization, RESTORING, type NetworkInitialization } from "./initialization.js";
export { pixelRangeFor, resolveOutputActivation, type OutputActivation } from "./output.js";

export interface Networks {
  generator: Network;
  discriminator: Network;
}

/**
 * G: z [batch, latentDim] → x [batch, ...dataShape]; D: packs of `config.pack` samples [batch, ...packedShape] →
 * logit [batch, 1] (packing.ts; pack 1: D judges x itself). Weights derive from the run seed; `initialization`
 * carries what the config's data-dependent initial values need (initialization.ts). A conditional config
 * (conditional.ts) adds G's label embedding and D's projection or auxiliary-classifier head.
 */
export function buildNetworks(
  config: Config,
  dataShape: number[],
  initialization: NetworkInitialization = {},
): Networks {
  const discriminatorSeed = hashSeed(config.seed, "discriminator");
  const normalizeDiscriminator = config.spectralNorm !== "none";
  const discriminatorShape = packedShape(dataShape, config.pack);
  const conditioning = conditioningOf(config);
  return {
    generator: buildGenerator(config, dataShape, initialization),
    discriminator:
      config.arch === "dcgan"
        ? dcganDiscriminator(config.dcgan, discriminatorShape, discriminatorSeed, normalizeDiscriminator, conditioning)
        : mlpDiscriminator(config.mlp, discriminatorShape, discriminatorSeed, normalizeDiscriminator, conditioning),
  };
}

/**
 * G alone, with the initial weights buildNetworks gives it (same seed, same names): also the EMA generator's
 * network (src/core/training/ema.ts).
 */
export function buildGenerator(
  config: Config,
  dataShape: number[],
  initialization: NetworkInitialization = {},
): Network {
  const output = resolveOutputActivation(config, dataShape.length === 3);
  const generatorSeed = hashSeed(config.seed, "generator");
  const normalizeGenerator = config.spectralNorm === "both";
  const conditioning = conditioningOf(config);
  const { dcgan, mlp, latentDim } = config;
  return config.arch === "dcgan"
    ? dcganGenerator(dcgan, latentDim, dataShape, output, generatorSeed, normalizeGenerator, conditioning)
    : mlpGenerator(mlp, latentDim, dataShape, output, generatorSeed, normalizeGenerator, conditioning, initialization);
}
