/**
 * `tsgan theory` as a user meets it: each experiment's picture renders, the library call writes an SVG and a JSON
 * whose numbers are the experiment's, and the CLI prints them — or one line for an unknown experiment.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { tf } from "../../src/core/engine/tf.js";
import { figure1Experiment } from "../../src/core/theory/figure1Experiment.js";
import { optimalDiscriminatorExperiment } from "../../src/core/theory/optimalDiscriminatorExperiment.js";
import { valueFunctionExperiment } from "../../src/core/theory/valueFunctionExperiment.js";
import { vanishingGradientExperiment } from "../../src/core/theory/vanishingGradientExperiment.js";
import { compactJson, runTheory, summaryLines } from "../../src/node/theory.js";
import {
  figure1Svg,
  optimalDiscriminatorSvg,
  valueFunctionSvg,
  vanishingGradientSvg,
} from "../../src/node/visual/theoryPlots.js";

const CLI = join(import.meta.dirname, "..", "..", "bin", "tsgan.js");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-theory-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("tsgan theory", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("renders every experiment's picture (tiny settings)", async () => {
    const figure1 = await figure1Experiment({ seed: 1, steps: 20, batchSize: 16, pretrainSteps: 5, moments: [5, 10] });
    const optimal = optimalDiscriminatorExperiment({ seed: 1, steps: 10, refineSteps: 5, generatedSamples: 500 });
    const vanishing = await vanishingGradientExperiment({ seed: 1, pretrainSteps: 5, steps: 3, batchSize: 16 });
    const value = valueFunctionExperiment({ seed: 1, points: 5, samples: 100 });
    const pictures = [
      [await figure1Svg(figure1), ["p_data", "p_g", "(d) step 20"]],
      [await optimalDiscriminatorSvg(optimal), ["D* (exact)", "D (trained)"]],
      [await vanishingGradientSvg(vanishing), ["minimax", "non-saturating"]],
      [await valueFunctionSvg(value), ["JSD"]],
    ] as const;
    for (const [svg, texts] of pictures) {
      expect(svg.startsWith("<svg")).toBe(true);
      for (const text of texts) expect(svg).toContain(text);
    }
    for (const result of [figure1, optimal, vanishing, value]) {
      expect(summaryLines(result).length).toBeGreaterThan(0);
      for (const line of summaryLines(result)) expect(line).not.toMatch(/NaN|undefined/);
    }
  });

  it("writes <experiment>.svg and <experiment>.json with the experiment's numbers", async () => {
    const out = join(scratch, "library");
    const result = await runTheory("value-function", { seed: 1, out, backend: "cpu" });
    expect(result.svgPath).toBe(join(out, "value-function.svg"));
    const json = JSON.parse(readFileSync(result.jsonPath, "utf8"));
    expect(json.experiment).toBe("value-function");
    expect(json.backend).toBe("cpu");
    expect(json.summary.maxDifference).toBeLessThan(1e-13);
    expect(json.series.t).toHaveLength(json.settings.points);
    expect(readFileSync(result.svgPath, "utf8").startsWith("<svg")).toBe(true);
  });

  it("keeps number arrays on one line in the JSON, and round-trips", () => {
    const value = { a: [1, -2.5, 3e-16], nested: { b: [0.5, null], name: "x" } };
    const text = compactJson(value);
    expect(text).toContain("[1, -2.5, 3e-16]");
    expect(JSON.parse(text)).toEqual(value);
  });

  it("prints the numbers from the command line; an unknown experiment is one line and exit 2", () => {
    const out = join(scratch, "cli");
    const run = spawnSync(process.execPath, [CLI, "theory", "value-function", "--out", out, "--backend", "cpu"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("value-function: max |V(D*, G) − (−log 4 + 2·JSD)|");
    expect(existsSync(join(out, "value-function.svg"))).toBe(true);
    expect(existsSync(join(out, "value-function.json"))).toBe(true);

    const wrong = spawnSync(process.execPath, [CLI, "theory", "figure-2"], { encoding: "utf8", timeout: 120_000 });
    expect(wrong.status).toBe(2);
    const lines = wrong.stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("(run with"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("figure-2");
  });
});
