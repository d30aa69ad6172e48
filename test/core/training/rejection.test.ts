/**
 * Discriminator Rejection Sampling (Azadi et al. 2019): the rejection loop against a closed form (proposal N(0, 1),
 * target N(0, 0.5²), bounded density ratio 2), its reproducibility, burn-in and proposal cap; then on a tiny ring GAN:
 * calibration moves D alone, draws its fakes as sampling does, leaves no tensor behind; the GAN-level sampler is
 * reproducible for a seed; it refuses only a conditional GAN or a D not trained to D* without calibration, and
 * calibration fine-tunes with the cross-entropy loss whatever the run's; a packed D (PacGAN) judges one sample beside
 * fixed partners, and its DRS keeps the samples nearer the data.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { ConfigError, resolveConfig, whyNoRejectionSampling, type ConfigInput } from "../../../src/core/config.js";
import { toyDataset } from "../../../src/core/data/dataset.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import { snapshotValues, type Network } from "../../../src/core/models/network.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import {
  calibrateDiscriminator,
  DRS_EPSILON,
  MAX_PROPOSALS_PER_SAMPLE,
  RejectionSamplingError,
  rejectionSample,
  rejectionSampleGan,
  shiftedAcceptance,
  type RejectionLoopOptions,
} from "../../../src/core/training/rejection.js";
import { discriminatorLogits, generate } from "../../../src/core/training/sampling.js";
import { discriminatorStep } from "../../../src/core/training/steps.js";

/** Target N(0, σ²) with σ = 0.5 under the proposal N(0, 1): p/q = 2·exp(−1.5x²) ≤ 2, so 1/M = 1/2 is accepted. */
const TARGET_STD = 0.5;
const LOG_RATIO_MAX = Math.log(1 / TARGET_STD);
const logRatio = (x: number) => LOG_RATIO_MAX - (x * x) / (2 * TARGET_STD * TARGET_STD) + (x * x) / 2;
const ACCEPTED = 20_000;
/**
 * Sampling error of the checks: the std of n normal draws has standard error σ/√(2n) ≈ 0.0025, the mean σ/√n ≈ 0.0035,
 * the acceptance rate (≈ 2n proposals) √(¼/2n) ≈ 0.0025; 0.02 is over five standard errors for each.
 */
const TOLERANCE = 0.02;
/** log 2 rounded to float32 may lie above it by half an ulp (≈ 3e-8). */
const FLOAT32_ROUNDING = 1e-7;

function normalLoop(seed: number, overrides: Partial<RejectionLoopOptions> = {}): RejectionLoopOptions {
  return {
    propose: (rows, chunk) => Rng.derive(seed, "proposal", chunk).fillNormal(new Float32Array(rows)),
    logits: (samples) => samples.map(logRatio),
    count: ACCEPTED,
    sampleSize: 1,
    burnIn: 10_000,
    rng: Rng.derive(seed, "acceptance"),
    ...overrides,
  };
}

