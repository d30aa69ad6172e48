/**
 * The CLI as a user meets it: bad input gives one clear line on stderr and a non-zero exit, and nothing already
 * written is lost; a good run and `tsgan sample` write what they promise.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { TINY_DCGAN, writeTinyImages } from "../fixtures/tinyData.js";

const CLI = join(import.meta.dirname, "..", "..", "bin", "tsgan.js");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const images = writeTinyImages(scratch);
/** A toy CSV's first line names its columns (x,y). */
const CSV_HEADER_LINES = 1;

/**
 * Runs the CLI and resolves with its exit status and output. Asynchronous on purpose: a synchronous spawn would block
 * this test worker's event loop for the whole run, and vitest's worker RPC times out after 60 s of that on a loaded
 * machine.
 */
function tsgan(...args: string[]): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: scratch, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        done({ status, stderr: stderr.trim(), stdout: stdout.trim() });
      },
    );
  });
}

function expectOneLineError(result: Awaited<ReturnType<typeof tsgan>>, pattern: RegExp) {
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(pattern);
  const lines = result.stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("(run with --help"));
  expect(lines).toHaveLength(1);
}

describe("tsgan CLI", () => {
  it("documents every training flag in --help", async () => {
    const result = await tsgan("train", "--help");
    expect(result.status).toBe(0);
    for (const flag of [
      "--dataset",
      "--arch",
      "--loss",
      "--discriminator-steps",
      "--steps",
      "--batch-size",
      "--latent-dim",
      "--prior",
      "--optimizer",
      "--generator-learning-rate",
      "--discriminator-learning-rate",
      "--pretrain-discriminator-steps",
      "--seed",
      "--out",
      "--resume",
      "--sample-every",
      "--checkpoint-every",
      "--backend",
      "--config",
      "--spectral-norm",
      "--generator-ema",
    ]) {
      expect(result.stdout, flag).toContain(flag);
    }
    expect(result.stdout).toContain("DCGAN's Adam rate"); // defaults carry their reasons
  });

  it("rejects an unknown flag", async () => {
    expectOneLineError(await tsgan("train", "--bogus"), /unknown option '--bogus'/);
  });

  it("rejects a bad value", async () => {
    expectOneLineError(await tsgan("train", "--steps", "ten"), /--steps.*not an integer/);
    expectOneLineError(await tsgan("train", "--loss", "wasserstein"), /wasserstein.*invalid/i);
    expectOneLineError(await tsgan("train", "--steps", "0", "--dataset", "ring-2d"), /config: steps: /);
  });

  it("refuses a model no machine can hold before allocating it, naming the bytes", async () => {
    const out = join(scratch, "too-big");
    const result = await tsgan("train", "--latent-dim", "1000000000", "--out", out);
    expectOneLineError(result, /^tsgan: config: this model needs about [\d.]+ TB to train .*this machine has/);
    expect(result.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects an unknown config key, naming it", async () => {
    const path = join(scratch, "bad.json");
    writeFileSync(path, JSON.stringify({ dataset: "ring-2d", mlp: { hidenLayers: [3] } }));
    expectOneLineError(await tsgan("train", "--config", path), /unknown key "mlp.hidenLayers"/);
    writeFileSync(path, "{ not json");
    expectOneLineError(await tsgan("train", "--config", path), /bad.json is not valid JSON/);
  });

  it("rejects a truncated data file and an unknown dataset", async () => {
    const truncated = join(scratch, "truncated.idx");
    writeFileSync(truncated, readFileSync(images).subarray(0, 100));
    expectOneLineError(
      await tsgan("train", "--dataset", `idx:${truncated}`, "--out", join(scratch, "never")),
      /truncated/,
    );
    expect(existsSync(join(scratch, "never"))).toBe(false);
    expectOneLineError(await tsgan("train", "--dataset", "cifar"), /unknown dataset "cifar"/);
  });

  it("trains, refuses to overwrite, and samples a new grid from a checkpoint", async () => {
    const out = join(scratch, "run");
    const config = join(scratch, "tiny.json");
    writeFileSync(config, JSON.stringify({ ...TINY_DCGAN, dataset: `idx:${images}`, steps: 3, sampleEvery: 0 }));
    const trained = await tsgan("train", "--config", config, "--out", out);
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stderr).toContain("finished at step 3");
    const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8");

    expectOneLineError(await tsgan("train", "--config", config, "--out", out), /already holds a run/);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);

    const grid = join(scratch, "grid.png");
    const sampled = await tsgan("sample", "--run", out, "--count", "9", "--seed", "3", "--out", grid);
    expect(sampled.status, sampled.stderr).toBe(0);
    const png = PNG.sync.read(readFileSync(grid));
    expect(png.width).toBe(png.height); // 3×3 grid of square images
    const again = join(scratch, "grid-again.png");
    await tsgan("sample", "--run", out, "--count", "9", "--seed", "3", "--out", again);
    expect(readFileSync(again).equals(readFileSync(grid))).toBe(true); // same seed, same samples
    expectOneLineError(await tsgan("sample", "--run", out, "--checkpoint", "7"), /no checkpoint at step 7/);
    expectOneLineError(await tsgan("sample", "--run", scratch), /not a run directory/);
  });

  it("--generator-ema trains an EMA generator that sample draws from; --raw-generator draws from G itself", async () => {
    const out = join(scratch, "ema");
    const trained = await tsgan(
      "train",
      ...["--dataset", "ring-2d", "--arch", "mlp", "--steps", "3", "--sample-every", "0", "--backend", "cpu"],
      ...["--generator-ema", "0.5", "--spectral-norm", "discriminator", "--out", out],
    );
    expect(trained.status, trained.stderr).toBe(0);
    const [ema, raw] = [join(scratch, "ema.svg"), join(scratch, "raw.svg")];
    const fromEma = await tsgan("sample", "--run", out, "--seed", "3", "--out", ema);
    expect(fromEma.status, fromEma.stderr).toBe(0);
    expect(fromEma.stderr).toContain("of the EMA generator");
    const fromG = await tsgan("sample", "--run", out, "--seed", "3", "--raw-generator", "--out", raw);
    expect(fromG.status, fromG.stderr).toBe(0);
    expect(fromG.stderr).toContain("of the generator");
    // The plots differ in their points, not only in the title that names the generator.
    const points = (path: string) => readFileSync(path, "utf8").replace(/, (EMA )?generator/g, "");
    expect(points(raw)).not.toBe(points(ema));
    expectOneLineError(await tsgan("train", "--spectral-norm", "generator"), /spectral-norm/);
  });

  it("--sampler rejection: eval and sample calibrate D in memory and rejection-sample; a hinge run needs calibration steps", async () => {
    // Small nets: the sampler's burn-in alone runs G and D on 10 000 points.
    const config = join(scratch, "tiny-ring.json");
    const mlp = { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2, generatorBatchNorm: false };
    writeFileSync(config, JSON.stringify({ dataset: "ring-2d", arch: "mlp", steps: 3, sampleEvery: 0, mlp }));
    const out = join(scratch, "rejection");
    const trained = await tsgan(
      ...["train", "--config", config, "--backend", "cpu", "--out", out],
      ...["--generator-ema", "0.5", "--rejection-calibration-steps", "20"],
    );
    expect(trained.status, trained.stderr).toBe(0);
    const checkpoint = join(out, "checkpoints", "step_000003", "tensors.bin");
    const weights = readFileSync(checkpoint);
    const rejection = ["--sampler", "rejection"];
    const evaluated = await tsgan("eval", "--run", out, "--metrics", "modes", "--samples", "200", ...rejection);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/EMA generator, rejection sampling after 20 D steps \(acceptance 0\.\d{3}\)/);
    const report = JSON.parse(readFileSync(join(out, "eval", "step_000003.json"), "utf8"));
    expect(report.metrics.modes).toMatchObject({ generator: "ema", sampler: "rejection", calibrationSteps: 20 });
    expect(report.metrics.modes.acceptanceRate).toBeGreaterThan(0);
    expect(report.metrics.modes.result.sampleCount).toBe(200);
    const csv = join(scratch, "rejection.csv");
    const sampled = await tsgan("sample", "--run", out, "--seed", "3", "--count", "50", ...rejection, "--out", csv);
    expect(sampled.status, sampled.stderr).toBe(0);
    expect(sampled.stderr).toContain("rejection sampling after 20 D steps");
    expect(readFileSync(csv, "utf8").trim().split("\n")).toHaveLength(CSV_HEADER_LINES + 50);
    expect(readFileSync(checkpoint).equals(weights)).toBe(true); // calibration never rewrites the checkpoint

    // DRS's γ shift: the quantile is used, recorded and printed; a quantile outside [0, 1) is one line.
    const shifted = [...rejection, "--rejection-quantile", "0.9"];
    const evaluatedShifted = await tsgan("eval", "--run", out, "--metrics", "modes", "--samples", "200", ...shifted);
    expect(evaluatedShifted.status, evaluatedShifted.stderr).toBe(0);
    expect(evaluatedShifted.stdout).toMatch(/after 20 D steps, γ at the 0\.9-quantile of F \(acceptance 0\.\d{3}\)/);
    const shiftedReport = JSON.parse(readFileSync(join(out, "eval", "step_000003.json"), "utf8"));
    expect(shiftedReport.metrics.modes).toMatchObject({ sampler: "rejection", rejectionQuantile: 0.9 });
    const sampledShifted = await tsgan(
      "sample",
      "--run",
      out,
      "--seed",
      "3",
      "--count",
      "50",
      ...shifted,
      "--out",
      csv,
    );
    expect(sampledShifted.stderr).toContain("γ at the 0.9-quantile of F");
    expectOneLineError(await tsgan("eval", "--run", out, ...rejection, "--rejection-quantile", "1"), /\[0, 1\)/);

    // --out: a second evaluation goes to its own file; the run's eval file (what sweep reports read) is left as it was.
    const own = readFileSync(join(out, "eval", "step_000003.json"), "utf8");
    const elsewhere = join(scratch, "direct-eval.json");
    const direct = ["--sampler", "direct", "--out", elsewhere];
    const evaluatedElsewhere = await tsgan("eval", "--run", out, "--metrics", "modes", "--samples", "200", ...direct);
    expect(evaluatedElsewhere.status, evaluatedElsewhere.stderr).toBe(0);
    expect(evaluatedElsewhere.stderr).toContain(`wrote ${elsewhere}`);
    expect(JSON.parse(readFileSync(elsewhere, "utf8")).metrics.modes.sampler).toBe("direct");
    expect(readFileSync(join(out, "eval", "step_000003.json"), "utf8")).toBe(own);

    // A hinge run's D is not D*: without calibration steps it is one line; with them, calibration makes it one.
    const hinge = join(scratch, "hinge");
    const critic = await tsgan(
      ...["train", "--config", config, "--backend", "cpu", "--loss", "hinge", "--out", hinge],
      ...["--rejection-calibration-steps", "0"],
    );
    expect(critic.status, critic.stderr).toBe(0);
    const refused = await tsgan("eval", "--run", hinge, ...rejection);
    expectOneLineError(
      refused,
      /^tsgan: sampler rejection needs D\* = .*hinge's D is not it: set rejectionCalibration/,
    );
    expect(refused.status).toBe(2);
    const calibrating = ["--rejection-calibration-steps", "5"];
    const hingeEval = [
      ...["eval", "--run", hinge, "--metrics", "modes", "--samples", "100", ...rejection],
      ...calibrating,
    ];
    const evaluatedHinge = await tsgan(...hingeEval, "--out", join(scratch, "hinge-eval.json"));
    expect(evaluatedHinge.status, evaluatedHinge.stderr).toBe(0);
    expect(evaluatedHinge.stdout).toMatch(/rejection sampling after 5 D steps \(acceptance 0\.\d{3}\)/);
    const hingeSamples = join(scratch, "hinge.csv");
    const sampledHinge = await tsgan(
      "sample",
      "--run",
      hinge,
      "--count",
      "20",
      ...rejection,
      ...calibrating,
      "--out",
      hingeSamples,
    );
    expect(sampledHinge.status, sampledHinge.stderr).toBe(0);
    expect(readFileSync(hingeSamples, "utf8").trim().split("\n")).toHaveLength(CSV_HEADER_LINES + 20);
  });

  it("Ctrl-C finishes the step, writes a checkpoint and exits cleanly; --resume continues", async () => {
    const out = join(scratch, "interrupted");
    const child = spawn(
      process.execPath,
      [CLI, "train", "--dataset", "ring-2d", "--steps", "100000", "--backend", "cpu", "--out", out],
      {
        cwd: scratch,
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Wait until training is under way (the first metrics line), then interrupt.
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(out, "metrics.jsonl")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toContain("stopping after this step");
    const status = JSON.parse(readFileSync(join(out, "status.json"), "utf8"));
    expect(status.state).toBe("stopped");
    expect(status.step).toBeGreaterThan(0);
    expect(existsSync(join(out, "checkpoints", `step_${String(status.step).padStart(6, "0")}`, "manifest.json"))).toBe(
      true,
    );

    const resumed = await tsgan("train", "--resume", out, "--steps", String(status.step + 2));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${out} at step ${status.step}`);
    expect(JSON.parse(readFileSync(join(out, "status.json"), "utf8"))).toMatchObject({
      state: "done",
      step: status.step + 2,
    });
  });
});
