/**
 * The sweep report: per setting, mean ± standard deviation over seeds of each evaluated number, the runs finished
 * and failed (with each failure's one line), and wall time. Isomorphic: it aggregates what src/node/sweep/report.ts
 * reads from the run directories, and formats Markdown, CSV and JSON (report.json, {@link SweepReportJson}).
 */

/** What one run came to, as read from its directory. */
export interface RunOutcome {
  name: string;
  setting: string;
  seed: number;
  state: "done" | "failed" | "pending";
  /** The failure's one line. */
  message?: string;
  /** Wall-clock seconds of its completed attempts (training and evaluation; evaluation alone when trainedBy is set). */
  seconds?: number;
  /** The run whose trained GAN it evaluated with its own sampler (SweepRun.trainedBy), once it is done. */
  trainedBy?: string;
  /** Evaluated numbers by quantity ("modes.modesCovered"); empty until evaluated. */
  numbers: Record<string, number>;
  /** The earlier report its numbers and seconds came from, its run directory being gone ({@link keepEarlierRuns}). */
  keptFrom?: string;
}

/** Mean and sample standard deviation (n − 1) of a quantity over a setting's finished seeds. */
export interface Summary {
  mean: number;
  /** NaN for a single seed: one run says nothing about the spread. */
  std: number;
  count: number;
}

export interface SettingReport {
  setting: string;
  finished: number;
  failed: number;
  pending: number;
  /** "run: message" for each failed run. */
  failures: string[];
  /** Total wall-clock seconds of the setting's runs. */
  seconds: number;
  /** The setting whose trained GANs its runs evaluated (configs differing only in sampling or averaging), or null. */
  trainedBy: string | null;
  quantities: Record<string, Summary>;
}

export interface SweepReport {
  name: string;
  /** Every quantity any run has, in first-seen order: the columns. */
  quantities: string[];
  settings: SettingReport[];
  /** "run: source" for each run whose numbers were kept from an earlier report ({@link keepEarlierRuns}). */
  kept: string[];
}

/** Mean and sample standard deviation; NaNs (a metric undefined for a run) are left out and not counted. */
export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((value) => Number.isFinite(value));
  const count = finite.length;
  const mean = count > 0 ? finite.reduce((sum, value) => sum + value, 0) / count : Number.NaN;
  const variance = count > 1 ? finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (count - 1) : Number.NaN;
  return { mean, std: Math.sqrt(variance), count };
}

/** Groups outcomes by setting (in `settingOrder`) and summarizes each quantity over the seeds that finished. */
export function aggregateSweep(
  name: string,
  settingOrder: readonly string[],
  outcomes: readonly RunOutcome[],
): SweepReport {
  const quantities: string[] = [];
  for (const outcome of outcomes) {
    for (const quantity of Object.keys(outcome.numbers)) if (!quantities.includes(quantity)) quantities.push(quantity);
  }
  const settingOf = new Map(outcomes.map((outcome) => [outcome.name, outcome.setting]));
  const settings = settingOrder.map((setting): SettingReport => {
    const runs = outcomes.filter((outcome) => outcome.setting === setting);
    const trainer = runs.map((run) => run.trainedBy && settingOf.get(run.trainedBy)).find(Boolean);
    const finished = runs.filter((run) => run.state === "done");
    const failed = runs.filter((run) => run.state === "failed");
    return {
      setting,
      finished: finished.length,
      failed: failed.length,
      pending: runs.length - finished.length - failed.length,
      failures: failed.map((run) => `${run.name}: ${run.message ?? "failed"}`),
      seconds: runs.reduce((sum, run) => sum + (run.seconds ?? 0), 0),
      trainedBy: trainer ?? null,
      quantities: Object.fromEntries(
        quantities.map((quantity) => [quantity, summarize(finished.map((run) => run.numbers[quantity] ?? Number.NaN))]),
      ),
    };
  });
  const kept = outcomes.flatMap((outcome) => (outcome.keptFrom ? [`${outcome.name}: ${outcome.keptFrom}`] : []));
  return { name, quantities, settings, kept };
}

/** Significant digits of a table cell: enough to tell seeds apart, few enough to read. */
const CELL_DIGITS = 3;

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(CELL_DIGITS)).toString();
}

