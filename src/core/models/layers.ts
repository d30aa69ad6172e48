/**
 * The few layers tsgan's networks are made of, on raw TF.js ops.
 *
 * Why not tf.layers: its Dropout draws masks from an unseeded (or fixed-seed) generator, its BatchNorm updates
 * running statistics implicitly, and Keras-style `trainable` flags decide what an optimizer touches. Here every
 * layer owns explicit variables, the training mode is an argument, dropout masks derive from (seed, step, layer),
 * and running statistics change only when the caller says so.
 */
import {
  BATCH_NORM_TRAINING_KERNEL,
  CONV2D_BIAS_KERNEL,
  CONV2D_TRANSPOSE_BIAS_KERNEL,
  RUNNING_STATISTICS_KERNEL,
  backendHasKernel,
  runFusedBatchNormTraining,
  runFusedConvolutionBias,
  runFusedRunningStatistics,
} from "../engine/fusedKernels.js";
import { tf, type Tensor, type Variable } from "../engine/tf.js";
import { hashSeed, Rng } from "../engine/random.js";
import { INFERENCE, portableConvolution, type PortableLayer } from "./portable.js";
import { layerWeight, type LayerWeight } from "./spectralNorm.js";

/** How a forward pass runs; never implicit. */
export interface ApplyOptions {
  /** Training mode: dropout active, BatchNorm normalises with batch statistics. */
  training: boolean;
  /** In training mode, fold the batch statistics into BatchNorm's running averages (only in the network's own step). */
  updateStatistics?: boolean;
  /** Seed for dropout masks; required when training with dropout (derive it from seed, step and purpose). */
  seed?: number;
  /** Class labels, int32 [batch], for a conditional network's label layers (conditional.ts); others ignore them. */
  labels?: Tensor;
}

/** A variable a store was asked for: its name, shape and whether an optimizer trains it. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  trainable: boolean;
}

/** True while ParameterStore.plan builds networks: stores then record shapes and create no variables. */
let planning = false;
/** What a store hands out while planning in place of a variable; a planned network is never applied. */
const UNALLOCATED = undefined as unknown as Variable;

/** Where a network's variables are created, in a fixed order (the order optimizers and checkpoints rely on). */
export class ParameterStore {
  /** Trainable variables, by local name ("dense0/kernel"), in creation order. */
  readonly trainable = new Map<string, Variable>();
  /** Non-trainable state (BatchNorm running mean and variance), by local name. */
  readonly statistics = new Map<string, Variable>();
  /** Every variable asked for, in creation order (also while planning, when nothing is created). */
  readonly specs: ParameterSpec[] = [];
  private static instances = 0;
  private readonly prefix: string;

  /**
   * Runs `build` (which builds networks) with every store only recording the shapes it is asked for: no variable,
   * no initial values. So the memory a model needs is known before any of it is allocated (models/memory.ts).
   * The networks built this way hold no variables and must not be applied.
   */
  static plan<T>(build: () => T): T {
    planning = true;
    try {
      return build();
    } finally {
      planning = false;
    }
  }

  constructor(
    readonly networkName: string,
    private readonly seed: number,
    /** Spectrally normalise the weights of this network's Dense and convolution layers (spectralNorm.ts). */
    readonly spectralNorm = false,
  ) {
    // TF.js variable names are global; the instance counter keeps two networks of one name apart.
    this.prefix = `${networkName}_${ParameterStore.instances++}`;
  }

  /** A trainable variable initialised from `values()` (already shaped; not called while planning). */
  add(name: string, shape: number[], values: () => Float32Array): Variable {
    this.assertNew(name, shape, true);
    if (planning) return UNALLOCATED;
    const variable = tf.tidy(() => tf.variable(tf.tensor(values(), shape), true, `${this.prefix}/${name}`));
    this.trainable.set(name, variable);
    return variable;
  }

  /** A non-trainable state variable filled with a constant, or with `fill()` (already shaped; not called while planning). */
  addStatistic(name: string, shape: number[], fill: number | (() => Float32Array)): Variable {
    this.assertNew(name, shape, false);
    if (planning) return UNALLOCATED;
    const initial = () => (typeof fill === "number" ? tf.fill(shape, fill) : tf.tensor(fill(), shape));
    const variable = tf.tidy(() => tf.variable(initial(), false, `${this.prefix}/${name}`));
    this.statistics.set(name, variable);
    return variable;
  }

