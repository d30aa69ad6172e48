/**
 * Sweeps with real parts: the CLI in child processes, a real redis-server (redisServer.ts) and BullMQ workers.
 *
 * One tiny sweep (2 settings × 2 seeds of a 2-D MLP run) goes through the local pool and through the queue with
 * worker processes, one of them SIGKILLed mid-run; the run directories must be bit-identical. Compared exactly:
 * config.json; every checkpoint's manifest.json and tensors.bin (bytes); every samples/*.svg (bytes); metrics.jsonl
 * record by record without its one wall-clock field, `seconds`; eval/*.json's metric results (without their
 * `seconds` and `computedAt`); status.json's state, step and last checkpoint. Not compared: plots/losses.svg (drawn
 * from metrics.jsonl, whose seconds differ), sweep-log.txt and sweep-outcome.json (times, hosts, attempts).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAME, closeQueue, jobId, queueConnection } from "../../../src/node/sweep/queue.js";
import { FAST_HAND_OVER, freePort, startRedis, type TestRedis } from "./redisServer.js";

const CLI = join(import.meta.dirname, "..", "..", "..", "bin", "tsgan.js");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-sweep-"));
const children: ChildProcess[] = [];
let redis: TestRedis;

/** About 40 s on an idle 2-core machine; several minutes when six jobs share it (each CLI start loads TF.js). */
const QUEUE_TEST_TIMEOUT_MS = 300_000;
const RUN_STEPS = 60;
const CHECKPOINT_EVERY = 20;

const TINY_RUN = {
  dataset: "ring-2d",
  arch: "mlp",
  steps: RUN_STEPS,
  batchSize: 32,
  sampleEvery: CHECKPOINT_EVERY,
  checkpointEvery: CHECKPOINT_EVERY,
  logEvery: 10,
  backend: "cpu",
  mlp: { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2 },
};

function writeJson(name: string, value: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

writeJson("tiny.json", TINY_RUN); // the sweep's base, relative to the sweep file
const sweepFile = writeJson("tiny-sweep.json", {
  name: "tiny",
  base: "tiny.json",
  grid: { loss: ["non-saturating", "hinge"] },
  seeds: [1, 2],
  metrics: ["modes"],
  samples: 200,
});
/** Passes validation, fails when its data is loaded: a run that fails for a real reason. */
const poisonedFile = writeJson("poisoned-sweep.json", {
  name: "poisoned",
  base: { ...TINY_RUN, dataset: "idx:/nonexistent/images-idx3-ubyte", arch: "dcgan" },
  seeds: [1],
});
const RUN_NAMES = ["loss-non-saturating_seed1", "loss-non-saturating_seed2", "loss-hinge_seed1", "loss-hinge_seed2"];

/** Runs the CLI to its end (asynchronously: vitest's worker must keep answering). */
function tsgan(...args: string[]): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: scratch, timeout: 120_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      done({ status, stderr: String(stderr).trim(), stdout: String(stdout).trim() });
    });
  });
}

/** Starts the CLI in the background (a worker); stopped in afterAll if still alive. */
function start(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: scratch, stdio: "ignore" });
  children.push(child);
  return child;
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

function withoutWallClock(path: string): unknown {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const { seconds: _seconds, ...record } = JSON.parse(line) as Record<string, unknown>;
      return record;
    });
}

function evaluationResults(path: string): unknown {
  const report = JSON.parse(readFileSync(path, "utf8")) as { metrics: Record<string, { result: unknown }> };
  return Object.fromEntries(Object.entries(report.metrics).map(([name, entry]) => [name, entry.result]));
}

