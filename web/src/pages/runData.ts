/**
 * Reading a run directory through the lab server: directory listings (JSON for paths ending in /), config.json,
 * status.json, metrics.jsonl, the sample pictures over time and the checkpoints (README, "The run directory").
 */
import type { StepRecord } from "../../../src/core/training/algorithm1.js";
import { parseMetricsLog } from "../../../src/core/training/metricsLog.js";

/** What the lab server answers for a directory. */
interface Listing {
  entries: ListingEntry[];
}
export interface ListingEntry {
  name: string;
  kind: "file" | "directory";
}

export interface RunStatus {
  state: string;
  step: number;
  steps: number;
  message?: string;
  backend?: string;
}

export interface RunSummary {
  name: string;
  /** Base URL of the run, ending in "/". */
  url: string;
  config: Record<string, unknown>;
  status: RunStatus | null;
}

export interface SamplePicture {
  step: number;
  url: string;
}

export interface RunContents {
  metrics: StepRecord[];
  /** Lines of metrics.jsonl that are not whole records (a crash mid-write), skipped. */
  tornLines: number;
  samples: SamplePicture[];
  checkpoints: number[];
  status: RunStatus | null;
}

/** samples/step_000500.png (or .svg for toys); `tsgan sample` writes sample_*, which are not grids over time. */
const SAMPLE_NAME = /^step_(\d+)\.(png|svg)$/;
const CHECKPOINT_NAME = /^step_(\d+)$/;

export function runUrl(name: string): string {
  return `/runs/${encodeURIComponent(name)}/`;
}

/** The entries of the directory at `url` (ending in "/"); none when it does not exist. */
export async function listing(url: string): Promise<ListingEntry[]> {
  const response = await fetch(url);
  if (!response.ok) return [];
  return ((await response.json()) as Listing).entries;
}

export async function json<T>(url: string): Promise<T | null> {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) return null;
  try {
    return (await response.json()) as T;
  } catch {
    return null;
  }
}

/** Whether a listing holds a file of that name. */
export function hasFile(entries: readonly ListingEntry[], name: string): boolean {
  return entries.some((entry) => entry.kind === "file" && entry.name === name);
}

/** A marker file of a sweep directory (src/node/sweep/plan.ts: PLAN_FILE). */
const SWEEP_PLAN_FILE = "sweep.json";

/** What the runs directory holds: runs, and the URLs of sweep directories (itself, or those one level down). */
export interface RunsRoot {
  /** Directories under /runs/ that hold a config.json, newest name last. */
  runs: RunSummary[];
  /** Base URLs (ending in "/") of the directories that hold a sweep.json: /runs/ itself, or /runs/<sweep>/. */
  sweeps: string[];
}

/**
 * Reads the runs directory. Each directory is listed before anything in it is fetched, so that nothing asked for is
 * missing (a browser logs every 404 as an error).
 */
export async function listRunsRoot(): Promise<RunsRoot> {
  const root = await listing("/runs/");
  const sweeps = hasFile(root, SWEEP_PLAN_FILE) ? ["/runs/"] : [];
  const found = await Promise.all(
    root
      .filter((entry) => entry.kind === "directory")
      .map(async ({ name }) => {
        const url = runUrl(name);
        const entries = await listing(url);
        if (hasFile(entries, SWEEP_PLAN_FILE)) sweeps.push(url);
        if (!hasFile(entries, "config.json")) return null;
        const [config, status] = await Promise.all([
          json<Record<string, unknown>>(`${url}config.json`),
          json<RunStatus>(`${url}status.json`),
        ]);
        return config ? { name, url, config, status } : null;
      }),
  );
  return { runs: found.filter((run): run is RunSummary => run !== null), sweeps: sweeps.sort() };
}

export async function readRun(url: string): Promise<RunContents> {
  const [metricsResponse, sampleEntries, checkpointEntries, status] = await Promise.all([
    fetch(`${url}metrics.jsonl`, { cache: "no-cache" }),
    listing(`${url}samples/`),
    listing(`${url}checkpoints/`),
    json<RunStatus>(`${url}status.json`),
  ]);
  const { records: metrics, tornLines } = metricsResponse.ok
    ? parseMetricsLog(await metricsResponse.text())
    : { records: [], tornLines: 0 };
  const samples = sampleEntries
    .map((entry) => ({ entry, match: SAMPLE_NAME.exec(entry.name) }))
    .filter(({ entry, match }) => entry.kind === "file" && match)
    .map(({ entry, match }) => ({ step: Number(match![1]), url: `${url}samples/${entry.name}` }))
    .sort((a, b) => a.step - b.step);
  const checkpoints = checkpointEntries
    .filter((entry) => entry.kind === "directory" && CHECKPOINT_NAME.test(entry.name))
    .map((entry) => Number(CHECKPOINT_NAME.exec(entry.name)![1]))
    .sort((a, b) => a - b);
  return { metrics, tornLines, samples, checkpoints, status };
}
