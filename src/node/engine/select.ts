/**
 * Node's backend choice: the isomorphic backends plus the native oneDNN engine (src/node/engine/native/).
 * The one place the CLI, the benchmarks and the tests pick an engine.
 */
import { registerBackendProvider, useBackend, type BackendName } from "../../core/engine/backend.js";

registerBackendProvider("native", async () => {
  const { registerNativeBackend } = await import("./native/index.js");
  const result = registerNativeBackend();
  return result.ok ? null : result.reason;
});

/** How to get the fast engine, printed once when `auto` had to pass it over. */
export const NATIVE_ENGINE_HINT = "for the fast native engine: apt-get install -y libdnnl-dev && npm rebuild";

/**
 * Selects a backend; with `auto`, passing over the native engine prints one line saying how to get it.
 * Returns the backend's name.
 */
export async function selectBackend(
  requested: BackendName,
  log: (line: string) => void = console.error,
): Promise<string> {
  const { name, skipped } = await useBackend(requested);
  if (requested === "auto" && name !== "native" && skipped.some((reason) => reason.startsWith("native"))) {
    log(`tsgan: using the ${name} backend (${NATIVE_ENGINE_HINT})`);
  }
  return name;
}
