/**
 * A sweep run that differs from an earlier one only in how it samples (SweepRun.trainedBy) trains nothing: it copies
 * the earlier run's finished training and evaluates it with its own sampler. Whichever of the two starts first, the
 * GAN is trained once; while another process holds the trainer's lock, the sharer waits instead of training it too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AVERAGING_KEYS, SAMPLING_KEYS, resolveConfig, type Config } from "../../../src/core/config.js";
import { checkpointValues } from "../../../src/core/training/checkpoint.js";
import { LOCK_FILE, processStartTime } from "../../../src/node/run/lock.js";
import { RunDirectory } from "../../../src/node/run/runDirectory.js";
import { readOutcome, type RunSpec } from "../../../src/node/sweep/plan.js";
import { runOne } from "../../../src/node/sweep/runOne.js";
import { trainRun } from "../../../src/node/train.js";
import { TINY_RING_RUN } from "../../support/tinyRun.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-shared-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TINY = { ...TINY_RING_RUN, sampleEvery: 10 };
/** DRS with few calibration steps and a γ shift, so that 100 samples of a 20-step GAN come quickly. */
const REJECTION = { sampler: "rejection", rejectionCalibrationSteps: 2, rejectionQuantile: 0.5 };
const POLL_MS = 20;

/** A trainer ("vanilla") and a run that shares its training ("rejection"), in their own sweep directory. */
function pair(
  directory: string,
  [trainerName, trainerKeys, sharerName, sharerKeys]: [string, object, string, object] = [
    "vanilla_seed1",
    {},
    "rejection_seed1",
    REJECTION,
  ],
): { trainer: RunSpec; sharer: RunSpec } {
  const run = (name: string, config: Config) => ({ name, setting: name.split("_")[0]!, seed: 1, config });
  const trainerRun = run(trainerName, resolveConfig({ ...TINY, ...trainerKeys }));
  const sharerRun = { ...run(sharerName, resolveConfig({ ...TINY, ...sharerKeys })), trainedBy: trainerRun.name };
  // Each pair in a runs directory of its own: no other test's finished run of the same config is adopted (adopt.ts).
  const sweep = join(scratch, directory, "sweep");
  const spec = (name: string) => ({ root: join(sweep, name), metrics: ["modes"], samples: 100 });
  return {
    trainer: { ...spec(trainerRun.name), run: trainerRun },
    sharer: {
      ...spec(sharerRun.name),
      run: sharerRun,
      trainer: { root: join(sweep, trainerRun.name), run: trainerRun },
    },
  };
}

const read = (root: string, ...path: string[]) => readFileSync(join(root, ...path));
/** How the run's evaluation drew its samples (eval/<checkpoint>.json, its modes metric): sampler and generator. */
const evaluated = (root: string) => {
  const report = JSON.parse(readFileSync(join(root, "eval", "step_000020.json"), "utf8"));
  return (report as { metrics: { modes: { sampler?: string; generator?: string } } }).metrics.modes;
};
const sampler = (root: string) => evaluated(root).sampler;

/** What both runs must hold afterwards: one training, two evaluations with their own samplers. */
async function expectShared({ trainer, sharer }: { trainer: RunSpec; sharer: RunSpec }) {
  const checkpoint = join("checkpoints", "step_000020", "tensors.bin");
  expect(read(sharer.root, checkpoint).equals(read(trainer.root, checkpoint))).toBe(true);
  expect(read(sharer.root, "metrics.jsonl").equals(read(trainer.root, "metrics.jsonl"))).toBe(true);
  expect(existsSync(join(sharer.root, "checkpoints", "step_000010"))).toBe(false); // the last checkpoint only
  const config = JSON.parse(read(sharer.root, "config.json").toString()) as Config;
  expect([config.sampler, config.rejectionQuantile, config.steps]).toEqual(["rejection", 0.5, 20]);
  expect(sampler(trainer.root)).toBe("direct");
  expect(sampler(sharer.root)).toBe("rejection");
  expect(await readOutcome(sharer.root)).toMatchObject({ state: "done", trainedBy: "vanilla_seed1" });
  expect((await readOutcome(trainer.root))?.trainedBy).toBeUndefined();
}