/** "7.33 ± 0.577", or "8" for a single seed. */
export function formatSummary({ mean, std, count }: Summary): string {
  if (count === 0) return "—";
  return Number.isFinite(std) ? `${formatNumber(mean)} ± ${formatNumber(std)}` : formatNumber(mean);
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/**
 * The outcomes with every run that an earlier report of the same sweep (`earlier`, read from `source`) lists as done
 * and that is not done or failed here: a run whose directory was lost with the machine it ran on, or that the plan
 * here does not hold. Such a run keeps that report's numbers and seconds and says where they came from (`keptFrom`;
 * a run kept before keeps its first source). A run that ended here wins over the earlier report. Order: the earlier
 * report's runs, then this plan's others. Runs the earlier report did not finish are not kept: only measurements
 * carry over, never a pending or failed state.
 */
export function keepEarlierRuns(
  outcomes: readonly RunOutcome[],
  earlier: SweepReportJson,
  source: string,
): RunOutcome[] {
  const here = new Map(outcomes.map((outcome) => [outcome.name, outcome]));
  const ended = (outcome: RunOutcome | undefined): outcome is RunOutcome =>
    outcome !== undefined && outcome.state !== "pending";
  const merged: RunOutcome[] = [];
  for (const run of earlier.runs) {
    const current = here.get(run.name);
    if (ended(current) || run.state !== "done") {
      if (current) merged.push(current);
      continue;
    }
    merged.push({
      name: run.name,
      setting: run.setting,
      seed: run.seed,
      state: "done",
      ...(run.seconds !== null ? { seconds: run.seconds } : {}),
      ...(run.trainedBy !== null ? { trainedBy: run.trainedBy } : {}),
      numbers: Object.fromEntries(
        Object.entries(run.numbers).map(([quantity, value]) => [quantity, value ?? Number.NaN]),
      ),
      keptFrom: run.keptFrom ?? source,
    });
  }
  const listed = new Set(earlier.runs.map((run) => run.name));
  return [...merged, ...outcomes.filter((outcome) => !listed.has(outcome.name))];
}

/** The Markdown report: one table row per setting, then the failures, one line each. */
export function reportMarkdown(report: SweepReport): string {
  const header = ["setting", "finished", "failed", "wall time (s)", ...report.quantities];
  const rows = report.settings.map((setting) => [
    setting.setting,
    `${setting.finished}${setting.pending > 0 ? ` (+${setting.pending} pending)` : ""}`,
    String(setting.failed),
    setting.seconds.toFixed(1),
    ...report.quantities.map((quantity) => formatSummary(setting.quantities[quantity]!)),
  ]);
  const lines = [
    `# Sweep ${report.name}`,
    "",
    "Mean ± standard deviation (n − 1) over the seeds that finished; a single seed shows its value alone.",
    "",
    `| ${header.map(escapeMarkdown).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(escapeMarkdown).join(" | ")} |`),
  ];
  const shared = report.settings.filter((setting) => setting.trainedBy !== null);
  if (shared.length > 0) {
    lines.push(
      "",
      "## Shared training",
      "",
      ...shared.map(
        (setting) =>
          `- ${setting.setting} evaluates the GANs that ${setting.trainedBy} trained (seed by seed: the configs differ ` +
          "only in how samples are drawn or in G's weight average, which training never reads); its wall time is its " +
          "evaluation's",
      ),
    );
  }
  const failures = report.settings.flatMap((setting) => setting.failures);
  if (failures.length > 0) lines.push("", "## Failed runs", "", ...failures.map((line) => `- ${line}`));
  if (report.kept.length > 0) {
    lines.push(
      "",
      "## Runs kept from an earlier report",
      "",
      "Their run directories are not here (lost with a machine, or outside this plan): their numbers and wall time " +
        "are the earlier report's, and curves.svg has no line for them.",
      "",
      ...report.kept.map((line) => `- ${line}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
function csvField(value: string | number): string {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV report: one row per setting; each quantity gets <quantity>.mean, .std and .n columns. */
export function reportCsv(report: SweepReport): string {
  const header = ["setting", "finished", "failed", "pending", "seconds"];
  for (const quantity of report.quantities) header.push(`${quantity}.mean`, `${quantity}.std`, `${quantity}.n`);
  const rows = report.settings.map((setting) => {
    const cells: Array<string | number> = [
      setting.setting,
      setting.finished,
      setting.failed,
      setting.pending,
      setting.seconds,
    ];
    for (const quantity of report.quantities) {
      const { mean, std, count } = setting.quantities[quantity]!;
      cells.push(mean, std, count);
    }
    return cells;
  });
  return `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\n")}\n`;
}

/** The format tag of report.json; a new tag for any change a reader of the old shape would misread. */
export const SWEEP_REPORT_FORMAT = "tsgan-sweep-report/1";

/** A number of report.json: JSON has no NaN or infinity, so an undefined value (one seed's std) is null. */
export type JsonNumber = number | null;

/**
 * report.json: the report (settings with their counts, failures, seconds and per-quantity mean, std and count) and
 * each run as read from its directory, in the plan's order. Every key is always present; what a run has not got
 * yet (seconds before it ends, a message unless it failed) is null. No timestamps, so a report of the same runs is
 * the same file.
 */
export interface SweepReportJson {
  format: typeof SWEEP_REPORT_FORMAT;
  name: string;
  quantities: string[];
  /** A SettingReport whose summaries hold null where the report's numbers are NaN. */
  settings: Array<
    Omit<SettingReport, "quantities"> & {
      quantities: Record<string, { mean: JsonNumber; std: JsonNumber; count: number }>;
    }
  >;
  runs: Array<{
    name: string;
    setting: string;
    seed: number;
    state: RunOutcome["state"];
    message: string | null;
    seconds: JsonNumber;
    trainedBy: string | null;
    numbers: Record<string, JsonNumber>;
    /** The earlier report this run's numbers were kept from; absent from reports written before it existed. */
    keptFrom?: string | null;
  }>;
}

function jsonNumber(value: number | undefined): JsonNumber {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** The report and its runs as report.json holds them (serialize with JSON.stringify). */
export function reportJson(report: SweepReport, outcomes: readonly RunOutcome[]): SweepReportJson {
  return {
    format: SWEEP_REPORT_FORMAT,
    name: report.name,
    quantities: [...report.quantities],
    settings: report.settings.map((setting) => ({
      setting: setting.setting,
      finished: setting.finished,
      failed: setting.failed,
      pending: setting.pending,
      failures: [...setting.failures],
      seconds: setting.seconds,
      trainedBy: setting.trainedBy,
      quantities: Object.fromEntries(
        Object.entries(setting.quantities).map(([quantity, { mean, std, count }]) => [
          quantity,
          { mean: jsonNumber(mean), std: jsonNumber(std), count },
        ]),
      ),
    })),
    runs: outcomes.map((outcome) => ({
      name: outcome.name,
      setting: outcome.setting,
      seed: outcome.seed,
      state: outcome.state,
      message: outcome.message ?? null,
      seconds: jsonNumber(outcome.seconds),
      trainedBy: outcome.trainedBy ?? null,
      numbers: Object.fromEntries(Object.entries(outcome.numbers).map(([key, value]) => [key, jsonNumber(value)])),
      keptFrom: outcome.keptFrom ?? null,
    })),
  };
}

/** The rows of a CSV text (RFC 4180: quoted fields may hold commas, doubled quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (quoted) {
      if (character !== '"') field += character;
      else if (text[index + 1] === '"') field += text[++index];
      else quoted = false;
    } else if (character === '"') quoted = true;
    else if (character === ",") {
      row.push(field);
      field = "";
    } else if (character === "\n") {
      rows.push([...row, field]);
      row = [];
      field = "";
    } else if (character !== "\r") field += character;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * A report read back from its CSV (what the run viewer shows): the inverse of `reportCsv`, except for the failures'
 * lines, the shared trainings and the kept runs, which only report.md and report.json hold. An empty cell (a mean or
 * std that is undefined) reads as NaN.
 */
export function parseReportCsv(name: string, text: string): SweepReport {
  const [header = [], ...rows] = parseCsv(text);
  const quantities = header
    .filter((column) => column.endsWith(".mean"))
    .map((column) => column.slice(0, -".mean".length));
  const number = (cell: string | undefined) => (cell === undefined || cell === "" ? Number.NaN : Number(cell));
  const settings = rows.map((cells): SettingReport => {
    const cell = (column: string) => number(cells[header.indexOf(column)]);
    return {
      setting: cells[0] ?? "",
      finished: cell("finished"),
      failed: cell("failed"),
      pending: cell("pending"),
      failures: [],
      seconds: cell("seconds"),
      trainedBy: null, // like the failures, only report.md and report.json say it
      quantities: Object.fromEntries(
        quantities.map((quantity) => [
          quantity,
          { mean: cell(`${quantity}.mean`), std: cell(`${quantity}.std`), count: cell(`${quantity}.n`) },
        ]),
      ),
    };
  });
  return { name, quantities, settings, kept: [] };
}
