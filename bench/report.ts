/** The summary table of one benchmark in `npm run bench` (bench/run.ts): one row per engine over the rounds. */
import { median, round1, type Measurement } from "./common.js";

/** Width of the engine column. */
export const ENGINE_COLUMN = 28;

/** Summary of one engine over the rounds. */
export interface EngineSummary {
  engine: string;
  /** Median over the rounds of each round's figure (the benchmark's statistic: median or mean per step). */
  median_ms?: number;
  /** The fastest single step over all rounds: close to the uncontended time when other processes share the cores. */
  best_ms?: number;
  round_figures_ms: number[];
  gflop_per_s?: number;
  peak_rss_mb?: number;
  note?: string;
}

/** Summarises one engine's runs; `figures` holds each run's per-step figure. */
export function summarise(
  engine: string,
  runs: Measurement[],
  figures: number[],
  gflopPerStep: number | undefined,
  note?: string,
): EngineSummary {
  if (runs.length === 0) return { engine, round_figures_ms: [], ...(note === undefined ? {} : { note }) };
  const medianMs = round1(median(figures));
  return {
    engine,
    median_ms: medianMs,
    best_ms: Math.min(...runs.map((run) => run.min_ms)),
    round_figures_ms: figures,
    ...(gflopPerStep === undefined ? {} : { gflop_per_s: round1(gflopPerStep / (medianMs / 1000)) }),
    peak_rss_mb: Math.max(...runs.map((run) => run.peak_rss_mb)),
    ...(note === undefined ? {} : { note }),
  };
}

/** Prints the table; the "× ref" columns divide by the reference engine's figures (a peer or another benchmark). */
export function printTable(summaries: EngineSummary[], referenceEngine: string | undefined): void {
  const reference = summaries.find((summary) => summary.engine === referenceEngine);
  const ratio = (value: number | undefined, referenceValue: number | undefined) =>
    value !== undefined && referenceValue !== undefined ? (value / referenceValue).toFixed(2) : "";
  console.log(
    `  ${"engine".padEnd(ENGINE_COLUMN)} ${"ms/step".padStart(9)} ${"× ref".padStart(8)} ${"GFLOP/s".padStart(8)} ` +
      `${"RSS MB".padStart(7)} ${"best ms".padStart(8)} ${"best ×".padStart(7)}`,
  );
  for (const summary of summaries) {
    if (summary.median_ms === undefined) {
      console.log(`  ${summary.engine.padEnd(ENGINE_COLUMN)} ${summary.note ?? "no result"}`);
      continue;
    }
    console.log(
      `  ${summary.engine.padEnd(ENGINE_COLUMN)} ${String(summary.median_ms).padStart(9)} ` +
        `${ratio(summary.median_ms, reference?.median_ms).padStart(8)} ${String(summary.gflop_per_s ?? "").padStart(8)} ` +
        `${String(summary.peak_rss_mb).padStart(7)} ${String(summary.best_ms).padStart(8)} ` +
        `${ratio(summary.best_ms, reference?.best_ms).padStart(7)}`,
    );
  }
}

/**
 * Each round's ratio to the reference measured beside it (rounds alternate, so a round's pair shares the machine's
 * state): less moved by the machine's speed changing between rounds than the ratio of the medians. Undefined without
 * a reference, or when the rounds do not pair up.
 */
export function pairedRatios(summary: EngineSummary, reference: EngineSummary | undefined): number[] | undefined {
  const ours = summary.round_figures_ms;
  const theirs = reference?.round_figures_ms;
  if (theirs === undefined || summary === reference || ours.length === 0 || ours.length !== theirs.length) {
    return undefined;
  }
  return ours.map((value, round) => value / theirs[round]!);
}

/** Prints, per engine, the median and range of its per-round ratios to the reference (pairedRatios). */
export function printPairedRatios(summaries: EngineSummary[], referenceEngine: string | undefined): void {
  const reference = summaries.find((summary) => summary.engine === referenceEngine);
  for (const summary of summaries) {
    const ratios = pairedRatios(summary, reference);
    if (ratios === undefined) continue;
    console.log(
      `  ${summary.engine}: × ref round by round: median ${median(ratios).toFixed(2)}, ` +
        `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${ratios.length} rounds`,
    );
  }
}

/** A child's stderr without npm's notices. */
export function withoutNpmNotices(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.startsWith("npm warn"))
    .join("\n");
}
