/**
 * A throw-away Redis for tests: `redis-server` (Debian's package; scripts/system-packages.sh installs it) on a free
 * random loopback port, with no persistence (`--save '' --appendonly no`), stopped after. No mocks: BullMQ talks to
 * a real Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export const REDIS_SERVER = "/usr/bin/redis-server";
/** How long Redis may take to say it accepts connections. */
const START_TIMEOUT_MS = 10_000;

/** A loopback port nobody listens on now: the kernel picks it for a moment's listener, which then closes. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (default: a free one) and resolves once it accepts connections. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const chosen = port ?? (await freePort());
  const server = spawn(
    REDIS_SERVER,
    ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${output}`)), START_TIMEOUT_MS);
    server.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        ready();
      }
    });
    server.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
  server.removeAllListeners("exit");
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    process: server,
    stop: () =>
      new Promise<void>((stopped) => {
        if (server.exitCode !== null || server.signalCode !== null) return stopped();
        server.once("exit", () => stopped());
        server.kill("SIGTERM");
      }),
  };
}

/** Worker flags for tests: a job whose lock lapsed (a killed worker, a restarted Redis) is handed over in about two
 * seconds, not BullMQ's thirty. */
export const FAST_HAND_OVER = ["--lock-duration", "2000", "--stalled-interval", "500"];
