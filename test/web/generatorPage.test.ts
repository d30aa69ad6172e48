/**
 * examples/generator-page in headless Chromium: the plain page loads an export of a tiny DCGAN run with stock TF.js
 * (tf.min.js, served from node_modules), draws a grid of samples without console errors, and its G(z) matches
 * tsgan's own generator on the same z (max abs difference ≤ 1e-5, the bound).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Rng } from "../../src/core/engine/random.js";
import { tf } from "../../src/core/engine/tf.js";
import { infer } from "../../src/core/models/network.js";
import { disposeGan, samplingGenerator } from "../../src/core/training/gan.js";
import { noiseValues } from "../../src/core/training/noise.js";
import { exportGenerator } from "../../src/node/export/exportGenerator.js";
import { REPOSITORY_ROOT } from "../../src/node/lab/build.js";
import { openGan } from "../../src/node/run/openGan.js";
import { trainRun } from "../../src/node/train.js";
import { serveStatic, type StaticServer } from "../fixtures/staticServer.js";
import { TINY_DCGAN, writeTinyImages } from "../fixtures/tinyData.js";
import { launchChromium, openPage, requireChromium } from "./browser.js";

/** The bound on |stock TF.js − tsgan| for the same z. */
const EXPORT_TOLERANCE = 1e-5;
const SAMPLES = 16;
/** The example page draws an 8×8 grid of 8×8 images. */
const GRID_PIXELS = 8 * 8;
/** Iterations of the tiny DCGAN run. */
const DCGAN_STEPS = 30;

let scratch: string;
let server: StaticServer;
let browser: Browser;
const run = () => join(scratch, "digits");
const toyRun = () => join(scratch, "ring");

beforeAll(async () => {
  requireChromium();
  scratch = mkdtempSync(join(tmpdir(), "tsgan-generator-page-"));
  const config = resolveConfig({
    ...TINY_DCGAN,
    dataset: `idx:${writeTinyImages(scratch)}`,
    // Enough steps for BatchNorm's running statistics to approach the batches' (momentum 0.9): G(z) in inference
    // mode grows from about 1e-3 after 3 steps to about 1e-2 (printed below); the toy's outputs are of order 1.
    steps: DCGAN_STEPS,
    sampleEvery: 0,
    logEvery: DCGAN_STEPS,
    checkpointEvery: DCGAN_STEPS,
    generatorEma: 0.5,
  });
  await trainRun({ out: run(), config, log: () => {} });
  await exportGenerator({ run: run(), out: join(scratch, "export") });
  // A toy whose G has BatchNorm and spectral normalization and outputs of order 1 (the DCGAN's are near 0 this early).
  const toyConfig = resolveConfig({
    dataset: "ring-2d",
    arch: "mlp",
    steps: 3,
    batchSize: 8,
    latentDim: 3,
    sampleEvery: 0,
    logEvery: 3,
    backend: "cpu",
    spectralNorm: "both",
    mlp: { generatorHidden: [8], generatorBatchNorm: true, discriminatorHidden: [4], maxoutPieces: 2 },
  });
  await trainRun({ out: toyRun(), config: toyConfig, log: () => {} });
  await exportGenerator({ run: toyRun(), out: join(scratch, "toy-export") });
  server = await serveStatic({
    "/": join(REPOSITORY_ROOT, "examples", "generator-page"),
    "/tf.min.js": join(REPOSITORY_ROOT, "node_modules", "@tensorflow", "tfjs", "dist", "tf.min.js"),
    "/generator/": join(scratch, "export"),
    "/toy/": join(scratch, "toy-export"),
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The page's G(z) for `z`, and the TF.js backend it ran on. */
async function pageOutputs(page: Page, z: number[], count: number): Promise<{ output: number[]; backend: string }> {
  return page.evaluate(
    async ([values, samples]) => {
      type PageApi = { generate: (z: number[], count: number) => Promise<number[]> };
      const global = window as unknown as { generatorPage: { ready: Promise<PageApi> }; tf: { getBackend(): string } };
      const api = await global.generatorPage.ready;
      return { output: await api.generate(values, samples), backend: global.tf.getBackend() };
    },
    [z, count] as const,
  );
}

/** Max |page − tsgan| over G(z) for SAMPLES fresh z, tsgan's from the run's checkpoint on the cpu backend. */
async function compareWithTsgan(page: Page, runDirectory: string, label: string): Promise<number> {
  const { gan } = await openGan(runDirectory, { backend: "cpu", weightsOnly: true, log: () => {} });
  try {
    const latentDim = gan.config.latentDim;
    const z = Array.from(noiseValues(gan.config.prior, SAMPLES, latentDim, Rng.derive(3, "page-test")));
    const inPage = await pageOutputs(page, z, SAMPLES);
    const noise = tf.tensor2d(z, [SAMPLES, latentDim]);
    const expected = infer(samplingGenerator(gan), noise);
    const reference = expected.dataSync();
    tf.dispose([noise, expected]);
    expect(inPage.output).toHaveLength(reference.length);
    let difference = 0;
    let largest = 0;
    inPage.output.forEach((value, index) => {
      difference = Math.max(difference, Math.abs(value - reference[index]!));
      largest = Math.max(largest, Math.abs(reference[index]!));
    });
    console.error(
      `generator page, ${label} (Chromium, ${inPage.backend}): max |page − tsgan| = ${difference} (max |G(z)| = ${largest})`,
    );
    return difference;
  } finally {
    disposeGan(gan);
  }
}

async function openDrawnPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, url);
  await opened.page.waitForFunction(() => Number(document.getElementById("samples")?.dataset.drawn) >= 1, undefined, {
    timeout: 60_000,
  });
  return opened;
}

describe("examples/generator-page", () => {
  it("draws a grid of digits with stock TF.js and computes G(z) as tsgan does", async () => {
    const { page, errors } = await openDrawnPage(`${server.url}/index.html`);
    expect(errors).toEqual([]);
    expect(await page.textContent("#status")).toMatch(new RegExp(`step ${DCGAN_STEPS}, EMA generator`));
    const canvas = await page.evaluate(() => {
      const element = document.getElementById("samples") as HTMLCanvasElement;
      const pixels = element.getContext("2d")!.getImageData(0, 0, element.width, element.height).data;
      const opaque = pixels.filter((value, index) => index % 4 === 3 && value === 255).length;
      return { width: element.width, height: element.height, opaque };
    });
    // Every pixel drawn (tf.browser.toPixels writes alpha 255; an untouched canvas is transparent).
    expect(canvas).toEqual({ width: GRID_PIXELS, height: GRID_PIXELS, opaque: GRID_PIXELS * GRID_PIXELS });
    expect(await compareWithTsgan(page, run(), "dcgan")).toBeLessThanOrEqual(EXPORT_TOLERANCE);
    await page.click("#draw");
    await page.waitForFunction(() => Number(document.getElementById("samples")?.dataset.drawn) >= 2);
    expect(errors).toEqual([]);
  });

  it("loads another export with ?model= and plots a toy's samples", async () => {
    const { page, errors } = await openDrawnPage(`${server.url}/index.html?model=toy`);
    expect(errors).toEqual([]);
    expect(await page.textContent("#status")).toMatch(/ring-2d, step 3, generator/);
    expect(await compareWithTsgan(page, toyRun(), "mlp toy")).toBeLessThanOrEqual(EXPORT_TOLERANCE);
  });
});
