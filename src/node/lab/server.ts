/**
 * The lab's HTTP server: read-only, three places and nothing else.
 *
 *   /runs/...       the runs directory (`--runs`): files as they are; a path ending in `/` lists a directory as JSON;
 *                   a run's status.json as it stands now (a killed trainer's run reads "stopped", "process gone")
 *   /datasets/...   a fixed list of dataset files (datasets.ts)
 *   /...            the built web app (web/dist)
 *
 * Anything that would leave those places — `..`, its encoded forms, encoded slashes, absolute paths, symlinks
 * pointing out — is answered 404 (paths.ts). Only GET and HEAD are served. Bound to a loopback address, it also
 * refuses requests whose Host header names another machine (a DNS-rebinding page cannot read your runs).
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, extname, sep } from "node:path";
import { RunDirectory, STATUS_FILE } from "../run/runDirectory.js";
import { DATASETS_URL_PREFIX } from "./datasets.js";
import { realRoot, resolveInside, safeSegments } from "./paths.js";

/** URL prefix of the runs directory. */
export const RUNS_URL_PREFIX = "/runs/";
/** The loopback address the lab binds to unless told otherwise. */
export const DEFAULT_LAB_HOST = "127.0.0.1";
/** The lab's default port (0 asks the system for a free one). */
export const DEFAULT_LAB_PORT = 8040;

const HTTP_OK = 200;
const HTTP_FORBIDDEN = 403;
const HTTP_NOT_FOUND = 404;
const HTTP_METHOD_NOT_ALLOWED = 405;
const HTTP_SERVER_ERROR = 500;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm", // WebAssembly.instantiateStreaming insists on it
  ".gz": "application/gzip",
  ".bin": "application/octet-stream",
};
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** Host names that mean "this machine" (with or without a port). */
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export interface LabServerOptions {
  /** The built web app (web/dist). */
  webRoot: string;
  /** The runs directory, served under /runs/. It need not exist yet. */
  runsRoot: string;
  /** URL path → file: the dataset files the browser may fetch (datasets.ts). */
  datasetFiles?: ReadonlyMap<string, string>;
  /** Address to bind (127.0.0.1). */
  host?: string;
  /** Port (8040; 0 = any free port). */
  port?: number;
}

export interface LabServer {
  /** e.g. http://127.0.0.1:8040/ */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** One entry of a directory listing under /runs/. */
export interface ListingEntry {
  name: string;
  kind: "file" | "directory";
}

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith("127.");
}

/** The host name of a Host header, without its port. */
function hostName(header: string | undefined): string {
  if (!header) return "";
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1);
  return header.split(":")[0] ?? "";
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  response.end(body);
}

