/**
 * Refuses, before anything is allocated, a run this machine cannot hold: one line with the estimated bytes
 * (core/models/memory.ts) against the machine's memory.
 */
import { totalmem } from "node:os";
import type { Config } from "../core/config.js";
import { estimateTrainingMemory, formatBytes } from "../core/models/memory.js";

export class MemoryLimitError extends Error {
  override name = "MemoryLimitError";
}

/** Throws a MemoryLimitError when training `config` needs more than `available` bytes (default: all memory). */
export function assertFitsInMemory(config: Config, dataShape: number[], available = totalmem()): void {
  const estimate = estimateTrainingMemory(config, dataShape);
  if (estimate.totalBytes <= available) return;
  throw new MemoryLimitError(
    `config: this model needs about ${formatBytes(estimate.totalBytes)} to train ` +
      `(${formatBytes(estimate.parameterBytes)} of parameters and optimizer state, ` +
      `${formatBytes(estimate.activationBytes)} of activations at batch ${config.batchSize}); ` +
      `this machine has ${formatBytes(available)}`,
  );
}
