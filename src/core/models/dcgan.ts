/**
 * DCGAN-style convolutional networks (Radford et al. 2016), sized from the dataset.
 *
 * G: Dense → BatchNorm → ReLU → Dropout → reshape [s, s, depth] → (Conv2DTranspose stride 2 → BatchNorm → ReLU)* →
 *    Conv2DTranspose stride 2 → output activation.
 * D: (Conv2D stride 2 → [BatchNorm] → LeakyReLU(0.2) → Dropout)* → flatten → Dense → one logit.
 * With the defaults on 28×28 MNIST this is exactly the benchmark model of ../shared/peers/pytorch_dcgan_step.py.
 */
import { ConfigError, type DcganConfig } from "../config.js";
import {
  ACTIVATIONS,
  Activation,
  BatchNorm,
  Conv2D,
  Conv2DTranspose,
  Dense,
  Dropout,
  ParameterStore,
  Reshape,
  leakyRelu,
  type Initializer,
  type Layer,
} from "./layers.js";
import { discriminatorHead, generatorInputLayers, type Conditioning } from "./conditional.js";
import { Network } from "./network.js";
import type { OutputActivation } from "./output.js";

/** DCGAN paper: all weights from N(0, 0.02). */
const DCGAN_INIT: Initializer = { kind: "normal", std: 0.02 };
/** Every transposed convolution doubles the spatial size; every D convolution halves it (rounding up). */
const STRIDE = 2;

/** Checks that an image of this shape can be produced by the generator's stride-2 stack; returns the start size. */
export function dcganStartSize(config: DcganConfig, dataShape: number[]): [number, number] {
  if (dataShape.length !== 3) {
    throw new ConfigError(
      `config: arch: dcgan needs images [height, width, channels]; this dataset has shape [${dataShape}] (use --arch mlp)`,
    );
  }
  const upsamplings = config.generatorChannels.length + 1;
  const factor = STRIDE ** upsamplings;
  const [height, width] = dataShape as [number, number, number];
  if (height % factor !== 0 || width % factor !== 0) {
    throw new ConfigError(
      `config: dcgan.generatorChannels: ${upsamplings} stride-2 layers need image sides divisible by ${factor}; the dataset's images are ${height}×${width}`,
    );
  }
  return [height / factor, width / factor];
}

/** z [batch, latentDim] (and labels, when conditional) → images [batch, height, width, channels]. */
export function dcganGenerator(
  config: DcganConfig,
  latentDim: number,
  dataShape: number[],
  output: OutputActivation,
  seed: number,
  spectralNorm = false,
  conditioning: Conditioning | null = null,
): Network {
  const [startHeight, startWidth] = dcganStartSize(config, dataShape);
  const store = new ParameterStore("generator", seed, spectralNorm);
  const denseUnits = startHeight * startWidth * config.generatorDepth;
  const input = generatorInputLayers(store, latentDim, conditioning);
  const layers: Layer[] = [
    ...input.layers,
    new Dense(store, "dense", input.width, denseUnits, DCGAN_INIT),
    new BatchNorm(store, "batchNorm0", [denseUnits]),
    new Activation([denseUnits], ACTIVATIONS.relu),
    new Dropout([denseUnits], config.generatorDropout, 0),
    new Reshape([startHeight, startWidth, config.generatorDepth]),
  ];
  let shape = [startHeight, startWidth, config.generatorDepth];
  config.generatorChannels.forEach((channels, index) => {
    const upsample = new Conv2DTranspose(
      store,
      `deconv${index}`,
      shape,
      channels,
      config.kernelSize,
      STRIDE,
      DCGAN_INIT,
    );
    shape = upsample.outputShape;
    layers.push(
      upsample,
      new BatchNorm(store, `batchNorm${index + 1}`, shape),
      new Activation(shape, ACTIVATIONS.relu),
    );
  });
  const imageChannels = dataShape[2]!;
  const outputLayer = new Conv2DTranspose(store, "output", shape, imageChannels, config.kernelSize, STRIDE, DCGAN_INIT);
  layers.push(outputLayer, new Activation(outputLayer.outputShape, ACTIVATIONS[output]));
  return new Network("generator", [latentDim], layers, store);
}

/** images [batch, height, width, channels] → one logit [batch, 1] (AC-GAN: [batch, 1 + classCount]). */
export function dcganDiscriminator(
  config: DcganConfig,
  dataShape: number[],
  seed: number,
  spectralNorm = false,
  conditioning: Conditioning | null = null,
): Network {
  dcganStartSize(config, dataShape);
  const store = new ParameterStore("discriminator", seed, spectralNorm);
  const layers: Layer[] = [];
  let shape = dataShape;
  config.discriminatorChannels.forEach((channels, index) => {
    const conv = new Conv2D(store, `conv${index}`, shape, channels, config.kernelSize, STRIDE, DCGAN_INIT);
    shape = conv.outputShape;
    layers.push(conv);
    if (config.discriminatorBatchNorm && index > 0) layers.push(new BatchNorm(store, `batchNorm${index}`, shape));
    layers.push(new Activation(shape, leakyRelu(config.leak)), new Dropout(shape, config.discriminatorDropout, index));
  });
  const flat = shape.reduce((a, b) => a * b, 1);
  layers.push(new Reshape([flat]), discriminatorHead(store, flat, DCGAN_INIT, conditioning));
  return new Network("discriminator", dataShape, layers, store);
}
