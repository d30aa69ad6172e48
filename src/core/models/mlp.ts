/**
 * The paper's multilayer perceptrons (Goodfellow et al. 2014, MNIST): G = ReLU layers and an output matching the
 * data range; D = maxout layers with dropout and one logit.
 */
import type { MlpConfig } from "../config.js";
import {
  ACTIVATIONS,
  Activation,
  BatchNorm,
  Dense,
  Dropout,
  Maxout,
  ParameterStore,
  Reshape,
  type Initializer,
  type Layer,
} from "./layers.js";
import { discriminatorHead, generatorInputLayers, type Conditioning } from "./conditional.js";
import { generatorOutputBias, type NetworkInitialization } from "./initialization.js";
import { Network } from "./network.js";
import type { OutputActivation } from "./output.js";

const GLOROT: Initializer = { kind: "glorot-uniform" };

/** Glorot (Glorot & Bengio 2010) unless the config names a range: uniform in ±range, the paper's code's `irange`. */
function weightInitializer(range: number): Initializer {
  return range > 0 ? { kind: "uniform", range } : GLOROT;
}

/** z [batch, latentDim] (and labels, when conditional) → x [batch, ...dataShape]. */
export function mlpGenerator(
  config: MlpConfig,
  latentDim: number,
  dataShape: number[],
  output: OutputActivation,
  seed: number,
  spectralNorm = false,
  conditioning: Conditioning | null = null,
  initialization: NetworkInitialization = {},
): Network {
  const store = new ParameterStore("generator", seed, spectralNorm);
  const init = weightInitializer(config.generatorWeightRange);
  const input = generatorInputLayers(store, latentDim, conditioning);
  const layers: Layer[] = [...input.layers];
  let width = input.width;
  config.generatorHidden.forEach((units, index) => {
    layers.push(new Dense(store, `dense${index}`, width, units, init));
    if (config.generatorBatchNorm) layers.push(new BatchNorm(store, `batchNorm${index}`, [units]));
    layers.push(new Activation([units], ACTIVATIONS.relu));
    width = units;
  });
  const dataSize = dataShape.reduce((a, b) => a * b, 1);
  const outputBias = generatorOutputBias(config, dataSize, initialization);
  layers.push(new Dense(store, "output", width, dataSize, init, true, outputBias));
  layers.push(new Activation([dataSize], ACTIVATIONS[output]));
  layers.push(new Reshape(dataShape));
  return new Network("generator", [latentDim], layers, store);
}

/** x [batch, ...dataShape] → one logit [batch, 1] (AC-GAN: [batch, 1 + classCount]). */
export function mlpDiscriminator(
  config: MlpConfig,
  dataShape: number[],
  seed: number,
  spectralNorm = false,
  conditioning: Conditioning | null = null,
): Network {
  const store = new ParameterStore("discriminator", seed, spectralNorm);
  const init = weightInitializer(config.discriminatorWeightRange);
  const dataSize = dataShape.reduce((a, b) => a * b, 1);
  const layers: Layer[] = [new Reshape([dataSize]), new Dropout([dataSize], config.discriminatorInputDropout, 0)];
  let width = dataSize;
  config.discriminatorHidden.forEach((units, index) => {
    layers.push(new Maxout(store, `maxout${index}`, width, units, config.maxoutPieces, init));
    layers.push(new Dropout([units], config.discriminatorDropout, index + 1));
    width = units;
  });
  layers.push(discriminatorHead(store, width, init, conditioning));
  return new Network("discriminator", dataShape, layers, store);
}
