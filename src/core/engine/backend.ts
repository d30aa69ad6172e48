/**
 * Backend choice, in one place.
 *
 * Isomorphic backends (cpu, wasm, and in browsers webgl/webgpu) are known here; Node adds the native oneDNN engine
 * through `registerBackendProvider` (src/node/engine/select.ts), so the trainer never names a backend itself.
 */
import { tf } from "./tf.js";
import { registerWasmTrainingKernels } from "./wasmKernels.js";

import type { BackendName } from "../config.js";

export type { BackendName };

/** Prepares a backend before it is selected (loads an addon, registers kernels); returns why it cannot, or null. */
export type BackendProvider = () => Promise<string | null>;

const providers = new Map<string, BackendProvider>([
  ["cpu", async () => null],
  [
    "wasm",
    async () => {
      await import("@tensorflow/tfjs-backend-wasm");
      registerWasmTrainingKernels();
      return null;
    },
  ],
]);

/** Lets an environment (Node's native engine, a browser's GPU backends) add a backend. */
export function registerBackendProvider(name: string, provider: BackendProvider): void {
  providers.set(name, provider);
}

/** Fastest first. Measured in README "Speed"; `auto` takes the first that initialises. */
export const AUTO_ORDER: readonly string[] = ["native", "wasm", "cpu"];

/** No requested backend could be initialised; the message lists why each was passed over. */
export class BackendError extends Error {
  override name = "BackendError";
}

/**
 * Selects and initialises a backend. `auto` walks AUTO_ORDER and returns the first that works, with the reasons the
 * faster ones were passed over (the caller prints them once).
 */
export async function useBackend(requested: BackendName): Promise<{ name: string; skipped: string[] }> {
  const candidates = requested === "auto" ? AUTO_ORDER : [requested];
  const skipped: string[] = [];
  for (const name of candidates) {
    const provider = providers.get(name);
    const reason = provider ? await tryProvider(provider) : `backend '${name}' is not available in this environment`;
    if (reason === null && (await tf.setBackend(name))) {
      await tf.ready();
      return { name, skipped };
    }
    skipped.push(`${name}: ${reason ?? "failed to initialise"}`);
  }
  throw new BackendError(`no usable backend (${skipped.join("; ")})`);
}

async function tryProvider(provider: BackendProvider): Promise<string | null> {
  try {
    return await provider();
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "failed to load";
  }
}
