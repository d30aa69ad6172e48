/**
 * docs/results.json: the results campaign's tables (issue 13) in one machine-readable file — per table the published
 * rows it is compared with, tsgan's measured rows (mean ± std over seeds, per-run numbers, wall times) and each
 * target, met or not.
 *
 *   npx tsx scripts/results-json.ts                      # from the committed docs/results/<sweep>/report.json
 *   npx tsx scripts/results-json.ts --from /path/runs    # first copy each sweep's report files from <runs>/<sweep>/
 *
 * The measured side is only ever read from a sweep's report.json (written by `tsgan sweep report`), so every number
 * here traces back to `tsgan sweep run sweeps/<table>.json`. The published rows and the targets are the issue's,
 * with their sources; this file is their one home (docs/results.md quotes them).
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";

import type { SweepReportJson } from "../src/core/sweep/report.js";

/** The version of this file's shape. */
const RESULTS_FORMAT = "tsgan-results/1";
/** Where the committed sweep reports live: docs/results/<sweep name>/report.json. */
const REPORTS_DIRECTORY = "docs/results";
/** The files of a sweep directory worth keeping in the repository (small; no run directories). */
const REPORT_FILES = ["report.json", "report.md", "report.csv", "report.svg", "curves.svg"];

/** A published figure a table is compared with. */
interface PublishedRow {
  method: string;
  source: string;
  /** Quantity (as in the sweep report: "<metric>.<key>") → value; a [low, high] pair for a published range. */
  values: Record<string, number | [number, number]>;
}

/** A target of the issue: the setting's mean of `quantity` compared with `value`. */
interface Target {
  quantity: string;
  /** "atLeast": mean ≥ value; "atMost": mean ≤ value; "within": |mean − value| ≤ tolerance. */
  kind: "atLeast" | "atMost" | "within";
  value: number;
  tolerance?: number;
}

interface Table {
  /** The sweep's name: sweeps/<name>.json, docs/results/<name>/. */
  sweep: string;
  title: string;
  /** The setting the targets are measured on (a sweep with one setting: "base"). */
  setting?: string;
  published: PublishedRow[];
  targets: Target[];
  /** Wall-clock limit per run (seconds), part of the result. */
  secondsPerRun?: number;
  /** Seeds trained outside the sweep and adopted by it: their sweep seconds count only the evaluation. */
  adoptedSeeds?: { seeds: number[]; note: string };
}

const PACGAN = "Lin et al. 2018, PacGAN, Tables 2–3";
const TOY_SECONDS = 15 * 60;
const MNIST_SECONDS = 60 * 60;

/** PacGAN's mode-protocol targets: at least these modes and high-quality fraction, at most this reverse KL. */
function modeTargets(modes: number, highQualityFraction: number, reverseKl: number): Target[] {
  return [
    { quantity: "modes.modesCovered", kind: "atLeast", value: modes },
    { quantity: "modes.highQualityFraction", kind: "atLeast", value: highQualityFraction },
    { quantity: "modes.reverseKl", kind: "atMost", value: reverseKl },
  ];
}

/** The ring's published rows and targets: one table per recipe tried (each its own sweep). */
const RING: Pick<Table, "published" | "targets" | "secondsPerRun"> = {
  published: [
    { method: "GAN", source: PACGAN, values: { "modes.modesCovered": 6.3, "modes.highQualityFraction": 0.982 } },
    { method: "PacGAN2", source: PACGAN, values: { "modes.modesCovered": 7.9, "modes.highQualityFraction": 0.956 } },
  ],
  targets: modeTargets(8, 0.98, 0.02),
  secondsPerRun: TOY_SECONDS,
};

/** The grid's published rows and targets, likewise. */
const GRID: Pick<Table, "published" | "targets" | "secondsPerRun"> = {
  published: [
    {
      method: "GAN",
      source: PACGAN,
      values: { "modes.modesCovered": 17.3, "modes.highQualityFraction": 0.948, "modes.reverseKl": 0.7 },
    },
    {
      method: "PacGAN4",
      source: PACGAN,
      values: { "modes.modesCovered": 24.8, "modes.highQualityFraction": 0.936, "modes.reverseKl": 0.04 },
    },
  ],
  targets: modeTargets(24.8, 0.95, 0.04),
  secondsPerRun: TOY_SECONDS,
};

