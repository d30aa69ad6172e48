/**
 * How much memory training a model needs, known before any of it is allocated: the networks are built as a plan
 * (ParameterStore.plan: shapes only), then parameters, their gradients and optimizer state, and one iteration's
 * activations are counted. An estimate, not an exact bill — TF.js keeps some temporaries too — but it is the right
 * size, so a config no machine can hold (a latent space of 10^9 dimensions) is refused with its size named instead
 * of failing deep inside TF.js.
 */
import type { Config } from "../config.js";
import { buildNetworks } from "./index.js";
import { ParameterStore } from "./layers.js";

const FLOAT32_BYTES = 4;
/** Per trainable scalar: the weight, its gradient, and a copy in the checkpoint being written. */
const COPIES_PER_WEIGHT = 3;
/** Optimizer slots per trainable scalar: Adam keeps m and v, SGD with momentum one velocity. */
const OPTIMIZER_SLOTS = { adam: 2, sgd: 1 } as const;
/** Each activation is kept for the backward pass and gets a gradient of its own size. */
const COPIES_PER_ACTIVATION = 2;
/** D runs on a real batch and a fake batch in its step; G's step runs G once and D once. */
const DISCRIMINATOR_PASSES = 2;

export interface MemoryEstimate {
  /** Weights, gradients, optimizer slots and BatchNorm statistics of both networks. */
  parameterBytes: number;
  /** One iteration's activations (and their gradients) at the config's batch size. */
  activationBytes: number;
  totalBytes: number;
}

/** The memory one training run of `config` on data of `dataShape` needs; see the file comment. */
export function estimateTrainingMemory(config: Config, dataShape: number[]): MemoryEstimate {
  const { generator, discriminator } = ParameterStore.plan(() => buildNetworks(config, dataShape));
  const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  let scalars = 0;
  for (const spec of [...generator.store.specs, ...discriminator.store.specs]) {
    const size = sizeOf(spec.shape);
    scalars += spec.trainable ? size * (COPIES_PER_WEIGHT + OPTIMIZER_SLOTS[config.optimizer]) : size;
  }
  // The EMA generator (--generator-ema) is one more copy of G's variables, never trained.
  if (config.generatorEma > 0) for (const spec of generator.store.specs) scalars += sizeOf(spec.shape);
  // Per pack of `config.pack` samples (PacGAN, packing.ts): G draws each sample, D judges the pack once.
  const perPack = config.pack * generator.activationSize() + DISCRIMINATOR_PASSES * discriminator.activationSize();
  const parameterBytes = scalars * FLOAT32_BYTES;
  const activationBytes = config.batchSize * perPack * COPIES_PER_ACTIVATION * FLOAT32_BYTES;
  return { parameterBytes, activationBytes, totalBytes: parameterBytes + activationBytes };
}

/** 1536 → "1.5 KB", 2.5e12 → "2.5 TB" (powers of 1000, as disks and `free -h --si` count). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
