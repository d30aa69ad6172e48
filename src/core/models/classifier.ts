/**
 * A small LeNet-style CNN (LeCun et al. 1998): tsgan's own feature network for evaluating generators offline,
 * in place of an Inception download.
 *
 *   image [28, 28, 1]
 *   → Conv 5×5, 32 channels, stride 2 → ReLU      [14, 14, 32]
 *   → Conv 5×5, 64 channels, stride 2 → ReLU      [7, 7, 64]
 *   → flatten                                      [3136]
 *   → Dense 128 → ReLU                             [128]   the penultimate *features*
 *   → Dropout 0.5 (training only)
 *   → Dense 10                                     [10]    class logits
 *
 * Strided convolutions stand in for LeNet's pooling (as in Springenberg et al. 2015, "all convolutional net"): they
 * downsample with learned filters, need no extra layer kind, and run on every backend's fast convolution kernels.
 * Nothing here knows about losses; src/core/training/classifier.ts trains it.
 */
import { tf, type Tensor } from "../engine/tf.js";
import {
  ACTIVATIONS,
  Activation,
  Conv2D,
  Dense,
  Dropout,
  ParameterStore,
  Reshape,
  type ApplyOptions,
  type Initializer,
  type Layer,
} from "./layers.js";
import { Network } from "./network.js";

/** The classifier's shape; everything needed to rebuild it before loading saved weights. */
export interface ClassifierArchitecture {
  /** One image without the batch dimension: [height, width, channels]. */
  inputShape: number[];
  /** Output channels of each convolution, in order. */
  convolutionChannels: number[];
  /** Side of every (square) convolution kernel. */
  kernelSize: number;
  /** Stride of every convolution: each halves the image side (rounding up) when 2. */
  stride: number;
  /** Width of the penultimate Dense layer: the feature space evaluation metrics work in. */
  featureDim: number;
  /** Fraction of features dropped in training (identity at inference). */
  dropout: number;
  /** Number of classes (logits). */
  classes: number;
}

/** The default architecture, each choice with its reason. */
export const DEFAULT_CLASSIFIER_ARCHITECTURE: Readonly<ClassifierArchitecture> = {
  /** MNIST and Fashion-MNIST: 28×28 grey. */
  inputShape: [28, 28, 1],
  /** LeNet-5's widths scaled up as in the TensorFlow and PyTorch MNIST examples (32, 64): > 99% on MNIST. */
  convolutionChannels: [32, 64],
  /** LeNet's 5×5 receptive field: two layers see 17×17 pixels, most of a digit. */
  kernelSize: 5,
  /** Stride 2 replaces 2×2 pooling: 28 → 14 → 7, at a quarter of a stride-1 convolution's cost. */
  stride: 2,
  /** 128 features: the width of the TensorFlow MNIST example's hidden layer; small enough for 128×128 covariances. */
  featureDim: 128,
  /** Dropout 0.5 before the logits (Srivastava et al. 2014): the usual choice for a fully connected head. */
  dropout: 0.5,
  /** Ten digits / ten clothing classes. */
  classes: 10,
};

/** Glorot & Bengio 2010 uniform: Keras' default for Conv2D and Dense, which LeNet-style MNIST nets train well with. */
const CLASSIFIER_INIT: Initializer = { kind: "glorot-uniform" };
/** ParameterStore name: weight initialisation streams derive from (seed, "init", this name, parameter). */
const NETWORK_NAME = "classifier";
/** Dropout's layer index in its mask seed; one dropout layer, so any fixed number. */
const DROPOUT_LAYER_INDEX = 0;

/** A built classifier: images → features (penultimate layer) → logits. Its variables live in `network`. */
export class Classifier {
  /** The whole stack, image → logits: parameters in a fixed order, parameter count, named variables, dispose. */
  readonly network: Network;

  constructor(
    readonly architecture: ClassifierArchitecture,
    private readonly featureLayers: Layer[],
    private readonly headLayers: Layer[],
    store: ParameterStore,
  ) {
    this.network = new Network(NETWORK_NAME, architecture.inputShape, [...featureLayers, ...headLayers], store);
  }

  /** Width of the penultimate layer. */
  get featureDim(): number {
    return this.architecture.featureDim;
  }

  /** Number of classes. */
  get classes(): number {
    return this.architecture.classes;
  }

  /** Images [batch, height, width, channels] → penultimate features [batch, featureDim] (after the ReLU). */
  features(images: Tensor, options: ApplyOptions): Tensor {
    checkInputShape(images, this.architecture.inputShape);
    return this.featureLayers.reduce((output, layer) => layer.apply(output, options), images);
  }

