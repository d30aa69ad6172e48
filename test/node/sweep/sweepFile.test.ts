/**
 * The sweep file's pure parts: validation (one line per problem), expansion into settings and runs, run names,
 * and the report's statistics and formats.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSweepPlan } from "../../../src/cli/sweepCommand.js";
import { ConfigError } from "../../../src/core/config.js";
import {
  aggregateSweep,
  parseReportCsv,
  reportCsv,
  reportJson,
  reportMarkdown,
  summarize,
  type RunOutcome,
} from "../../../src/core/sweep/report.js";
import { expandSettings, expandSweep, parseSweepFile, settingName } from "../../../src/core/sweep/sweepFile.js";
import { defaultParallel, threadsPerRun } from "../../../src/node/sweep/pool.js";

const BASE = { dataset: "ring-2d", arch: "mlp", steps: 10 };

function plan(sweep: Record<string, unknown>) {
  return expandSweep(parseSweepFile({ name: "s", base: BASE, ...sweep }, "s.json"), BASE, "s.json");
}

function rejection(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("sweep files", () => {
  it("expand a grid as a cartesian product and zip lists side by side, each setting once per seed", () => {
    const settings = expandSettings({
      grid: { loss: ["non-saturating", "hinge"], batchSize: [32, 64, 128] },
      zip: { dataset: ["ring-2d", "grid-2d"], steps: [20, 30] },
    });
    expect(settings).toHaveLength(2 * 3 * 2);
    const keys = settings.map(({ values }) => `${values.loss} ${values.batchSize} ${values.dataset} ${values.steps}`);
    expect(new Set(keys).size).toBe(settings.length); // every combination once
    for (const { values } of settings) expect(values.steps).toBe(values.dataset === "ring-2d" ? 20 : 30); // zipped
    const runs = plan({ grid: { loss: ["non-saturating", "hinge"] }, seeds: [1, 2, 3] }).runs;
    expect(runs.map((run) => run.name)).toEqual([
      "loss-non-saturating_seed1",
      "loss-non-saturating_seed2",
      "loss-non-saturating_seed3",
      "loss-hinge_seed1",
      "loss-hinge_seed2",
      "loss-hinge_seed3",
    ]);
    expect(runs[4]!.config.loss).toBe("hinge");
    expect(runs[4]!.config.seed).toBe(2);
  });

  it("set dotted keys inside nested sections and name arrays and numbers readably", () => {
    const [run] = plan({ grid: { "mlp.generatorHidden": [[64, 32]], generatorLearningRate: [2e-4] } }).runs;
    expect(run!.config.mlp.generatorHidden).toEqual([64, 32]);
    expect(run!.config.mlp.discriminatorHidden).toEqual([128, 128]); // the toy preset's, untouched
    expect(run!.name).toBe("mlp.generatorHidden-64x32_generatorLearningRate-0.0002_seed1");
    expect(settingName({})).toBe("base");
  });

  it("run named variants (an ablation table's rows) under their own names, each grid combination with each", () => {
    const runs = plan({
      variants: { vanilla: {}, r1: { r1Gamma: 1 }, "pack2-ls": { pack: 2, loss: "least-squares" } },
      seeds: [1, 2],
    }).runs;
    expect(runs.map((run) => run.name)).toEqual([
      "vanilla_seed1",
      "vanilla_seed2",
      "r1_seed1",
      "r1_seed2",
      "pack2-ls_seed1",
      "pack2-ls_seed2",
    ]);
    expect([runs[0]!.config.r1Gamma, runs[0]!.config.pack, runs[0]!.config.loss]).toEqual([0, 1, "non-saturating"]);
    expect(runs[2]!.config.r1Gamma).toBe(1);
    expect([runs[5]!.config.pack, runs[5]!.config.loss, runs[5]!.config.seed]).toEqual([2, "least-squares", 2]);
    const crossed = plan({ grid: { batchSize: [32, 64] }, variants: { vanilla: {}, r1: { r1Gamma: 1 } } }).runs;
    expect(crossed.map((run) => run.name)).toEqual([
      "vanilla_batchSize-32_seed1",
      "r1_batchSize-32_seed1",
      "vanilla_batchSize-64_seed1",
      "r1_batchSize-64_seed1",
    ]);
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, variants: {} }, "s.json"))).toMatch(
      /variants: needs at least one variant/,
    );
    expect(
      rejection(() =>
        parseSweepFile({ name: "s", base: {}, grid: { pack: [2] }, variants: { p: { pack: 4 } } }, "s.json"),
      ),
    ).toBe("s.json: pack is in variant p and in grid");
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, variants: { v: { seed: 3 } } }, "s.json"))).toMatch(
      /vary the seed with "seeds"/,
    );
  });

  it("train once for runs whose configs differ only in how they sample: the later one names the earlier", () => {
    const runs = plan({
      variants: {
        vanilla: {},
        rejection: { sampler: "rejection", rejectionQuantile: 0.9 },
        slow: { discriminatorLearningRate: 1e-4 },
        "slow-rejection": { discriminatorLearningRate: 1e-4, sampler: "rejection" },
      },
      seeds: [1, 2],
    }).runs;
    const trainers = Object.fromEntries(runs.map((run) => [run.name, run.trainedBy ?? null]));
    expect(trainers).toEqual({
      vanilla_seed1: null,
      vanilla_seed2: null,
      rejection_seed1: "vanilla_seed1", // the same seed's GAN: seeds never share
      rejection_seed2: "vanilla_seed2",
      slow_seed1: null, // D's rate changes training
      slow_seed2: null,
      "slow-rejection_seed1": "slow_seed1",
      "slow-rejection_seed2": "slow_seed2",
    });
  });

  it("let a run with G's average train for the runs without one (its raw G is theirs), one training per average", () => {
    const runs = plan({
      variants: {
        vanilla: {},
        ema: { generatorEma: 0.999 },
        rejection: { sampler: "rejection" },
        "ema-rejection": { generatorEma: 0.999, sampler: "rejection" },
        "ema-fast": { generatorEma: 0.99 },
      },
    }).runs;
    expect(Object.fromEntries(runs.map((run) => [run.name, run.trainedBy ?? null]))).toEqual({
      vanilla_seed1: "ema_seed1", // no average of its own: the ema run's raw G, though it comes first in the file
      ema_seed1: null,
      rejection_seed1: "ema_seed1",
      "ema-rejection_seed1": "ema_seed1",
      "ema-fast_seed1": null, // another average needs a training of its own
    });
  });

  it("without seeds, run the base config's own seed", () => {
    const runs = plan({}).runs;
    expect(runs.map((run) => run.name)).toEqual(["base_seed1"]);
  });

  it("refuse unknown keys, empty grids, unequal zips, repeated seeds, bad configs and duplicate names", () => {
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, grd: {} }, "s.json"))).toBe(
      's.json: unknown key "grd"',
    );
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, grid: { loss: [] } }, "s.json"))).toMatch(
      /grid\.loss: needs at least one value/,
    );
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, zip: { a: [1], b: [1, 2] } }, "s.json"))).toMatch(
      /same length/,
    );
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, seeds: [1, 1] }, "s.json"))).toMatch(
      /1 appears twice/,
    );
    expect(rejection(() => parseSweepFile({ name: "a/b", base: {} }, "s.json"))).toMatch(/name: letters/);
    expect(rejection(() => parseSweepFile({ name: "s", base: {}, metrics: ["modez"] }, "s.json"))).toMatch(/metrics/);
    expect(rejection(() => plan({ grid: { lossy: ["hinge"] }, seeds: [1] }))).toMatch(
      /run lossy-hinge_seed1: config: unknown key "lossy"/,
    );
    expect(rejection(() => plan({ grid: { loss: ["hinge", "hinge"] } }))).toMatch(
      /two runs are named loss-hinge_seed1/,
    );
    expect(rejection(() => plan({ grid: { dataset: ["idx:a b", "idx:a_b"] }, seeds: [1] }))).toMatch(
      /two runs are named/,
    );
  });
});

describe("the committed sweep files (sweeps/)", () => {
  it("each validates and expands into runs whose configs resolve", () => {
    const directory = join(import.meta.dirname, "..", "..", "..", "sweeps");
    const files = readdirSync(directory).filter((file) => file.endsWith(".json"));
    expect(files).toContain("ring-techniques.json");
    for (const file of files) {
      const plan = readSweepPlan(join(directory, file));
      expect(plan.runs.length, file).toBeGreaterThan(0);
      expect(plan.name, file).toBe(file.replace(/\.json$/, ""));
    }
    const ring = readSweepPlan(join(directory, "ring-techniques.json"));
    expect(ring.runs).toHaveLength(11 * 3); // 11 variants × 3 seeds
    expect(ring.runs.find((run) => run.name === "pack4_seed2")!.config.pack).toBe(4);
  });
});

describe("the local pool's default size", () => {
  it("runs one toy run per core, one image run per 4 cores, never more than the runs, and shares out threads", () => {
    const toys = plan({ seeds: [1, 2, 3, 4, 5, 6] }).runs;
    expect(defaultParallel(toys, 8)).toBe(6);
    expect(defaultParallel(toys.slice(0, 3), 8)).toBe(3);
    expect(defaultParallel(toys, 2)).toBe(2);
    const images = expandSweep(parseSweepFile({ name: "i", base: {}, seeds: [1, 2, 3] }, "i.json"), {}, "i.json").runs;
    expect(images[0]!.config.dataset).toBe("mnist");
    expect(defaultParallel(images, 8)).toBe(2);
    expect(defaultParallel(images, 2)).toBe(1);
    expect([threadsPerRun(2, 8), threadsPerRun(3, 8), threadsPerRun(16, 8)]).toEqual([4, 2, 1]);
  });
});

describe("sweep reports", () => {
  it("summarize with the sample standard deviation, leaving NaNs out", () => {
    const { mean, std, count } = summarize([1, 2, 3, 4, Number.NaN]);
    expect(count).toBe(4);
    expect(mean).toBeCloseTo(2.5, 12);
    expect(std).toBeCloseTo(Math.sqrt(((1.5 ** 2 + 0.5 ** 2) * 2) / 3), 12);
    expect(Number.isNaN(summarize([5]).std)).toBe(true);
  });

  it("aggregate per setting over finished seeds, count failures with their line, and write Markdown and CSV", () => {
    const outcomes: RunOutcome[] = [
      { name: "a_seed1", setting: "a", seed: 1, state: "done", seconds: 2, numbers: { "modes.modesCovered": 6 } },
      { name: "a_seed2", setting: "a", seed: 2, state: "done", seconds: 3, numbers: { "modes.modesCovered": 8 } },
      { name: "b_seed1", setting: "b", seed: 1, state: "failed", message: "NaN, at step 3", seconds: 1, numbers: {} },
      { name: "b_seed2", setting: "b", seed: 2, state: "pending", numbers: {} },
    ];
    const report = aggregateSweep("s", ["a", "b"], outcomes);
    const [a, b] = report.settings;
    expect(a!.quantities["modes.modesCovered"]).toEqual({ mean: 7, std: Math.SQRT2, count: 2 });
    expect([a!.finished, a!.failed, a!.seconds]).toEqual([2, 0, 5]);
    expect([b!.finished, b!.failed, b!.pending, b!.failures]).toEqual([0, 1, 1, ["b_seed1: NaN, at step 3"]]);
    const markdown = reportMarkdown(report);
    expect(markdown).toContain("| a | 2 | 0 | 5.0 | 7 ± 1.41 |");
    expect(markdown).toContain("- b_seed1: NaN, at step 3");
    const csv = reportCsv(report).trim().split("\n");
    expect(csv[0]).toBe(
      "setting,finished,failed,pending,seconds,modes.modesCovered.mean,modes.modesCovered.std,modes.modesCovered.n",
    );
    expect(csv[1]).toBe(`a,2,0,0,5,7,${Math.SQRT2},2`);
    expect(csv[2]).toBe("b,0,1,1,1,,,0");
  });

  it("say which setting evaluates another's trained GANs, in report.md and report.json", () => {
    const done = { state: "done" as const, seconds: 2, numbers: { "modes.modesCovered": 8 } };
    const outcomes: RunOutcome[] = [
      { name: "vanilla_seed1", setting: "vanilla", seed: 1, ...done },
      { name: "rejection_seed1", setting: "rejection", seed: 1, ...done, trainedBy: "vanilla_seed1" },
    ];
    const report = aggregateSweep("s", ["vanilla", "rejection"], outcomes);
    expect(report.settings.map((setting) => setting.trainedBy)).toEqual([null, "vanilla"]);
    const markdown = reportMarkdown(report);
    expect(markdown).toContain("## Shared training");
    expect(markdown).toContain("- rejection evaluates the GANs that vanilla trained");
    expect(reportMarkdown(aggregateSweep("s", ["vanilla"], outcomes.slice(0, 1)))).not.toContain("Shared training");
    const json = reportJson(report, outcomes);
    expect(json.settings.map((setting) => setting.trainedBy)).toEqual([null, "vanilla"]);
    expect(json.runs.map((run) => run.trainedBy)).toEqual([null, "vanilla_seed1"]);
  });

  it("become report.json with null for every undefined number, NaN and infinity included (JSON has neither)", () => {
    const outcomes: RunOutcome[] = [
      { name: "a1", setting: "a", seed: 1, state: "done", seconds: 2, numbers: { "m.kl": Number.NaN, "m.n": 3 } },
      { name: "a2", setting: "a", seed: 2, state: "done", seconds: 2, numbers: { "m.kl": Infinity, "m.n": 5 } },
    ];
    const json = reportJson(aggregateSweep("s", ["a"], outcomes), outcomes);
    expect(json.format).toBe("tsgan-sweep-report/1");
    expect(json.settings[0]!.quantities).toEqual({
      "m.kl": { mean: null, std: null, count: 0 },
      "m.n": { mean: 4, std: Math.SQRT2, count: 2 },
    });
    expect(json.runs.map((run) => run.numbers)).toEqual([
      { "m.kl": null, "m.n": 3 },
      { "m.kl": null, "m.n": 5 },
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json); // what is written is what is read
  });

  it("read back from CSV (the run viewer's table) as they were written, quoted names and empty cells included", () => {
    const outcomes: RunOutcome[] = [
      { name: "x1", setting: 'lr-0.1,"fast"', seed: 1, state: "done", seconds: 2.5, numbers: { "m.a": 0.25 } },
      { name: "x2", setting: 'lr-0.1,"fast"', seed: 2, state: "done", seconds: 1, numbers: { "m.a": 0.75 } },
      { name: "y1", setting: "plain", seed: 1, state: "done", seconds: 4, numbers: { "m.a": 3, "m.b": -1 } },
      { name: "z1", setting: "none", seed: 1, state: "failed", message: "NaN", seconds: 1, numbers: {} },
    ];
    const report = aggregateSweep("s", ['lr-0.1,"fast"', "plain", "none"], outcomes);
    const read = parseReportCsv("s", reportCsv(report));
    expect(read.quantities).toEqual(["m.a", "m.b"]);
    // NaN reads back as NaN (a single seed's std, a metric no run has); only the failures' lines stay in report.md.
    expect(read).toEqual({
      ...report,
      settings: report.settings.map((setting) => ({ ...setting, failures: [] })),
    });
    expect(Number.isNaN(read.settings[1]!.quantities["m.a"]!.std)).toBe(true);
  });
});
