/**
 * The classifier's saved form, in TensorFlow.js' weights format (isomorphic: bytes in, bytes out; files are
 * src/node/classifier.ts' job).
 *
 *   model.json    { format, generatedBy, weightsManifest: [{ paths: ["weights.bin"], weights: [specs] }],
 *                   userDefinedMetadata: { dataset, architecture, training, testAccuracy, command, checksum, … } }
 *   weights.bin   the tensors of `weights`, float32 little-endian, back to back (tf.io.encodeWeights)
 *
 * so `tf.io.decodeWeights(bin, manifest.weightsManifest[0].weights)` reads it anywhere TF.js runs. The checksum
 * (FNV-1a over weights.bin) turns a corrupted or mismatched file into a clear error instead of a quietly wrong model.
 */
import { tf, type Tensor } from "../engine/tf.js";
import {
  buildClassifier,
  validateArchitecture,
  type Classifier,
  type ClassifierArchitecture,
} from "../models/classifier.js";
import { CheckpointError } from "./checkpoint.js";
import type { ClassifierTrainingOptions } from "./classifier.js";

/** The `format` field of a classifier manifest; bumped when the layout changes. */
export const CLASSIFIER_FORMAT = "tsgan-classifier/1";
/** File names inside a classifier directory. */
export const CLASSIFIER_MANIFEST_FILE = "model.json";
export const CLASSIFIER_WEIGHTS_FILE = "weights.bin";

/** What a saved classifier records about itself besides its tensors. */
export interface ClassifierMetadata {
  /** The dataset it was trained on: "mnist" or "fashion-mnist". */
  dataset: string;
  architecture: ClassifierArchitecture;
  /** Training settings, seed included (the seed also initialised the weights). */
  training: ClassifierTrainingOptions;
  /** Accuracy on the official test set after training, and the number of test images it was measured on. */
  testAccuracy: number;
  testCount: number;
  /** Backend the weights were trained on (bit-exact reproduction needs the same one). */
  backend: string;
  /** Wall-clock seconds of training (excluding the test evaluation). */
  trainingSeconds: number;
  /** The command line that produced these weights. */
  command: string;
  /** When the weights were written (ISO 8601). */
  createdAt: string;
}

/** model.json: TF.js' weights manifest plus tsgan's metadata. */
export interface ClassifierManifest {
  format: typeof CLASSIFIER_FORMAT;
  generatedBy: string;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  userDefinedMetadata: ClassifierMetadata & { checksum: string };
}

/** FNV-1a (32-bit) of the bytes, as "fnv1a32:<8 hex digits>": cheap and enough to detect corruption. */
export function weightsChecksum(bytes: Uint8Array): string {
  let hash = 0x811c9dc5; // FNV offset basis
  for (let index = 0; index < bytes.length; index++) {
    hash ^= bytes[index]!;
    hash = Math.imul(hash, 0x01000193) >>> 0; // FNV prime
  }
  return `fnv1a32:${hash.toString(16).padStart(8, "0")}`;
}

/** Serialises the classifier's variables (in creation order) and its metadata. */
export async function encodeClassifier(
  classifier: Classifier,
  metadata: ClassifierMetadata,
): Promise<{ manifest: ClassifierManifest; data: Uint8Array }> {
  const named = classifier.network.namedVariables().map(([name, tensor]) => ({ name, tensor: tensor as Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(data);
  return {
    manifest: {
      format: CLASSIFIER_FORMAT,
      generatedBy: "tsgan",
      weightsManifest: [{ paths: [CLASSIFIER_WEIGHTS_FILE], weights: specs }],
      userDefinedMetadata: { ...metadata, checksum: weightsChecksum(bytes) },
    },
    data: bytes,
  };
}

/**
 * Parses model.json's text; `source` names it in errors. Checks the format and the fields a load needs, so that
 * any damage is a one-line CheckpointError.
 */
export function parseClassifierManifest(text: string, source: string): ClassifierManifest {
  let manifest: ClassifierManifest;
  try {
    manifest = JSON.parse(text) as ClassifierManifest;
  } catch (error) {
    throw new CheckpointError(`${source}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (typeof manifest !== "object" || manifest === null || manifest.format !== CLASSIFIER_FORMAT) {
    throw new CheckpointError(`${source}: not a tsgan classifier manifest (format must be "${CLASSIFIER_FORMAT}")`);
  }
  const group = manifest.weightsManifest?.[0];
  if (!Array.isArray(manifest.weightsManifest) || manifest.weightsManifest.length !== 1 || !group?.weights) {
    throw new CheckpointError(`${source}: weightsManifest must hold exactly one group of weights`);
  }
  const metadata = manifest.userDefinedMetadata;
  if (typeof metadata?.architecture !== "object" || typeof metadata.checksum !== "string") {
    throw new CheckpointError(`${source}: userDefinedMetadata lacks the architecture or the checksum`);
  }
  try {
    validateArchitecture(metadata.architecture);
  } catch (error) {
    throw new CheckpointError(`${source}: ${(error as Error).message}`);
  }
  return manifest;
}

/**
 * Rebuilds a classifier from its manifest and weights.bin bytes. Throws a one-line CheckpointError, naming
 * `source`, when the bytes do not match the manifest (size, checksum), a tensor is missing or misshapen, or a value
 * is not finite.
 */
export function decodeClassifier(manifest: ClassifierManifest, data: Uint8Array, source: string): Classifier {
  const specs = manifest.weightsManifest[0]!.weights;
  const expectedBytes = specs.reduce((total, spec) => total + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (specs.some((spec) => spec.dtype !== "float32" || spec.quantization !== undefined)) {
    throw new CheckpointError(`${source}: only unquantised float32 weights are supported`);
  }
  if (data.byteLength !== expectedBytes) {
    throw new CheckpointError(
      `${source}: ${data.byteLength} bytes, but the manifest describes ${expectedBytes} (truncated or wrong file)`,
    );
  }
  const checksum = weightsChecksum(data);
  if (checksum !== manifest.userDefinedMetadata.checksum) {
    throw new CheckpointError(
      `${source}: checksum ${checksum} does not match the manifest's ${manifest.userDefinedMetadata.checksum} (corrupted file)`,
    );
  }
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, specs);
  const classifier = buildClassifier(manifest.userDefinedMetadata.architecture);
  try {
    const expectedNames = classifier.network.namedVariables().map(([name]) => name);
    const extra = specs.find((spec) => !expectedNames.includes(spec.name));
    if (extra !== undefined)
      throw new CheckpointError(`${source}: unexpected tensor ${extra.name} for this architecture`);
    for (const [name, variable] of classifier.network.namedVariables()) {
      const saved = tensors[name];
      if (saved === undefined) throw new CheckpointError(`${source}: no tensor named ${name}`);
      if (saved.shape.join(",") !== variable.shape.join(",")) {
        throw new CheckpointError(`${source}: ${name} has shape [${saved.shape}], the model needs [${variable.shape}]`);
      }
      const values = saved.dataSync();
      for (let index = 0; index < values.length; index++) {
        if (!Number.isFinite(values[index])) throw new CheckpointError(`${source}: ${name} holds a non-finite value`);
      }
      variable.assign(saved);
    }
  } catch (error) {
    classifier.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return classifier;
}
