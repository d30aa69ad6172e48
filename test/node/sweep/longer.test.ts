/**
 * A sweep made longer (its `steps` raised after its runs finished) continues each run from its last checkpoint
 * instead of refusing the directory or training again: the run ends with the weights and log of one trained that long
 * from the start, and is evaluated at its new end; a run that shares another's training copies the longer training.
 * Any other change to a run's config is still refused, and so is a shorter run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { longerRun, resolveConfig, type Config } from "../../../src/core/config.js";
import type { SweepPlan } from "../../../src/core/sweep/sweepFile.js";
import { madeLonger, readOutcome, unfinishedRuns, writePlan, type RunSpec } from "../../../src/node/sweep/plan.js";
import { runOne } from "../../../src/node/sweep/runOne.js";
import { trainRun } from "../../../src/node/train.js";
import { TINY_RING_RUN } from "../../support/tinyRun.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-longer-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TINY = { ...TINY_RING_RUN, logEvery: 5 };
const quiet = () => {};

function spec(directory: string, name: string, config: Config, trainer?: RunSpec): RunSpec {
  const run = {
    name,
    setting: name.split("_")[0]!,
    seed: 1,
    config,
    ...(trainer ? { trainedBy: trainer.run.name } : {}),
  };
  return {
    root: join(scratch, directory, "sweep", name), // a runs directory per test: nothing to adopt (adopt.ts)
    run,
    metrics: ["modes"],
    samples: 100,
    ...(trainer ? { trainer: { root: trainer.root, run: trainer.run } } : {}),
  };
}
const tensors = (root: string, step: string) => readFileSync(join(root, "checkpoints", `step_${step}`, "tensors.bin"));
/** metrics.jsonl without its wall-clock field. */
const losses = (root: string) =>
  readFileSync(join(root, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => ({ ...JSON.parse(line), seconds: undefined }));

describe("longerRun: what a run can continue into", () => {
  const base = resolveConfig(TINY);
  it("more steps, other intervals or backend: those keys; anything else, fewer steps or no change: null", () => {
    expect(longerRun(base, { ...TINY, steps: 40, checkpointEvery: 20 })).toEqual({ steps: 40, checkpointEvery: 20 });
    expect(longerRun(base, { ...TINY, backend: "wasm" })).toEqual({ backend: "wasm" });
    expect(longerRun(base, { ...TINY, steps: 40, batchSize: 32 })).toBeNull();
    expect(longerRun(base, { ...TINY, steps: 10 })).toBeNull();
    expect(longerRun(base, TINY)).toBeNull();
  });
});

describe("a sweep run made longer", () => {
  it("continues from its last checkpoint to the weights and log of a run trained that long from the start", async () => {
    const short = spec("sweep", "base_seed1", resolveConfig(TINY));
    await runOne(short, { log: quiet });
    const first = await readOutcome(short.root);
    const longer = spec("sweep", "base_seed1", resolveConfig({ ...TINY, steps: 40 }));
    expect(await madeLonger(longer.root, longer.run.config)).toBe(true);
    await runOne(longer, { log: quiet });
    const fresh = spec("fresh", "base_seed1", resolveConfig({ ...TINY, steps: 40 }));
    await runOne(fresh, { log: quiet });

    expect(tensors(longer.root, "000040").equals(tensors(fresh.root, "000040"))).toBe(true);
    expect(losses(longer.root)).toEqual(losses(fresh.root));
    expect(existsSync(join(longer.root, "eval", "step_000040.json"))).toBe(true); // evaluated at its new end
    const outcome = await readOutcome(longer.root);
    expect(outcome).toMatchObject({ state: "done", attempts: 2 });
    expect(outcome!.seconds).toBeGreaterThan(first!.seconds); // both attempts' time
    expect(await madeLonger(longer.root, longer.run.config)).toBe(false);
  });

  it("and stopped while it trains on is not done: the next attempt finishes it", async () => {
    const short = spec("stopped", "base_seed1", resolveConfig(TINY));
    await runOne(short, { log: quiet });
    const longer = spec("stopped", "base_seed1", resolveConfig({ ...TINY, steps: 40 }));
    // What a killed continuing attempt leaves: config.json already at 40 steps, the old "done" outcome, a stopped
    // training (trainRun stops at its next checkpoint, 30).
    let calls = 0;
    const stopped = await trainRun({
      out: longer.root,
      resume: true,
      overrides: { steps: 40 },
      log: quiet,
      shouldStop: () => ++calls > 3,
    });
    expect(stopped).toMatchObject({ state: "stopped" });
    expect(await madeLonger(longer.root, longer.run.config)).toBe(false); // the config says 40 already
    expect((await readOutcome(longer.root))?.state).toBe("done");
    const plan: SweepPlan = { name: "stopped", quantities: [], settings: [], runs: [longer.run] };
    expect((await unfinishedRuns(join(scratch, "stopped", "sweep"), plan)).map(({ name }) => name)).toEqual([
      "base_seed1",
    ]);
    await runOne(longer, { log: quiet });
    const fresh = spec("stopped-fresh", "base_seed1", resolveConfig({ ...TINY, steps: 40 }));
    await runOne(fresh, { log: quiet });
    expect(tensors(longer.root, "000040").equals(tensors(fresh.root, "000040"))).toBe(true);
    expect(existsSync(join(longer.root, "eval", "step_000040.json"))).toBe(true);
  });

  it("that shares another's training copies the trainer's longer training, trained on once", async () => {
    const trainer = spec("shared", "vanilla_seed1", resolveConfig(TINY));
    const sharerConfig = resolveConfig({ ...TINY, sampler: "rejection", rejectionCalibrationSteps: 2 });
    const sharer = spec("shared", "rejection_seed1", sharerConfig, trainer);
    await runOne(sharer, { log: quiet });
    const longerTrainer = spec("shared", "vanilla_seed1", resolveConfig({ ...TINY, steps: 40 }));
    const longerConfig = resolveConfig({ ...TINY, steps: 40, sampler: "rejection", rejectionCalibrationSteps: 2 });
    const longerSharer = spec("shared", "rejection_seed1", longerConfig, longerTrainer);
    const lines: string[] = [];
    await runOne(longerSharer, { log: (line) => lines.push(line) }); // the sharer first: it trains the trainer on
    await runOne(longerTrainer, { log: quiet });
    expect(tensors(longerSharer.root, "000040").equals(tensors(longerTrainer.root, "000040"))).toBe(true);
    expect(lines).toContain("tsgan: rejection_seed1: training vanilla_seed1 first, whose training it shares");
    expect(JSON.parse(readFileSync(join(longerSharer.root, "config.json"), "utf8"))).toMatchObject({
      steps: 40,
      sampler: "rejection",
    });
    expect(existsSync(join(longerSharer.root, "eval", "step_000040.json"))).toBe(true);
  });

  it("is listed as unfinished; a plan that changes anything else, or shortens it, is still refused", async () => {
    const run = spec("refused", "base_seed1", resolveConfig(TINY));
    await runOne(run, { log: quiet });
    const plan = (config: Config): SweepPlan => ({
      name: "refused",
      quantities: [],
      settings: [],
      runs: [{ ...run.run, config }],
    });
    const directory = join(scratch, "refused", "sweep");
    await writePlan(directory, plan(run.run.config));
    expect(await unfinishedRuns(directory, plan(run.run.config))).toEqual([]);
    const longer = resolveConfig({ ...TINY, steps: 40 });
    await writePlan(directory, plan(longer)); // allowed: the run continues into it
    expect((await unfinishedRuns(directory, plan(longer))).map(({ name }) => name)).toEqual(["base_seed1"]);
    const refusal = /holds run base_seed1 made with another config/;
    await expect(writePlan(directory, plan(resolveConfig({ ...TINY, batchSize: 32 })))).rejects.toThrow(refusal);
    await expect(writePlan(directory, plan(resolveConfig({ ...TINY, steps: 10 })))).rejects.toThrow(refusal);
  });
});
