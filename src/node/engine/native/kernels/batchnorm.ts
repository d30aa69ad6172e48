/**
 * Batch normalisation in training mode as fused kernels on the native backend (names and contract:
 * src/core/engine/fusedKernels.ts; tsgan's BatchNorm layer calls the first and the third whenever the backend has
 * them):
 *
 *   TsganBatchNormTraining      {x, scale, offset} {varianceEpsilon} -> [y, mean, variance]
 *   TsganBatchNormTrainingGrad  {dy, x, mean, variance, scale?} {varianceEpsilon} -> [dx, dScale, dOffset]
 *   TsganRunningStatistics      {runningMean, runningVariance, mean, variance} {momentum, varianceFactor}
 *                               -> [newMean, newVariance]
 *
 * x is [..., channels] (statistics over every axis but the last); mean and variance (biased, as tf.moments) are
 * [channels]. TsganBatchNormTraining has a registered gradient (src/node/engine/native/gradients.ts) that runs the
 * second kernel and differentiates through the batch statistics, so one call replaces tf.moments + tf.batchNorm
 * and their ~25 full-size backward kernels with 3 + 2 passes over the data.
 * (test/node/engine/native/fused.test.ts checks it against tf.moments + tf.batchNorm on the cpu backend.)
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";

import {
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  RUNNING_STATISTICS_KERNEL,
  type BatchNormTrainingAttributes,
  type RunningStatisticsAttributes,
} from "../../../../core/engine/fusedKernels.js";
import { allFloat32, sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";

/** TsganBatchNormTraining's ε when the caller gives none (TF.js's tf.batchNorm default). */
const DEFAULT_VARIANCE_EPSILON = 1e-3;

function varianceEpsilonOf(attrs: NativeKernelArgs["attrs"]): number {
  const { varianceEpsilon } = (attrs ?? {}) as Partial<BatchNormTrainingAttributes>;
  return typeof varianceEpsilon === "number" ? varianceEpsilon : DEFAULT_VARIANCE_EPSILON;
}

function channelsOf(x: TensorInfo, name: string, parameters: (TensorInfo | undefined)[]): number {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const valid =
    x.shape.length >= 1 &&
    sizeOf(x.shape) > 0 &&
    allFloat32(x, ...parameters) &&
    parameters.every((tensor) => tensor === undefined || sizeOf(tensor.shape) === channels);
  if (!valid) throw new Error(`${name}: x must be float32 [..., channels] with [channels] parameters`);
  return channels;
}

function batchNormTraining({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const { x, scale, offset } = inputs as Record<string, TensorInfo | undefined>;
  const channels = channelsOf(x!, BATCH_NORM_TRAINING_KERNEL, [scale, offset]);
  const y = backend.allocate(sizeOf(x!.shape));
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  backend.addon.batchNormTraining(
    backend.floats(x!),
    scale === undefined ? null : backend.floats(scale),
    offset === undefined ? null : backend.floats(offset),
    varianceEpsilonOf(attrs),
    channels,
    y,
    mean,
    variance,
  );
  return [backend.output(y, x!.shape), backend.output(mean, [channels]), backend.output(variance, [channels])];
}

function batchNormTrainingGrad({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const { dy, x, mean, variance, scale } = inputs as Record<string, TensorInfo | undefined>;
  const channels = channelsOf(x!, BATCH_NORM_TRAINING_GRAD_KERNEL, [mean, variance, scale]);
  if (sizeOf(dy!.shape) !== sizeOf(x!.shape)) throw new Error(`${BATCH_NORM_TRAINING_GRAD_KERNEL}: dy must match x`);
  const dx = backend.allocate(sizeOf(x!.shape));
  const dScale = new Float32Array(channels);
  const dOffset = new Float32Array(channels);
  backend.addon.batchNormTrainingGrad(
    backend.floats(dy!),
    backend.floats(x!),
    backend.floats(mean!),
    backend.floats(variance!),
    scale === undefined ? null : backend.floats(scale),
    varianceEpsilonOf(attrs),
    channels,
    dx,
    dScale,
    dOffset,
  );
  const parameterShape = scale?.shape ?? [channels];
  return [
    backend.output(dx, x!.shape),
    backend.output(dScale, parameterShape),
    backend.output(dOffset, parameterShape),
  ];
}

/** The fused batch-normalisation kernels of the native backend. */
/**
 * TsganRunningStatistics: the running mean and variance after one batch, in one kernel instead of seven. A few
 * thousand values at most, so written here: Math.fround after every product and sum, with the constants rounded
 * as TF.js rounds a scalar, gives exactly the float32 results of the Multiply and Add kernels (a double holds the
 * exact product of two floats, and the exact sum rounds once more to the same float).
 */
function runningStatistics({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const { runningMean, runningVariance, mean, variance } = inputs as Record<string, TensorInfo>;
  const tensors = [runningMean!, runningVariance!, mean!, variance!];
  const size = sizeOf(mean!.shape);
  if (!allFloat32(...tensors) || tensors.some((tensor) => sizeOf(tensor.shape) !== size)) {
    throw new Error(`${RUNNING_STATISTICS_KERNEL}: the four inputs must be float32 of one size`);
  }
  const { momentum, varianceFactor } = attrs as unknown as RunningStatisticsAttributes;
  const round = Math.fround;
  const [keep, take, factor] = [round(momentum), round(1 - momentum), round(varianceFactor)];
  const [oldMean, oldVariance, batchMean, batchVariance] = tensors.map((tensor) => backend.floats(tensor));
  const newMean = backend.allocate(size);
  const newVariance = backend.allocate(size);
  for (let index = 0; index < size; index++) {
    newMean[index] = round(round(oldMean![index]! * keep) + round(batchMean![index]! * take));
    const unbiased = round(batchVariance![index]! * factor);
    newVariance[index] = round(round(oldVariance![index]! * keep) + round(unbiased * take));
  }
  return [backend.output(newMean, runningMean!.shape), backend.output(newVariance, runningVariance!.shape)];
}

export const batchNormKernels: NativeKernelConfig[] = [
  { kernelName: BATCH_NORM_TRAINING_KERNEL, kernelFunc: batchNormTraining },
  { kernelName: BATCH_NORM_TRAINING_GRAD_KERNEL, kernelFunc: batchNormTrainingGrad },
  { kernelName: RUNNING_STATISTICS_KERNEL, kernelFunc: runningStatistics },
];
