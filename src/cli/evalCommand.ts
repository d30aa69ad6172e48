/**
 * `tsgan eval`: metrics of a run's checkpoint (docs/evaluation.md). Computes them through `evaluateRun`, shows a
 * progress bar per long phase, prints a table on stdout and writes <run>/eval/<checkpoint>.json.
 */
import cliProgress from "cli-progress";
import { Command, InvalidArgumentError } from "commander";
import { NODE_BACKEND_NAMES, SAMPLER_NAMES, type BackendName, type SamplerName } from "../core/config.js";
import { METRICS, metricByName, parseMetricList, type MetricName } from "../core/metrics/index.js";
import { describeRejection } from "../core/training/rejection.js";
import { evaluateRun, type EvaluationProgress, type EvaluationReport, type MetricEntry } from "../node/evaluate.js";
import { choiceOption, nonNegativeInteger, positiveInteger, unitFraction } from "./options.js";
import { drawsBar } from "./progress.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** On a pipe or CI log, a phase's progress is printed at most this often. */
const PLAIN_LINE_INTERVAL_MS = 10_000;

function metricList(value: string): MetricName[] {
  try {
    return parseMetricList(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A progress display fed by EvaluationProgress: one bar per phase on a terminal, occasional lines otherwise. */
function createEvaluationProgress(stream: NodeJS.WriteStream = process.stderr) {
  let phase: string | null = null;
  let lastLine = 0;
  const bar = drawsBar(stream)
    ? new cliProgress.SingleBar(
        { format: "{phase} {bar} {value}/{total} | ETA {eta_formatted}", hideCursor: true, stream, barsize: 30 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  return {
    update({ phase: next, done, total }: EvaluationProgress) {
      if (bar) {
        if (next !== phase) {
          if (phase !== null) bar.stop();
          bar.start(total, done, { phase: next.padEnd(34) });
        } else {
          bar.update(done);
        }
      } else {
        const now = performance.now();
        if (next !== phase || now - lastLine >= PLAIN_LINE_INTERVAL_MS) {
          stream.write(`${next}: ${done}/${total}\n`);
          lastLine = now;
        }
      }
      phase = next;
    },
    stop() {
      if (bar && phase !== null) bar.stop();
    },
  };
}

/** The table of results: metric, quantity, value, reference — columns padded to their widest cell. */
export function formatEvaluationTable(report: EvaluationReport, names: readonly MetricName[]): string {
  const header = ["metric", "quantity", "value", "reference / perfect"];
  const rows: string[][] = [];
  for (const name of names) {
    const entry = (report.metrics as Partial<Record<MetricName, MetricEntry>>)[name];
    if (!entry) continue;
    for (const row of metricByName(name).summary(entry.result, report.dataset)) {
      rows.push([name, row.quantity, row.value, row.reference]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

export function evalCommand(): Command {
  const metricHelp = METRICS.map((metric) => `${metric.name} (${metric.appliesTo})`).join(", ");
  return new Command("eval")
    .description(COMMAND_DESCRIPTIONS.eval)
    .requiredOption("--run <dir>", "run directory written by tsgan train")
    .option("--checkpoint <step>", "checkpoint step (default: the latest)", nonNegativeInteger)
    .option("--metrics <names>", `comma-separated metrics (default: all that apply): ${metricHelp}`, metricList)
    .option(
      "--samples <n>",
      "generated samples (default: 10000 for images, 26000 for stacked-mnist, 2500 for toys)",
      positiveInteger,
    )
    .option("--seed <n>", "seed of the evaluation noise (default: the run's seed)", nonNegativeInteger)
    .option("--raw-generator", "evaluate G itself, not the EMA of its weights (runs with --generator-ema)")
    .option(
      "--out <file>",
      "write the report here, not to <run>/eval/<checkpoint>.json (which sweep reports read): keeps the run's own numbers",
    )
    .addOption(
      choiceOption(
        "--sampler <name>",
        "direct, or rejection: Discriminator Rejection Sampling after calibrating D in memory (default: the run's sampler)",
        SAMPLER_NAMES,
      ),
    )
    .option(
      "--rejection-quantile <q>",
      "rejection sampling with DRS's γ shift: γ = the q-quantile of F per 1 000 proposals (default: the run's rejectionQuantile; none = the exact rule)",
      unitFraction,
    )
    .option(
      "--rejection-calibration-steps <n>",
      "rejection sampling: D-only steps with the cross-entropy loss before sampling (default: the run's rejectionCalibrationSteps; a D not trained with that loss needs some)",
      nonNegativeInteger,
    )
    .addOption(choiceOption("--backend <name>", "engine (default: the run's)", NODE_BACKEND_NAMES))
    .action(
      async (options: {
        run: string;
        checkpoint?: number;
        metrics?: MetricName[];
        samples?: number;
        seed?: number;
        rawGenerator?: boolean;
        out?: string;
        sampler?: SamplerName;
        rejectionQuantile?: number;
        rejectionCalibrationSteps?: number;
        backend?: BackendName;
      }) => {
        const progress = createEvaluationProgress();
        const { rejectionCalibrationSteps, ...rest } = options;
        const { report, computed, path } = await evaluateRun({
          ...rest,
          ...(rejectionCalibrationSteps !== undefined ? { calibrationSteps: rejectionCalibrationSteps } : {}),
          onProgress: (event) => progress.update(event),
        }).finally(() => progress.stop());
        const entry = report.metrics[computed[0]!];
        const which = entry?.generator === "ema" ? ", EMA generator" : "";
        const rejection =
          entry?.acceptanceRate === undefined
            ? ""
            : `, ${describeRejection({
                calibrationSteps: entry.calibrationSteps,
                quantile: entry.rejectionQuantile,
                acceptanceRate: entry.acceptanceRate,
              })}`;
        console.log(`${report.dataset}, ${report.checkpoint}, ${entry?.samples} samples${which}${rejection}`);
        console.log(formatEvaluationTable(report, computed));
        console.error(`tsgan: wrote ${path}`);
      },
    );
}
