/**
 * Builds the web app (web/ → web/dist) with Vite's JS API when it is missing or older than its sources.
 *
 * "Older" compares the newest modification time under web/ (outside dist) and src/core/ — the lab bundles the core —
 * with the stamp the last build wrote. Vite is a development dependency: it is imported only when a build is needed,
 * so a lab whose dist is up to date runs without it.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The repository root (this file is src/node/lab/build.ts). */
export const REPOSITORY_ROOT = join(import.meta.dirname, "..", "..", "..");
/** The web app's Vite root. */
export const WEB_DIRECTORY = join(REPOSITORY_ROOT, "web");
/** Where Vite writes the built app. */
export const WEB_DIST_DIRECTORY = join(WEB_DIRECTORY, "dist");
/** Written into dist after each build: the newest source time it was built from. */
const BUILD_STAMP = ".tsgan-build.json";
/** Directories never scanned for source changes. */
const SKIPPED_DIRECTORIES = new Set(["dist", "node_modules"]);

interface BuildStamp {
  newestSourceMs: number;
  builtAt: string;
}

/** The newest modification time (ms) of any file below `directory`, skipping build output. */
async function newestModification(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) newest = Math.max(newest, await newestModification(path));
    } else if (entry.isFile()) {
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

/** Newest modification time of everything the bundle is built from. */
export async function newestSource(webDirectory = WEB_DIRECTORY): Promise<number> {
  const core = join(REPOSITORY_ROOT, "src", "core");
  return Math.max(await newestModification(webDirectory), existsSync(core) ? await newestModification(core) : 0);
}

/** True when dist exists and was built from sources no older than the current ones. */
export async function isBuildCurrent(webDirectory = WEB_DIRECTORY): Promise<boolean> {
  const stampPath = join(webDirectory, "dist", BUILD_STAMP);
  if (!existsSync(stampPath) || !existsSync(join(webDirectory, "dist", "index.html"))) return false;
  try {
    const stamp = JSON.parse(await readFile(stampPath, "utf8")) as BuildStamp;
    return stamp.newestSourceMs >= (await newestSource(webDirectory));
  } catch {
    return false;
  }
}

export interface EnsureBuiltOptions {
  webDirectory?: string;
  /** Build even when dist looks current. */
  force?: boolean;
  /** One-line progress messages. */
  log?: (line: string) => void;
}

/** Builds web/ into web/dist unless it is current. Returns whether it built. */
export async function ensureWebBuilt(options: EnsureBuiltOptions = {}): Promise<boolean> {
  const webDirectory = options.webDirectory ?? WEB_DIRECTORY;
  if (!existsSync(webDirectory)) {
    throw new Error("the lab runs from a checkout of the tsgan repository: the npm package holds no web/ sources");
  }
  if (!options.force && (await isBuildCurrent(webDirectory))) return false;
  const log = options.log ?? (() => {});
  const newestSourceMs = await newestSource(webDirectory);
  log("tsgan: building the lab (vite build web/)…");
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    throw new Error("the lab needs building and Vite is not installed: run npm ci (Vite is a dev dependency)");
  }
  await vite.build({
    root: webDirectory,
    configFile: join(webDirectory, "vite.config.ts"),
    logLevel: "warn",
  });
  const stamp: BuildStamp = { newestSourceMs, builtAt: new Date().toISOString() };
  await writeFile(join(webDirectory, "dist", BUILD_STAMP), `${JSON.stringify(stamp)}\n`);
  return true;
}
