/**
 * Evaluation during training (--eval-every N): cheap metrics on the GAN in memory, flattened into a few numbers
 * for metrics.jsonl, and a coverage count for the collapse monitor.
 */
import type { Config } from "../core/config.js";
import { hashSeed } from "../core/engine/random.js";
import { applicableMetrics, type MetricName } from "../core/metrics/registry.js";
import type { CoverageObservation } from "../core/training/collapse.js";
import type { Gan } from "../core/training/gan.js";
import { evaluateGan, evaluationContext, type EvaluationReport } from "./evaluate.js";

/** Metrics cheap enough to run every few hundred steps, in order of preference. */
const CHEAP_METRICS: readonly MetricName[] = ["modes", "divergence", "class-coverage", "classifier-score"];

/** The metrics --eval-every computes: the configured ones, or the cheap ones that apply to the dataset. */
export function trainingMetrics(config: Config): MetricName[] {
  if (config.evalMetrics.length > 0) return [...config.evalMetrics];
  const applicable = new Set(applicableMetrics(evaluationContext(config.dataset)));
  return CHEAP_METRICS.filter((name) => applicable.has(name));
}

export interface TrainingEvaluation {
  values: Record<string, number>;
  coverage: CoverageObservation | null;
}

/** Runs the metrics and flattens their headline numbers. */
export async function evaluateDuringTraining(
  gan: Gan,
  names: readonly MetricName[],
  step: number,
): Promise<TrainingEvaluation> {
  const { config } = gan;
  const metrics = await evaluateGan({
    gan,
    names,
    samples: config.evalSamples,
    seed: hashSeed(config.seed, step, "eval"),
  });
  return { values: headlineValues(metrics), coverage: coverageOf(metrics) };
}

function headlineValues(metrics: EvaluationReport["metrics"]): Record<string, number> {
  const values: Record<string, number> = {};
  if (metrics.modes) {
    values.modesCovered = metrics.modes.result.modesCovered;
    values.highQualityFraction = metrics.modes.result.highQualityFraction;
  }
  if (metrics.divergence) values.jensenShannon = metrics.divergence.result.jensenShannon;
  if (metrics["class-coverage"]) {
    values.classesCovered = metrics["class-coverage"].result.classesCovered;
    values.classKlToReference = metrics["class-coverage"].result.klToReference;
  }
  if (metrics["classifier-score"]) values.classifierScore = metrics["classifier-score"].result.score;
  if (metrics.frechet) values.frechetDistance = metrics.frechet.result.distance;
  if (metrics.parzen) values.parzenLogLikelihood = metrics.parzen.result.meanLogLikelihood;
  return values;
}

function coverageOf(metrics: EvaluationReport["metrics"]): CoverageObservation | null {
  if (metrics.modes) {
    return { what: "modes", covered: metrics.modes.result.modesCovered, total: metrics.modes.result.modeCount };
  }
  if (metrics["class-coverage"]) {
    const result = metrics["class-coverage"].result;
    return { what: "classes", covered: result.classesCovered, total: result.classes };
  }
  return null;
}
