/**
 * `evaluateRun(options)`: everything `tsgan eval` does, as a library call. Loads a run's checkpoint, generates N
 * samples with G in inference mode (the EMA generator when the run keeps one, unless `rawGenerator`) — directly, or
 * with Discriminator Rejection Sampling when the sampler is `rejection` (src/core/training/rejection.ts: D is
 * calibrated in memory first; the checkpoint is never rewritten) — computes the requested metrics (default: every
 * metric that applies to the dataset), and writes them to `<run>/eval/<checkpoint>.json` atomically, merged with
 * metrics computed earlier for the same checkpoint.
 *
 *   const { report, path } = await evaluateRun({ run: "runs/ring", metrics: ["modes"] });
 *
 * Every metric is an object of src/core/metrics (index.ts lists them); this file supplies their context — the
 * generated samples, and for toys the distribution, fresh real samples and D's logits, for images the splits and the
 * classifier's outputs (evaluateImages.ts) — and loops over the requested ones. Toys (modes, divergence) run in
 * seconds. Image metrics need the official splits, and all but Parzen need our classifier (MNIST, Fashion-MNIST),
 * imported on demand so that toy runs never load it.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  ConfigError,
  isCrossEntropyLoss,
  resolveConfig,
  whyNoRejectionSampling,
  type SamplerName,
} from "../core/config.js";
import type { Dataset } from "../core/data/dataset.js";
import { isToyDistributionName, toyDistribution } from "../core/data/toys.js";
import type { BackendName } from "../core/engine/backend.js";
import { Rng } from "../core/engine/random.js";
import {
  applicableMetrics,
  metricByName,
  metricInfo,
  whyNotApplicable,
  type EvaluationContext,
  type EvaluationProgress,
  type MetricContext,
  type MetricName,
  type MetricResults,
} from "../core/metrics/index.js";
import { PACGAN_SAMPLES } from "../core/metrics/modes.js";
import { PARZEN_SAMPLES } from "../core/metrics/parzen.js";
import { STACKED_MODES_SAMPLES } from "../core/metrics/stackedModes.js";
import type { ImageClassifier } from "../core/metrics/types.js";
import { cyclingLabels } from "../core/training/conditional.js";
import { disposeGan, type Gan } from "../core/training/gan.js";
import { sampleNoise } from "../core/training/noise.js";
import { rejectionSampleGan } from "../core/training/rejection.js";
import { discriminatorLogits } from "../core/training/sampling.js";
import { loadDatasetFor } from "./datasets.js";
import { classifierDatasetFor, hasImageSplits, imageEvaluation } from "./evaluateImages.js";
import { openGan } from "./run/openGan.js";
import { RunDirectory, stepName } from "./run/runDirectory.js";
import { generate } from "./run/samples.js";
import { writeFileAtomic } from "./visual/files.js";

/** The format tag of eval/<checkpoint>.json. */
export const EVALUATION_FORMAT = "tsgan-eval/1";
/** Default sample count for images: the Parzen protocol's 10 000 (also 10 000 per side for Fréchet distance). */
export const DEFAULT_IMAGE_SAMPLES = PARZEN_SAMPLES;
/** Default sample count for toys: PacGAN's 2 500. */
export const DEFAULT_TOY_SAMPLES = PACGAN_SAMPLES;
/** G runs on this many points at a time. */
const GENERATION_CHUNK = 1000;
/** The purpose that keys evaluation's rejection sampling (calibration, proposals, decisions) under its seed. */
const EVAL_REJECTION_PURPOSE = "eval/rejection";

export type { EvaluationProgress };

/** Options of evaluateRun. */
export interface EvaluateRunOptions {
  /** The run directory. */
  run: string;
  /** Checkpoint step (default: the latest). */
  checkpoint?: number;
  /** Metrics to compute (default: all that apply to the run's dataset). Unknown or inapplicable: ConfigError. */
  metrics?: readonly string[];
  /** Generated samples (default DEFAULT_IMAGE_SAMPLES for images, DEFAULT_TOY_SAMPLES for toys). */
  samples?: number;
  /**
   * Where the report goes (default: <run>/eval/<checkpoint>.json, which sweep reports read). Another file keeps a
   * second evaluation (another sampler, seed or sample count) from replacing the run's own numbers.
   */
  out?: string;
  /** Seed of the evaluation's noise and fresh real samples (default: the run's seed). */
  seed?: number;
  /** Evaluate G itself even when the run keeps an EMA generator (default: the EMA generator when present). */
  rawGenerator?: boolean;
  /** How samples are drawn: G directly, or Discriminator Rejection Sampling (default: the run's config.sampler). */
  sampler?: SamplerName;
  /** Rejection sampling's γ-shift quantile (default: the run's config.rejectionQuantile; null = the exact rule). */
  rejectionQuantile?: number | null;
  /** Rejection sampling's D-only calibration steps (default: the run's config.rejectionCalibrationSteps). */
  calibrationSteps?: number;
  /** TF.js backend (default: the run's config.backend). */
  backend?: BackendName;
  /** A classifier to use instead of our committed one (tests, or another dataset's). */
  classifier?: ImageClassifier;
  /** Progress of long phases. */
  onProgress?: (progress: EvaluationProgress) => void;
  /** One-line notices (e.g. the backend hint). Default: stderr. */
  log?: (line: string) => void;
}