  /** Images [batch, height, width, channels] → class logits [batch, classes]. */
  logits(images: Tensor, options: ApplyOptions): Tensor {
    return this.headLayers.reduce((output, layer) => layer.apply(output, options), this.features(images, options));
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.network.parameterCount();
  }

  dispose(): void {
    this.network.dispose();
  }
}

function checkInputShape(images: Tensor, expected: number[]): void {
  const actual = images.shape.slice(1);
  if (actual.length !== expected.length || actual.some((size, axis) => size !== expected[axis])) {
    throw new Error(`${NETWORK_NAME}: input shape [${actual}] does not match [${expected}]`);
  }
}

/** Checks an architecture (e.g. one read from a weights manifest); throws one line naming the bad field. */
export function validateArchitecture(architecture: ClassifierArchitecture): void {
  const positiveInteger = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;
  const { inputShape, convolutionChannels, kernelSize, stride, featureDim, dropout, classes } = architecture;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every(positiveInteger)) {
    throw new Error(`classifier architecture: inputShape must be [height, width, channels], got ${String(inputShape)}`);
  }
  if (!Array.isArray(convolutionChannels) || !convolutionChannels.every(positiveInteger)) {
    throw new Error(`classifier architecture: convolutionChannels must be positive integers`);
  }
  for (const [name, value] of Object.entries({ kernelSize, stride, featureDim, classes })) {
    if (!positiveInteger(value)) throw new Error(`classifier architecture: ${name} must be a positive integer`);
  }
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
    throw new Error(`classifier architecture: dropout must be in [0, 1), got ${String(dropout)}`);
  }
}

/**
 * Builds the classifier with weights initialised from `seed` (per-parameter streams, so equal seeds give equal
 * weights on every machine). Parameter names: conv0/filter, conv0/bias, conv1/…, features/kernel, features/bias,
 * logits/kernel, logits/bias.
 */
export function buildClassifier(
  architecture: ClassifierArchitecture = DEFAULT_CLASSIFIER_ARCHITECTURE,
  seed = 0,
): Classifier {
  validateArchitecture(architecture);
  let classifier: Classifier | undefined;
  // In a tidy scope: the initial-value tensors the variables were made from are freed; the variables stay.
  tf.tidy(() => {
    classifier = assembleClassifier(architecture, seed);
  });
  return classifier!;
}

function assembleClassifier(architecture: ClassifierArchitecture, seed: number): Classifier {
  const store = new ParameterStore(NETWORK_NAME, seed);
  const featureLayers: Layer[] = [];
  let shape = [...architecture.inputShape];
  architecture.convolutionChannels.forEach((channels, index) => {
    const convolution = new Conv2D(
      store,
      `conv${index}`,
      shape,
      channels,
      architecture.kernelSize,
      architecture.stride,
      CLASSIFIER_INIT,
    ); // [h, w, c] → [ceil(h/stride), ceil(w/stride), channels]
    shape = convolution.outputShape;
    featureLayers.push(convolution, new Activation(shape, ACTIVATIONS.relu));
  });
  const flat = shape.reduce((product, size) => product * size, 1); // 7·7·64 = 3136 by default
  featureLayers.push(
    new Reshape([flat]),
    new Dense(store, "features", flat, architecture.featureDim, CLASSIFIER_INIT),
    new Activation([architecture.featureDim], ACTIVATIONS.relu),
  );
  const headLayers: Layer[] = [
    new Dropout([architecture.featureDim], architecture.dropout, DROPOUT_LAYER_INDEX),
    new Dense(store, "logits", architecture.featureDim, architecture.classes, CLASSIFIER_INIT),
  ];
  return new Classifier(architecture, featureLayers, headLayers, store);
}

/**
 * Trainable scalars of an architecture, by formula (weights + biases of each layer):
 * default: (5·5·1·32 + 32) + (5·5·32·64 + 64) + (3136·128 + 128) + (128·10 + 10) = 454 922.
 */
export function classifierParameterCount(architecture: ClassifierArchitecture): number {
  const [height, width, inputChannels] = architecture.inputShape as [number, number, number];
  let side = [height, width];
  let channels = inputChannels;
  let count = 0;
  for (const outputChannels of architecture.convolutionChannels) {
    count += architecture.kernelSize ** 2 * channels * outputChannels + outputChannels;
    channels = outputChannels;
    side = side.map((size) => Math.ceil(size / architecture.stride));
  }
  const flat = side[0]! * side[1]! * channels;
  count += flat * architecture.featureDim + architecture.featureDim;
  count += architecture.featureDim * architecture.classes + architecture.classes;
  return count;
}