describe("a sweep run that shares another's training", () => {
  it("without G's average, evaluates the raw G of a trainer that keeps one, and keeps none of its averaged records", async () => {
    const runs = pair("average", [
      "ema_seed1",
      { generatorEma: 0.9, evalEvery: 10 },
      "vanilla_seed1",
      { evalEvery: 10 },
    ]);
    await runOne(runs.sharer, { log: () => {}, lockPollMs: POLL_MS }); // it trains the ema run first
    await runOne(runs.trainer, { log: () => {} });
    const checkpoint = join("checkpoints", "step_000020");
    expect(
      read(runs.sharer.root, checkpoint, "tensors.bin").equals(read(runs.trainer.root, checkpoint, "tensors.bin")),
    ).toBe(true);
    const manifest = JSON.parse(read(runs.sharer.root, checkpoint, "manifest.json").toString()) as { config: Config };
    expect(manifest.config.generatorEma).toBe(0);
    expect([evaluated(runs.trainer.root).generator, evaluated(runs.sharer.root).generator]).toEqual(["ema", "raw"]);
    const records = (root: string) =>
      read(root, "metrics.jsonl")
        .toString()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records(runs.trainer.root).some((record) => "eval" in record)).toBe(true); // the average's curve
    expect(records(runs.sharer.root).some((record) => "eval" in record)).toBe(false); // not the raw G's: left out
    expect(records(runs.sharer.root).map(({ step }) => step)).toEqual(
      records(runs.trainer.root).map(({ step }) => step),
    );
    expect(existsSync(join(runs.sharer.root, "samples"))).toBe(false);
  });

  it("copies the trainer's finished training and evaluates it with its own sampler", async () => {
    const runs = pair("after");
    await runOne(runs.trainer, { log: () => {} });
    const lines: string[] = [];
    await runOne(runs.sharer, { log: (line) => lines.push(line), lockPollMs: POLL_MS });
    await expectShared(runs);
    expect(lines).toContain("tsgan: rejection_seed1: copied the finished training of vanilla_seed1");
    expect(lines.some((line) => line.includes("training vanilla_seed1 first"))).toBe(false);
  });

  it("trains the trainer itself when it starts first, and the trainer's own run then only evaluates", async () => {
    const runs = pair("before");
    const lines: string[] = [];
    await runOne(runs.sharer, { log: (line) => lines.push(line), lockPollMs: POLL_MS });
    expect(lines).toContain("tsgan: rejection_seed1: training vanilla_seed1 first, whose training it shares");
    expect(await readOutcome(runs.trainer.root)).toBeNull(); // trained, not yet evaluated: the trainer's job does that
    const metrics = read(runs.trainer.root, "metrics.jsonl");
    await runOne(runs.trainer, { log: () => {} });
    expect(read(runs.trainer.root, "metrics.jsonl").equals(metrics)).toBe(true); // not trained a second time
    await expectShared(runs);
  });

  it("waits while a live process holds the trainer's lock, then goes on once it is free", async () => {
    const runs = pair("locked");
    const lines: string[] = [];
    await whileLocked(runs.trainer.root, () =>
      runOne(runs.sharer, { log: (line) => lines.push(line), lockPollMs: POLL_MS }),
    );
    expect(lines.slice(0, 2)).toEqual([
      "tsgan: rejection_seed1: training vanilla_seed1 first, whose training it shares",
      `tsgan: vanilla_seed1: pid ${process.pid} is training ${runs.trainer.root}; waiting for it`,
    ]);
    await runOne(runs.trainer, { log: () => {} });
    await expectShared(runs);
  });

  it("lets the trainer's own run wait, not fail, while the sharer trains it (the pool's two lanes at once)", async () => {
    const runs = pair("race");
    await whileLocked(runs.trainer.root, () => runOne(runs.trainer, { log: () => {}, lockPollMs: POLL_MS }));
    expect(await readOutcome(runs.trainer.root)).toMatchObject({ state: "done" });
  });

  it("queued, leaves an untrained trainer alone and fails in a way the queue retries", async () => {
    const runs = pair("queued");
    const attempt = runOne(runs.sharer, { log: () => {}, takeOverForeignLock: true });
    await expect(attempt).rejects.toThrow("vanilla_seed1, whose training rejection_seed1 shares, has not finished");
    expect(await readOutcome(runs.sharer.root)).toMatchObject({ state: "failed", retryable: true });
    expect(existsSync(runs.trainer.root)).toBe(false);
  });
});

/**
 * Runs `action` while `root` is locked by a live process (this test's own: its lock cannot be taken over as stale),
 * checks that it neither finishes nor trains anything there meanwhile, then frees the lock and lets it finish.
 */
async function whileLocked(root: string, action: () => Promise<unknown>): Promise<void> {
  await mkdir(root, { recursive: true });
  const lock = join(root, LOCK_FILE);
  const owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(lock, JSON.stringify({ ...owner, processStart: processStartTime(process.pid) }));
  let finished = false;
  const running = action().then(() => (finished = true));
  await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
  expect(finished).toBe(false);
  expect(existsSync(join(root, "config.json"))).toBe(false); // nothing trained while it was held
  rmSync(lock);
  await running;
}

/**
 * The premise of shared training: no sampling or averaging key changes what training computes. Each key is set away
 * from its default (with an evaluation every few steps, so that training-time evaluation runs with it too) and the
 * trained G and D must equal the default run's, bit for bit, with the same losses at every logged step.
 */
describe("the keys that sweeps share training across", () => {
  const NON_DEFAULT: Record<(typeof SAMPLING_KEYS)[number] | (typeof AVERAGING_KEYS)[number], unknown> = {
    sampler: "rejection",
    rejectionCalibrationSteps: 3,
    rejectionCalibrationRateFactor: 0.5,
    rejectionQuantile: 0.9,
    generatorEma: 0.9,
    generatorEmaWarmup: true,
  };
  const TRAINING = { ...TINY, sampleEvery: 0, evalEvery: 10 };

  async function trained(name: string, keys: object) {
    const root = join(scratch, "premise", name);
    await trainRun({ out: root, config: resolveConfig({ ...TRAINING, ...keys }), log: () => {} });
    const run = new RunDirectory(root);
    const { manifest, tensors } = await run.readCheckpoint();
    const weights = manifest.tensors
      .filter(({ name: tensor }) => /^(generator|discriminator)\//.test(tensor))
      .map(({ name: tensor }) => [tensor, Array.from(checkpointValues(manifest, tensors, tensor))]);
    const losses = (await run.readMetrics()).map(({ step, discriminatorLoss, generatorLoss }) => [
      step,
      discriminatorLoss,
      generatorLoss,
    ]);
    return { weights: Object.fromEntries(weights), losses };
  }

  it("leave G's and D's trained weights and every logged loss as they are", async () => {
    const reference = await trained("default", {});
    expect(Object.keys(reference.weights).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(NON_DEFAULT)) {
      expect(resolveConfig(TRAINING)[key as keyof Config]).not.toEqual(value); // really away from the default
      expect(await trained(key, { [key]: value }), key).toEqual(reference);
    }
    expect(Object.keys(NON_DEFAULT).sort()).toEqual([...SAMPLING_KEYS, ...AVERAGING_KEYS].sort());
  });
});
