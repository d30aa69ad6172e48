/**
 * Metric-vs-iteration curves from training-time evaluation (`--eval-every`: the `eval` object of metrics.jsonl
 * records): a run's plots/eval.svg, one panel per evaluated number, and a sweep's curves.svg, one panel per number
 * with a line per run and a colour per setting. Built on {@link lineChartSpec}; a run or sweep without evaluation
 * records gets no plot (the functions return null).
 */
import type { TopLevelSpec } from "vega-lite";
import { CHART_CONFIG, SERIES_COLORS, lineChartSpec, renderVegaLiteSvg, type LineSeries } from "./charts.js";

/** A logged step as far as the curves need it; metrics.jsonl's StepRecord is one. */
export interface EvaluatedRecord {
  step: number;
  /** The training-time evaluation's numbers by key ("modesCovered", "classifierScore"); absent between them. */
  eval?: Record<string, number>;
}

/** A sweep run's records, for {@link sweepCurvesSvg}. */
export interface RunCurves {
  /** The run's name: one line each, so unique within the sweep. */
  name: string;
  /** Its setting: the line's colour and legend entry. */
  setting: string;
  records: readonly EvaluatedRecord[];
}

/** Panel size of one evaluated number: small, since a run evaluates several and they sit two to a row. */
export const CURVE_PANEL_WIDTH = 320;
export const CURVE_PANEL_HEIGHT = 160;
/** Panels per row. */
const CURVE_COLUMNS = 2;

/**
 * The evaluated numbers of `records` in first-seen order: every key of an `eval` object that holds a finite number
 * in at least one record (a key that is never finite would draw an empty panel).
 */
export function evaluationKeys(records: readonly EvaluatedRecord[]): string[] {
  const keys: string[] = [];
  for (const record of records) {
    for (const [key, value] of Object.entries(record.eval ?? {})) {
      if (typeof value === "number" && Number.isFinite(value) && !keys.includes(key)) keys.push(key);
    }
  }
  return keys;
}

/** One line of `key` against step over the records that evaluated it; a non-finite value leaves a gap. */
function curveOf(records: readonly EvaluatedRecord[], key: string): { x: number[]; y: number[] } {
  const evaluated = records.filter((record) => record.eval && key in record.eval);
  return {
    x: evaluated.map((record) => record.step),
    y: evaluated.map((record) => record.eval![key] ?? Number.NaN),
  };
}

/**
 * Panels laid out in rows of two, with a title above them. `sharedColors`: the panels draw the same series (a
 * sweep's runs) and share one colour scale and legend; otherwise each panel's line keeps its own.
 */
function panelGrid(title: string, panels: object[], sharedColors: boolean): TopLevelSpec {
  const resolve = sharedColors ? {} : { resolve: { scale: { color: "independent", strokeDash: "independent" } } };
  return { config: CHART_CONFIG, title, columns: CURVE_COLUMNS, concat: panels, ...resolve } as TopLevelSpec;
}

/** The spec of plots/eval.svg: one panel per evaluated number (value against step), or null without any. */
export function evaluationCurvesSpec(records: readonly EvaluatedRecord[]): TopLevelSpec | null {
  const keys = evaluationKeys(records);
  if (keys.length === 0) return null;
  const panels = keys.map((key) =>
    lineChartSpec({
      title: key,
      series: [{ name: key, ...curveOf(records, key), color: SERIES_COLORS.generated }],
      width: CURVE_PANEL_WIDTH,
      height: CURVE_PANEL_HEIGHT,
      legend: false,
    }),
  );
  return panelGrid("Training-time evaluation", panels, false);
}

/** plots/eval.svg of a run's metrics.jsonl records, or null when none has an `eval` object. */
export async function evaluationCurvesSvg(records: readonly EvaluatedRecord[]): Promise<string | null> {
  const spec = evaluationCurvesSpec(records);
  return spec ? renderVegaLiteSvg(spec) : null;
}

/**
 * The spec of a sweep's curves.svg: one panel per number any run evaluated, each run a line coloured by its setting
 * (`settingOrder` fixes the colours and the legend's order; settings beyond it follow in first-seen order), so a
 * setting's seeds show as a bundle. Runs without evaluation records are left out; null when none has any.
 */
export function sweepCurvesSpec(
  title: string,
  runs: readonly RunCurves[],
  settingOrder: readonly string[] = [],
): TopLevelSpec | null {
  const evaluated = runs.filter((run) => evaluationKeys(run.records).length > 0);
  const keys = evaluationKeys(evaluated.flatMap((run) => run.records));
  if (keys.length === 0) return null;
  const settings = [...settingOrder, ...evaluated.map((run) => run.setting)].filter(
    (setting, index, all) => all.indexOf(setting) === index && evaluated.some((run) => run.setting === setting),
  );
  // Every panel lists every run (a run without the key draws nothing), so all panels share one colour scale and
  // one legend.
  const ordered = settings.flatMap((setting) => evaluated.filter((run) => run.setting === setting));
  const panels = keys.map((key) =>
    lineChartSpec({
      title: key,
      series: ordered.map((run): LineSeries => ({ name: run.name, group: run.setting, ...curveOf(run.records, key) })),
      width: CURVE_PANEL_WIDTH,
      height: CURVE_PANEL_HEIGHT,
    }),
  );
  return panelGrid(title, panels, true);
}

/** A sweep's curves.svg, or null when none of its runs logged training-time evaluation. */
export async function sweepCurvesSvg(
  title: string,
  runs: readonly RunCurves[],
  settingOrder: readonly string[] = [],
): Promise<string | null> {
  const spec = sweepCurvesSpec(title, runs, settingOrder);
  return spec ? renderVegaLiteSvg(spec) : null;
}