/** Asserts that two run directories hold the same run (see the file comment for what is compared). */
function expectSameRun(left: string, right: string): void {
  const read = (root: string, path: string) => readFileSync(join(root, path));
  expect(read(right, "config.json").equals(read(left, "config.json"))).toBe(true);
  const checkpoints = readdirSync(join(left, "checkpoints")).sort();
  expect(checkpoints).toEqual(readdirSync(join(right, "checkpoints")).sort());
  expect(checkpoints).toHaveLength(RUN_STEPS / CHECKPOINT_EVERY);
  for (const checkpoint of checkpoints) {
    for (const file of ["manifest.json", "tensors.bin"]) {
      const path = join("checkpoints", checkpoint, file);
      expect(read(right, path).equals(read(left, path)), path).toBe(true);
    }
  }
  const samples = readdirSync(join(left, "samples")).sort();
  expect(samples).toEqual(readdirSync(join(right, "samples")).sort());
  // vega numbers clip paths with a per-process counter ("clip7"); a resumed run draws in a fresh process.
  const picture = (root: string, sample: string) =>
    read(root, join("samples", sample))
      .toString()
      .replace(/clip\d+/g, "clip");
  for (const sample of samples) expect(picture(right, sample)).toBe(picture(left, sample));
  expect(withoutWallClock(join(right, "metrics.jsonl"))).toEqual(withoutWallClock(join(left, "metrics.jsonl")));
  const evaluation = join("eval", `step_0000${RUN_STEPS}.json`);
  expect(evaluationResults(join(right, evaluation))).toEqual(evaluationResults(join(left, evaluation)));
  const status = (root: string) => {
    const { state, step, lastCheckpoint } = JSON.parse(read(root, "status.json").toString()) as Record<string, unknown>;
    return { state, step, lastCheckpoint };
  };
  expect(status(right)).toEqual(status(left));
  expect(status(left).state).toBe("done");
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("tsgan sweep", () => {
  it(
    "runs through the queue with a worker killed mid-run, identical to the local pool; a poisoned run fails once",
    { timeout: QUEUE_TEST_TIMEOUT_MS },
    async () => {
      const local = await tsgan("sweep", "run", sweepFile, "--runs", "local", "--parallel", "2");
      expect(local.status, local.stderr).toBe(0);
      expect(local.stdout).toMatch(/loss-hinge: 2 done, 0 failed; modes\.modesCovered/);
      for (const name of ["report.md", "report.csv", "report.svg", "report.json"])
        expect(existsSync(join(scratch, "local", "tiny", name))).toBe(true);

      const again = await tsgan("sweep", "run", sweepFile, "--runs", "local");
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/4 runs, 4 already done, 0 to run/); // resumable: finished runs are skipped

      // The submitter waits for its runs; the poisoned sweep shares the queue and must not hold them up.
      const submitted = tsgan("sweep", "run", sweepFile, "--runs", "queued", "--queue", redis.url, "--backoff", "100");
      const poisoned = await tsgan("sweep", "run", poisonedFile, "--runs", "queued", "--queue", redis.url, "--no-wait");
      expect(poisoned.status, poisoned.stderr).toBe(0);

      // One worker first; killed (SIGKILL: no chance to tidy up) once a run is past a checkpoint but not done.
      const first = start("worker", "--queue", redis.url, "--runs", "queued", ...FAST_HAND_OVER);
      let killedRun: string | undefined;
      while (!killedRun) {
        await sleep(50);
        killedRun = RUN_NAMES.find((name) => {
          const root = join(scratch, "queued", "tiny", name);
          const status = join(root, "status.json");
          return (
            existsSync(join(root, "checkpoints", `step_0000${CHECKPOINT_EVERY}`)) &&
            existsSync(status) &&
            !readFileSync(status, "utf8").includes('"done"')
          );
        });
      }
      first.kill("SIGKILL");
      const killedAt = performance.now();
      start("worker", "--queue", redis.url, "--runs", "queued", ...FAST_HAND_OVER);
      start("worker", "--queue", redis.url, "--runs", "queued", ...FAST_HAND_OVER);

      const queued = await submitted;
      expect(queued.status, queued.stderr).toBe(0);
      const log = readFileSync(join(scratch, "queued", "tiny", killedRun, "sweep-log.txt"), "utf8");
      expect(log).toMatch(/resuming .* at step [1-9]/); // picked up where the checkpoint left it, not from 0
      console.log(
        `sweep test: ${killedRun} killed mid-run, finished ${((performance.now() - killedAt) / 1000).toFixed(1)} s later`,
      );
      for (const name of RUN_NAMES)
        expectSameRun(join(scratch, "local", "tiny", name), join(scratch, "queued", "tiny", name));

      const queue = new Queue(QUEUE_NAME, { connection: queueConnection(redis.url) });
      try {
        // It ran beside the others and may still be ending (its child is as slow to start as theirs).
        const id = jobId("poisoned", "base_seed1");
        while (!["completed", "failed"].includes(await (await queue.getJob(id))!.getState())) await sleep(100);
        const job = (await queue.getJob(id))!;
        expect(await job.getState()).toBe("failed");
        expect(job.attemptsMade).toBe(1); // a real failure is not retried
        expect(job.failedReason).toMatch(/nonexistent/);
      } finally {
        await closeQueue(queue);
      }
      const report = await tsgan("sweep", "report", join("queued", "poisoned"));
      expect(report.status).toBe(0);
      expect(readFileSync(join(scratch, "queued", "poisoned", "report.md"), "utf8")).toMatch(
        /- base_seed1: .*nonexistent.*\n/,
      );
      const reportJson = JSON.parse(readFileSync(join(scratch, "queued", "poisoned", "report.json"), "utf8"));
      expect(reportJson).toMatchObject({
        format: "tsgan-sweep-report/1",
        runs: [{ name: "base_seed1", state: "failed" }],
      });
      expect(reportJson.runs[0].message).toMatch(/nonexistent/);
      const foreign = join("local", "tiny", "report.json");
      const kept = await tsgan("sweep", "report", join("queued", "poisoned"), "--keep", foreign);
      expect(kept.status).toBe(2);
      expect(kept.stderr).toBe(`tsgan: ${foreign} reports sweep "tiny", not "poisoned"`);
      const status = await tsgan("sweep", "status", "--queue", redis.url);
      expect(status.stdout).toMatch(/waiting 0, active 0, delayed 0, completed 4, failed 1/);
    },
  );

  it("names the URL in one line and exits 2 when Redis cannot be reached", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [
      ["sweep", "run", sweepFile, "--queue", url],
      ["worker", "--queue", url],
    ]) {
      const result = await tsgan(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(
        `tsgan: cannot use Redis at ${url}: connect ECONNREFUSED 127.0.0.1:${url.split(":").pop()}`,
      );
    }
  });

  it("refuses a bad sweep file in one line, exit 2", async () => {
    const bad = writeJson("bad.json", { name: "bad", base: "tiny.json", grid: { loss: [] } });
    const result = await tsgan("sweep", "run", bad);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`tsgan: ${bad}: grid.loss: needs at least one value`);
  });
});
