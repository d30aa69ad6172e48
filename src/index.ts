/**
 * `tsgan`: the isomorphic core — runs in Node and in browsers (no `node:` imports, no files). Build a GAN from a
 * config, train it with Algorithm 1 of Goodfellow et al. 2014 while listening to its events, sample it, evaluate it,
 * save and restore it as bytes. Files, run directories and the native engine are `tsgan/node`'s.
 *
 * ```ts
 * await useBackend("auto");
 * const config = configFromLayers({ dataset: "ring-2d", steps: 300 });
 * const dataset = toyDataset(toyDistribution(config.dataset));
 * const gan = createGan(config, dataShape(dataset));
 * await trainAlgorithm1(gan, dataset, new Events<TrainingEventMap>());
 * const points = sampleGan(gan, 1000); // [1000, 2] row-major
 * ```
 *
 * What is exported here is deliberate (docs/design.md, "The public API"); everything else under src/ is internal and
 * may change without notice.
 * @packageDocumentation
 */

// Configuration: the typed schema, every default with its reason, the per-dataset presets, the lists of choices.
export {
  ARCHITECTURE_NAMES,
  BACKEND_NAMES,
  BROWSER_BACKEND_NAMES,
  ConfigError,
  ConfigSchema,
  configChoices,
  GENERATOR_OUTPUT_NAMES,
  IMAGE_DATASET_NAMES,
  LOSS_NAMES,
  mergeConfig,
  METRIC_NAMES,
  NODE_BACKEND_NAMES,
  OPTIMIZER_NAMES,
  PRIOR_NAMES,
  resolveConfig,
  SAMPLER_NAMES,
  SPECTRAL_NORM_NAMES,
  TOY_DATASET_NAMES,
  whyNoRejectionSampling,
  type ArchitectureName,
  type BackendName,
  type Config,
  type ConfigInput,
  type DcganConfig,
  type GeneratorOutputName,
  type LossName,
  type MetricName,
  type MlpConfig,
  type OptimizerName,
  type PriorName,
  type SamplerName,
  type SpectralNormName,
  type ToyDatasetName,
} from "./core/config.js";
export { configFromLayers, presetFor } from "./core/presets.js";

// Engine: which TF.js backend runs the tensors, and the counter-based randomness every draw comes from.
export { BackendError, registerBackendProvider, useBackend, type BackendProvider } from "./core/engine/backend.js";
export { hashSeed, Rng, type SeedPart } from "./core/engine/random.js";

// Data: the toy distributions (sampler + exact density), image datasets from IDX bytes, their shapes.
export {
  dataShape,
  imageDatasetFromIdx,
  PIXEL_RANGES,
  toyDataset,
  type Dataset,
  type ImageDataset,
  type PixelRange,
  type ToyDataset,
} from "./core/data/dataset.js";
export { DataError } from "./core/data/errors.js";
export {
  encodeIdx,
  parseIdx,
  type IdxArray,
  type IdxData,
  type IdxType,
  type ParseIdxOptions,
} from "./core/data/idx.js";
export {
  gaussianMixture,
  TOY_DISTRIBUTIONS,
  toyDistribution,
  type GaussianMixtureSpec,
  type ToyDistribution,
  type ToyDistributionName,
} from "./core/data/toys.js";

// The GAN: networks and optimizers put together, and the losses it can train with.
export {
  assembleGan,
  createGan,
  disposeGan,
  samplingGenerator,
  withParts,
  type Gan,
  type GanParts,
} from "./core/training/gan.js";
export type { Network } from "./core/models/network.js";
export type { ApplyOptions, ParameterSpec, ParameterStore } from "./core/models/layers.js";
export type { Optimizer, OptimizerState } from "./core/training/optimizers.js";
export {
  GAN_LOSSES,
  ganLoss,
  type DiscriminatorLossOptions,
  type GanLoss,
  type GanLossName,
  type ScoreMeaning,
} from "./core/losses/index.js";

// Training: Algorithm 1 and its events, or its two steps for a loop of one's own.
export {
  DivergenceError,
  trainAlgorithm1,
  type StepRecord,
  type TrainingEventMap,
  type TrainOptions,
} from "./core/training/algorithm1.js";
export { Events, type Handler } from "./core/training/events.js";
export {
  discriminatorStep,
  generatorStep,
  type DiscriminatorStepMetrics,
  type DiscriminatorStepOptions,
  type GeneratorStepMetrics,
  type StepSeeds,
} from "./core/training/steps.js";

// Sampling: noise from the prior, new samples in inference mode.
export { fixedNoise, sampleNoise } from "./core/training/noise.js";
export {
  discriminatorLogits,
  generate,
  sampleGan,
  type GeneratorChoice,
  type SampleOptions,
} from "./core/training/sampling.js";
// Discriminator Rejection Sampling (Azadi et al. 2019): calibrate D on the sampling generator, keep G's samples by D.
export {
  calibrateDiscriminator,
  DRS_BURN_IN,
  MAX_PROPOSALS_PER_SAMPLE,
  RejectionSamplingError,
  rejectionSample,
  rejectionSampleGan,
  type RejectionLoopOptions,
  type RejectionLoopResult,
  type RejectionSampleOptions,
  type RejectionSampleResult,
  type SamplingProgress,
} from "./core/training/rejection.js";

// Checkpoints as bytes (a run directory's, or fetched by a browser): encode, and the one way to restore.
export {
  CheckpointError,
  encodeCheckpoint,
  restoreGan,
  type CheckpointManifest,
  type RestoreGanOptions,
  type TensorEntry,
} from "./core/training/checkpoint.js";

// Metrics: one object per metric; `tsgan/node`'s evaluateGan computes them for a GAN.
export {
  applicableMetrics,
  metricByName,
  METRICS,
  type EvaluationContext,
  type MetricResults,
} from "./core/metrics/index.js";
export type {
  ClassifierOutputs,
  DataKind,
  EvaluationProgress,
  ImageData,
  LogitsFunction,
  Metric,
  MetricContext,
  SummaryRow,
  ToyData,
} from "./core/metrics/metric.js";
export type { ImageClassifier } from "./core/metrics/types.js";
export type { Matrix } from "./core/metrics/matrix.js";
export type { CoverageObservation } from "./core/training/collapse.js";
export type { MetricsLog } from "./core/training/metricsLog.js";
export type { NetworkInitialization } from "./core/models/initialization.js";
export type { PortableLayer } from "./core/models/portable.js";
export type { OutputActivation } from "./core/models/output.js";
export type { StepLabels } from "./core/training/conditional.js";
