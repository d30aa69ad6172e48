/** Shared types and helpers of the benchmarks (bench/run.ts orchestrates, bench/worker.ts measures). */
import type { Config } from "../src/core/config.js";

/** One training step of a benchmark, ready to run on the current backend. */
export interface StepRunner {
  /** Runs one step; returns its losses (read back, so the step is complete when this returns). */
  step(): [number, number];
  dispose(): void;
}

/** Steps and warm-up for one measurement. */
export interface Sampling {
  steps: number;
  warmup: number;
}

/** A backend that needs fewer steps (or is skipped unless asked for) because it is far slower. */
export interface SlowBackend extends Sampling {
  skipByDefault?: boolean;
}

/**
 * What a benchmark is compared with, measured alternately with it: a peer's script in ../shared/peers/, or another
 * tsgan benchmark on the same backend.
 */
export type Reference = { peerScript: string } | { benchmark: string };

/** A benchmark: how to run it, its reference and its work per step. */
export interface BenchmarkDefinition {
  name: string;
  reference: Reference;
  defaults: Sampling & { batch: number };
  /** conv/matmul GFLOP per step, when defined by the peer. */
  gflopPerStep?: (batch: number) => number;
  /** The only backends it runs on (default: any). */
  backends?: readonly string[];
  slowBackends: Partial<Record<string, SlowBackend>>;
  /** The per-step figure reported: the median (default; robust to other processes) or the mean of the steps. */
  statistic?: "median" | "mean";
  /** A step the worker times itself… */
  create?(batch: number): StepRunner;
  /** …or a run that times its own iterations (ms each, after `warmup` untimed ones). */
  measureIterations?(backend: Config["backend"], batch: number, steps: number, warmup: number): Promise<number[]>;
}

/** What one measurement (one backend or the peer, one process) reports. */
export interface Measurement {
  engine: string;
  benchmark: string;
  batch: number;
  steps: number;
  warmup: number;
  median_ms: number;
  mean_ms?: number;
  min_ms: number;
  max_ms: number;
  /**
   * Processor time per step (all threads, user + system): the work done, less sensitive than wall time to other
   * processes sharing the cores (tsgan only; the peers do not report it).
   */
  cpu_ms?: number;
  peak_rss_mb: number;
  gflop_per_s?: number;
  losses?: [number, number];
  note?: string;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  // resourceUsage().maxRSS is in KiB on Linux.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Rounds to one decimal (ms) for the JSON output. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
