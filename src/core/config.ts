/**
 * The typed configuration of a tsgan run: one schema, every default with its reason (shown by `tsgan train --help`).
 *
 * Resolution order, later wins: schema defaults < the dataset's preset (presets.ts) < a --config file < flags.
 * The fully resolved config is written to the run directory and into every checkpoint.
 */
import { z } from "zod";
import {
  BACKEND_NAMES,
  METRIC_NAMES,
  ARCHITECTURE_NAMES,
  LOSS_NAMES,
  SPECTRAL_NORM_NAMES,
  isCrossEntropyLoss,
  LABEL_SMOOTHING_LOSSES,
  LOSS_DISCRIMINATOR_STEPS,
  CONDITIONAL_NAMES,
  SAMPLER_NAMES,
  PRIOR_NAMES,
  OPTIMIZER_NAMES,
  GENERATOR_OUTPUT_NAMES,
  TOY_DATASET_NAMES,
  DATASET_HINT,
  IDX_DATASET_PREFIX,
  type LossName,
} from "./configChoices.js";
import { ConfigError } from "./errors.js";

import {
  DcganConfigSchema,
  learningRate,
  MlpConfigSchema,
  nonNegativeInt,
  positiveInt,
  probability,
  why,
} from "./configNetworks.js";

/** The choice lists live in configChoices.ts, the network sections in configNetworks.ts; callers import them here. */
export * from "./configChoices.js";
export { DcganConfigSchema, MlpConfigSchema } from "./configNetworks.js";

