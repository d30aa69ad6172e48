/**
 * A queue worker (`tsgan worker`): takes run jobs from BullMQ and trains and evaluates each in a child process
 * (process.ts) into <runs>/<sweep>/<run>, a directory every worker and the submitting machine share.
 *
 * Failure cases, and who handles them:
 * - The worker dies (SIGKILL, a lost machine): its child exits with it (child.ts), the job's lock in Redis is no
 *   longer renewed, and after `lockDurationMs` BullMQ's stalled-job check (every `stalledIntervalMs`, in any live
 *   worker) puts the job back; the next worker resumes the run from its newest checkpoint. A job that stalls more
 *   than `maxStalledCount` times fails.
 * - This worker cannot renew a job's lock (Redis unreachable longer than the lock lasts): it stops that run's child,
 *   since BullMQ may already have handed the run to another worker.
 * - The run fails in a way another try would repeat (bad config, NaN): the job fails at once (UnrecoverableError),
 *   with the run's one line as the reason. Any other failure is retried, `attempts` times in all, with backoff.
 * - The worker is stopped (Ctrl-C, SIGTERM: close()): each active run stops at a checkpoint of its current
 *   iteration and its job goes back to the queue without spending an attempt (BullMQ's delayed state); any worker
 *   resumes it from that checkpoint. A child that has not stopped within STOP_GRACE_MS is killed.
 * - Redis restarts: ioredis reconnects and the worker carries on.
 * - A run shares another's training (SweepRun.trainedBy) that has not ended: the job goes back to the queue for
 *   TRAINER_WAIT_MS, without spending an attempt, until that run's training is done; if that run's job failed for
 *   good, this one fails too, naming it.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { RunDirectory } from "../run/runDirectory.js";
import { trainedToPlan, type RunOutcomeFile } from "./plan.js";
import { spawnRun, type RunningChild } from "./process.js";
import { QUEUE_NAME, checkRedis, jobId, queueConnection, type RunJobData } from "./queue.js";

export interface WorkerOptions {
  url: string;
  /** The shared directory that holds the sweep directories (<runs>/<sweep>/<run>). */
  runsRoot: string;
  /** Runs at once in this worker. Default 1. */
  concurrency?: number;
  /** How long a job's lock lasts without renewal (ms); BullMQ's default 30 000. Shorter: faster hand-over. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (ms); BullMQ's default 30 000. */
  stalledIntervalMs?: number;
  /** Times a job may stall before it fails; BullMQ's default 1. */
  maxStalledCount?: number;
  /** A run started or ended: one line for the log. */
  log?: (line: string) => void;
  /** How long a run that shares another's training is put back while that training goes on (ms). */
  trainerWaitMs?: number;
}

/**
 * How long a run that shares another's unfinished training goes back to the queue: long enough not to busy the
 * workers, short against a training of minutes to hours.
 */
export const TRAINER_WAIT_MS = 30_000;

/**
 * How long close() lets the active runs' children write their checkpoints before it kills them: a training
 * iteration and a checkpoint take seconds, an evaluation under way (which a stop does not cut short) can take
 * minutes, and a worker being stopped should not hang on it.
 */
export const STOP_GRACE_MS = 60_000;

/**
 * Whether a run's training has ended (done at the length `config` plans, or failed: the sharer then fails with its
 * reason). Until then a run that shares it is not started: a worker that waited for it would hold its place while
 * the trainer's job, retried after a crash, may sit behind it, and training it here could race that job on another
 * machine. A trainer done at a length the sweep has since raised has not ended (plan.ts, trainedToPlan).
 */
async function trainingEnded(root: string, config: RunJobData["run"]["config"]): Promise<boolean> {
  if ((await new RunDirectory(root).readStatus())?.state === "failed") return true;
  return trainedToPlan(root, config);
}

export interface RunningWorker {
  worker: Worker<RunJobData>;
  /**
   * Stops taking jobs, stops the active runs at a checkpoint (their jobs go back to the queue, to resume on any
   * worker; a child still running after `graceMs`, default STOP_GRACE_MS, is killed) and disconnects.
   */
  close(graceMs?: number): Promise<void>;
}

