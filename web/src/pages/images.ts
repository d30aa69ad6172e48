/**
 * Page 3 — Images: a small MLP GAN (the paper's kind of networks, narrower) or a small DCGAN learning MNIST or
 * Fashion-MNIST in the browser, with a live grid from fixed noise beside real training images.
 */
import { element } from "../layout.js";
import { parseLayers, TECHNIQUE_KEYS, trainingConfig, type LabState } from "../state.js";
import { COLORS, formatNumber } from "../views/canvas.js";
import { drawImageGrid } from "../views/imageGrid.js";
import type { ChartRecord, ImagesProbe, Probe, SessionInfo } from "../worker/protocol.js";
import { readout, startTrainingPage, type Stage } from "./trainingPage.js";

/** Layer widths each architecture starts from when chosen: MLP units, or DCGAN channels (G: depth, then up-convs). */
const ARCH_WIDTHS: Readonly<Record<LabState["arch"], { generatorHidden: string; discriminatorHidden: string }>> = {
  mlp: { generatorHidden: "256,256", discriminatorHidden: "128,128" },
  dcgan: { generatorHidden: "64,32", discriminatorHidden: "32,64" },
};

function createStage(stage: HTMLElement): Stage {
  const generated = element("canvas", { id: "view", class: "grid" });
  const real = element("canvas", { id: "real", class: "grid" });
  const readouts = {
    realScore: readout("realScore", "D(x) on real"),
    fakeScore: readout("fakeScore", "D(G(z)) on generated"),
  };
  stage.append(
    element(
      "div",
      {},
      element("p", {
        class: "note",
        text: "G(z) for 64 fixed z (inference mode); conditional: one row per class 0, 1, …, the same 8 z in each",
      }),
      generated,
    ),
    element("div", {}, element("p", { class: "note", text: "real training images" }), real),
    element("div", { class: "readouts" }, ...Object.values(readouts).map((entry) => entry.row)),
  );
  let probe: ImagesProbe | null = null;
  let realImages: ImagesProbe | null = null;
  let dirty = false;
  let probesDrawn = 0;
  return {
    ready(info: SessionInfo) {
      realImages = info.realImages;
      dirty = true;
    },
    probe(next: Probe) {
      if (next.kind !== "images") return;
      probe = next;
      dirty = true;
    },
    draw(force) {
      if (!dirty && !force) return;
      dirty = false;
      if (realImages) drawImageGrid(real, realImages);
      if (probe) {
        drawImageGrid(generated, probe, probe.columns);
        generated.dataset.probes = String(++probesDrawn);
      }
    },
    record({ realScore, fakeScore }: ChartRecord) {
      if (realScore !== null) readouts.realScore.set(realScore, formatNumber(realScore));
      if (fakeScore !== null) readouts.fakeScore.set(fakeScore, formatNumber(fakeScore));
    },
  };
}

startTrainingPage({
  page: "images",
  title: "Images",
  probeKind: "images",
  intro:
    "A GAN learning handwritten digits (MNIST) or clothing (Fashion-MNIST) in this browser tab. The data are the first " +
    "images of the official training file, served by tsgan lab. The paper's MLPs are 1200 units wide; these are " +
    "narrower so that a laptop's CPU shows digits within minutes. The grid uses the same fixed noise as the CLI's sample grids for this seed.",
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
      ],
    },
    { title: "beyond the paper", keys: TECHNIQUE_KEYS },
    {
      title: "data and networks",
      keys: [
        "dataset",
        "imageCount",
        "arch",
        "conditional",
        "sampleClass",
        "generatorHidden",
        "discriminatorHidden",
        "latentDim",
        "prior",
        "optimizer",
        "seed",
        "backend",
      ],
    },
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
      id: "scores",
      title: "D(x) and D(G(z))",
      include: [0, 1],
      series: [
        { key: "real", label: "D(x)", color: COLORS.real, record: "realScore" },
        { key: "fake", label: "D(G(z))", color: COLORS.generated, record: "fakeScore" },
      ],
    },
    {
      id: "gradient",
      title: "gradient norms (log scale)",
      scale: "log",
      series: [
        { key: "g", label: "‖∇θg‖", color: COLORS.generated, record: "generatorGradientNorm" },
        { key: "d", label: "‖∇θd‖", color: COLORS.discriminator, record: "discriminatorGradientNorm" },
      ],
    },
  ],
  beforeChange(key, state) {
    if (key === "arch") Object.assign(state, ARCH_WIDTHS[state.arch]);
  },
  data: (state) => ({
    kind: "images",
    name: state.dataset === "fashion-mnist" ? "fashion-mnist" : "mnist",
    count: state.imageCount,
  }),
  config(state) {
    const generator = parseLayers(state.generatorHidden);
    const discriminator = parseLayers(state.discriminatorHidden);
    return {
      ...trainingConfig(state),
      arch: state.arch,
      conditional: state.conditional,
      latentDim: state.latentDim,
      ...(state.arch === "mlp"
        ? { mlp: { generatorHidden: generator, discriminatorHidden: discriminator } }
        : {
            dcgan: {
              generatorDepth: generator[0] ?? 64,
              generatorChannels: generator.slice(1),
              discriminatorChannels: discriminator,
            },
          }),
    };
  },
  createStage,
});
