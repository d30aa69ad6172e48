/**
 * A sweep on disk. The run directory stays the contract: a sweep is a folder of run directories plus its plan and
 * report, and every state the pool, the queue and the report need is read from these files (a shared filesystem is
 * all that machines running one sweep share besides the queue).
 *
 *   <runs>/<sweep name>/
 *     sweep.json                 the expanded plan: settings, runs, each run's resolved config
 *     <run name>/                a normal run directory (config.json, metrics.jsonl, checkpoints/, eval/, …)
 *       sweep-outcome.json       how the run's last attempt ended: done / failed (why), seconds, attempts
 *       sweep-clock.json         wall-clock seconds of every attempt so far, the running one included (each minute)
 *     report.md, report.csv, report.svg, report.json   `tsgan sweep report`
 *     curves.svg                 `tsgan sweep report`, when the runs logged training-time evaluation
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, longerRun, resolveConfig } from "../../core/config.js";
import type { SweepPlan, SweepRun } from "../../core/sweep/sweepFile.js";
import { RunDirectory } from "../run/runDirectory.js";
import { asWriteError, writeFileAtomic } from "../visual/files.js";

export const PLAN_FILE = "sweep.json";
export const OUTCOME_FILE = "sweep-outcome.json";
export const CLOCK_FILE = "sweep-clock.json";
/** Where sweep directories go unless --runs says otherwise. */
export const DEFAULT_RUNS_ROOT = "sweeps";

/** How a run's last attempt ended, written by the child that ran it (or by its parent when the child crashed). */
export interface RunOutcomeFile {
  state: "done" | "failed";
  /** The failure's one line. */
  message?: string;
  /** False when running it again would fail the same way (a bad config, a NaN): the queue does not retry it. */
  retryable?: boolean;
  /** Wall-clock seconds of all completed attempts. */
  seconds: number;
  attempts: number;
  host: string;
  finishedAt: string;
  /** The run whose training this one copied (SweepRun.trainedBy): `seconds` then counts its evaluation only. */
  trainedBy?: string;
  /** "<sweep>/<run>": another sweep's finished run this one started from (adopt.ts); `seconds` include its time. */
  adoptedFrom?: string;
}

/** What a child process needs to train and evaluate one run. */
export interface RunSpec {
  /** The run directory. */
  root: string;
  run: SweepRun;
  metrics?: string[];
  samples?: number;
  /** The run whose training this one shares (SweepRun.trainedBy), and its directory. */
  trainer?: { root: string; run: SweepRun };
}

/** The sweep directory of `plan` under `runsRoot`. */
export function sweepDirectory(runsRoot: string, name: string): string {
  return join(runsRoot, name);
}

/**
 * Whether two stored configs describe the same run. They are compared resolved: a run or plan written before a
 * config key existed holds no value for it, and resolving fills the key's default, which is what that run trained
 * with (a new key defaults to the old behaviour), so upgrading tsgan does not orphan a half-finished sweep.
 */
export function sameRunConfig(stored: unknown, wanted: unknown): boolean {
  const resolved = (config: unknown) => JSON.stringify(resolveConfig(config as Record<string, unknown>));
  return resolved(stored) === resolved(wanted);
}

/**
 * Writes sweep.json; a sweep directory made by a different plan is refused (its runs would not match), unless each
 * changed run only grew longer (longerRun: `steps` raised, intervals or backend changed), which its runs continue into.
 */
export async function writePlan(directory: string, plan: SweepPlan): Promise<void> {
  await mkdir(directory, { recursive: true }).catch((error: unknown) => {
    throw asWriteError(error, directory);
  });
  const path = join(directory, PLAN_FILE);
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  if (existsSync(path)) {
    const existing = await readFile(path, "utf8");
    if (existing !== text) {
      const before = JSON.parse(existing) as SweepPlan;
      const changed = plan.runs.find((run) => {
        const old = before.runs.find((candidate) => candidate.name === run.name);
        return old !== undefined && !sameRunConfig(old.config, run.config) && !longerRun(old.config, run.config);
      });
      if (changed) {
        throw new ConfigError(
          `${directory} holds run ${changed.name} made with another config; rename the sweep or remove that directory`,
        );
      }
    }
  }
  await writeFileAtomic(path, text);
}

