/**
 * The lab server serves the web app, the runs directory and a fixed list of dataset files — and nothing else: every
 * way of escaping (../, its encodings, encoded slashes, absolute paths, symlinks out) gets 404.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLabServer, type LabServer } from "../../../src/node/lab/server.js";

const SECRET = "the secret outside the served places";
const scratch = mkdtempSync(join(tmpdir(), "tsgan-lab-server-"));
const webRoot = join(scratch, "web");
const runsRoot = join(scratch, "runs");
const outside = join(scratch, "outside");
let lab: LabServer;

/** A raw request: the path goes on the wire exactly as written (fetch would normalise `..` away first). */
function get(path: string, options: { method?: string; host?: string } = {}) {
  const url = new URL(lab.url);
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? "GET",
        headers: options.host ? { host: options.host } : {},
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

beforeAll(async () => {
  mkdirSync(join(webRoot, "assets"), { recursive: true });
  writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>lab</title>");
  writeFileSync(join(webRoot, "assets", "app.js"), "console.log('lab');");
  writeFileSync(join(webRoot, "assets", "backend.wasm"), new Uint8Array([0, 97, 115, 109]));
  mkdirSync(join(runsRoot, "run-1", "samples"), { recursive: true });
  mkdirSync(join(runsRoot, "run-1", "checkpoints", "step_000010"), { recursive: true });
  writeFileSync(join(runsRoot, "run-1", "config.json"), '{"dataset":"ring-2d"}');
  writeFileSync(join(runsRoot, "run-1", "metrics.jsonl"), '{"step":10}\n');
  writeFileSync(join(runsRoot, "run-1", "samples", "step_000010.png"), "png");
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, "secret.txt"), SECRET);
  writeFileSync(join(scratch, "secret.txt"), SECRET);
  symlinkSync(outside, join(runsRoot, "link-out")); // a directory symlink pointing out of the runs root
  symlinkSync(join(outside, "secret.txt"), join(runsRoot, "run-1", "file-link.txt")); // a file symlink pointing out
  symlinkSync(outside, join(webRoot, "assets", "link-out"));
  symlinkSync(join(runsRoot, "run-1", "config.json"), join(runsRoot, "config-link.json")); // inside: allowed
  const datasetFile = join(outside, "train-images-idx3-ubyte");
  writeFileSync(datasetFile, "idx");
  lab = await startLabServer({
    webRoot,
    runsRoot,
    datasetFiles: new Map([["/datasets/mnist/train-images-idx3-ubyte", datasetFile]]),
    port: 0,
  });
});

afterAll(async () => {
  await lab?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("tsgan lab server", () => {
  it("listens on 127.0.0.1 by default", () => {
    expect(lab.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("serves the web app with the right content types", async () => {
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.body).toContain("<title>lab</title>");
    expect(index.headers["content-type"]).toMatch(/text\/html/);
    const script = await get("/assets/app.js?v=1");
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toMatch(/javascript/);
    expect((await get("/assets/backend.wasm")).headers["content-type"]).toBe("application/wasm");
    expect((await get("/assets/missing.js")).status).toBe(404);
  });

  it("serves run files and lists run directories as JSON", async () => {
    const config = await get("/runs/run-1/config.json");
    expect(config.status).toBe(200);
    expect(JSON.parse(config.body)).toEqual({ dataset: "ring-2d" });
    expect((await get("/runs/run-1/metrics.jsonl")).body).toBe('{"step":10}\n');
    expect((await get("/runs/run-1/samples/step_000010.png")).headers["content-type"]).toBe("image/png");
    const root = JSON.parse((await get("/runs/")).body) as { entries: Array<{ name: string; kind: string }> };
    expect(root.entries).toEqual([
      { name: "config-link.json", kind: "file" },
      { name: "run-1", kind: "directory" },
    ]); // link-out points outside: not listed
    const run = JSON.parse((await get("/runs/run-1/")).body) as { entries: Array<{ name: string }> };
    expect(run.entries.map((entry) => entry.name)).toEqual(["checkpoints", "config.json", "metrics.jsonl", "samples"]);
    expect((await get("/runs/config-link.json")).status).toBe(200); // a symlink that stays inside is fine
    expect((await get("/runs/run-1")).status).toBe(404); // directories only with a trailing slash
  });

  it("serves listed dataset files and no others", async () => {
    expect((await get("/datasets/mnist/train-images-idx3-ubyte")).body).toBe("idx");
    expect((await get("/datasets/mnist/t10k-images-idx3-ubyte")).status).toBe(404);
    expect((await get("/datasets/mnist/../../secret.txt")).status).toBe(404);
  });

  it.each([
    "/../secret.txt",
    "/runs/../secret.txt",
    "/runs/../../secret.txt",
    "/runs/run-1/../../secret.txt",
    "/runs/%2e%2e/secret.txt",
    "/runs/%2E%2E/%2E%2E/secret.txt",
    "/runs/.%2e/secret.txt",
    "/runs/%2e%2e%2fsecret.txt",
    "/runs/..%2fsecret.txt",
    "/runs/..%2F..%2Fsecret.txt",
    "/runs/run-1/..%5c..%5csecret.txt",
    "/runs/%252e%252e/secret.txt",
    "/%2e%2e/secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt",
    "/runs/%2fetc%2fpasswd",
    "/runs//etc/passwd",
    "//etc/passwd",
    "/runs/run-1/config.json%00.png",
    "/runs/%zz",
    "/runs/link-out/secret.txt",
    "/runs/link-out/",
    "/runs/run-1/file-link.txt",
    "/assets/link-out/secret.txt",
  ])("answers 404 to the escape %s", async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain(SECRET);
  });

  it("is read-only", async () => {
    const response = await get("/runs/run-1/config.json", { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("GET, HEAD");
    expect((await get("/runs/run-1/config.json", { method: "DELETE" })).status).toBe(405);
    const head = await get("/runs/run-1/config.json", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });

  it("refuses a Host header naming another machine (DNS rebinding)", async () => {
    expect((await get("/runs/run-1/config.json", { host: "attacker.example:80" })).status).toBe(403);
    expect((await get("/runs/run-1/config.json", { host: "localhost:1234" })).status).toBe(200);
  });

  it("lists a runs directory that does not exist yet as empty", async () => {
    const empty = await startLabServer({ webRoot, runsRoot: join(scratch, "no-runs-yet"), port: 0 });
    try {
      const response = await fetch(`${empty.url}runs/`);
      expect(await response.json()).toEqual({ entries: [] });
    } finally {
      await empty.close();
    }
  });
});
