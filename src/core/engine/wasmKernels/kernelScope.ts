/**
 * Running stock kernels from inside a composite kernel.
 *
 * A kernel function receives and returns `TensorInfo`s (data ids owned by the backend), not `Tensor`s, so tf ops
 * and `tf.tidy` do not apply: intermediates must be released with `backend.disposeData`. A `KernelScope` calls the
 * kernels registered for one backend, remembers every output, and releases all of them except the one returned —
 * the same discipline as the composite kernels of tfjs-backend-cpu and tfjs-backend-wasm.
 *
 *   return withKernelScope(backend, "wasm", (scope) => {
 *     const transposed = scope.run(tf.Transpose, { x }, { perm: [1, 0] });
 *     return scope.run(tf.Reshape, { x: transposed }, { shape: [n] });
 *   });
 */
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";

import { tf } from "../tf.js";

export class KernelScope {
  private readonly outputs: TensorInfo[] = [];
  private readonly backend: KernelBackend;

  /** `backend` is the one a kernel function receives (typed `{}` by TF.js); `backendName` is its registry name. */
  constructor(
    backend: object,
    private readonly backendName: string,
  ) {
    this.backend = backend as KernelBackend;
  }

  /**
   * Runs the kernel registered as `kernelName` for this scope's backend; its output is released with the scope.
   * `attrs` is the kernel's attribute object (e.g. `Conv2DAttrs`), passed through as is.
   */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(`kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    }
    return this.runKernel(kernel, inputs, attrs);
  }

  /** Runs a given kernel (e.g. the stock one that an override wraps); its output is released with the scope. */
  runKernel(kernel: KernelConfig, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const output = kernel.kernelFunc({ inputs, attrs: attrs as NamedAttrMap, backend: this.backend });
    if (Array.isArray(output)) {
      // Callers use single-output kernels only; release what came back rather than leak it.
      for (const info of output) this.backend.disposeData(info.dataId);
      throw new Error(`kernel '${kernel.kernelName}' returned ${output.length} outputs where one was expected`);
    }
    this.outputs.push(output);
    return output;
  }

  /** Reshape without copying (the backend shares the data and counts the reference). */
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  /**
   * Transpose. When `perm` only moves axes of size one, the memory order is unchanged and a reshape does (no copy);
   * when it moves nothing, `x` itself is returned.
   */
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    if (perm.every((axis, i) => axis === i)) return x;
    const outShape = perm.map((axis) => x.shape[axis] ?? 0);
    const movedAxes = perm.filter((axis) => x.shape[axis] !== 1);
    const keepsOrder = movedAxes.every((axis, i) => i === 0 || axis > (movedAxes[i - 1] ?? 0));
    return keepsOrder ? this.reshape(x, outShape) : this.run(tf.Transpose, { x }, { perm });
  }

  /** Takes `output` (made in this scope) out of the scope so that `release` keeps it. */
  keep(output: TensorInfo): TensorInfo {
    const index = this.outputs.indexOf(output);
    if (index < 0) throw new Error("KernelScope.keep: the output was not made in this scope");
    this.outputs.splice(index, 1);
    return output;
  }

  /** Releases every output still in the scope. */
  release(): void {
    for (const info of this.outputs.splice(0)) this.backend.disposeData(info.dataId);
  }
}

/**
 * Runs `body` in a fresh scope and returns its result; every other kernel output made in the scope is released,
 * also when `body` throws. `body` must return a kernel output made in the scope, never one of the kernel's inputs.
 */
export function withKernelScope(
  backend: object,
  backendName: string,
  body: (scope: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.release();
  }
}
