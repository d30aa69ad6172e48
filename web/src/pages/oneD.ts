/**
 * Page 1 — Figure 1, live: a 1-D GAN learning N(4, 0.5²) (or a mixture) with Algorithm 1, drawn as in the paper,
 * with V(D, G) beside the theory's −log 4 + 2·JSD and G's gradient norm (switch the loss to minimax and watch it fall).
 */
import { element } from "../layout.js";
import { TECHNIQUE_KEYS, toyTrainingConfig, type LabState } from "../state.js";
import { COLORS, formatNumber } from "../views/canvas.js";
import { drawFigure1 } from "../views/figure1.js";
import type { OneDProbe } from "../worker/protocol.js";
import { readout, startTrainingPage, type Stage, type StageContext } from "./trainingPage.js";

const LOG_FOUR = Math.log(4);

function createStage(stage: HTMLElement, context: StageContext): Stage {
  const canvas = element("canvas", { id: "view", class: "figure1" });
  const readouts = {
    meanDeviation: readout("meanDeviation", "E_p_data |D(x) − ½|"),
    jensenShannon: readout("jensenShannon", "JSD(p_data ‖ p_g)"),
    value: readout("value", "V(D, G)"),
    theoreticalValue: readout("theoreticalValue", "−log 4 + 2·JSD"),
    generator: readout("generator", "p_g mean ± std"),
  };
  stage.append(canvas, element("div", { class: "readouts" }, ...Object.values(readouts).map((entry) => entry.row)));
  let probe: OneDProbe | null = null;
  let dirty = false;
  let probesDrawn = 0;
  return {
    probe(next) {
      if (next.kind !== "one-d") return;
      probe = next;
      dirty = true;
      readouts.meanDeviation.set(next.meanDeviation, formatNumber(next.meanDeviation), next.tick);
      readouts.jensenShannon.set(next.jensenShannon, `${formatNumber(next.jensenShannon)} nats`, next.tick);
      readouts.value.set(next.value, formatNumber(next.value));
      readouts.theoreticalValue.set(next.theoreticalValue, formatNumber(next.theoreticalValue));
      readouts.generator.set(next.generatorMean, `${next.generatorMean.toFixed(2)} ± ${next.generatorStd.toFixed(2)}`);
    },
    draw(force) {
      if (!probe || (!dirty && !force)) return;
      dirty = false;
      drawFigure1(canvas, probe, { showOptimal: context.state.showOptimal, showMapping: context.state.showMapping });
      canvas.dataset.probes = String(++probesDrawn);
    },
  };
}

function data(state: LabState) {
  return { kind: "toy" as const, name: state.dataset };
}

function config(state: LabState) {
  return toyTrainingConfig(state);
}

startTrainingPage({
  page: "one-d",
  title: "Figure 1, live",
  probeKind: "one-d",
  intro:
    "Goodfellow et al. (2014), Figure 1, as a running experiment: the generator G maps z (bottom line) to x (top line); " +
    "the discriminator D (blue, dashed) learns to tell p_data (black, dotted) from p_g (green); D* is the best D for the " +
    "current G. At the equilibrium p_g = p_data and D = ½ everywhere.",
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
    { title: "view", keys: ["showOptimal", "showMapping"] },
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
      id: "value",
      title: "V(D, G) and C(G) = −log 4 + 2·JSD",
      include: [-LOG_FOUR],
      series: [
        {
          key: "v",
          label: "V(D, G)",
          color: COLORS.value,
          probe: (probe) => (probe.kind === "one-d" ? probe.value : null),
        },
        {
          key: "c",
          label: "−log 4 + 2·JSD",
          color: COLORS.theory,
          dash: [5, 3],
          probe: (probe) => (probe.kind === "one-d" ? probe.theoreticalValue : null),
        },
        { key: "floor", label: "−log 4", color: "#bbbbbb", dash: [2, 2], width: 1, probe: () => -LOG_FOUR },
      ],
    },
    {
      id: "gradient",
      title: "‖∇θg‖ (G's gradient norm, log scale)",
      scale: "log",
      series: [
        { key: "g", label: "G", color: COLORS.generated, record: "generatorGradientNorm" },
        {
          key: "d",
          label: "D",
          color: COLORS.discriminator,
          dash: [4, 3],
          width: 1,
          record: "discriminatorGradientNorm",
        },
      ],
    },
  ],
  data,
  config,
  createStage,
});
