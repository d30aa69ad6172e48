/**
 * One run of a sweep, start to end: train (or resume from its newest checkpoint, or start from another sweep's
 * finished run of its config (adopt.ts), or skip training when it is done),
 * then evaluate the requested metrics, then write sweep-outcome.json. This is what each child process of the local
 * pool and of a queue worker does (src/node/sweep/child.ts); it is the existing `tsgan train` + `tsgan eval` code.
 */
import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, longerRun } from "../../core/config.js";
import { evaluateRun } from "../evaluate.js";
import { LOCK_FILE, ownerAlive, readLock } from "../run/lock.js";
import { RunDirectory } from "../run/runDirectory.js";
import { trainRun } from "../train.js";
import {
  madeLonger,
  readClock,
  readOutcome,
  runDone,
  sameRunConfig,
  writeClock,
  writeOutcome,
  type RunSpec,
} from "./plan.js";
import { adoptIfFresh, readAdoption } from "./adopt.js";
import { shareTraining } from "./sharedTraining.js";

/** How often a running attempt records its wall time (sweep-clock.json): a killed attempt loses at most this much. */
export const CLOCK_TICK_MS = 60_000;
/** How often a run whose directory another process trains looks again (a run trains for minutes to hours). */
export const LOCK_POLL_MS = 5_000;

/**
 * Failures that another attempt would repeat: the config, the data, a diverged run (NaN), a damaged checkpoint, a
 * rejection sampler that reached its proposal cap (its draws are keyed by the seed: a retry draws the same).
 * The queue does not retry these; a crash, a kill or a full disk is retried.
 */
const REPEATABLE_FAILURES: ReadonlySet<string> = new Set([
  "ConfigError",
  "DataError",
  "DivergenceError",
  "RunError",
  "CheckpointError",
  "MemoryLimitError",
  "BackendError",
  "RejectionSamplingError",
]);

export interface RunOneOptions {
  /** Notices (resuming, lock taken over) for the run's log. */
  log?: (line: string) => void;
  /**
   * The queue handed this run over: a lock left by a trainer on another host is taken over. BullMQ gives a job to a
   * second worker only after the first stopped renewing its job lock, and a worker stops its child when renewal
   * fails (worker.ts), so that trainer is gone even though its pid cannot be checked from here.
   */
  takeOverForeignLock?: boolean;
  /** The clock's tick (default CLOCK_TICK_MS; tests shorten it). */
  clockTickMs?: number;
  /** How often a run whose directory another process on this host trains looks again (default LOCK_POLL_MS). */
  lockPollMs?: number;
  /**
   * Polled between iterations: true stops the training at a checkpoint of the current iteration (trainRun's
   * shouldStop), and the run ends "stopped": not evaluated, no outcome written, resumed by the next attempt. Polled
   * during the evaluation too, which it cuts short.
   */
  shouldStop?: () => boolean;
}

/** How runOne ended: done (trained, evaluated, outcome written) or stopped on request (shouldStop). */
export type RunOneResult = "done" | "stopped";

/** Thrown inside runOne once a stop was requested and the training is saved; runOne returns "stopped". */
class RunStopped extends Error {
  override readonly name = "RunStopped";
}

/** A config error's one line, or the error's name and first line. */
export function oneLine(error: unknown): string {
  const { name, message } = error as Error;
  const line = String(message ?? error).split("\n")[0]!;
  return REPEATABLE_FAILURES.has(name) || name === "FileWriteError" ? line : `${name}: ${line}`;
}

export function isRepeatableFailure(error: unknown): boolean {
  return REPEATABLE_FAILURES.has((error as Error).name);
}

/**
 * Trains and evaluates `spec`'s run; writes its outcome either way; rethrows a failure after recording it. Stopped on
 * request (options.shouldStop) it writes no outcome: the run is neither done nor failed, and resumes next time.
 */
