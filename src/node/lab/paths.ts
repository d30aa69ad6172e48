/**
 * Mapping request paths onto files without ever leaving a root directory.
 *
 * The request path is taken raw (still percent-encoded; never through WHATWG URL parsing, which would silently
 * collapse `/runs/%2e%2e/x` into `/x` and route it somewhere else). It is split on `/` first and each segment decoded
 * afterwards, so an encoded slash (`%2f`) cannot create a separator. Any segment that decodes to `.`, `..`, or contains
 * `/`, `\` or NUL is refused, and the final file's real path (symlinks resolved) must still lie inside the root's real
 * path. Every refusal is `null`, which the server answers with 404: it does not say whether something exists.
 */
import { realpath } from "node:fs/promises";
import { join, sep } from "node:path";

/** Characters that may not appear in a decoded path segment: separators of either platform and NUL. */
const FORBIDDEN_IN_SEGMENT = /[/\\\0]/;

/** The decoded segments of a raw, percent-encoded path, or null when any segment is unsafe or badly encoded. */
export function safeSegments(rawPath: string): string[] | null {
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    if (raw === "") continue; // "//" and a leading or trailing "/" add nothing
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return null; // malformed percent-encoding
    }
    if (decoded === "." || decoded === ".." || FORBIDDEN_IN_SEGMENT.test(decoded)) return null;
    segments.push(decoded);
  }
  return segments;
}

/** True when `candidate` is `root` itself or lies below it (both already real paths). */
export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of `root`, or null when it does not exist. */
export async function realRoot(root: string): Promise<string | null> {
  try {
    return await realpath(root);
  } catch {
    return null;
  }
}

/**
 * The real path of `segments` below `root`, or null when it does not exist or resolves (through a symlink) outside
 * `root`. `root` must already be a real path (see `realRoot`).
 */
export async function resolveInside(root: string, segments: readonly string[]): Promise<string | null> {
  let resolved: string;
  try {
    resolved = await realpath(join(root, ...segments));
  } catch {
    return null;
  }
  return isInside(root, resolved) ? resolved : null;
}
