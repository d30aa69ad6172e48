/**
 * The evaluation metrics by name: which data each applies to, what it needs, and how its result reads as table
 * rows. Unknown names are rejected with the list of valid ones (a ConfigError: the CLI prints one line, exit 2).
 */
import { ConfigError } from "../errors.js";
import type { ClassCoverageResult } from "./classCoverage.js";
import type { ClassifierScoreResult } from "./classifierScore.js";
import type { DivergenceResult } from "./divergence.js";
import type { FrechetResult } from "./frechet.js";
import type { ModeCoverageResult } from "./modes.js";
import { PACGAN_REFERENCE } from "./modes.js";
import type { ParzenResult } from "./parzen.js";
import { PAPER_PARZEN_MNIST } from "./parzen.js";
import type { PrecisionRecallResult } from "./precisionRecall.js";

import { METRIC_NAMES, type MetricName } from "../config.js";

export { METRIC_NAMES, type MetricName };

/** The two kinds of data: image datasets and the 1-D/2-D toy distributions. */
export type DataKind = "images" | "toy";

/** What a metric applies to and needs. */
export interface MetricInfo {
  name: MetricName;
  /** One line for help text. */
  description: string;
  appliesTo: DataKind;
  /** Needs our trained classifier (MNIST and Fashion-MNIST only). */
  needsClassifier: boolean;
  /** Needs the official train and test splits (MNIST and Fashion-MNIST). */
  needsSplits: boolean;
}

const image = (name: MetricName, description: string, needsClassifier: boolean): MetricInfo => ({
  name,
  description,
  appliesTo: "images",
  needsClassifier,
  needsSplits: true,
});
const toy = (name: MetricName, description: string): MetricInfo => ({
  name,
  description,
  appliesTo: "toy",
  needsClassifier: false,
  needsSplits: false,
});

/** The registry. */
export const METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  parzen: image("parzen", "Gaussian Parzen-window log-likelihood of the test set (the paper's Table 1)", false),
  frechet: image("frechet", "Fréchet distance in our classifier's feature space, generated vs test", true),
  "classifier-score": image("classifier-score", "exp(E KL(p(y|x) ‖ p(y))) in our classifier", true),
  "class-coverage": image("class-coverage", "predicted-class histogram, classes covered, KL to the test set's", true),
  "precision-recall": image("precision-recall", "k-NN manifold precision and recall in classifier features", true),
  modes: toy("modes", "PacGAN's protocol: modes covered, % high-quality samples, reverse KL"),
  divergence: toy("divergence", "JSD(p_data ‖ p_g), V(D, G), V(D*, G) beside −log 4 + 2·JSD"),
};

/** True for a registered metric name. */
export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/** The metric called `name`; a ConfigError listing the valid names for any other. */
export function metricInfo(name: string): MetricInfo {
  if (!isMetricName(name)) throw new ConfigError(`unknown metric "${name}"; valid: ${METRIC_NAMES.join(", ")}`);
  return METRICS[name];
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
  const info = METRICS[name];
  if (info.appliesTo !== context.kind) {
    return `metric ${name} applies to ${info.appliesTo === "toy" ? "toy distributions" : "image datasets"}, not to ${context.dataset}`;
  }
  if (info.needsSplits && !context.splits)
    return `metric ${name} needs official train/test splits (mnist, fashion-mnist)`;
  if (info.needsClassifier && !context.classifier) return `metric ${name} needs our classifier for ${context.dataset}`;
  return null;
}

/** Every metric that can run in `context`, in registry order. */
export function applicableMetrics(context: EvaluationContext): MetricName[] {
  return METRIC_NAMES.filter((name) => whyNotApplicable(name, context) === null);
}

/** The result type of each metric. */
export interface MetricResults {
  parzen: ParzenResult;
  frechet: FrechetResult & { reference?: FrechetResult };
  "classifier-score": ClassifierScoreResult & { reference: ClassifierScoreResult };
  "class-coverage": ClassCoverageResult;
  "precision-recall": PrecisionRecallResult & { reference?: PrecisionRecallResult };
  modes: ModeCoverageResult;
  divergence: DivergenceResult;
}

/** One printable row: what, the value, and what to compare it with. */
export interface SummaryRow {
  quantity: string;
  value: string;
  reference: string;
}

