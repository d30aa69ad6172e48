/**
 * Fused kernels: one kernel for a computation that tsgan otherwise writes as a chain of TF.js ops. Only some
 * backends register them (Node's native oneDNN engine, src/node/engine/native/); tsgan's layers and optimizers call
 * one when the active backend has it and run the op-by-op formula otherwise (cpu, wasm, browsers). The names and
 * attribute contracts live here, in core, so that core can call the kernels without importing the engines that
 * implement them (those import these names instead: arrows point down).
 */
import { tf, type Tensor } from "./tf.js";

/**
 * `TsganAdam`: one Adam update of one variable in one pass.
 *   inputs {variable, gradient, m, v} (float32, one size) → [newVariable, newM, newV]
 * Bit-identical to the op chain of src/core/training/optimizers.ts (m·β1 + g·(1−β1); v·β2 + g²·(1−β2);
 * θ − (m / (√v / c2 + ε))·stepSize, each step rounded to float32 as TF.js rounds it).
 */
export const ADAM_KERNEL = "TsganAdam";

/** Attributes of TsganAdam, computed in float64 by the caller (the kernel rounds each to float32). */
export interface AdamKernelAttributes {
  beta1: number;
  /** 1 − β1. */
  oneMinusBeta1: number;
  beta2: number;
  /** 1 − β2. */
  oneMinusBeta2: number;
  /** c2 = √(1 − β2^t). */
  secondCorrection: number;
  epsilon: number;
  /** α / (1 − β1^t). */
  stepSize: number;
}

/**
 * `TsganMomentumSgd`: one update of SGD with momentum (the paper's optimizer) of one variable in one pass.
 *   inputs {variable, gradient, velocity} (float32, one size) → [newVariable, newVelocity]
 * Bit-identical to the op chain of src/core/training/optimizers.ts (u·μ − g·α, then θ + u, each rounded to float32).
 */
export const MOMENTUM_SGD_KERNEL = "TsganMomentumSgd";

/** Attributes of TsganMomentumSgd (the kernel rounds each to float32, as TF.js rounds a scalar operand). */
export interface MomentumSgdKernelAttributes {
  momentum: number;
  learningRate: number;
}

/**
 * `TsganMovingAverage`: an exponential moving average's update in one pass.
 *   inputs {average, value} (float32, one size) → newAverage = average·decay + value·oneMinusDecay
 * Bit-identical to those ops in TF.js (each product and the sum rounded to float32, the constants too): the EMA of
 * G's weights (src/core/training/ema.ts).
 */
export const MOVING_AVERAGE_KERNEL = "TsganMovingAverage";

/** Attributes of TsganMovingAverage, computed in float64 by the caller. */
export interface MovingAverageKernelAttributes {
  decay: number;
  /** 1 − decay. */
  oneMinusDecay: number;
}

/**
 * `TsganBatchNormTraining`: batch normalisation with the batch's own statistics, differentiable in x, scale and
 * offset (through the statistics; its gradient is the backend's business).
 *   inputs {x: [..., channels], scale: [channels], offset: [channels]} → [y (shape of x), mean, variance]
 * mean and variance: [channels], over every axis but the last; variance biased (divided by n, as tf.moments).
 * Agrees with tf.moments + tf.batchNorm to float32 rounding (not bit for bit: it sums in float64).
 */
export const BATCH_NORM_TRAINING_KERNEL = "TsganBatchNormTraining";

/** The backward kernel a backend registers for TsganBatchNormTraining's gradient. */
export const BATCH_NORM_TRAINING_GRAD_KERNEL = "TsganBatchNormTrainingGrad";

/** Attributes of TsganBatchNormTraining (and of its gradient kernel). */
export interface BatchNormTrainingAttributes {
  /** ε added to the variance before the square root. */
  varianceEpsilon: number;
}

/**
 * `TsganGlobalNorm`: the global L2 norm of a list of tensors, √(Σ_i Σ g_i²), in one kernel.
 *   inputs {t0, t1, …} (float32, any shapes; see globalNormInputs) → scalar float32
 * Summed in float64, so it agrees with tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))) to float32
 * rounding (not bit for bit: that chain rounds every square to float32).
 */
export const GLOBAL_NORM_KERNEL = "TsganGlobalNorm";

/**
 * `TsganConv2DBias`: a 2-D convolution plus its bias, conv2d(x, filter) + bias, in one kernel.
 *   inputs {x: [batch, height, width, inChannels], filter: [kh, kw, inChannels, channels], bias: [channels]}
 *   → [batch, outHeight, outWidth, channels]
 * `TsganConv2DTransposeBias`: the same for a transposed convolution, conv2dTranspose(x, filter) + bias.
 *   inputs {x: [batch, height, width, inChannels], filter: [kh, kw, channels, inChannels], bias: [channels]}
 *   → outputShape
 * Same values as the op chain (the bias is one float32 addition after the convolution); their gradients are the
 * op chain's (a backend registers them with the kernels), so each pass computes only the gradients a step needs.
 * What they save is the Add kernel after each convolution, a full pass over its output.
 */
