/**
 * Evaluation during training (--eval-every N): cheap metrics on the GAN in memory, flattened into a few numbers
 * for metrics.jsonl, and a coverage count for the collapse monitor.
 */
import type { Config } from "../core/config.js";
import { hashSeed } from "../core/engine/random.js";
import { applicableMetrics, metricByName, METRICS, type MetricName } from "../core/metrics/index.js";
import type { CoverageObservation } from "../core/training/collapse.js";
import type { Gan } from "../core/training/gan.js";
import { evaluateGan, evaluationContext, type MetricEntry } from "./evaluate.js";

/** The metrics --eval-every computes: the configured ones, or those cheap enough (`duringTraining`) that apply. */
export function trainingMetrics(config: Config): MetricName[] {
  if (config.evalMetrics.length > 0) return [...config.evalMetrics];
  const applicable = new Set(applicableMetrics(evaluationContext(config.dataset)));
  return METRICS.filter((metric) => metric.duringTraining && applicable.has(metric.name)).map((metric) => metric.name);
}

export interface TrainingEvaluation {
  values: Record<string, number>;
  coverage: CoverageObservation | null;
}

/** Runs the metrics and flattens their headline numbers; the first coverage count feeds the collapse monitor. */
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
  const values: Record<string, number> = {};
  let coverage: CoverageObservation | null = null;
  for (const name of names) {
    const result = (metrics as Partial<Record<MetricName, MetricEntry>>)[name]?.result;
    if (result === undefined) continue;
    const metric = metricByName(name);
    Object.assign(values, metric.headline(result));
    coverage ??= metric.coverage?.(result) ?? null;
  }
  return { values, coverage };
}
