/**
 * Training kernels for TF.js's wasm backend (isomorphic: Node and browsers).
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 runs inference well but cannot train convnets, and several kernels that
 * backpropagation leans on fall to slow generic C++ loops. Each entry below wraps or adds one kernel (one file each
 * under ./wasmKernels/), built only from stock kernels that run in XNNPACK or on contiguous memory:
 *
 * | kernel                    | stock wasm 4.22                               | here                                 |
 * |---------------------------|-----------------------------------------------|--------------------------------------|
 * | Conv2DBackpropFilter      | missing: conv2d filter gradients throw        | one XNNPACK conv2d, batch ↔ channels |
 * | Conv2DBackpropInput       | C++ loop, ~5× slower than this (convT, dx)    | one XNNPACK conv2d, sub-pixel phases |
 * | BatchMatMul, _FusedMatMul | C++ loop when an operand is transposed        | explicit transpose, then XNNPACK     |
 * |                           |   (every dense-layer gradient), ~40× slower   |                                      |
 * | Tile (float32)            | per-element index loop (batch norm gradient)  | broadcasting XNNPACK multiply by 1   |
 * | LeakyRelu (float32)       | scalar loop, ~6× slower than PReLU            | XNNPACK PReLU with one slope         |
 * | Equal, Greater, Maximum,  | broadcasting path ~35× slower than equal      | tile the smaller operand, then stock |
 * |   … (float32, see         |   shapes (maxout's gradient)                  |                                      |
 * |   SLOW_BROADCAST_KERNELS) |                                               |                                      |
 *
 * Results are identical to the stock kernels' up to float rounding (the conv and matmul sums run in another
 * order); `test/core/engine/wasmKernels.test.ts` checks each against the cpu backend, plus the gradients of every op
 * tsgan trains through (dense, batch norm via moments, ReLU, LeakyReLU, tanh, sigmoid, maxout, dropout masks,
 * softplus / log-sigmoid, conv2d, conv2dTranspose, reshape, concat, Adam's updates).
 *
 * Usage (src/core/engine/backend.ts does this when wasm is selected):
 *
 *   await import("@tensorflow/tfjs-backend-wasm");   // registers the stock kernels these build on
 *   registerWasmTrainingKernels();                   // idempotent
 */
import type { KernelConfig } from "@tensorflow/tfjs-core";

import { tf } from "./tf.js";
import { pretiledBinaryConfig, SLOW_BROADCAST_KERNELS } from "./wasmKernels/broadcastBinary.js";
import { conv2dBackpropFilterConfig } from "./wasmKernels/conv2dBackpropFilter.js";
import { conv2dBackpropInputConfig } from "./wasmKernels/conv2dBackpropInput.js";
import { preluLeakyReluConfig } from "./wasmKernels/leakyRelu.js";
import { untransposedMatMulConfig } from "./wasmKernels/matMul.js";
import { broadcastTileConfig } from "./wasmKernels/tile.js";

/** The backend these kernels are registered for. */
export const WASM_BACKEND_NAME = "wasm";

/** Kernels that `registerWasmTrainingKernels` adds (new) or replaces (wrapping the stock one). */
export const WASM_TRAINING_KERNELS = {
  added: [tf.Conv2DBackpropFilter],
  replaced: [tf.Conv2DBackpropInput, tf.BatchMatMul, tf._FusedMatMul, tf.Tile, tf.LeakyRelu, ...SLOW_BROADCAST_KERNELS],
} as const;

/** Stock wasm kernels that the kernels here are built from. */
const COMPOSED_STOCK_KERNELS = [
  tf.Conv2D,
  tf.Transpose,
  tf.Reshape,
  tf.PadV2,
  tf.Reverse,
  tf.Slice,
  tf.Fill,
  tf.Multiply,
  tf.Prelu,
] as const;

/**
 * Marks the configs registered here, so that a second call (even from a second copy of this module: TF.js's
 * registry is global) recognises them and does nothing.
 */
const REGISTERED_HERE = Symbol.for("tsgan.wasmTrainingKernel");

type MarkedConfig = KernelConfig & { [REGISTERED_HERE]?: true };

function isRegisteredHere(kernelName: string): boolean {
  const config = tf.getKernel(kernelName, WASM_BACKEND_NAME) as MarkedConfig | undefined;
  return config?.[REGISTERED_HERE] === true;
}

function registerMarked(config: KernelConfig): void {
  const marked: MarkedConfig = { ...config, [REGISTERED_HERE]: true };
  tf.registerKernel(marked);
}

/** The stock wasm kernel called `kernelName`; throws if the wasm backend package has not been imported. */
function stockKernel(kernelName: string): KernelConfig {
  const config = tf.getKernel(kernelName, WASM_BACKEND_NAME);
  if (config === undefined) {
    throw new Error(
      `registerWasmTrainingKernels: the wasm kernel '${kernelName}' is not registered; ` +
        `import "@tensorflow/tfjs-backend-wasm" first`,
    );
  }
  return config;
}

/** Swaps the registered kernel for `wrap(stock)` (unregistering first: re-registering would log a warning). */
function replaceKernel(kernelName: string, wrap: (stock: KernelConfig) => KernelConfig): void {
  if (isRegisteredHere(kernelName)) return;
  const stock = stockKernel(kernelName);
  tf.unregisterKernel(kernelName, WASM_BACKEND_NAME);
  registerMarked(wrap(stock));
}

/**
 * Registers the kernels that training needs on the wasm backend (see the table above). Idempotent; call it after
 * importing `@tensorflow/tfjs-backend-wasm`, before or after `tf.setBackend("wasm")`.
 */
export function registerWasmTrainingKernels(): void {
  // Fail here, with the fix in the message, rather than in the middle of a training step.
  for (const name of COMPOSED_STOCK_KERNELS) stockKernel(name);

  if (!isRegisteredHere(tf.Conv2DBackpropFilter)) {
    // A later TF.js may ship its own; ours wins (XNNPACK-backed), so drop theirs without a warning.
    if (tf.getKernel(tf.Conv2DBackpropFilter, WASM_BACKEND_NAME) !== undefined) {
      tf.unregisterKernel(tf.Conv2DBackpropFilter, WASM_BACKEND_NAME);
    }
    registerMarked(conv2dBackpropFilterConfig(WASM_BACKEND_NAME));
  }
  replaceKernel(tf.Conv2DBackpropInput, (stock) => conv2dBackpropInputConfig(WASM_BACKEND_NAME, stock));
  replaceKernel(tf.BatchMatMul, (stock) => untransposedMatMulConfig(WASM_BACKEND_NAME, stock));
  replaceKernel(tf._FusedMatMul, (stock) => untransposedMatMulConfig(WASM_BACKEND_NAME, stock));
  replaceKernel(tf.Tile, (stock) => broadcastTileConfig(WASM_BACKEND_NAME, stock));
  replaceKernel(tf.LeakyRelu, (stock) => preluLeakyReluConfig(WASM_BACKEND_NAME, stock));
  for (const name of SLOW_BROADCAST_KERNELS) {
    replaceKernel(name, (stock) => pretiledBinaryConfig(WASM_BACKEND_NAME, stock));
  }
}
