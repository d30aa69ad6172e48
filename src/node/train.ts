/**
 * `trainRun(config, out)`: everything `tsgan train` does, as a library call (flax's train_and_evaluate shape).
 * Core trains; this file subscribes to its events and writes the run directory.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Config, ConfigError, mergeConfig, RESUMABLE_OVERRIDES, resolveConfig } from "../core/config.js";
import { dataShape, type Dataset } from "../core/data/dataset.js";
import { networkInitialization } from "../core/models/index.js";
import {
  DivergenceError,
  trainAlgorithm1,
  type StepRecord,
  type TrainingEventMap,
} from "../core/training/algorithm1.js";
import { encodeCheckpoint } from "../core/training/checkpoint.js";
import { Events } from "../core/training/events.js";
import { withDataClassCount } from "../core/training/conditional.js";
import { createGan, disposeGan, type Gan } from "../core/training/gan.js";
import { CollapseMonitor } from "../core/training/collapse.js";
import { ganLoss } from "../core/losses/index.js";
import { SaturationWatchdog } from "../core/training/watchdog.js";
import { loadDatasetFor } from "./datasets.js";
import { assertFitsInMemory } from "./memory.js";
import { selectBackend } from "./engine/select.js";
import { RunLock } from "./run/lock.js";
import { openGan } from "./run/openGan.js";
import { RunDirectory, RunError, stepName, type RunStatus } from "./run/runDirectory.js";
import { fixedSampleInputs, writeSamplePicture } from "./run/samples.js";
import { evaluateDuringTraining, trainingMetrics } from "./trainingEval.js";
import { asWriteError, FileWriteError, writeFileAtomic } from "./visual/files.js";
import { evaluationCurvesSvg } from "./visual/curves.js";
import { lossCurvesSvg } from "./visual/plots.js";

// Lives in datasets.ts, which evaluation imports too (importing this file there would make a cycle).
export { loadDatasetFor } from "./datasets.js";

/** Keys a resumed run may change (their one home is src/core/config.ts, beside the other key groups). */
export { RESUMABLE_OVERRIDES };

/** Generated points in each toy plot (real points: as many, drawn fresh). */
const TOY_PLOT_SAMPLES = 1000;

/** Options of trainRun. */
export interface TrainRunOptions {
  /** Run directory to create (new run) — or, with `resume`, to continue. */
  out: string;
  /** The resolved config of a new run; ignored when resuming (the run's own config.json is used). */
  config?: Config;
  /** Continue the run in `out` from its latest checkpoint. */
  resume?: boolean;
  /** With `resume`: config keys to change (only RESUMABLE_OVERRIDES). */
  overrides?: Record<string, unknown>;
  /** Called after every iteration (progress bars). */
  onStep?: (record: StepRecord, gan: Gan) => void;
  /** One-line messages for the user. */
  log?: (line: string) => void;
  /** Warnings during training (saturation, collapse); default: `log`. They are also written to metrics.jsonl. */
  warn?: (line: string) => void;
  /** Polled between iterations; true stops after a checkpoint. */
  shouldStop?: () => boolean;
}

/** How trainRun ended: done or stopped (Ctrl-C, shouldStop), at which step, on which backend. */
export interface TrainRunResult {
  state: "done" | "stopped";
  step: number;
  backend: string;
  run: RunDirectory;
}

/** Reads the config stored in a run and applies the allowed overrides. */
async function resumedConfig(run: RunDirectory, overrides: Record<string, unknown>): Promise<Config> {
  for (const key of Object.keys(overrides)) {
    if (!RESUMABLE_OVERRIDES.has(key)) {
      throw new ConfigError(
        `config: ${key} cannot change when resuming (allowed: ${[...RESUMABLE_OVERRIDES].join(", ")})`,
      );
    }
  }
  return resolveConfig(mergeConfig((await run.readConfig()) as Record<string, unknown>, overrides));
}

/** Trains a new run into `out` (or resumes it): everything `tsgan train` does; see the file comment. */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const existing = options.resume ? await RunDirectory.open(options.out) : undefined;
  const requested = existing ? await resumedConfig(existing, options.overrides ?? {}) : options.config;
  if (!requested) throw new ConfigError("config: missing");
  // Everything that can reject the config (dataset, backend, model shapes) runs before a new run directory exists.
  const dataset = loadDatasetFor(requested);
  const config = withDataClassCount(requested, dataset); // a conditional run's classes come from its data's labels
  assertFitsInMemory(config, dataShape(dataset));
  if (existing) return resumeRun(existing, config, dataset, options, log);
  const backend = await selectBackend(config.backend, log);
  const gan = createGan(config, dataShape(dataset), networkInitialization(config, dataset));
  let lock: RunLock | undefined;
  try {
    await mkdir(options.out, { recursive: true }).catch((error: unknown) => {
      throw asWriteError(error, options.out);
    });
    lock = await RunLock.acquire(options.out, log); // a live trainer of an existing run here refuses us first
    const run = await RunDirectory.create(options.out, config); // refuses to overwrite an existing run
    return await trainInto(run, gan, dataset, backend, options);
  } finally {
    disposeGan(gan);
    await lock?.release();
  }
}

/**
 * Continues a run from its newest intact checkpoint (damaged newer ones are named and passed over), or from
 * iteration 0 with its saved config when it was stopped before its first checkpoint.
 */
