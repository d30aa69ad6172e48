/**
 * A GAN under training: both networks, each with its own optimizer bound to its own variables, the adversarial
 * objective (D's and G's losses), and the number of Algorithm-1 iterations done.
 *
 * `assembleGan` is the one way to put a GAN together from parts (createGan, the theory experiments' GANs with a
 * hand-made generator, the lab's retuned optimizers); `withParts` is a GAN that shares another's parts but a few.
 * Either way the objective follows `config.loss`, so a GAN never carries a loss its config does not name.
 * With `config.generatorEma` > 0 a GAN also keeps an EMA generator (ema.ts), which draws its samples.
 */
import type { Config } from "../config.js";
import { ganLoss, type GanLoss } from "../losses/index.js";
import { buildNetworks, type NetworkInitialization } from "../models/index.js";
import type { Network } from "../models/network.js";
import { createEmaGenerator } from "./ema.js";
import { createOptimizer, type Optimizer } from "./optimizers.js";

/** A GAN under training: G, D, their optimizers, the objective and the step count (see the file comment). */
export interface Gan {
  readonly config: Config;
  /** One sample's shape without the batch dimension: [28, 28, 1] for MNIST, [2] for 2-D toys. */
  readonly dataShape: number[];
  readonly generator: Network;
  readonly discriminator: Network;
  /** The moving average of G's weights (ema.ts), or null when `config.generatorEma` is 0; no optimizer sees it. */
  readonly generatorEma: Network | null;
  /** Updates only `generator.parameters`. */
  readonly generatorOptimizer: Optimizer;
  /** Updates only `discriminator.parameters`. */
  readonly discriminatorOptimizer: Optimizer;
  /** D's and G's objectives: `config.loss`'s. */
  readonly loss: GanLoss;
  /** Completed iterations of Algorithm 1 (k D-steps + one G-step each). */
  step: number;
}

/** What a GAN is made of. An optimizer left out is created from the config for its network, at its network's rate. */
export interface GanParts {
  config: Config;
  dataShape: readonly number[];
  generator: Network;
  discriminator: Network;
  /** The EMA generator; default none (createGan makes one when the config asks for it). */
  generatorEma?: Network | null;
  generatorOptimizer?: Optimizer;
  discriminatorOptimizer?: Optimizer;
  /** Completed Algorithm-1 iterations; default 0 (a new GAN). */
  step?: number;
}

/** A GAN from its parts; the objective is `config.loss`'s. The GAN owns the parts: disposeGan frees them all. */
export function assembleGan(parts: GanParts): Gan {
  const { config, generator, discriminator } = parts;
  return {
    config,
    dataShape: [...parts.dataShape],
    generator,
    discriminator,
    generatorEma: parts.generatorEma ?? null,
    generatorOptimizer:
      parts.generatorOptimizer ??
      createOptimizer(config, generator.parameters, generator.parameterNames, config.generatorLearningRate),
    discriminatorOptimizer:
      parts.discriminatorOptimizer ??
      createOptimizer(config, discriminator.parameters, discriminator.parameterNames, config.discriminatorLearningRate),
    loss: ganLoss(config.loss),
    step: parts.step ?? 0,
  };
}

/**
 * A GAN with `gan`'s parts and step except those in `changes` (e.g. another optimizer for D, or a config whose step
 * limit is nearer). It shares the parts, so dispose only one of the two; its `step` is its own copy.
 */
export function withParts(gan: Gan, changes: Partial<GanParts>): Gan {
  return assembleGan({
    config: changes.config ?? gan.config,
    dataShape: changes.dataShape ?? gan.dataShape,
    generator: changes.generator ?? gan.generator,
    discriminator: changes.discriminator ?? gan.discriminator,
    generatorEma: changes.generatorEma !== undefined ? changes.generatorEma : gan.generatorEma,
    generatorOptimizer: changes.generatorOptimizer ?? gan.generatorOptimizer,
    discriminatorOptimizer: changes.discriminatorOptimizer ?? gan.discriminatorOptimizer,
    step: changes.step ?? gan.step,
  });
}

/**
 * A new GAN: the config's networks for data of `dataShape`, the config's optimizers, step 0, and with
 * `config.generatorEma` > 0 an EMA generator starting at G's initial weights. `initialization` carries what a
 * data-dependent initial value needs (networkInitialization(config, dataset): models/initialization.ts).
 */
export function createGan(config: Config, dataShape: number[], initialization: NetworkInitialization = {}): Gan {
  const networks = buildNetworks(config, dataShape, initialization);
  const generatorEma = config.generatorEma > 0 ? createEmaGenerator(config, dataShape, networks.generator) : null;
  return assembleGan({ config, dataShape, ...networks, generatorEma });
}

/**
 * The generator that draws a GAN's samples (grids, `tsgan sample`, `tsgan eval`, the run viewer): the EMA
 * generator when the GAN keeps one, unless `raw` asks for G itself.
 */
export function samplingGenerator(gan: Gan, raw = false): Network {
  return raw || !gan.generatorEma ? gan.generator : gan.generatorEma;
}

/** Frees every tensor of the GAN: both networks, the EMA generator, both optimizers' state. */
export function disposeGan(gan: Gan): void {
  gan.generatorOptimizer.dispose();
  gan.discriminatorOptimizer.dispose();
  gan.generator.dispose();
  gan.discriminator.dispose();
  gan.generatorEma?.dispose();
}
