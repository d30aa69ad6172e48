/**
 * Comparisons, Maximum and Minimum for float32 on the wasm backend, with broadcasting done up front.
 *
 * TF.js 4.22's wasm runs these through a generic C++ loop whose broadcasting path recomputes indices per element:
 * ~35× slower than the same kernel on equal shapes ([100, 240, 5] == [100, 240, 1]: 17 ms against 0.5 ms). That
 * case is maxout's gradient (tf.max's gradient compares x with the broadcast maximum), run for every maxout layer.
 * Here the smaller operand is first tiled to the output shape (one XNNPACK multiply, see tile.ts), then the stock
 * kernel runs on equal shapes. Scalars keep the stock path (already fast), as do other dtypes.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";

import { tf } from "../tf.js";
import { type KernelScope, withKernelScope } from "./kernelScope.js";

/** The stock binary kernels whose broadcasting path is slow (Add, Sub, Multiply, RealDiv use XNNPACK already). */
export const SLOW_BROADCAST_KERNELS = [
  tf.Equal,
  tf.NotEqual,
  tf.Greater,
  tf.GreaterEqual,
  tf.Less,
  tf.LessEqual,
  tf.Maximum,
  tf.Minimum,
] as const;

/** `operand` broadcast to `outShape` (same rank after padding with leading ones) via the Tile kernel. */
function expandTo(scope: KernelScope, operand: TensorInfo, outShape: number[]): TensorInfo {
  const padded = [...Array<number>(outShape.length - operand.shape.length).fill(1), ...operand.shape];
  const reps = outShape.map((size, axis) => size / (padded[axis] ?? 1));
  return scope.run(tf.Tile, { x: scope.reshape(operand, padded) }, { reps });
}

/** Wraps a stock binary kernel so that non-scalar broadcasting happens before it runs. */
export function pretiledBinaryVia(backendName: string, stock: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    if (a === undefined || b === undefined) throw new Error(`${stock.kernelName}: inputs a and b are required`);
    const sizeA = tf.util.sizeFromShape(a.shape);
    const sizeB = tf.util.sizeFromShape(b.shape);
    const sameShape = tf.util.arraysEqual(a.shape, b.shape);
    const floats = a.dtype === "float32" && b.dtype === "float32";
    if (!floats || sameShape || sizeA <= 1 || sizeB <= 1) return stock.kernelFunc(args);

    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    return withKernelScope(backend, backendName, (scope) => {
      const fullA = tf.util.arraysEqual(a.shape, outShape) ? a : expandTo(scope, a, outShape);
      const fullB = tf.util.arraysEqual(b.shape, outShape) ? b : expandTo(scope, b, outShape);
      return scope.runKernel(stock, { a: fullA, b: fullB }, args.attrs);
    });
  };
}

/** Replaces the stock kernel, keeping its set-up and tear-down (it still computes every result). */
export function pretiledBinaryConfig(backendName: string, stock: KernelConfig): KernelConfig {
  return { ...stock, backendName, kernelFunc: pretiledBinaryVia(backendName, stock) };
}
