/**
 * The config schema is a leaf: reading it (the CLI's help, the lab's fields, a tool that validates config files)
 * loads zod and nothing of TF.js. Checked twice: by walking the import statements from src/core/config.ts, and by
 * importing it in a fresh Node process and looking for TF.js's engine (with tf.ts as the control that it shows up).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
/** The packages a leaf may load at run time. */
const LEAF_PACKAGES = new Set(["zod"]);
/** Value imports and re-exports, static or dynamic (`import type` / `export type` load nothing and are skipped). */
const VALUE_IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every module `entry` loads at run time: the source files it reaches and the packages they import. */
function runtimeImports(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(VALUE_IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith(".")) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else packages.add(specifier);
    }
  }
  return { files: [...files].map((file) => file.slice(ROOT.length + 1)).sort(), packages: [...packages].sort() };
}

/** Imports `module` in a fresh Node process and says whether TF.js's engine global exists afterwards. */
function loadsTensorflow(module: string): boolean {
  const script = `await import(${JSON.stringify(pathToFileURL(join(ROOT, module)).href)});
    process.stdout.write(String("_tfengine" in globalThis));`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim() === "true";
}

describe("src/core/config.ts is a leaf", () => {
  it("imports only zod, through files that import nothing else", () => {
    for (const entry of ["src/core/config.ts", "src/core/configDocs.ts"]) {
      const { files, packages } = runtimeImports(entry);
      expect(
        packages.filter((name) => !LEAF_PACKAGES.has(name)),
        `${entry} reaches ${files.join(", ")}`,
      ).toEqual([]);
    }
    // The walk itself finds TF.js where it is (so an empty list above means something).
    expect(runtimeImports("src/core/training/gan.ts").packages.some((name) => name.startsWith("@tensorflow/"))).toBe(
      true,
    );
  });

  it("importing it in a fresh process does not load TF.js", () => {
    expect(loadsTensorflow("src/core/config.ts")).toBe(false);
    expect(loadsTensorflow("src/core/engine/tf.ts")).toBe(true);
  });
});
