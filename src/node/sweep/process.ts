/**
 * Runs one sweep run in a child process (child.ts), so that a crash, an out-of-memory kill or a native fault ends
 * that run only. Used by the local pool and by each queue worker. The child's output goes to <run>/sweep-log.txt.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdir, open } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readClock, readOutcome, writeOutcome, type RunOutcomeFile, type RunSpec } from "./plan.js";

export const RUN_LOG_FILE = "sweep-log.txt";
/** The message that asks a child to stop its run at a checkpoint (child.ts). */
export const STOP_MESSAGE = "stop";
/** The child's exit status when it stopped on request, its training saved and no outcome written. */
export const EXIT_STOPPED = 3;

/** A run whose child stopped on request: neither done nor failed; the next attempt resumes it. */
export interface StoppedRun {
  state: "stopped";
}

/** The child's entry next to this file: child.ts from source (loaded through tsx), child.js when compiled. */
const CHILD_MODULE = fileURLToPath(
  new URL(`./child${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
);
/** From source, the child loads TypeScript through tsx, named by absolute URL so that any working directory works. */
const CHILD_EXEC_ARGV = CHILD_MODULE.endsWith(".ts")
  ? ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href]
  : [];

export interface SpawnRunOptions {
  /** TSGAN_NUM_THREADS for the child (the native engine's thread pool); unset: the child's default. */
  threads?: number;
  /** Queue mode: the child may take over a lock another host left (runOne.ts, takeOverForeignLock). */
  queued?: boolean;
}

export interface RunningChild {
  child: ChildProcess;
  /**
   * The outcome once the child has exited: its own, or one written here for a child that died without one; or
   * "stopped" (nothing written) for a child that stopped on request (stop()).
   */
  finished: Promise<RunOutcomeFile | StoppedRun>;
  /** Asks the child to stop at a checkpoint of its current iteration (STOP_MESSAGE); `finished` then says stopped. */
  stop(): void;
}

/** Forks a child for `spec` and resolves with how the run ended; never rejects for a failed run. */
export async function spawnRun(spec: RunSpec, options: SpawnRunOptions = {}): Promise<RunningChild> {
  await mkdir(spec.root, { recursive: true });
  const before = await readOutcome(spec.root);
  const secondsBefore = Math.max(before?.seconds ?? 0, await readClock(spec.root)); // as runOne counts them
  const logFile = await open(join(spec.root, RUN_LOG_FILE), "a");
  const env = { ...process.env };
  if (options.threads !== undefined && env.TSGAN_NUM_THREADS === undefined)
    env.TSGAN_NUM_THREADS = String(options.threads);
  if (options.queued) env.TSGAN_SWEEP_QUEUED = "1";
  const started = performance.now();
  const child = fork(CHILD_MODULE, [], {
    execArgv: CHILD_EXEC_ARGV,
    env,
    stdio: ["ignore", logFile.fd, logFile.fd, "ipc"],
  });
  child.send(spec);
  const finished = new Promise<RunOutcomeFile | StoppedRun>((resolve) => {
    child.once("exit", (code, signal) => {
      void (async () => {
        await logFile.close();
        if (code === EXIT_STOPPED) return resolve({ state: "stopped" });
        const after = await readOutcome(spec.root);
        const wrote = after !== null && after.finishedAt !== before?.finishedAt;
        // A run that was done already is left alone: its child had nothing to do and wrote nothing.
        if (wrote || (code === 0 && after?.state === "done")) return resolve(after!);
        // Killed, or crashed before it could record anything: say how, and let the queue try again.
        const outcome: RunOutcomeFile = {
          state: "failed",
          message: signal
            ? `the run's process was killed by ${signal}`
            : `the run's process exited with status ${code}`,
          retryable: true,
          seconds: secondsBefore + (performance.now() - started) / 1000,
          attempts: (before?.attempts ?? 0) + 1,
          host: hostname(),
          finishedAt: new Date().toISOString(),
        };
        await writeOutcome(spec.root, outcome).catch(() => undefined);
        resolve(outcome);
      })();
    });
  });
  const stop = () => {
    if (child.connected) child.send(STOP_MESSAGE);
  };
  return { child, finished, stop };
}