/** The request handler (exported so that Vite's dev server can mount the same routes). */
export function labRequestHandler(options: LabServerOptions) {
  const datasetFiles = options.datasetFiles ?? new Map<string, string>();
  const checkHost = isLoopbackHost(options.host ?? DEFAULT_LAB_HOST);

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      send(response, HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", { Allow: "GET, HEAD" });
      return;
    }
    if (checkHost && !isLoopbackHost(hostName(request.headers.host))) {
      send(response, HTTP_FORBIDDEN, "this lab answers only to localhost\n");
      return;
    }
    // The raw path: no URL parsing, which would normalise `..` and `%2e%2e` away before we could refuse them.
    const rawPath = (request.url ?? "/").split(/[?#]/, 1)[0] ?? "/";
    try {
      if (rawPath.startsWith(RUNS_URL_PREFIX) || rawPath === "/runs") {
        await serveRuns(options.runsRoot, rawPath.slice("/runs".length), request, response);
      } else if (rawPath.startsWith(DATASETS_URL_PREFIX)) {
        const file = datasetFiles.get(rawPath);
        if (file === undefined) send(response, HTTP_NOT_FOUND, "not found\n");
        else await serveFile(file, request, response, {});
      } else {
        await serveWeb(options.webRoot, rawPath, request, response);
      }
    } catch (error) {
      if (!response.headersSent) send(response, HTTP_SERVER_ERROR, `${(error as Error).message}\n`);
      else response.destroy();
    }
  };
}

async function serveRuns(
  root: string,
  rawPath: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const segments = safeSegments(rawPath);
  const real = await realRoot(root);
  if (segments === null) return send(response, HTTP_NOT_FOUND, "not found\n");
  if (real === null) {
    // No runs yet: the root lists as empty, everything below it does not exist.
    if (segments.length === 0) return sendJson(response, request, { entries: [] });
    return send(response, HTTP_NOT_FOUND, "not found\n");
  }
  const target = await resolveInside(real, segments);
  if (target === null) return send(response, HTTP_NOT_FOUND, "not found\n");
  const info = await stat(target);
  if (info.isDirectory()) {
    if (!rawPath.endsWith("/")) return send(response, HTTP_NOT_FOUND, "not found (directories end in /)\n");
    return sendJson(response, request, { entries: await listDirectory(real, target) });
  }
  if (!info.isFile()) return send(response, HTTP_NOT_FOUND, "not found\n");
  // A run's status as it stands now: "running" in the file but no live trainer means it was killed.
  if (basename(target) === STATUS_FILE)
    return sendJson(response, request, await new RunDirectory(dirname(target)).readStatus());
  // Run files are data, never active content: an SVG opened directly runs no script.
  await serveFile(target, request, response, { "Content-Security-Policy": "sandbox" });
}

/** The entries of `directory` that resolve inside `root`, sorted by name; symlinks pointing out are left out. */
async function listDirectory(root: string, directory: string): Promise<ListingEntry[]> {
  const entries: ListingEntry[] = [];
  const relative = relativeSegments(root, directory);
  for (const name of (await readdir(directory)).sort()) {
    const target = await resolveInside(root, [...relative, name]);
    if (target === null) continue;
    const info = await stat(target);
    if (info.isDirectory()) entries.push({ name, kind: "directory" });
    else if (info.isFile()) entries.push({ name, kind: "file" });
  }
  return entries;
}

/** The segments of `path` below `root` (both real paths, `path` inside `root`). */
function relativeSegments(root: string, path: string): string[] {
  return path
    .slice(root.length)
    .split(sep)
    .filter((segment) => segment !== "");
}

async function serveWeb(
  root: string,
  rawPath: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const segments = safeSegments(rawPath);
  const real = await realRoot(root);
  if (segments === null || real === null) return send(response, HTTP_NOT_FOUND, "not found\n");
  let target = await resolveInside(real, segments);
  if (target !== null && (await stat(target)).isDirectory())
    target = await resolveInside(real, [...segments, "index.html"]);
  if (target === null || !(await stat(target)).isFile()) {
    return send(response, HTTP_NOT_FOUND, "not found\n");
  }
  await serveFile(target, request, response, {});
}

function sendJson(response: ServerResponse, request: IncomingMessage, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  response.writeHead(HTTP_OK, {
    "Content-Type": CONTENT_TYPES[".json"]!,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

async function serveFile(
  file: string,
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return send(response, HTTP_NOT_FOUND, "not found\n");
    size = info.size;
  } catch {
    return send(response, HTTP_NOT_FOUND, "not found\n");
  }
  response.writeHead(HTTP_OK, {
    "Content-Type": CONTENT_TYPES[extname(file).toLowerCase()] ?? DEFAULT_CONTENT_TYPE,
    "Content-Length": String(size),
    // Runs change while training; the app is rebuilt in place. Revalidating is cheap on localhost.
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  if (request.method === "HEAD") {
    response.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on("error", reject);
    response.on("close", resolve);
    stream.pipe(response);
  });
}

/** Starts the server; resolves once it listens. */
export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const host = options.host ?? DEFAULT_LAB_HOST;
  const handler = labRequestHandler({ ...options, host });
  const server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_LAB_PORT, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