/** A number for tables: fixed decimals, "n/a" for NaN. */
function format(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** The table rows of one metric's result (`dataset` picks reference numbers). */
export function summarize<Name extends MetricName>(
  name: Name,
  result: MetricResults[Name],
  dataset: string,
): SummaryRow[] {
  switch (name) {
    case "parzen": {
      const r = result as ParzenResult;
      const paper = PAPER_PARZEN_MNIST;
      return [
        {
          quantity: `log-likelihood (nats), σ = ${format(r.sigma, 3)}`,
          value: `${format(r.meanLogLikelihood, 1)} ± ${format(r.standardError, 1)}`,
          reference:
            dataset === "mnist"
              ? `paper: GAN ${paper.adversarialNets.mean} ± ${paper.adversarialNets.standardError}, ` +
                `Deep GSN ${paper.deepGsn.mean} ± ${paper.deepGsn.standardError}`
              : "",
        },
      ];
    }
    case "frechet": {
      const r = result as MetricResults["frechet"];
      return [
        {
          quantity: "Fréchet distance (classifier features)",
          value: format(r.distance, 3),
          reference: r.reference ? `train vs test: ${format(r.reference.distance, 3)}` : "",
        },
      ];
    }
    case "classifier-score": {
      const r = result as MetricResults["classifier-score"];
      return [
        {
          quantity: "classifier score",
          value: format(r.score, 3),
          reference: `test set: ${format(r.reference.score, 3)} (max ${r.classes})`,
        },
      ];
    }
    case "class-coverage": {
      const r = result as ClassCoverageResult;
      return [
        { quantity: "classes covered", value: `${r.classesCovered} / ${r.classes}`, reference: `${r.classes}` },
        { quantity: "KL(samples ‖ test) of class histogram", value: format(r.klToReference, 4), reference: "0" },
      ];
    }
    case "precision-recall": {
      const r = result as MetricResults["precision-recall"];
      const reference = (value: number | undefined) =>
        r.reference ? `train vs test: ${format(value, 3)}` : "1 (ideal)";
      return [
        {
          quantity: `precision (k = ${r.k})`,
          value: format(r.precision, 3),
          reference: reference(r.reference?.precision),
        },
        { quantity: `recall (k = ${r.k})`, value: format(r.recall, 3), reference: reference(r.reference?.recall) },
      ];
    }
    case "modes": {
      const r = result as ModeCoverageResult;
      const pacgan = dataset === "grid-2d" || dataset === "ring-2d" ? PACGAN_REFERENCE[dataset] : undefined;
      const gan = pacgan?.gan;
      return [
        {
          quantity: "modes covered",
          value: `${r.modesCovered} / ${r.modeCount}`,
          reference: gan ? `PacGAN paper, GAN: ${gan.modes}` : `${r.modeCount}`,
        },
        {
          quantity: "high-quality samples (%)",
          value: format(100 * r.highQualityFraction, 1),
          reference: gan ? `PacGAN paper, GAN: ${gan.highQualityPercent}` : "",
        },
        {
          quantity: "reverse KL (mode histogram ‖ uniform)",
          value: format(r.reverseKl, 3),
          reference: dataset === "grid-2d" ? `PacGAN paper, GAN: ${PACGAN_REFERENCE["grid-2d"].gan.reverseKl}` : "0",
        },
      ];
    }
    case "divergence": {
      const r = result as DivergenceResult;
      const rows: SummaryRow[] = [
        { quantity: "JSD(p_data ‖ p_g) (nats)", value: format(r.jensenShannon, 4), reference: "0 … log 2 = 0.693" },
        {
          quantity: "V(D*, G) on the grid",
          value: format(r.optimalValue, 4),
          reference: `−log 4 + 2·JSD = ${format(r.theoreticalValue, 4)}`,
        },
      ];
      if (r.discriminatorValue) {
        rows.push({
          quantity: "V(D, G) of the trained D",
          value: format(r.discriminatorValue.value, 4),
          reference: `≤ V(D*, G); −log 4 = ${format(-Math.log(4), 4)} at equilibrium`,
        });
      }
      return rows;
    }
    default:
      return [];
  }
}