/** The plan stored in a sweep directory. */
export async function readStoredPlan(directory: string): Promise<SweepPlan> {
  const path = join(directory, PLAN_FILE);
  if (!existsSync(path)) throw new ConfigError(`${directory} is not a sweep directory (no ${PLAN_FILE})`);
  return JSON.parse(await readFile(path, "utf8")) as SweepPlan;
}

/**
 * True when the run directory `root` holds a run that `config` makes longer (longerRun): done or not, it continues
 * from its last checkpoint to the new length, and is evaluated there.
 */
export async function madeLonger(root: string, config: unknown): Promise<boolean> {
  try {
    const stored = JSON.parse(await readFile(join(root, "config.json"), "utf8")) as unknown;
    return longerRun(stored, config) !== null;
  } catch {
    return false; // no run there yet, or one whose config.json training itself will name as unreadable
  }
}

/** The outcome of a run's last attempt, or null when none ended yet. */
export async function readOutcome(root: string): Promise<RunOutcomeFile | null> {
  try {
    return JSON.parse(await readFile(join(root, OUTCOME_FILE), "utf8")) as RunOutcomeFile;
  } catch {
    return null;
  }
}

export async function writeOutcome(root: string, outcome: RunOutcomeFile): Promise<void> {
  await mkdir(root, { recursive: true });
  await writeFileAtomic(join(root, OUTCOME_FILE), `${JSON.stringify(outcome, null, 2)}\n`);
}

/**
 * The wall-clock seconds a run's attempts have taken so far, kept apart from the outcome because an attempt killed
 * with its whole process tree (a machine or session that stops) writes no outcome: its time up to the last tick of
 * runOne's clock is still counted. 0 for a run without one.
 */
export async function readClock(root: string): Promise<number> {
  try {
    const { seconds } = JSON.parse(await readFile(join(root, CLOCK_FILE), "utf8")) as { seconds: unknown };
    return typeof seconds === "number" && Number.isFinite(seconds) ? seconds : 0;
  } catch {
    return 0;
  }
}

export async function writeClock(root: string, seconds: number): Promise<void> {
  await writeFileAtomic(join(root, CLOCK_FILE), `${JSON.stringify({ seconds }, null, 2)}\n`);
}

/**
 * True when the run in `root` is finished as `config` asks: its last attempt ended done, the sweep has not made it
 * longer since (madeLonger), and its training says done too. The last check matters once a run was made longer: the
 * attempt that continues it rewrites config.json to the new length before training, so a kill during that training
 * leaves the old "done" outcome beside a config it no longer describes; status.json then says "running".
 */
export async function runDone(root: string, config: unknown): Promise<boolean> {
  return (await readOutcome(root))?.state === "done" && (await trainedToPlan(root, config));
}

/**
 * True when the run at `root` finished training at the length `config` plans: its own status.json says done (a
 * run stopped or killed while being made longer says otherwise) and the sweep has not made it longer since
 * (madeLonger). Whether a trainer's weights can be shared, a queued run can start, a run is done (runDone).
 */
export async function trainedToPlan(root: string, config: unknown): Promise<boolean> {
  const status = await new RunDirectory(root).readStatus().catch(() => null);
  return status?.state === "done" && !(await madeLonger(root, config));
}

/**
 * The runs of a plan that are not done (runDone): never finished, or finished shorter than the plan now asks, or
 * interrupted while being made longer. What a (re)started sweep still has to do.
 */
export async function unfinishedRuns(directory: string, plan: SweepPlan): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  for (const run of plan.runs) {
    if (!(await runDone(join(directory, run.name), run.config))) runs.push(run);
  }
  return runs;
}

/** The spec a child needs for `run` of `plan` in `directory`. */
export function runSpec(directory: string, plan: SweepPlan, run: SweepRun): RunSpec {
  const trainer = run.trainedBy === undefined ? undefined : plan.runs.find(({ name }) => name === run.trainedBy);
  return {
    root: join(directory, run.name),
    run,
    ...(plan.metrics ? { metrics: plan.metrics } : {}),
    ...(plan.samples !== undefined ? { samples: plan.samples } : {}),
    ...(trainer ? { trainer: { root: join(directory, trainer.name), run: trainer } } : {}),
  };
}