/** The campaign's tables, in the order. */
const TABLES: Table[] = [
  { sweep: "results-ring", title: "2-D ring of 8 Gaussians (PacGAN protocol)", setting: "base", ...RING },
  {
    sweep: "results-ring-hinge",
    title: "2-D ring of 8 Gaussians: the hinge loss + annealing + EMA + DRS",
    setting: "recipe",
    ...RING,
  },
  {
    sweep: "results-ring-pack",
    title: "2-D ring of 8 Gaussians: pack 2 + annealing + EMA + DRS on the packed D",
    setting: "base",
    ...RING,
  },
  {
    sweep: "results-ring-pack-hold",
    title: "2-D ring of 8 Gaussians: pack 2 + annealing held for 10 000 updates + EMA + DRS on the packed D",
    setting: "base",
    ...RING,
  },
  {
    sweep: "results-ring-pack-b512",
    title: "2-D ring of 8 Gaussians: pack 2 + annealing + EMA + DRS on the packed D, batch 512",
    setting: "base",
    ...RING,
  },
  { sweep: "results-grid", title: "2-D grid of 25 Gaussians (PacGAN protocol)", setting: "base", ...GRID },
  {
    sweep: "results-grid-pack",
    title: "2-D grid of 25 Gaussians: pack 2 (PacGAN), G sampled directly",
    setting: "base",
    ...GRID,
    adoptedSeeds: {
      seeds: [1, 2, 3],
      note: "the grid ablation's pack2 runs (the same configs), copied in; they trained partly on a lent 16-core machine",
    },
  },
  {
    sweep: "results-grid-pack-hold",
    title: "2-D grid of 25 Gaussians: pack 2 + annealing held for 15 000 updates + DRS on the packed D",
    setting: "base",
    ...GRID,
  },
  {
    sweep: "results-grid-pack-hold-z8",
    title: "2-D grid of 25 Gaussians: pack 2 + annealing held for 15 000 updates + DRS, an 8-dimensional z",
    setting: "base",
    ...GRID,
  },
  {
    sweep: "results-grid-pack4",
    title: "2-D grid of 25 Gaussians: pack 4 (PacGAN4), G sampled directly",
    setting: "base",
    ...GRID,
  },
  {
    sweep: "results-mnist-paper",
    title: "MNIST, the 2014 paper's own setup (Parzen, Table 1)",
    setting: "base",
    published: [
      {
        method: "GAN (adversarial nets)",
        source: "Goodfellow et al. 2014, Table 1",
        values: { "parzen.parzenLogLikelihood": 225 },
      },
    ],
    targets: [{ quantity: "parzen.parzenLogLikelihood", kind: "within", value: 225, tolerance: 10 }],
    secondsPerRun: MNIST_SECONDS,
    adoptedSeeds: {
      seeds: [1],
      note: "trained before the sweep existed (2 h 15 min + 37 min across two sessions under heavy load), then adopted",
    },
  },
  {
    sweep: "results-mnist-best",
    title: "MNIST, tsgan's best recipe",
    setting: "base",
    published: [],
    targets: [
      { quantity: "parzen.parzenLogLikelihood", kind: "atLeast", value: 235 },
      { quantity: "frechet.frechetDistance", kind: "atMost", value: 9 },
      { quantity: "classifier-score.classifierScore", kind: "atLeast", value: 9 },
      { quantity: "precision-recall.precision", kind: "atLeast", value: 0.75 },
      { quantity: "precision-recall.recall", kind: "atLeast", value: 0.75 },
    ],
    secondsPerRun: MNIST_SECONDS,
  },
  {
    sweep: "results-fashion-best",
    title: "Fashion-MNIST, tsgan's best recipe",
    setting: "base",
    published: [],
    targets: [
      { quantity: "frechet.frechetDistance", kind: "atMost", value: 26.9 / 5 },
      { quantity: "classifier-score.classifierScore", kind: "atLeast", value: 7.5 },
    ],
    secondsPerRun: MNIST_SECONDS,
  },
  {
    sweep: "results-stacked-mnist",
    title: "Stacked MNIST (1 000 modes)",
    setting: "base",
    published: [
      {
        method: "DCGAN",
        source: "Lin et al. 2018, PacGAN, Table 4 (range over their settings)",
        values: { "stacked-modes.stackedModesCovered": [78.9, 99], "stacked-modes.stackedKlToUniform": [3.4, 4.5] },
      },
      {
        method: "PacDCGAN2",
        source: "Lin et al. 2018, PacGAN, Table 4",
        values: { "stacked-modes.stackedModesCovered": 1000, "stacked-modes.stackedKlToUniform": 0.06 },
      },
    ],
    targets: [
      { quantity: "stacked-modes.stackedModesCovered", kind: "atLeast", value: 990 },
      { quantity: "stacked-modes.stackedKlToUniform", kind: "atMost", value: 0.1 },
    ],
    secondsPerRun: 3 * MNIST_SECONDS,
  },
  {
    sweep: "ablation-ring",
    title: "Ablation on the ring: vanilla, each technique alone, the best",
    published: [],
    targets: [],
  },
  {
    sweep: "ablation-grid",
    title: "Ablation on the grid: vanilla, each technique alone, the best",
    published: [],
    targets: [],
  },
  {
    sweep: "ablation-mnist",
    title: "Ablation on MNIST: the paper's setup, EMA of G, rejection sampling, both",
    published: [],
    targets: [],
  },
];

