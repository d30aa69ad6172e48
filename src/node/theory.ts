/**
 * `tsgan theory`, as a library call: run one of the theory experiments of src/core/theory, write its picture (SVG)
 * and its numbers (JSON) into an output directory, and return the lines worth printing.
 */
import { join } from "node:path";

import { figure1Experiment, type Figure1Result } from "../core/theory/figure1Experiment.js";
import {
  optimalDiscriminatorExperiment,
  type OptimalDiscriminatorResult,
} from "../core/theory/optimalDiscriminatorExperiment.js";
import { valueFunctionExperiment, type ValueFunctionResult } from "../core/theory/valueFunctionExperiment.js";
import {
  START_ITERATIONS,
  vanishingGradientExperiment,
  type VanishingGradientResult,
} from "../core/theory/vanishingGradientExperiment.js";
import { writeFileAtomic } from "./visual/files.js";
import { figure1Svg, optimalDiscriminatorSvg, valueFunctionSvg, vanishingGradientSvg } from "./visual/theoryPlots.js";

/** The experiments, in the order `all` runs them. */
export const THEORY_EXPERIMENTS = [
  "optimal-discriminator",
  "figure-1",
  "value-function",
  "vanishing-gradient",
] as const;
export type TheoryExperimentName = (typeof THEORY_EXPERIMENTS)[number];

/** The default output directory of one experiment: theory/<experiment>/. */
export const DEFAULT_THEORY_ROOT = "theory";

export interface TheoryRunOptions {
  seed: number;
  /** Directory the SVG and JSON go into. */
  out: string;
  /** The backend the experiment ran on, recorded in the JSON. */
  backend: string;
}

export interface TheoryRunResult {
  experiment: TheoryExperimentName;
  svgPath: string;
  jsonPath: string;
  seconds: number;
  /** The key numbers, one line each, for the terminal. */
  lines: string[];
}

type AnyResult = OptimalDiscriminatorResult | Figure1Result | ValueFunctionResult | VanishingGradientResult;

/** Runs an experiment with its full (CLI) settings. */
async function runExperiment(name: TheoryExperimentName, seed: number): Promise<AnyResult> {
  switch (name) {
    case "optimal-discriminator":
      return optimalDiscriminatorExperiment({ seed });
    case "figure-1":
      return figure1Experiment({ seed });
    case "value-function":
      return valueFunctionExperiment({ seed });
    case "vanishing-gradient":
      return vanishingGradientExperiment({ seed });
  }
}

/** The picture of a result. */
function pictureOf(result: AnyResult): Promise<string> {
  switch (result.experiment) {
    case "optimal-discriminator":
      return optimalDiscriminatorSvg(result);
    case "figure-1":
      return figure1Svg(result);
    case "value-function":
      return valueFunctionSvg(result);
    case "vanishing-gradient":
      return vanishingGradientSvg(result);
  }
}

const fixed = (value: number, digits = 4) => value.toFixed(digits);
const exponential = (value: number) => value.toExponential(2);

