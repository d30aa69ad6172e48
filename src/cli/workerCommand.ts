/**
 * `tsgan worker --queue redis://host:port --runs DIR`: takes sweep runs from the BullMQ queue and trains them into
 * DIR/<sweep>/<run>, until stopped (Ctrl-C or SIGTERM: its active runs stop at a checkpoint of their current
 * iteration and go back to the queue, to resume on any worker; a second Ctrl-C quits at once).
 */
import { Command } from "commander";
import { DEFAULT_RUNS_ROOT } from "../node/sweep/plan.js";
import { startWorker } from "../node/sweep/worker.js";
import { nonNegativeInteger, positiveInteger } from "./options.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** Exit status of a second Ctrl-C: 128 + SIGINT, as a shell reports it. */
const EXIT_INTERRUPTED = 130;

export function workerCommand(): Command {
  return new Command("worker")
    .description(COMMAND_DESCRIPTIONS.worker)
    .requiredOption("--queue <url>", "the queue's Redis, redis://host:port")
    .option(
      "--runs <dir>",
      "the shared directory of sweep directories (the same path `sweep run --runs` names)",
      DEFAULT_RUNS_ROOT,
    )
    .option("--concurrency <n>", "runs at once in this worker", positiveInteger, 1)
    .option(
      "--lock-duration <ms>",
      "how long a run's job lock lasts unrenewed: a dead worker's run moves on after this",
      positiveInteger,
    )
    .option("--stalled-interval <ms>", "how often to look for runs of dead workers", positiveInteger)
    .option("--max-stalled <n>", "times a run may lose its worker before it fails", nonNegativeInteger)
    .action(
      async (options: {
        queue: string;
        runs: string;
        concurrency: number;
        lockDuration?: number;
        stalledInterval?: number;
        maxStalled?: number;
      }) => {
        const running = await startWorker({
          url: options.queue,
          runsRoot: options.runs,
          concurrency: options.concurrency,
          ...(options.lockDuration !== undefined ? { lockDurationMs: options.lockDuration } : {}),
          ...(options.stalledInterval !== undefined ? { stalledIntervalMs: options.stalledInterval } : {}),
          ...(options.maxStalled !== undefined ? { maxStalledCount: options.maxStalled } : {}),
        });
        console.error(`tsgan: worker ${process.pid} on ${options.queue}, runs under ${options.runs}`);
        await new Promise<void>((stopped) => {
          let stopping = false;
          const stop = () => {
            if (stopping) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C: the runs since their checkpoints are lost
            stopping = true;
            console.error("tsgan: worker stopping: its runs write a checkpoint and go back to the queue");
            void running.close().then(() => {
              process.off("SIGINT", stop);
              process.off("SIGTERM", stop);
              stopped();
            });
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
        });
      },
    );
}
