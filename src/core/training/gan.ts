/**
 * A GAN under training: both networks, each with its own optimizer bound to its own variables, the generator's
 * objective, and the number of Algorithm-1 iterations done.
 */
import type { Config } from "../config.js";
import { generatorLoss, type GeneratorLoss } from "../losses/index.js";
import { buildNetworks } from "../models/index.js";
import type { Network } from "../models/network.js";
import { createOptimizer, type Optimizer } from "./optimizers.js";

export interface Gan {
  readonly config: Config;
  /** One sample's shape without the batch dimension: [28, 28, 1] for MNIST, [2] for 2-D toys. */
  readonly dataShape: number[];
  readonly generator: Network;
  readonly discriminator: Network;
  /** Updates only `generator.parameters`. */
  readonly generatorOptimizer: Optimizer;
  /** Updates only `discriminator.parameters`. */
  readonly discriminatorOptimizer: Optimizer;
  readonly generatorLoss: GeneratorLoss;
  /** Completed iterations of Algorithm 1 (k D-steps + one G-step each). */
  step: number;
}

export function createGan(config: Config, dataShape: number[]): Gan {
  const { generator, discriminator } = buildNetworks(config, dataShape);
  return {
    config,
    dataShape,
    generator,
    discriminator,
    generatorOptimizer: createOptimizer(
      config,
      generator.parameters,
      generator.parameterNames,
      config.generatorLearningRate,
    ),
    discriminatorOptimizer: createOptimizer(
      config,
      discriminator.parameters,
      discriminator.parameterNames,
      config.discriminatorLearningRate,
    ),
    generatorLoss: generatorLoss(config.loss),
    step: 0,
  };
}

export function disposeGan(gan: Gan): void {
  gan.generatorOptimizer.dispose();
  gan.discriminatorOptimizer.dispose();
  gan.generator.dispose();
  gan.discriminator.dispose();
}
