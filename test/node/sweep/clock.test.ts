/**
 * A run's wall time survives attempts that end without an outcome: when a session stops, the sweep's whole process
 * tree is killed and nothing writes sweep-outcome.json, but runOne's clock (sweep-clock.json, written every tick) has
 * kept the time, and the next attempt starts from it. Runs made before the clock existed count their outcome's time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { resolveConfig } from "../../../src/core/config.js";
import { CLOCK_FILE, OUTCOME_FILE, readClock, readOutcome, type RunSpec } from "../../../src/node/sweep/plan.js";
import { runOne } from "../../../src/node/sweep/runOne.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-clock-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tinySpec(name: string): RunSpec {
  const config = resolveConfig({
    dataset: "ring-2d",
    arch: "mlp",
    steps: 20,
    batchSize: 16,
    sampleEvery: 0,
    checkpointEvery: 0,
    backend: "cpu",
    mlp: { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2 },
  });
  return {
    root: join(scratch, name),
    run: { name, setting: "base", seed: 1, config },
    metrics: ["modes"],
    samples: 100,
  };
}

describe("a sweep run's clock", () => {
  it("counts an attempt killed without an outcome, from the clock it left", async () => {
    const spec = tinySpec("killed-before");
    await mkdir(spec.root, { recursive: true });
    writeFileSync(join(spec.root, CLOCK_FILE), JSON.stringify({ seconds: 100 })); // 100 s, then killed
    const started = performance.now();
    // While the attempt runs (training yields to the event loop), its clock ticks past the earlier 100 s: values
    // above 100 and below the final total can only come from a tick, not from the last write.
    const seen: number[] = [];
    const watch = setInterval(() => void readClock(spec.root).then((value) => seen.push(value)), 2);
    await runOne(spec, { log: () => {}, clockTickMs: 5 }).finally(() => clearInterval(watch));
    const took = (performance.now() - started) / 1000;
    const outcome = (await readOutcome(spec.root))!;
    expect(outcome.state).toBe("done");
    expect(outcome.seconds).toBeGreaterThanOrEqual(100);
    expect(outcome.seconds).toBeLessThanOrEqual(100 + took + 0.01);
    expect(seen.some((value) => value > 100 && value < outcome.seconds)).toBe(true);
    expect(await readClock(spec.root)).toBe(outcome.seconds);
  });

  it("counts a run from before the clock by its outcome's seconds", async () => {
    const spec = tinySpec("failed-before");
    await mkdir(spec.root, { recursive: true });
    const failed = { state: "failed", seconds: 50, attempts: 1, host: "h", finishedAt: "2026-11-30T00:00:00.000Z" };
    writeFileSync(join(spec.root, OUTCOME_FILE), JSON.stringify(failed));
    await runOne(spec, { log: () => {} });
    const outcome = JSON.parse(readFileSync(join(spec.root, OUTCOME_FILE), "utf8"));
    expect(outcome).toMatchObject({ state: "done", attempts: 2 });
    expect(outcome.seconds).toBeGreaterThan(50);
  });

  it("reads a missing or unreadable clock as 0", async () => {
    expect(await readClock(join(scratch, "nowhere"))).toBe(0);
    const root = join(scratch, "garbled");
    await mkdir(root, { recursive: true });
    writeFileSync(join(root, CLOCK_FILE), "{ not json");
    expect(await readClock(root)).toBe(0);
  });
});
