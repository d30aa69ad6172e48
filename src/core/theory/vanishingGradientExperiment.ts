/**
 * Experiment `vanishing-gradient`: the argument of section 3 of Goodfellow et al. (2014), measured. "Early in
 * learning, when G is poor, D can reject samples with high confidence because they are clearly different from the
 * training data. In this case, log(1 − D(G(z))) saturates. Rather than training G to minimize log(1 − D(G(z))) we
 * can train G to maximize log D(G(z)). This objective function results in the same fixed point of the dynamics of
 * G and D but provides much stronger gradients early in learning."
 *
 * On logits l = logit D(G(z)): ∂/∂l of the minimax loss −softplus(l) is −σ(l) = −D(G(z)), which vanishes as D
 * rejects the fakes; ∂/∂l of the non-saturating loss softplus(−l) is −(1 − D(G(z))) ≈ −1. So, sample by sample,
 * the minimax gradient is the non-saturating one scaled by D/(1 − D).
 *
 * Setting: the toy-1d GAN; D is pre-trained on real vs the initial G's samples until it is strong; then the first
 * iterations of Algorithm 1 run twice from that same state — once per G loss — and every iteration's ‖∇_θg‖ and
 * D(G(z)) are recorded, plus where G's samples are (their mean; the data's is 4). G's optimizer is the paper's SGD
 * with momentum, whose step is proportional to the gradient (Adam would rescale a vanishing gradient back to a
 * full-size step and hide the effect on learning, though not on the gradient).
 */
import type { OptimizerName } from "../config.js";
import { toyDataset } from "../data/dataset.js";
import { toyDistribution } from "../data/toys.js";
import { Rng } from "../engine/random.js";
import type { GeneratorLossName } from "../losses/index.js";
import { buildNetworks } from "../models/index.js";
import { trainAlgorithm1, type TrainingEventMap } from "../training/algorithm1.js";
import { Events } from "../training/events.js";
import { assembleGan, disposeGan } from "../training/gan.js";
import { noiseValues } from "../training/noise.js";
import { createOptimizer } from "../training/optimizers.js";
import { meanAndStd } from "../numerics/scalar.js";
import { THEORY_DATASET, THEORY_DATA_SHAPE, generatorMap, theoryConfig } from "./networks.js";

export interface VanishingGradientOptions {
  seed: number;
  /** D's warm-up steps on real vs the initial G's samples: what makes D strong. */
  pretrainSteps?: number;
  /** Iterations of Algorithm 1 recorded after the warm-up, per loss. */
  steps?: number;
  /** G's optimizer: "sgd" (the paper's momentum SGD) or "adam" (the toy-1d preset's). */
  generatorOptimizer?: OptimizerName;
  /** G's learning rate. */
  generatorLearningRate?: number;
  batchSize?: number;
}

/** Defaults (the CLI's): 300 warm-up steps bring D(G(z)) to ≈ 4e-3; 200 iterations per loss; G by SGD at 0.01. */
export const VANISHING_GRADIENT_DEFAULTS = {
  pretrainSteps: 300,
  steps: 200,
  generatorOptimizer: "sgd",
  generatorLearningRate: 0.01,
  batchSize: 128,
} as const;

/** Fixed z at which G's samples are located after every iteration (their mean is reported). */
const TRACKING_SAMPLES = 256;
/** The "start" in "minimax norm ≪ non-saturating norm at the start": the first this many iterations. */
export const START_ITERATIONS = 10;

/** One loss's run. */
export interface VanishingGradientRun {
  loss: GeneratorLossName;
  /** 1 … steps. */
  step: number[];
  /** ‖∇_θg G's loss‖₂ at each iteration (before its update). */
  gradientNorm: number[];
  /** Mean D(G(z)) seen by each G step. */
  fakeScore: number[];
  /** Mean D(x) in each iteration's D step. */
  realScore: number[];
  /** Mean of G(z) over fixed z after each iteration (the data's mean is 4). */
  generatedMean: number[];
}

