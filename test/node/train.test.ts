/** End-to-end: tiny runs into a temp directory through the same library call the CLI makes. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { tf } from "../../src/core/engine/tf.js";
import type { Gan } from "../../src/core/training/gan.js";
import { RunDirectory } from "../../src/node/run/runDirectory.js";
import { trainRun } from "../../src/node/train.js";
import { configFromLayers } from "../../src/core/presets.js";
import { TINY_DCGAN, writeTinyImages } from "../fixtures/tinyData.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-e2e-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const images = writeTinyImages(scratch);
const quiet = () => {};

function tinyConfig(overrides: Record<string, unknown> = {}) {
  return resolveConfig({
    ...TINY_DCGAN,
    dataset: `idx:${images}`,
    steps: 6,
    sampleEvery: 3,
    checkpointEvery: 3,
    logEvery: 1,
    ...overrides,
  });
}

describe("trainRun end to end", () => {
  it("writes every file of the run directory, and each parses", async () => {
    const out = join(scratch, "run-files");
    const config = tinyConfig();
    const result = await trainRun({ out, config, log: quiet });
    expect(result).toMatchObject({ state: "done", step: 6, backend: "cpu" });

    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toEqual(config);
    const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(metrics.map((record) => record.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const record of metrics) {
      for (const key of [
        "discriminatorLoss",
        "generatorLoss",
        "realScore",
        "fakeScore",
        "discriminatorGradientNorm",
        "generatorGradientNorm",
      ]) {
        expect(Number.isFinite(record[key]), key).toBe(true);
      }
      expect(record.fakeScoreAfter).toBeGreaterThan(0);
    }
    expect(readdirSync(join(out, "samples")).sort()).toEqual(["step_000000.png", "step_000003.png", "step_000006.png"]);
    const grid = PNG.sync.read(readFileSync(join(out, "samples", "step_000006.png")));
    expect(grid.width).toBeGreaterThan(8 * 8); // an 8×8 grid of 8×8 images plus padding
    expect(readFileSync(join(out, "plots", "losses.svg"), "utf8")).toMatch(/^<svg/);
    expect(existsSync(join(out, "plots", "eval.svg"))).toBe(false); // no --eval-every, no evaluation curves
    expect(readdirSync(join(out, "checkpoints")).sort()).toEqual(["step_000003", "step_000006"]);
    const manifest = JSON.parse(readFileSync(join(out, "checkpoints", "step_000006", "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ step: 6, config });
    const status = JSON.parse(readFileSync(join(out, "status.json"), "utf8"));
    expect(status).toMatchObject({ state: "done", step: 6, steps: 6, lastCheckpoint: "step_000006" });
  });

  it("refuses to overwrite an existing run and leaves its files untouched", async () => {
    const out = join(scratch, "run-files");
    const before = readFileSync(join(out, "metrics.jsonl"), "utf8");
    await expect(trainRun({ out, config: tinyConfig(), log: quiet })).rejects.toThrow(/already holds a run/);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe(before);
  });

  it("a stopped run resumed with --resume ends with the same checkpoint as an uninterrupted one", async () => {
    const straight = join(scratch, "run-straight");
    await trainRun({ out: straight, config: tinyConfig({ checkpointEvery: 0 }), log: quiet });

    const interrupted = join(scratch, "run-interrupted");
    let steps = 0;
    const first = await trainRun({
      out: interrupted,
      config: tinyConfig({ checkpointEvery: 0 }),
      log: quiet,
      onStep: () => void steps++,
      shouldStop: () => steps >= 2,
    });
    expect(first).toMatchObject({ state: "stopped", step: 2 });
    expect(JSON.parse(readFileSync(join(interrupted, "status.json"), "utf8")).state).toBe("stopped");
    expect(existsSync(join(interrupted, "checkpoints", "step_000002", "manifest.json"))).toBe(true);

    const second = await trainRun({ out: interrupted, resume: true, log: quiet });
    expect(second).toMatchObject({ state: "done", step: 6 });
    const a = await new RunDirectory(straight).readCheckpoint(6);
    const b = await new RunDirectory(interrupted).readCheckpoint(6);
    expect(Buffer.from(b.tensors).equals(Buffer.from(a.tensors))).toBe(true);
    const steps2 = (await new RunDirectory(interrupted).readMetrics()).map((record) => record.step);
    expect(steps2).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("resuming may extend steps but not change the model", async () => {
    const out = join(scratch, "run-interrupted");
    await expect(trainRun({ out, resume: true, overrides: { latentDim: 9 }, log: quiet })).rejects.toThrow(
      /latentDim cannot change/,
    );
    const extended = await trainRun({ out, resume: true, overrides: { steps: 8 }, log: quiet });
    expect(extended).toMatchObject({ state: "done", step: 8 });
  });

  it("a config the model cannot build is rejected before the run directory exists", async () => {
    const out = join(scratch, "run-rejected");
    const config = resolveConfig({ dataset: "ring-2d", arch: "dcgan", backend: "cpu" });
    await expect(trainRun({ out, config, log: quiet })).rejects.toThrow(/dcgan needs images/);
    expect(existsSync(out)).toBe(false);
  });

  it("a NaN stops training at once, keeps the last good checkpoint and says why in status.json", async () => {
    const out = join(scratch, "run-nan");
    const config = tinyConfig({ steps: 8, checkpointEvery: 2 });
    const poison = (step: number, gan: Gan) => {
      if (step === 3) gan.discriminator.parameters[0]!.assign(tf.fill(gan.discriminator.parameters[0]!.shape, NaN));
    };
    await expect(
      trainRun({ out, config, log: quiet, onStep: (record, gan) => poison(record.step, gan) }),
    ).rejects.toThrow(/non-finite values at step 4/);
    const status = JSON.parse(readFileSync(join(out, "status.json"), "utf8"));
    expect(status.state).toBe("failed");
    expect(status.message).toMatch(/non-finite.*last good checkpoint step_000002/);
    expect(readdirSync(join(out, "checkpoints"))).toEqual(["step_000002"]);
  });

  it("--eval-every appends cheap metrics to metrics.jsonl and draws each against step in plots/eval.svg", async () => {
    const out = join(scratch, "run-eval");
    const config = resolveConfig({
      dataset: "ring-2d",
      arch: "mlp",
      steps: 4,
      evalEvery: 2,
      evalSamples: 200,
      logEvery: 4,
      backend: "cpu",
      mlp: { generatorHidden: [8], discriminatorHidden: [8] },
    });
    await trainRun({ out, config, log: quiet });
    const records = (await new RunDirectory(out).readMetrics()) as Array<{
      step: number;
      eval?: Record<string, number>;
    }>;
    expect(records.map((record) => record.step)).toEqual([2, 4]);
    for (const record of records) {
      expect(record.eval?.modesCovered).toBeGreaterThanOrEqual(0);
      expect(record.eval?.modesCovered).toBeLessThanOrEqual(8);
      expect(record.eval?.jensenShannon).toBeGreaterThan(0);
    }
    const curves = readFileSync(join(out, "plots", "eval.svg"), "utf8");
    for (const key of Object.keys(records[0]!.eval!)) expect(curves).toContain(`>${key}</text>`); // a panel each
  });

  it("warns, once, when D saturates (minimax, k = 3, a fast D) and logs the warning", async () => {
    const out = join(scratch, "run-saturated");
    const config = configFromLayers(undefined, {
      dataset: "gaussian-1d",
      loss: "minimax",
      discriminatorSteps: 3,
      discriminatorLearningRate: 0.01,
      steps: 150,
      backend: "cpu",
    });
    const warnings: string[] = [];
    await trainRun({ out, config, log: quiet, warn: (line) => warnings.push(line) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/discriminator saturated .* try --loss non-saturating/);
    const logged = (await new RunDirectory(out).readMetrics()).filter((record) => record.warnings);
    expect(logged).toHaveLength(1);
  });

  it("a toy run writes real-vs-generated plots", async () => {
    const out = join(scratch, "run-toy");
    const config = resolveConfig({
      dataset: "ring-2d",
      arch: "mlp",
      steps: 4,
      sampleEvery: 2,
      backend: "cpu",
      mlp: { generatorHidden: [8], discriminatorHidden: [8] },
    });
    await trainRun({ out, config, log: quiet });
    expect(readdirSync(join(out, "samples")).sort()).toEqual(["step_000000.svg", "step_000002.svg", "step_000004.svg"]);
    const plot = readFileSync(join(out, "samples", "step_000004.svg"), "utf8");
    expect(plot).toContain("real");
    expect(plot).toContain("generated");
  });
});
