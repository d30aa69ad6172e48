/**
 * `tsgan export` end to end: tiny runs trained here (an MLP with BatchNorm and spectral normalization in G; a DCGAN,
 * whose G has BatchNorm, with an EMA generator) are exported, loaded by stock TF.js in a Node process of its own
 * (tf.loadLayersModel over HTTP, no tsgan code), and compared with tsgan's own generator on the same z; `tsgan sample
 * --out x.npy` on the same z gives the same numbers. Bad input is refused in one line and nothing is overwritten.
 * Toy samples go to CSV and .npy as G draws them.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig, type Config } from "../../../src/core/config.js";
import { Rng } from "../../../src/core/engine/random.js";
import { GENERATOR_CARD_FORMAT, type GeneratorCard } from "../../../src/core/export/generatorCard.js";
import { infer } from "../../../src/core/models/network.js";
import { disposeGan, samplingGenerator } from "../../../src/core/training/gan.js";
import { noiseValues, sampleNoise } from "../../../src/core/training/noise.js";
import { tf } from "../../../src/core/engine/tf.js";
import { CARD_FILE, exportGenerator } from "../../../src/node/export/exportGenerator.js";
import { sampleArrayFormat, writeSampleArray } from "../../../src/node/export/sampleArrays.js";
import { openGan } from "../../../src/node/run/openGan.js";
import { RunDirectory } from "../../../src/node/run/runDirectory.js";
import { generate } from "../../../src/node/run/samples.js";
import { trainRun } from "../../../src/node/train.js";
import { serveStatic, type StaticServer } from "../../fixtures/staticServer.js";
import { TINY_DCGAN, writeTinyImages } from "../../fixtures/tinyData.js";

/** The bound on |stock TF.js − tsgan| for the same z. */
const EXPORT_TOLERANCE = 1e-5;
const REPOSITORY = join(import.meta.dirname, "..", "..", "..");
const CLI = join(REPOSITORY, "bin", "tsgan.js");
const STOCK_GENERATOR = join(REPOSITORY, "test", "fixtures", "stockGenerator.mjs");
const SAMPLES = 16;
const quiet = () => {};

const scratch = mkdtempSync(join(tmpdir(), "tsgan-export-"));
const mlpRun = join(scratch, "ring-mlp");
const dcganRun = join(scratch, "digits-dcgan");
const mlpConfig = resolveConfig({
  dataset: "ring-2d",
  arch: "mlp",
  steps: 4,
  batchSize: 8,
  latentDim: 3,
  checkpointEvery: 4,
  sampleEvery: 0,
  logEvery: 4,
  backend: "cpu",
  spectralNorm: "both",
  mlp: { generatorHidden: [6, 5], generatorBatchNorm: true, discriminatorHidden: [4], maxoutPieces: 2 },
});
let dcganConfig: Config;
let server: StaticServer;
/** Measured max |stock − tsgan| per export, printed for the record. */
const differences: Record<string, number> = {};

beforeAll(async () => {
  const images = writeTinyImages(scratch);
  dcganConfig = resolveConfig({
    ...TINY_DCGAN,
    dataset: `idx:${images}`,
    steps: 4,
    checkpointEvery: 2,
    sampleEvery: 0,
    logEvery: 4,
    generatorEma: 0.5,
  });
  await trainRun({ out: mlpRun, config: mlpConfig, log: quiet });
  await trainRun({ out: dcganRun, config: dcganConfig, log: quiet });
  server = await serveStatic({ "/": scratch });
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
  if (Object.keys(differences).length > 0) console.error("export max |stock TF.js − tsgan|:", differences);
});

function run(
  command: string,
  args: string[],
  input?: string,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      command,
      args,
      { cwd: scratch, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) =>
        done({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr: stderr.trim() }),
    );
    child.stdin?.end(input ?? "");
  });
}

/** G(z) from the exported model, computed by stock TF.js in its own Node process. */
async function stockOutputs(
  exportDir: string,
  z: Float32Array,
  count: number,
): Promise<{ shape: number[]; values: number[] }> {
  const url = `${server.url}/${exportDir.slice(scratch.length + 1)}/model.json`;
  const result = await run(process.execPath, [STOCK_GENERATOR, url], JSON.stringify({ z: Array.from(z), count }));
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as { shape: number[]; values: number[] };
}

/** G(z) from tsgan itself: the run's checkpoint opened by openGan, the sampling generator in inference mode. */
async function tsganOutputs(runDir: string, z: Float32Array, count: number, raw: boolean, step?: number) {
  const { gan } = await openGan(runDir, { backend: "cpu", weightsOnly: true, log: quiet, checkpoint: step });
  try {
    const noise = tf.tensor2d(z, [count, gan.config.latentDim]);
    const output = infer(samplingGenerator(gan, raw), noise);
    const values = Array.from(output.dataSync());
    tf.dispose([noise, output]);
    return values;
  } finally {
    disposeGan(gan);
  }
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index]! - b[index]!));
  return largest;
}

