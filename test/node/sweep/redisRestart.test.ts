/**
 * Redis restarted mid-sweep (issue 12): a real redis-server without persistence is killed (SIGKILL) while a worker
 * trains a run of a queued sweep, and started again, empty, on the same port. The worker's connection and the
 * waiting submitter's reconnect by themselves (ioredis); the submitter finds its jobs gone and enqueues its unfinished
 * runs again, and the worker resumes them from their checkpoints. Asserted: the submitter ends with exit 0, every run
 * is done, the report is written, and the worker process is still alive. Kept apart from sweep.test.ts so that the
 * two run in parallel.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FAST_HAND_OVER, startRedis, type TestRedis } from "./redisServer.js";

const CLI = join(import.meta.dirname, "..", "..", "..", "bin", "tsgan.js");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-redis-restart-"));
const children: ChildProcess[] = [];
let redis: TestRedis;

/** Each bounded wait of the test; the test as a whole gets TEST_TIMEOUT_MS. */
const WAIT_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;
const RUN_STEPS = 60;
const CHECKPOINT_EVERY = 20;
const SWEEP = "restart";
const RUN_NAMES = ["base_seed1", "base_seed2"];

writeFileSync(
  join(scratch, "restart-sweep.json"),
  JSON.stringify({
    name: SWEEP,
    base: {
      dataset: "ring-2d",
      arch: "mlp",
      steps: RUN_STEPS,
      batchSize: 32,
      sampleEvery: 0,
      checkpointEvery: CHECKPOINT_EVERY,
      logEvery: 10,
      backend: "cpu",
      mlp: { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2 },
    },
    seeds: [1, 2],
    metrics: ["modes"],
    samples: 200,
  }),
);

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** Polls `ready` every 50 ms; fails naming `what` after `timeoutMs`. */
async function waitFor(what: string, ready: () => boolean, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

it(
  "finishes a queued sweep when Redis is killed and restarted mid-run; the worker reconnects",
  {
    timeout: TEST_TIMEOUT_MS,
  },
  async () => {
    const started = performance.now();
    const worker = spawn(
      process.execPath,
      [CLI, "worker", "--queue", redis.url, "--runs", "queued", ...FAST_HAND_OVER],
      {
        cwd: scratch,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    children.push(worker);
    let workerLog = "";
    worker.stderr!.on("data", (chunk: Buffer) => (workerLog += chunk.toString()));

    // The waiting submitter (not --no-wait): it is the one that puts back runs whose jobs Redis lost.
    const submitted = new Promise<{ status: number | null; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [CLI, "sweep", "run", "restart-sweep.json", "--runs", "queued", "--queue", redis.url, "--backoff", "100"],
        { cwd: scratch, timeout: WAIT_TIMEOUT_MS },
        (error, _stdout, stderr) =>
          done({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stderr: String(stderr) }),
      );
    });

    // Mid-run: a run past its first checkpoint but not done.
    const runRoot = (name: string) => join(scratch, "queued", SWEEP, name);
    const midRun = () =>
      RUN_NAMES.some((name) => {
        const status = join(runRoot(name), "status.json");
        return (
          existsSync(join(runRoot(name), "checkpoints", `step_0000${CHECKPOINT_EVERY}`)) &&
          existsSync(status) &&
          !readFileSync(status, "utf8").includes('"done"')
        );
      });
    await waitFor("a run past its first checkpoint", midRun);

    // SIGKILL: no chance to save anything (and it keeps nothing anyway: --save '' --appendonly no).
    const exited = new Promise((gone) => redis.process.once("exit", gone));
    redis.process.kill("SIGKILL");
    await exited;
    const killedAt = performance.now();
    redis = await startRedis(redis.port);

    const result = await submitted;
    expect(result.status, `${result.stderr}\nworker:\n${workerLog}`).toBe(0);
    for (const name of RUN_NAMES) {
      const outcome = JSON.parse(readFileSync(join(runRoot(name), "sweep-outcome.json"), "utf8")) as { state: string };
      expect(outcome.state, name).toBe("done");
    }
    expect(existsSync(join(scratch, "queued", SWEEP, "report.md"))).toBe(true);
    expect(readFileSync(join(scratch, "queued", SWEEP, "report.csv"), "utf8")).toMatch(/^base,2,0,0,/m);
    expect(worker.exitCode, workerLog).toBeNull(); // reconnected, not crashed
    expect(worker.signalCode).toBeNull();
    console.log(
      `redis restart test: sweep finished ${((performance.now() - killedAt) / 1000).toFixed(1)} s after Redis was ` +
        `killed, ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
    );
  },
);