  /** An independent random stream per parameter: adding a layer never changes another layer's initial weights. */
  rng(name: string): Rng {
    return Rng.derive(this.seed, "init", this.networkName, name);
  }

  private assertNew(name: string, shape: number[], trainable: boolean): void {
    if (this.specs.some((spec) => spec.name === name)) throw new Error(`duplicate parameter name ${name}`);
    this.specs.push({ name, shape, trainable });
  }
}

export interface Layer {
  /** Input [batch, ...inShape] → output [batch, ...outShape]. */
  apply(input: Tensor, options: ApplyOptions): Tensor;
  /** Output shape without the batch dimension. */
  readonly outputShape: number[];
  /**
   * This layer in inference mode as stock TF.js layers (src/core/export/generatorModel.ts builds them): none for
   * Dropout, which is the identity at inference. Absent for a layer with no stock equivalent (Maxout, only in D).
   * Call inside tf.tidy: the weights may be new tensors (W / σ(W) under spectral normalization) or the variables.
   */
  portable?(): PortableLayer[];
}

/**
 * Weight initialisations, named after their papers — or, for "uniform", after the paper's code: pylearn2's `irange`
 * draws every weight uniformly from [−range, range] whatever the layer's fan-in (Goodfellow et al. 2014's mnist.yaml).
 */
export type Initializer =
  { kind: "glorot-uniform" } | { kind: "normal"; std: number } | { kind: "uniform"; range: number };

/** Initial values of a weight of `shape` drawn from `init` (its own stream: store.rng(name)). */
export function initialValues(
  store: ParameterStore,
  name: string,
  shape: number[],
  init: Initializer,
  fanIn: number,
  fanOut: number,
): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const rng = store.rng(name);
  if (init.kind === "normal") return rng.fillNormal(values, 0, init.std);
  if (init.kind === "uniform") return rng.fillUniform(values, -init.range, init.range);
  const limit = Math.sqrt(6 / (fanIn + fanOut)); // Glorot & Bengio 2010
  return rng.fillUniform(values, -limit, limit);
}

/** A convolution filter variable, initialised with the fan-in and fan-out its layout implies. */
function addFilter(
  store: ParameterStore,
  name: string,
  shape: number[],
  init: Initializer,
  fanIn: number,
  fanOut: number,
) {
  return store.add(`${name}/filter`, shape, () => initialValues(store, `${name}/filter`, shape, init, fanIn, fanOut));
}

/** Axis of the output channels in Conv2D's filter [h, w, in, out] and Conv2DTranspose's [h, w, out, in]. */
const CONV_OUTPUT_AXIS = 3;
const CONV_TRANSPOSE_OUTPUT_AXIS = 2;
/** Axis of the units in Dense's kernel [inputs, units]. */
const DENSE_OUTPUT_AXIS = 1;

/** x·W + b. Input [batch, inputs] → [batch, units]. */
export class Dense implements Layer {
  readonly outputShape: number[];
  private readonly kernel: LayerWeight;
  private readonly bias: Variable | null;

  /** `initialBias` gives the bias's starting values [units] (called only when the variable is created); default zeros. */
  constructor(
    store: ParameterStore,
    name: string,
    inputs: number,
    units: number,
    init: Initializer,
    useBias = true,
    initialBias: () => Float32Array = () => new Float32Array(units),
  ) {
    this.outputShape = [units];
    const kernel = store.add(`${name}/kernel`, [inputs, units], () =>
      initialValues(store, `${name}/kernel`, [inputs, units], init, inputs, units),
    );
    this.kernel = layerWeight(store, `${name}/kernel`, kernel, DENSE_OUTPUT_AXIS);
    this.bias = useBias ? store.add(`${name}/bias`, [units], initialBias) : null;
  }

  apply(input: Tensor, options: ApplyOptions): Tensor {
    const product = tf.matMul(input as tf.Tensor2D, this.kernel.read(options) as tf.Tensor2D);
    return this.bias ? tf.add(product, this.bias) : product;
  }

