/**
 * Stopping a sweep keeps its progress: Ctrl-C on `tsgan sweep run` (or an aborted local pool) makes each running
 * run write a checkpoint of its current iteration and end without an outcome, starts no further run, and the next
 * `tsgan sweep run` resumes them to the very weights of a sweep that was never stopped. Real child processes; the
 * CLI test sends SIGINT to the parent only, so the stop travels over the IPC channel (a terminal's Ctrl-C reaches
 * the children too, which stop the same way). A queue worker stopped the same way puts its run back on a real
 * Redis's queue without spending an attempt, and another worker finishes it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import type { SweepPlan } from "../../../src/core/sweep/sweepFile.js";
import { OUTCOME_FILE, writePlan, type RunSpec } from "../../../src/node/sweep/plan.js";
import { runOne } from "../../../src/node/sweep/runOne.js";
import { runLocalPool } from "../../../src/node/sweep/pool.js";
import { closeQueue, enqueueRuns, jobId, openQueue } from "../../../src/node/sweep/queue.js";
import { startWorker } from "../../../src/node/sweep/worker.js";
import { startRedis } from "./redisServer.js";
import { TINY_RING_RUN } from "../../support/tinyRun.js";

const CLI = join(import.meta.dirname, "..", "..", "..", "bin", "tsgan.js");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-stop-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Long enough that a stop lands mid-training (seconds on the cpu backend), checkpointed rarely. */
const STEPS = 1000;
const LONG_RUN = { ...TINY_RING_RUN, steps: STEPS, checkpointEvery: 500, logEvery: 10 };
const TEST_TIMEOUT_MS = 240_000;

