/**
 * Runs the same tests on every TF.js backend that initialises here, as tfjs-core's tests do:
 *
 *   describeEachBackend("Adam", (backend) => { it("matches a hand computation", ...) });
 *
 * gives one describe block per backend, named "Adam [cpu]", "Adam [wasm]", "Adam [native]", each running on its
 * backend. Backends are selected through the project's own code (src/core/engine/backend.ts, with the native
 * provider of src/node/engine/select.ts), so a test sees what `--backend <name>` sees. cpu and wasm must always
 * initialise; native must whenever its addon is built. A backend that is not available gets a block named
 * "… [native: not available here — <reason>]" holding one test that fails unless the addon is simply not built:
 * an unavailable backend is visible in the test names and never silently passes as if it had been tested.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { beforeAll, describe, expect, it } from "vitest";

import { useBackend, type BackendName } from "../../src/core/engine/backend.js";
import { tf, type Tensor } from "../../src/core/engine/tf.js";
// Registers the native engine's provider with the backend selection (it loads the addon only when selected).
import "../../src/node/engine/select.js";

/** Every backend the Node engine offers; the first is the reference the others are compared with. */
export const BACKENDS = ["cpu", "wasm", "native"] as const satisfies readonly BackendName[];
export type TestBackend = (typeof BACKENDS)[number];
export const REFERENCE_BACKEND: TestBackend = "cpu";

/** The native addon that `npm install` builds (native/build.mjs); when it exists, `native` must initialise. */
export const NATIVE_ADDON_PATH = fileURLToPath(
  new URL("../../native/build/Release/tsgan_native.node", import.meta.url),
);

/** Whether each backend initialises on this machine, and if not, why (probed once per test file). */
const availability = new Map<TestBackend, string | null>();
for (const backend of BACKENDS) availability.set(backend, await probe(backend));
await useBackend(REFERENCE_BACKEND);

async function probe(backend: TestBackend): Promise<string | null> {
  try {
    await useBackend(backend);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The backends that initialised here. */
export function availableBackends(): TestBackend[] {
  return BACKENDS.filter((backend) => availability.get(backend) === null);
}

/**
 * One describe block per backend, with that backend selected before its tests run (and the suite's `beforeAll`s,
 * which run after this one, see it too).
 */
export function describeEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of BACKENDS) {
    const reason = availability.get(backend) ?? null;
    if (reason === null) {
      describe(`${title} [${backend}]`, () => {
        beforeAll(async () => {
          await useBackend(backend);
        });
        body(backend);
      });
    } else {
      describe(`${title} [${backend}: not available here — ${reason}]`, () => {
        it("is unavailable only because it is the native engine and its addon is not built", () => {
          expect(backend, `${backend} must always initialise: ${reason}`).toBe("native");
          expect(existsSync(NATIVE_ADDON_PATH), `${NATIVE_ADDON_PATH} exists but native failed: ${reason}`).toBe(false);
        });
      });
    }
  }
}

/** Makes `backend` the current backend (for a test that compares against the reference within one block). */
export async function switchTo(backend: TestBackend): Promise<void> {
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
}

/**
 * Runs `compute` on `backend` inside tf.tidy and returns its outputs as plain arrays, then switches back to the
 * backend that was current. Inputs should be built inside `compute` (from plain arrays), so each backend owns its
 * tensors.
 */
export async function valuesOn(backend: TestBackend, compute: () => Tensor | Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend() as TestBackend;
  await switchTo(backend);
  try {
    const outputs = tf.tidy(() => {
      const result = compute();
      return Array.isArray(result) ? result : [result];
    });
    const values = outputs.map((output) => Float32Array.from(output.dataSync() as ArrayLike<number>));
    tf.dispose(outputs);
    return values;
  } finally {
    await switchTo(previous);
  }
}

/**
 * The ∞-norm error of `actual` relative to the ∞-norm of `expected`: max_i |a_i − e_i| / max_i |e_i|. Element-wise
 * relative error is meaningless for sums with cancellation (a convolution's gradient), so the norm form is used.
 * NaN anywhere counts as infinitely wrong.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let maxDifference = 0;
  let maxExpected = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(difference)) return Number.POSITIVE_INFINITY;
    maxDifference = Math.max(maxDifference, difference);
    maxExpected = Math.max(maxExpected, Math.abs(expected[i]!));
  }
  return maxExpected === 0 ? maxDifference : maxDifference / maxExpected;
}
