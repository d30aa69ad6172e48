/**
 * The run viewer: open a run directory written by `tsgan train` (served by `tsgan lab --runs`): loss curves from
 * metrics.jsonl, the sample grids over time with a timeline scrubber, new samples from any checkpoint (generated in
 * the browser by the sampling worker), and the latent explorer. A running run is re-read every few seconds.
 */
import { LOSS_NAMES, scoreMeaningOf, type ScoreMeaning } from "../../../src/core/config.js";
import { element, renderShell, showError } from "../layout.js";
import { hashFromState, stateFromHash } from "../state.js";
import { COLORS } from "../views/canvas.js";
import { drawImageGrid } from "../views/imageGrid.js";
import { LineChart } from "../views/lineChart.js";
import { drawPoints } from "../views/pointsPlot.js";
import type { FromSampler, LoadedGenerator, ToSampler } from "../worker/protocol.js";
import { LatentExplorer } from "./latentExplorer.js";
import { listRunsRoot, readRun, runUrl, type RunContents, type RunSummary } from "./runData.js";
import { SweepView } from "./sweepView.js";

/** A running run is re-read this often. */
const POLL_INTERVAL_MS = 3000;
/** New samples per press of "generate": an 8 × 8 grid of images (like the CLI's), or a cloud of toy points. */
const GENERATED_IMAGES = 64;
const GENERATED_POINTS = 1000;

const { main, status } = renderShell("runs", "Run viewer");
const state = stateFromHash(location.hash, "runs");
const saveState = () => history.replaceState(null, "", `${location.pathname}${hashFromState(state, "runs")}`);

const runList = element("div", { class: "run-list", id: "run-list" });
const refreshButton = element("button", { id: "refresh", text: "refresh" });
const aside = element(
  "aside",
  { class: "controls" },
  element("fieldset", {}, element("legend", { text: "runs" }), runList, refreshButton),
);
const title = element("h1", { id: "run-title", style: "font-size: 18px; margin: 0", text: "Run viewer" });
const summary = element("p", { class: "intro", id: "run-summary" });

const picture = element("img", {
  class: "sample-picture",
  id: "sample-picture",
  alt: "sample grid from the fixed noise",
});
const timeline = element("input", { id: "timeline", type: "range", min: "0", max: "0", step: "1", value: "0" });
const timelineLabel = element("span", { id: "timeline-label", text: "–" });
const gridsPanel = element(
  "section",
  { class: "panel" },
  element("h2", { text: "sample grids over time (fixed noise)" }),
  picture,
  element("label", { class: "timeline" }, timeline, timelineLabel),
);

const checkpointSelect = element("select", { id: "checkpoint" });
const seedInput = element("input", { id: "seed", type: "text", inputmode: "numeric", style: "width: 90px" });
const generateButton = element("button", { id: "generate", class: "primary", text: "generate" });
/** Runs with --generator-ema sample from the EMA generator; this shows G itself (`tsgan sample --raw-generator`). */
const rawGeneratorBox = element("input", { id: "raw-generator", type: "checkbox" });
const rawGeneratorLabel = element(
  "label",
  { title: "sample from G itself, not the EMA of its weights" },
  rawGeneratorBox,
  " raw G (not its EMA)",
);
rawGeneratorLabel.hidden = true;
/** Conditional runs: the class new samples and the latent explorer draw (`tsgan sample --class`); −1 every class. */
const classSelect = element("select", { id: "sample-class" });
const classLabel = element("label", { title: "conditional runs: the class G is asked for" }, "class ", classSelect);
classLabel.hidden = true;
const generatedCanvas = element("canvas", { id: "generated", class: "grid" });
const generatedNote = element("p", { class: "note", id: "generated-note" });
const samplesPanel = element(
  "section",
  { class: "panel" },
  element("h2", { text: "new samples from a checkpoint" }),
  element(
    "div",
    { class: "buttons", style: "align-items: center; margin-bottom: 8px" },
    element("span", { text: "checkpoint" }),
    checkpointSelect,
    element("span", { text: "seed" }),
    seedInput,
    generateButton,
    rawGeneratorLabel,
    classLabel,
  ),
  generatedCanvas,
  generatedNote,
);

const chartGrid = element("section", { class: "charts" });
const lossChart = new LineChart(element("canvas", { id: "chart-losses", class: "chart" }), {
  title: "losses (metrics.jsonl)",
  series: [
    { key: "d", label: "Discriminator", color: COLORS.discriminator },
    { key: "g", label: "Adversarial (G)", color: COLORS.generated },
  ],
});
/** The score chart's frame for each meaning of D's output (config.ts: scoreMeaningOf the run's loss). */
const SCORE_FRAMES: Record<ScoreMeaning, { title: string; include?: number[] }> = {
  probability: { title: "D(x) and D(G(z))", include: [0, 1] },
  critic: { title: "critic outputs D(x) and D(G(z)) (raw values)" },
};
const scoreChart = new LineChart(element("canvas", { id: "chart-scores", class: "chart" }), {
  ...SCORE_FRAMES.probability,
  series: [
    { key: "real", label: "D(x)", color: COLORS.real },
    { key: "fake", label: "D(G(z)) before G step", color: COLORS.generated },
    { key: "after", label: "after", color: COLORS.optimal, dash: [4, 3] },
  ],
});
const gradientChart = new LineChart(element("canvas", { id: "chart-gradients", class: "chart" }), {
  title: "gradient norms (log scale)",
  scale: "log",
  series: [
    { key: "g", label: "‖∇θg‖", color: COLORS.generated },
    { key: "d", label: "‖∇θd‖", color: COLORS.discriminator },
  ],
});
const charts = [lossChart, scoreChart, gradientChart];
chartGrid.append(...charts.map((chart) => chart.canvas));

