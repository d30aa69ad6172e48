/**
 * `tsgan sweep run FILE` (a local pool, or --queue redis://… for workers on many machines), `tsgan sweep report DIR`
 * and `tsgan sweep status --queue URL`. The sweep file's format: src/core/sweep/sweepFile.ts and the README.
 */
import { dirname, join, resolve } from "node:path";
import { Command, type OutputConfiguration } from "commander";
import { expandSweep, parseSweepFile, type SweepPlan, type SweepRun } from "../core/sweep/sweepFile.js";
import { formatSummary } from "../core/sweep/report.js";
import {
  DEFAULT_RUNS_ROOT,
  readOutcome,
  sweepDirectory,
  unfinishedRuns,
  writePlan,
  type RunOutcomeFile,
} from "../node/sweep/plan.js";
import { defaultParallel, runLocalPool } from "../node/sweep/pool.js";
import type { StoppedRun } from "../node/sweep/process.js";
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  enqueueRuns,
  closeQueue,
  jobId,
  openQueue,
  queueCounts,
} from "../node/sweep/queue.js";
import { writeSweepReport } from "../node/sweep/report.js";
import { nonNegativeInteger, positiveInteger } from "./options.js";
import { createRunsProgress } from "./progress.js";
import { readConfigFile, readJsonObjectFile } from "../node/configFile.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** Some runs of a sweep failed (the report says why): exit 1, after the report is written. */
export class SweepFailedError extends Error {
  override name = "SweepFailedError";
}

/** Exit status of a second Ctrl-C during `sweep run`: 128 + SIGINT, as a shell reports it. */
const EXIT_INTERRUPTED = 130;

/** How often `sweep run --queue` asks Redis how its jobs stand. */
const QUEUE_POLL_MS = 500;

/** Reads and expands a sweep file; its base config path is relative to the sweep file. One-line ConfigErrors. */
export function readSweepPlan(path: string): SweepPlan {
  const sweep = parseSweepFile(readJsonObjectFile(path, "sweep file"), path);
  const base = typeof sweep.base === "string" ? readConfigFile(resolve(dirname(path), sweep.base)) : sweep.base;
  return expandSweep(sweep, base, path);
}

/** "ring-2d_seed1: done in 4.2 s (modes 7/8)" — one line per ended run. */
function runLine(run: SweepRun, outcome: RunOutcomeFile | StoppedRun | null, state?: string): string {
  if (outcome?.state === "stopped") return `${run.name}: stopped, its training saved at a checkpoint`;
  const ended = outcome?.state ?? state ?? "ended";
  const time = outcome ? ` in ${outcome.seconds.toFixed(1)} s` : "";
  const why = outcome?.state === "failed" && outcome.message ? `: ${outcome.message}` : "";
  return `${run.name}: ${ended}${time}${why}`;
}

interface RunOptions {
  runs: string;
  parallel?: number;
  queue?: string;
  attempts: number;
  backoff: number;
  wait: boolean;
}

