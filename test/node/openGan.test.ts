/** openGan: the one way sample, eval and --resume open a run's GAN — which checkpoint, how much state, which engine. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { disposeGan } from "../../src/core/training/gan.js";
import { openGan } from "../../src/node/run/openGan.js";
import { RunDirectory } from "../../src/node/run/runDirectory.js";
import { trainRun } from "../../src/node/train.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-open-"));
const run = join(scratch, "ring");
const quiet = () => {};
const config = resolveConfig({
  dataset: "ring-2d",
  arch: "mlp",
  steps: 4,
  batchSize: 8,
  latentDim: 2,
  checkpointEvery: 2,
  sampleEvery: 0,
  logEvery: 4,
  backend: "cpu",
  mlp: { generatorHidden: [4], discriminatorHidden: [4], maxoutPieces: 2 },
});

beforeAll(async () => {
  await trainRun({ out: run, config, log: quiet });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("openGan", () => {
  it("opens the latest checkpoint, whole, on the run's backend", async () => {
    const { gan, manifest, backend, run: directory } = await openGan(run, { log: quiet });
    try {
      expect(backend).toBe("cpu");
      expect(directory.root).toBe(run);
      expect(manifest.step).toBe(4);
      expect(gan.step).toBe(4);
      expect(gan.config).toEqual(config);
      expect(gan.dataShape).toEqual([2]);
      expect(gan.generatorOptimizer.step).toBe(4);
      expect(gan.discriminatorOptimizer.step).toBe(4 * config.discriminatorSteps);
    } finally {
      disposeGan(gan);
    }
  });

  it("opens a chosen checkpoint, by step or already read, weights only when asked", async () => {
    const byStep = await openGan(run, { checkpoint: 2, weightsOnly: true, log: quiet });
    const directory = await RunDirectory.open(run);
    const read = await openGan(directory, { checkpoint: await directory.readCheckpoint(2), log: quiet });
    try {
      expect(byStep.gan.step).toBe(2);
      expect(byStep.gan.generatorOptimizer.step).toBe(0);
      expect(read.gan.step).toBe(2);
      expect(read.gan.generatorOptimizer.step).toBe(2);
      const kernel = (opened: typeof read) => opened.gan.generator.namedVariables()[0]![1].dataSync();
      expect(kernel(byStep)).toEqual(kernel(read));
    } finally {
      disposeGan(byStep.gan);
      disposeGan(read.gan);
    }
  });

  it("names what is missing: a checkpoint that does not exist, a directory that is not a run", async () => {
    await expect(openGan(run, { checkpoint: 3 })).rejects.toThrow(/no checkpoint at step 3 \(available: 2, 4\)/);
    await expect(openGan(scratch)).rejects.toThrow(/is not a run directory/);
  });
});
