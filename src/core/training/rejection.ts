/**
 * Discriminator Rejection Sampling (DRS; Azadi, Olsson, Darrell, Goodfellow & Odena, "Discriminator Rejection
 * Sampling", ICLR 2019, arXiv 1810.06758): G's samples are the proposal of a rejection sampler, and D says which to keep.
 *
 * Why it works: for a fixed G the 2014 paper's optimal discriminator is D*(x) = p_data(x)/(p_data(x) + p_g(x))
 * (Proposition 1), so its logit is ℓ*(x) = log(p_data(x)/p_g(x)). Rejection sampling from p_g with the bound
 * M = max_x p_data(x)/p_g(x) accepts x with probability p_data(x)/(M·p_g(x)) = exp(ℓ*(x) − log M), and what it accepts
 * follows p_data exactly. DRS puts the trained D's logit ℓ(x) in place of ℓ*(x), and estimates log M as the largest
 * logit over a burn-in of 10 000 proposals, raised whenever a larger logit shows up later.
 *
 * The paper accepts with probability σ(F(x) − γ), F(x) = ℓ − M − log(1 − exp(ℓ − M − ε)). Since
 * σ(a − log(1 − eᵃ)) = eᵃ, its γ = 0, ε → 0 case is exactly exp(ℓ − M): tsgan's default rule, under which D = D*
 * gives p_data itself. The paper's practical scheme sets γ per batch of proposals to a high quantile of F over the
 * batch (config `rejectionQuantile`): where D's estimate of M comes from a rare region (a mode G starves, an outlier
 * logit), the exact rule accepts almost nothing, while the shifted one keeps the top of every batch — at least
 * (1 − q)/2 of the proposals, since σ(F − γ) ≥ ½ above the quantile — and gives a distribution between p_g and p_data.
 * ε only keeps the logarithm finite at ℓ = M.
 *
 * D was trained against G's latest raw iterates, so DRS first fine-tunes D with G fixed, until D ≈ D* for the G that
 * samples (here the EMA generator when the GAN keeps one): `calibrateDiscriminator`, with a fresh D optimizer of the
 * run's kind at a fraction of D's rate and the cross-entropy D loss without label smoothing, whose optimum is D*. A run
 * trained with that loss is only nudged; one trained otherwise (the hinge loss, least squares, a Wasserstein critic)
 * has a D whose output is not log(p_data/p_g) (the hinge loss's optimum is a clipped sign), and calibration turns it
 * into that logistic regression, starting from the features training gave it. It changes the GAN's D in memory only;
 * nothing is written.
 *
 * A packed D (PacGAN, models/packing.ts) judges m samples at once. For a pack of independent samples its optimum is
 * D*(x_1, …, x_m) = ∏ p_data(x_i) / (∏ p_data(x_i) + ∏ p_g(x_i)), whose logit is the sum Σ_i log(p_data(x_i)/p_g(x_i)).
 * So D's logit on (x, r_1, …, r_{m−1}), with partners r_j drawn once from G and held fixed, is log(p_data(x)/p_g(x))
 * plus a constant, and a constant cancels in exp(ℓ − M) and in F − γ alike: the sampler is the unpacked one, exact at
 * D = D*. ℓ(x) here averages D's logit over PARTNER_SETS such sets (each set shifts by its own constant at D*;
 * averaging evens out how a trained D departs from it). The partners are G's samples, so every pack D judges is one of
 * the all-generated packs it was trained on; packs of x repeated (the lab's D(x, …, x)) would be exact at D* too, but
 * lie on the diagonal, where a pack of two independent draws almost never falls.
 */
import { ConfigError, whyNoRejectionSampling, type Config } from "../config.js";
import { isCrossEntropyLoss, type LossName } from "../configChoices.js";
import type { Dataset } from "../data/dataset.js";
import { hashSeed, Rng } from "../engine/random.js";
import { sigmoid, sortedQuantile } from "../numerics/scalar.js";
import { tf } from "../engine/tf.js";
import { samplesPerMinibatch } from "../models/packing.js";
import { discriminatorInputs } from "./algorithm1.js";
import { samplingGenerator, withParts, type Gan } from "./gan.js";
import { sampleNoise } from "./noise.js";
import { createOptimizer } from "./optimizers.js";
import { discriminatorLogits, generateFromPrior, SAMPLE_PURPOSE } from "./sampling.js";
import { discriminatorStep } from "./steps.js";

