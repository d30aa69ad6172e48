/**
 * The native CPU engine of tsgan: TF.js kernels on oneDNN, registered as the TF.js backend `native`.
 *
 *   import { registerNativeBackend } from "./node/engine/native/index.js";
 *   const result = registerNativeBackend();
 *   if (result.ok) await tf.setBackend("native"); else console.warn(result.reason);
 *
 * Every cpu kernel is registered again under `native`; the hot ones (convolutions, matmuls, element-wise maps,
 * reductions) are then replaced by C++ kernels, each of which falls back to the cpu kernel for inputs it does
 * not cover (non-float32 dtypes, NCHW layout, unusual broadcasts). Tensors are the cpu backend's Float32Arrays.
 *
 * Threads: the addon's OpenMP pool (oneDNN and the element-wise loops) has TSGAN_NUM_THREADS threads, read
 * when the addon loads (default: every processor); change it at run time with setNativeThreads(n).
 */
// tsgan's TF.js entry: registers the cpu backend and every stock gradient, which installNativeGradients wraps.
import "../../../core/engine/tf.js";
import {
  ADAM_KERNEL,
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "../../../core/engine/fusedKernels.js";
import { getKernelsForBackend, registerBackend, registerKernel } from "@tensorflow/tfjs-core";

import { INSTALL_HINT, loadAddon, type NativeAddon, type NativeInfo } from "./addon.js";
import {
  NATIVE_BACKEND_NAME,
  NativeBackend,
  guardedCpuKernel,
  withCpuFallback,
  type NativeKernelConfig,
} from "./backend.js";
import { convolutionKernels } from "./kernels/convolution.js";
import { elementwiseKernels } from "./kernels/elementwise.js";
import { matmulKernels } from "./kernels/matmul.js";
import { gradientKernels, installNativeGradients } from "./gradients.js";
import { batchNormKernels } from "./kernels/batchnorm.js";
import { layoutKernels } from "./kernels/layout.js";
import { optimizerKernels } from "./kernels/optimizers.js";
import { reduceKernels } from "./kernels/reduce.js";

export {
  ADAM_KERNEL,
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  INSTALL_HINT,
  NATIVE_BACKEND_NAME,
  NativeBackend,
};
export type { NativeInfo };

/** Backend priority: above cpu (1) and wasm (2), so TF.js picks `native` by default once it is registered. */
const NATIVE_BACKEND_PRIORITY = 3;

/** Every kernel the native backend implements itself (the rest are the cpu kernels). */
export const NATIVE_KERNELS: readonly NativeKernelConfig[] = [
  ...convolutionKernels,
  ...matmulKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...gradientKernels,
  ...optimizerKernels,
  ...batchNormKernels,
];

/** Result of registerNativeBackend. */
export type RegisterResult = { ok: true } | { ok: false; reason: string };

let registration: RegisterResult | undefined;
let registeredAddon: NativeAddon | undefined;

/**
 * Registers the `native` backend with TF.js (idempotent: later calls return the first call's result).
 * Does not switch to it; call `tf.setBackend("native")`. When the addon is missing, returns the reason and
 * registers nothing (INSTALL_HINT says how to build it).
 */
export function registerNativeBackend(): RegisterResult {
  if (registration !== undefined) return registration;
  const loaded = loadAddon();
  if ("error" in loaded) {
    registration = { ok: false, reason: loaded.error };
    return registration;
  }
  const addon = loaded.addon;
  try {
    addon.info(); // touches oneDNN: fails here, not in the first kernel, if the library is broken
  } catch (error) {
    registration = { ok: false, reason: `addon loaded but oneDNN failed: ${(error as Error).message}` };
    return registration;
  }
  const overridden = new Set(NATIVE_KERNELS.map((kernel) => kernel.kernelName));
  for (const config of getKernelsForBackend("cpu")) {
    if (overridden.has(config.kernelName)) continue;
    registerKernel({ ...config, backendName: NATIVE_BACKEND_NAME, kernelFunc: guardedCpuKernel(config.kernelFunc) });
  }
  for (const kernel of NATIVE_KERNELS) {
    registerKernel({
      kernelName: kernel.kernelName,
      backendName: NATIVE_BACKEND_NAME,
      kernelFunc: withCpuFallback(kernel),
    });
  }
  installNativeGradients();
  registerBackend(NATIVE_BACKEND_NAME, () => new NativeBackend(addon), NATIVE_BACKEND_PRIORITY);
  registeredAddon = addon;
  registration = { ok: true };
  return registration;
}

/** oneDNN version, thread count and instruction set of the loaded addon (undefined when not registered). */
export function nativeInfo(): NativeInfo | undefined {
  return registeredAddon?.info();
}

/** Sets the number of threads of the native engine; returns the count now in effect. */
export function setNativeThreads(count: number): number {
  if (registeredAddon === undefined) throw new Error("native backend is not registered");
  return registeredAddon.setNumThreads(count);
}
