/**
 * `--conditional` end to end: a tiny conditional run on the labelled ring records its classes in config.json,
 * `tsgan sample --class` draws from it, and data without labels or a class the run lacks give one line, exit ≠ 0.
 * (Each spawn costs seconds; the other refusals and the sample inputs are tested in test/node/conditionalSamples.)
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyImages } from "../fixtures/tinyData.js";

const CLI = join(import.meta.dirname, "..", "..", "bin", "tsgan.js");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-conditional-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI asynchronously (a synchronous spawn would block vitest's worker RPC). */
function tsgan(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: scratch, encoding: "utf8", timeout: 120_000 },
      (error, _, stderr) => {
        done({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stderr: stderr.trim() });
      },
    );
  });
}

function expectOneLineError(result: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.split("\n").filter((line) => line.trim() && !line.startsWith("(run with"))).toHaveLength(1);
}

/** Tiny nets, a few steps, no grids until the end: seconds. */
const tinyConfig = join(scratch, "tiny.json");
writeFileSync(tinyConfig, JSON.stringify({ mlp: { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2 } }));
const tinyRun = [
  "--steps",
  "3",
  "--batch-size",
  "16",
  "--sample-every",
  "0",
  "--backend",
  "cpu",
  "--config",
  tinyConfig,
];

describe("tsgan --conditional", () => {
  it("trains on the labelled ring, records its 8 classes, and samples the class asked for", async () => {
    const run = join(scratch, "ring");
    const trained = await tsgan(
      "train",
      "--dataset",
      "ring-2d",
      "--conditional",
      "projection",
      "--out",
      run,
      ...tinyRun,
    );
    expect(trained.status, trained.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(run, "config.json"), "utf8")) as Record<string, unknown>;
    expect(config.conditional).toBe("projection");
    expect(config.classCount).toBe(8);
    expect(existsSync(join(run, "samples", "step_000003.svg"))).toBe(true);

    const out = join(scratch, "class3.svg");
    const sampled = await tsgan("sample", "--run", run, "--class", "3", "--count", "16", "--out", out, "--seed", "1");
    expect(sampled.status, sampled.stderr).toBe(0);
    expect(sampled.stderr).toMatch(/wrote 16 samples of class 3/);
    expect(readFileSync(out, "utf8")).toContain("<svg");

    expectOneLineError(await tsgan("sample", "--run", run, "--class", "8"), /--class 8: this run's classes are 0 … 7/);
  });

  it("refuses image data without labels in one line", async () => {
    const images = writeTinyImages(scratch);
    const idx = await tsgan("train", "--dataset", `idx:${images}`, "--conditional", "projection", ...tinyRun);
    expectOneLineError(idx, /conditional: projection needs labelled data/);
  });
});