  portable(): PortableLayer[] {
    return [{ kind: "dense", units: this.outputShape[0]!, kernel: this.kernel.read(INFERENCE), bias: this.bias }];
  }
}

/** Maxout (Goodfellow et al. 2013): `pieces` linear maps per unit, keep the largest. [batch, inputs] → [batch, units]. */
export class Maxout implements Layer {
  readonly outputShape: number[];
  private readonly linear: Dense;

  constructor(
    store: ParameterStore,
    name: string,
    inputs: number,
    private readonly units: number,
    private readonly pieces: number,
    init: Initializer,
  ) {
    this.outputShape = [units];
    this.linear = new Dense(store, name, inputs, units * pieces, init);
  }

  apply(input: Tensor, options: ApplyOptions): Tensor {
    const batch = input.shape[0]!;
    const pieces = tf.reshape(this.linear.apply(input, options), [batch, this.units, this.pieces]); // [batch, units, pieces]
    return tf.max(pieces, 2);
  }
}

/**
 * Strided 2-D convolution, 'same' padding. [batch, h, w, inChannels] → [batch, ceil(h/s), ceil(w/s), channels].
 * With its bias, one TsganConv2DBias kernel on a backend that has it (engine/fusedKernels.ts), else conv2d + add.
 */
export class Conv2D implements Layer {
  readonly outputShape: number[];
  private readonly filter: LayerWeight;
  private readonly bias: Variable | null;

  constructor(
    store: ParameterStore,
    name: string,
    inputShape: number[],
    channels: number,
    kernelSize: number,
    private readonly stride: number,
    init: Initializer,
    useBias = true,
  ) {
    const [height, width, inChannels] = inputShape as [number, number, number];
    this.outputShape = [Math.ceil(height / stride), Math.ceil(width / stride), channels];
    const shape = [kernelSize, kernelSize, inChannels, channels]; // HWIO
    const filter = addFilter(
      store,
      name,
      shape,
      init,
      kernelSize * kernelSize * inChannels,
      kernelSize * kernelSize * channels,
    );
    this.filter = layerWeight(store, `${name}/filter`, filter, CONV_OUTPUT_AXIS);
    this.bias = useBias ? store.add(`${name}/bias`, [channels], () => new Float32Array(channels)) : null;
  }

  apply(input: Tensor, options: ApplyOptions): Tensor {
    const filter = this.filter.read(options) as tf.Tensor4D;
    if (this.bias && backendHasKernel(CONV2D_BIAS_KERNEL)) {
      const attributes = { strides: this.stride, pad: "same" } as const;
      return runFusedConvolutionBias(CONV2D_BIAS_KERNEL, { x: input, filter, bias: this.bias }, attributes);
    }
    const output = tf.conv2d(input as tf.Tensor4D, filter, this.stride, "same");
    return this.bias ? tf.add(output, this.bias) : output;
  }

  portable(): PortableLayer[] {
    return [portableConvolution("conv2d", this.filter.read(INFERENCE), this.stride, this.bias, CONV_OUTPUT_AXIS)];
  }
}

/**
 * Transposed convolution ('same'): [batch, h, w, inChannels] → [batch, h·s, w·s, channels]. With its bias, one
 * TsganConv2DTransposeBias kernel on a backend that has it, else conv2dTranspose + add.
 */
export class Conv2DTranspose implements Layer {
  readonly outputShape: number[];
  private readonly filter: LayerWeight;
  private readonly bias: Variable | null;

  constructor(
    store: ParameterStore,
    name: string,
    inputShape: number[],
    channels: number,
    kernelSize: number,
    private readonly stride: number,
    init: Initializer,
    useBias = true,
  ) {
    const [height, width, inChannels] = inputShape as [number, number, number];
    this.outputShape = [height * stride, width * stride, channels];
    const shape = [kernelSize, kernelSize, channels, inChannels]; // TF.js layout for conv2dTranspose: [h, w, out, in]
    const filter = addFilter(
      store,
      name,
      shape,
      init,
      kernelSize * kernelSize * inChannels,
      kernelSize * kernelSize * channels,
    );
    this.filter = layerWeight(store, `${name}/filter`, filter, CONV_TRANSPOSE_OUTPUT_AXIS);
    this.bias = useBias ? store.add(`${name}/bias`, [channels], () => new Float32Array(channels)) : null;
  }