/** One metric's stored result. */
export interface MetricEntry<Name extends MetricName = MetricName> {
  result: MetricResults[Name];
  /** Generated samples it used. */
  samples: number;
  /** The evaluation seed. */
  seed: number;
  /** Which generator drew the samples: G itself, or the EMA of its weights (absent in reports before EMA existed). */
  generator?: "raw" | "ema";
  /** How the samples were drawn: G directly or by rejection sampling (absent in reports before samplers existed). */
  sampler?: SamplerName;
  /** Rejection sampling: D-only calibration steps before sampling. */
  calibrationSteps?: number;
  /** Rejection sampling: accepted / judged proposals. */
  acceptanceRate?: number;
  /** Rejection sampling: the γ shift's quantile of F, null for the exact rule (absent before the shift existed). */
  rejectionQuantile?: number | null;
  /** Wall-clock seconds for this metric (its share of shared work such as classifier features excluded). */
  seconds: number;
  computedAt: string;
}

/** The content of eval/<checkpoint>.json. */
export interface EvaluationReport {
  format: typeof EVALUATION_FORMAT;
  /** The checkpoint's directory name, e.g. "step_002000", and its step. */
  checkpoint: string;
  step: number;
  dataset: string;
  /** The backend of the latest evaluation. */
  backend: string;
  metrics: { [Name in MetricName]?: MetricEntry<Name> };
}

/** What evaluateRun wrote. */
export interface EvaluateRunResult {
  /** The file written. */
  path: string;
  /** The whole report, including metrics computed earlier and kept. */
  report: EvaluationReport;
  /** The metrics computed by this call: those asked for, or all that apply in list order. */
  computed: MetricName[];
}

/** Evaluates a run's checkpoint; see the file comment. */
export async function evaluateRun(options: EvaluateRunOptions): Promise<EvaluateRunResult> {
  const run = await RunDirectory.open(options.run);
  const { manifest, tensors } = await run.readCheckpoint(options.checkpoint);
  const config = resolveConfig(manifest.config);
  const isToy = isToyDistributionName(config.dataset);
  const context = evaluationContext(config.dataset, options.classifier !== undefined);
  const names = chooseMetrics(options.metrics, context);
  const sampleCount = options.samples ?? defaultSampleCount(config.dataset, isToy);
  if (!Number.isSafeInteger(sampleCount) || sampleCount < 2) {
    throw new ConfigError(`samples: need an integer ≥ 2, got ${sampleCount}`);
  }
  const seed = options.seed ?? config.seed;
  const progress = options.onProgress ?? (() => {});
  const sampler = options.sampler ?? config.sampler;
  const noRejection = sampler === "rejection" ? whyNoRejectionSampling(config, options.calibrationSteps) : null;
  if (noRejection !== null) throw new ConfigError(noRejection);

  const { gan, backend } = await openGan(run, {
    checkpoint: { manifest, tensors },
    backend: options.backend,
    weightsOnly: true,
    log: options.log,
  });
  let computed: EvaluationReport["metrics"];
  try {
    computed = await evaluateGan({
      gan,
      names,
      samples: sampleCount,
      seed,
      rawGenerator: options.rawGenerator ?? false,
      sampler,
      ...(sampler === "rejection" ? { dataset: loadDatasetFor(config) } : {}),
      ...(options.rejectionQuantile !== undefined ? { rejectionQuantile: options.rejectionQuantile } : {}),
      ...(options.calibrationSteps !== undefined ? { calibrationSteps: options.calibrationSteps } : {}),
      classifier: options.classifier,
      onProgress: progress,
    });
  } finally {
    disposeGan(gan);
  }

  const path = options.out ?? join(run.root, "eval", `${stepName(manifest.step)}.json`);
  const previous = await readPreviousReport(path);
  const report: EvaluationReport = {
    format: EVALUATION_FORMAT,
    checkpoint: stepName(manifest.step),
    step: manifest.step,
    dataset: config.dataset,
    backend,
    metrics: { ...(previous?.dataset === config.dataset ? previous.metrics : {}), ...computed },
  };
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  return { path, report, computed: names };
}