/** The config schema (zod): every key, its type, its default and the reason for that default. */
export const ConfigSchema = z
  .object({
    dataset: why(z.string().min(1), "mnist", `what to learn: ${DATASET_HINT}`),
    arch: why(z.enum(ARCHITECTURE_NAMES), "dcgan", "the convolutional nets learn digits in the fewest steps"),
    loss: why(z.enum(LOSS_NAMES), "non-saturating", "the paper's advice: strong G gradients early"),
    labelSmoothing: why(
      probability,
      0,
      "one-sided: real targets 1 − α for D (Salimans et al. 2016 used α = 0.1); 0 = none, D* stays the paper's",
    ),
    r1Gamma: why(
      z.number().nonnegative(),
      0,
      "γ of the R1 penalty γ/2·E[‖∇D(x)‖²] on real data (Mescheder et al. 2018 used 10); 0 = off",
    ),
    steps: why(positiveInt, 2000, "training iterations of Algorithm 1 (each: k D-steps, one G-step)"),
    batchSize: why(positiveInt, 64, "m in Algorithm 1; 64 as in DCGAN (with pack > 1: packs per minibatch)"),
    pack: why(
      positiveInt,
      1,
      "1 = the paper's D, which judges one sample at a time; PacGAN (Lin et al. 2018) packs 2–4 samples per D input",
    ),
    discriminatorSteps: why(
      positiveInt,
      1,
      "k in Algorithm 1; the paper used k = 1, the least expensive option (wasserstein-gp, when unset: 5, its paper's)",
    ),
    pretrainDiscriminatorSteps: why(
      nonNegativeInt,
      0,
      "seed 001 pre-trains D on real vs initial fakes; off by default",
    ),
    latentDim: why(positiveInt, 100, "dimension of z, 100 as in the paper's successors and DCGAN"),
    prior: why(z.enum(PRIOR_NAMES), "normal", "DCGAN practice; the paper's uniform [-1, 1] is --prior uniform"),
    optimizer: why(z.enum(OPTIMIZER_NAMES), "adam", "Adam(β1 = 0.5) is the DCGAN recipe; sgd = the paper's momentum"),
    generatorLearningRate: why(
      learningRate,
      2e-4,
      "DCGAN's Adam rate; separate from D's, which is TTUR (Heusel et al. 2017) when they differ",
    ),
    discriminatorLearningRate: why(
      learningRate,
      2e-4,
      "DCGAN's rate; seed 001's 1e-4 gave rougher digits at 1000 steps; TTUR (Heusel et al. 2017): D's rate above G's",
    ),
    beta1: why(probability, 0.5, "DCGAN: 0.9 oscillates, 0.5 stabilises adversarial training"),
    beta2: why(probability, 0.999, "Adam's default"),
    momentum: why(probability, 0.5, "the paper's SGD momentum (its code starts at 0.5)"),
    learningRateDecay: why(
      z.number().min(1),
      1,
      "the rate after t updates is rate / decay^t, for SGD and Adam (the paper's code: 1.000004, pylearn2's ExponentialDecay); 1 = constant",
    ),
    learningRateDecayStart: why(
      nonNegativeInt,
      0,
      "the update from which learningRateDecay divides the rate; before it the rate is constant (a packed grid covers its 25 modes at the full rate, then sharpens them: docs/results.md); 0 = from the first",
    ),
    minimumLearningRate: why(
      z.number().nonnegative(),
      0,
      "the floor of the decayed rate (the paper's code: 1e-6); 0 = none",
    ),
    finalMomentum: why(
      probability.nullable(),
      null,
      "SGD's momentum after its linear ramp (the paper's code: 0.5 → 0.7, pylearn2's MomentumAdjustor); null = constant",
    ),
    momentumRampUpdates: why(
      z.tuple([nonNegativeInt, nonNegativeInt]),
      [0, 0],
      "[first, last] optimizer update of the momentum ramp (the paper's code: epochs 1 → 250, i.e. updates 0 → 124 500)",
    ),
    simultaneousUpdates: why(
      z.boolean(),
      false,
      "Algorithm 1 alternates (D, then G against the new D); true: both from one minibatch and the same D pass, as the paper's code did (k = 1)",
    ),
    trainImages: why(
      z.tuple([nonNegativeInt, positiveInt]).nullable(),
      null,
      "[start, stop): train on these images of the training split only (the paper: [0, 50000], keeping Parzen's validation images out); null = all",
    ),
    idxLabels: why(
      z.string().min(1).nullable(),
      null,
      "an IDX labels file (1-D ubyte, one label per image) beside an idx:<images-file> dataset, whose classes conditional runs learn; null = unlabelled",
    ),
    generatorOutput: why(
      z.enum(GENERATOR_OUTPUT_NAMES),
      "auto",
      "auto matches the data: tanh for images (pixels in [-1, 1]), linear for toys",
    ),
    seed: why(nonNegativeInt, 1, "every random draw derives from (seed, step, purpose); same seed, same run"),
    sampleEvery: why(nonNegativeInt, 250, "a sample grid from the fixed noise every this many steps (0 = only at end)"),
    checkpointEvery: why(nonNegativeInt, 1000, "a resumable checkpoint every this many steps (0 = only at the end)"),
    logEvery: why(positiveInt, 10, "metrics.jsonl gets one line every this many steps"),
    evalEvery: why(
      nonNegativeInt,
      0,
      "cheap metrics every this many steps into metrics.jsonl (0 = off: they cost time)",
    ),
    evalMetrics: why(
      z.array(z.enum(METRIC_NAMES)),
      [],
      "which metrics --eval-every computes ([] = the cheap ones: modes + divergence for toys, class coverage + classifier score for images)",
    ),
    evalSamples: why(positiveInt, 2000, "generated samples per training-time evaluation: seconds, not minutes"),
    spectralNorm: why(
      z.enum(SPECTRAL_NORM_NAMES),
      "none",
      "off keeps the paper's networks; 'discriminator' bounds D's Lipschitz constant (Miyato et al. 2018)",
    ),
    generatorEma: why(
      z.number().min(0).lt(1),
      0,
      "0 = off (the paper samples G itself); 0.999 samples an average of G's recent weights (Karras et al. 2018)",
    ),
    generatorEmaWarmup: why(
      z.boolean(),
      false,
      "off keeps β fixed; on uses min(β, (1 + t)/(10 + t)) at G step t (TensorFlow's ExponentialMovingAverage), so G's initial weights fade fast in short runs",
    ),
    conditional: why(
      z.enum(CONDITIONAL_NAMES),
      "none",
      "off keeps the paper's unconditional GAN; labelled data may ask for 'projection' (Miyato & Koyama 2018) or 'acgan'",
    ),
    classCount: why(
      nonNegativeInt,
      0,
      "classes of a conditional run: filled in from the data's labels when training starts (0 = not yet known)",
    ),
    sampler: why(
      z.enum(SAMPLER_NAMES),
      "direct",
      "the paper samples G directly; 'rejection' keeps G's samples with probability exp(logit D(x) − max), DRS (Azadi et al. 2019), in tsgan eval and tsgan sample",
    ),
    rejectionCalibrationSteps: why(
      nonNegativeInt,
      500,
      "D-only steps against the sampling generator before rejection: D was trained against G's latest raw iterates, not the (EMA) generator that samples, and DRS fine-tunes D on the final G so that D ≈ D*",
    ),
    rejectionCalibrationRateFactor: why(
      z.number().positive().max(1),
      0.1,
      "calibration's D rate is D's learning rate times this: on a trained ring run D's own rate left D noisy (mode balance worse than no calibration), a tenth halved JSD",
    ),
    rejectionQuantile: why(
      probability.nullable(),
      null,
      "null keeps DRS's exact rule exp(logit − max), under which D = D* gives p_data; q sets γ per 1 000 proposals to the q-quantile of F (DRS's practical scheme): more acceptances where one rare high logit would reject nearly everything",
    ),
    backend: why(z.enum(BACKEND_NAMES), "auto", "auto = the fastest engine that works here (native > wasm > cpu)"),
    mlp: MlpConfigSchema.prefault({}),
    dcgan: DcganConfigSchema.prefault({}),
  })
  .strict();

