/**
 * `evaluateRun` end to end: tiny runs trained with `trainRun` (the CLI's library call), then evaluated; the report
 * lands in eval/<checkpoint>.json with values in their ranges, merges with earlier metrics, and bad requests are
 * one-line ConfigErrors. The MNIST run uses a stub classifier (the committed one is slow on the cpu backend).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../src/core/config.js";
import type { ImageClassifier } from "../../src/core/metrics/types.js";
import { evaluateRun, type EvaluationProgress, type EvaluationReport } from "../../src/node/evaluate.js";
import { trainRun } from "../../src/node/train.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-eval-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quiet = () => {};
const LOG_FOUR = Math.log(4);

/** A 2-D toy GAN small enough to train in a second on the cpu backend. */
const TINY_TOY = {
  dataset: "ring-2d",
  arch: "mlp",
  backend: "cpu",
  steps: 20,
  batchSize: 32,
  latentDim: 2,
  prior: "normal",
  sampleEvery: 0,
  checkpointEvery: 10,
  logEvery: 10,
  mlp: {
    generatorHidden: [8],
    discriminatorHidden: [8],
    maxoutPieces: 2,
    discriminatorInputDropout: 0,
    discriminatorDropout: 0,
  },
} as const;

describe("evaluateRun on a toy run", () => {
  const out = join(scratch, "ring");
  beforeAll(async () => {
    await trainRun({ out, config: resolveConfig(TINY_TOY), log: quiet });
  });

  it("writes eval/step_….json with modes and divergence in range", async () => {
    const phases = new Set<string>();
    const { path, report, computed } = await evaluateRun({
      run: out,
      onProgress: (progress: EvaluationProgress) => phases.add(progress.phase),
    });
    expect(path).toBe(join(out, "eval", "step_000020.json"));
    expect(computed).toEqual(["modes", "divergence"]);
    expect(phases).toContain("generating samples");
    const written = JSON.parse(readFileSync(path, "utf8")) as EvaluationReport;
    expect(written).toMatchObject({ format: "tsgan-eval/1", checkpoint: "step_000020", step: 20, dataset: "ring-2d" });
    expect(report.metrics.modes?.samples).toBe(2500);

    const modes = written.metrics.modes!.result;
    expect(modes.modeCount).toBe(8);
    expect(modes.sampleCount).toBe(2500);
    expect(modes.modesCovered).toBeGreaterThanOrEqual(0);
    expect(modes.modesCovered).toBeLessThanOrEqual(8);
    expect(modes.highQualityFraction).toBeGreaterThanOrEqual(0);
    expect(modes.highQualityFraction).toBeLessThanOrEqual(1);

    const divergence = written.metrics.divergence!.result;
    expect(divergence.jensenShannon).toBeGreaterThanOrEqual(0);
    expect(divergence.jensenShannon).toBeLessThanOrEqual(Math.log(2) + 1e-12);
    expect(Math.abs(divergence.optimalValue - (-LOG_FOUR + 2 * divergence.jensenShannon))).toBeLessThan(1e-9);
    const value = divergence.discriminatorValue!;
    expect(value.value).toBeLessThanOrEqual(0); // log D + log(1 − D) terms are ≤ 0
    expect(value.value).toBeGreaterThan(-10);
    expect(value.realCount).toBe(2500);
  });

  it("reports V(D, G) of the trained D only when D outputs a probability's logit (not for a hinge critic)", async () => {
    const critic = join(scratch, "ring-hinge");
    await trainRun({ out: critic, config: resolveConfig({ ...TINY_TOY, loss: "hinge" }), log: quiet });
    const { report } = await evaluateRun({ run: critic, metrics: ["divergence"], samples: 500 });
    const divergence = report.metrics.divergence!.result;
    expect(divergence.discriminatorValue).toBeUndefined();
    expect(divergence.jensenShannon).toBeGreaterThanOrEqual(0); // the rest of the metric is computed as before
    // Rejection sampling needs D* = p_data/(p_data + p_g): a critic's D without calibration steps to take it there is
    // refused, in one line, before any work.
    const uncalibrated = { run: critic, sampler: "rejection", calibrationSteps: 0 } as const;
    await expect(evaluateRun(uncalibrated)).rejects.toThrow(ConfigError);
    await expect(evaluateRun(uncalibrated)).rejects.toThrow(/hinge's D is not it: set rejectionCalibrationSteps/);
  });

  it("rejection-samples with D calibrated in memory, records it, and leaves the checkpoint as it was", async () => {
    const checkpoint = join(out, "checkpoints", "step_000020");
    const before = readdirSync(checkpoint).map((file) => readFileSync(join(checkpoint, file)));
    const metrics = ["modes", "divergence"];
    const { report } = await evaluateRun({ run: out, metrics, samples: 300, seed: 5, sampler: "rejection" });
    const modes = report.metrics.modes!;
    expect(modes).toMatchObject({ sampler: "rejection", calibrationSteps: 500, generator: "raw", samples: 300 });
    expect(modes.acceptanceRate).toBeGreaterThan(0);
    expect(modes.acceptanceRate).toBeLessThanOrEqual(1);
    expect(modes.result.sampleCount).toBe(300);
    // V(D, G) is left out: D was recalibrated and the samples are not G's.
    expect(report.metrics.divergence!.result.discriminatorValue).toBeUndefined();
    expect(readdirSync(checkpoint).map((file) => readFileSync(join(checkpoint, file)))).toEqual(before);
    // The metrics see other samples than direct sampling's (same seed), and direct sampling says so too.
    const direct = await evaluateRun({ run: out, metrics: ["modes"], samples: 300, seed: 5 });
    expect(direct.report.metrics.modes).toMatchObject({ sampler: "direct" });
    expect(direct.report.metrics.modes!.acceptanceRate).toBeUndefined();
    expect(direct.report.metrics.modes!.result).not.toEqual(modes.result);
  });

  it("evaluates a packed run (PacGAN, pack 2) without V(D, G), whose D judges packs rather than points", async () => {
    const packed = join(scratch, "ring-pack");
    await trainRun({ out: packed, config: resolveConfig({ ...TINY_TOY, pack: 2 }), log: quiet });
    const { report } = await evaluateRun({ run: packed, samples: 500 });
    expect(report.metrics.modes?.result.sampleCount).toBe(500);
    expect(report.metrics.divergence?.result.discriminatorValue).toBeUndefined();
    expect(report.metrics.divergence?.result.jensenShannon).toBeGreaterThanOrEqual(0);
  });

  it("evaluates a chosen checkpoint and metric, and merges with what was computed before", async () => {
    await evaluateRun({ run: out, checkpoint: 10, metrics: ["divergence"], samples: 500 });
    const { report } = await evaluateRun({ run: out, checkpoint: 10, metrics: ["modes"], samples: 400, seed: 9 });
    expect(report.checkpoint).toBe("step_000010");
    expect(report.metrics.divergence?.samples).toBe(500);
    expect(report.metrics.modes).toMatchObject({ samples: 400, seed: 9 });
    expect(existsSync(join(out, "eval", "step_000010.json"))).toBe(true);
  });

  it("is deterministic for a seed", async () => {
    const first = await evaluateRun({ run: out, metrics: ["modes"], samples: 300, seed: 4 });
    const second = await evaluateRun({ run: out, metrics: ["modes"], samples: 300, seed: 4 });
    expect(second.report.metrics.modes?.result).toEqual(first.report.metrics.modes?.result);
  });

  it("rejects unknown and inapplicable metrics with one-line ConfigErrors", async () => {
    await expect(evaluateRun({ run: out, metrics: ["fid"] })).rejects.toThrow(ConfigError);
    await expect(evaluateRun({ run: out, metrics: ["fid"] })).rejects.toThrow(/unknown metric "fid"; valid:/);
    await expect(evaluateRun({ run: out, metrics: ["parzen"] })).rejects.toThrow(/applies to image datasets/);
  });
});

/** Stub classifier for 28×28 images: features = 4×4 block means (16), probabilities = softmax of 10 of them. */
const blockClassifier: ImageClassifier = {
  dataset: "mnist",
  classes: 10,
  featureDim: 16,
  features(images, count) {
    const features = new Float32Array(count * 16);
    for (let image = 0; image < count; image++) {
      for (let pixel = 0; pixel < 784; pixel++) {
        const block = Math.floor(Math.floor(pixel / 28) / 7) * 4 + Math.floor((pixel % 28) / 7);
        features[image * 16 + block] = features[image * 16 + block]! + images[image * 784 + pixel]! / 49;
      }
    }
    return features;
  },
  probabilities(images, count) {
    const features = this.features(images, count);
    const output = new Float32Array(count * 10);
    for (let image = 0; image < count; image++) {
      const logits = Array.from({ length: 10 }, (_, label) => 8 * features[image * 16 + label]!);
      const total = logits.reduce((sum, logit) => sum + Math.exp(logit), 0);
      logits.forEach((logit, label) => (output[image * 10 + label] = Math.exp(logit) / total));
    }
    return output;
  },
};

describe("evaluateRun on an MNIST run", () => {
  const out = join(scratch, "mnist");
  beforeAll(async () => {
    const config = resolveConfig({
      ...TINY_TOY,
      dataset: "mnist",
      steps: 2,
      batchSize: 8,
      latentDim: 4,
      prior: "uniform",
      checkpointEvery: 0,
    });
    await trainRun({ out, config, log: quiet });
  });

  it("computes every image metric with a stub classifier", async () => {
    const { report, computed } = await evaluateRun({ run: out, samples: 100, classifier: blockClassifier });
    expect(computed).toEqual(["parzen", "frechet", "classifier-score", "class-coverage", "precision-recall"]);
    const { metrics } = report;
    expect(metrics.parzen?.result).toMatchObject({ sampleCount: 100, validationCount: 1000, testCount: 10_000 });
    expect(Number.isFinite(metrics.parzen!.result.meanLogLikelihood)).toBe(true);
    expect(metrics.frechet!.result.distance).toBeGreaterThan(metrics.frechet!.result.reference!.distance);
    const score = metrics["classifier-score"]!.result;
    expect(score.score).toBeGreaterThanOrEqual(1);
    expect(score.reference.count).toBe(10_000);
    expect(metrics["class-coverage"]!.result.histogram.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const precisionRecall = metrics["precision-recall"]!.result;
    expect(precisionRecall.recall).toBeLessThan(precisionRecall.reference!.recall);
  });

  it("charges each metric its own seconds, never negative, with shared work that overlapped or nested counted once", async () => {
    // Fréchet classifies the generated images and the test set together, and loading the test split runs inside
    // classifying it: counting each piece of shared work on its own charged more than the wall time and left
    // Fréchet with negative seconds.
    const { report, computed } = await evaluateRun({
      run: out,
      samples: 100,
      classifier: blockClassifier,
      metrics: ["frechet", "classifier-score", "precision-recall"], // without Parzen, which loads the splits first
      out: join(scratch, "mnist-seconds.json"),
    });
    for (const name of computed) expect(report.metrics[name]!.seconds).toBeGreaterThanOrEqual(0);
  });
});
