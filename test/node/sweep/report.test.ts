/**
 * `tsgan sweep report`'s files from a sweep directory laid out by hand as the pool leaves it (sweep.json, run
 * directories with metrics.jsonl, sweep-outcome.json and eval/*.json): report.json's documented shape, and curves.svg
 * only when the runs logged training-time evaluation. No training and no Redis: sweep.test.ts covers the real runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SWEEP_REPORT_FORMAT, type SweepReportJson } from "../../../src/core/sweep/report.js";
import { expandSweep, parseSweepFile, type SweepPlan } from "../../../src/core/sweep/sweepFile.js";
import { metricsLine } from "../../../src/core/training/metricsLog.js";
import { EVALUATION_FORMAT, type EvaluationReport } from "../../../src/node/evaluate.js";
import { writeOutcome, writePlan } from "../../../src/node/sweep/plan.js";
import { ConfigError } from "../../../src/core/errors.js";
import { writeSweepReport } from "../../../src/node/sweep/report.js";
import { parseSvg, textsOf } from "../visual/svgTree.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-sweep-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const STEPS = 40;
const EVAL_EVERY = 20;

function plan(name: string): SweepPlan {
  const sweep = parseSweepFile(
    {
      name,
      base: { dataset: "ring-2d", arch: "mlp", steps: STEPS },
      grid: { loss: ["hinge", "non-saturating"] },
      seeds: [1, 2],
    },
    `${name}.json`,
  );
  return expandSweep(sweep, sweep.base as Record<string, unknown>, `${name}.json`);
}

/** A finished run: a metrics line every 10 steps (with `eval` every EVAL_EVERY when asked) and its final evaluation. */
async function writeDoneRun(root: string, modesCovered: number, withEvaluation: boolean): Promise<void> {
  await mkdir(join(root, "eval"), { recursive: true });
  const lines = [10, 20, 30, 40].map((step) =>
    metricsLine({
      step,
      discriminatorLoss: 1.3,
      generatorLoss: 0.7,
      seconds: step / 100,
      ...(withEvaluation && step % EVAL_EVERY === 0
        ? { eval: { modesCovered: (modesCovered * step) / STEPS, highQualityFraction: step / 100 } }
        : {}),
    } as Parameters<typeof metricsLine>[0]),
  );
  await writeFile(join(root, "metrics.jsonl"), lines.join(""));
  const evaluation = {
    format: EVALUATION_FORMAT,
    checkpoint: "step_000040",
    step: STEPS,
    dataset: "ring-2d",
    backend: "cpu",
    metrics: {
      modes: {
        result: {
          modesCovered,
          modeCount: 8,
          highQualityFraction: 0.5,
          reverseKl: 0.1,
          highQualityCounts: [],
          sampleCount: 100,
          threshold: 0.03,
        },
        samples: 100,
        seed: 1,
        seconds: 0.1,
        computedAt: "2025-01-01T00:00:00.000Z",
      },
    },
  } as unknown as EvaluationReport;
  await writeFile(join(root, "eval", "step_000040.json"), JSON.stringify(evaluation));
  await writeOutcome(root, {
    state: "done",
    seconds: 4,
    attempts: 1,
    host: "test",
    finishedAt: "2025-01-01T00:00:00Z",
  });
}

/** The sweep of `plan(name)`: hinge's two seeds done (modes 6 and 8), non-saturating seed 1 failed, seed 2 pending. */
async function writeSweep(name: string, withEvaluation: boolean): Promise<string> {
  const directory = join(scratch, name);
  await writePlan(directory, plan(name));
  await writeDoneRun(join(directory, "loss-hinge_seed1"), 6, withEvaluation);
  await writeDoneRun(join(directory, "loss-hinge_seed2"), 8, withEvaluation);
  await writeOutcome(join(directory, "loss-non-saturating_seed1"), {
    state: "failed",
    message: "non-finite values at step 3",
    seconds: 1.5,
    attempts: 1,
    host: "test",
    finishedAt: "2025-01-01T00:00:00Z",
  });
  return directory;
}

