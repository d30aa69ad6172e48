/**
 * The run viewer's sweep view in Chromium, on a real sweep made by the CLI: `tsgan sweep run` of 2 settings × 1 seed
 * of a few-step ring run (with training-time evaluation), then `tsgan sweep report`, served by the lab server with
 * the sweep directory as its runs directory. The view must list the runs grouped by setting, overlay their curves
 * (as many points as the runs' metrics.jsonl hold; the chart changes when a run is unticked, and the URL keeps the
 * choice) and show report.csv's rows.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/core/sweep/report.js";
import type { StepRecord } from "../../src/core/training/algorithm1.js";
import { parseMetricsLog } from "../../src/core/training/metricsLog.js";
import { ensureWebBuilt, REPOSITORY_ROOT, WEB_DIST_DIRECTORY } from "../../src/node/lab/build.js";
import { startLabServer, type LabServer } from "../../src/node/lab/server.js";
import {
  bannerText,
  canvasFingerprint,
  launchChromium,
  numberAttribute,
  openPage,
  requireChromium,
  screenshot,
} from "./browser.js";

const CLI = join(REPOSITORY_ROOT, "bin", "tsgan.js");
const SWEEP = "viewed";
const RUN_NAMES = ["loss-non-saturating_seed1", "loss-hinge_seed1"];
/** Training-time evaluation every this many of the 40 steps: a metric curve of two points per run. */
const EVAL_EVERY = 20;

let scratch: string;
let browser: Browser;
let lab: LabServer;

function tsgan(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: scratch, timeout: 120_000 }, (error, _stdout, stderr) => {
      done({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stderr: String(stderr) });
    });
  });
}

function metricsOf(run: string): StepRecord[] {
  return parseMetricsLog(readFileSync(join(scratch, "sweeps", SWEEP, run, "metrics.jsonl"), "utf8")).records;
}

beforeAll(async () => {
  requireChromium();
  await ensureWebBuilt({ log: (line) => console.error(line) });
  scratch = mkdtempSync(join(tmpdir(), "tsgan-sweep-view-"));
  writeFileSync(
    join(scratch, "sweep.json"),
    JSON.stringify({
      name: SWEEP,
      base: {
        dataset: "ring-2d",
        arch: "mlp",
        steps: 40,
        batchSize: 32,
        sampleEvery: 0,
        checkpointEvery: 0,
        logEvery: 5,
        evalEvery: EVAL_EVERY,
        evalMetrics: ["modes"],
        evalSamples: 200,
        backend: "cpu",
        mlp: { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2 },
      },
      grid: { loss: ["non-saturating", "hinge"] },
      seeds: [1],
      metrics: ["modes"],
      samples: 200,
    }),
  );
  const swept = await tsgan("sweep", "run", "sweep.json", "--runs", "sweeps", "--parallel", "2");
  expect(swept.status, swept.stderr).toBe(0);
  const reported = await tsgan("sweep", "report", join("sweeps", SWEEP));
  expect(reported.status, reported.stderr).toBe(0);
  lab = await startLabServer({ webRoot: WEB_DIST_DIRECTORY, runsRoot: join(scratch, "sweeps", SWEEP), port: 0 });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the run viewer's sweep view in Chromium", () => {
  it("lists the sweep's runs by setting, overlays their curves, keeps the choice in the URL and shows the report", async () => {
    const { page, errors } = await openPage(browser, `${lab.url}runs.html`);
    await page.waitForSelector("#sweep-view:not([hidden]) #sweep-report-table");
    expect(await page.locator("#sweep-title").textContent()).toContain(
      `sweep ${SWEEP}: 2 runs over 2 settings, 2 done`,
    );
    expect(await page.locator("#sweep-runs fieldset").count()).toBe(2);
    const runBoxes = page.locator("#sweep-runs input[data-run]");
    expect(await runBoxes.evaluateAll((boxes) => boxes.map((box) => (box as HTMLElement).dataset.run))).toEqual([
      RUN_NAMES[0],
      RUN_NAMES[1],
    ]);

    // Every logged step of both runs is drawn, in one chart per quantity.
    const [first, second] = RUN_NAMES.map(metricsOf) as [StepRecord[], StepRecord[]];
    expect(await numberAttribute(page, "#sweep-chart-d-loss", "points")).toBe(first.length + second.length);
    expect(await numberAttribute(page, "#sweep-chart-g-loss", "points")).toBe(first.length + second.length);
    const evaluated = (records: StepRecord[]) => records.filter((record) => record.eval?.modesCovered !== undefined);
    expect(evaluated(first).length).toBeGreaterThan(0);
    expect(await numberAttribute(page, "#sweep-chart-eval-modesCovered", "points")).toBe(
      evaluated(first).length + evaluated(second).length,
    );

    // Unticking a run redraws without it and writes the choice into the URL; a reload restores it.
    const overlaid = await canvasFingerprint(page, "#sweep-chart-d-loss");
    await page.locator(`#sweep-runs input[data-run="${RUN_NAMES[0]}"]`).uncheck();
    await page.waitForFunction((run) => location.hash.includes(`sweepRuns=${run}`), RUN_NAMES[1]);
    expect(await numberAttribute(page, "#sweep-chart-d-loss", "points")).toBe(second.length);
    expect(await canvasFingerprint(page, "#sweep-chart-d-loss")).not.toBe(overlaid);
    await page.reload();
    await page.waitForSelector("#sweep-report-table");
    expect(await page.locator(`#sweep-runs input[data-run="${RUN_NAMES[0]}"]`).isChecked()).toBe(false);
    expect(await numberAttribute(page, "#sweep-chart-d-loss", "points")).toBe(second.length);
    await page.locator(`#sweep-runs input[data-setting="loss-non-saturating"]`).check(); // a setting's box ticks its runs
    await page.waitForFunction(() => !location.hash.includes("sweepRuns"));
    expect(await numberAttribute(page, "#sweep-chart-d-loss", "points")).toBe(first.length + second.length);

    // The report table: report.csv's rows, one per setting, in its order.
    const csv = parseCsv(readFileSync(join(scratch, "sweeps", SWEEP, "report.csv"), "utf8"));
    const rows = page.locator("#sweep-report-table tbody tr");
    expect(await rows.count()).toBe(csv.length - 1);
    expect(await rows.locator("td:first-child").allTextContents()).toEqual(csv.slice(1).map((row) => row[0]));
    expect(await page.locator("#sweep-report-table thead th").allTextContents()).toContain("modes.modesCovered");
    const covered = Number(csv[1]![csv[0]!.indexOf("modes.modesCovered.mean")]);
    expect(await rows.first().locator("td").allTextContents()).toContain(String(covered)); // one seed: its value alone
    await screenshot(page, "sweep");
    expect(errors).toEqual([]);
    expect(await bannerText(page)).toBe("");
    await page.close();
  });
});