export interface VanishingGradientResult {
  experiment: "vanishing-gradient";
  settings: Required<Omit<VanishingGradientOptions, "seed">> & { seed: number; dataset: string };
  runs: { minimax: VanishingGradientRun; nonSaturating: VanishingGradientRun };
  summary: {
    /** Both runs' first iteration: same G, same D, same noise — only the loss differs. */
    firstMinimaxNorm: number;
    firstNonSaturatingNorm: number;
    /** firstMinimaxNorm / firstNonSaturatingNorm. */
    firstRatio: number;
    /** D(G(z)) / (1 − D(G(z))) at the first iteration: the per-sample factor the theory predicts (mean D inside). */
    predictedRatio: number;
    /** Largest minimax / non-saturating norm ratio over the first START_ITERATIONS iterations. */
    maxStartRatio: number;
    /** Mean of G's samples before any G step and after the last, per loss. */
    initialGeneratedMean: number;
    finalGeneratedMean: { minimax: number; nonSaturating: number };
    /** D(G(z)) at the last iteration, per loss. */
    finalFakeScore: { minimax: number; nonSaturating: number };
  };
}

/** Runs both losses from the same warmed-up state; deterministic from the seed. */
export async function vanishingGradientExperiment(options: VanishingGradientOptions): Promise<VanishingGradientResult> {
  const settings = { ...VANISHING_GRADIENT_DEFAULTS, ...options };
  const tracking = noiseValues("uniform", TRACKING_SAMPLES, 1, Rng.derive(settings.seed, "theory/vanishing/track"));
  let initialGeneratedMean = Number.NaN;

  async function run(loss: GeneratorLossName): Promise<VanishingGradientRun> {
    const config = theoryConfig(settings.seed, {
      loss,
      steps: settings.steps,
      batchSize: settings.batchSize,
      pretrainDiscriminatorSteps: settings.pretrainSteps,
      sampleEvery: 0,
      checkpointEvery: 0,
    });
    const { generator, discriminator } = buildNetworks(config, [...THEORY_DATA_SHAPE]);
    // G's own optimizer (the paper's SGD by default); D keeps the preset's Adam.
    const generatorConfig = { ...config, optimizer: settings.generatorOptimizer };
    const generatorOptimizer = createOptimizer(
      generatorConfig,
      generator.parameters,
      generator.parameterNames,
      settings.generatorLearningRate,
    );
    const gan = assembleGan({ config, dataShape: THEORY_DATA_SHAPE, generator, discriminator, generatorOptimizer });
    initialGeneratedMean = meanAndStd(generatorMap(generator, tracking)).mean;
    const result: VanishingGradientRun = {
      loss,
      step: [],
      gradientNorm: [],
      fakeScore: [],
      realScore: [],
      generatedMean: [],
    };
    const events = new Events<TrainingEventMap>();
    events.on("step", (record) => {
      result.step.push(record.step);
      result.gradientNorm.push(record.generatorGradientNorm);
      result.fakeScore.push(record.generatorFakeScore);
      result.realScore.push(record.realScore);
      result.generatedMean.push(meanAndStd(generatorMap(generator, tracking)).mean);
    });
    try {
      await trainAlgorithm1(gan, toyDataset(toyDistribution(THEORY_DATASET)), events);
    } finally {
      disposeGan(gan);
    }
    return result;
  }

  const minimax = await run("minimax");
  const nonSaturating = await run("non-saturating");
  const firstFake = minimax.fakeScore[0]!;
  const startRatios = minimax.gradientNorm
    .slice(0, START_ITERATIONS)
    .map((norm, i) => norm / nonSaturating.gradientNorm[i]!);
  return {
    experiment: "vanishing-gradient",
    settings: { ...settings, dataset: THEORY_DATASET },
    runs: { minimax, nonSaturating },
    summary: {
      firstMinimaxNorm: minimax.gradientNorm[0]!,
      firstNonSaturatingNorm: nonSaturating.gradientNorm[0]!,
      firstRatio: minimax.gradientNorm[0]! / nonSaturating.gradientNorm[0]!,
      predictedRatio: firstFake / (1 - firstFake),
      maxStartRatio: Math.max(...startRatios),
      initialGeneratedMean,
      finalGeneratedMean: {
        minimax: minimax.generatedMean.at(-1)!,
        nonSaturating: nonSaturating.generatedMean.at(-1)!,
      },
      finalFakeScore: { minimax: minimax.fakeScore.at(-1)!, nonSaturating: nonSaturating.fakeScore.at(-1)! },
    },
  };
}