/** The fully resolved configuration (every default filled in). */
export type Config = z.output<typeof ConfigSchema>;
/** What a user writes: any subset, nested sections partial too. */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** The MLP section: layer widths, maxout pieces, dropout. */
export type MlpConfig = Config["mlp"];
/** The DCGAN section: channel widths, BatchNorm, kernel size, D's leak. */
export type DcganConfig = Config["dcgan"];

export { ConfigError };

/**
 * The keys that change how a trained GAN is sampled and evaluated, never how it trains: training and its
 * training-time evaluation sample G directly, and DRS runs in `tsgan eval` and `tsgan sample` on a GAN opened from a
 * checkpoint, so two runs that differ only here train bit-identically (the ring ablation's vanilla and rejection rows
 * log the same losses at every step). Sweeps train such runs once (src/core/sweep/sweepFile.ts).
 */
export const SAMPLING_KEYS = [
  "sampler",
  "rejectionCalibrationSteps",
  "rejectionCalibrationRateFactor",
  "rejectionQuantile",
] as const satisfies ReadonlyArray<keyof Config>;

/**
 * The keys of G's weight average (EMA): kept beside training, never read by it, so runs that differ only here (and
 * in SAMPLING_KEYS) train G and D bit-identically too (the ring ablation's vanilla and ema rows; the paper's MNIST
 * setup and its EMA recipe). A run with an average also holds the raw G of a run without one.
 */
export const AVERAGING_KEYS = ["generatorEma", "generatorEmaWarmup"] as const satisfies ReadonlyArray<keyof Config>;

/** Keys a resumed run may change; anything else would make the checkpoint describe a different model. */
export const RESUMABLE_OVERRIDES: ReadonlySet<string> = new Set([
  "steps",
  "sampleEvery",
  "checkpointEvery",
  "logEvery",
  "backend",
]);

/**
 * What `wanted` changes of a run made with `stored`, when that run can simply continue into it: the two differ only
 * in RESUMABLE_OVERRIDES (a longer `steps`, other intervals, another backend) and `steps` does not shrink. Training
 * reads `steps` only to know where to stop, so a run made longer this way ends with the weights of one trained that
 * long from the start. null when they differ elsewhere, when `steps` shrinks, or when nothing differs.
 */
export function longerRun(stored: unknown, wanted: unknown): Partial<Config> | null {
  const before = resolveConfig(stored) as Record<string, unknown>;
  const after = resolveConfig(wanted) as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    if (!RESUMABLE_OVERRIDES.has(key)) return null;
    changes[key] = after[key];
  }
  if (Object.keys(changes).length === 0 || (after.steps as number) < (before.steps as number)) return null;
  return changes as Partial<Config>;
}

/** `config` without its sampling and averaging keys: what decides the weights G and D end training with. */
export function trainingPart(config: Config): Partial<Config> {
  const training: Partial<Config> = { ...config };
  for (const key of [...SAMPLING_KEYS, ...AVERAGING_KEYS]) delete training[key];
  return training;
}

