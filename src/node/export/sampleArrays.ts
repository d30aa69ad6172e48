/**
 * `tsgan sample --out x.npy|x.csv`: the samples themselves, for numpy, torch-fidelity or clean-fid
 * (src/core/export/sampleFiles.ts encodes them). Written atomically, like every file of a run.
 */
import { extname } from "node:path";
import type { Dataset } from "../../core/data/dataset.js";
import { outputRange } from "../../core/export/generatorCard.js";
import { encodeSampleFile, labelsPathFor, type SampleFileFormat } from "../../core/export/sampleFiles.js";
import type { Tensor } from "../../core/engine/tf.js";
import type { Gan } from "../../core/training/gan.js";
import { RunError } from "../run/runDirectory.js";
import { generate, type GeneratorChoice } from "../run/samples.js";
import { writeFileAtomic } from "../visual/files.js";

/** The array format `path`'s extension asks for, or null for a picture (.png, .svg); CSV only for toys. */
export function sampleArrayFormat(path: string, kind: Dataset["kind"]): SampleFileFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === ".npy") return "npy";
  if (extension !== ".csv") return null;
  if (kind === "images") throw new RunError(`--out ${path}: CSV holds toy samples; write images as .npy or .png`);
  return "csv";
}

/**
 * Generates G(noise) and writes it to `path` as `format`; with `labels` (one class per sample, conditional runs; by
 * default the classes the conditional G was asked for, `choice.labels`) they go beside the samples. Returns the paths written.
 */
export async function writeSampleArray(
  gan: Gan,
  noise: Tensor,
  path: string,
  format: SampleFileFormat,
  choice: GeneratorChoice = {},
  labels: Uint8Array | Int32Array | undefined = choice.labels,
): Promise<string[]> {
  return writeArrayOfSamples(gan, generate(gan, noise, choice), path, format, labels);
}

/**
 * Writes samples already drawn (flat [count, ...gan.dataShape], e.g. by rejection sampling) to `path` as `format`,
 * with `labels` beside them when given. Returns the paths written.
 */
export async function writeArrayOfSamples(
  gan: Gan,
  values: Float32Array,
  path: string,
  format: SampleFileFormat,
  labels?: Uint8Array | Int32Array,
): Promise<string[]> {
  const isImage = gan.dataShape.length === 3;
  const range = outputRange(gan.config, isImage);
  const encoded = encodeSampleFile(format, { values, dataShape: gan.dataShape, outputRange: range, labels });
  await writeFileAtomic(path, encoded.samples);
  if (!encoded.labels) return [path];
  await writeFileAtomic(labelsPathFor(path), encoded.labels);
  return [path, labelsPathFor(path)];
}