  apply(input: Tensor, options: ApplyOptions): Tensor {
    const batch = input.shape[0]!;
    const [height, width, channels] = this.outputShape as [number, number, number];
    const filter = this.filter.read(options) as tf.Tensor4D;
    const outputShape: [number, number, number, number] = [batch, height, width, channels];
    if (this.bias && backendHasKernel(CONV2D_TRANSPOSE_BIAS_KERNEL)) {
      const attributes = { strides: this.stride, pad: "same", outputShape } as const;
      return runFusedConvolutionBias(CONV2D_TRANSPOSE_BIAS_KERNEL, { x: input, filter, bias: this.bias }, attributes);
    }
    const output = tf.conv2dTranspose(input as tf.Tensor4D, filter, outputShape, this.stride, "same");
    return this.bias ? tf.add(output, this.bias) : output;
  }

  portable(): PortableLayer[] {
    const filter = this.filter.read(INFERENCE);
    return [portableConvolution("conv2dTranspose", filter, this.stride, this.bias, CONV_TRANSPOSE_OUTPUT_AXIS)];
  }
}

/** BatchNorm momentum for running averages: running ← 0.9·running + 0.1·batch (PyTorch's 0.1). */
export const BATCH_NORM_MOMENTUM = 0.9;
/** Added to the variance before the square root, as in PyTorch. */
export const BATCH_NORM_EPSILON = 1e-5;

/**
 * Batch normalisation (Ioffe & Szegedy 2015) over every axis but the last (features or channels). In training mode
 * it normalises with the batch's statistics: on a backend with the fused TsganBatchNormTraining kernel
 * (engine/fusedKernels.ts) in one differentiable kernel, elsewhere as tf.moments + tf.batchNorm.
 */
export class BatchNorm implements Layer {
  readonly outputShape: number[];
  private readonly scale: Variable;
  private readonly offset: Variable;
  private readonly runningMean: Variable;
  private readonly runningVariance: Variable;

  constructor(store: ParameterStore, name: string, shape: number[]) {
    this.outputShape = shape;
    const features = shape[shape.length - 1]!;
    this.scale = store.add(`${name}/scale`, [features], () => new Float32Array(features).fill(1));
    this.offset = store.add(`${name}/offset`, [features], () => new Float32Array(features));
    this.runningMean = store.addStatistic(`${name}/runningMean`, [features], 0);
    this.runningVariance = store.addStatistic(`${name}/runningVariance`, [features], 1);
  }

  apply(input: Tensor, options: ApplyOptions): Tensor {
    if (!options.training) {
      return tf.batchNorm(input, this.runningMean, this.runningVariance, this.offset, this.scale, BATCH_NORM_EPSILON);
    }
    const { output, mean, variance } = this.normaliseWithBatchStatistics(input);
    if (options.updateStatistics) this.updateRunningStatistics(mean, variance, input.size / mean.size);
    return output;
  }

  /**
   * running ← momentum·running + (1 − momentum)·batch, for the mean and for the variance, which uses the unbiased
   * estimate (n / (n − 1) times the batch's), as PyTorch does. One TsganRunningStatistics kernel where the backend
   * has it (bit-identical), else these ops.
   */
  private updateRunningStatistics(mean: Tensor, variance: Tensor, count: number): void {
    const varianceFactor = count / Math.max(count - 1, 1);
    if (backendHasKernel(RUNNING_STATISTICS_KERNEL)) {
      const inputs = { runningMean: this.runningMean, runningVariance: this.runningVariance, mean, variance };
      const [newMean, newVariance] = runFusedRunningStatistics(inputs, {
        momentum: BATCH_NORM_MOMENTUM,
        varianceFactor,
      });
      this.runningMean.assign(newMean);
      this.runningVariance.assign(newVariance);
      return;
    }
    const unbiased = tf.mul(variance, varianceFactor);
    this.runningMean.assign(
      tf.add(tf.mul(this.runningMean, BATCH_NORM_MOMENTUM), tf.mul(mean, 1 - BATCH_NORM_MOMENTUM)),
    );
    this.runningVariance.assign(
      tf.add(tf.mul(this.runningVariance, BATCH_NORM_MOMENTUM), tf.mul(unbiased, 1 - BATCH_NORM_MOMENTUM)),
    );
  }