const sampler = new Worker(new URL("../worker/sampler.ts", import.meta.url), { type: "module" });
const sendSampler = (message: ToSampler) => sampler.postMessage(message);
const explorer = new LatentExplorer(
  // The explorer walks z for one class: the one selected, or class 0 while "every class" is (conditional runs).
  (z, count) =>
    sendSampler({ type: "decode", z, count, raw: rawGeneratorBox.checked, label: Math.max(state.sampleClass, 0) }),
  state.interpolation,
  (t) => {
    state.interpolation = t;
    saveState();
  },
);

/** Shown when --runs is a sweep directory or holds some: the sweep's runs overlaid, and its report. */
const sweepView = new SweepView(state, saveState);

const content = element(
  "div",
  { class: "content" },
  sweepView.root,
  title,
  summary,
  element("div", { class: "row" }, gridsPanel, samplesPanel),
  chartGrid,
  explorer.root,
);
main.append(aside, content);

let runs: RunSummary[] = [];
let contents: RunContents | null = null;
let generator: LoadedGenerator | null = null;
let pollTimer: number | undefined;

function describe(run: RunSummary): string {
  const config = run.config;
  const status = run.status;
  // e.g. "stopped (process gone)": the lab server reports a killed trainer's run as stopped (runDirectory.ts)
  const state = status ? `${status.state}${status.message ? ` (${status.message})` : ""}` : "";
  const progress = status ? `${state}, step ${status.step} of ${status.steps}` : "no status";
  return `${String(config.dataset)} · ${String(config.arch)} · ${progress}`;
}

async function loadRunList(): Promise<void> {
  const root = await listRunsRoot();
  runs = root.runs;
  await sweepView.show(root.sweeps);
  runList.replaceChildren(
    ...(runs.length
      ? runs.map((run) => {
          const button = element(
            "button",
            { class: run.name === state.run ? "current" : "", "data-run": run.name },
            element("span", { text: run.name }),
            element("small", { text: describe(run) }),
          );
          button.addEventListener("click", () => void selectRun(run.name));
          return button;
        })
      : [
          element("p", {
            class: "note",
            text: root.sweeps.length
              ? "No single runs here: the sweeps' runs are in the sweep view."
              : "No runs here yet. Train one, e.g.  tsgan train --dataset ring-2d --out runs/ring  — and refresh.",
          }),
        ]),
  );
}

function showSample(index: number): void {
  const samples = contents?.samples ?? [];
  const sample = samples[index];
  if (!sample) return;
  picture.src = sample.url;
  timeline.value = String(index);
  timelineLabel.textContent = `step ${sample.step} (${index + 1} of ${samples.length})`;
  state.sampleStep = sample.step;
  saveState();
}

function showContents(run: RunSummary, next: RunContents, keepPosition: boolean): void {
  const atEnd = contents !== null && Number(timeline.value) === contents.samples.length - 1;
  contents = next;
  title.textContent = run.name;
  const runStatus = next.status ?? run.status;
  summary.textContent = `${describe({ ...run, status: runStatus })} · ${next.metrics.length} logged steps · ${next.samples.length} sample grids · ${next.checkpoints.length} checkpoints${next.tornLines ? ` · ${next.tornLines} torn line(s) of metrics.jsonl ignored (an interrupted write)` : ""}`;
  for (const chart of charts) chart.clear();
  const loss = LOSS_NAMES.find((name) => name === run.config.loss) ?? "non-saturating";
  const frame = SCORE_FRAMES[scoreMeaningOf(loss)];
  scoreChart.reframe(frame.title, frame.include);
  for (const record of next.metrics) {
    lossChart.add("d", record.step, record.discriminatorLoss);
    lossChart.add("g", record.step, record.generatorLoss);
    scoreChart.add("real", record.step, record.realScore);
    scoreChart.add("fake", record.step, record.fakeScore);
    scoreChart.add("after", record.step, record.fakeScoreAfter);
    gradientChart.add("g", record.step, record.generatorGradientNorm);
    gradientChart.add("d", record.step, record.discriminatorGradientNorm);
  }
  for (const chart of charts) chart.draw(true);
  timeline.max = String(Math.max(0, next.samples.length - 1));
  // Stay on the chosen grid; follow the newest one when it was showing the newest (a running run).
  let index = next.samples.findIndex((sample) => sample.step === state.sampleStep);
  if (index < 0 || (keepPosition && atEnd)) index = next.samples.length - 1;
  showSample(index);
  const previous = checkpointSelect.value;
  checkpointSelect.replaceChildren(
    ...next.checkpoints.map((step) => element("option", { value: String(step), text: `step ${step}` })),
  );
  const chosen = next.checkpoints.includes(state.checkpoint)
    ? state.checkpoint
    : next.checkpoints[next.checkpoints.length - 1];
  checkpointSelect.value = keepPosition && previous ? previous : String(chosen ?? "");
  generateButton.disabled = next.checkpoints.length === 0;
  if (!next.checkpoints.length) generatedNote.textContent = "This run has no checkpoint yet.";
}