/** The numbers worth printing, one line each. */
export function summaryLines(result: AnyResult): string[] {
  switch (result.experiment) {
    case "optimal-discriminator": {
      const { trainedVsOptimal: exact, trainedVsOptimalFromSamples: sampled, ...rest } = result.summary;
      const [low, high] = exact.extent;
      return [
        `p_data N(4, 0.5²), fixed G: p_g = N(${result.settings.generatorMean}, ${result.settings.generatorStd}²); ` +
          `D trained ${result.settings.steps} + ${result.settings.refineSteps} steps`,
        `|D − D*| over x ∈ [${fixed(low, 2)}, ${fixed(high, 2)}]: max ${fixed(exact.max)} (at x = ${fixed(exact.argmax, 2)}), ` +
          `mean ${fixed(exact.mean)}, mass-weighted mean ${fixed(exact.massWeightedMean)}`,
        `with D* from a KDE of ${result.settings.generatedSamples} samples (bandwidth ${fixed(rest.kernelBandwidth, 3)}): ` +
          `max ${fixed(sampled.max)}, mean ${fixed(sampled.mean)}; |D*(KDE) − D*| mean ` +
          `${fixed(rest.optimalFromSamplesVsOptimal.mean)}`,
        `V(D, G) = ${fixed(rest.trainedValue, 5)} ≤ V(D*, G) = −log 4 + 2·JSD = ${fixed(rest.optimalValue, 5)}`,
      ];
    }
    case "figure-1": {
      const lines = result.snapshots.map(
        (snapshot) =>
          `step ${String(snapshot.step).padStart(5)}: JSD ${fixed(snapshot.jensenShannon)}  W1 ${fixed(snapshot.wasserstein, 3)}  ` +
          `E|D − ½| ${fixed(snapshot.meanDistanceFromHalf)}  p_g mean ${fixed(snapshot.generatedMean, 2)} ` +
          `std ${fixed(snapshot.generatedStd, 2)}  kinks of D on p_data ${snapshot.discriminatorKinks}`,
      );
      const { summary } = result;
      return [
        ...lines,
        `end: D ≈ 1/2 (E_p_data|D − ½| = ${fixed(summary.finalMeanDistanceFromHalf)}), JSD(p_data ‖ p_g) ` +
          `${fixed(summary.initialJensenShannon)} → ${fixed(summary.finalJensenShannon)}, W1 ${fixed(summary.finalWasserstein, 3)}`,
      ];
    }
    case "value-function": {
      const { summary, settings } = result;
      return [
        `${settings.points} points from N(${settings.startMean}, ${settings.startStd}²) to p_data = N(4, 0.5²), ` +
          `grid of ${settings.gridCells} cells on [${settings.gridLow}, ${settings.gridHigh}]`,
        `max |V(D*, G) − (−log 4 + 2·JSD)| = ${exponential(summary.maxDifference)} ` +
          `(max |∫p − 1| = ${exponential(summary.maxMassError)})`,
        `sampled V(D*, G) (${settings.samples} samples each) within ` +
          `${fixed(summary.maxSampledDeviationInStandardErrors, 2)} standard errors of the grid value`,
        `at p_g = p_data: V(D*, G) = ${summary.finalValue.toFixed(12)} (−log 4 = ${(-Math.log(4)).toFixed(12)})`,
      ];
    }
    case "vanishing-gradient": {
      const { summary, settings } = result;
      return [
        `D pre-trained ${settings.pretrainSteps} steps; G: ${settings.generatorOptimizer} at ${settings.generatorLearningRate}`,
        `first iteration ‖∇θg‖: minimax ${exponential(summary.firstMinimaxNorm)}, non-saturating ` +
          `${exponential(summary.firstNonSaturatingNorm)}, ratio ${exponential(summary.firstRatio)} ` +
          `(D/(1 − D) predicts ${exponential(summary.predictedRatio)})`,
        `largest ratio over the first ${START_ITERATIONS} iterations: ${exponential(summary.maxStartRatio)}`,
        `G's mean after ${settings.steps} iterations (from ${fixed(summary.initialGeneratedMean, 2)}; data 4): ` +
          `minimax ${fixed(summary.finalGeneratedMean.minimax, 2)}, non-saturating ` +
          `${fixed(summary.finalGeneratedMean.nonSaturating, 2)}`,
      ];
    }
  }
}

/** JSON with 2-space indentation but arrays of numbers on one line (series stay readable and small). */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+([-\d.eE+,\s null]*?)\s+\]/g, (_, items: string) => {
    return `[${items.split(/,\s*/).join(", ")}]`;
  });
}

/** Runs one experiment, writes `<out>/<experiment>.svg` and `<out>/<experiment>.json`. */
export async function runTheory(name: TheoryExperimentName, options: TheoryRunOptions): Promise<TheoryRunResult> {
  const started = performance.now();
  const result = await runExperiment(name, options.seed);
  const seconds = (performance.now() - started) / 1000;
  const svgPath = join(options.out, `${name}.svg`);
  const jsonPath = join(options.out, `${name}.json`);
  await writeFileAtomic(svgPath, await pictureOf(result));
  await writeFileAtomic(
    jsonPath,
    compactJson({ ...result, backend: options.backend, seconds: Number(seconds.toFixed(2)) }) + "\n",
  );
  return { experiment: name, svgPath, jsonPath, seconds, lines: summaryLines(result) };
}