/**
 * Validates and fills defaults; any problem becomes a one-line ConfigError naming the key. A loss that prescribes
 * its own k (LOSS_DISCRIMINATOR_STEPS) supplies discriminatorSteps when the input leaves it unset.
 */
export function resolveConfig(input: unknown): Config {
  const result = ConfigSchema.safeParse(withLossDefaults(input));
  if (result.success) return checkLossOptions(result.data);
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? issue.path.join(".") : "";
  if (issue.code === "unrecognized_keys") {
    const key = [where, issue.keys[0]].filter(Boolean).join(".");
    throw new ConfigError(`config: unknown key "${key}"`);
  }
  throw new ConfigError(`config: ${where || "value"}: ${issue.message}`);
}

/** The input with its loss's own default k filled in when discriminatorSteps is unset. */
function withLossDefaults(input: unknown): unknown {
  if (!isPlainObject(input) || input.discriminatorSteps !== undefined) return input;
  const steps = LOSS_DISCRIMINATOR_STEPS[input.loss as LossName];
  return steps === undefined ? input : { ...input, discriminatorSteps: steps };
}

/** Refuses loss options that mean nothing for the loss, or that the networks cannot honour. */
function checkLossOptions(config: Config): Config {
  const smoothable: readonly LossName[] = LABEL_SMOOTHING_LOSSES;
  if (config.labelSmoothing > 0 && !smoothable.includes(config.loss)) {
    throw new ConfigError(
      `config: labelSmoothing: only the cross-entropy losses (${smoothable.join(", ")}) have real targets to smooth, ` +
        `not ${config.loss}`,
    );
  }
  const penalised = config.loss === "wasserstein-gp" || config.r1Gamma > 0;
  if (penalised && config.arch === "dcgan" && config.dcgan.discriminatorBatchNorm) {
    throw new ConfigError(
      `config: ${config.r1Gamma > 0 ? "r1Gamma" : "wasserstein-gp"}'s gradient penalty needs per-sample gradients, ` +
        "which BatchNorm in D mixes across the batch: set dcgan.discriminatorBatchNorm to false",
    );
  }
  const noRejection = config.sampler === "rejection" ? whyNoRejectionSampling(config) : null;
  if (noRejection !== null) throw new ConfigError(`config: ${noRejection}`);
  return checkPaperOptions(checkConditionalOptions(checkDataOptions(config)));
}

/**
 * Why Discriminator Rejection Sampling cannot run on `config`'s GAN with `calibrationSteps` D-only steps before it
 * (default: the config's), or null when it can. Its acceptance exp(logit D(x) − M) is p_data/p_g only where
 * logit D = log(p_data/p_g), i.e. D = D* = p_data/(p_data + p_g): the optimum of the cross-entropy D loss without
 * label smoothing, the loss that calibration fine-tunes D with (rejection.ts). A D trained with that loss may sample
 * as trained; one trained otherwise (hinge, least squares, a critic, 1 − α targets) needs calibration steps to move
 * it there. A packed D (PacGAN) judges one sample beside fixed partners (rejection.ts); a conditional D judges
 * (x, y) pairs, which this sampler does not draw.
 */
export function whyNoRejectionSampling(
  config: Config,
  calibrationSteps: number = config.rejectionCalibrationSteps,
): string | null {
  if (config.conditional !== "none") {
    return `sampler rejection is for unconditional GANs; this run is conditional (${config.conditional})`;
  }
  const trainedToOptimum = isCrossEntropyLoss(config.loss);
  if (calibrationSteps > 0 || (trainedToOptimum && config.labelSmoothing === 0)) return null;
  const trained = trainedToOptimum ? "label smoothing's 1 − α targets" : `${config.loss}'s D`;
  return (
    `sampler rejection needs D* = p_data/(p_data + p_g), and ${trained} is not it: ` +
    "set rejectionCalibrationSteps (--rejection-calibration-steps) above 0 so that calibration fine-tunes D with the cross-entropy loss"
  );
}

