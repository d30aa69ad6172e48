/**
 * A sweep run that another sweep under the same runs directory has already trained starts from that run instead of
 * training again: with the same config it is only evaluated; with a longer one it continues, bit-identical to a run
 * trained that long from the start. Its wall time includes the adopted run's. Unfinished runs, other configs, the
 * run's own sweep and folders that are not sweeps are never adopted. A run is adopted also when a run that shares its
 * training reaches it first (ablation-mnist's vanilla row before the EMA row it shares).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig, type Config } from "../../../src/core/config.js";
import { findAdoptableRun } from "../../../src/node/sweep/adopt.js";
import type { SweepPlan } from "../../../src/core/sweep/sweepFile.js";
import { CLOCK_FILE, OUTCOME_FILE, readOutcome, writePlan, type RunSpec } from "../../../src/node/sweep/plan.js";
import { ADOPTION_FILE } from "../../../src/node/sweep/adopt.js";
import { appendFileSync, mkdirSync } from "node:fs";
import { runOne } from "../../../src/node/sweep/runOne.js";
import { TINY_RING_RUN } from "../../support/tinyRun.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-adopt-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quiet = () => {};

function spec(sweep: string, name: string, config: Config): RunSpec {
  return {
    root: join(scratch, "runs", sweep, name),
    run: { name, setting: name.split("_")[0]!, seed: 1, config },
    metrics: ["modes"],
    samples: 100,
  };
}

/** Trains and evaluates `run` as its sweep does: its sweep directory holds the plan (sweep.json) first. */
async function sweepRun(run: RunSpec): Promise<void> {
  const plan: SweepPlan = { name: basename(dirname(run.root)), quantities: [], settings: [], runs: [run.run] };
  await writePlan(dirname(run.root), plan);
  await runOne(run, { log: quiet });
}
const tensors = (root: string, step: string) => readFileSync(join(root, "checkpoints", `step_${step}`, "tensors.bin"));

describe("a sweep run that another sweep has trained", () => {
  const source = spec("first", "base_seed1", resolveConfig(TINY_RING_RUN));

  it("with the same config is copied in and evaluated, not trained; its wall time includes the source's", async () => {
    await sweepRun(source);
    const same = spec("second", "ema_seed1", resolveConfig(TINY_RING_RUN));
    const lines: string[] = [];
    await writePlan(dirname(same.root), { name: "second", quantities: [], settings: [], runs: [same.run] });
    await runOne(same, { log: (line) => lines.push(line) });
    expect(lines).toContain("tsgan: ema_seed1: starts from first/base_seed1, finished at step 20 by another sweep");
    expect(lines.some((line) => line.includes("resuming"))).toBe(false); // nothing left to train
    expect(tensors(same.root, "000020").equals(tensors(source.root, "000020"))).toBe(true);
    expect(existsSync(join(same.root, "eval", "step_000020.json"))).toBe(true);
    const [adopted, original] = [await readOutcome(same.root), await readOutcome(source.root)];
    expect(adopted).toMatchObject({ state: "done", adoptedFrom: "first/base_seed1" });
    expect(adopted!.seconds).toBeGreaterThan(original!.seconds);
  });

  it("with a longer config continues it, to the weights of a run trained that long from the start", async () => {
    const longer = spec("long", "long_seed1", resolveConfig({ ...TINY_RING_RUN, steps: 40 }));
    await sweepRun(longer);
    // The same config trained from scratch, in a runs directory of its own (nothing there to adopt).
    const alone = { ...longer, root: join(scratch, "elsewhere", "long", "long_seed1") };
    await sweepRun(alone);
    expect(tensors(longer.root, "000040").equals(tensors(alone.root, "000040"))).toBe(true);
    expect((await readOutcome(longer.root))?.adoptedFrom).toBe("first/base_seed1");
    expect((await readOutcome(alone.root))?.adoptedFrom).toBeUndefined();
  });

  it("is a finished run of another sweep with this config or a shorter one, the longest of them", async () => {
    const wanted = (sweep: string, steps: number) =>
      spec(sweep, "base_seed1", resolveConfig({ ...TINY_RING_RUN, steps }));
    // first/base_seed1 and second/ema_seed1 (20 steps) and long/long_seed1 (40) are finished by now.
    expect((await findAdoptableRun(wanted("fourth", 30)))?.name).toBe("first/base_seed1");
    expect((await findAdoptableRun(wanted("fourth", 50)))?.name).toBe("long/long_seed1");
    expect((await findAdoptableRun(wanted("first", 30)))?.name).toBe("second/ema_seed1"); // not its own sweep's
    const notASweep = spec("loose", "base_seed1", resolveConfig({ ...TINY_RING_RUN, steps: 60 }));
    await runOne(notASweep, { log: quiet }); // finished, but in a folder without sweep.json
    expect((await findAdoptableRun(wanted("fourth", 70)))?.name).toBe("long/long_seed1");
    const other = spec("fourth", "base_seed1", resolveConfig({ ...TINY_RING_RUN, batchSize: 8 }));
    expect(await findAdoptableRun(other)).toBeNull();
    expect(await findAdoptableRun(wanted("fourth", 10))).toBeNull(); // only shorter runs continue
    const status = join(source.root, "status.json");
    const done = readFileSync(status, "utf8");
    writeFileSync(status, done.replace(/"state": "done"/, '"state": "running"'));
    try {
      expect((await findAdoptableRun(wanted("fourth", 30)))?.name).toBe("second/ema_seed1");
    } finally {
      writeFileSync(status, done);
    }
  });
});

