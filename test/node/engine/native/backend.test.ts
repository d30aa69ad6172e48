/** Registration of the native backend: idempotent, reports the engine, falls back to cpu kernels, thread control. */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import {
  NATIVE_BACKEND_NAME,
  NATIVE_KERNELS,
  nativeInfo,
  registerNativeBackend,
  setNativeThreads,
} from "../../../../src/node/engine/native/index.js";
import { requireNativeBackend } from "./helpers.js";

beforeAll(() => {
  requireNativeBackend();
});

describe("registerNativeBackend", () => {
  it("is idempotent", () => {
    expect(registerNativeBackend()).toEqual({ ok: true });
    expect(registerNativeBackend()).toEqual({ ok: true });
  });

  it("reports oneDNN, the instruction set and the thread count", () => {
    const info = nativeInfo()!;
    expect(info.onednn).toMatch(/^2\./);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.isa).not.toBe("");
  });

  it("registers every cpu kernel for native too, plus its own", () => {
    const native = new Set(tf.getKernelsForBackend(NATIVE_BACKEND_NAME).map((kernel) => kernel.kernelName));
    for (const kernel of tf.getKernelsForBackend("cpu")) expect(native.has(kernel.kernelName)).toBe(true);
    for (const kernel of NATIVE_KERNELS) expect(native.has(kernel.kernelName)).toBe(true);
  });

  it("falls back to the cpu kernels for what it does not implement (int32 add, NCHW conv2d)", () => {
    tf.setBackend(NATIVE_BACKEND_NAME);
    const sum = tf.add(tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32"));
    expect(sum.dtype).toBe("int32");
    expect(Array.from(sum.dataSync())).toEqual([4, 6]);
    const x = tf.ones([1, 2, 3, 3]) as tf.Tensor4D; // NCHW
    const filter = tf.ones([1, 1, 2, 1]) as tf.Tensor4D;
    expect(Array.from(tf.conv2d(x, filter, 1, "valid", "NCHW").dataSync())).toEqual(new Array(9).fill(2));
  });

  it("changes the thread count at run time", () => {
    const original = nativeInfo()!.threads;
    expect(setNativeThreads(1)).toBe(1);
    expect(nativeInfo()!.threads).toBe(1);
    setNativeThreads(original);
    expect(nativeInfo()!.threads).toBe(original);
  });
});
