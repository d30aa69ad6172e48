/**
 * What the three training pages share: state from the URL, the control panel, the training worker, play / pause /
 * step / reset, counters, charts, and the animation loop that redraws what changed. A page supplies its views and
 * what to ask the worker for (TrainingPageSpec); this file holds no training logic and draws nothing itself.
 */
import type { ConfigInput } from "../../../src/core/config.js";
import { buildControls, type ControlPanel } from "../controls.js";
import { element, renderShell, showError } from "../layout.js";
import { fieldsOf, hashFromState, stateFromHash, type FieldSpec, type LabState, type PageName } from "../state.js";
import { LineChart, type LineChartOptions, type SeriesSpec } from "../views/lineChart.js";
import type {
  ChartRecord,
  Counters,
  DataSpec,
  FromWorker,
  LiveSettings,
  Probe,
  ProbeKind,
  SessionInfo,
  ToWorker,
} from "../worker/protocol.js";

/** A chart series: a field of each training record, or a number read off each probe. */
export type ChartSeries = SeriesSpec &
  ({ record: keyof Omit<ChartRecord, "tick"> } | { probe: (probe: Probe) => number | null });

export interface ChartSpec extends Omit<LineChartOptions, "series"> {
  id: string;
  series: ChartSeries[];
}

export interface TrainingPageSpec {
  page: PageName;
  title: string;
  probeKind: ProbeKind;
  /** Control groups, in order. */
  controls: Array<{ title: string; keys: readonly (keyof LabState)[] }>;
  charts: ChartSpec[];
  /** One paragraph under the title. */
  intro: string;
  data(state: LabState): DataSpec;
  config(state: LabState): ConfigInput;
  /** Adjusts other fields when one changes (e.g. sensible widths for a new architecture), before anything else. */
  beforeChange?(key: keyof LabState, state: LabState): void;
  /** Builds the page's main view into `stage`; returns its hooks. */
  createStage(stage: HTMLElement, context: StageContext): Stage;
}

export interface StageContext {
  state: LabState;
  /** Call after changing the state from the view (e.g. a drawing): updates the URL and rebuilds. */
  changed(key: keyof LabState): void;
}

export interface Stage {
  ready?(info: SessionInfo): void;
  probe(probe: Probe): void;
  /** The newest training record of each progress message. */
  record?(record: ChartRecord): void;
  /** Draws if something changed; `force` after a view setting changed. */
  draw(force: boolean): void;
}