function plan(name: string, seeds: number[]): SweepPlan {
  return {
    name,
    quantities: [],
    settings: [],
    runs: seeds.map((seed) => ({
      name: `base_seed${seed}`,
      setting: "base",
      seed,
      config: resolveConfig({ ...LONG_RUN, seed }),
    })),
  };
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** Resolves once the run in `root` has logged an iteration: its training is under way. */
async function trainingStarted(root: string): Promise<void> {
  while (!existsSync(join(root, "metrics.jsonl"))) await sleep(50);
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const tensors = (root: string, step: string) => readFileSync(join(root, "checkpoints", `step_${step}`, "tensors.bin"));

describe("a stopped sweep", () => {
  it(
    "stops its running run at a checkpoint, starts no other, and resumes to the weights of one never stopped",
    async () => {
      const directory = join(scratch, "pool", "sweep");
      const stopping = new AbortController();
      const first = join(directory, "base_seed1");
      void trainingStarted(first).then(() => stopping.abort());
      const stopped = await runLocalPool(directory, plan("sweep", [1, 2]), { parallel: 1, signal: stopping.signal });

      expect(stopped).toEqual({ skipped: 0, done: 0, failed: 0, stopped: 1 });
      expect(existsSync(join(first, OUTCOME_FILE))).toBe(false); // neither done nor failed
      const status = readJson(join(first, "status.json"));
      expect(status.state).toBe("stopped");
      expect(status.step).toBeLessThan(STEPS);
      expect(status.lastCheckpoint).toBe(`step_${String(status.step).padStart(6, "0")}`); // saved where it stood
      expect(existsSync(join(directory, "base_seed2"))).toBe(false); // never started

      const resumed = await runLocalPool(directory, plan("sweep", [1, 2]), { parallel: 1 });
      expect(resumed).toEqual({ skipped: 0, done: 2, failed: 0, stopped: 0 });
      const fresh = join(scratch, "fresh", "sweep");
      await runLocalPool(fresh, plan("sweep", [1]), { parallel: 1 });
      const end = String(STEPS).padStart(6, "0");
      expect(tensors(first, end).equals(tensors(join(fresh, "base_seed1"), end))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "on Ctrl-C, the CLI says how many runs are left and how to continue, and exits 0",
    async () => {
      writeFileSync(join(scratch, "long.json"), JSON.stringify(LONG_RUN));
      const sweepFile = join(scratch, "cli-sweep.json");
      writeFileSync(sweepFile, JSON.stringify({ name: "cli", base: "long.json", seeds: [1, 2], metrics: ["modes"] }));
      const runs = join(scratch, "cli-runs");
      const cli = spawn(process.execPath, [CLI, "sweep", "run", sweepFile, "--runs", runs, "--parallel", "1"], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((done) => cli.once("exit", (code) => done(code)));
      await trainingStarted(join(runs, "cli", "base_seed1"));
      cli.kill("SIGINT"); // the parent only: the stop reaches the child over IPC

      expect(await exited).toBe(0);
      expect(stderr).toContain("stopping the sweep's runs at a checkpoint of their current iteration");
      expect(stderr).toContain(
        `tsgan: sweep cli stopped, 2 run(s) to go; continue: tsgan sweep run ${sweepFile} --runs ${runs}`,
      );
      expect(readJson(join(runs, "cli", "base_seed1", "status.json")).state).toBe("stopped");
      expect(existsSync(join(runs, "cli", "base_seed1", OUTCOME_FILE))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "in a queue worker: the run goes back to the queue at its checkpoint, no attempt spent; another worker ends it",
    async () => {
      const redis = await startRedis();
      const runs = join(scratch, "queue-runs");
      const sweep = plan("queued", [1]);
      const queue = await openQueue(redis.url);
      try {
        await enqueueRuns(queue, sweep, sweep.runs);
        const root = join(runs, "queued", "base_seed1");
        const quiet = () => {};
        const first = await startWorker({ url: redis.url, runsRoot: runs, log: quiet });
        await trainingStarted(root);
        await first.close();

        const status = readJson(join(root, "status.json"));
        expect(status.state).toBe("stopped");
        expect(status.lastCheckpoint).toBe(`step_${String(status.step).padStart(6, "0")}`);
        const job = (await queue.getJob(jobId("queued", "base_seed1")))!;
        expect(await job.getState()).toMatch(/^(delayed|waiting)$/);
        expect(job.attemptsMade).toBe(0);

        const second = await startWorker({ url: redis.url, runsRoot: runs, log: quiet });
        try {
          while ((await job.getState()) !== "completed") await sleep(100);
        } finally {
          await second.close();
        }
        expect(readJson(join(root, OUTCOME_FILE))).toMatchObject({ state: "done", attempts: 1 });
        expect(readJson(join(root, "status.json")).step).toBe(STEPS);

        // No time to stop (grace 0): the child is killed, as a worker that dies would leave it; no checkpoint now.
        const more = plan("queued", [1, 2]);
        await enqueueRuns(queue, more, more.runs);
        const third = await startWorker({ url: redis.url, runsRoot: runs, log: quiet });
        const killedRoot = join(runs, "queued", "base_seed2");
        await trainingStarted(killedRoot);
        await third.close(0);
        expect(readJson(join(killedRoot, "status.json")).state).toBe("running"); // never got to write "stopped"
        expect(readJson(join(killedRoot, OUTCOME_FILE)).message).toBe("the run's process was killed by SIGKILL");
      } finally {
        await closeQueue(queue);
        await redis.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("a stop during a run's evaluation", () => {
  it(
    "cuts the evaluation short, writes neither report nor outcome, and the next attempt evaluates",
    async () => {
      const sweep = plan("evaluating", [1]);
      const directory = join(scratch, "evaluating");
      await writePlan(directory, sweep);
      const spec: RunSpec = {
        root: join(directory, "base_seed1"),
        run: sweep.runs[0]!,
        metrics: ["modes", "divergence"],
      };
      const trained = () =>
        existsSync(join(spec.root, "status.json")) && readJson(join(spec.root, "status.json")).state === "done";
      // Asked after training (false: the evaluation starts), then from the evaluation's progress (true: stop).
      let asksAfterTraining = 0;
      const stopOnceEvaluating = () => trained() && ++asksAfterTraining > 1;
      const quiet = () => {};
      expect(await runOne(spec, { log: quiet, shouldStop: stopOnceEvaluating })).toBe("stopped");
      expect(asksAfterTraining).toBeGreaterThan(1); // the evaluation asked
      expect(existsSync(join(spec.root, OUTCOME_FILE))).toBe(false);
      expect(existsSync(join(spec.root, "eval", `step_${String(STEPS).padStart(6, "0")}.json`))).toBe(false);

      expect(await runOne(spec, { log: quiet })).toBe("done");
      expect(readJson(join(spec.root, OUTCOME_FILE)).state).toBe("done");
      expect(existsSync(join(spec.root, "eval", `step_${String(STEPS).padStart(6, "0")}.json`))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});
