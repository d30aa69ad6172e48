/**
 * Shared helpers of the native-engine tests: backend setup (fails loudly when the addon is missing), seeded
 * random inputs, and the error measure used throughout:
 *
 *   relativeError(actual, expected) = max_i |actual_i − expected_i| / max(max_i |expected_i|, 1e-30)
 *
 * i.e. the ∞-norm error relative to the ∞-norm of the reference (the TF.js cpu kernel's result). Element-wise
 * relative error is meaningless for sums with cancellation (convolutions, matmuls), so the norm form is used.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// The union package registers the gradients of every kernel (tfjs-core alone registers none).
import "@tensorflow/tfjs";

import { INSTALL_HINT, registerNativeBackend } from "../../../../src/node/engine/native/index.js";

/** The bound the issue sets for every kernel and gradient. */
export const RELATIVE_TOLERANCE = 1e-4;

/** Registers the native backend or throws with instructions: these tests never skip. */
export function requireNativeBackend(): void {
  const result = registerNativeBackend();
  if (!result.ok) throw new Error(`native backend unavailable: ${result.reason}\n${INSTALL_HINT}`);
}

/** A small seeded generator (mulberry32) for reproducible inputs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [low, high) of the given shape's size. */
export function uniformValues(shape: readonly number[], seed: number, low = -1, high = 1): Float32Array {
  const random = seededRandom(seed);
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = low + (high - low) * random();
  return values;
}

/** ∞-norm relative error (see the file comment). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let maxDifference = 0;
  let maxExpected = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i]! - expected[i]!);
    if (!(difference <= maxDifference)) maxDifference = difference; // NaN counts as infinitely wrong
    maxExpected = Math.max(maxExpected, Math.abs(expected[i]!));
  }
  return maxDifference / Math.max(maxExpected, 1e-30);
}

/** Result of running a computation on one backend: output values and shapes (tensors already disposed). */
export interface BackendRun {
  values: Float32Array[];
  shapes: number[][];
}

/**
 * Runs `compute` on `backend` inside tf.tidy and returns its outputs as plain arrays. Checks that the run
 * leaves no tensor behind.
 */
export function runOn(backend: "cpu" | "native", compute: () => tf.Tensor | tf.Tensor[]): BackendRun {
  if (!tf.setBackend(backend)) throw new Error(`could not switch to ${backend}`);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const run: BackendRun = {
    values: outputs.map((output) => Float32Array.from(output.dataSync() as ArrayLike<number>)),
    shapes: outputs.map((output) => output.shape),
  };
  tf.dispose(outputs);
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${backend}: ${after - before} tensor(s) leaked`);
  return run;
}

/** Runs `compute` on cpu and native; returns the worst relative error over outputs (and checks shapes). */
export function compareBackends(compute: () => tf.Tensor | tf.Tensor[]): number {
  const expected = runOn("cpu", compute);
  const actual = runOn("native", compute);
  let worst = 0;
  expected.values.forEach((values, index) => {
    const actualShape = actual.shapes[index]!.join("x");
    const expectedShape = expected.shapes[index]!.join("x");
    if (actualShape !== expectedShape) throw new Error(`shape ${actualShape} != ${expectedShape}`);
    worst = Math.max(worst, relativeError(actual.values[index]!, values));
  });
  return worst;
}
