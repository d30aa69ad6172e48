/**
 * Generated samples as files other tools read (`tsgan sample --out x.npy|x.csv`), as bytes (isomorphic):
 * - .npy: images as float32 [N, H, W, C] in [0, 1] (mapped from G's output range, the layout torch-fidelity and
 *   clean-fid take after a transpose), toys as float32 [N, D] as generated;
 * - .csv: toys only, one row per sample.
 * Labels (conditional runs) go beside the samples: a `label` column in CSV, `<name>.labels.npy` ([N], uint8 or int32)
 * beside `<name>.npy`.
 */
import { encodeCsv } from "./csv.js";
import { encodeNpy } from "./npy.js";

export const SAMPLE_FILE_FORMATS = ["npy", "csv"] as const;
export type SampleFileFormat = (typeof SAMPLE_FILE_FORMATS)[number];

export interface GeneratedSamples {
  /** G's outputs [count, ...dataShape], row-major, in G's output range. */
  values: Float32Array;
  dataShape: readonly number[];
  /** G's output interval for images ([-1, 1] for tanh, [0, 1] for sigmoid), mapped to [0, 1]; null for toys. */
  outputRange: readonly [number, number] | null;
  /** The class of each sample, for conditional runs. */
  labels?: Uint8Array | Int32Array;
}

/** The file's bytes, and the labels file's when labels go into a file of their own (.npy). */
export interface SampleFileBytes {
  samples: Uint8Array | string;
  labels?: Uint8Array;
}

/** x ∈ [low, high] → (x − low) / (high − low) ∈ [0, 1], elementwise (a new array). */
export function toUnitInterval(values: Float32Array, [low, high]: readonly [number, number]): Float32Array {
  return values.map((value) => (value - low) / (high - low));
}

/** Where `<name>.npy`'s labels go: `<name>.labels.npy`. */
export function labelsPathFor(samplesPath: string): string {
  return samplesPath.replace(/\.npy$/i, "") + ".labels.npy";
}

export function encodeSampleFile(format: SampleFileFormat, samples: GeneratedSamples): SampleFileBytes {
  const { values, dataShape, outputRange, labels } = samples;
  const exampleSize = dataShape.reduce((product, side) => product * side, 1);
  const count = values.length / exampleSize;
  if (labels && labels.length !== count) throw new Error(`${labels.length} labels for ${count} samples`);
  if (format === "csv") {
    if (dataShape.length !== 1) throw new Error("CSV holds toy samples (one row of coordinates each), not images");
    return { samples: encodeCsv(values, dataShape[0]!, labels) };
  }
  const scaled = outputRange ? toUnitInterval(values, outputRange) : values;
  return {
    samples: encodeNpy(scaled, [count, ...dataShape]),
    ...(labels ? { labels: encodeNpy(labels, [count]) } : {}),
  };
}
