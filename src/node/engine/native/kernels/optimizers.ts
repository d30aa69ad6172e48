/**
 * `TsganAdam` and `TsganGlobalNorm` on the native backend. TsganAdam: one Adam update of one variable in a single C++ pass (instead of ~13
 * element-wise kernels). The name and attribute contract are core's (src/core/engine/fusedKernels.ts); tsgan's
 * Adam (src/core/training/optimizers.ts) calls it whenever the active backend has it. Results are bit-identical to
 * m ← m·β1 + g·(1−β1); v ← v·β2 + g²·(1−β2); θ ← θ − (m / (√v / c2 + ε))·stepSize computed with TF.js ops in
 * that order (test/node/engine/native/fused.test.ts).
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";

import { ADAM_KERNEL, GLOBAL_NORM_KERNEL, type AdamKernelAttributes } from "../../../../core/engine/fusedKernels.js";
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

function adam({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const { variable, gradient, m, v } = inputs as Record<string, TensorInfo>;
  const tensors = [variable!, gradient!, m!, v!];
  const size = sizeOf(variable!.shape);
  if (!allFloat32(...tensors) || tensors.some((tensor) => sizeOf(tensor.shape) !== size)) {
    throw new Error(`${ADAM_KERNEL}: variable, gradient, m and v must be float32 of one size`);
  }
  const coefficients = Float64Array.from(COEFFICIENTS, (name) => {
    const value = attrs?.[name];
    if (typeof value !== "number") throw new Error(`${ADAM_KERNEL}: attribute ${name} missing`);
    return value;
  });
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
  { kernelName: GLOBAL_NORM_KERNEL, kernelFunc: globalNorm },
];