async function runSweep(file: string, options: RunOptions): Promise<void> {
  const plan = readSweepPlan(file);
  const directory = sweepDirectory(options.runs, plan.name);
  if (!options.queue) {
    let progress: ReturnType<typeof createRunsProgress> | undefined;
    // Ctrl-C (or SIGTERM): each running run stops at a checkpoint of its current iteration, none starts; again: quit.
    const stopping = new AbortController();
    const onSignal = () => {
      if (stopping.signal.aborted) process.exit(EXIT_INTERRUPTED);
      stopping.abort();
      process.stderr.write(
        "\ntsgan: stopping the sweep's runs at a checkpoint of their current iteration (Ctrl-C again to quit now)\n",
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const result = await runLocalPool(directory, plan, {
      signal: stopping.signal,
      ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
      onStart: (pending, skipped) => {
        const parallel = options.parallel ?? defaultParallel(pending.length > 0 ? pending : plan.runs);
        console.error(
          `tsgan: sweep ${plan.name}: ${plan.runs.length} runs, ${skipped} already done, ${pending.length} to run, ` +
            `${Math.min(parallel, pending.length)} at a time, in ${directory}`,
        );
        progress = createRunsProgress(pending.length);
      },
      onRunFinished: (run, outcome, ended) => progress?.runEnded(runLine(run, outcome), ended),
    }).finally(() => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
    progress?.stop();
    if (stopping.signal.aborted) {
      const left = (await unfinishedRuns(directory, plan)).length;
      const runs = options.runs === DEFAULT_RUNS_ROOT ? "" : ` --runs ${options.runs}`;
      console.error(
        `tsgan: sweep ${plan.name} stopped, ${left} run(s) to go; continue: tsgan sweep run ${file}${runs}`,
      );
    }
    await finish(directory, result.failed);
    return;
  }
  const queue = await openQueue(options.queue);
  try {
    await writePlan(directory, plan);
    const pending = await unfinishedRuns(directory, plan);
    await enqueueRuns(queue, plan, pending, { attempts: options.attempts, backoffMs: options.backoff });
    console.error(
      `tsgan: sweep ${plan.name}: ${pending.length} of ${plan.runs.length} runs on the queue at ${options.queue}; ` +
        `workers write them under ${directory}`,
    );
    if (!options.wait) return;
    const progress = createRunsProgress(pending.length);
    const open = new Set(pending);
    let ended = 0;
    let failed = 0;
    while (open.size > 0) {
      for (const run of [...open]) {
        const job = await queue.getJob(jobId(plan.name, run.name));
        const state = job ? await job.getState() : "unknown";
        if (state === "unknown" && (await readOutcome(join(directory, run.name)))?.state !== "done") {
          // Gone from Redis (restarted without persistence, or flushed): put it back; a worker resumes the run.
          await enqueueRuns(queue, plan, [run], { attempts: options.attempts, backoffMs: options.backoff });
          continue;
        }
        if (state !== "completed" && state !== "failed" && state !== "unknown") continue;
        open.delete(run);
        if (state === "failed") failed++;
        const outcome = await readOutcome(join(directory, run.name));
        progress.runEnded(runLine(run, outcome, state === "failed" ? `failed: ${job?.failedReason}` : "done"), ++ended);
      }
      if (open.size > 0) await new Promise((wake) => setTimeout(wake, QUEUE_POLL_MS));
    }
    progress.stop();
    await finish(directory, failed);
  } finally {
    await closeQueue(queue);
  }
}

/** Writes the report and prints its table; a sweep with failed runs exits 1. */
async function finish(directory: string, failed: number): Promise<void> {
  const { report, paths } = await writeSweepReport(directory);
  printReport(report);
  console.error(`tsgan: wrote ${paths.join(", ")}`);
  if (failed > 0) {
    throw new SweepFailedError(`${failed} run(s) failed; see ${paths[0]}`);
  }
}

function printReport(report: Awaited<ReturnType<typeof writeSweepReport>>["report"]): void {
  for (const setting of report.settings) {
    const numbers = report.quantities.map((quantity) => `${quantity} ${formatSummary(setting.quantities[quantity]!)}`);
    console.log(`${setting.setting}: ${setting.finished} done, ${setting.failed} failed; ${numbers.join("; ")}`);
  }
}

/**
 * The `sweep` command and its subcommands; `output` (main.ts's) is set before the subcommands are made, so that
 * they inherit it and commander's errors in them end as one "tsgan: …" line with exit 2 too.
 */
export function sweepCommand(output: OutputConfiguration = {}): Command {
  const command = new Command("sweep").description(COMMAND_DESCRIPTIONS.sweep).exitOverride().configureOutput(output);
  command
    .command("run")
    .description("run a sweep file's runs (skipping finished ones, resuming partial ones), then write its report")
    .argument("<file>", "sweep file (JSON; see the README, 'Many runs, many machines')")
    .option("--runs <dir>", "where sweep directories go: <dir>/<sweep name>/<run>", DEFAULT_RUNS_ROOT)
    .option(
      "--parallel <n>",
      "runs at once on this machine (default: one per core for toys, per 4 for images)",
      positiveInteger,
    )
    .option("--queue <url>", "put the runs on the BullMQ queue at redis://host:port for `tsgan worker`s instead")
    .option(
      "--attempts <n>",
      "with --queue: tries per run when its worker crashes or is killed",
      positiveInteger,
      DEFAULT_ATTEMPTS,
    )
    .option(
      "--backoff <ms>",
      "with --queue: wait before the second try, doubled after",
      nonNegativeInteger,
      DEFAULT_BACKOFF_MS,
    )
    .option("--no-wait", "with --queue: enqueue and return, without waiting for the runs")
    .action((file: string, options: RunOptions) => runSweep(file, options));
  command
    .command("report")
    .description(
      "write report.md, .csv, .json and .svg of a sweep directory (mean ± std over seeds per setting), " +
        "and curves.svg when its runs logged training-time evaluation",
    )
    .argument("<dir>", "sweep directory (<runs>/<sweep name>)")
    .option(
      "--keep <report.json>",
      "an earlier report of this sweep: the runs it finished whose directories are not here keep its numbers",
    )
    .action(async (directory: string, options: { keep?: string }) => {
      const { report, paths } = await writeSweepReport(directory, options);
      printReport(report);
      console.error(`tsgan: wrote ${paths.join(", ")}`);
    });
  command
    .command("status")
    .description(
      "how the queue stands: waiting, active, delayed (to retry, or until the training they share ends), completed and failed runs",
    )
    .requiredOption("--queue <url>", "the BullMQ queue's Redis, redis://host:port")
    .action(async (options: { queue: string }) => {
      const queue = await openQueue(options.queue);
      try {
        const counts = await queueCounts(queue);
        console.log(
          Object.entries(counts)
            .map(([state, count]) => `${state} ${count}`)
            .join(", "),
        );
        for (const job of await queue.getJobs(["active"])) console.log(`active: ${job.id}`);
        for (const job of await queue.getJobs(["failed"])) console.log(`failed: ${job.id}: ${job.failedReason}`);
      } finally {
        await closeQueue(queue);
      }
    });
  return command;
}
