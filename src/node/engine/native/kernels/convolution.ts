/**
 * Convolution kernels on oneDNN: Conv2D, Conv2DBackpropInput (also conv2dTranspose's forward),
 * Conv2DBackpropFilter, FusedConv2D, and tsgan's differentiable convolutions with a bias (TsganConv2DBias,
 * TsganConv2DTransposeBias; gradients in ../gradients.ts). NHWC data and HWIO filters, as TF.js lays them out.
 */
import { backend_util, type TensorInfo } from "@tensorflow/tfjs-core";

import { CONV2D_BIAS_KERNEL, CONV2D_TRANSPOSE_BIAS_KERNEL } from "../../../../core/engine/fusedKernels.js";
import { ConvPass, FusedActivation } from "../addon.js";
import { allFloat32, sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";

type Shape4 = [number, number, number, number];
type Pad = "same" | "valid" | number | backend_util.ExplicitPadding;
type RoundingMode = "floor" | "round" | "ceil" | undefined;

/** The 15 integers native conv2d takes (see native/src/conv.cc). */
function convParams(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

/** Conv2DInfo for NHWC data, or undefined for NCHW (left to the cpu kernel). */
function nhwcConvInfo(
  xShape: number[],
  filterShape: number[],
  attrs: NativeKernelArgs["attrs"],
  dilations: number | [number, number] = 1,
): backend_util.Conv2DInfo | undefined {
  const dataFormat = (attrs?.["dataFormat"] as string | undefined) ?? "NHWC";
  if (dataFormat !== "NHWC") return undefined;
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs?.["strides"] as number | [number, number],
    dilations,
    attrs?.["pad"] as Pad,
    attrs?.["dimRoundingMode"] as RoundingMode,
    false,
    "channelsLast",
  );
}

/** Whether a Conv2DInfo has no empty dimension (oneDNN rejects zero-sized convolutions). */
function nonEmpty(info: backend_util.Conv2DInfo): boolean {
  return sizeOf(info.inShape) > 0 && sizeOf(info.outShape) > 0 && sizeOf(info.filterShape) > 0;
}

/** Conv2D: x [N,H,W,C] * filter [KH,KW,C,OC] -> y [N,OH,OW,OC]. */
function conv2D({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  if (!allFloat32(x, filter)) return undefined;
  const info = nhwcConvInfo(x.shape, filter.shape, attrs, attrs?.["dilations"] as number | [number, number]);
  if (info === undefined || !nonEmpty(info)) return undefined;
  const out = backend.allocate(sizeOf(info.outShape));
  backend.addon.conv2d(ConvPass.forward, backend.floats(x), backend.floats(filter), out, convParams(info));
  return backend.output(out, info.outShape);
}

/** Conv2DBackpropInput: dy [N,OH,OW,OC], filter [KH,KW,C,OC] -> dx [N,H,W,C] (inputShape attribute). */
function conv2DBackpropInput({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  if (!allFloat32(dy, filter)) return undefined;
  const inputShape = attrs?.["inputShape"] as number[];
  const info = nhwcConvInfo(inputShape, filter.shape, attrs);
  if (info === undefined || !nonEmpty(info)) return undefined;
  const out = backend.allocate(sizeOf(inputShape));
  backend.addon.conv2d(ConvPass.backwardData, backend.floats(dy), backend.floats(filter), out, convParams(info));
  return backend.output(out, inputShape);
}

/** Conv2DBackpropFilter: x [N,H,W,C], dy [N,OH,OW,OC] -> dfilter [KH,KW,C,OC] (filterShape attribute). */
function conv2DBackpropFilter({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  if (!allFloat32(x, dy)) return undefined;
  const filterShape = attrs?.["filterShape"] as number[];
  const info = nhwcConvInfo(x.shape, filterShape, attrs);
  if (info === undefined || !nonEmpty(info)) return undefined;
  const out = backend.allocate(sizeOf(filterShape));
  backend.addon.conv2d(ConvPass.backwardWeights, backend.floats(x), backend.floats(dy), out, convParams(info));
  return backend.output(out, filterShape);
}

/** Activation code for a TF.js fused activation name, or undefined when oneDNN cannot fuse it (prelu). */
export function fusedActivationCode(name: unknown): number | undefined {
  const key = (name ?? "linear") as string;
  return (FusedActivation as Record<string, number>)[key];
}

/** FusedConv2D: activation(conv2d(x, filter) + bias); bias of shape [OC] (or a scalar-sized [1]). */
function fusedConv2D({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
  if (x === undefined || filter === undefined || preluActivationWeights !== undefined) return undefined;
  if (!allFloat32(x, filter, bias)) return undefined;
  const activation = fusedActivationCode(attrs?.["activation"]);
  if (activation === undefined) return undefined;
  const info = nhwcConvInfo(x.shape, filter.shape, attrs, attrs?.["dilations"] as number | [number, number]);
  if (info === undefined || !nonEmpty(info)) return undefined;
  let biasValues: Float32Array | null = null;
  if (bias !== undefined) {
    const biasSize = sizeOf(bias.shape);
    if (biasSize === info.outChannels) biasValues = backend.floats(bias);
    else if (biasSize === 1) biasValues = new Float32Array(info.outChannels).fill(backend.floats(bias)[0] ?? 0);
    else return undefined;
  }
  const alpha = (attrs?.["leakyreluAlpha"] as number | undefined) ?? 0.2;
  const out = backend.allocate(sizeOf(info.outShape));
  backend.addon.conv2d(
    ConvPass.forward,
    backend.floats(x),
    backend.floats(filter),
    out,
    convParams(info),
    biasValues,
    activation,
    alpha,
  );
  return backend.output(out, info.outShape);
}

/** The bias of a fused convolution kernel, checked against the output channels (undefined: not fusable). */
function channelBias(
  backend: NativeKernelArgs["backend"],
  bias: TensorInfo,
  channels: number,
): Float32Array | undefined {
  return sizeOf(bias.shape) === channels ? backend.floats(bias) : undefined;
}

/** TsganConv2DBias (core/engine/fusedKernels.ts): conv2d(x, filter) + bias, the bias added inside oneDNN's pass. */
function conv2DBias({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias: TensorInfo };
  if (!allFloat32(x, filter, bias)) return undefined;
  const info = nhwcConvInfo(x.shape, filter.shape, attrs);
  if (info !== undefined && sizeOf(info.outShape) === 0) return backend.output(backend.allocate(0), info.outShape);
  if (info === undefined || !nonEmpty(info)) return undefined;
  const biasValues = channelBias(backend, bias, info.outChannels);
  if (biasValues === undefined) return undefined;
  const out = backend.allocate(sizeOf(info.outShape));
  const params = convParams(info);
  backend.addon.conv2d(ConvPass.forward, backend.floats(x), backend.floats(filter), out, params, biasValues);
  return backend.output(out, info.outShape);
}

/**
 * TsganConv2DTransposeBias: conv2dTranspose(x, filter) + bias. The transposed convolution is the backward-data pass
 * of the convolution from the output's shape to x's, to which the native pass adds the bias.
 */
function conv2DTransposeBias({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias: TensorInfo };
  if (!allFloat32(x, filter, bias)) return undefined;
  const outputShape = attrs?.["outputShape"] as number[];
  const info = nhwcConvInfo(outputShape, filter.shape, attrs);
  if (sizeOf(outputShape) === 0) return backend.output(backend.allocate(0), outputShape);
  if (info === undefined || !nonEmpty(info)) return undefined;
  const biasValues = channelBias(backend, bias, info.inChannels);
  if (biasValues === undefined) return undefined;
  const out = backend.allocate(sizeOf(outputShape));
  const params = convParams(info);
  backend.addon.conv2d(ConvPass.backwardData, backend.floats(x), backend.floats(filter), out, params, biasValues);
  return backend.output(out, outputShape);
}

/** The convolution kernels of the native backend. */
export const convolutionKernels: NativeKernelConfig[] = [
  { kernelName: "Conv2D", kernelFunc: conv2D },
  { kernelName: "Conv2DBackpropInput", kernelFunc: conv2DBackpropInput },
  { kernelName: "Conv2DBackpropFilter", kernelFunc: conv2DBackpropFilter },
  { kernelName: "FusedConv2D", kernelFunc: fusedConv2D },
  { kernelName: CONV2D_BIAS_KERNEL, kernelFunc: conv2DBias },
  { kernelName: CONV2D_TRANSPOSE_BIAS_KERNEL, kernelFunc: conv2DTransposeBias },
];
