#!/usr/bin/env node
// The tsgan command. An installed package runs the compiled CLI (dist/cli/main.js; no TypeScript loader at run time).
// A checkout of the repository (src/ beside bin/) runs its TypeScript sources through tsx, a development dependency,
// so that the CLI and the tests that spawn it always see the current sources, never a stale dist/ (docs/design.md).
import { existsSync } from "node:fs";
import { URL } from "node:url";

const sources = new URL("../src/cli/main.ts", import.meta.url);
const compiled = new URL("../dist/cli/main.js", import.meta.url);

/** tsx's loader in a checkout; undefined in an installed package, or a checkout without development dependencies. */
async function typeScriptLoader() {
  if (!existsSync(sources)) return undefined;
  try {
    return (await import("tsx/esm/api")).register;
  } catch {
    return undefined;
  }
}

const register = await typeScriptLoader();
if (register) {
  register();
  await import(sources.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  console.error("tsgan: no compiled CLI here: run npm run build (or npm ci for the TypeScript sources)");
  process.exitCode = 1;
}