/** Generated samples `tsgan eval` draws unless told: each protocol's own count (stacked-mnist: 26 000). */
function defaultSampleCount(dataset: string, isToy: boolean): number {
  if (isToy) return DEFAULT_TOY_SAMPLES;
  return dataset === "stacked-mnist" ? STACKED_MODES_SAMPLES : DEFAULT_IMAGE_SAMPLES;
}

/** What a dataset offers to the metrics. */
export function evaluationContext(dataset: string, hasCustomClassifier = false): EvaluationContext {
  const isToy = isToyDistributionName(dataset);
  return {
    kind: isToy ? "toy" : "images",
    dataset,
    classifier: hasCustomClassifier || classifierDatasetFor(dataset) !== undefined,
    splits: hasImageSplits(dataset),
  };
}

/** Options of evaluateGan. */
export interface EvaluateGanOptions {
  /** The GAN in memory (e.g. during training, or restored from a checkpoint). */
  gan: Gan;
  names: readonly MetricName[];
  /** Generated samples to draw. */
  samples: number;
  /** Seed of the noise and of fresh real samples. */
  seed: number;
  /** Sample from G itself even when the GAN keeps an EMA generator (default: the EMA generator when present). */
  rawGenerator?: boolean;
  /**
   * How samples are drawn (default: directly, whatever the config says: training-time evaluation must not calibrate
   * the live D). `rejection` calibrates the GAN's D in memory, then rejection-samples (needs `dataset`).
   */
  sampler?: SamplerName;
  /** The real data that rejection sampling calibrates D on (the run's training data). */
  dataset?: Dataset;
  /** Rejection sampling's γ-shift quantile (default: the GAN's config.rejectionQuantile). */
  rejectionQuantile?: number | null;
  /** Rejection sampling's D-only calibration steps (default: the GAN's config.rejectionCalibrationSteps). */
  calibrationSteps?: number;
  classifier?: ImageClassifier | undefined;
  /** Called as sampling and each metric advance (progress bars). */
  onProgress?: (progress: EvaluationProgress) => void;
}

/**
 * Computes metrics for a GAN in memory: generates samples (G in inference mode; directly, or by rejection sampling),
 * then each metric.
 */
export async function evaluateGan(options: EvaluateGanOptions): Promise<EvaluationReport["metrics"]> {
  const { gan, names, samples, seed } = options;
  const progress = options.onProgress ?? (() => {});
  const computed: Partial<Record<MetricName, MetricEntry>> = {};
  const rawGenerator = options.rawGenerator ?? false;
  const generator = gan.generatorEma && !rawGenerator ? "ema" : "raw";
  const sampler = options.sampler ?? "direct";
  let drawn: { generated: Float32Array; labels: Int32Array | undefined };
  let rejection: Pick<MetricEntry, "calibrationSteps" | "acceptanceRate" | "rejectionQuantile"> = {};
  if (sampler === "rejection") {
    if (!options.dataset) throw new ConfigError("rejection sampling calibrates D on real data: pass the dataset");
    const result = rejectionSampleGan(gan, options.dataset, samples, {
      seed,
      purpose: EVAL_REJECTION_PURPOSE,
      rawGenerator,
      ...(options.rejectionQuantile !== undefined ? { quantile: options.rejectionQuantile } : {}),
      ...(options.calibrationSteps !== undefined ? { calibrationSteps: options.calibrationSteps } : {}),
      onProgress: progress,
    });
    drawn = { generated: result.samples, labels: undefined }; // rejection sampling is unconditional
    rejection = {
      calibrationSteps: result.calibrationSteps,
      acceptanceRate: result.acceptanceRate,
      rejectionQuantile: result.quantile,
    };
  } else {
    drawn = await generateSamples(gan, samples, seed, rawGenerator, progress);
  }
  // D's V(D, G) means nothing once D is recalibrated and the samples are no longer G's: left out under rejection.
  const withLogits = sampler === "direct";
  const evaluation = metricContext(gan, drawn.generated, drawn.labels, seed, options.classifier, progress, withLogits);
  try {
    for (const [index, name] of names.entries()) {
      const started = performance.now();
      const sharedBefore = evaluation.sharedSeconds();
      // Toy metrics take a moment each; image metrics report their own long phases.
      if (evaluation.context.toy) progress({ phase: name, done: 0, total: 1 });
      const result = (await metricByName(name).compute(evaluation.context)) as MetricResults[MetricName];
      const seconds = elapsed(started) - (evaluation.sharedSeconds() - sharedBefore);
      const computedAt = new Date().toISOString();
      computed[name] = { result, samples, seed, generator, sampler, ...rejection, seconds, computedAt };
      if (evaluation.context.toy) progress({ phase: name, done: 1, total: 1 });
      if (index < names.length - 1) await yieldToEventLoop();
    }
  } finally {
    evaluation.dispose();
  }
  return computed as EvaluationReport["metrics"];
}

