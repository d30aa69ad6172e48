/**
 * `tsgan sweep report DIR`: reads each run of a sweep directory (sweep-outcome.json and its newest eval/*.json),
 * aggregates them per setting (src/core/sweep/report.ts) and writes report.md, report.csv, report.json (the report
 * and every run's numbers, for scripts) and report.svg (one panel per quantity: mean over seeds by setting, with ±
 * one standard deviation as error bars); and, when runs logged training-time evaluation (evalEvery), curves.svg
 * (src/node/visual/curves.ts: one panel per evaluated number, a line per run, a colour per setting).
 */
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { MetricName } from "../../core/config.js";
import { metricByName } from "../../core/metrics/index.js";
import { ConfigError } from "../../core/errors.js";
import {
  aggregateSweep,
  keepEarlierRuns,
  SWEEP_REPORT_FORMAT,
  reportCsv,
  reportJson,
  reportMarkdown,
  type RunOutcome,
  type SweepReport,
  type SweepReportJson,
} from "../../core/sweep/report.js";
import type { SweepPlan } from "../../core/sweep/sweepFile.js";
import type { EvaluationReport } from "../evaluate.js";
import { RunDirectory } from "../run/runDirectory.js";
import { CHART_CONFIG, PANEL_HEIGHT, SERIES_COLORS, renderVegaLiteSvg } from "../visual/charts.js";
import { sweepCurvesSvg, type RunCurves } from "../visual/curves.js";
import { writeFileAtomic } from "../visual/files.js";
import { readOutcome, readStoredPlan } from "./plan.js";

/** Width of one panel of the report plot; a sweep's settings are few, so narrower than a loss curve. */
const REPORT_PANEL_WIDTH = 320;

/** The newest evaluation of a run (eval/step_*.json sorts by step), or null before its first. */
async function newestEvaluation(root: string): Promise<EvaluationReport | null> {
  const directory = join(root, "eval");
  if (!existsSync(directory)) return null;
  const files = (await readdir(directory)).filter((name) => name.endsWith(".json")).sort();
  const newest = files[files.length - 1];
  return newest ? (JSON.parse(await readFile(join(directory, newest), "utf8")) as EvaluationReport) : null;
}

/**
 * A run's numbers: each metric's headline (what training-time evaluation logs too) as "<metric>.<key>", plus the
 * sweep's extra `quantities`, read as fields of the metric's result.
 */
export function evaluationNumbers(report: EvaluationReport, extra: readonly string[]): Record<string, number> {
  const numbers: Record<string, number> = {};
  for (const [name, entry] of Object.entries(report.metrics)) {
    if (!entry) continue;
    const headline = metricByName(name as MetricName).headline(entry.result as never);
    for (const [key, value] of Object.entries(headline)) numbers[`${name}.${key}`] = value;
  }
  for (const quantity of extra) {
    const [metric, field] = quantity.split(".") as [MetricName, string];
    const value = (report.metrics[metric]?.result as Record<string, unknown> | undefined)?.[field];
    if (typeof value === "number") numbers[quantity] = value;
  }
  return numbers;
}

/** What each run of the plan came to. */
export async function readRunOutcomes(directory: string, plan: SweepPlan): Promise<RunOutcome[]> {
  return Promise.all(
    plan.runs.map(async (run): Promise<RunOutcome> => {
      const root = join(directory, run.name);
      const outcome = await readOutcome(root);
      const evaluation = outcome?.state === "done" ? await newestEvaluation(root) : null;
      return {
        name: run.name,
        setting: run.setting,
        seed: run.seed,
        state: outcome?.state ?? "pending",
        ...(outcome?.message ? { message: outcome.message } : {}),
        ...(outcome ? { seconds: outcome.seconds } : {}),
        ...(outcome?.trainedBy ? { trainedBy: outcome.trainedBy } : {}),
        numbers: evaluation ? evaluationNumbers(evaluation, plan.quantities) : {},
      };
    }),
  );
}

