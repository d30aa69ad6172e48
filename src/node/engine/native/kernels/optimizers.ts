/**
 * The optimizer kernels of the native backend: `TsganAdam`, `TsganMomentumSgd`, `TsganMovingAverage` and
 * `TsganGlobalNorm`. TsganAdam: one Adam update of one variable in a single C++ pass (instead of ~13
 * element-wise kernels); TsganMomentumSgd and TsganMovingAverage likewise replace 4 and 3 kernels. The name and attribute contract are core's (src/core/engine/fusedKernels.ts); tsgan's
 * Adam (src/core/training/optimizers.ts) calls it whenever the active backend has it. Results are bit-identical to
 * m ← m·β1 + g·(1−β1); v ← v·β2 + g²·(1−β2); θ ← θ − (m / (√v / c2 + ε))·stepSize computed with TF.js ops in
 * that order (test/node/engine/native/fused.test.ts).
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";

import {
  ADAM_KERNEL,
  GLOBAL_NORM_KERNEL,
  MOMENTUM_SGD_KERNEL,
  MOVING_AVERAGE_KERNEL,
  type AdamKernelAttributes,
  type MomentumSgdKernelAttributes,
  type MovingAverageKernelAttributes,
} from "../../../../core/engine/fusedKernels.js";
import { allFloat32, sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";

/** The attributes in the order the addon's adam() takes them as coefficients. */
const COEFFICIENTS: readonly (keyof AdamKernelAttributes)[] = [
  "beta1",
  "oneMinusBeta1",
  "beta2",
  "oneMinusBeta2",
  "secondCorrection",
  "epsilon",
  "stepSize",
];

/** The named inputs of a fused update, checked: float32, all of one size. */
function sameSizeFloats(kernel: string, inputs: NativeKernelArgs["inputs"], names: string[]): TensorInfo[] {
  const tensors = names.map((name) => (inputs as Record<string, TensorInfo | undefined>)[name]);
  const size = tensors[0] ? sizeOf(tensors[0].shape) : -1;
  if (tensors.some((tensor) => tensor === undefined || sizeOf(tensor.shape) !== size) || !allFloat32(...tensors)) {
    throw new Error(`${kernel}: ${names.join(", ")} must be float32 of one size`);
  }
  return tensors as TensorInfo[];
}

/** The numeric attributes `names` of a kernel call, in that order, as the addon's coefficients. */
function coefficientsOf(kernel: string, attrs: NativeKernelArgs["attrs"], names: readonly string[]): Float64Array {
  return Float64Array.from(names, (name) => {
    const value = (attrs as Record<string, unknown> | undefined)?.[name];
    if (typeof value !== "number") throw new Error(`${kernel}: attribute ${name} missing`);
    return value;
  });
}

function adam({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const [variable, gradient, m, v] = sameSizeFloats(ADAM_KERNEL, inputs, ["variable", "gradient", "m", "v"]);
  const size = sizeOf(variable!.shape);
  const coefficients = coefficientsOf(ADAM_KERNEL, attrs, COEFFICIENTS);
  const outputs = [backend.allocate(size), backend.allocate(size), backend.allocate(size)] as const;
  backend.addon.adam(
    backend.floats(variable!),
    backend.floats(gradient!),
    backend.floats(m!),
    backend.floats(v!),
    outputs[0],
    outputs[1],
    outputs[2],
    coefficients,
  );
  return outputs.map((values) => backend.output(values, variable!.shape));
}

const MOMENTUM_SGD_COEFFICIENTS: readonly (keyof MomentumSgdKernelAttributes)[] = ["momentum", "learningRate"];

function momentumSgd({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const names = ["variable", "gradient", "velocity"];
  const [variable, gradient, velocity] = sameSizeFloats(MOMENTUM_SGD_KERNEL, inputs, names);
  const size = sizeOf(variable!.shape);
  const coefficients = coefficientsOf(MOMENTUM_SGD_KERNEL, attrs, MOMENTUM_SGD_COEFFICIENTS);
  const outputs = [backend.allocate(size), backend.allocate(size)] as const;
  const [x, g, u] = [backend.floats(variable!), backend.floats(gradient!), backend.floats(velocity!)];
  backend.addon.momentumSgd(x, g, u, outputs[0], outputs[1], coefficients);
  return outputs.map((values) => backend.output(values, variable!.shape));
}

const MOVING_AVERAGE_COEFFICIENTS: readonly (keyof MovingAverageKernelAttributes)[] = ["decay", "oneMinusDecay"];

function movingAverage({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo {
  const [average, value] = sameSizeFloats(MOVING_AVERAGE_KERNEL, inputs, ["average", "value"]);
  const coefficients = coefficientsOf(MOVING_AVERAGE_KERNEL, attrs, MOVING_AVERAGE_COEFFICIENTS);
  const output = backend.allocate(sizeOf(average!.shape));
  backend.addon.movingAverage(backend.floats(average!), backend.floats(value!), output, coefficients);
  return backend.output(output, average!.shape);
}

/**
 * TsganGlobalNorm: √(Σ_i Σ t_i²) over the inputs t0, t1, … (float32), summed in float64 in one native call
 * instead of a Square, a Sum per tensor and an AddN. The order of the inputs does not matter beyond rounding.
 */
function globalNorm({ inputs, backend }: NativeKernelArgs): TensorInfo {
  const tensors = Object.values(inputs) as TensorInfo[];
  if (!allFloat32(...tensors)) throw new Error(`${GLOBAL_NORM_KERNEL}: every input must be float32`);
  const sum = backend.addon.sumOfSquares(tensors.map((tensor) => backend.floats(tensor)));
  return backend.output(Float32Array.of(Math.sqrt(sum)), []);
}

/** The optimizer kernels of the native backend. */
export const optimizerKernels: NativeKernelConfig[] = [
  { kernelName: ADAM_KERNEL, kernelFunc: adam },
  { kernelName: MOMENTUM_SGD_KERNEL, kernelFunc: momentumSgd },
  { kernelName: MOVING_AVERAGE_KERNEL, kernelFunc: movingAverage },
  { kernelName: GLOBAL_NORM_KERNEL, kernelFunc: globalNorm },
];
