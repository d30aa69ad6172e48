/**
 * `tsgan export`: a run's generator as a standard TF.js model in a directory of its own —
 *
 *   DIR/model.json              topology + weights manifest (tf.loadLayersModel reads it)
 *   DIR/group1-shard1of1.bin    the weights (4 MiB shards)
 *   DIR/generator.json          prior, latent size, output range, data shape, source run and step, tsgan version
 *
 * The generator is the one `tsgan sample` draws with (the EMA generator when the run keeps one, unless rawGenerator),
 * in inference mode (src/core/export/generatorModel.ts). The directory is written under a temporary name and renamed
 * into place, so it is never half-written, and an existing non-empty DIR is refused: nothing is overwritten.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generatorCard, MODEL_FILE, type GeneratorCard } from "../../core/export/generatorCard.js";
import { layersModelFiles, toLayersModel } from "../../core/export/generatorModel.js";
import { disposeGan, samplingGenerator } from "../../core/training/gan.js";
import { openGan } from "../run/openGan.js";
import { RunDirectory, RunError } from "../run/runDirectory.js";
import { asWriteError, temporaryPathFor } from "../visual/files.js";

export const CARD_FILE = "generator.json";

/** What `tsgan export` exports, and where. */
export interface ExportOptions {
  /** The run directory. */
  run: string;
  /** Checkpoint step (default: the latest). */
  checkpoint?: number;
  /** Export G itself even when the run keeps an EMA generator. */
  rawGenerator?: boolean;
  /** The directory to create (absent or empty). */
  out: string;
}

/** What an export wrote: the generator card (generator.json's content) and the files. */
export interface ExportResult {
  card: GeneratorCard;
  /** Every file written, relative to `out`. */
  files: string[];
}

/**
 * Exports a run's generator; see the file comment. Bad input — `out` not empty, not a run, no such checkpoint —
 * is a RunError; a damaged checkpoint a CheckpointError; each with a one-line message.
 */
export async function exportGenerator(options: ExportOptions): Promise<ExportResult> {
  if (existsSync(options.out) && !(await isEmptyDirectory(options.out))) {
    throw new RunError(
      `--out ${options.out} exists and is not an empty directory; tsgan export never overwrites (choose a new DIR)`,
    );
  }
  const run = await RunDirectory.open(options.run);
  const checkpoint = await run.readCheckpoint(options.checkpoint);
  // The cpu backend: exporting only reads weights, and TF.js's reference kernels fold spectral norm in exactly.
  const { gan, manifest } = await openGan(run, { checkpoint, backend: "cpu", weightsOnly: true, log: () => {} });
  try {
    const generator = samplingGenerator(gan, options.rawGenerator);
    const model = toLayersModel(generator);
    const { modelJson, shards } = await layersModelFiles(model).finally(() => model.dispose());
    const card = generatorCard({
      config: gan.config,
      dataShape: manifest.dataShape,
      run: resolve(options.run),
      step: manifest.step,
      generator: generator === gan.generatorEma ? "ema" : "raw",
      tsganVersion: tsganVersion(),
    });
    const files = new Map<string, string | Uint8Array>([
      ...shards.map((shard): [string, Uint8Array] => [shard.name, shard.bytes]),
      [MODEL_FILE, `${JSON.stringify(modelJson)}\n`],
      [CARD_FILE, `${JSON.stringify(card, null, 2)}\n`],
    ]);
    await writeDirectoryAtomically(options.out, files);
    return { card, files: [...files.keys()] };
  } finally {
    disposeGan(gan);
  }
}

/** True for a directory with no entries; false for a file or a directory with any. */
async function isEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch {
    return false; // not a directory (or unreadable): never replaced
  }
}

/** Writes `files` into a temporary sibling of `out`, then renames it to `out` (allowed when `out` is empty). */
async function writeDirectoryAtomically(out: string, files: Map<string, string | Uint8Array>): Promise<void> {
  const target = resolve(out);
  const temporary = temporaryPathFor(target);
  try {
    await mkdir(dirname(target), { recursive: true });
    await mkdir(temporary);
    for (const [name, content] of files) await writeFile(join(temporary, name), content);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw asWriteError(error, out);
  }
}

/** tsgan's version: package.json's, found by walking up from this file (the same from src/ and from a build). */
export function tsganVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, "package.json");
    if (existsSync(candidate)) {
      const { name, version } = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (name === "tsgan" && version) return version;
    }
    const parent = dirname(directory);
    if (parent === directory) return "unknown";
    directory = parent;
  }
}
