/**
 * The evaluation metrics: the list, in the order tables show them, and what follows from it — parsing names (unknown
 * names are a ConfigError listing the valid ones: the CLI prints one line, exit 2), which metrics apply to a dataset,
 * and the result type of each. Each metric is one object beside its computation (metric.ts says what it holds).
 */
import { METRIC_NAMES, type MetricName } from "../config.js";
import { ConfigError } from "../errors.js";
import { classCoverageMetric } from "./classCoverage.js";
import { classifierScoreMetric } from "./classifierScore.js";
import { divergenceMetric } from "./divergence.js";
import { frechetMetric } from "./frechet.js";
import type { DataKind, Metric } from "./metric.js";
import { modesMetric } from "./modes.js";
import { parzenMetric } from "./parzen.js";
import { precisionRecallMetric } from "./precisionRecall.js";
import { stackedModesMetric } from "./stackedModes.js";

export { METRIC_NAMES, type MetricName };
export type { DataKind, EvaluationProgress, Metric, MetricContext, SummaryRow } from "./metric.js";

/**
 * Every metric, in METRIC_NAMES order. A metric's `name` must be a MetricName (config.ts), and `MissingMetrics` below
 * must be empty, so a name without a metric, or a metric without a name, fails typecheck.
 */
const METRIC_LIST = [
  parzenMetric,
  frechetMetric,
  classifierScoreMetric,
  classCoverageMetric,
  precisionRecallMetric,
  modesMetric,
  divergenceMetric,
  stackedModesMetric,
] as const;

/** The list, each metric seen with a result of unknown type (what loops over it need). */
export const METRICS: readonly Metric[] = METRIC_LIST;

/** Names in METRIC_NAMES that have no metric object in the list (must be never). */
type MissingMetrics = Exclude<MetricName, (typeof METRIC_LIST)[number]["name"]>;
const EVERY_NAME_HAS_A_METRIC: [MissingMetrics] extends [never] ? true : MissingMetrics = true;
void EVERY_NAME_HAS_A_METRIC;

/** The result type of each metric, read off its object. */
export type MetricResults = {
  [Name in MetricName]: Extract<(typeof METRIC_LIST)[number], { name: Name }> extends Metric<Name, infer Result>
    ? Result
    : never;
};

/** The metric called `name`. */
export function metricByName(name: MetricName): Metric {
  return METRICS.find((metric) => metric.name === name)!;
}

/** True for a registered metric name. */
export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/** The metric called `name`; a ConfigError listing the valid names for any other. */
export function metricInfo(name: string): Metric {
  if (!isMetricName(name)) throw new ConfigError(`unknown metric "${name}"; valid: ${METRIC_NAMES.join(", ")}`);
  return metricByName(name);
}

/** Parses "a,b,c" (spaces allowed, duplicates dropped) into metric names; unknown names are a ConfigError. */
export function parseMetricList(list: string): MetricName[] {
  const names = list
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new ConfigError(`no metric named; valid: ${METRIC_NAMES.join(", ")}`);
  return [...new Set(names.map((name) => metricInfo(name).name))];
}

/** What the data being evaluated offers. */
export interface EvaluationContext {
  kind: DataKind;
  /** The dataset's name, for messages. */
  dataset: string;
  /** A trained classifier exists for this dataset. */
  classifier: boolean;
  /** Official train/test splits exist for this dataset. */
  splits: boolean;
}

/** Why `name` cannot run in `context`, or null when it can. */
export function whyNotApplicable(name: MetricName, context: EvaluationContext): string | null {
  const metric = metricByName(name);
  if (metric.appliesTo !== context.kind) {
    return `metric ${name} applies to ${metric.appliesTo === "toy" ? "toy distributions" : "image datasets"}, not to ${context.dataset}`;
  }
  if (metric.datasets !== undefined && !metric.datasets.includes(context.dataset)) {
    return `metric ${name} applies to ${metric.datasets.join(", ")} only, not to ${context.dataset}`;
  }
  if (metric.needsSplits && !context.splits)
    return `metric ${name} needs official train/test splits (mnist, fashion-mnist)`;
  if (metric.needsClassifier && !context.classifier)
    return `metric ${name} needs our classifier for ${context.dataset}`;
  return null;
}

/** Every metric that can run in `context`, in list order. */
export function applicableMetrics(context: EvaluationContext): MetricName[] {
  return METRICS.filter((metric) => whyNotApplicable(metric.name, context) === null).map((metric) => metric.name);
}