/** Proposals whose largest logit first estimates log M (DRS's burn-in: 10 000 samples). */
export const DRS_BURN_IN = 10_000;
/** At most this many proposals per sample asked for; beyond, D rejects nearly all of G and the sampler gives up. */
export const MAX_PROPOSALS_PER_SAMPLE = 200;
/** Proposals drawn and judged at a time; with `quantile`, also DRS's batch over which γ is the quantile of F. */
const PROPOSAL_CHUNK = 1000;
/** DRS's ε in F(x): keeps log(1 − exp(ℓ − M − ε)) finite at ℓ = M (the paper's value is small; any tiny ε does). */
export const DRS_EPSILON = 1e-6;
/**
 * Partner sets over which a packed D's logit of one sample is averaged (file comment): each costs one pass of D over
 * the proposals; 8 passes of a toy's D cost less than G's one.
 */
export const PARTNER_SETS = 8;
/** The D loss calibration fine-tunes with when the run's is not a cross-entropy one (minimax and it share D's loss). */
const CALIBRATION_LOSS: LossName = "non-saturating";
/** Purpose labels of the random streams, under the caller's (seed, purpose). */
const CALIBRATION = "rejection/calibration";
const PARTNERS = "rejection/partners";
const PROPOSAL = "rejection/proposal";
const ACCEPTANCE = "rejection/acceptance";

/** What a long phase has done: "calibrating D" (steps), "rejection sampling" (accepted samples). */
export interface SamplingProgress {
  phase: string;
  done: number;
  total: number;
}

/** The proposal cap was reached before enough samples were accepted. */
export class RejectionSamplingError extends Error {
  override name = "RejectionSamplingError";
}

/** Options of rejectionSample, the loop itself. */
export interface RejectionLoopOptions {
  /** Draws `rows` proposals, flat row-major [rows, ...sample]; `chunk` counts the calls (0, 1, …) for keyed noise. */
  propose: (rows: number, chunk: number) => Float32Array;
  /** The logits ℓ(x) of `rows` proposals → [rows]; the loop accepts x with probability exp(ℓ(x) − M). */
  logits: (samples: Float32Array, rows: number) => Float32Array;
  /** Samples to accept. */
  count: number;
  /** Numbers per sample (2 for a 2-D point). */
  sampleSize: number;
  /** Proposals whose largest logit is the first M (DRS_BURN_IN); they are judged, never kept. */
  burnIn: number;
  /** The uniform draws of the accept / reject decisions. */
  rng: Rng;
  /** Called after each chunk with the samples accepted so far. */
  onProgress?: (progress: SamplingProgress) => void;
  /**
   * DRS's γ shift (file comment): accept with σ(F(x) − γ), γ the `quantile` of F over each chunk of proposals.
   * null (the default) keeps the exact rule exp(ℓ − M).
   */
  quantile?: number | null;
}

/** What rejectionSample returns. */
export interface RejectionLoopResult {
  /** The accepted samples, flat row-major [count, ...sample], in the order they were accepted. */
  samples: Float32Array;
  /** Accepted / judged proposals after the burn-in (1/M of the density ratio when D = D*). */
  acceptanceRate: number;
  /** Proposals judged after the burn-in. */
  proposals: number;
  /** The final M: the largest logit seen, burn-in included. */
  maxLogit: number;
}

/** F(x) − (ℓ − M) of DRS, −log(1 − exp(ℓ − M − ε)): ≈ 0 far below M, large as ℓ nears M (gap = ℓ − M ≤ 0). */
function nearMaximumBoost(gap: number): number {
  return -Math.log(-Math.expm1(gap - DRS_EPSILON));
}

/**
 * The acceptance probabilities of one chunk under DRS's shifted rule: σ(F(x) − γ), γ = the quantile of F over the
 * chunk, F(x) = ℓ − M − log(1 − exp(ℓ − M − ε)). NaN logits get probability NaN (rejected).
 */
export function shiftedAcceptance(scores: ArrayLike<number>, maxLogit: number, quantile: number): Float64Array {
  const f = Float64Array.from(scores, (logit) => logit - maxLogit + nearMaximumBoost(logit - maxLogit));
  const gamma = sortedQuantile(f.filter((value) => Number.isFinite(value)).sort(), quantile);
  return f.map((value) => sigmoid(value - gamma));
}

