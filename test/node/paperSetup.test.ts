/**
 * The paper's own MNIST setup end to end on tiny data: training on images [start, stop) only, a run with every
 * paper option on (SGD schedules, uniform ±r weights, marginal output bias, simultaneous updates) resumed
 * bit-identically, the refusal of a range past the file, and configs/results/mnist-paper.json resolving and building.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { resolveConfig } from "../../src/core/config.js";
import { DataError } from "../../src/core/data/errors.js";
import { buildNetworks, networkInitialization } from "../../src/core/models/index.js";
import { configFromLayers } from "../../src/core/presets.js";
import { loadDataset } from "../../src/node/datasets.js";
import { RunDirectory } from "../../src/node/run/runDirectory.js";
import { loadDatasetFor, trainRun } from "../../src/node/train.js";
import { writeTinyImages } from "../fixtures/tinyData.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-paper-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const images = writeTinyImages(scratch); // 32 images of 8×8
const quiet = () => {};

/** The paper's recipe in miniature, with schedules short enough to change within six steps. */
function paperConfig(overrides: Record<string, unknown> = {}) {
  return resolveConfig({
    dataset: `idx:${images}`,
    trainImages: [4, 28],
    arch: "mlp",
    generatorOutput: "sigmoid",
    prior: "normal",
    latentDim: 4,
    batchSize: 8,
    simultaneousUpdates: true,
    optimizer: "sgd",
    generatorLearningRate: 0.1,
    discriminatorLearningRate: 0.05,
    learningRateDecay: 1.2,
    minimumLearningRate: 0.04,
    momentum: 0.5,
    finalMomentum: 0.7,
    momentumRampUpdates: [1, 4],
    mlp: {
      generatorHidden: [16],
      discriminatorHidden: [12],
      maxoutPieces: 5,
      generatorWeightRange: 0.05,
      discriminatorWeightRange: 0.005,
      generatorOutputBias: "data-marginals",
    },
    steps: 6,
    sampleEvery: 0,
    checkpointEvery: 0,
    logEvery: 1,
    backend: "cpu",
    ...overrides,
  });
}

describe("the paper's MNIST setup", () => {
  it("trainImages loads exactly images [start, stop) of the file, labels too", () => {
    const whole = loadDataset(`idx:${images}`, { split: "train", pixelRange: "sigmoid" });
    const subset = loadDatasetFor(paperConfig());
    if (whole.kind !== "images" || subset.kind !== "images") throw new Error("expected images");
    const size = 8 * 8;
    expect(subset.count).toBe(24);
    expect(subset.images).toEqual(whole.images.slice(4 * size, 28 * size));
    const test = loadDatasetFor(paperConfig(), "test"); // other splits are never cut
    expect(test.kind === "images" && test.count).toBe(32);
  });

  it("refuses, in one line, a range past the end of the file", async () => {
    const config = paperConfig({ trainImages: [0, 33] });
    expect(() => loadDatasetFor(config)).toThrow(DataError);
    expect(() => loadDatasetFor(config)).toThrow(/\[0, 33\) reaches past its 32 images/);
    const out = join(scratch, "refused");
    const refusal = trainRun({ out, config, log: quiet });
    await expect(refusal).rejects.toThrow(/^idx:.* reaches past its 32 images$/);
  });

  it("G's output bias starts at the marginals of the training subset, not of the whole file", () => {
    const config = paperConfig();
    const subset = loadDatasetFor(config);
    const whole = loadDataset(`idx:${images}`, { split: "train", pixelRange: "sigmoid" });
    const fromSubset = networkInitialization(config, subset).generatorOutputBias!;
    expect(fromSubset).not.toEqual(networkInitialization(config, whole).generatorOutputBias);
  });

  it("a stopped run with the schedules on resumes bit-identically", async () => {
    const straight = join(scratch, "straight");
    await trainRun({ out: straight, config: paperConfig(), log: quiet });
    const interrupted = join(scratch, "interrupted");
    let steps = 0;
    const first = await trainRun({
      out: interrupted,
      config: paperConfig(),
      log: quiet,
      onStep: () => void steps++,
      shouldStop: () => steps >= 3, // inside the momentum ramp, after the rate has decayed
    });
    expect(first).toMatchObject({ state: "stopped", step: 3 });
    await trainRun({ out: interrupted, resume: true, log: quiet });
    const a = await new RunDirectory(straight).readCheckpoint(6);
    const b = await new RunDirectory(interrupted).readCheckpoint(6);
    expect(Buffer.from(b.tensors).equals(Buffer.from(a.tensors))).toBe(true);
    expect(a.manifest.optimizerSteps).toEqual({ generator: 6, discriminator: 6 });
  });

  it("configs/results/mnist-paper.json resolves to the paper's numbers and builds", () => {
    const file = join(import.meta.dirname, "..", "..", "configs", "results", "mnist-paper.json");
    const config = configFromLayers(JSON.parse(readFileSync(file, "utf8")), {});
    expect(config).toMatchObject({ trainImages: [0, 50_000], batchSize: 100, optimizer: "sgd", prior: "normal" });
    const marginals = { generatorOutputBias: new Float32Array(28 * 28).fill(-2) };
    const { generator, discriminator } = buildNetworks(config, [28, 28, 1], marginals);
    expect(generator.outputShape).toEqual([28, 28, 1]);
    expect(discriminator.outputShape).toEqual([1]);
    generator.dispose();
    discriminator.dispose();
  });
});
