/**
 * Builds G and D from a config and the data's shape. Nothing here knows about losses (only training/ joins them).
 */
import { ConfigError, type Config } from "../config.js";
import { hashSeed } from "../engine/random.js";
import { dcganDiscriminator, dcganGenerator } from "./dcgan.js";
import { mlpDiscriminator, mlpGenerator } from "./mlp.js";
import type { Network } from "./network.js";

export type OutputActivation = "tanh" | "sigmoid" | "linear";

/** Images live in [-1, 1] for tanh generators and [0, 1] for sigmoid ones. */
export type PixelRange = "tanh" | "sigmoid";

/** `auto` → tanh for images (pixels in [-1, 1]), identity for low-dimensional toy data. */
export function resolveOutputActivation(config: Config, isImage: boolean): OutputActivation {
  const output = config.generatorOutput === "auto" ? (isImage ? "tanh" : "linear") : config.generatorOutput;
  if (isImage && output === "linear") {
    throw new ConfigError("config: generatorOutput: images need a bounded output (tanh or sigmoid), not linear");
  }
  if (!isImage && output !== "linear") {
    throw new ConfigError(
      `config: generatorOutput: ${output} cannot reach toy data outside its range; use linear or auto`,
    );
  }
  return output;
}

/** The range the data is scaled to so that G's output activation can reach all of it. */
export function pixelRangeFor(output: OutputActivation): PixelRange {
  return output === "sigmoid" ? "sigmoid" : "tanh";
}

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

export { Network } from "./network.js";
