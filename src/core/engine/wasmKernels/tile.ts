/**
 * Tile (and through it tf.broadcastTo) for float32 on the wasm backend, as one broadcasting XNNPACK multiply.
 *
 * TF.js 4.22's wasm Tile computes every output index with a generic N-d loop (~50 ns per element). Batch norm's
 * gradient tiles 1/σ to the full activation shape ([1, 1, 1, 64] → [64, 14, 14, 64]: 44 ms, against 1.7 ms here),
 * which made Tile the third most expensive kernel of a DCGAN step. Tiling is a broadcast in disguise:
 *
 *   tile(x, reps)[…, r·d + i, …] = x[…, i, …]   →   view the output as [reps₀, d₀, reps₁, d₁, …] and x as
 *   [1, d₀, 1, d₁, …]; then tile(x) = x · ones(output view), a broadcasting multiply (exact: x · 1 = x).
 *
 * Axes of size one are dropped and neighbours of the same kind merged, so the view has rank ≤ 4 in practice
 * (1/σ's case: [64·14·14, 64] from [1, 64]). Other dtypes and views of higher rank fall back to the stock kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from "@tensorflow/tfjs-core";

import { tf } from "../tf.js";
import { withKernelScope } from "./kernelScope.js";

/** The largest broadcast rank handed to the multiply (XNNPACK allows 6; every case here needs ≤ 4). */
const MAX_BROADCAST_RANK = 4;

/** One axis of the broadcast view: `size` long, read from x (`fromInput`) or repeated (not). */
interface ViewAxis {
  size: number;
  fromInput: boolean;
}

/** The broadcast view of tile(x, reps), with unit axes dropped and runs of the same kind merged. */
function broadcastView(shape: readonly number[], reps: readonly number[]): ViewAxis[] {
  const axes: ViewAxis[] = [];
  const push = (size: number, fromInput: boolean) => {
    if (size === 1) return;
    const last = axes[axes.length - 1];
    if (last !== undefined && last.fromInput === fromInput) last.size *= size;
    else axes.push({ size, fromInput });
  };
  shape.forEach((size, axis) => {
    push(reps[axis] ?? 1, false);
    push(size, true);
  });
  return axes;
}

/** The kernel function; `stock` is the backend's own Tile, used for non-float dtypes and awkward views. */
export function broadcastTileVia(backendName: string, stock: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs["x"] as TensorInfo | undefined;
    if (x === undefined) throw new Error("Tile: input x is required");
    const { reps } = attrs as unknown as TileAttrs;
    const view = broadcastView(x.shape, reps);
    const repeats = view.some((axis) => !axis.fromInput);
    if (x.dtype !== "float32" || !repeats || view.length > MAX_BROADCAST_RANK) return stock.kernelFunc(args);

    const outShape = x.shape.map((size, axis) => size * (reps[axis] ?? 1));
    return withKernelScope(backend, backendName, (scope) => {
      const ones = scope.run(tf.Fill, {}, { shape: view.map((axis) => axis.size), value: 1, dtype: "float32" });
      const input = scope.reshape(
        x,
        view.map((axis) => (axis.fromInput ? axis.size : 1)),
      );
      return scope.reshape(scope.run(tf.Multiply, { a: input, b: ones }), outShape);
    });
  };
}

/** Replaces the stock kernel, keeping its set-up and tear-down (it still serves other dtypes). */
export function broadcastTileConfig(backendName: string, stock: KernelConfig): KernelConfig {
  return { ...stock, backendName, kernelFunc: broadcastTileVia(backendName, stock) };
}
