/**
 * Page 2 — 2-D: real and generated samples, D's heatmap, the generator's manifold and gradient arrows, on the ring,
 * the grid, three Gaussians, or a distribution drawn with the mouse; modes covered, sample quality and a JSD estimate.
 */
import { element } from "../layout.js";
import {
  DEFAULT_DRAWN_POINTS,
  DRAWN_EXTENT,
  DRAWN_STD,
  DRAWN_VIEW_BOUNDS,
  MAX_DRAWN_POINTS,
  decodeDrawnPoints,
  encodeDrawnPoints,
} from "../data/labToys.js";
import { TECHNIQUE_KEYS, toyTrainingConfig, type LabState } from "../state.js";
import { COLORS, formatNumber } from "../views/canvas.js";
import { drawPlane, planeTransform } from "../views/plane.js";
import type { DataSpec, Probe, SessionInfo, TwoDProbe } from "../worker/protocol.js";
import { readout, startTrainingPage, type Stage, type StageContext } from "./trainingPage.js";

/** Drawn points closer than this (data units) to the previous one are skipped. */
const DRAW_SPACING = 0.08;

function drawnPoints(state: LabState): number[] {
  const points = decodeDrawnPoints(state.drawn);
  return points.length >= 2 ? points : [...DEFAULT_DRAWN_POINTS];
}

function createStage(stage: HTMLElement, context: StageContext): Stage {
  const { state } = context;
  const canvas = element("canvas", { id: "view", class: "plane" });
  const readouts = {
    modes: readout("modes", "modes covered"),
    quality: readout("quality", "high-quality samples"),
    reverseKl: readout("reverseKl", "reverse KL (modes ‖ uniform)"),
    jensenShannon: readout("jensenShannon", "JSD estimate"),
  };
  const clearButton = element("button", { id: "clear-drawing", text: "clear drawing" });
  const drawNote = element("p", {
    class: "note",
    text: "Drag on the plot to draw the data distribution (each point becomes a small Gaussian); training restarts when you let go.",
  });
  const drawBox = element("div", {}, clearButton, drawNote);
  const legend = element("p", {
    class: "note",
    text: "Teal: real data; purple: generated. Background: D(x), purple where D says generated, teal where it says real, white at ½. Lines: G's manifold (a grid of z through G). Arrows: −∇ₓ of G's loss, where G's update pushes each sample.",
  });
  stage.append(
    canvas,
    element("div", { class: "readouts" }, ...Object.values(readouts).map((entry) => entry.row), drawBox, legend),
  );

  let probe: TwoDProbe | null = null;
  let real: Float32Array | null = null;
  let dirty = true;
  let probesDrawn = 0;
  /** Points being drawn (from pointer-down to pointer-up), and a cleared canvas waiting for its first stroke. */
  let stroke: number[] | null = null;
  let cleared: number[] | null = null;
  const isDrawn = () => state.dataset === "drawn";
  const bounds = (): [number, number, number, number] =>
    isDrawn() ? DRAWN_VIEW_BOUNDS : (probe?.bounds ?? DRAWN_VIEW_BOUNDS);

  // Drawing: pointer strokes add points; releasing retrains on them.
  const toData = (event: PointerEvent) => {
    const rectangle = canvas.getBoundingClientRect();
    const transform = planeTransform(bounds(), rectangle.width);
    const x = transform.toDataX(event.clientX - rectangle.left);
    const y = transform.toDataY(event.clientY - rectangle.top);
    return Math.abs(x) <= DRAWN_EXTENT && Math.abs(y) <= DRAWN_EXTENT ? [x, y] : null;
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (!isDrawn()) return;
    canvas.setPointerCapture(event.pointerId);
    stroke = cleared ?? drawnPoints(state); // draw on top of what is shown
    cleared = null;
    probe = null;
    real = null;
    const point = toData(event);
    if (point) stroke.push(...point);
    dirty = true;
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!stroke) return;
    const point = toData(event);
    const last = stroke.length >= 2 ? [stroke[stroke.length - 2]!, stroke[stroke.length - 1]!] : null;
    if (!point || stroke.length >= 2 * MAX_DRAWN_POINTS) return;
    if (last && Math.hypot(point[0]! - last[0]!, point[1]! - last[1]!) < DRAW_SPACING) return;
    stroke.push(...point);
    dirty = true;
  });
  canvas.addEventListener("pointerup", () => {
    if (!stroke) return;
    state.drawn = encodeDrawnPoints(stroke);
    stroke = null;
    context.changed("drawn");
  });
  clearButton.addEventListener("click", () => {
    state.drawn = "";
    probe = null;
    real = null;
    cleared = [];
    dirty = true;
  });

  return {
    ready(info: SessionInfo) {
      real = info.realSamples;
      dirty = true;
    },
    probe(next: Probe) {
      if (next.kind !== "two-d") return;
      probe = next;
      dirty = true;
      const metrics = next.metrics;
      if (!metrics) return;
      readouts.modes.set(metrics.modesCovered, `${metrics.modesCovered} / ${metrics.modeCount}`);
      readouts.quality.set(metrics.highQualityFraction, `${(100 * metrics.highQualityFraction).toFixed(1)}%`);
      readouts.reverseKl.set(metrics.reverseKl, formatNumber(metrics.reverseKl));
      readouts.jensenShannon.set(metrics.jensenShannon, `${formatNumber(metrics.jensenShannon)} nats`);
    },
    draw(force) {
      drawBox.hidden = !isDrawn();
      canvas.classList.toggle("drawing", isDrawn());
      if (!dirty && !force) return;
      dirty = false;
      const options = {
        showHeatmap: state.showHeatmap,
        showManifold: state.showManifold,
        showArrows: state.showArrows,
        showReal: state.showReal,
      };
      const drawing = stroke ?? cleared;
      if (drawing) drawPlane(canvas, null, Float32Array.from(drawing), { ...options, showReal: true }, bounds());
      else drawPlane(canvas, probe, real, options, bounds());
      canvas.dataset.probes = String(++probesDrawn);
    },
  };
}

