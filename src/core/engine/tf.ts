/**
 * The one place tsgan imports TensorFlow.js from.
 *
 * `@tensorflow/tfjs-core` alone registers no gradients, and its ES-module build cannot be imported by Node directly
 * (extension-less relative imports), so the umbrella package is imported once for its side effects: gradient
 * functions, chained ops and the cpu backend. TF.js keeps its engine and registries on `globalThis`, so every
 * module that imports `@tensorflow/tfjs-core` shares them.
 */
import "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs-core";

// Production mode: no per-op NaN scans and no "install tfjs-node" banner; shape assertions still run.
tf.enableProdMode();

export { tf };
/** Stock Keras-style layers, only for writing generators as standard TF.js models (src/core/export/). */
export { layers as tfLayers, sequential, type LayersModel, type Sequential } from "@tensorflow/tfjs";
export type { Tensor, Tensor1D, Tensor2D, Tensor4D, Scalar, Variable, Rank } from "@tensorflow/tfjs-core";
