/**
 * Shared training through the queue, with a real redis-server and a real worker: a run that shares another's
 * training, handed out before that training ended, goes back to the queue instead of holding the worker, so even one
 * worker that takes the sharer first gets both done, and the GAN is trained once; made longer, the sharer waits for
 * the trainer's longer training and copies it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import type { SweepPlan } from "../../../src/core/sweep/sweepFile.js";
import { readOutcome } from "../../../src/node/sweep/plan.js";
import { closeQueue, enqueueRuns, openQueue } from "../../../src/node/sweep/queue.js";
import { startWorker, type RunningWorker } from "../../../src/node/sweep/worker.js";
import { startRedis, type TestRedis } from "./redisServer.js";
import { TINY_RING_RUN } from "../../support/tinyRun.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-shared-queue-"));
let redis: TestRedis;
let worker: RunningWorker | undefined;
/** The worker's log, every test's lines. */
const lines: string[] = [];

/** Two child processes that each load TF.js, on a machine that may be busy. */
const TEST_TIMEOUT_MS = 240_000;
const POLL_MS = 200;

const TINY = TINY_RING_RUN;

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker({
    url: redis.url,
    runsRoot: scratch,
    trainerWaitMs: POLL_MS,
    log: (line) => lines.push(line),
  });
});
afterAll(async () => {
  await worker?.close();
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("a queued run that shares another's training", () => {
  it(
    "waits in the queue, not in a worker, until that training is done",
    async () => {
      const trainer = { name: "vanilla_seed1", setting: "vanilla", seed: 1, config: resolveConfig(TINY) };
      const sharer = {
        name: "rejection_seed1",
        setting: "rejection",
        seed: 1,
        config: resolveConfig({ ...TINY, sampler: "rejection", rejectionCalibrationSteps: 2, rejectionQuantile: 0.5 }),
        trainedBy: trainer.name,
      };
      const plan: SweepPlan = {
        name: "shared",
        metrics: ["modes"],
        quantities: [],
        samples: 100,
        settings: [],
        runs: [trainer, sharer],
      };
      const queue = await openQueue(redis.url);
      await enqueueRuns(queue, plan, [sharer, trainer]); // the sharer first: the one worker takes it first
      await closeQueue(queue);
      const root = (name: string) => join(scratch, "shared", name);
      for (;;) {
        const outcomes = await Promise.all([readOutcome(root(trainer.name)), readOutcome(root(sharer.name))]);
        if (outcomes.every((outcome) => outcome?.state === "done")) break;
        expect(outcomes.map((outcome) => outcome?.state)).not.toContain("failed");
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      expect(lines.find((line) => line.includes("shared/"))).toBe(
        "tsgan: shared/rejection_seed1: waits for vanilla_seed1's training, which it shares",
      );
      expect(await readOutcome(root(sharer.name))).toMatchObject({ attempts: 1, trainedBy: trainer.name });
      const tensors = (name: string) => readFileSync(join(root(name), "checkpoints", "step_000020", "tensors.bin"));
      expect(tensors(sharer.name).equals(tensors(trainer.name))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "made longer, waits while its trainer trains on, then copies the longer training (jobs replaced, not kept)",
    async () => {
      const runs = (steps: number) => {
        // Seed 2: the first test's finished seed-1 runs share this runs directory and would be adopted (adopt.ts).
        const tiny = { ...TINY, steps, seed: 2 };
        const trainer = { name: "vanilla_seed1", setting: "vanilla", seed: 1, config: resolveConfig(tiny) };
        const sharerConfig = resolveConfig({ ...tiny, sampler: "rejection", rejectionCalibrationSteps: 2 });
        const sharer = { name: "rejection_seed1", setting: "rejection", seed: 1, config: sharerConfig };
        return { trainer, sharer: { ...sharer, trainedBy: trainer.name } };
      };
      const root = (name: string) => join(scratch, "longer", name);
      const evaluatedAt = (step: string) =>
        ["vanilla_seed1", "rejection_seed1"].every((name) => existsSync(join(root(name), "eval", `step_${step}.json`)));
      const queue = await openQueue(redis.url);
      try {
        for (const steps of [20, 40]) {
          const { trainer, sharer } = runs(steps);
          const plan: SweepPlan = {
            name: "longer",
            metrics: ["modes"],
            quantities: [],
            samples: 100,
            settings: [],
            runs: [trainer, sharer],
          };
          const jobs = await enqueueRuns(queue, plan, [sharer, trainer]); // the sharer first, as above
          // Until both jobs are completed: a job still active when the sweep is made longer finishes at the old
          // length (enqueueRuns keeps a running job), and the next `tsgan sweep run` would continue it.
          for (;;) {
            const states = await Promise.all(jobs.map(async (job) => (await queue.getJob(job.id!))!.getState()));
            if (states.every((state) => state === "completed")) break;
            expect(states).not.toContain("failed");
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          }
        }
      } finally {
        await closeQueue(queue);
      }
      expect(evaluatedAt("000040")).toBe(true);
      const tensors = (name: string) => readFileSync(join(root(name), "checkpoints", "step_000040", "tensors.bin"));
      expect(tensors("rejection_seed1").equals(tensors("vanilla_seed1"))).toBe(true);
      const config = JSON.parse(readFileSync(join(root("rejection_seed1"), "config.json"), "utf8"));
      expect([config.steps, config.sampler]).toEqual([40, "rejection"]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "fails, naming it, once the trainer's job has failed for good (no wait for ever)",
    async () => {
      const poisoned = { ...TINY, dataset: "idx:/nonexistent/images-idx3-ubyte" }; // valid config, missing data
      const trainer = { name: "vanilla_seed1", setting: "vanilla", seed: 1, config: resolveConfig(poisoned) };
      const sharer = {
        name: "rejection_seed1",
        setting: "rejection",
        seed: 1,
        config: resolveConfig({ ...poisoned, sampler: "rejection" }),
        trainedBy: trainer.name,
      };
      const plan: SweepPlan = { name: "poisoned", quantities: [], settings: [], runs: [trainer, sharer] };
      const queue = await openQueue(redis.url);
      try {
        const [sharerJob, trainerJob] = await enqueueRuns(queue, plan, [sharer, trainer]);
        for (;;) {
          const states = await Promise.all([sharerJob!.getState(), trainerJob!.getState()]);
          if (states.every((state) => state === "failed")) break;
          expect(states).not.toContain("completed");
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        const failed = await queue.getJob(sharerJob!.id!);
        expect(failed!.failedReason).toMatch(/^vanilla_seed1, whose training this run shares, failed: /);
        expect(failed!.attemptsMade).toBe(1); // failed for good at once, not retried
      } finally {
        await closeQueue(queue);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
