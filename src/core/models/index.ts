/**
 * Builds G and D from a config and the data's shape. Nothing here knows about losses (only training/ joins them).
 */
import type { Config } from "../config.js";
import { hashSeed } from "../engine/random.js";
import { dcganDiscriminator, dcganGenerator } from "./dcgan.js";
import { mlpDiscriminator, mlpGenerator } from "./mlp.js";
import type { Network } from "./network.js";
import { resolveOutputActivation } from "./output.js";

export { pixelRangeFor, resolveOutputActivation, type OutputActivation } from "./output.js";

export interface Networks {
  generator: Network;
  discriminator: Network;
}

/** G: z [batch, latentDim] → x [batch, ...dataShape]; D: x → logit [batch, 1]. Weights derive from the run seed. */
export function buildNetworks(config: Config, dataShape: number[]): Networks {
  const isImage = dataShape.length === 3;
  const output = resolveOutputActivation(config, isImage);
  const generatorSeed = hashSeed(config.seed, "generator");
  const discriminatorSeed = hashSeed(config.seed, "discriminator");
  if (config.arch === "dcgan") {
    return {
      generator: dcganGenerator(config.dcgan, config.latentDim, dataShape, output, generatorSeed),
      discriminator: dcganDiscriminator(config.dcgan, dataShape, discriminatorSeed),
    };
  }
  return {
    generator: mlpGenerator(config.mlp, config.latentDim, dataShape, output, generatorSeed),
    discriminator: mlpDiscriminator(config.mlp, dataShape, discriminatorSeed),
  };
}