/** The rejection loop of DRS (file comment): pure, given its proposal, logits and rng. */
export function rejectionSample(options: RejectionLoopOptions): RejectionLoopResult {
  const { propose, logits, count, sampleSize, burnIn, rng } = options;
  const quantile = options.quantile ?? null;
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`rejection sampling: count ${count}`);
  if (!Number.isSafeInteger(burnIn) || burnIn < 0) throw new RangeError(`rejection sampling: burn-in ${burnIn}`);
  if (quantile !== null && !(quantile >= 0 && quantile <= 1)) {
    throw new RangeError(`rejection sampling: quantile ${quantile} (between 0 and 1)`);
  }
  let chunk = 0;
  let maxLogit = -Infinity;
  for (let judged = 0; judged < burnIn; judged += PROPOSAL_CHUNK) {
    const rows = Math.min(PROPOSAL_CHUNK, burnIn - judged);
    for (const logit of logits(propose(rows, chunk++), rows)) if (logit > maxLogit) maxLogit = logit;
  }
  const maxProposals = count * MAX_PROPOSALS_PER_SAMPLE;
  const accepted = new Float32Array(count * sampleSize);
  let acceptedCount = 0;
  let proposals = 0;
  while (acceptedCount < count) {
    if (proposals >= maxProposals) {
      throw new RejectionSamplingError(
        `rejection sampling accepted ${acceptedCount} of ${count} samples in ${maxProposals} proposals ` +
          `(the cap, ${MAX_PROPOSALS_PER_SAMPLE} per sample): D rejects nearly all of G's samples`,
      );
    }
    const rows = Math.min(PROPOSAL_CHUNK, maxProposals - proposals);
    const samples = propose(rows, chunk++);
    const scores = logits(samples, rows);
    // The shifted rule judges the chunk as one batch: M first takes in the chunk's largest logit.
    let shifted: Float64Array | null = null;
    if (quantile !== null) {
      for (const logit of scores) if (logit > maxLogit) maxLogit = logit;
      shifted = shiftedAcceptance(scores, maxLogit, quantile);
    }
    for (let row = 0; row < rows && acceptedCount < count; row++) {
      proposals++;
      const logit = scores[row]!;
      if (logit > maxLogit) maxLogit = logit; // DRS raises M when a larger logit shows up: this x is then kept
      // NaN logits give exp(NaN) = NaN (and σ(NaN) = NaN), and the comparison rejects them.
      const probability = shifted === null ? Math.exp(logit - maxLogit) : shifted[row]!;
      if (rng.uniform() < probability) {
        accepted.set(samples.subarray(row * sampleSize, (row + 1) * sampleSize), acceptedCount * sampleSize);
        acceptedCount++;
      }
    }
    options.onProgress?.({ phase: "rejection sampling", done: acceptedCount, total: count });
  }
  return { samples: accepted, acceptanceRate: count / proposals, proposals, maxLogit };
}

/** Options of calibrateDiscriminator and rejectionSampleGan. */
export interface RejectionSampleOptions {
  /** Seed of the calibration batches, the proposals and the decisions (default: the GAN's config seed). */
  seed?: number;
  /** The purpose that keys the random streams under the seed (default SAMPLE_PURPOSE, as sampleGan's noise). */
  purpose?: string;
  /** Propose from G itself even when the GAN keeps an EMA generator (calibration then fits D to G). */
  rawGenerator?: boolean;
  /** D-only steps before sampling (default: config.rejectionCalibrationSteps); 0 uses D as trained. */
  calibrationSteps?: number;
  /** Proposals that estimate M first (default DRS_BURN_IN). */
  burnIn?: number;
  /** DRS's γ shift: the quantile of F per chunk (default: config.rejectionQuantile; null = the exact rule). */
  quantile?: number | null;
  /** Progress of calibration and sampling. */
  onProgress?: (progress: SamplingProgress) => void;
}

/** What rejectionSampleGan returns. */
export interface RejectionSampleResult extends RejectionLoopResult {
  /** The D-only steps taken before sampling. */
  calibrationSteps: number;
  /** The γ shift's quantile, or null for the exact rule. */
  quantile: number | null;
}

/** "rejection sampling after 500 D steps[, γ at the 0.95-quantile of F] (acceptance 0.123)", for the CLI's lines. */
export function describeRejection(drawn: {
  calibrationSteps?: number | undefined;
  quantile?: number | null | undefined;
  acceptanceRate: number;
}): string {
  const shift =
    drawn.quantile === null || drawn.quantile === undefined ? "" : `, γ at the ${drawn.quantile}-quantile of F`;
  return `rejection sampling after ${drawn.calibrationSteps ?? 0} D steps${shift} (acceptance ${drawn.acceptanceRate.toFixed(3)})`;
}

/** A one-line ConfigError when DRS cannot run on this GAN after `calibrationSteps` (whyNoRejectionSampling). */
function checkRejectionSampling(gan: Gan, calibrationSteps: number): void {
  const reason = whyNoRejectionSampling(gan.config, calibrationSteps);
  if (reason !== null) throw new ConfigError(reason);
}

/** The config calibration trains D under: the run's, with the cross-entropy D loss and no label smoothing (D → D*). */
function calibrationConfig(config: Config): Config {
  return { ...config, loss: isCrossEntropyLoss(config.loss) ? config.loss : CALIBRATION_LOSS, labelSmoothing: 0 };
}

