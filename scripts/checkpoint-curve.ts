/**
 * A metric against training iterations, from a run's checkpoint evaluations (eval/step_*.json, written by
 * `tsgan eval --run R --checkpoint S`), as an SVG line chart with optional horizontal references and a CSV beside it.
 * It draws what training-time evaluation (plots/eval.svg) does not: the expensive metrics (Parzen, Fréchet),
 * evaluated after the fact at chosen checkpoints.
 *
 *   npx tsx scripts/checkpoint-curve.ts --run R --quantity parzen.meanLogLikelihood \
 *     --reference 225 --title "…" --out docs/results/mnist-paper-parzen.svg
 *
 * `--quantity <metric>.<field>` names a number in the metric's result, as sweep files do. `--run` repeats, as
 * `label=directory` (any directory of evaluation reports), for one line per run (e.g. the raw and the averaged G).
 */
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";

import type { EvaluationReport } from "../src/node/evaluate.js";
import { lineChartSvg } from "../src/node/visual/charts.js";

interface Options {
  run: string[];
  quantity: string;
  out: string;
  title?: string;
  reference: number[];
}

/** (step, value) for every checkpoint evaluation of the run that has the quantity, in step order. */
async function checkpointValues(directory: string, quantity: string): Promise<Array<[number, number]>> {
  const [metric, field] = quantity.split(".") as [string, string];
  const points: Array<[number, number]> = [];
  for (const file of (await readdir(directory)).filter((name) => name.endsWith(".json")).sort()) {
    const report = JSON.parse(await readFile(join(directory, file), "utf8")) as EvaluationReport;
    const result = report.metrics[metric as keyof EvaluationReport["metrics"]]?.result as unknown;
    const value = (result as Record<string, unknown> | undefined)?.[field];
    if (typeof value === "number") points.push([report.step, value]);
  }
  return points.sort(([a], [b]) => a - b); // by iteration, not by file name (step_100000 sorts before step_60000)
}

/** A CSV field, quoted when it holds a comma or a quote. */
function csvField(text: string): string {
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function main(): Promise<void> {
  const options = new Command()
    .requiredOption(
      "--run <[label=]dir>",
      "run directory whose eval/step_*.json to read, or any directory of evaluation reports (repeatable: one line each)",
      (value, all: string[]) => [...all, value],
      [],
    )
    .requiredOption("--quantity <metric.field>", "the number to draw, e.g. parzen.meanLogLikelihood")
    .requiredOption("--out <file.svg>", "SVG to write; the CSV goes beside it")
    .option("--title <text>", "chart title")
    .option(
      "--reference <y>",
      "a horizontal reference line (repeatable)",
      (value, all: number[]) => [...all, Number(value)],
      [],
    )
    .parse()
    .opts<Options>();
  const series: Array<{ name: string; points: Array<[number, number]> }> = [];
  for (const run of options.run) {
    const [label, path] = run.includes("=") ? (run.split(/=(.*)/s, 2) as [string, string]) : [options.quantity, run];
    const directory = existsSync(join(path, "eval")) ? join(path, "eval") : path;
    const points = await checkpointValues(directory, options.quantity);
    if (points.length === 0) throw new Error(`${path}: no checkpoint evaluation has ${options.quantity}`);
    series.push({ name: label, points });
  }
  const svg = await lineChartSvg({
    series: series.map(({ name, points }) => ({
      name,
      x: points.map(([step]) => step),
      y: points.map(([, value]) => value),
    })),
    ...(options.title ? { title: options.title } : {}),
    xTitle: "iteration",
    yTitle: options.quantity,
    referenceLines: options.reference,
  });
  await writeFile(options.out, svg);
  const rows = series.flatMap(({ name, points }) =>
    points.map(([step, value]) => `${csvField(name)},${step},${value}`),
  );
  await writeFile(options.out.replace(/\.svg$/, ".csv"), `${["series,step,value", ...rows].join("\n")}\n`);
  console.log(`${options.out}: ${series.map(({ name, points }) => `${name} ${points.length}`).join(", ")} checkpoints`);
}

// A missing run, an unreadable report or no matching checkpoint: one line and exit status 1, not a stack trace.
await main().catch((error: unknown) => {
  console.error(`${process.argv[1]?.split("/").pop()}: ${(error as Error).message ?? error}`);
  process.exitCode = 1;
});