export function startTrainingPage(spec: TrainingPageSpec): void {
  const { main, status } = renderShell(spec.page, spec.title);
  const state = stateFromHash(location.hash, spec.page);
  const worker = new Worker(new URL("../worker/trainer.ts", import.meta.url), { type: "module" });
  const send = (message: ToWorker) => worker.postMessage(message);

  // Layout: controls on the left, the stage, readouts and charts on the right.
  const playButton = element("button", { id: "play", class: "primary", text: "▶ play" });
  const stepButton = element("button", { id: "step", text: "step" });
  const resetButton = element("button", { id: "reset", text: "reset" });
  const counters = element("div", { class: "counters", id: "counters" });
  const aside = element(
    "aside",
    { class: "controls" },
    element("div", { class: "buttons" }, playButton, stepButton, resetButton),
    counters,
  );
  const stage = element("section", { class: "stage" });
  const chartGrid = element("section", { class: "charts" });
  const content = element(
    "div",
    { class: "content" },
    element("p", { class: "intro", text: spec.intro }),
    stage,
    chartGrid,
  );
  main.append(aside, content);

  let panel: ControlPanel | null = null;
  const rebuild = () => {
    playing = false;
    updatePlayButton();
    for (const chart of charts) chart.chart.clear();
    status.textContent = "setting up (backend, data, networks)…";
    send({
      type: "setup",
      setup: {
        config: spec.config(state),
        data: spec.data(state),
        backend: state.backend,
        probe: spec.probeKind,
        probeClass: state.sampleClass,
      },
    });
  };
  const liveSettings = (): LiveSettings => ({
    loss: state.loss,
    discriminatorSteps: state.discriminatorSteps,
    generatorLearningRate: state.generatorLearningRate,
    discriminatorLearningRate: state.discriminatorLearningRate,
    batchSize: state.batchSize,
    r1Gamma: state.r1Gamma,
    labelSmoothing: state.labelSmoothing,
  });
  const onFieldChange = (field: FieldSpec) => {
    spec.beforeChange?.(field.key, state);
    panel?.refresh();
    history.replaceState(null, "", `${location.pathname}${hashFromState(state, spec.page)}`);
    if (field.effect === "rebuild") rebuild();
    else if (field.effect === "live") send({ type: "settings", settings: liveSettings() });
    else if (field.key === "stepMode" && playing) send({ type: "play", mode: state.stepMode });
    else if (field.key === "sampleClass") send({ type: "probeClass", label: state.sampleClass });
    forceDraw = true;
  };
  const view = spec.createStage(stage, {
    state,
    changed: (key) => {
      const field = fieldsOf(spec.page).find((candidate) => candidate.key === key);
      if (field) onFieldChange(field);
    },
  });
  for (const group of spec.controls) {
    const box = element("fieldset", {}, element("legend", { text: group.title }));
    aside.append(box);
    const groupPanel = buildControls(box, spec.page, state, group.keys, onFieldChange);
    const previous = panel;
    panel = { refresh: () => (previous?.refresh(), groupPanel.refresh()) };
  }

  const charts = spec.charts.map((chartSpec) => {
    const canvas = element("canvas", { id: `chart-${chartSpec.id}`, class: "chart" });
    chartGrid.append(canvas);
    return { spec: chartSpec, chart: new LineChart(canvas, chartSpec) };
  });

  let playing = false;
  let forceDraw = true;
  const updatePlayButton = () => {
    playButton.textContent = playing ? "❚❚ pause" : "▶ play";
    playButton.classList.toggle("playing", playing);
    stepButton.disabled = playing;
  };
  playButton.addEventListener("click", () => {
    playing = !playing;
    send(playing ? { type: "play", mode: state.stepMode } : { type: "pause" });
    updatePlayButton();
  });
  stepButton.addEventListener("click", () => send({ type: "step", mode: state.stepMode }));
  resetButton.addEventListener("click", rebuild);

  let latestCounters: Counters | null = null;
  worker.addEventListener("message", (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === "ready") {
      status.textContent = `backend: ${message.info.backend} · G ${message.info.generatorParameters.toLocaleString()} / D ${message.info.discriminatorParameters.toLocaleString()} parameters · ${message.info.dataDescription}`;
      status.title = message.info.skippedBackends.join("\n");
      document.body.dataset.backend = message.info.backend;
      view.ready?.(message.info);
    } else if (message.type === "progress") {
      for (const record of message.records) {
        for (const { spec: chartSpec, chart } of charts) {
          for (const series of chartSpec.series)
            if ("record" in series) chart.add(series.key, record.tick, record[series.record]);
        }
      }
      const last = message.records[message.records.length - 1];
      if (last) view.record?.(last);
      latestCounters = message.counters;
    } else if (message.type === "probe") {
      for (const { spec: chartSpec, chart } of charts) {
        for (const series of chartSpec.series)
          if ("probe" in series) chart.add(series.key, message.probe.tick, series.probe(message.probe));
      }
      view.probe(message.probe);
    } else {
      playing = false;
      updatePlayButton();
      showError(`training stopped: ${message.message}`);
    }
  });
  worker.addEventListener("error", (event) => showError(`the training worker failed: ${event.message}`));

  // The animation loop: only views draw here; counters go to the DOM (the tests read them).
  const frame = () => {
    if (latestCounters) {
      const c = latestCounters;
      counters.innerHTML = "";
      counters.append(
        element("span", { id: "tick", "data-value": String(c.tick), text: `${c.tick.toLocaleString()} updates` }),
        element("span", {
          text: `${c.iterations.toLocaleString()} iterations · D ${c.discriminatorUpdates.toLocaleString()} · G ${c.generatorUpdates.toLocaleString()}`,
        }),
        element("span", { text: c.playing ? `${Math.round(c.stepsPerSecond)} updates/s` : "paused" }),
      );
      latestCounters = null;
    }
    view.draw(forceDraw);
    for (const { chart } of charts) chart.draw(forceDraw);
    forceDraw = false;
    requestAnimationFrame(frame);
  };
  addEventListener("resize", () => (forceDraw = true));
  requestAnimationFrame(frame);
  updatePlayButton();
  rebuild();
}

/** A readout row: a label and a value the tests can read from data-value. */
export function readout(
  id: string,
  label: string,
): { row: HTMLElement; set(value: number, text: string, tick?: number): void } {
  const value = element("span", { class: "value", id: `readout-${id}`, text: "–" });
  return {
    row: element("div", { class: "readout" }, element("span", { class: "label", text: label }), value),
    set(number: number, text: string, tick?: number) {
      value.dataset.value = String(number);
      if (tick !== undefined) value.dataset.tick = String(tick);
      value.textContent = text;
    },
  };
}
