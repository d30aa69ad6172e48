/**
 * scripts/checkpoint-curve.ts, run as a user runs it: checkpoint evaluations in a run's eval/ (or any directory of
 * reports) become one line each in an SVG and rows of a CSV, in iteration order; a run without the quantity is one
 * line on stderr and exit status 1.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "tsgan-curve-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes evaluation reports with a Parzen value at each step into `directory`. */
function writeReports(directory: string, values: Record<number, number>): void {
  mkdirSync(directory, { recursive: true });
  for (const [step, value] of Object.entries(values)) {
    const report = { step: Number(step), metrics: { parzen: { result: { meanLogLikelihood: value } } } };
    writeFileSync(join(directory, `step_${step}.json`), JSON.stringify(report));
  }
}

function curve(args: string[]) {
  return run("npx", ["tsx", "scripts/checkpoint-curve.ts", ...args], { cwd: process.cwd() });
}

describe("checkpoint-curve", () => {
  it("draws one line per run, in iteration order, and writes the CSV beside the SVG", async () => {
    writeReports(join(scratch, "runA", "eval"), { 100000: 30, 60000: 20, 5000: 10 });
    writeReports(join(scratch, "reportsB"), { 50000: 15, 70000: 25 });
    const out = join(scratch, "curve.svg");
    await curve([
      "--run",
      `raw=${join(scratch, "runA")}`,
      "--run",
      `averaged=${join(scratch, "reportsB")}`,
      "--quantity",
      "parzen.meanLogLikelihood",
      "--reference",
      "225",
      "--out",
      out,
    ]);
    expect(readFileSync(out, "utf8")).toContain("<svg");
    const rows = readFileSync(join(scratch, "curve.csv"), "utf8").trim().split("\n");
    expect(rows).toEqual([
      "series,step,value",
      "raw,5000,10",
      "raw,60000,20",
      "raw,100000,30",
      "averaged,50000,15",
      "averaged,70000,25",
    ]);
  }, 60_000);

  it("refuses a run without the quantity in one line", async () => {
    writeReports(join(scratch, "runC", "eval"), { 1000: 1 });
    const failure = await curve([
      "--run",
      join(scratch, "runC"),
      "--quantity",
      "frechet.frechetDistance",
      "--out",
      join(scratch, "none.svg"),
    ]).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr.trim().split("\n")).toHaveLength(1);
    expect((failure as { stderr: string }).stderr).toContain("no checkpoint evaluation has frechet.frechetDistance");
  }, 60_000);
});
