/**
 * Layers as stock TF.js (Keras) layers describe them: what `tsgan export` turns a generator into
 * (src/core/export/generatorModel.ts). layers.ts implements `Layer.portable()` with these.
 */
import type { Tensor } from "../engine/tf.js";
import type { ApplyOptions } from "./layers.js";

/**
 * A layer as stock TF.js (Keras) layers describe it, with the weights it computes with at inference: spectral
 * normalization already divided in, BatchNorm's running statistics. Kernels are in TF.js's layouts (Dense
 * [inputs, units], Conv2D [k, k, in, out], Conv2DTranspose [k, k, out, in]), so they go into tf.layers unchanged.
 */
export type PortableLayer =
  | { kind: "dense"; units: number; kernel: Tensor; bias: Tensor | null }
  | {
      kind: "conv2d" | "conv2dTranspose";
      filters: number;
      kernelSize: number;
      strides: number;
      kernel: Tensor;
      bias: Tensor | null;
    }
  | {
      kind: "batchNormalization";
      epsilon: number;
      gamma: Tensor;
      beta: Tensor;
      movingMean: Tensor;
      movingVariance: Tensor;
    }
  | { kind: "activation"; activation: "relu" | "tanh" | "sigmoid" | "linear" }
  | { kind: "leakyReLU"; alpha: number }
  | { kind: "reshape"; targetShape: number[] };

/** Inference, the mode a portable layer describes: dropout off, running statistics, no power iteration. */
export const INFERENCE: ApplyOptions = { training: false };

/** A square 'same'-padded convolution's stock description, read off its filter's shape. */
export function portableConvolution(
  kind: "conv2d" | "conv2dTranspose",
  kernel: Tensor,
  strides: number,
  bias: Tensor | null,
  outputAxis: number,
): PortableLayer {
  return { kind, filters: kernel.shape[outputAxis]!, kernelSize: kernel.shape[0]!, strides, kernel, bias };
}