/** Whether `mean` meets `target`; null when nothing was measured. */
function meets(target: Target, mean: number | null): boolean | null {
  if (mean === null) return null;
  if (target.kind === "atLeast") return mean >= target.value;
  if (target.kind === "atMost") return mean <= target.value;
  return Math.abs(mean - target.value) <= (target.tolerance ?? 0);
}

async function readReport(sweep: string): Promise<SweepReportJson | null> {
  const path = join(REPORTS_DIRECTORY, sweep, "report.json");
  return existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as SweepReportJson) : null;
}

/** Copies a sweep's report files from <runs>/<sweep>/ into docs/results/<sweep>/ (those that exist). */
async function copyReports(runs: string, sweep: string): Promise<void> {
  const source = join(runs, sweep);
  if (!existsSync(join(source, "report.json"))) return;
  const target = join(REPORTS_DIRECTORY, sweep);
  await mkdir(target, { recursive: true });
  for (const file of REPORT_FILES) {
    if (existsSync(join(source, file))) await copyFile(join(source, file), join(target, file));
  }
}

function tableEntry(table: Table, report: SweepReportJson | null) {
  const base = {
    sweep: table.sweep,
    title: table.title,
    sweepFile: `sweeps/${table.sweep}.json`,
    command: `tsgan sweep run sweeps/${table.sweep}.json`,
    published: table.published,
  };
  if (!report) return { ...base, state: "not run", targets: table.targets.map((target) => ({ ...target, met: null })) };
  const setting = report.settings.find((entry) => entry.setting === table.setting);
  // An ablation names no setting: all of its settings are the table.
  const runs = report.runs.filter((run) => table.setting === undefined || run.setting === table.setting);
  const pending = table.setting === undefined ? runs.some((run) => run.state === "pending") : setting?.pending !== 0;
  const adopted = new Set(table.adoptedSeeds?.seeds ?? []);
  const timed = runs.filter((run) => run.state === "done" && !adopted.has(run.seed));
  const slowest = Math.max(0, ...timed.map((run) => run.seconds ?? 0));
  return {
    ...base,
    state: pending ? "partial" : "measured",
    seeds: [...new Set(runs.filter((run) => run.state === "done").map((run) => run.seed))],
    targets: table.targets.map((target) => {
      const measured = setting?.quantities[target.quantity] ?? null;
      return { ...target, measured, met: meets(target, measured?.mean ?? null) };
    }),
    ...(table.secondsPerRun !== undefined
      ? {
          secondsPerRun: {
            limit: table.secondsPerRun,
            slowest: timed.length > 0 ? slowest : null,
            met: timed.length > 0 ? slowest <= table.secondsPerRun : null,
          },
        }
      : {}),
    ...(table.adoptedSeeds ? { adoptedSeeds: table.adoptedSeeds } : {}),
    settings: report.settings,
    runs: report.runs,
  };
}

async function main(): Promise<void> {
  const options = new Command()
    .description("write docs/results.json from the committed sweep reports")
    .option("--from <runs>", "first copy each table's report files from <runs>/<sweep>/ into docs/results/<sweep>/")
    .parse()
    .opts<{ from?: string }>();
  const tables = [];
  for (const table of TABLES) {
    if (options.from) await copyReports(options.from, table.sweep);
    tables.push(tableEntry(table, await readReport(table.sweep)));
  }
  const results = { format: RESULTS_FORMAT, tables };
  await writeFile("docs/results.json", `${JSON.stringify(results, null, 2)}\n`);
  for (const table of tables) console.log(`${table.sweep}: ${table.state}`);
}

// A missing run, an unreadable report or no matching checkpoint: one line and exit status 1, not a stack trace.
await main().catch((error: unknown) => {
  console.error(`${process.argv[1]?.split("/").pop()}: ${(error as Error).message ?? error}`);
  process.exitCode = 1;
});