  portable(): PortableLayer[] {
    return [
      {
        kind: "batchNormalization",
        epsilon: BATCH_NORM_EPSILON,
        gamma: this.scale,
        beta: this.offset,
        movingMean: this.runningMean,
        movingVariance: this.runningVariance,
      },
    ];
  }

  /** input [..., features] → normalised output, and the batch mean and biased variance ([features] each). */
  private normaliseWithBatchStatistics(input: Tensor): { output: Tensor; mean: Tensor; variance: Tensor } {
    if (backendHasKernel(BATCH_NORM_TRAINING_KERNEL)) {
      const inputs = { x: input, scale: this.scale, offset: this.offset };
      const [output, mean, variance] = runFusedBatchNormTraining(inputs, { varianceEpsilon: BATCH_NORM_EPSILON });
      return { output, mean, variance };
    }
    const axes = input.shape.slice(0, -1).map((_, axis) => axis);
    const { mean, variance } = tf.moments(input, axes);
    const output = tf.batchNorm(input, mean, variance, this.offset, this.scale, BATCH_NORM_EPSILON);
    return { output, mean, variance };
  }
}

/** Inverted dropout: zero a fraction `rate` of units, scale the rest by 1/(1 − rate); identity at inference. */
export class Dropout implements Layer {
  constructor(
    readonly outputShape: number[],
    private readonly rate: number,
    private readonly layerIndex: number,
  ) {}

  apply(input: Tensor, options: ApplyOptions): Tensor {
    if (!options.training || this.rate === 0) return input;
    if (options.seed === undefined) throw new Error("dropout in training mode needs ApplyOptions.seed");
    const uniform = tf.randomUniform(input.shape, 0, 1, "float32", hashSeed(options.seed, this.layerIndex));
    const keep = tf.cast(tf.greaterEqual(uniform, this.rate), "float32");
    return tf.mul(input, tf.mul(keep, 1 / (1 - this.rate)));
  }

  portable(): PortableLayer[] {
    return []; // the identity at inference
  }
}

/** An element-wise function, and the stock TF.js layer that computes it. */
export interface ElementwiseFunction {
  apply(input: Tensor): Tensor;
  readonly portable: PortableLayer;
}

/** An element-wise function. */
export class Activation implements Layer {
  constructor(
    readonly outputShape: number[],
    private readonly fn: ElementwiseFunction,
  ) {}

  apply(input: Tensor): Tensor {
    return this.fn.apply(input);
  }

  portable(): PortableLayer[] {
    return [this.fn.portable];
  }
}

/** Reshape the non-batch dimensions. */
export class Reshape implements Layer {
  constructor(readonly outputShape: number[]) {}

  apply(input: Tensor): Tensor {
    return tf.reshape(input, [input.shape[0]!, ...this.outputShape]);
  }

  portable(): PortableLayer[] {
    return [{ kind: "reshape", targetShape: [...this.outputShape] }];
  }
}

export const ACTIVATIONS = {
  relu: { apply: (x: Tensor) => tf.relu(x), portable: { kind: "activation", activation: "relu" } },
  tanh: { apply: (x: Tensor) => tf.tanh(x), portable: { kind: "activation", activation: "tanh" } },
  sigmoid: { apply: (x: Tensor) => tf.sigmoid(x), portable: { kind: "activation", activation: "sigmoid" } },
  linear: { apply: (x: Tensor) => x, portable: { kind: "activation", activation: "linear" } },
} as const satisfies Record<string, ElementwiseFunction>;

export function leakyRelu(alpha: number): ElementwiseFunction {
  return { apply: (x: Tensor) => tf.leakyRelu(x, alpha), portable: { kind: "leakyReLU", alpha } };
}
