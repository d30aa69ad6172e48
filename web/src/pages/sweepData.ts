/**
 * Reading a sweep directory through the lab server (README, "Many runs, many machines"): sweep.json (the plan: its
 * settings and runs), each run's metrics.jsonl and sweep-outcome.json, and report.csv once `tsgan sweep report`
 * (or `sweep run`) has written it. Only files the directory listings show are fetched.
 */
import { parseReportCsv, type SweepReport } from "../../../src/core/sweep/report.js";
import type { SweepPlan, SweepRun } from "../../../src/core/sweep/sweepFile.js";
import type { StepRecord } from "../../../src/core/training/algorithm1.js";
import { parseMetricsLog } from "../../../src/core/training/metricsLog.js";
import { hasFile, json, listing } from "./runData.js";

/** src/node/sweep/plan.ts's files. */
const PLAN_FILE = "sweep.json";
const OUTCOME_FILE = "sweep-outcome.json";
const REPORT_CSV = "report.csv";

/** One run of the sweep as it stands. */
export interface SweepRunData {
  run: SweepRun;
  /** done / failed from sweep-outcome.json; started (a directory, no outcome yet); pending (no directory). */
  state: "done" | "failed" | "started" | "pending";
  /** A failed run's one line. */
  message?: string;
  metrics: StepRecord[];
}

export interface SweepData {
  /** Base URL of the sweep directory, ending in "/". */
  url: string;
  plan: SweepPlan;
  runs: SweepRunData[];
  /** report.csv read back, or null before the first report. */
  report: SweepReport | null;
}

/** Reads only the plan: enough to name the sweep in a list. */
export async function readSweepPlan(url: string): Promise<SweepPlan | null> {
  return json<SweepPlan>(`${url}${PLAN_FILE}`);
}

async function readSweepRun(url: string, run: SweepRun, exists: boolean): Promise<SweepRunData> {
  if (!exists) return { run, state: "pending", metrics: [] };
  const runUrl = `${url}${encodeURIComponent(run.name)}/`;
  const entries = await listing(runUrl);
  const [metricsText, outcome] = await Promise.all([
    hasFile(entries, "metrics.jsonl")
      ? fetch(`${runUrl}metrics.jsonl`, { cache: "no-cache" }).then((response) => response.text())
      : Promise.resolve(""),
    hasFile(entries, OUTCOME_FILE)
      ? json<{ state: "done" | "failed"; message?: string }>(`${runUrl}${OUTCOME_FILE}`)
      : Promise.resolve(null),
  ]);
  return {
    run,
    state: outcome?.state ?? "started",
    ...(outcome?.message ? { message: outcome.message } : {}),
    metrics: parseMetricsLog(metricsText).records,
  };
}

/** The sweep at `url` (a directory holding sweep.json), its runs' curves and its report; null without a plan. */
export async function readSweep(url: string): Promise<SweepData | null> {
  const [plan, entries] = await Promise.all([readSweepPlan(url), listing(url)]);
  if (!plan) return null;
  const directories = new Set(entries.filter((entry) => entry.kind === "directory").map((entry) => entry.name));
  const [runs, reportText] = await Promise.all([
    Promise.all(plan.runs.map((run) => readSweepRun(url, run, directories.has(run.name)))),
    hasFile(entries, REPORT_CSV)
      ? fetch(`${url}${REPORT_CSV}`, { cache: "no-cache" }).then((response) => response.text())
      : Promise.resolve(null),
  ]);
  return { url, plan, runs, report: reportText === null ? null : parseReportCsv(plan.name, reportText) };
}
