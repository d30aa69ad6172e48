/**
 * Reading the JSON files a user hands tsgan (a --config file, a sweep file): the file's own problems — missing, not
 * JSON, not an object — become one ConfigError line naming the file. What the keys mean is the schema's business
 * (src/core/config.ts); this only reads.
 */
import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "../core/config.js";

/** Reads a JSON object from `path`; `what` names the file in the error ("config file", "sweep file"). */
export function readJsonObjectFile(path: string, what = "config file"): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError(`${what} ${path} not found`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${what} ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads a --config file: JSON with config keys; a one-line ConfigError on any problem. */
export function readConfigFile(path: string): Record<string, unknown> {
  return readJsonObjectFile(path, "config file");
}