export async function runOne(spec: RunSpec, options: RunOneOptions = {}): Promise<RunOneResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const shouldStop = options.shouldStop ?? (() => false);
  let started = performance.now();
  const previous = await readOutcome(spec.root);
  // A finished run is done, unless the sweep has since made it longer (plan.ts, runDone): then it continues.
  if (await runDone(spec.root, spec.run.config)) return "done";
  const longer = await madeLonger(spec.root, spec.run.config);
  // Earlier attempts: the clock counts those killed without an outcome too (runs from before it: the outcome's).
  let before = Math.max(previous?.seconds ?? 0, await readClock(spec.root));
  const seconds = () => before + (performance.now() - started) / 1000;
  const tick = () => writeClock(spec.root, seconds()).catch(() => undefined); // a full disk: the run says so itself
  const clock = setInterval(() => void tick(), options.clockTickMs ?? CLOCK_TICK_MS);
  clock.unref();
  const outcome = async (fields: {
    state: "done" | "failed";
    message?: string;
    retryable?: boolean;
    trainedBy?: string;
    adoptedFrom?: string;
  }) => {
    clearInterval(clock);
    const total = seconds();
    await writeOutcome(spec.root, {
      ...fields,
      seconds: total,
      attempts: (previous?.attempts ?? 0) + 1,
      host: hostname(),
      finishedAt: new Date().toISOString(),
    });
    await writeClock(spec.root, total);
  };
  try {
    const pollMs = options.lockPollMs ?? LOCK_POLL_MS;
    // A sharer copies its trainer's training when it has none yet, and again when the sweep made both longer.
    if (spec.trainer && (longer || !existsSync(join(spec.root, "config.json")))) {
      const trainer = spec.trainer;
      // Queued, the worker hands this run out only once the trainer's training is done (worker.ts); training the
      // trainer here could race the trainer's own job on another machine, whose lock this host cannot check.
      const trainHere = options.takeOverForeignLock
        ? undefined
        : async (run: Pick<RunSpec, "root" | "run">) => {
            await adoptIfFresh(run, log); // another sweep may have trained the trainer already
            await trainWhenFree(run, log, false, pollMs, shouldStop);
            if (shouldStop()) throw new RunStopped(); // the trainer's training is saved, not finished: nothing to copy
          };
      await shareTraining({ ...spec, trainer }, trainHere, log);
      started = performance.now(); // the time spent training (or waiting for) the trainer is the trainer's
    } else if (await adoptIfFresh(spec, log)) {
      // Trained already by another sweep beside this one (adopt.ts): start from it; the clock now holds its time.
      before = Math.max(before, await readClock(spec.root));
    }
    await trainWhenFree(spec, log, options.takeOverForeignLock ?? false, pollMs, shouldStop);
    if (shouldStop()) throw new RunStopped();
    await evaluateRun({
      run: spec.root,
      ...(spec.metrics ? { metrics: spec.metrics } : {}),
      ...(spec.samples !== undefined ? { samples: spec.samples } : {}),
      log,
      // A stop during the evaluation (minutes on images) ends it at its next progress report; none is written, and
      // the next attempt evaluates again. (The stop request itself arrives between metrics, when evaluation yields.)
      onProgress: () => {
        if (shouldStop()) throw new RunStopped();
      },
    });
    // Adopted here or, as a trainer, by a run that shares its training (adopt.ts): its directory says which.
    const adoptedFrom = spec.trainer ? undefined : await readAdoption(spec.root);
    await outcome({
      state: "done",
      ...(spec.trainer ? { trainedBy: spec.trainer.run.name } : {}),
      ...(adoptedFrom ? { adoptedFrom } : {}),
    });
    return "done";
  } catch (error) {
    if (error instanceof RunStopped) {
      // Its training is saved (stopped at a checkpoint of its current iteration, or done): only the time is kept.
      clearInterval(clock);
      await writeClock(spec.root, seconds());
      return "stopped";
    }
    await outcome({ state: "failed", message: oneLine(error), retryable: !isRepeatableFailure(error) }).catch(
      () => undefined, // a full disk: the error itself is what to report
    );
    throw error;
  }
}

/**
 * `train`, waiting while another live process on this host trains the same directory: in a sweep that is a run
 * that shares this one's training and got to it first (sharedTraining.ts), or a second `tsgan sweep run` of the same
 * sweep. Either finishes the training, which this attempt then finds done; failing instead would mark a run failed
 * that is about to succeed. A lock from another host is still refused (its process cannot be checked from here).
 */
async function trainWhenFree(
  spec: Pick<RunSpec, "root" | "run">,
  log: (line: string) => void,
  takeOverForeignLock: boolean,
  pollMs: number,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let told = false;
  for (;;) {
    try {
      return await train(spec, log, takeOverForeignLock, shouldStop);
    } catch (error) {
      if ((error as Error).name !== "RunLockedError") throw error;
      const holder = await readLock(spec.root);
      if (!holder) continue; // released since: try again at once
      if (holder.host !== hostname() || !ownerAlive(holder)) throw error;
      if (!told) log(`tsgan: ${spec.run.name}: pid ${holder.pid} is training ${spec.root}; waiting for it`);
      told = true;
      if (shouldStop()) return;
      await sleep(pollMs);
    }
  }
}

async function train(
  spec: Pick<RunSpec, "root" | "run">,
  log: (line: string) => void,
  takeOverForeignLock: boolean,
  shouldStop: () => boolean,
): Promise<void> {
  if (!existsSync(join(spec.root, "config.json"))) {
    await trainRun({ out: spec.root, config: spec.run.config, log, shouldStop });
    return;
  }
  const run = await RunDirectory.open(spec.root);
  const stored = await run.readConfig();
  // The sweep may have made the run longer since (longerRun): it resumes with the new steps and intervals.
  const overrides = sameRunConfig(stored, spec.run.config) ? {} : longerRun(stored, spec.run.config);
  if (overrides === null) {
    throw new ConfigError(`${spec.root} holds a run made with another config than the sweep's ${spec.run.name}`);
  }
  if (Object.keys(overrides).length === 0 && (await run.readStatus())?.state === "done") return;
  if (takeOverForeignLock) {
    const holder = await readLock(spec.root);
    if (holder && holder.host !== hostname()) {
      log(`tsgan: the queue handed over ${spec.root}; taking over the lock of pid ${holder.pid} on ${holder.host}`);
      await unlink(join(spec.root, LOCK_FILE)).catch(() => undefined);
    }
  }
  await trainRun({ out: spec.root, resume: true, overrides, log, shouldStop });
}
