/**
 * Checkpoints as bytes (isomorphic): a JSON manifest plus one little-endian float32 blob holding G, D (weights and
 * statistics: BatchNorm's running averages, spectral normalization's ũ, ṽ), the EMA generator when the run keeps
 * one, and both optimizers' slots. Enough to resume a run exactly; the browser reads the same
 * format. Writing files (atomically) is the Node layer's job.
 *
 * `restoreGan` is the one way to rebuild a GAN from a checkpoint: `tsgan sample`, `tsgan eval` and `--resume` reach
 * it through src/node/run/openGan.ts, the lab's run viewer with bytes fetched over HTTP.
 */
import { resolveConfig, type Config } from "../config.js";
import { tf, type Tensor } from "../engine/tf.js";
import { copyVariables } from "./ema.js";
import { createGan, disposeGan, type Gan } from "./gan.js";
import type { Network } from "../models/network.js";
import { RESTORING } from "../models/index.js";
import type { Optimizer } from "./optimizers.js";

export const CHECKPOINT_FORMAT = "tsgan-checkpoint/1";
/** Where the EMA generator's variables sit in a checkpoint: "generatorEma/<name>". */
const EMA_PREFIX = "generatorEma";

/** Where one named tensor lies in the checkpoint's blob of float32 values. */
export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset into the blob, in float32 elements. */
  offset: number;
}

/** A checkpoint's description (manifest.json): format, step, config, data shape and the blob's tensors. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  /** Completed Algorithm-1 iterations. */
  step: number;
  /** The fully resolved config the run was trained with. */
  config: Config;
  dataShape: number[];
  optimizerSteps: { generator: number; discriminator: number };
  tensors: TensorEntry[];
  /**
   * sha256 (hex) of the tensor blob, added by the layer that stores it (src/node/run/runDirectory.ts) and checked
   * when it is read back, so bytes damaged after writing (disk, copy, sync tool) are refused, not loaded.
   */
  tensorsSha256?: string;
}

/** A checkpoint that cannot be read: wrong format, missing or mis-shaped tensors, damaged bytes. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

function namedTensors(gan: Gan): { tensors: Array<[string, Tensor]>; owned: Tensor[] } {
  const generatorState = gan.generatorOptimizer.getState();
  const discriminatorState = gan.discriminatorOptimizer.getState();
  const owned = [...generatorState.slots.values(), ...discriminatorState.slots.values()];
  const tensors: Array<[string, Tensor]> = [
    ...gan.generator.namedVariables().map(([name, v]): [string, Tensor] => [`generator/${name}`, v]),
    ...gan.discriminator.namedVariables().map(([name, v]): [string, Tensor] => [`discriminator/${name}`, v]),
    ...(gan.generatorEma?.namedVariables() ?? []).map(([name, v]): [string, Tensor] => [`${EMA_PREFIX}/${name}`, v]),
    ...[...generatorState.slots].map(([name, t]): [string, Tensor] => [`generatorOptimizer/${name}`, t]),
    ...[...discriminatorState.slots].map(([name, t]): [string, Tensor] => [`discriminatorOptimizer/${name}`, t]),
  ];
  return { tensors, owned };
}

/** Serialises everything a resume needs. */
export function encodeCheckpoint(gan: Gan): { manifest: CheckpointManifest; data: Uint8Array } {
  const { tensors, owned } = namedTensors(gan);
  const total = tensors.reduce((sum, [, tensor]) => sum + tensor.size, 0);
  const blob = new Float32Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    blob.set(tensor.dataSync() as Float32Array, offset);
    entries.push({ name, shape: [...tensor.shape], offset });
    offset += tensor.size;
  }
  tf.dispose(owned);
  return {
    manifest: {
      format: CHECKPOINT_FORMAT,
      step: gan.step,
      config: gan.config,
      dataShape: gan.dataShape,
      optimizerSteps: { generator: gan.generatorOptimizer.step, discriminator: gan.discriminatorOptimizer.step },
      tensors: entries,
    },
    data: new Uint8Array(blob.buffer),
  };
}