describe("tsgan sweep report's files", () => {
  it("writes report.json in its documented shape, and curves.svg with a line per evaluated run", async () => {
    const directory = await writeSweep("evaluated", true);
    const { paths } = await writeSweepReport(directory);
    const names = ["report.md", "report.csv", "report.svg", "report.json", "curves.svg"];
    expect(paths).toEqual(names.map((name) => join(directory, name)));

    const json = JSON.parse(readFileSync(join(directory, "report.json"), "utf8")) as SweepReportJson;
    expect(json).toEqual({
      format: SWEEP_REPORT_FORMAT,
      name: "evaluated",
      quantities: ["modes.modesCovered", "modes.highQualityFraction"],
      settings: [
        {
          setting: "loss-hinge",
          finished: 2,
          failed: 0,
          pending: 0,
          failures: [],
          seconds: 8,
          trainedBy: null,
          quantities: {
            "modes.modesCovered": { mean: 7, std: Math.SQRT2, count: 2 },
            "modes.highQualityFraction": { mean: 0.5, std: 0, count: 2 },
          },
        },
        {
          setting: "loss-non-saturating",
          finished: 0,
          failed: 1,
          pending: 1,
          failures: ["loss-non-saturating_seed1: non-finite values at step 3"],
          seconds: 1.5,
          trainedBy: null,
          // No finished seed: the mean and std are undefined, written as null (JSON has no NaN).
          quantities: {
            "modes.modesCovered": { mean: null, std: null, count: 0 },
            "modes.highQualityFraction": { mean: null, std: null, count: 0 },
          },
        },
      ],
      runs: [
        {
          name: "loss-hinge_seed1",
          setting: "loss-hinge",
          seed: 1,
          state: "done",
          message: null,
          seconds: 4,
          trainedBy: null,
          keptFrom: null,
          numbers: { "modes.modesCovered": 6, "modes.highQualityFraction": 0.5 },
        },
        {
          name: "loss-hinge_seed2",
          setting: "loss-hinge",
          seed: 2,
          state: "done",
          message: null,
          seconds: 4,
          trainedBy: null,
          keptFrom: null,
          numbers: { "modes.modesCovered": 8, "modes.highQualityFraction": 0.5 },
        },
        {
          name: "loss-non-saturating_seed1",
          setting: "loss-non-saturating",
          seed: 1,
          state: "failed",
          message: "non-finite values at step 3",
          seconds: 1.5,
          trainedBy: null,
          keptFrom: null,
          numbers: {},
        },
        {
          name: "loss-non-saturating_seed2",
          setting: "loss-non-saturating",
          seed: 2,
          state: "pending",
          message: null,
          seconds: null,
          trainedBy: null,
          keptFrom: null,
          numbers: {},
        },
      ],
    });

    const curves = parseSvg(readFileSync(join(directory, "curves.svg"), "utf8"));
    const labels = textsOf(curves);
    for (const key of ["modesCovered", "highQualityFraction", "loss-hinge"]) expect(labels).toContain(key);
    expect(labels).not.toContain("loss-non-saturating"); // neither of its runs logged an evaluation
    const drawnRuns = readFileSync(join(directory, "curves.svg"), "utf8").match(/line: loss-hinge_seed\d/g);
    expect(drawnRuns?.sort()).toEqual([
      "line: loss-hinge_seed1", // one per panel
      "line: loss-hinge_seed1",
      "line: loss-hinge_seed2",
      "line: loss-hinge_seed2",
    ]);
  });

  it("writes no curves.svg when no run logged training-time evaluation", async () => {
    const directory = await writeSweep("unevaluated", false);
    const { paths } = await writeSweepReport(directory);
    expect(paths.map((path) => path.slice(directory.length + 1))).toEqual([
      "report.md",
      "report.csv",
      "report.svg",
      "report.json",
    ]);
    expect(existsSync(join(directory, "curves.svg"))).toBe(false);
  });

  it("keeps the runs an earlier report finished whose directories are gone, says so, and lets a rerun win", async () => {
    const earlier = await writeSweep("lost", false); // hinge seeds 1 and 2 done (6, 8), non-saturating 1 failed
    await writeSweepReport(earlier);
    const earlierReport = join(earlier, "report.json");
    // The machine is replaced: a new directory of the same sweep, where hinge seed 2 and non-saturating seed 2 ran.
    const directory = join(scratch, "lost-again");
    await writePlan(directory, plan("lost"));
    await writeDoneRun(join(directory, "loss-hinge_seed2"), 7, false);
    await writeDoneRun(join(directory, "loss-non-saturating_seed2"), 5, false);

    const { report } = await writeSweepReport(directory, { keep: earlierReport });
    const json = JSON.parse(readFileSync(join(directory, "report.json"), "utf8")) as SweepReportJson;
    expect(
      json.runs.map((run) => [run.name, run.state, run.numbers["modes.modesCovered"] ?? null, run.keptFrom]),
    ).toEqual([
      ["loss-hinge_seed1", "done", 6, earlierReport], // gone here: the earlier report's numbers
      ["loss-hinge_seed2", "done", 7, null], // ran again here: this directory's
      ["loss-non-saturating_seed1", "pending", null, null], // a failure is not a measurement: not kept
      ["loss-non-saturating_seed2", "done", 5, null],
    ]);
    expect(json.runs[0]!.seconds).toBe(4);
    expect(
      report.settings.map((setting) => [setting.finished, setting.quantities["modes.modesCovered"]!.mean]),
    ).toEqual([
      [2, 6.5],
      [1, 5],
    ]);
    const markdown = readFileSync(join(directory, "report.md"), "utf8");
    expect(markdown).toContain("## Runs kept from an earlier report");
    expect(markdown).toContain(`- loss-hinge_seed1: ${earlierReport}`);
    expect(markdown).not.toContain("- loss-hinge_seed2:");

    // Kept again from the new report, a run keeps the source that measured it.
    const third = join(scratch, "lost-thrice");
    await writePlan(third, plan("lost"));
    await writeSweepReport(third, { keep: join(directory, "report.json") });
    const kept = (JSON.parse(readFileSync(join(third, "report.json"), "utf8")) as SweepReportJson).runs;
    expect(kept.map((run) => run.keptFrom)).toEqual([
      earlierReport,
      join(directory, "report.json"),
      null,
      join(directory, "report.json"),
    ]);

    // Without --keep the report is the directory's alone.
    const { report: alone } = await writeSweepReport(directory);
    expect(alone.settings[0]!.finished).toBe(1);
    expect(alone.kept).toEqual([]);
  });

  it("refuses to keep runs from a file that is not this sweep's report, in one line", async () => {
    const directory = await writeSweep("kept-refusals", false);
    const other = await writeSweep("another-sweep", false);
    await writeSweepReport(other);
    await expect(writeSweepReport(directory, { keep: join(other, "report.json") })).rejects.toThrow(
      new ConfigError(`${join(other, "report.json")} reports sweep "another-sweep", not "kept-refusals"`),
    );
    await expect(writeSweepReport(directory, { keep: join(directory, "sweep.json") })).rejects.toThrow(
      /is not a sweep's report\.json/,
    );
    await expect(writeSweepReport(directory, { keep: join(directory, "missing.json") })).rejects.toThrow(
      /^cannot read the earlier report .*missing\.json: ENOENT/,
    );
    expect(existsSync(join(directory, "report.md"))).toBe(false); // nothing written before the refusal
  });
});