/**
 * `steps` D-only steps against the sampling generator (the EMA one when the GAN keeps it, unless `rawGenerator`),
 * whose fakes are drawn as sampling draws them (G in inference mode): Algorithm 1's D step with the cross-entropy D
 * loss (calibrationConfig), real batches from `dataset` (packs of them for a packed D), and a fresh D optimizer of the
 * run's kind at D's initial rate times
 * config.rejectionCalibrationRateFactor (the run's own optimizer, once annealed by learningRateDecay, would leave D
 * where it was; D's full rate leaves it noisy). That optimizer follows the run's rate schedule from its first update,
 * so a decay held for s updates (learningRateDecayStart) calibrates at a constant rate for those. G, the EMA generator
 * and the GAN's optimizers are untouched.
 */
export function calibrateDiscriminator(
  gan: Gan,
  dataset: Dataset,
  steps: number,
  options: Omit<RejectionSampleOptions, "calibrationSteps" | "burnIn"> = {},
): void {
  checkRejectionSampling(gan, steps);
  const config = calibrationConfig(gan.config);
  const seed = options.seed ?? config.seed;
  const purpose = options.purpose ?? SAMPLE_PURPOSE;
  const { discriminator } = gan;
  const rate = config.discriminatorLearningRate * config.rejectionCalibrationRateFactor;
  const optimizer = createOptimizer(config, discriminator.parameters, discriminator.parameterNames, rate);
  const calibrating = withParts(gan, {
    config,
    generator: samplingGenerator(gan, options.rawGenerator),
    discriminatorOptimizer: optimizer,
  });
  const noiseRows = samplesPerMinibatch(config); // one z per real sample: batchSize packs of `pack`
  const batchSeed = hashSeed(seed, purpose, CALIBRATION);
  try {
    for (let step = 0; step < steps; step++) {
      const { real } = discriminatorInputs(calibrating, dataset, step, batchSeed, [purpose, CALIBRATION, step]);
      const noise = sampleNoise(config, noiseRows, Rng.derive(seed, purpose, CALIBRATION, step, "noise"));
      const seeds = {
        generator: hashSeed(seed, purpose, CALIBRATION, step, "dropout/generator"),
        discriminator: hashSeed(seed, purpose, CALIBRATION, step, "dropout/discriminator"),
      };
      const metrics = discriminatorStep(calibrating, real, noise, seeds, undefined, { fakesAsSampled: true });
      tf.dispose([real, noise, metrics.loss, metrics.realScore, metrics.fakeScore, metrics.gradientNorm]);
      options.onProgress?.({ phase: "calibrating D", done: step + 1, total: steps });
    }
  } finally {
    optimizer.dispose();
  }
}

/**
 * `count` samples of DRS (file comment), flat row-major [count, ...gan.dataShape]: calibrates the GAN's D in memory
 * (calibrateDiscriminator; its weights change, nothing is saved), then rejection-samples the sampling generator with
 * D's logits. Noise, batches and decisions derive from (seed, purpose), so the same seed gives the same samples.
 * A packed D judges each proposal beside fixed partners (file comment). A ConfigError when DRS cannot run on the GAN
 * (whyNoRejectionSampling: a conditional one, or a D not trained to D* and no calibration steps); a
 * RejectionSamplingError when MAX_PROPOSALS_PER_SAMPLE proposals per sample do not suffice.
 */
export function rejectionSampleGan(
  gan: Gan,
  dataset: Dataset,
  count: number,
  options: RejectionSampleOptions = {},
): RejectionSampleResult {
  const { config } = gan;
  const seed = options.seed ?? config.seed;
  const purpose = options.purpose ?? SAMPLE_PURPOSE;
  const calibrationSteps = options.calibrationSteps ?? config.rejectionCalibrationSteps;
  checkRejectionSampling(gan, calibrationSteps);
  const quantile = options.quantile === undefined ? config.rejectionQuantile : options.quantile;
  calibrateDiscriminator(gan, dataset, calibrationSteps, { ...options, seed, purpose });
  const choice = { rawGenerator: options.rawGenerator ?? false };
  // A packed D judges each proposal beside PARTNER_SETS fixed sets of pack − 1 of G's samples (file comment).
  const partners =
    config.pack > 1
      ? generateFromPrior(gan, PARTNER_SETS * (config.pack - 1), Rng.derive(seed, purpose, PARTNERS), choice)
      : undefined;
  const result = rejectionSample({
    propose: (rows, chunk) => generateFromPrior(gan, rows, Rng.derive(seed, purpose, PROPOSAL, chunk), choice),
    logits: (samples, rows) => discriminatorLogits(gan, samples, rows, partners),
    count,
    sampleSize: gan.dataShape.reduce((a, b) => a * b, 1),
    burnIn: options.burnIn ?? DRS_BURN_IN,
    rng: Rng.derive(seed, purpose, ACCEPTANCE),
    quantile,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...result, calibrationSteps, quantile };
}