async function resumeRun(
  run: RunDirectory,
  config: Config,
  dataset: Dataset,
  options: TrainRunOptions,
  log: (line: string) => void,
): Promise<TrainRunResult> {
  const lock = await RunLock.acquire(run.root, log);
  let gan: Gan | undefined;
  try {
    await run.removeTemporaries(); // partial writes of a killed trainer; the lock says nobody else writes here
    const checkpoint = await run.newestIntactCheckpoint(log);
    let backend: string;
    if (checkpoint) {
      // The checkpoint whole (optimizers' moments and step counts too), built with the resumed config.
      ({ gan, backend } = await openGan(run, { checkpoint, config, log }));
      checkDataShape(gan, dataset);
      log(`tsgan: resuming ${run.root} at step ${gan.step} of ${config.steps}`);
    } else {
      backend = await selectBackend(config.backend, log);
      gan = createGan(config, dataShape(dataset), networkInitialization(config, dataset));
      log(`tsgan: ${run.root} has no checkpoint yet; starting it from iteration 0 with its saved config`);
    }
    await run.truncateMetrics(gan.step, log);
    await run.writeConfig(config);
    const lastCheckpoint = checkpoint ? stepName(checkpoint.manifest.step) : undefined;
    return await trainInto(run, gan, dataset, backend, options, lastCheckpoint);
  } finally {
    if (gan) disposeGan(gan);
    await lock.release();
  }
}

/** A resumed run's data must still have the shape its networks were built for (an idx: file may have changed). */
function checkDataShape(gan: Gan, dataset: Dataset): void {
  const shape = dataShape(dataset);
  if (shape.join("×") !== gan.dataShape.join("×")) {
    throw new RunError(
      `${gan.config.dataset}: samples are now ${shape.join("×")}, the checkpoint's networks expect ${gan.dataShape.join("×")}`,
    );
  }
}

async function trainInto(
  run: RunDirectory,
  gan: Gan,
  dataset: Dataset,
  backend: string,
  options: TrainRunOptions,
  resumedFrom?: string,
): Promise<TrainRunResult> {
  const { config } = gan;
  const events = new Events<TrainingEventMap>();
  // Toy plots need enough generated points to show the distribution; image grids show 8×8 (conditional: a row a class).
  const { noise, choice } = fixedSampleInputs(config, dataset, TOY_PLOT_SAMPLES);
  const status = (state: RunStatus["state"], extra: Partial<RunStatus> = {}) =>
    run.writeStatus({ state, step: gan.step, steps: config.steps, backend, ...extra });
  let lastCheckpoint = resumedFrom;
  const warn = options.warn ?? options.log ?? ((line: string) => console.error(line));

  const evaluationMetrics = config.evalEvery > 0 ? trainingMetrics(config) : [];
  const collapse = new CollapseMonitor();
  // Saturation is a probability threshold on D(x) and D(G(z)); a critic's raw scores have none (losses/types.ts).
  const saturation =
    ganLoss(config.loss).scoreMeaning === "probability" ? new SaturationWatchdog({ loss: config.loss }) : undefined;
  events.on("step", async (record) => {
    const warnings: string[] = [];
    const saturationWarning = saturation?.observe(record);
    if (saturationWarning) warnings.push(saturationWarning.message);
    if (evaluationMetrics.length > 0 && record.step % config.evalEvery === 0) {
      const evaluation = await evaluateDuringTraining(gan, evaluationMetrics, record.step);
      record.eval = evaluation.values;
      const collapseWarning = evaluation.coverage && collapse.observe(record.step, evaluation.coverage);
      if (collapseWarning) warnings.push(collapseWarning);
    }
    if (warnings.length > 0) {
      record.warnings = warnings;
      for (const warning of warnings) warn(`tsgan: warning: ${warning}`);
    }
    const due = record.step % config.logEvery === 0 || record.step === config.steps;
    if (due || record.eval || record.warnings) await run.appendMetrics(record);
    options.onStep?.(record, gan);
  });
  events.on("samples", async ({ step }) => {
    const name = stepName(step);
    const path = dataset.kind === "images" ? join(run.samplesDir, `${name}.png`) : join(run.samplesDir, `${name}.svg`);
    await writeSamplePicture(gan, dataset, noise, path, `${config.dataset}, step ${step}`, choice);
  });
  events.on("checkpoint", async ({ step }) => {
    const { manifest, data } = encodeCheckpoint(gan);
    await run.writeCheckpoint(manifest, data);
    lastCheckpoint = stepName(step);
    const records = await run.readMetrics();
    await writeFileAtomic(join(run.plotsDir, "losses.svg"), await lossCurvesSvg(records, gan.loss.scoreMeaning));
    const evaluationCurves = await evaluationCurvesSvg(records); // null unless --eval-every logged something
    if (evaluationCurves) await writeFileAtomic(join(run.plotsDir, "eval.svg"), evaluationCurves);
    await status("running", { lastCheckpoint });
  });

  await status("running");
  try {
    const state = await trainAlgorithm1(
      gan,
      dataset,
      events,
      options.shouldStop ? { shouldStop: options.shouldStop } : {},
    );
    await status(
      state,
      state === "stopped" ? { lastCheckpoint, message: "interrupted; resume with --resume" } : { lastCheckpoint },
    );
    return { state, step: gan.step, backend, run };
  } catch (error) {
    if (error instanceof FileWriteError) {
      const intact = lastCheckpoint ? `checkpoint ${lastCheckpoint} is intact` : "no checkpoint was written yet";
      error.message += `; ${intact}: make room, then tsgan train --resume ${run.root}`;
    }
    const why =
      error instanceof DivergenceError || error instanceof FileWriteError
        ? error.message
        : `${(error as Error).name}: ${(error as Error).message}`;
    // Best effort: on a full or read-only disk this write fails too, and the error above is the one to report.
    await status("failed", {
      message: `${why}${lastCheckpoint ? `; last good checkpoint ${lastCheckpoint}` : ""}`,
      ...(lastCheckpoint ? { lastCheckpoint } : {}),
    }).catch(() => undefined);
    throw error;
  } finally {
    noise.dispose();
  }
}
