/**
 * Reading a run directory through the lab server: directory listings (JSON for paths ending in /), config.json,
 * status.json, metrics.jsonl, the sample pictures over time and the checkpoints (README, "The run directory").
 */
import type { StepRecord } from "../../../src/core/training/algorithm1.js";
import { parseMetricsLog } from "../../../src/core/training/metricsLog.js";

/** What the lab server answers for a directory. */
interface Listing {
  entries: Array<{ name: string; kind: "file" | "directory" }>;
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

async function listing(url: string): Promise<Listing["entries"]> {
  const response = await fetch(url);
  if (!response.ok) return [];
  return ((await response.json()) as Listing).entries;
}

async function json<T>(url: string): Promise<T | null> {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) return null;
  try {
    return (await response.json()) as T;
  } catch {
    return null;
  }
}

/** Every directory under /runs/ that holds a config.json, newest name last. */
export async function listRuns(): Promise<RunSummary[]> {
  const directories = (await listing("/runs/")).filter((entry) => entry.kind === "directory");
  const runs = await Promise.all(
    directories.map(async ({ name }) => {
      const url = runUrl(name);
      const [config, status] = await Promise.all([
        json<Record<string, unknown>>(`${url}config.json`),
        json<RunStatus>(`${url}status.json`),
      ]);
      return config ? { name, url, config, status } : null;
    }),
  );
  return runs.filter((run): run is RunSummary => run !== null);
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