/** The metrics' context for `gan`'s dataset, what shared work cost so far, and how to free what it loaded. */
function metricContext(
  gan: Gan,
  generated: Float32Array,
  requestedClasses: Int32Array | undefined,
  seed: number,
  classifier: ImageClassifier | undefined,
  onProgress: (progress: EvaluationProgress) => void,
  withLogits: boolean,
): { context: MetricContext; sharedSeconds(): number; dispose(): void } {
  const dataset = gan.config.dataset;
  if (!isToyDistributionName(dataset)) {
    const { config, dataShape } = gan;
    const images = imageEvaluation({ config, dataShape, generated, requestedClasses, classifier, onProgress });
    return { context: { dataset, images: images.data, onProgress }, ...images };
  }
  const distribution = toyDistribution(dataset);
  const count = generated.length / distribution.dimension;
  let real: Float32Array | undefined;
  // V(D, G) of the trained D needs D(x) = σ(output): only the cross-entropy losses' D outputs a logit of it, and
  // only an unpacked (pack 1), unconditional D judges one point x alone (PacGAN's D is a function of packs, a
  // conditional one judges (x, y) pairs).
  const { loss, pack, conditional } = gan.config;
  const probabilityD = withLogits && isCrossEntropyLoss(loss) && pack === 1 && conditional === "none";
  const toy = {
    distribution,
    generated,
    real: () => (real ??= distribution.sample(count, Rng.derive(seed, "eval/real"))),
    ...(probabilityD ? { logits: (points: Float32Array, rows: number) => discriminatorLogits(gan, points, rows) } : {}),
  };
  return { context: { dataset, toy, onProgress }, sharedSeconds: () => 0, dispose: () => {} };
}

/** The requested metrics, checked; or all that apply. */
export function chooseMetrics(requested: readonly string[] | undefined, context: EvaluationContext): MetricName[] {
  if (requested === undefined) {
    const names = applicableMetrics(context);
    if (names.length === 0) throw new ConfigError(`no evaluation metric applies to dataset ${context.dataset}`);
    return names;
  }
  if (requested.length === 0) throw new ConfigError("no metric named");
  const names = [...new Set(requested.map((name) => metricInfo(name).name))];
  for (const name of names) {
    const why = whyNotApplicable(name, context);
    if (why !== null) throw new ConfigError(why);
  }
  return names;
}

/**
 * N samples G(z), z from the training prior, G (or its EMA) in inference mode, in chunks: [count, ...dataShape].
 * A conditional G is asked for every class in turn (labels [count]: 0, 1, …, K − 1, 0, …), so classes are balanced.
 */
async function generateSamples(
  gan: Gan,
  count: number,
  seed: number,
  rawGenerator: boolean,
  progress: (progress: EvaluationProgress) => void,
): Promise<{ generated: Float32Array; labels: Int32Array | undefined }> {
  const size = gan.dataShape.reduce((a, b) => a * b, 1);
  const samples = new Float32Array(count * size);
  const { conditional, classCount } = gan.config;
  const labels = conditional === "none" ? undefined : cyclingLabels(classCount, count);
  for (let start = 0, chunk = 0; start < count; start += GENERATION_CHUNK, chunk++) {
    const rows = Math.min(GENERATION_CHUNK, count - start);
    const noise = sampleNoise(gan.config, rows, Rng.derive(seed, "eval/noise", chunk));
    const choice = labels ? { rawGenerator, labels: labels.slice(start, start + rows) } : { rawGenerator };
    samples.set(generate(gan, noise, choice), start * size);
    noise.dispose();
    progress({ phase: "generating samples", done: start + rows, total: count });
    await yieldToEventLoop();
  }
  return { generated: samples, labels };
}

/** Seconds since `started` (a performance.now() value). */
export function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

/** The report already in `path`, or null when there is none or it cannot be read. */
async function readPreviousReport(path: string): Promise<EvaluationReport | null> {
  if (!existsSync(path)) return null;
  try {
    const report = JSON.parse(await readFile(path, "utf8")) as EvaluationReport;
    return report.format === EVALUATION_FORMAT ? report : null;
  } catch {
    return null; // a corrupt file is replaced
  }
}