function data(state: LabState): DataSpec {
  if (state.dataset === "drawn") return { kind: "drawn", points: drawnPoints(state), std: DRAWN_STD };
  return { kind: "toy", name: state.dataset };
}

function config(state: LabState) {
  return {
    latentDim: 2, // so that the manifold is G applied to a grid of the whole noise space
    ...toyTrainingConfig(state),
  };
}

startTrainingPage({
  page: "two-d",
  title: "2-D",
  probeKind: "two-d",
  intro:
    "A GAN on 2-D data. Modes and quality follow PacGAN's protocol (2 500 samples; a sample is high quality within 3 " +
    "standard deviations of its nearest mode; a mode is covered by at least one high-quality sample). Try the minimax " +
    "loss, a larger k, or the grid of 25 to watch modes collapse.",
  controls: [
    {
      title: "training",
      keys: [
        "stepMode",
        "loss",
        "discriminatorSteps",
        "generatorLearningRate",
        "discriminatorLearningRate",
        "batchSize",
        "pack",
      ],
    },
    { title: "beyond the paper", keys: TECHNIQUE_KEYS },
    {
      title: "data and networks",
      keys: ["dataset", "prior", "generatorHidden", "discriminatorHidden", "optimizer", "seed", "backend"],
    },
    { title: "view", keys: ["showHeatmap", "showManifold", "showArrows", "showReal"] },
  ],
  charts: [
    {
      id: "losses",
      title: "losses",
      series: [
        { key: "d", label: "D: −V on the batch", color: COLORS.discriminator, record: "discriminatorLoss" },
        { key: "g", label: "G", color: COLORS.generated, record: "generatorLoss" },
      ],
    },
    {
      id: "jsd",
      title: "JSD estimate (nats)",
      include: [0],
      series: [
        {
          key: "jsd",
          label: "JSD",
          color: COLORS.value,
          probe: (probe) => (probe.kind === "two-d" ? (probe.metrics?.jensenShannon ?? null) : null),
        },
      ],
    },
    {
      id: "modes",
      title: "modes covered",
      include: [0],
      series: [
        {
          key: "modes",
          label: "modes",
          color: COLORS.real,
          probe: (probe) => (probe.kind === "two-d" ? (probe.metrics?.modesCovered ?? null) : null),
        },
      ],
    },
    {
      id: "quality",
      title: "high-quality samples (%)",
      include: [0, 100],
      series: [
        {
          key: "quality",
          label: "% within 3σ",
          color: COLORS.generated,
          probe: (probe) => (probe.kind === "two-d" && probe.metrics ? 100 * probe.metrics.highQualityFraction : null),
        },
      ],
    },
  ],
  data,
  config,
  createStage,
});