/** A float32 .npy file's header text and data (the layout test/core/export/sampleFiles.test.ts checks in full). */
function readNpyFloats(path: string): { header: string; values: Float32Array } {
  const bytes = readFileSync(path);
  const dataStart = 10 + bytes.readUInt16LE(8);
  const data = bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + bytes.length);
  return { header: bytes.subarray(10, dataStart).toString("latin1"), values: new Float32Array(data) };
}

function readCard(directory: string): GeneratorCard {
  return JSON.parse(readFileSync(join(directory, CARD_FILE), "utf8")) as GeneratorCard;
}

describe("tsgan export", () => {
  it("exports an MLP generator (BatchNorm, spectral norm folded in) that stock TF.js runs as tsgan does", async () => {
    const out = join(scratch, "exports", "ring-mlp");
    const { files } = await exportGenerator({ run: mlpRun, out });
    expect(files.sort()).toEqual(["generator.json", "group1-shard1of1.bin", "model.json"]);
    const card = readCard(out);
    expect(card).toMatchObject({
      format: GENERATOR_CARD_FORMAT,
      model: "model.json",
      prior: { kind: "normal", mean: 0, std: 1 },
      latentDim: 3,
      output: { activation: "linear", range: null },
      dataShape: [2],
      data: { kind: "toy", dimension: 2 },
      dataset: "ring-2d",
      generator: "raw",
      source: { run: mlpRun, step: 4 },
    });
    expect(card.tsganVersion).toMatch(/^\d+\.\d+\.\d+/);
    const modelJson = JSON.parse(readFileSync(join(out, "model.json"), "utf8")) as {
      format: string;
      modelTopology: { config: { layers: Array<{ class_name: string }> } };
    };
    expect(modelJson.format).toBe("layers-model");
    const classes = modelJson.modelTopology.config.layers.map((layer) => layer.class_name);
    expect(classes).toEqual(expect.arrayContaining(["Dense", "BatchNormalization", "Activation", "Reshape"]));

    const z = Float32Array.from(noiseValues(mlpConfig.prior, SAMPLES, 3, Rng.derive(1, "export-test")));
    const stock = await stockOutputs(out, z, SAMPLES);
    expect(stock.shape).toEqual([SAMPLES, 2]);
    differences["mlp (bn, sn)"] = maxAbsDifference(stock.values, await tsganOutputs(mlpRun, z, SAMPLES, false));
    expect(differences["mlp (bn, sn)"]).toBeLessThanOrEqual(EXPORT_TOLERANCE);
  });

  it("exports a DCGAN's EMA generator by default and G itself with rawGenerator, each matching tsgan", async () => {
    const emaOut = join(scratch, "exports", "dcgan-ema");
    const rawOut = join(scratch, "exports", "dcgan-raw");
    mkdirSync(rawOut, { recursive: true }); // an empty directory is fine
    await exportGenerator({ run: dcganRun, out: emaOut });
    await exportGenerator({ run: dcganRun, out: rawOut, rawGenerator: true, checkpoint: 2 });
    expect(readCard(emaOut)).toMatchObject({
      generator: "ema",
      source: { step: 4 },
      output: { activation: "tanh", range: [-1, 1] },
      data: { kind: "images", height: 8, width: 8, channels: 1 },
      dataShape: [8, 8, 1],
    });
    expect(readCard(rawOut)).toMatchObject({ generator: "raw", source: { step: 2 } });

    const latentDim = dcganConfig.latentDim;
    const z = Float32Array.from(noiseValues(dcganConfig.prior, SAMPLES, latentDim, Rng.derive(2, "export-test")));
    const stockEma = await stockOutputs(emaOut, z, SAMPLES);
    const stockRaw = await stockOutputs(rawOut, z, SAMPLES);
    expect(stockEma.shape).toEqual([SAMPLES, 8, 8, 1]);
    differences["dcgan ema"] = maxAbsDifference(stockEma.values, await tsganOutputs(dcganRun, z, SAMPLES, false));
    differences["dcgan raw, step 2"] = maxAbsDifference(
      stockRaw.values,
      await tsganOutputs(dcganRun, z, SAMPLES, true, 2),
    );
    expect(differences["dcgan ema"]).toBeLessThanOrEqual(EXPORT_TOLERANCE);
    expect(differences["dcgan raw, step 2"]).toBeLessThanOrEqual(EXPORT_TOLERANCE);
    // The two exports hold different weights, far more apart than the tolerance: the comparisons above tell them apart.
    expect(maxAbsDifference(stockEma.values, stockRaw.values)).toBeGreaterThan(10 * EXPORT_TOLERANCE);
  });

  it("matches `tsgan sample --out x.npy` for the same z, through the CLI", async () => {
    const out = join(scratch, "exports", "dcgan-cli");
    const exported = await run(process.execPath, [CLI, "export", "--run", dcganRun, "--out", out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exported the EMA generator from step 4/);
    const npy = join(scratch, "samples.npy");
    const seed = 7;
    const sampled = await run(process.execPath, [
      ...[CLI, "sample", "--run", dcganRun, "--count", String(SAMPLES)],
      ...["--seed", String(seed), "--out", npy, "--backend", "cpu"],
    ]);
    expect(sampled.status, sampled.stderr).toBe(0);
    // `tsgan sample` draws z = sampleNoise(config, count, Rng.derive(seed, "sample")); the same z for the model.
    const z = noiseValues(dcganConfig.prior, SAMPLES, dcganConfig.latentDim, Rng.derive(seed, "sample"));
    const stock = await stockOutputs(out, z, SAMPLES);
    const fromSample = readNpyFloats(npy).values;
    const stockInUnitInterval = stock.values.map((value) => (value + 1) / 2); // tanh range [-1, 1] → [0, 1]
    differences["dcgan vs sample --out npy"] = maxAbsDifference(stockInUnitInterval, fromSample);
    expect(differences["dcgan vs sample --out npy"]).toBeLessThanOrEqual(EXPORT_TOLERANCE);
  });

  it("refuses a non-empty --out, a run without checkpoints, a missing or damaged checkpoint, in one line", async () => {
    const taken = join(scratch, "taken");
    mkdirSync(taken);
    writeFileSync(join(taken, "keep.txt"), "mine");
    await expect(exportGenerator({ run: mlpRun, out: taken })).rejects.toThrow(/exists and is not an empty directory/);
    expect(readdirSync(taken)).toEqual(["keep.txt"]);
    expect(readFileSync(join(taken, "keep.txt"), "utf8")).toBe("mine");

    const bare = join(scratch, "bare-run");
    await RunDirectory.create(bare, mlpConfig);
    await expect(exportGenerator({ run: bare, out: join(scratch, "x1") })).rejects.toThrow(/has no checkpoint yet/);
    await expect(exportGenerator({ run: mlpRun, out: join(scratch, "x2"), checkpoint: 3 })).rejects.toThrow(
      /no checkpoint at step 3/,
    );

    const damaged = join(scratch, "damaged-run");
    cpSync(mlpRun, damaged, { recursive: true });
    const tensors = join(new RunDirectory(damaged).checkpointDir(4), "tensors.bin");
    const bytes = readFileSync(tensors);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(tensors, bytes);
    const cli = await run(process.execPath, [CLI, "export", "--run", damaged, "--out", join(scratch, "x3")]);
    expect(cli.status).toBe(2);
    expect(cli.stderr).toMatch(/^tsgan: checkpoint .* is damaged \(tensors\.bin does not match its sha256\)/);
    expect(cli.stderr.split("\n")).toHaveLength(1);
    for (const name of ["x1", "x2", "x3"]) expect(existsSync(join(scratch, name))).toBe(false);
  });
});

describe("tsgan sample --out x.csv | x.npy for toys", () => {
  it("writes the toy samples G draws, as CSV and as .npy [N, D]", async () => {
    const { gan } = await openGan(mlpRun, { backend: "cpu", weightsOnly: true, log: quiet });
    try {
      const noise = sampleNoise(mlpConfig, SAMPLES, Rng.derive(5, "sample"));
      const expected = generate(gan, noise);
      const csv = join(scratch, "toy.csv");
      const npy = join(scratch, "toy.npy");
      expect(await writeSampleArray(gan, noise, csv, "csv")).toEqual([csv]);
      await writeSampleArray(gan, noise, npy, "npy");
      noise.dispose();
      const [columns, ...rows] = readFileSync(csv, "utf8").trimEnd().split("\n");
      expect(columns).toBe("x,y");
      expect(Float32Array.from(rows.flatMap((row) => row.split(",").map(Number)))).toEqual(expected);
      const { header, values } = readNpyFloats(npy);
      expect(header).toContain(`'shape': (${SAMPLES}, 2)`);
      expect(values).toEqual(expected);
    } finally {
      disposeGan(gan);
    }
  });

  it("chooses the format by extension, refusing CSV for images", () => {
    expect(sampleArrayFormat("a/b.NPY", "images")).toBe("npy");
    expect(sampleArrayFormat("b.csv", "toy")).toBe("csv");
    expect(sampleArrayFormat("b.png", "images")).toBeNull(); // a picture
    expect(() => sampleArrayFormat("b.csv", "images")).toThrow(
      /^--out b.csv: CSV holds toy samples; write images as .npy or .png$/,
    );
  });
});
