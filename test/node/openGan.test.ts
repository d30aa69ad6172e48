/** openGan: the one way sample, eval and --resume open a run's GAN — which checkpoint, how much state, which engine. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Rng } from "../../src/core/engine/random.js";
import { infer, snapshotValues } from "../../src/core/models/network.js";
import { disposeGan } from "../../src/core/training/gan.js";
import { sampleNoise } from "../../src/core/training/noise.js";
import { evaluateRun } from "../../src/node/evaluate.js";
import { openGan } from "../../src/node/run/openGan.js";
import { RunDirectory } from "../../src/node/run/runDirectory.js";
import { generate } from "../../src/node/run/samples.js";
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

/** The same run with an EMA generator and spectrally normalised networks. */
const emaRun = join(scratch, "ring-ema");
const emaConfig = resolveConfig({ ...config, generatorEma: 0.5, spectralNorm: "both" });

beforeAll(async () => {
  await trainRun({ out: run, config, log: quiet });
  await trainRun({ out: emaRun, config: emaConfig, log: quiet });
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

  it("opens a run's EMA generator and ũ, ṽ; samples and eval use the EMA generator unless raw is asked for", async () => {
    const { gan } = await openGan(emaRun, { weightsOnly: true, log: quiet });
    try {
      expect(gan.generatorEma).not.toBeNull();
      expect(snapshotValues(gan.generatorEma!)).not.toEqual(snapshotValues(gan.generator));
      expect(gan.discriminator.store.statistics.has("logit/kernel/u")).toBe(true);
      const noise = sampleNoise(gan.config, 16, Rng.derive(1, "sample"));
      const fromEma = infer(gan.generatorEma!, noise);
      const fromG = infer(gan.generator, noise);
      expect(generate(gan, noise)).toEqual(fromEma.dataSync());
      expect(generate(gan, noise, { rawGenerator: true })).toEqual(fromG.dataSync());
      expect(fromEma.dataSync()).not.toEqual(fromG.dataSync());
      noise.dispose();
      fromEma.dispose();
      fromG.dispose();
    } finally {
      disposeGan(gan);
    }
    const ema = await evaluateRun({ run: emaRun, metrics: ["modes"], samples: 200, log: quiet });
    expect(ema.report.metrics.modes?.generator).toBe("ema");
    const raw = await evaluateRun({ run: emaRun, metrics: ["modes"], samples: 200, rawGenerator: true, log: quiet });
    expect(raw.report.metrics.modes?.generator).toBe("raw");
    const plain = await evaluateRun({ run, metrics: ["modes"], samples: 200, log: quiet });
    expect(plain.report.metrics.modes?.generator).toBe("raw"); // no EMA generator: G itself
  });
});
