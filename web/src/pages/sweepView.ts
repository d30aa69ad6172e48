/**
 * The run viewer's sweep view, shown when the runs directory is a sweep directory or holds some (`tsgan lab --runs
 * sweeps/<name>` or `--runs sweeps`): the sweep's runs with a checkbox each, grouped by setting; their D and G loss
 * curves and each training-time metric (metrics.jsonl's `eval`, with --eval-every) overlaid in one chart per quantity,
 * one colour per setting and one dash per seed; and report.csv as a table (mean ± std over seeds per setting).
 * The runs drawn live in the URL (state.ts: sweep, sweepRuns).
 */
import { formatSummary } from "../../../src/core/sweep/report.js";
import type { StepRecord } from "../../../src/core/training/algorithm1.js";
import { element } from "../layout.js";
import type { LabState } from "../state.js";
import { LineChart, type SeriesSpec } from "../views/lineChart.js";
import { readSweep, readSweepPlan, type SweepData, type SweepRunData } from "./sweepData.js";

/** One colour per setting, in the plan's order (repeating past eight settings); distinct on white. */
const SETTING_COLORS = ["#1f6fd1", "#e07b39", "#1b9e77", "#c2410c", "#7b5fc4", "#d6336c", "#6b7280", "#a16207"];
/** One dash per seed of a setting (repeating): solid, dashed, dotted, dash-dot. */
const SEED_DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
/** The value of `sweepRuns` that means every run. */
const ALL_RUNS = "*";

/** The curves drawn per run: the two losses, then one per training-time metric found. */
interface Quantity {
  id: string;
  title: string;
  value: (record: StepRecord) => number | null | undefined;
}
const LOSS_QUANTITIES: Quantity[] = [
  { id: "d-loss", title: "D loss", value: (record) => record.discriminatorLoss },
  { id: "g-loss", title: "G loss", value: (record) => record.generatorLoss },
];

export class SweepView {
  readonly root: HTMLElement;
  private readonly heading = element("h2", { id: "sweep-title", style: "margin: 0", text: "sweep" });
  private readonly sweepSelect = element("select", { id: "sweep-select" });
  private readonly runPicker = element("div", { class: "sweep-runs", id: "sweep-runs" });
  private readonly chartGrid = element("div", { class: "charts", id: "sweep-charts" });
  private readonly report = element("div", { class: "sweep-report", id: "sweep-report" });
  private sweep: SweepData | null = null;

  constructor(
    private readonly state: LabState,
    private readonly saveState: () => void,
  ) {
    this.root = element(
      "section",
      { class: "panel sweep-view", id: "sweep-view" },
      element(
        "div",
        { class: "buttons", style: "align-items: center; margin-bottom: 8px" },
        this.heading,
        this.sweepSelect,
      ),
      element("div", { class: "row" }, this.runPicker, this.report),
      this.chartGrid,
    );
    this.root.hidden = true;
    this.sweepSelect.addEventListener("change", () => {
      this.state.sweep = this.sweepSelect.value;
      this.state.sweepRuns = ALL_RUNS;
      this.saveState();
      void this.open(this.sweepSelect.selectedOptions[0]?.dataset.url ?? "");
    });
  }

  /** Shows the sweep the state names (or the first) among the sweep directories at `urls`; hidden when none. */
  async show(urls: readonly string[]): Promise<void> {
    this.root.hidden = urls.length === 0;
    if (urls.length === 0) return;
    const plans = await Promise.all(urls.map(async (url) => ({ url, plan: await readSweepPlan(url) })));
    const sweeps = plans.filter((entry) => entry.plan !== null);
    this.sweepSelect.replaceChildren(
      ...sweeps.map(({ url, plan }) => element("option", { value: plan!.name, "data-url": url, text: plan!.name })),
    );
    this.sweepSelect.hidden = sweeps.length < 2;
    const chosen = sweeps.find(({ plan }) => plan!.name === this.state.sweep) ?? sweeps[0];
    if (!chosen) return;
    this.sweepSelect.value = chosen.plan!.name;
    await this.open(chosen.url);
  }

  private async open(url: string): Promise<void> {
    this.sweep = await readSweep(url);
    if (!this.sweep) return;
    const { plan, runs } = this.sweep;
    const done = runs.filter((run) => run.state === "done").length;
    this.heading.textContent = `sweep ${plan.name}: ${runs.length} runs over ${plan.settings.length} settings, ${done} done`;
    this.drawRunPicker();
    this.drawReport();
    this.drawCharts();
  }

  /** The runs drawn: all, or those `sweepRuns` names. */
  private selected(): Set<string> {
    const names = this.sweep?.runs.map(({ run }) => run.name) ?? [];
    if (this.state.sweepRuns === ALL_RUNS) return new Set(names);
    const listed = new Set(this.state.sweepRuns.split(","));
    return new Set(names.filter((name) => listed.has(name)));
  }

  private select(names: Set<string>): void {
    const all = this.sweep!.runs.every(({ run }) => names.has(run.name));
    this.state.sweepRuns = all
      ? ALL_RUNS
      : this.sweep!.runs.filter(({ run }) => names.has(run.name))
          .map(({ run }) => run.name)
          .join(",");
    this.saveState();
    this.drawRunPicker();
    this.drawCharts();
  }