/** Starts a worker after checking Redis (bounded in time). */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  await checkRedis(options.url);
  const log = options.log ?? ((line: string) => console.error(line));
  const concurrency = options.concurrency ?? 1;
  const threads = Math.max(1, Math.floor(availableParallelism() / concurrency));
  const children = new Map<string, RunningChild>();

  const processRun = async (job: Job<RunJobData>, token?: string): Promise<RunOutcomeFile> => {
    const { sweep, run, metrics, samples, trainer } = job.data;
    const root = join(options.runsRoot, sweep, run.name);
    if (trainer && !(await trainingEnded(join(options.runsRoot, sweep, trainer.name), trainer.config))) {
      // A trainer whose job failed for good will not train: waiting for it would hold `tsgan sweep run` for ever.
      const trainerJob = await jobs.getJob(jobId(sweep, trainer.name));
      if (trainerJob && (await trainerJob.getState()) === "failed") {
        throw new UnrecoverableError(
          `${trainer.name}, whose training this run shares, failed: ${trainerJob.failedReason}`,
        );
      }
      // BullMQ's way to put a job back for later without spending one of its attempts.
      log(`tsgan: ${job.id}: waits for ${trainer.name}'s training, which it shares`);
      await job.moveToDelayed(Date.now() + (options.trainerWaitMs ?? TRAINER_WAIT_MS), token);
      throw new DelayedError();
    }
    log(`tsgan: ${job.id}: started (try ${job.attemptsStarted}, ${root})`);
    const running = await spawnRun(
      {
        root,
        run,
        ...(metrics ? { metrics } : {}),
        ...(samples !== undefined ? { samples } : {}),
        ...(trainer ? { trainer: { root: join(options.runsRoot, sweep, trainer.name), run: trainer } } : {}),
      },
      { queued: true, threads },
    );
    children.set(job.id!, running);
    const outcome = await running.finished.finally(() => children.delete(job.id!));
    if (outcome.state === "stopped") {
      // close() (or a Ctrl-C, which reaches the child too) stopped it at a checkpoint: back to the queue, no attempt
      // spent, for whichever worker takes it next to resume.
      log(`tsgan: ${job.id}: stopped at a checkpoint; back on the queue`);
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    log(`tsgan: ${job.id}: ${outcome.state}${outcome.message ? `: ${outcome.message}` : ""}`);
    if (outcome.state === "done") return outcome;
    if (outcome.retryable === false) throw new UnrecoverableError(outcome.message ?? "failed");
    throw new Error(outcome.message ?? "failed");
  };

  const connection = queueConnection(options.url);
  const jobs = new Queue<RunJobData>(QUEUE_NAME, { connection }); // to read a trainer's job
  const worker = new Worker<RunJobData>(QUEUE_NAME, processRun, {
    connection,
    concurrency,
    ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
    ...(options.maxStalledCount !== undefined ? { maxStalledCount: options.maxStalledCount } : {}),
  });
  let lastError = ""; // while Redis is down ioredis retries every few hundred ms: say so once, not each time
  worker.on("error", (error) => {
    const line = `tsgan: worker: ${error.message.split("\n")[0]}`;
    if (line !== lastError) log(line);
    lastError = line;
  });
  worker.on("active", () => (lastError = ""));
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const id of jobIds) {
      const running = children.get(id);
      if (!running) continue;
      log(`tsgan: ${id}: lost the job's lock; stopping it here (another worker resumes it)`);
      running.child.kill("SIGKILL");
    }
  });
  await worker.waitUntilReady();
  return {
    worker,
    async close(graceMs = STOP_GRACE_MS) {
      for (const running of children.values()) running.stop();
      // worker.close() takes no new job and resolves once the active jobs' processors have returned (here: their
      // children stopped, their jobs moved back to the queue). BullMQ closes once: a later close(true) would only
      // return this same promise, so a child too slow to stop is killed instead, which ends its processor at once.
      const closed = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
      if ((await Promise.race([closed, late])) === "late") {
        for (const running of children.values()) running.child.kill("SIGKILL");
        await closed;
      }
      clearTimeout(timer);
      await jobs.close();
      connection.disconnect(); // BullMQ leaves a connection it was given open
    },
  };
}
