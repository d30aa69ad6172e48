/**
 * The child process of one sweep run (forked by spawnRun in process.ts): receives its RunSpec over the IPC channel,
 * runs it (runOne.ts) and exits — 0 done, 2 a failure another attempt would repeat (bad config, NaN), 1 any other.
 * A crash here cannot take down the pool or the worker that forked it. When the parent dies (SIGKILL included) the
 * IPC channel closes and this process exits too, so a killed worker leaves no orphan training on.
 */
import { isRepeatableFailure, runOne } from "./runOne.js";
import type { RunSpec } from "./plan.js";

const EXIT_DONE = 0;
const EXIT_FAILURE = 1;
const EXIT_REPEATABLE_FAILURE = 2;
/** Exit status when the parent went away: 128 + SIGHUP, as a shell reports a hung-up job. */
const EXIT_ORPHANED = 129;

process.on("disconnect", () => process.exit(EXIT_ORPHANED));
process.once("message", (message: unknown) => {
  const spec = message as RunSpec;
  runOne(spec, { takeOverForeignLock: process.env.TSGAN_SWEEP_QUEUED === "1" }).then(
    () => process.exit(EXIT_DONE),
    (error: unknown) => {
      console.error(`tsgan: ${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`);
      if (process.env.TSGAN_DEBUG) console.error((error as Error).stack);
      process.exit(isRepeatableFailure(error) ? EXIT_REPEATABLE_FAILURE : EXIT_FAILURE);
    },
  );
});