/** The report plot: one panel per quantity, settings on x, mean as a point, ± one standard deviation as a bar. */
export function reportPlotSpec(report: SweepReport): TopLevelSpec {
  const values = report.settings.flatMap((setting) =>
    report.quantities.map((quantity) => {
      const { mean, std } = setting.quantities[quantity]!;
      const spread = Number.isFinite(std) ? std : 0;
      return Number.isFinite(mean)
        ? { setting: setting.setting, quantity, mean, low: mean - spread, high: mean + spread }
        : null;
    }),
  );
  const x = { field: "setting", type: "nominal" as const, sort: report.settings.map((setting) => setting.setting) };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Sweep ${report.name}: mean ± std over seeds`,
    config: CHART_CONFIG,
    data: { values: values.filter((value) => value !== null) },
    facet: { field: "quantity", type: "nominal", title: null, sort: report.quantities },
    columns: 2,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: REPORT_PANEL_WIDTH,
      height: PANEL_HEIGHT,
      layer: [
        {
          mark: { type: "rule", color: SERIES_COLORS.generated },
          encoding: {
            x,
            y: { field: "low", type: "quantitative", title: null, scale: { zero: false } },
            y2: { field: "high" },
          },
        },
        {
          mark: { type: "point", filled: true, color: SERIES_COLORS.generated, size: 50 },
          encoding: { x, y: { field: "mean", type: "quantitative" } },
        },
      ],
    },
  } as TopLevelSpec;
}

/** Each run's metrics.jsonl records with training-time evaluation (none for a run not started or without it). */
export async function readRunCurves(directory: string, plan: SweepPlan): Promise<RunCurves[]> {
  return Promise.all(
    plan.runs.map(async (run) => ({
      name: run.name,
      setting: run.setting,
      records: (await new RunDirectory(join(directory, run.name)).readMetrics()).filter((record) => record.eval),
    })),
  );
}

/** An earlier report.json of the sweep `name`, or one clear line saying why the file is not one. */
export async function readEarlierReport(path: string, name: string): Promise<SweepReportJson> {
  let report: Partial<SweepReportJson>;
  try {
    report = JSON.parse(await readFile(path, "utf8")) as Partial<SweepReportJson>;
  } catch (error) {
    throw new ConfigError(`cannot read the earlier report ${path}: ${(error as Error).message}`);
  }
  if (report?.format !== SWEEP_REPORT_FORMAT || !Array.isArray(report.runs)) {
    throw new ConfigError(`${path} is not a sweep's report.json (format ${SWEEP_REPORT_FORMAT})`);
  }
  if (report.name !== name) {
    throw new ConfigError(`${path} reports sweep ${JSON.stringify(report.name)}, not ${JSON.stringify(name)}`);
  }
  return report as SweepReportJson;
}

/**
 * Writes report.md, report.csv, report.svg and report.json into the sweep directory, and curves.svg when its runs
 * logged training-time evaluation; returns the report and the paths written (report.md first). With `keep` (an
 * earlier report.json of the same sweep), the runs it finished that are not here keep its numbers
 * ({@link keepEarlierRuns}): a campaign whose machine was replaced reports every seed it measured.
 */
export async function writeSweepReport(
  directory: string,
  options: { keep?: string } = {},
): Promise<{ report: SweepReport; paths: string[] }> {
  const plan = await readStoredPlan(directory);
  const read = await readRunOutcomes(directory, plan);
  const outcomes = options.keep
    ? keepEarlierRuns(read, await readEarlierReport(options.keep, plan.name), options.keep)
    : read;
  // The plan's settings, then any that only kept runs have.
  const settingOrder = [
    ...new Set([...plan.settings.map((setting) => setting.name), ...outcomes.map((outcome) => outcome.setting)]),
  ];
  const report = aggregateSweep(plan.name, settingOrder, outcomes);
  const files: Array<[name: string, text: string]> = [
    ["report.md", reportMarkdown(report)],
    ["report.csv", reportCsv(report)],
    ["report.svg", await renderVegaLiteSvg(reportPlotSpec(report))],
    ["report.json", `${JSON.stringify(reportJson(report, outcomes), null, 2)}\n`],
  ];
  const curves = await sweepCurvesSvg(
    `Sweep ${plan.name}: training-time evaluation, a line per run`,
    await readRunCurves(directory, plan),
    settingOrder,
  );
  if (curves) files.push(["curves.svg", curves]);
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(directory, name);
    await writeFileAtomic(path, text);
    paths.push(path);
  }
  return { report, paths };
}
