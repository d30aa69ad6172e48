/**
 * The child process of one sweep run (forked by spawnRun in process.ts): receives its RunSpec over the IPC channel,
 * runs it (runOne.ts) and exits — 0 done, 2 a failure another attempt would repeat (bad config, NaN), 1 any other,
 * EXIT_STOPPED when asked to stop. A crash here cannot take down the pool or the worker that forked it. When the
 * parent dies (SIGKILL included) the IPC channel closes and this process exits too, so a killed worker leaves no
 * orphan training on.
 *
 * Stopping: the message STOP_MESSAGE from the parent, or SIGINT/SIGTERM (Ctrl-C in a terminal reaches the parent and
 * its children alike), makes the training write a checkpoint of its current iteration and the child exit without an
 * outcome: the next `tsgan sweep run` resumes the run where it stopped.
 */
import { isRepeatableFailure, runOne } from "./runOne.js";
import type { RunSpec } from "./plan.js";
import { EXIT_STOPPED, STOP_MESSAGE } from "./process.js";

const EXIT_DONE = 0;
const EXIT_FAILURE = 1;
const EXIT_REPEATABLE_FAILURE = 2;
/** Exit status when the parent went away: 128 + SIGHUP, as a shell reports a hung-up job. */
const EXIT_ORPHANED = 129;

let stopRequested = false;
const stop = () => void (stopRequested = true);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("disconnect", () => process.exit(EXIT_ORPHANED));
process.on("message", (message: unknown) => {
  if (message === STOP_MESSAGE) return stop();
  const spec = message as RunSpec;
  const takeOverForeignLock = process.env.TSGAN_SWEEP_QUEUED === "1";
  runOne(spec, { takeOverForeignLock, shouldStop: () => stopRequested }).then(
    (ended) => process.exit(ended === "stopped" ? EXIT_STOPPED : EXIT_DONE),
    (error: unknown) => {
      console.error(`tsgan: ${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`);
      if (process.env.TSGAN_DEBUG) console.error((error as Error).stack);
      process.exit(isRepeatableFailure(error) ? EXIT_REPEATABLE_FAILURE : EXIT_FAILURE);
    },
  );
});