async function selectRun(name: string, keepPosition = false): Promise<void> {
  const run = runs.find((candidate) => candidate.name === name);
  if (!run) return;
  if (state.run !== name) {
    state.run = name;
    saveState();
  }
  for (const button of runList.querySelectorAll("button"))
    button.classList.toggle("current", button.dataset.run === name);
  const next = await readRun(runUrl(name));
  showContents(run, next, keepPosition);
  if (!keepPosition && next.checkpoints.length) loadCheckpoint();
  window.clearTimeout(pollTimer);
  if ((next.status ?? run.status)?.state === "running")
    pollTimer = window.setTimeout(() => void selectRun(name, true), POLL_INTERVAL_MS);
}

function loadCheckpoint(): void {
  if (!state.run || checkpointSelect.value === "") return;
  state.checkpoint = Number(checkpointSelect.value);
  saveState();
  generatedNote.textContent = `loading checkpoint step ${state.checkpoint}…`;
  sendSampler({ type: "load", runUrl: runUrl(state.run), step: state.checkpoint });
}

function generate(): void {
  const seed = Number(seedInput.value);
  if (!Number.isInteger(seed) || seed < 0) {
    seedInput.classList.add("invalid");
    return;
  }
  seedInput.classList.remove("invalid");
  state.sampleSeed = seed;
  saveState();
  const count = generator?.range === null ? GENERATED_POINTS : GENERATED_IMAGES;
  sendSampler({ type: "generate", seed, count, raw: rawGeneratorBox.checked, label: state.sampleClass });
}

sampler.addEventListener("message", (event: MessageEvent<FromSampler>) => {
  const message = event.data;
  if (message.type === "loaded") {
    generator = message.generator;
    status.textContent = `sampling backend: ${generator.backend}`;
    rawGeneratorLabel.hidden = !generator.hasEma;
    showClasses(generator.classCount);
    generate();
  } else if (message.type === "samples" && generator) {
    if (message.purpose === "decode") {
      explorer.decoded(message.values);
      return;
    }
    if (generator.range) {
      const [height, width, channels] = generator.dataShape as [number, number, number];
      drawImageGrid(
        generatedCanvas,
        {
          images: message.values,
          count: message.count,
          shape: [height, width, channels],
          range: generator.range,
        },
        message.columns ?? undefined,
      );
    } else {
      drawPoints(generatedCanvas, message.values, generator.dataShape[0]!);
    }
    generatedCanvas.dataset.seed = String(state.sampleSeed);
    const raw = generator.hasEma && rawGeneratorBox.checked;
    const which = generator.hasEma ? (raw ? " (raw G)" : " (EMA generator)") : "";
    const conditional = generator.classCount > 0 && state.sampleClass >= 0;
    const flag = `${raw ? " --raw-generator" : ""}${conditional ? ` --class ${state.sampleClass}` : ""}`;
    generatedNote.textContent = `${message.count} new samples from checkpoint step ${generator.step}${which}, seed ${state.sampleSeed} — the same as  tsgan sample --run … --checkpoint ${generator.step} --seed ${state.sampleSeed}${flag}`;
    const dimension = generator.latentDim;
    explorer.reset(generator, message.z.subarray(0, dimension), message.z.subarray(dimension, 2 * dimension));
  } else if (message.type === "error") {
    showError(`sampling failed: ${message.message}`);
  }
});

timeline.addEventListener("input", () => showSample(Number(timeline.value)));
checkpointSelect.addEventListener("change", loadCheckpoint);
generateButton.addEventListener("click", generate);
rawGeneratorBox.addEventListener("change", generate);
seedInput.addEventListener("change", generate);
classSelect.addEventListener("change", () => {
  state.sampleClass = Number(classSelect.value);
  saveState();
  generate();
});

/** The class selector for a conditional run's `classCount` classes (hidden for an unconditional run). */
function showClasses(classCount: number): void {
  classLabel.hidden = classCount === 0;
  if (state.sampleClass >= classCount) state.sampleClass = -1;
  classSelect.replaceChildren(
    element("option", { value: "-1", text: "every class (a row each)" }),
    ...Array.from({ length: classCount }, (_, label) =>
      element("option", { value: String(label), text: String(label) }),
    ),
  );
  classSelect.value = String(state.sampleClass);
}
refreshButton.addEventListener("click", async () => {
  await loadRunList();
  if (state.run) await selectRun(state.run, true);
});
seedInput.value = String(state.sampleSeed);

await loadRunList();
const initial = runs.find((run) => run.name === state.run) ?? runs[runs.length - 1];
if (initial) await selectRun(initial.name);
