/**
 * Faster gradients on the native backend. TF.js defines each kernel's gradient once, for all backends, as a
 * chain of ops (e.g. LeakyRelu's: greater, mul, select; FusedBatchNorm's: ~15 full-size ops plus a Tile).
 * `installNativeGradients` wraps those definitions: on the native backend they run one fused kernel instead
 * (registered below for `native` only); on every other backend, and whenever the backward pass is itself being
 * recorded (higher-order gradients), the stock TF.js formula runs unchanged.
 */
import {
  engine,
  getBackend,
  getGradient,
  registerGradient,
  reshape,
  tile,
  div,
  add,
  mul,
  sub,
  sum,
  util,
  backend_util,
  type GradFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from "@tensorflow/tfjs-core";

import {
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  CONV2D_BIAS_KERNEL,
  CONV2D_TRANSPOSE_BIAS_KERNEL,
} from "../../../core/engine/fusedKernels.js";
import { ActivationGradOp } from "./addon.js";
import { EXTREMUM_GRAD_KERNEL, reductionView } from "./kernels/reduce.js";
import { NATIVE_BACKEND_NAME, sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "./backend.js";

/** Kernel names of the fused gradients (registered for the native backend only). */
export const ACTIVATION_GRAD_KERNEL = "TsganActivationGrad";
export const BATCH_NORM_GRAD_KERNEL = "TsganBatchNormGrad";

/** TsganActivationGrad: inputs {dy, other}, attrs {op, alpha} -> dx. */
function activationGrad({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo {
  const { dy, other } = inputs as { dy: TensorInfo; other: TensorInfo };
  const out = backend.allocate(sizeOf(dy.shape));
  const op = attrs?.["op"] as number;
  backend.addon.activationGrad(op, backend.floats(dy), backend.floats(other), out, (attrs?.["alpha"] as number) ?? 0);
  return backend.output(out, dy.shape);
}

/** TsganBatchNormGrad: inputs {dy, x, mean, variance, scale?}, attrs {varianceEpsilon} -> dx, dμ, dσ², dγ, dβ. */
function batchNormGrad({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const { dy, x, mean, variance, scale } = inputs as Record<string, TensorInfo | undefined>;
  const channels = sizeOf(mean!.shape);
  const dx = backend.allocate(sizeOf(x!.shape));
  const vectors = [0, 1, 2, 3].map(() => new Float32Array(channels));
  backend.addon.batchNormGrad(
    backend.floats(x!),
    backend.floats(dy!),
    backend.floats(mean!),
    backend.floats(variance!),
    scale === undefined ? null : backend.floats(scale),
    attrs?.["varianceEpsilon"] as number,
    channels,
    dx,
    vectors[0]!,
    vectors[1]!,
    vectors[2]!,
    vectors[3]!,
  );
  return [backend.output(dx, x!.shape), ...vectors.map((values) => backend.output(values, mean!.shape))];
}

/** The fused gradient kernels of the native backend. */
export const gradientKernels: NativeKernelConfig[] = [
  { kernelName: ACTIVATION_GRAD_KERNEL, kernelFunc: activationGrad },
  { kernelName: BATCH_NORM_GRAD_KERNEL, kernelFunc: batchNormGrad },
];

/** Whether the fused path applies: native backend, float32, and no tape recording the backward pass. */
function fusedApplies(...tensors: Tensor[]): boolean {
  if (getBackend() !== NATIVE_BACKEND_NAME) return false;
  const state = (engine() as unknown as { state: { gradientDepth: number } }).state;
  if (state.gradientDepth > 0) return false; // a higher-order gradient needs differentiable ops
  return tensors.every((tensor) => tensor.dtype === "float32");
}

function runActivationGrad(op: number, dy: Tensor, other: Tensor, alpha = 0): Tensor {
  return engine().runKernel(ACTIVATION_GRAD_KERNEL, { dy, other }, { op, alpha }) as Tensor;
}

/** Wraps the stock gradient of `kernelName`: `fused` runs on the native backend (or returns undefined to decline). */
function wrapGradient(
  kernelName: string,
  fused: (dy: Tensor, saved: Tensor[], attrs: NamedAttrMap | undefined) => ReturnType<GradFunc> | undefined,
): void {
  const stock = getGradient(kernelName);
  if (stock === undefined) return;
  if ((stock as { tsganFused?: boolean }).tsganFused) return; // already wrapped
  const gradFunc: GradFunc = (dy, saved, attrs) => {
    if (!Array.isArray(dy)) {
      const result = fused(dy, saved, attrs);
      if (result !== undefined) return result;
    }
    return stock.gradFunc(dy, saved, attrs);
  };
  registerGradient({ ...stock, gradFunc, tsganFused: true } as typeof stock);
}

/**
 * Gradient of TsganBatchNormTraining (x, scale, offset) -> (y, mean, variance): the fused backward kernel for dy;
 * gradients arriving at the statistics outputs (only if a loss uses them) are added with ops:
 * ∂μ/∂x = 1/n, ∂σ²/∂x = 2(x − μ)/n.
 */
function batchNormTrainingGradient(dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap | undefined) {
  const [dy, dMeanOutput, dVarianceOutput] = (Array.isArray(dys) ? dys : [dys]) as [Tensor, Tensor?, Tensor?];
  const [x, scale, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
  const [dx, dScale, dOffset] = engine().runKernel(
    BATCH_NORM_TRAINING_GRAD_KERNEL,
    { dy, x, mean, variance, scale },
    { varianceEpsilon: attrs?.["varianceEpsilon"] as number },
  ) as [Tensor, Tensor, Tensor];
  const nonZero = (tensor: Tensor | undefined) =>
    tensor !== undefined && tensor.dataSync().some((value) => value !== 0);
  let xGradient = dx;
  const count = sizeOf(x.shape) / sizeOf(mean.shape);
  if (nonZero(dMeanOutput)) xGradient = add(xGradient, div(dMeanOutput!, count));
  if (nonZero(dVarianceOutput)) xGradient = add(xGradient, mul(sub(x, mean), div(mul(dVarianceOutput!, 2), count)));
  return { x: () => xGradient, scale: () => dScale, offset: () => dOffset };
}

/**
 * Gradients of TsganConv2DBias and TsganConv2DTransposeBias: those of the op chain they fuse (TF.js's Conv2D or
 * Conv2DBackpropInput gradient, and Add's for the bias: dy summed over every axis but the channels), run by the
 * same kernels. Each input's gradient is computed only when the tape asks for it (D's input gradient is not needed
 * in D's step, nor D's filter gradients in G's), which tf.fused.conv2d's all-at-once gradient cannot do.
 */
function convolutionBiasGradient(kernelName: string, transposed: boolean): void {
  registerGradient({
    kernelName,
    inputsToSave: ["x", "filter"],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [Tensor, Tensor];
      const output = dy as Tensor;
      const convolution = { strides: attrs?.["strides"], pad: attrs?.["pad"], dataFormat: "NHWC" };
      const run = (name: string, inputs: Record<string, Tensor>, extra: NamedAttrMap) =>
        engine().runKernel(name, inputs, { ...convolution, ...extra } as unknown as NamedAttrMap) as Tensor;
      const bias = () => sum(output, [0, 1, 2]);
      if (transposed) {
        // y = conv2dTranspose(x) + b: x's gradient is the convolution of dy, the filter's correlates dy with x.
        return {
          x: () => run("Conv2D", { x: output, filter }, { dilations: 1 }),
          filter: () => run("Conv2DBackpropFilter", { x: output, dy: x }, { filterShape: filter.shape }),
          bias,
        };
      }
      return {
        x: () => run("Conv2DBackpropInput", { dy: output, filter }, { inputShape: x.shape }),
        filter: () => run("Conv2DBackpropFilter", { x, dy: output }, { filterShape: filter.shape }),
        bias,
      };
    },
  });
}

let installed = false;

/** Installs the wrapped gradients (idempotent). Call after TF.js's own gradients are registered. */
export function installNativeGradients(): void {
  if (installed) return;
  installed = true;
  registerGradient({
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    inputsToSave: ["x", "scale"],
    outputsToSave: [false, true, true],
    gradFunc: batchNormTrainingGradient,
  });
  convolutionBiasGradient(CONV2D_BIAS_KERNEL, false);
  convolutionBiasGradient(CONV2D_TRANSPOSE_BIAS_KERNEL, true);

  // Relu, LeakyRelu, Square save their input x; Tanh and Sigmoid their output y: either is `other`.
  const activation = (kernelName: string, op: number) =>
    wrapGradient(kernelName, (dy, saved, attrs) => {
      const [other] = saved as [Tensor];
      if (!fusedApplies(dy, other)) return undefined;
      const alpha = (attrs?.["alpha"] as number | undefined) ?? 0;
      return { x: () => runActivationGrad(op, dy, other, alpha) };
    });
  activation("Relu", ActivationGradOp.relu);
  activation("LeakyRelu", ActivationGradOp.leakyRelu);
  activation("Tanh", ActivationGradOp.tanh);
  activation("Sigmoid", ActivationGradOp.sigmoid);
  activation("Square", ActivationGradOp.square);

  // Sum and Mean: broadcast dy back to x's shape with one Tile instead of multiplying by a JavaScript-filled
  // tensor of ones (allocated and filled on every call). Same values: dy·1 = dy, (dy·1)/n = dy/n.
  const expandedShape = (x: Tensor, attrs: NamedAttrMap | undefined) => {
    const shape = x.shape.slice();
    for (const axis of util.parseAxisParam(attrs?.["axis"] as number | number[], x.shape)) shape[axis] = 1;
    return shape;
  };
  const broadcastBack = (value: Tensor, shape: number[], x: Tensor) =>
    tile(
      reshape(value, shape),
      x.shape.map((size, axis) => (shape[axis] === 1 ? size : 1)),
    );
  wrapGradient("Sum", (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    if (!fusedApplies(dy, x) || x.shape.length === 0) return undefined;
    const derX = broadcastBack(dy, expandedShape(x, attrs), x);
    return { x: () => derX };
  });
  wrapGradient("Mean", (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    if (!fusedApplies(dy, x) || x.shape.length === 0) return undefined;
    const axes = util.parseAxisParam(attrs?.["axis"] as number | number[], x.shape);
    const reduceSize = sizeOf(backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
    return { x: () => broadcastBack(div(dy, reduceSize), expandedShape(x, attrs), x) };
  });

  // Max and Min (e.g. maxout): dy routed to the extremal elements by one kernel instead of equal + cast + mul.
  const extremum = (kernelName: string, axisAttribute: string) =>
    wrapGradient(kernelName, (dy, saved, attrs) => {
      const [x, y] = saved as [Tensor, Tensor];
      if (!fusedApplies(dy, x, y)) return undefined;
      const axes = util.parseAxisParam(attrs?.[axisAttribute] as number | number[], x.shape);
      if (reductionView(x.shape, axes) === undefined) return undefined;
      return { x: () => engine().runKernel(EXTREMUM_GRAD_KERNEL, { x, y, dy }, { axes }) as Tensor };
    });
  extremum("Max", "reductionIndices");
  extremum("Min", "axis");

  // FusedBatchNorm with per-channel (rank-1) statistics: all five gradients from one kernel (two passes).
  wrapGradient("FusedBatchNorm", (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const channels = x.shape[x.shape.length - 1];
    const perChannel = (tensor: Tensor | undefined) =>
      tensor === undefined || (tensor.rank === 1 && tensor.shape[0] === channels);
    if (!fusedApplies(dy, x, mean, variance) || ![mean, variance, scale].every(perChannel)) return undefined;
    const inputs: Record<string, Tensor> = { dy, x, mean, variance };
    if (scale !== undefined) inputs["scale"] = scale;
    const [dx, dMean, dVariance, dScale, dOffset] = engine().runKernel(BATCH_NORM_GRAD_KERNEL, inputs, {
      varianceEpsilon: attrs?.["varianceEpsilon"] as number,
    }) as Tensor[];
    return {
      x: () => reshape(dx!, x.shape),
      mean: () => dMean!,
      variance: () => dVariance!,
      scale: () => dScale!,
      offset: () => dOffset!,
    };
  });
}
