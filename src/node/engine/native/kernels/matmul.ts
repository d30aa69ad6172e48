/**
 * Matrix-multiplication kernels on oneDNN's sgemm: BatchMatMul and _FusedMatMul (bias + activation).
 * a [...batchA, M, K] (or [..., K, M] transposed) · b [...batchB, K, N] (or [..., N, K]) -> [...batch, M, N].
 */
import { broadcast_util, type TensorInfo } from "@tensorflow/tfjs-core";

import { allFloat32, sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";
import { fusedActivationCode } from "./convolution.js";

/** Geometry of a (batched) matmul, or undefined when the batch broadcast is not a plain one-sided one. */
interface MatmulPlan {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

function planMatmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatmulPlan | undefined {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (aRank < 2 || bRank < 2) return undefined;
  const m = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const k = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const kB = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const n = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  if (k !== kB) return undefined; // let the cpu kernel raise TF.js's own error message
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  if (sizeOf(outer) !== Math.max(batchA, batchB)) return undefined;
  if (m * n === 0) return undefined;
  return { batchA, batchB, m, n, k, outShape: [...outer, m, n] };
}

/** BatchMatMul (also what tf.matMul runs). */
function batchMatMul({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if (!allFloat32(a, b)) return undefined;
  const transposeA = attrs?.["transposeA"] === true;
  const transposeB = attrs?.["transposeB"] === true;
  const plan = planMatmul(a, b, transposeA, transposeB);
  if (plan === undefined) return undefined;
  const out = backend.allocate(sizeOf(plan.outShape));
  const { batchA, batchB, m, n, k } = plan;
  backend.addon.matmul(backend.floats(a), backend.floats(b), out, batchA, batchB, m, n, k, transposeA, transposeB);
  return backend.output(out, plan.outShape);
}

/** _FusedMatMul: activation(a · b + bias); bias must be [N]-sized (the usual dense-layer case). */
function fusedMatMul({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
  if (a === undefined || b === undefined || preluActivationWeights !== undefined) return undefined;
  if (!allFloat32(a, b, bias)) return undefined;
  const activation = fusedActivationCode(attrs?.["activation"]);
  if (activation === undefined) return undefined;
  const transposeA = attrs?.["transposeA"] === true;
  const transposeB = attrs?.["transposeB"] === true;
  const plan = planMatmul(a, b, transposeA, transposeB);
  if (plan === undefined) return undefined;
  if (bias !== undefined && sizeOf(bias.shape) !== plan.n) return undefined;
  const out = backend.allocate(sizeOf(plan.outShape));
  const { batchA, batchB, m, n, k } = plan;
  const alpha = (attrs?.["leakyreluAlpha"] as number | undefined) ?? 0.2;
  const biasValues = bias === undefined ? null : backend.floats(bias);
  backend.addon.matmul(
    backend.floats(a),
    backend.floats(b),
    out,
    batchA,
    batchB,
    m,
    n,
    k,
    transposeA,
    transposeB,
    biasValues,
    activation,
    alpha,
  );
  return backend.output(out, plan.outShape);
}

/** The matmul kernels of the native backend. */
export const matmulKernels: NativeKernelConfig[] = [
  { kernelName: "BatchMatMul", kernelFunc: batchMatMul },
  { kernelName: "_FusedMatMul", kernelFunc: fusedMatMul },
];