export const CONV2D_BIAS_KERNEL = "TsganConv2DBias";
export const CONV2D_TRANSPOSE_BIAS_KERNEL = "TsganConv2DTransposeBias";

/** Attributes of TsganConv2DBias and TsganConv2DTransposeBias (NHWC data, no dilation). */
export interface ConvolutionBiasAttributes {
  strides: number;
  pad: "same" | "valid";
  /** The output's shape: TsganConv2DTransposeBias only. */
  outputShape?: number[];
}

/**
 * `TsganRunningStatistics`: BatchNorm's running averages after one training batch, both in one kernel.
 *   inputs {runningMean, runningVariance, mean, variance} (float32, [channels] each) → [newMean, newVariance]
 *   newMean = runningMean·momentum + mean·(1 − momentum)
 *   newVariance = runningVariance·momentum + (variance·varianceFactor)·(1 − momentum)
 * Bit-identical to those ops in TF.js (each product and sum rounded to float32, the constants too).
 */
export const RUNNING_STATISTICS_KERNEL = "TsganRunningStatistics";

/** Attributes of TsganRunningStatistics. */
export interface RunningStatisticsAttributes {
  momentum: number;
  /** n / (n − 1): the batch's biased variance made unbiased (n values per channel). */
  varianceFactor: number;
}

/** Every fused kernel a backend may register (the benchmark drops them to show what they are worth). */
export const FUSED_KERNELS = [
  ADAM_KERNEL,
  MOMENTUM_SGD_KERNEL,
  MOVING_AVERAGE_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  GLOBAL_NORM_KERNEL,
  CONV2D_BIAS_KERNEL,
  CONV2D_TRANSPOSE_BIAS_KERNEL,
  RUNNING_STATISTICS_KERNEL,
] as const;

/** The named inputs of TsganGlobalNorm for a list of tensors: t0, t1, … in list order. */
export function globalNormInputs(tensors: Tensor[]): Record<string, Tensor> {
  return Object.fromEntries(tensors.map((tensor, index) => [`t${index}`, tensor]));
}

/** True when the active backend registers `kernelName`. */
export function backendHasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** Runs TsganAdam (check backendHasKernel first); returns [newVariable, newM, newV]. */
export function runFusedAdam(
  inputs: { variable: Tensor; gradient: Tensor; m: Tensor; v: Tensor },
  attributes: AdamKernelAttributes,
): [Tensor, Tensor, Tensor] {
  return tf.engine().runKernel(ADAM_KERNEL, inputs, { ...attributes }) as unknown as [Tensor, Tensor, Tensor];
}

/** Runs TsganMomentumSgd (check backendHasKernel first); returns [newVariable, newVelocity]. */
export function runFusedMomentumSgd(
  inputs: { variable: Tensor; gradient: Tensor; velocity: Tensor },
  attributes: MomentumSgdKernelAttributes,
): [Tensor, Tensor] {
  return tf.engine().runKernel(MOMENTUM_SGD_KERNEL, inputs, { ...attributes }) as unknown as [Tensor, Tensor];
}

/** Runs TsganMovingAverage (check backendHasKernel first); returns the new average. */
export function runFusedMovingAverage(
  inputs: { average: Tensor; value: Tensor },
  attributes: MovingAverageKernelAttributes,
): Tensor {
  return tf.engine().runKernel(MOVING_AVERAGE_KERNEL, inputs, { ...attributes }) as Tensor;
}

/** Runs TsganGlobalNorm (check backendHasKernel first): √(Σ_i Σ t_i²) as a scalar. */
export function runFusedGlobalNorm(tensors: Tensor[]): Tensor {
  return tf.engine().runKernel(GLOBAL_NORM_KERNEL, globalNormInputs(tensors), {}) as Tensor;
}

/** Runs TsganBatchNormTraining (check backendHasKernel first); returns [y, mean, variance]. */
export function runFusedBatchNormTraining(
  inputs: { x: Tensor; scale: Tensor; offset: Tensor },
  attributes: BatchNormTrainingAttributes,
): [Tensor, Tensor, Tensor] {
  return tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, inputs, { ...attributes }) as unknown as [
    Tensor,
    Tensor,
    Tensor,
  ];
}

/** Runs TsganConv2DBias or TsganConv2DTransposeBias (check backendHasKernel first). */
export function runFusedConvolutionBias(
  kernelName: typeof CONV2D_BIAS_KERNEL | typeof CONV2D_TRANSPOSE_BIAS_KERNEL,
  inputs: { x: Tensor; filter: Tensor; bias: Tensor },
  attributes: ConvolutionBiasAttributes,
): Tensor {
  return tf.engine().runKernel(kernelName, inputs, { ...attributes }) as Tensor;
}

/** Runs TsganRunningStatistics (check backendHasKernel first); returns [newMean, newVariance]. */
export function runFusedRunningStatistics(
  inputs: { runningMean: Tensor; runningVariance: Tensor; mean: Tensor; variance: Tensor },
  attributes: RunningStatisticsAttributes,
): [Tensor, Tensor] {
  return tf.engine().runKernel(RUNNING_STATISTICS_KERNEL, inputs, { ...attributes }) as unknown as [Tensor, Tensor];
}
