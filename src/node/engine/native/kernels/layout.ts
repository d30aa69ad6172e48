/** Tile, Transpose and FusedBatchNorm (forward) in C++; float32 only, other dtypes use the cpu kernels. */
import type { TensorInfo } from "@tensorflow/tfjs-core";

import { sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";

/** Tile: repeats x reps[i] times along axis i (what tf.tile and the batch-norm gradient run). */
function tile({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x } = inputs as { x: TensorInfo };
  const reps = attrs?.["reps"] as number[];
  if (x.dtype !== "float32" || x.shape.length === 0 || reps.length !== x.shape.length) return undefined;
  const outShape = x.shape.map((size, axis) => size * reps[axis]!);
  const out = backend.allocate(sizeOf(outShape));
  if (out.length > 0) backend.addon.tile(backend.floats(x), x.shape, out, reps);
  return backend.output(out, outShape);
}

/**
 * Transpose: x's axes permuted (out's axis i is x's axis perm[i]). The cpu kernel computes every element's index
 * from scratch, ~80 ns an element: PacGAN's packing of Stacked MNIST images (a rank-5 permutation, four per step)
 * took half of that DCGAN step.
 */
function transpose({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x } = inputs as { x: TensorInfo };
  const perm = attrs?.["perm"] as number[];
  if (x.dtype !== "float32" || x.shape.length === 0 || perm.length !== x.shape.length) return undefined;
  const outShape = perm.map((axis) => x.shape[axis]!);
  const out = backend.allocate(sizeOf(outShape));
  if (out.length > 0) backend.addon.transpose(backend.floats(x), x.shape, perm, out);
  return backend.output(out, outShape);
}

/**
 * FusedBatchNorm (tf.batchNorm): (x − mean) · scale / √(variance + ε) + offset, every parameter of the channel
 * count (last axis) or of size 1.
 */
function fusedBatchNorm({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
  if (x === undefined || mean === undefined || variance === undefined) return undefined;
  const parameters = [mean, variance, offset, scale];
  if ([x, ...parameters].some((tensor) => tensor !== undefined && tensor.dtype !== "float32")) return undefined;
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const size = sizeOf(x.shape);
  if (size === 0) return undefined;
  const lengthOf = (tensor: TensorInfo | undefined) => (tensor === undefined ? 1 : sizeOf(tensor.shape));
  if (parameters.some((tensor) => lengthOf(tensor) !== channels && lengthOf(tensor) !== 1)) return undefined;
  const epsilon = (attrs?.["varianceEpsilon"] as number | undefined) ?? 0.001;
  const out = backend.allocate(size);
  backend.addon.batchNorm(
    backend.floats(x),
    out,
    channels,
    backend.floats(mean),
    lengthOf(mean),
    backend.floats(variance),
    lengthOf(variance),
    offset === undefined ? null : backend.floats(offset),
    lengthOf(offset),
    scale === undefined ? null : backend.floats(scale),
    lengthOf(scale),
    epsilon,
  );
  return backend.output(out, x.shape);
}

/** The layout and normalisation kernels of the native backend. */
export const layoutKernels: NativeKernelConfig[] = [
  { kernelName: "Tile", kernelFunc: tile },
  { kernelName: "Transpose", kernelFunc: transpose },
  { kernelName: "FusedBatchNorm", kernelFunc: fusedBatchNorm },
];
