/**
 * The TF.js backend in the browser, chosen through the core's one backend switch (src/core/engine/backend.ts).
 *
 * - webgl: registered by the TF.js umbrella package; works in workers through OffscreenCanvas.
 * - wasm: the core's provider loads it; here we only tell it where Vite put the .wasm files (hashed assets).
 *   Without cross-origin isolation there is no SharedArrayBuffer, so TF.js picks the SIMD build (single thread).
 * - webgpu: would need @tensorflow/tfjs-backend-webgpu, which the project does not install; it reports why.
 * - cpu: plain JavaScript, always there.
 *
 * `auto` prefers, per workload (measured, docs/lab.md): small toy MLPs are dominated by per-op overhead, where wasm is
 * fastest; image models are dominated by arithmetic, where a GPU wins if there is one.
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasmPlainUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreadedUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { BackendError, registerBackendProvider, useBackend } from "../../../src/core/engine/backend.js";
import type { BrowserBackend } from "./protocol.js";

/** Which workload `auto` chooses for: toy MLPs or image models. */
export type Workload = "toy" | "images";

/** `auto`'s order per workload, fastest first. */
export const AUTO_BACKEND_ORDER: Readonly<Record<Workload, readonly BrowserBackend[]>> = {
  toy: ["wasm", "cpu"],
  images: ["webgl", "wasm", "cpu"],
};

/** Renderer names of WebGL implemented in software on the CPU, where wasm is faster than "GPU" code. */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software/i;

/** Why WebGL is not worth choosing automatically here, or null when it runs on a real GPU. */
export function softwareWebGlReason(): string | null {
  if (typeof OffscreenCanvas === "undefined") return "no OffscreenCanvas in this worker";
  const context = new OffscreenCanvas(1, 1).getContext("webgl2");
  if (!context) return "no WebGL 2 here";
  const info = context.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(context.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : context.RENDERER));
  context.getExtension("WEBGL_lose_context")?.loseContext();
  return SOFTWARE_RENDERERS.test(renderer) ? `WebGL is software-rendered here (${renderer}); wasm is faster` : null;
}

let registered = false;

function registerBrowserBackends(): void {
  if (registered) return;
  registered = true;
  setWasmPaths({
    "tfjs-backend-wasm.wasm": wasmPlainUrl,
    "tfjs-backend-wasm-simd.wasm": wasmSimdUrl,
    "tfjs-backend-wasm-threaded-simd.wasm": wasmThreadedUrl,
  });
  registerBackendProvider("webgl", async () =>
    typeof OffscreenCanvas === "undefined" ? "no OffscreenCanvas in this worker" : null,
  );
  registerBackendProvider("webgpu", async () => "needs the package @tensorflow/tfjs-backend-webgpu (not installed)");
}

/** Selects a backend; returns its name and why faster ones were passed over. */
export async function selectBrowserBackend(
  requested: BrowserBackend,
  workload: Workload,
): Promise<{ name: string; skipped: string[] }> {
  registerBrowserBackends();
  const order = requested === "auto" ? AUTO_BACKEND_ORDER[workload] : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    if (name === "auto") continue;
    if (requested === "auto" && name === "webgl") {
      const reason = softwareWebGlReason();
      if (reason) {
        skipped.push(`webgl: ${reason}`);
        continue;
      }
    }
    try {
      const chosen = await useBackend(name);
      return { name: chosen.name, skipped };
    } catch (error) {
      skipped.push((error as Error).message);
    }
  }
  throw new BackendError(`no usable backend (${skipped.join("; ")})`);
}
