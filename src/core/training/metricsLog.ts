/**
 * metrics.jsonl, the run's log: one JSON StepRecord per line, appended as training goes. A process killed in the
 * middle of an append leaves a torn last line; readers (a resumed run, the lab's run viewer) skip such lines and
 * say how many they skipped, and a resumed run rewrites the log without them (src/node/run/runDirectory.ts).
 */
import type { StepRecord } from "./algorithm1.js";

/** metrics.jsonl read back: its whole records, and how many torn lines were skipped. */
export interface MetricsLog {
  records: StepRecord[];
  /** Lines that are not whole JSON records: a crash mid-append (or a run still writing its last line). */
  tornLines: number;
}

/** One record as its line of metrics.jsonl, newline included. */
export function metricsLine(record: StepRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Parses metrics.jsonl; blank lines are ignored, lines that do not parse are counted as torn. */
export function parseMetricsLog(text: string): MetricsLog {
  const records: StepRecord[] = [];
  let tornLines = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as StepRecord);
    } catch {
      tornLines++;
    }
  }
  return { records, tornLines };
}
