/**
 * The local pool: a sweep's unfinished runs in child processes on this machine, `parallel` at a time. Finished runs
 * (plan.ts, runDone) are skipped, partial ones resume from their newest checkpoint (runOne.ts), so running a sweep
 * again after Ctrl-C (which stops each run at a checkpoint: PoolOptions.signal) or a crash picks up where it was.
 */
import { availableParallelism } from "node:os";
import { isToyDistributionName } from "../../core/data/toys.js";
import type { SweepPlan, SweepRun } from "../../core/sweep/sweepFile.js";
import { runSpec, unfinishedRuns, writePlan, type RunOutcomeFile } from "./plan.js";
import { spawnRun, type RunningChild, type StoppedRun } from "./process.js";

/**
 * Cores an image run (DCGAN on MNIST-sized data) keeps busy: its convolutions and matrix products spread over the
 * native engine's threads, and each such run holds about a gigabyte, so several side by side mostly compete.
 */
const CORES_PER_IMAGE_RUN = 4;

/**
 * How many runs at once by default: toy runs (small MLPs on 2-D points) are bound by per-operation overhead on one
 * thread, so one run per core; image runs use several cores each (CORES_PER_IMAGE_RUN). Never more than the runs.
 */
export function defaultParallel(runs: readonly SweepRun[], cores = availableParallelism()): number {
  const images = runs.some((run) => !isToyDistributionName(run.config.dataset));
  const perRun = images ? CORES_PER_IMAGE_RUN : 1;
  return Math.max(1, Math.min(runs.length, Math.floor(cores / perRun)));
}

/** Native-engine threads for each of `parallel` runs: the cores shared out, at least one. */
export function threadsPerRun(parallel: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / parallel));
}

export interface PoolOptions {
  /** Runs at once (default: defaultParallel). */
  parallel?: number;
  /** Called as each run ends, with how many of this session's runs have ended. */
  onRunFinished?: (run: SweepRun, outcome: RunOutcomeFile | StoppedRun, ended: number, total: number) => void;
  /** Called once the unfinished runs are known, before any starts. */
  onStart?: (pending: readonly SweepRun[], skipped: number) => void;
  /**
   * Aborted: no further run starts, and each running one stops at a checkpoint of its current iteration (its
   * training saved, no outcome written), so that the next `tsgan sweep run` resumes all of them where they stood.
   */
  signal?: AbortSignal;
}

export interface PoolResult {
  /** Runs already done before this session. */
  skipped: number;
  done: number;
  failed: number;
  /** Runs stopped on request (options.signal): resumed by the next session. */
  stopped: number;
}

/** Runs `plan`'s unfinished runs in `directory` on this machine. */
export async function runLocalPool(directory: string, plan: SweepPlan, options: PoolOptions = {}): Promise<PoolResult> {
  await writePlan(directory, plan);
  const pending = await unfinishedRuns(directory, plan);
  const skipped = plan.runs.length - pending.length;
  options.onStart?.(pending, skipped);
  const parallel = options.parallel ?? defaultParallel(pending.length > 0 ? pending : plan.runs);
  const threads = threadsPerRun(parallel);
  const result: PoolResult = { skipped, done: 0, failed: 0, stopped: 0 };
  const running = new Set<RunningChild>();
  const stopAll = () => running.forEach((child) => child.stop());
  options.signal?.addEventListener("abort", stopAll, { once: true });
  let next = 0;
  let ended = 0;
  const lane = async () => {
    while (next < pending.length && !options.signal?.aborted) {
      const run = pending[next++]!;
      const child = await spawnRun(runSpec(directory, plan, run), { threads });
      running.add(child);
      if (options.signal?.aborted) child.stop(); // aborted while it was being forked
      const outcome = await child.finished.finally(() => running.delete(child));
      result[outcome.state]++;
      options.onRunFinished?.(run, outcome, ++ended, pending.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, pending.length) }, lane));
  } finally {
    options.signal?.removeEventListener("abort", stopAll);
  }
  return result;
}