/** Refuses a conditional GAN where its labels have no meaning yet: one class, packs, the paper's simultaneous step. */
function checkConditionalOptions(config: Config): Config {
  if (config.conditional === "none") return config;
  if (config.classCount === 1) throw new ConfigError("config: classCount: a conditional GAN needs at least 2 classes");
  if (config.pack > 1) {
    throw new ConfigError(
      "config: pack: a conditional D judges one (x, y) pair at a time; packs of samples with their labels are not defined",
    );
  }
  if (config.simultaneousUpdates) {
    throw new ConfigError(
      "config: simultaneousUpdates: the paper's simultaneous step is unconditional; set it to false",
    );
  }
  return config;
}

/** Refuses the paper-reproduction options (schedules, initial bias, data subset) where they cannot mean anything. */
function checkPaperOptions(config: Config): Config {
  if (config.finalMomentum !== null && config.optimizer !== "sgd") {
    throw new ConfigError("config: finalMomentum ramps SGD's momentum; set optimizer to sgd");
  }
  const [rampStart, rampEnd] = config.momentumRampUpdates;
  if (rampEnd < rampStart) {
    throw new ConfigError(`config: momentumRampUpdates: the ramp ends (${rampEnd}) before it starts (${rampStart})`);
  }
  if (config.learningRateDecayStart > 0 && config.learningRateDecay === 1) {
    throw new ConfigError(
      "config: learningRateDecayStart says when learningRateDecay begins; with learningRateDecay 1 there is no decay to start",
    );
  }
  const slowest = Math.min(config.generatorLearningRate, config.discriminatorLearningRate);
  if (config.minimumLearningRate > slowest) {
    throw new ConfigError(
      `config: minimumLearningRate ${config.minimumLearningRate} is above a learning rate (${slowest})`,
    );
  }
  if (config.simultaneousUpdates && config.discriminatorSteps !== 1) {
    throw new ConfigError(
      `config: simultaneousUpdates updates D and G together once per minibatch: discriminatorSteps must be 1, not ${config.discriminatorSteps}`,
    );
  }
  if (config.mlp.generatorOutputBias === "data-marginals" && config.generatorOutput !== "sigmoid") {
    throw new ConfigError(
      "config: mlp.generatorOutputBias data-marginals is the logit of the mean pixel: set generatorOutput to sigmoid",
    );
  }
  const toy = (TOY_DATASET_NAMES as readonly string[]).includes(config.dataset);
  if (config.mlp.generatorOutputBias === "data-marginals" && toy) {
    throw new ConfigError(`config: mlp.generatorOutputBias data-marginals needs images; ${config.dataset} has none`);
  }
  return config;
}

/** Refuses data options that do not fit the dataset: a subset of a toy, labels for a dataset that has its own. */
function checkDataOptions(config: Config): Config {
  const toy = (TOY_DATASET_NAMES as readonly string[]).includes(config.dataset);
  if (config.trainImages !== null) {
    const [start, stop] = config.trainImages;
    if (toy) throw new ConfigError(`config: trainImages chooses images; ${config.dataset} is sampled afresh`);
    if (stop <= start)
      throw new ConfigError(`config: trainImages [${start}, ${stop}] is empty: stop must exceed start`);
  }
  if (config.idxLabels !== null && !config.dataset.startsWith(IDX_DATASET_PREFIX)) {
    throw new ConfigError(
      `config: idxLabels labels an ${IDX_DATASET_PREFIX}<images-file> dataset; ${config.dataset} brings its own labels or none`,
    );
  }
  return config;
}

/** Deep-merges config layers (plain objects merge key by key; arrays and scalars replace). */
export function mergeConfig(...layers: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      const existing = merged[key];
      merged[key] = isPlainObject(existing) && isPlainObject(value) ? mergeConfig(existing, value) : value;
    }
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The values a top-level key may take when it is a choice — an enum, or a list of one (evalMetrics) — read from the
 * schema itself, so help text and the lab list exactly what validation accepts; undefined for other keys.
 */
export function configChoices(key: keyof Config): readonly string[] | undefined {
  let field: z.ZodType = ConfigSchema.shape[key];
  while (field instanceof z.ZodDefault || field instanceof z.ZodPrefault) field = field.unwrap() as z.ZodType;
  if (field instanceof z.ZodArray) field = field.element as z.ZodType;
  return field instanceof z.ZodEnum ? (field.options as readonly string[]) : undefined;
}