function meanAndStd(values: Float32Array): { mean: number; std: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

describe("rejectionSample (the loop)", () => {
  it("turns N(0, 1) proposals into N(0, 0.5²) samples, accepting 1/M = 1/2 of them", () => {
    const result = rejectionSample(normalLoop(1));
    expect(result.samples).toHaveLength(ACCEPTED);
    const { mean, std } = meanAndStd(result.samples);
    expect(Math.abs(mean)).toBeLessThan(TOLERANCE);
    expect(Math.abs(std - TARGET_STD)).toBeLessThan(TOLERANCE);
    expect(Math.abs(result.acceptanceRate - 1 / 2)).toBeLessThan(TOLERANCE);
    expect(result.acceptanceRate).toBeCloseTo(ACCEPTED / result.proposals, 12);
    expect(result.maxLogit).toBeLessThanOrEqual(LOG_RATIO_MAX + FLOAT32_ROUNDING); // the logits are float32
    expect(result.maxLogit).toBeGreaterThan(LOG_RATIO_MAX - 0.01); // 10 000 draws come within 0.08 of x = 0
  });

  it("accepts everything when the logits are constant: the proposals come back in order after the burn-in", () => {
    const result = rejectionSample(normalLoop(2, { logits: (_, rows) => new Float32Array(rows), count: 50 }));
    expect(result.acceptanceRate).toBe(1);
    const afterBurnIn = Rng.derive(2, "proposal", 10).fillNormal(new Float32Array(50)); // burn-in: chunks 0 … 9
    expect(result.samples).toEqual(afterBurnIn);
  });

  it("gives the same samples for the same seed and others for another", () => {
    const options = { count: 500 };
    const first = rejectionSample(normalLoop(3, options));
    expect(rejectionSample(normalLoop(3, options)).samples).toEqual(first.samples);
    expect(rejectionSample(normalLoop(4, options)).samples).not.toEqual(first.samples);
  });

  it("rejects proposals whose logit is NaN", () => {
    const logits = (samples: Float32Array) => samples.map((x) => (x > 0 ? Number.NaN : logRatio(x)));
    const result = rejectionSample(normalLoop(5, { logits, count: 1000 }));
    expect(result.samples.every((x) => x <= 0)).toBe(true);
  });

  it("stops at the proposal cap with one clear error", () => {
    // The burn-in sees a logit of 100; every later proposal has logit 0 and is kept with probability e^−100.
    const count = 3;
    const loop = normalLoop(6, {
      count,
      burnIn: 1,
      propose: (rows, chunk) => new Float32Array(rows).fill(chunk === 0 ? 100 : 0),
      logits: (samples) => samples,
    });
    expect(() => rejectionSample(loop)).toThrow(RejectionSamplingError);
    expect(() => rejectionSample(loop)).toThrow(
      `accepted 0 of 3 samples in ${count * MAX_PROPOSALS_PER_SAMPLE} proposals`,
    );
  });
});

describe("DRS's γ shift (rejectionQuantile)", () => {
  /** The burn-in meets one outlier logit of 10 (a starved region): the exact rule then keeps e^(log 2 − 10) ≈ 1e-4. */
  const withOutlier = (seed: number, quantile: number | null): RejectionLoopOptions =>
    normalLoop(seed, {
      count: 2000,
      burnIn: 1,
      quantile,
      logits: (samples, rows) => (rows === 1 ? new Float32Array([10]) : samples.map(logRatio)),
    });

  it("accepts with σ(F − γ): ½ at the quantile, above it more, below it less; γ = 0's rule is exp(ℓ − M)", () => {
    const scores = Float32Array.from({ length: 101 }, (_, i) => -i / 10); // ℓ − M from 0 down to −10
    const probabilities = shiftedAcceptance(scores, 0, 0.9);
    // F is increasing in ℓ, so the 0.9-quantile of F is F at the 91st smallest score (index ⌊0.9 · 101⌋ = 90): i = 10.
    expect(probabilities[10]).toBeCloseTo(0.5, 12);
    expect(probabilities[9]).toBeGreaterThan(0.5);
    expect(probabilities[11]).toBeLessThan(0.5);
    expect(probabilities[0]).toBeGreaterThan(0.999_999); // ℓ = M: F ≈ −log ε
    // The odds of acceptance are exp(F − γ), F(a) = a − log(1 − exp(a − ε)) for a = ℓ − M, γ = F at the quantile.
    const f = (a: number) => a - Math.log(1 - Math.exp(a - DRS_EPSILON));
    for (const i of [30, 60, 100]) {
      expect(Math.log(probabilities[i]! / (1 - probabilities[i]!))).toBeCloseTo(f(scores[i]!) - f(scores[10]!), 6);
    }
    // Far below M the shift is a constant factor on the exact rule's exp(ℓ − M).
    expect(f(-10)).toBeCloseTo(-10, 4);
    expect(Number.isNaN(shiftedAcceptance([Number.NaN, 0], 0, 0.5)[0]!)).toBe(true);
  });

  it("samples where one outlier logit stops the exact rule, keeping at least (1 − q)/2 of the proposals", () => {
    expect(() => rejectionSample(withOutlier(7, null))).toThrow(RejectionSamplingError);
    const quantile = 0.9;
    const result = rejectionSample(withOutlier(7, quantile));
    expect(result.acceptanceRate).toBeGreaterThanOrEqual((1 - quantile) / 2);
    // Between proposal N(0, 1) and target N(0, 0.5²): the shift trades exactness for acceptance.
    const { std } = meanAndStd(result.samples);
    expect(std).toBeGreaterThan(TARGET_STD + TOLERANCE);
    expect(std).toBeLessThan(1 - 0.1);
  });

  it("a higher quantile accepts fewer proposals and keeps samples closer to the target", () => {
    const low = rejectionSample(withOutlier(8, 0.5));
    const high = rejectionSample(withOutlier(8, 0.95));
    expect(high.acceptanceRate).toBeLessThan(low.acceptanceRate);
    expect(meanAndStd(high.samples).std).toBeLessThan(meanAndStd(low.samples).std);
    expect(rejectionSample(withOutlier(8, 0.95)).samples).toEqual(high.samples); // reproducible
  });

  it("refuses a quantile outside [0, 1]", () => {
    expect(() => rejectionSample(normalLoop(9, { quantile: 1.5 }))).toThrow(RangeError);
  });
});

/** A ring GAN small enough to calibrate in well under a second, with an EMA generator and BatchNorm in G. */
const TINY_RING: ConfigInput = {
  dataset: "ring-2d",
  arch: "mlp",
  batchSize: 32,
  latentDim: 2,
  generatorEma: 0.9,
  rejectionCalibrationSteps: 20,
  mlp: {
    generatorHidden: [8],
    discriminatorHidden: [8],
    maxoutPieces: 2,
    generatorBatchNorm: true,
    discriminatorInputDropout: 0,
    discriminatorDropout: 0,
  },
};
const dataset = toyDataset(toyDistribution("ring-2d"));

let gans: Gan[] = [];
function ringGan(input: ConfigInput = TINY_RING): Gan {
  const gan = createGan(resolveConfig(input), [2]);
  gans.push(gan);
  return gan;
}
afterEach(() => {
  gans.forEach(disposeGan);
  gans = [];
});

function sameValues(network: Network, before: Map<string, Float32Array>): boolean {
  return [...snapshotValues(network)].every(([name, values]) => values.every((v, i) => v === before.get(name)![i]));
}

describe("DRS on a GAN", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("calibration changes D and leaves G, the EMA generator and the GAN's optimizers as they were", () => {
    const gan = ringGan();
    const [generator, ema, discriminator] = [gan.generator, gan.generatorEma!, gan.discriminator].map(snapshotValues);
    const tensors = tf.memory().numTensors;
    calibrateDiscriminator(gan, dataset, 5);
    expect(tf.memory().numTensors).toBe(tensors); // its optimizer's slots are freed too
    expect(sameValues(gan.generator, generator!)).toBe(true);
    expect(sameValues(gan.generatorEma!, ema!)).toBe(true);
    expect(sameValues(gan.discriminator, discriminator!)).toBe(false);
    expect([gan.generatorOptimizer.step, gan.discriminatorOptimizer.step]).toEqual([0, 0]);
  });

  it("a D step with fakesAsSampled judges G's samples as sampling draws them (inference mode)", () => {
    const gan = ringGan();
    const noise = sampleNoise(gan.config, 32, Rng.derive(1, "noise"));
    const real = tf.tensor2d(dataset.distribution.sample(32, Rng.derive(1, "real")), [32, 2]);
    const sampled = generate(gan, noise, { rawGenerator: true });
    const scores = Array.from(discriminatorLogits(gan, sampled, 32), (logit) => 1 / (1 + Math.exp(-logit)));
    const expected = scores.reduce((sum, score) => sum + score, 0) / scores.length;
    const seeds = { generator: 1, discriminator: 2 };
    // Both steps see D as it was (the score is taken before the update); each on its own GAN of the same seed.
    const asSampled = discriminatorStep(gan, real, noise, seeds, undefined, { fakesAsSampled: true });
    const asTrained = discriminatorStep(ringGan(), real, noise, seeds);
    expect(asSampled.fakeScore.dataSync()[0]).toBeCloseTo(expected, 5);
    // G's BatchNorm normalises a training batch with its own statistics, not the running ones: other fakes.
    expect(Math.abs(asTrained.fakeScore.dataSync()[0]! - expected)).toBeGreaterThan(1e-4);
    tf.dispose([noise, real, ...Object.values(asSampled), ...Object.values(asTrained)]);
  });

  it("rejection-samples the EMA generator: finite points, reproducible for a seed, no tensor left", () => {
    const gan = ringGan();
    const tensors = tf.memory().numTensors;
    const options = { seed: 7, burnIn: 500 };
    const first = rejectionSampleGan(gan, dataset, 300, options);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(first.samples).toHaveLength(300 * 2);
    expect(first.samples.every(Number.isFinite)).toBe(true);
    expect(first.calibrationSteps).toBe(20); // the config's
    expect(first.acceptanceRate).toBeGreaterThan(0);
    expect(first.acceptanceRate).toBeLessThanOrEqual(1);
    expect(rejectionSampleGan(ringGan(), dataset, 300, options).samples).toEqual(first.samples);
    expect(rejectionSampleGan(ringGan(), dataset, 300, { ...options, seed: 8 }).samples).not.toEqual(first.samples);
  });

  it("refuses only a conditional GAN, or a D not trained to D* with no calibration steps to take it there", () => {
    const hinge = ringGan({ ...TINY_RING, loss: "hinge" });
    const refusal =
      /^sampler rejection needs D\* = .*hinge's D is not it: set rejectionCalibrationSteps .* above 0 .*loss$/;
    expect(() => rejectionSampleGan(hinge, dataset, 10, { calibrationSteps: 0 })).toThrow(ConfigError);
    expect(() => rejectionSampleGan(hinge, dataset, 10, { calibrationSteps: 0 })).toThrow(refusal);
    const noCalibration = { ...TINY_RING, sampler: "rejection", rejectionCalibrationSteps: 0 } as const;
    expect(() => resolveConfig({ ...noCalibration, loss: "least-squares" })).toThrow(/least-squares's D is not it/);
    expect(() => resolveConfig({ ...noCalibration, labelSmoothing: 0.1 })).toThrow(/label smoothing's 1 − α targets/);
    const conditional = { ...resolveConfig(TINY_RING), conditional: "acgan" } as const;
    expect(whyNoRejectionSampling(conditional)).toMatch(/^sampler rejection is for unconditional GANs; .*\(acgan\)$/);
    const allowed: ConfigInput[] = [{}, { loss: "hinge" }, { labelSmoothing: 0.1 }, { pack: 2 }, { ...noCalibration }];
    for (const change of allowed) {
      expect(resolveConfig({ ...TINY_RING, sampler: "rejection", ...change }).sampler).toBe("rejection");
    }
  });

  it("calibration fine-tunes D with the cross-entropy loss and no label smoothing, whatever the run trained with", () => {
    const changes: ConfigInput[] = [{}, { loss: "hinge" }, { loss: "least-squares" }, { labelSmoothing: 0.2 }];
    const calibrated = changes.map((change) => {
      const gan = ringGan({ ...TINY_RING, ...change });
      calibrateDiscriminator(gan, dataset, 3);
      return snapshotValues(gan.discriminator);
    });
    // The four GANs start from the same weights (one seed) and take the same three cross-entropy steps.
    for (const other of calibrated.slice(1)) expect(other).toEqual(calibrated[0]);
    const untouched = snapshotValues(ringGan().discriminator);
    expect(calibrated[0]).not.toEqual(untouched);
  });
});

/**
 * A packed ring GAN (PacGAN, pack 2), untrained: G's samples are a blob inside the unit circle. Its D (wider than
 * TINY_RING's, at a high rate) learns to tell the ring from the blob in the 100 calibration steps.
 */
const PACKED_RING: ConfigInput = {
  ...TINY_RING,
  pack: 2,
  discriminatorLearningRate: 0.01,
  rejectionCalibrationRateFactor: 1,
  rejectionCalibrationSteps: 100,
  mlp: { ...TINY_RING.mlp, discriminatorHidden: [32, 32], maxoutPieces: 3 },
};

/** Mean distance from the unit circle (the ring's modes lie on it) of points [n, 2]. */
function distanceFromRing(points: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < points.length; i += 2) sum += Math.abs(Math.hypot(points[i]!, points[i + 1]!) - 1);
  return sum / (points.length / 2);
}

describe("DRS with a packed D (PacGAN)", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("judges one sample in slot 0 of packs with fixed partners, averaged over the partner sets", () => {
    const gan = ringGan(PACKED_RING);
    const samples = Rng.derive(3, "samples").fillNormal(new Float32Array(5 * 2));
    const partners = Rng.derive(3, "partners").fillNormal(new Float32Array(3 * 2)); // 3 sets of pack − 1 = 1
    const logits = discriminatorLogits(gan, samples, 5, partners);
    for (let row = 0; row < 5; row++) {
      let sum = 0;
      for (let set = 0; set < 3; set++) {
        const pack = tf.tensor2d(
          [...samples.subarray(row * 2, row * 2 + 2), ...partners.subarray(set * 2, set * 2 + 2)],
          [1, 4],
        );
        const output = gan.discriminator.apply(pack, { training: false });
        sum += output.dataSync()[0]!;
        tf.dispose([pack, output]);
      }
      expect(logits[row]).toBeCloseTo(sum / 3, 5);
    }
    expect(() => discriminatorLogits(gan, samples, 5)).toThrow(/packs of 2 needs partners/);
  });

  it("keeps the proposals D takes for real: after calibration, its samples lie nearer the ring than G's", () => {
    const gan = ringGan(PACKED_RING);
    const direct = generate(gan, sampleNoise(gan.config, 2000, Rng.derive(5, "direct")));
    const tensors = tf.memory().numTensors;
    const drawn = rejectionSampleGan(gan, dataset, 500, { seed: 5, burnIn: 1000, quantile: 0.9 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(drawn.acceptanceRate).toBeLessThan(0.5);
    // Measured: 0.41 against G's 0.59 (an unpacked D of the same size: 0.34).
    expect(distanceFromRing(drawn.samples)).toBeLessThan(0.8 * distanceFromRing(direct));
  });
});
