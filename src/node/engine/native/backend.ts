/**
 * The `native` TF.js backend: the TF.js cpu backend (tensors are Float32Arrays in its data store, so they pass
 * into C++ without copies) with its hot kernels replaced by oneDNN / C++ ones from the native addon.
 */
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import {
  getKernel,
  type DataType,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from "@tensorflow/tfjs-core";

import type { NativeAddon } from "./addon.js";
import { BufferPool } from "./pool.js";

/** Name under which the backend and its kernels are registered with TF.js. */
export const NATIVE_BACKEND_NAME = "native";

type DataId = Parameters<MathBackendCPU["disposeData"]>[0];

/** The native backend: a MathBackendCPU that also holds the addon and a pool of output arrays. */
export class NativeBackend extends MathBackendCPU {
  /** Recycled output arrays of native kernels (see pool.ts for when an array may be reused). */
  readonly pool = new BufferPool();

  constructor(readonly addon: NativeAddon) {
    super();
    // MathBackendCPU prints "install tfjs-node to speed things up" on first use in Node; this is that engine.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /**
   * The Float32Array behind a float32 tensor (no copy). The cpu backend's Cast from bool/int32 to float32 shares
   * the source's Uint8Array/Int32Array, so such values are converted (a copy) here.
   */
  floats(tensor: TensorInfo): Float32Array {
    const values = this.data.get(tensor.dataId).values;
    if (values instanceof Float32Array) return values;
    return Float32Array.from(values as ArrayLike<number>);
  }

  /** An output array for a native kernel (recycled; every element must be written). */
  allocate(length: number): Float32Array {
    return this.pool.floats(length);
  }

  /** A bool output array for a native kernel (recycled; every element must be written). */
  allocateBool(length: number): Uint8Array {
    return this.pool.bytes(length);
  }

  /** The stored values of a data id, or undefined if this backend does not hold it (never moves data here). */
  private storedValues(dataId: DataId): unknown {
    // DataStorage.get would fetch a data id this backend lacks from another backend; has() first avoids that.
    return this.data.has(dataId) ? this.data.get(dataId).values : undefined;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.storedValues(dataId);
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return released;
  }

  // Reading hands the stored array itself to the caller, so its memory may never be recycled.
  override readSync(dataId: DataId): ReturnType<MathBackendCPU["readSync"]> {
    this.pool.escape(this.storedValues(dataId));
    return super.readSync(dataId);
  }

  override read(dataId: DataId): ReturnType<MathBackendCPU["read"]> {
    this.pool.escape(this.storedValues(dataId));
    return super.read(dataId);
  }

  /**
   * After a cpu kernel ran: any output that is a new data id over an input's pooled memory (a view, e.g. from
   * Slice) makes that memory escape. Outputs that reuse an input's data id (Reshape, Identity) are refcounted.
   */
  guardAliasing(inputs: NamedTensorInfoMap, result: TensorInfo | TensorInfo[]): void {
    const outputs = Array.isArray(result) ? result : [result];
    for (const output of outputs) {
      const values = this.storedValues(output.dataId);
      if (!this.pool.sharesPooledMemory(values)) continue;
      const sameData = Object.values(inputs).some((input) => input !== undefined && input.dataId === output.dataId);
      if (!sameData) this.pool.escape(values);
    }
  }

  /** Wraps freshly computed values as a tensor of this backend. */
  output(values: Float32Array | Uint8Array, shape: number[], dtype: DataType = "float32"): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }
}

/** Arguments of a kernel function, typed for the native backend. */
export interface NativeKernelArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs?: NamedAttrMap;
}

/** A kernel of the native backend; returning `undefined` means "not handled here: use the cpu kernel". */
export type NativeKernel = (args: NativeKernelArgs) => TensorInfo | TensorInfo[] | undefined;

/** A native kernel under a TF.js kernel name. */
export interface NativeKernelConfig {
  kernelName: string;
  kernelFunc: NativeKernel;
}

/**
 * Turns a native kernel into a TF.js kernel function that falls back to the cpu backend's kernel of the same
 * name whenever the native one declines (dtype, layout or shape it does not cover).
 */
export function withCpuFallback(config: NativeKernelConfig): KernelFunc {
  const cpu = getKernel(config.kernelName, "cpu");
  const native = config.kernelFunc;
  return (args) => {
    const result = native(args as unknown as NativeKernelArgs);
    if (result !== undefined) return result;
    if (cpu === undefined) throw new Error(`native: kernel ${config.kernelName} not handled and no cpu kernel`);
    const fallback = cpu.kernelFunc(args);
    (args.backend as NativeBackend).guardAliasing(args.inputs, fallback);
    return fallback;
  };
}

/** A cpu kernel re-registered for the native backend, with the aliasing guard the buffer pool needs. */
export function guardedCpuKernel(kernelFunc: KernelFunc): KernelFunc {
  return (args) => {
    const result = kernelFunc(args);
    (args.backend as NativeBackend).guardAliasing(args.inputs, result);
    return result;
  };
}

/** True when every tensor is float32 (the native kernels handle float32 only). */
export function allFloat32(...tensors: (TensorInfo | undefined)[]): boolean {
  return tensors.every((tensor) => tensor === undefined || tensor.dtype === "float32");
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dimension of shape) size *= dimension;
  return size;
}