/** Reads one tensor's values out of a checkpoint blob. */
export function checkpointValues(manifest: CheckpointManifest, data: Uint8Array, name: string): Float32Array {
  const entry = manifest.tensors.find((candidate) => candidate.name === name);
  if (!entry) throw new CheckpointError(`checkpoint has no tensor ${name}`);
  const size = entry.shape.reduce((a, b) => a * b, 1);
  const floats = new Float32Array(data.buffer, data.byteOffset, data.byteLength / Float32Array.BYTES_PER_ELEMENT);
  if (entry.offset + size > floats.length) throw new CheckpointError(`checkpoint data is truncated at ${name}`);
  return floats.slice(entry.offset, entry.offset + size);
}

function restoreOptimizer(
  optimizer: Optimizer,
  prefix: string,
  step: number,
  manifest: CheckpointManifest,
  data: Uint8Array,
): void {
  const slots = new Map<string, Tensor>();
  for (const entry of manifest.tensors) {
    if (!entry.name.startsWith(`${prefix}/`)) continue;
    slots.set(
      entry.name.slice(prefix.length + 1),
      tf.tensor(checkpointValues(manifest, data, entry.name), entry.shape),
    );
  }
  try {
    optimizer.setState({ step, slots });
  } finally {
    tf.dispose([...slots.values()]);
  }
}

export interface RestoreOptions {
  /** Load only G's and D's variables and the step (sampling, evaluation); default false: optimizers too (resume). */
  weightsOnly?: boolean;
}

/** Options of restoreGan. */
export interface RestoreGanOptions extends RestoreOptions {
  /**
   * The config to build with, when it differs from the checkpoint's only in keys that leave the model as it was
   * (a resumed run's new step count, the lab's backend). Default: the checkpoint's own.
   */
  config?: Config;
}

/** The GAN a checkpoint describes: built from its config and data shape, then loaded with `restoreCheckpoint`. */
export function restoreGan(manifest: CheckpointManifest, data: Uint8Array, options: RestoreGanOptions = {}): Gan {
  checkFormat(manifest);
  const gan = createGan(options.config ?? resolveConfig(manifest.config), manifest.dataShape, RESTORING);
  try {
    restoreCheckpoint(gan, manifest, data, options);
  } catch (error) {
    disposeGan(gan);
    throw error;
  }
  return gan;
}

function checkFormat(manifest: CheckpointManifest): void {
  if (manifest.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`unknown checkpoint format ${String(manifest.format)}`);
  }
}

/**
 * Loads a checkpoint into a GAN built from the same config: weights, statistics, optimizer state, step.
 * With `weightsOnly`, optimizers are left untouched (sampling needs only G).
 */
export function restoreCheckpoint(
  gan: Gan,
  manifest: CheckpointManifest,
  data: Uint8Array,
  options: RestoreOptions = {},
): void {
  checkFormat(manifest);
  if (data.byteLength % Float32Array.BYTES_PER_ELEMENT !== 0) throw new CheckpointError("checkpoint data is truncated");
  // A checkpoint written without an EMA generator (generatorEma was 0) gives a GAN that keeps one G's weights.
  const hasEma = manifest.tensors.some((entry) => entry.name.startsWith(`${EMA_PREFIX}/`));
  const networks: Array<[string, Network]> = [
    ["generator", gan.generator],
    ["discriminator", gan.discriminator],
  ];
  if (gan.generatorEma && hasEma) networks.push([EMA_PREFIX, gan.generatorEma]);
  for (const [prefix, network] of networks) {
    for (const [name, variable] of network.namedVariables()) {
      const values = checkpointValues(manifest, data, `${prefix}/${name}`);
      if (values.length !== variable.size) {
        throw new CheckpointError(
          `checkpoint tensor ${prefix}/${name} has ${values.length} values, the model needs ${variable.size}`,
        );
      }
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    }
  }
  if (gan.generatorEma && !hasEma) copyVariables(gan.generatorEma, gan.generator);
  if (!options.weightsOnly) {
    restoreOptimizer(gan.generatorOptimizer, "generatorOptimizer", manifest.optimizerSteps.generator, manifest, data);
    restoreOptimizer(
      gan.discriminatorOptimizer,
      "discriminatorOptimizer",
      manifest.optimizerSteps.discriminator,
      manifest,
      data,
    );
  }
  gan.step = manifest.step;
}