describe("a trainer whose training a run of its own sweep shares", () => {
  it("is adopted, not trained, when that run gets to it first; its outcome names the adopted run", async () => {
    // A runs directory of its own: one finished source, marked so that a copy can be told from a new training.
    const root = (sweep: string, name: string) => join(scratch, "sharing", sweep, name);
    const config = resolveConfig(TINY_RING_RUN);
    const source: RunSpec = { ...spec("first", "base_seed1", config), root: root("first", "base_seed1") };
    await sweepRun(source);
    const marker = '{"step":20,"note":"the source run\'s own line"}\n';
    appendFileSync(join(source.root, "metrics.jsonl"), marker);

    const trainerRun = { name: "ema_seed1", setting: "ema", seed: 1, config };
    const sharerConfig = resolveConfig({
      ...TINY_RING_RUN,
      sampler: "rejection",
      rejectionCalibrationSteps: 2,
      rejectionQuantile: 0.5,
    });
    const sharerRun = {
      name: "vanilla_seed1",
      setting: "vanilla",
      seed: 1,
      config: sharerConfig,
      trainedBy: "ema_seed1",
    };
    const trainer: RunSpec = { root: root("ablation", "ema_seed1"), run: trainerRun, metrics: ["modes"], samples: 100 };
    const sharer: RunSpec = {
      root: root("ablation", "vanilla_seed1"),
      run: sharerRun,
      metrics: ["modes"],
      samples: 100,
      trainer: { root: trainer.root, run: trainerRun },
    };
    const plan: SweepPlan = { name: "ablation", quantities: [], settings: [], runs: [sharerRun, trainerRun] };
    await writePlan(dirname(trainer.root), plan);
    const lines: string[] = [];
    await runOne(sharer, { log: (line) => lines.push(line) }); // the sharer first, as the sweep's order has it
    expect(lines).toContain("tsgan: ema_seed1: starts from first/base_seed1, finished at step 20 by another sweep");
    for (const run of [trainer, sharer]) {
      expect(readFileSync(join(run.root, "metrics.jsonl"), "utf8").endsWith(marker)).toBe(true); // copied, not trained
      expect(tensors(run.root, "000020").equals(tensors(source.root, "000020"))).toBe(true);
    }
    await runOne(trainer, { log: quiet });
    const [outcome, original] = [await readOutcome(trainer.root), await readOutcome(source.root)];
    expect(outcome).toMatchObject({ state: "done", adoptedFrom: "first/base_seed1" });
    expect(outcome!.seconds).toBeGreaterThan(original!.seconds); // the adopted run's time is counted
    expect(await readOutcome(sharer.root)).toMatchObject({ state: "done", trainedBy: "ema_seed1" });
    expect((await readOutcome(sharer.root))?.adoptedFrom).toBeUndefined();
  });
});

describe("an adoption cut short", () => {
  it("is adopted again by the next attempt, which counts the adopted run's time once", async () => {
    const root = (sweep: string, name: string) => join(scratch, "cut", sweep, name);
    const config = resolveConfig(TINY_RING_RUN);
    const source: RunSpec = { ...spec("first", "base_seed1", config), root: root("first", "base_seed1") };
    await sweepRun(source);
    // A source that took 1 000 s, so that counting it twice shows.
    const outcomeFile = join(source.root, OUTCOME_FILE);
    const outcome = JSON.parse(readFileSync(outcomeFile, "utf8")) as { seconds: number };
    writeFileSync(outcomeFile, JSON.stringify({ ...outcome, seconds: 1000 }));
    writeFileSync(join(source.root, CLOCK_FILE), JSON.stringify({ seconds: 1000 }));
    // The state an adoption killed during its copy leaves: the record and the clock, no config.json.
    const target: RunSpec = { ...spec("second", "base_seed1", config), root: root("second", "base_seed1") };
    mkdirSync(target.root, { recursive: true });
    writeFileSync(join(target.root, ADOPTION_FILE), JSON.stringify({ from: "first/base_seed1" }));
    writeFileSync(join(target.root, CLOCK_FILE), JSON.stringify({ seconds: 1000 }));
    await writePlan(dirname(target.root), { name: "second", quantities: [], settings: [], runs: [target.run] });
    await runOne(target, { log: quiet });
    const adopted = await readOutcome(target.root);
    expect(adopted).toMatchObject({ state: "done", adoptedFrom: "first/base_seed1" });
    expect(adopted!.seconds).toBeGreaterThanOrEqual(1000);
    expect(adopted!.seconds).toBeLessThan(1500); // 2 000 if counted twice
  });
});
