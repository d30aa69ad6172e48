/**
 * BatchMatMul and _FusedMatMul for the wasm backend, with transposed operands routed to XNNPACK.
 *
 * TF.js 4.22's wasm matmul uses XNNPACK only for `a · b` with neither operand transposed and a batch of one; any
 * transpose falls to a blocked C++ loop, ~40× slower. Backpropagation through a dense layer asks for exactly those
 * products — dA = dy · Bᵀ and dB = Aᵀ · dy — so every weight gradient took the slow loop (1024×3136 · 3136×128:
 * 896 ms against 20 ms). These overrides transpose the operand explicitly (one copy, O(size)) and then run the
 * stock kernel untransposed, i.e. on XNNPACK. Batched products (batch > 1) keep the stock path.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";

import { tf } from "../tf.js";
import { withKernelScope } from "./kernelScope.js";

/** The attributes both kernels share (BatchMatMulAttrs, _FusedMatMulAttrs). */
interface TransposeAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Whether every dimension before the last two is one (the shape is a single matrix). */
function isSingleMatrix(info: TensorInfo): boolean {
  return tf.util.sizeFromShape(info.shape.slice(0, -2)) === 1;
}

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Wraps `stock` (BatchMatMul or _FusedMatMul) so that transposed single-matrix products reach XNNPACK. */
export function untransposedMatMulVia(backendName: string, stock: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args;
    const { transposeA, transposeB } = attrs as unknown as TransposeAttrs;
    const { a, b } = inputs;
    if (a === undefined || b === undefined) throw new Error(`${stock.kernelName}: inputs a and b are required`);
    if (!(transposeA || transposeB) || !isSingleMatrix(a) || !isSingleMatrix(b)) return stock.kernelFunc(args);

    return withKernelScope(backend, backendName, (scope) => {
      // a [M, K] (or [K, M] when transposeA), b [K, N] (or [N, K] when transposeB), each with leading ones.
      const left = transposeA ? scope.run(tf.Transpose, { x: a }, { perm: swapLastTwo(a.shape.length) }) : a;
      const right = transposeB ? scope.run(tf.Transpose, { x: b }, { perm: swapLastTwo(b.shape.length) }) : b;
      return scope.runKernel(
        stock,
        { ...inputs, a: left, b: right },
        { ...attrs, transposeA: false, transposeB: false },
      );
    });
  };
}

/** Replaces the stock kernel, keeping its set-up and tear-down (it still runs every product in the end). */
export function untransposedMatMulConfig(backendName: string, stock: KernelConfig): KernelConfig {
  return { ...stock, backendName, kernelFunc: untransposedMatMulVia(backendName, stock) };
}
