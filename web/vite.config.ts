/**
 * Vite build of the lab: one HTML page per lab page, training in module Web Workers, TF.js's .wasm files emitted as
 * hashed assets (imported with ?url in src/worker/backend.ts). `tsgan lab` runs this build and serves web/dist.
 */
import { defineConfig } from "vite";

/** An absolute path next to this file (URL arithmetic: the config needs no Node typings). */
const here = (name: string) => decodeURIComponent(new URL(name, import.meta.url).pathname);

const PAGES = ["index", "one-d", "two-d", "images", "runs"] as const;

export default defineConfig({
  root: here("."),
  base: "/",
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // TF.js alone is ~1.5 MB minified; one chunk per page and worker is expected here.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // zod's sources carry /* @__PURE__ */ notes in places Rollup cannot use; the warning is about zod, not us.
      onwarn(warning, warn) {
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("node_modules")) return;
        warn(warning);
      },
      input: Object.fromEntries(PAGES.map((page) => [page, here(`${page}.html`)])),
    },
  },
  worker: { format: "es" },
});