  private settingColor(setting: string): string {
    const index = this.sweep!.plan.settings.findIndex((candidate) => candidate.name === setting);
    return SETTING_COLORS[Math.max(index, 0) % SETTING_COLORS.length]!;
  }

  /** A fieldset per setting: a box that ticks all its runs, then a box per run (seed, how it stands). */
  private drawRunPicker(): void {
    const selected = this.selected();
    const groups = this.sweep!.plan.settings.map((setting) => {
      const runs = this.sweep!.runs.filter(({ run }) => run.setting === setting.name);
      const ticked = runs.filter(({ run }) => selected.has(run.name));
      const settingBox = element("input", { type: "checkbox", "data-setting": setting.name });
      settingBox.checked = ticked.length === runs.length;
      settingBox.indeterminate = ticked.length > 0 && ticked.length < runs.length;
      settingBox.addEventListener("change", () => {
        const next = new Set(selected);
        for (const { run } of runs) {
          if (settingBox.checked) next.add(run.name);
          else next.delete(run.name);
        }
        this.select(next);
      });
      const swatch = element("span", { class: "swatch", style: `background: ${this.settingColor(setting.name)}` });
      return element(
        "fieldset",
        { class: "sweep-setting" },
        element("legend", {}, element("label", {}, settingBox, swatch, setting.name)),
        ...runs.map((data) => this.runBox(data, selected)),
      );
    });
    this.runPicker.replaceChildren(...groups);
  }

  private runBox({ run, state, message }: SweepRunData, selected: Set<string>): HTMLElement {
    const box = element("input", { type: "checkbox", "data-run": run.name });
    box.checked = selected.has(run.name);
    box.addEventListener("change", () => {
      const next = new Set(selected);
      if (box.checked) next.add(run.name);
      else next.delete(run.name);
      this.select(next);
    });
    const how = state === "failed" && message ? `failed: ${message}` : state;
    return element("label", { title: run.name }, box, ` seed ${run.seed} `, element("small", { text: how }));
  }

  /** One chart per quantity, one series per ticked run: the setting's colour, the seed's dash. */
  private drawCharts(): void {
    const selected = this.selected();
    const runs = this.sweep!.runs.filter(({ run }) => selected.has(run.name));
    const metricKeys = [
      ...new Set(runs.flatMap(({ metrics }) => metrics.flatMap((record) => Object.keys(record.eval ?? {})))),
    ];
    const quantities: Quantity[] = [
      ...LOSS_QUANTITIES,
      ...metricKeys.map((key) => ({
        id: `eval-${key}`,
        title: `${key} (eval)`,
        value: (record: StepRecord) => record.eval?.[key],
      })),
    ];
    const inLegend = new Set<string>();
    const series: SeriesSpec[] = runs.map(({ run }) => {
      const seedIndex = this.sweep!.runs.filter((other) => other.run.setting === run.setting).findIndex(
        (other) => other.run.name === run.name,
      );
      const legend = !inLegend.has(run.setting);
      inLegend.add(run.setting);
      const color = this.settingColor(run.setting);
      return { key: run.name, label: run.setting, color, dash: SEED_DASHES[seedIndex % SEED_DASHES.length]!, legend };
    });
    const charts = quantities.map((quantity) => {
      const canvas = element("canvas", { id: `sweep-chart-${quantity.id}`, class: "chart" });
      const chart = new LineChart(canvas, {
        title: quantity.title,
        series,
        empty: "no run ticked, or none logged yet",
      });
      for (const { run, metrics } of runs) {
        for (const record of metrics) chart.add(run.name, record.step, quantity.value(record) ?? null);
      }
      return chart;
    });
    this.chartGrid.replaceChildren(...charts.map((chart) => chart.canvas));
    for (const chart of charts) chart.draw(true);
  }

  /** report.csv as a table: a row per setting, mean ± std over its finished seeds per quantity. */
  private drawReport(): void {
    const report = this.sweep!.report;
    if (!report) {
      this.report.replaceChildren(
        element("p", { class: "note", text: "No report yet:  tsgan sweep report <this sweep's directory>" }),
      );
      return;
    }
    const header = ["setting", "finished", "failed", "pending", "wall time (s)", ...report.quantities];
    const rows = report.settings.map((setting) => [
      setting.setting,
      String(setting.finished),
      String(setting.failed),
      String(setting.pending),
      setting.seconds.toFixed(1),
      ...report.quantities.map((quantity) => formatSummary(setting.quantities[quantity]!)),
    ]);
    this.report.replaceChildren(
      element("p", { class: "note", text: "report.csv: mean ± std (n − 1) over the seeds that finished" }),
      element(
        "table",
        { id: "sweep-report-table" },
        element("thead", {}, element("tr", {}, ...header.map((text) => element("th", { text })))),
        element("tbody", {}, ...rows.map((row) => element("tr", {}, ...row.map((text) => element("td", { text }))))),
      ),
    );
  }
}
