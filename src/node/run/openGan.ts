/**
 * `openGan(run, { checkpoint })`: the one way Node rebuilds a GAN from a run directory — `tsgan sample`, `tsgan eval`
 * and `tsgan train --resume` all call it. It reads the checkpoint, selects the backend, and hands the bytes to the
 * core's `restoreGan` (src/core/training/checkpoint.ts), which the lab's run viewer calls on bytes fetched over HTTP.
 * The GAN comes back whole: with its EMA generator when the run keeps one (which generator samples is the caller's
 * choice, `samplingGenerator`) and with spectral normalization's ũ, ṽ.
 *
 *   const { gan, manifest } = await openGan("runs/ring", { weightsOnly: true });
 *   try { ... } finally { disposeGan(gan); }
 */
import { resolveConfig, type BackendName, type Config } from "../../core/config.js";
import { restoreGan, type CheckpointManifest } from "../../core/training/checkpoint.js";
import type { Gan } from "../../core/training/gan.js";
import { selectBackend } from "../engine/select.js";
import { RunDirectory } from "./runDirectory.js";

/** A checkpoint as `RunDirectory.readCheckpoint` returns it. */
export type RunCheckpoint = Awaited<ReturnType<RunDirectory["readCheckpoint"]>>;

/** Options of openGan. */
export interface OpenGanOptions {
  /** Which checkpoint: its step (default: the latest), or one the caller has already read to check it first. */
  checkpoint?: number | RunCheckpoint;
  /** The engine (default: the one the run's config names). */
  backend?: BackendName;
  /** Only G's and D's variables (sampling, evaluation); default false: optimizers' state too, as a resume needs. */
  weightsOnly?: boolean;
  /** The config to build with when it differs from the checkpoint's in keys that keep the model (a resume's). */
  config?: Config;
  /** One-line notices (the backend hint). Default: stderr. */
  log?: (line: string) => void;
}

/** What openGan returns. */
export interface OpenedGan {
  /** The restored GAN; the caller disposes it (disposeGan). */
  gan: Gan;
  /** The checkpoint's manifest (its step, config and data shape). */
  manifest: CheckpointManifest;
  run: RunDirectory;
  /** The backend selected. */
  backend: string;
}

/** Opens the GAN of a run's checkpoint; see the file comment. */
export async function openGan(run: string | RunDirectory, options: OpenGanOptions = {}): Promise<OpenedGan> {
  const directory = typeof run === "string" ? await RunDirectory.open(run) : run;
  const { manifest, tensors } =
    typeof options.checkpoint === "object" ? options.checkpoint : await directory.readCheckpoint(options.checkpoint);
  const config = options.config ?? resolveConfig(manifest.config);
  const backend = await selectBackend(options.backend ?? config.backend, options.log);
  const gan = restoreGan(manifest, tensors, { config, weightsOnly: options.weightsOnly ?? false });
  return { gan, manifest, run: directory, backend };
}
