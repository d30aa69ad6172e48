/**
 * Reduction kernels in C++: Sum, Mean, Max, Min, Prod over any set of axes that forms one contiguous block once
 * size-1 dimensions are ignored (per-channel sums over N,H,W of NHWC, row sums, whole-tensor sums, ...).
 * Other axis sets fall back to the cpu kernels (which transpose first).
 */
import { util, type TensorInfo } from "@tensorflow/tfjs-core";

import { ReduceOp } from "../addon.js";
import { sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";

/** x viewed as [outer, length, inner], reducing `length`; undefined when the reduced axes are not one block. */
export function reductionView(
  shape: readonly number[],
  axes: readonly number[],
): { outer: number; length: number; inner: number } | undefined {
  const reduced = new Set(axes);
  // Each non-trivial dimension is K (kept) or R (reduced); the pattern must be K* R* K*.
  let outer = 1;
  let length = 1;
  let inner = 1;
  let phase: "outer" | "reduced" | "inner" = "outer";
  for (let axis = 0; axis < shape.length; axis++) {
    const size = shape[axis]!;
    if (size === 1) continue;
    if (reduced.has(axis)) {
      if (phase === "inner") return undefined;
      phase = "reduced";
      length *= size;
    } else if (phase === "outer") {
      outer *= size;
    } else {
      phase = "inner";
      inner *= size;
    }
  }
  return { outer, length, inner };
}

function reduceKernel(kernelName: string, op: number, axisAttribute: string): NativeKernelConfig {
  return {
    kernelName,
    kernelFunc: ({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined => {
      const { x } = inputs as { x: TensorInfo };
      if (x.dtype !== "float32" || sizeOf(x.shape) === 0) return undefined;
      const axes = util.parseAxisParam(attrs?.[axisAttribute] as number | number[], x.shape);
      const view = reductionView(x.shape, axes);
      if (view === undefined) return undefined;
      const keepDims = attrs?.["keepDims"] === true;
      const outShape = keepDims
        ? x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size))
        : x.shape.filter((_, axis) => !axes.includes(axis));
      const out = backend.allocate(view.outer * view.inner);
      backend.addon.reduce(op, backend.floats(x), out, view.outer, view.length, view.inner);
      return backend.output(out, outShape);
    },
  };
}

/** Kernel name of the fused Max/Min gradient (registered for the native backend only). */
export const EXTREMUM_GRAD_KERNEL = "TsganExtremumGrad";

/**
 * TsganExtremumGrad: inputs {x, y, dy}, attrs {axes}: dy · (x == y) with y, dy broadcast back over the reduced
 * axes — the gradient of Max/Min (TF.js computes it as equal + cast + mul, three full-size kernels).
 */
function extremumGrad({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, y, dy } = inputs as { x: TensorInfo; y: TensorInfo; dy: TensorInfo };
  const view = reductionView(x.shape, attrs?.["axes"] as number[]);
  if (view === undefined) throw new Error(`${EXTREMUM_GRAD_KERNEL}: axes must form one block`);
  const out = backend.allocate(sizeOf(x.shape));
  backend.addon.extremumGrad(
    backend.floats(x),
    backend.floats(y),
    backend.floats(dy),
    out,
    view.outer,
    view.length,
    view.inner,
  );
  return backend.output(out, x.shape);
}

/** The reduction kernels of the native backend. */
export const reduceKernels: NativeKernelConfig[] = [
  reduceKernel("Sum", ReduceOp.sum, "axis"),
  reduceKernel("Mean", ReduceOp.mean, "axis"),
  reduceKernel("Max", ReduceOp.max, "reductionIndices"),
  reduceKernel("Min", ReduceOp.min, "axis"),
  reduceKernel("Prod", ReduceOp.prod, "axis"),
  { kernelName: EXTREMUM_GRAD_KERNEL, kernelFunc: extremumGrad },
];
