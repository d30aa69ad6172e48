/**
 * Sweeps across machines on BullMQ (https://docs.bullmq.io), a job queue kept in Redis 6.2+. Each run is one job
 * whose id is `<sweep>/<run>`, so enqueueing a sweep again adds nothing twice; `tsgan worker` processes (worker.ts)
 * on any machine take jobs, train and evaluate them into a directory every machine shares, and BullMQ's stalled-job
 * check hands the run of a worker that died to another one.
 */
import { Queue, type Job, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { SweepPlan, SweepRun } from "../../core/sweep/sweepFile.js";
import { sameRunConfig } from "./plan.js";

/** The one queue all sweeps share: a worker serves every sweep whose directory it can reach. */
export const QUEUE_NAME = "tsgan-runs";
/** How long the connection check waits for Redis before saying it cannot be reached. */
export const CONNECT_TIMEOUT_MS = 3000;
/** BullMQ needs Redis 6.2 or newer (its scripts use commands added then). */
const MINIMUM_REDIS_VERSION = [6, 2];

/** Redis unreachable, refusing us, or too old: one line naming the URL; the CLI exits 2. */
export class QueueError extends Error {
  override name = "QueueError";
}

/** What a job carries: everything a worker needs besides its --runs directory. */
export interface RunJobData {
  sweep: string;
  run: SweepRun;
  metrics?: string[];
  samples?: number;
  /** The run whose training this one shares (SweepRun.trainedBy): in the same sweep directory. */
  trainer?: SweepRun;
}

/** How often a job is tried and how long to wait between tries (a crash or a kill; not a bad config or a NaN). */
export interface RetryOptions {
  /** Tries in all, the first included. Default 3: a run whose worker died twice deserves a look. */
  attempts?: number;
  /** Milliseconds before the second try; doubled for each further one. Default 5 s. */
  backoffMs?: number;
}

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 5000;

/** `redis://host:port` (or rediss://, with a user, password or database): refused with one line otherwise. */
export function checkQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueError(`${url} is not a Redis URL; write redis://host:port`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new QueueError(`${url} is not a Redis URL; write redis://host:port`);
  }
  return url;
}

/**
 * A connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's workers require (a blocking command
 * waits for jobs indefinitely); ioredis then reconnects by itself when Redis restarts.
 */
export function queueConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(checkQueueUrl(url), { maxRetriesPerRequest: null, ...options });
}

/**
 * Checks, within CONNECT_TIMEOUT_MS, that Redis at `url` answers and is new enough; a QueueError naming the URL
 * otherwise. Nothing waits on an unreachable host past the timeout.
 */
export async function checkRedis(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const probe = new Redis(checkQueueUrl(url), {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // one try: the check reports, it does not wait for Redis to appear
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined; // ioredis says why (ECONNREFUSED, NOAUTH) in an event, then rejects vaguely
  probe.on("error", (error: Error) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const info = await Promise.race([
      (async () => {
        await probe.connect();
        return probe.info("server");
      })(),
      timeout,
    ]);
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    const [major, minor] = version ? [Number(version[1]), Number(version[2])] : [0, 0];
    const [needMajor, needMinor] = MINIMUM_REDIS_VERSION as [number, number];
    if (major < needMajor || (major === needMajor && minor < needMinor)) {
      throw new QueueError(`Redis at ${url} is ${major}.${minor}; BullMQ needs ${needMajor}.${needMinor} or newer`);
    }
  } catch (error) {
    if (error instanceof QueueError) throw error;
    const reason = String((lastError ?? (error as Error)).message ?? error).split("\n")[0];
    throw new QueueError(`cannot use Redis at ${url}: ${reason}`);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

/** The job id of a run: stable, so that adding it again is a no-op (BullMQ ids may not contain ':'). */
export function jobId(sweep: string, run: string): string {
  return `${sweep}/${run}`;
}

/** Opens the queue at `url` after checking Redis (bounded in time). */
export async function openQueue(url: string): Promise<Queue<RunJobData>> {
  await checkRedis(url);
  const queue = new Queue<RunJobData>(QUEUE_NAME, { connection: queueConnection(url) });
  queue.on("error", () => undefined); // reconnection is ioredis's; a command that fails says so itself
  return queue;
}

/**
 * Enqueues each run of `runs` (the unfinished ones). A job that exists already is kept (idempotent), except one
 * that failed for good or completed while its directory says otherwise: that one is tried again, as a user who
 * starts the sweep again asks. A job not running whose config the sweep has since changed (made longer: plan.ts) is
 * replaced, so that it carries the new config.
 */
export async function enqueueRuns(
  queue: Queue<RunJobData>,
  plan: SweepPlan,
  runs: readonly SweepRun[],
  retry: RetryOptions = {},
): Promise<Array<Job<RunJobData>>> {
  const options: JobsOptions = {
    attempts: retry.attempts ?? DEFAULT_ATTEMPTS,
    backoff: { type: "exponential", delay: retry.backoffMs ?? DEFAULT_BACKOFF_MS },
    removeOnComplete: false,
    removeOnFail: false,
  };
  const jobs: Array<Job<RunJobData>> = [];
  for (const run of runs) {
    const id = jobId(plan.name, run.name);
    const existing = await queue.getJob(id);
    const state = existing ? await existing.getState() : "unknown";
    const stale = existing !== undefined && !sameRunConfig(existing.data.run.config, run.config);
    const replace = existing !== undefined && (state === "completed" || (stale && state !== "active"));
    if (replace) await existing.remove();
    else if (existing && state === "failed") await existing.retry("failed");
    const trainer = plan.runs.find(({ name }) => name === run.trainedBy);
    const data: RunJobData = {
      sweep: plan.name,
      run,
      ...(plan.metrics ? { metrics: plan.metrics } : {}),
      ...(plan.samples !== undefined ? { samples: plan.samples } : {}),
      ...(trainer ? { trainer } : {}),
    };
    jobs.push(existing && !replace ? existing : await queue.add(run.name, data, { ...options, jobId: id }));
  }
  return jobs;
}

/** Closes the queue and its connection (BullMQ leaves a connection it was given open, and with it the process). */
export async function closeQueue(queue: Queue<RunJobData>): Promise<void> {
  const connection = queue.opts.connection;
  await queue.close();
  if (connection instanceof Redis) connection.disconnect();
}

/** Waiting, active, delayed (to retry, or until the training they share ends), completed and failed jobs. */
export async function queueCounts(queue: Queue<RunJobData>): Promise<Record<string, number>> {
  return queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
}
