/**
 * The run viewer's worker: loads G from a CLI checkpoint (checkpoints/step_N/manifest.json + tensors.bin, rebuilt by
 * the core's restoreGan, weights only — what `tsgan sample` does through openGan) and generates in inference mode — from seeded noise drawn exactly as
 * `tsgan sample --seed` draws it, or from given z (the latent explorer). A run with an EMA generator samples from it
 * unless a message asks for the raw G (`tsgan sample --raw-generator`).
 */
import { resolveConfig, type Config } from "../../../src/core/config.js";
import { PIXEL_RANGES } from "../../../src/core/data/dataset.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import { pixelRangeFor, resolveOutputActivation } from "../../../src/core/models/index.js";
import { restoreGan, type CheckpointManifest } from "../../../src/core/training/checkpoint.js";
import { classRows, cyclingLabels, labelTensor } from "../../../src/core/training/conditional.js";
import { disposeGan, samplingGenerator, type Gan } from "../../../src/core/training/gan.js";
import { noiseValues } from "../../../src/core/training/noise.js";
import { selectBrowserBackend } from "./backend.js";
import type { FromSampler, ToSampler } from "./protocol.js";

const scope = globalThis as unknown as {
  postMessage(message: FromSampler): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToSampler>) => void): void;
};

let gan: Gan | null = null;
let queue: Promise<void> = Promise.resolve();

async function fetchChecked(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/**
 * G(z) (or its EMA's, unless `raw`) in inference mode, as a flat array [count, ...dataShape]; a conditional G draws
 * class `label`, or every class in turn for −1.
 */
function decode(z: Float32Array, count: number, raw: boolean, label: number): Float32Array {
  const current = gan!;
  const { conditional, classCount } = current.config;
  return tf.tidy(() => {
    const noise = tf.tensor2d(z, [count, current.config.latentDim]);
    if (conditional === "none") {
      return samplingGenerator(current, raw).apply(noise, { training: false }).dataSync() as Float32Array;
    }
    const labels = label >= 0 ? new Int32Array(count).fill(label) : cyclingLabels(classCount, count);
    const options = { training: false, labels: labelTensor(labels) };
    return samplingGenerator(current, raw).apply(noise, options).dataSync() as Float32Array;
  });
}

/** A conditional G(z, y) for z [count, latentDim] and y [count]. */
function decodeLabelled(z: Float32Array, labels: Int32Array, raw: boolean): Float32Array {
  const current = gan!;
  return tf.tidy(() => {
    const noise = tf.tensor2d(z, [labels.length, current.config.latentDim]);
    const options = { training: false, labels: labelTensor(labels) };
    return samplingGenerator(current, raw).apply(noise, options).dataSync() as Float32Array;
  });
}

async function handle(message: ToSampler): Promise<void> {
  if (message.type === "load") {
    const backend = await selectBrowserBackend("auto", "toy"); // sampling is a handful of forward passes
    const directory = `${message.runUrl}checkpoints/step_${String(message.step).padStart(6, "0")}/`;
    const manifest = (await (await fetchChecked(`${directory}manifest.json`)).json()) as CheckpointManifest;
    const data = new Uint8Array(await (await fetchChecked(`${directory}tensors.bin`)).arrayBuffer());
    // The viewer runs on this browser's backend, whichever engine the run was trained on.
    const config: Config = resolveConfig({ ...manifest.config, backend: "auto" });
    if (gan) disposeGan(gan);
    gan = null;
    gan = restoreGan(manifest, data, { config, weightsOnly: true });
    const isImage = manifest.dataShape.length === 3;
    const range = isImage ? PIXEL_RANGES[pixelRangeFor(resolveOutputActivation(config, true))] : null;
    scope.postMessage({
      type: "loaded",
      generator: {
        step: manifest.step,
        dataset: config.dataset,
        latentDim: config.latentDim,
        prior: config.prior,
        dataShape: manifest.dataShape,
        range: range ? [range.low, range.high] : null,
        backend: backend.name,
        hasEma: gan.generatorEma !== null,
        classCount: config.conditional === "none" ? 0 : config.classCount,
      },
    });
    return;
  }
  if (!gan) throw new Error("no checkpoint loaded");
  if (message.type === "generate") {
    // As `tsgan sample --seed <seed> [--class c]`: z from Rng.derive(seed, "sample") through the run's prior; a
    // conditional run without a class draws a row per class, ⌈count / classes⌉ z shared by every row.
    const { prior, latentDim, conditional, classCount } = gan.config;
    const rng = Rng.derive(message.seed, "sample");
    const everyClass = conditional !== "none" && message.label < 0;
    const columns = everyClass ? Math.ceil(message.count / classCount) : message.count;
    const drawn = noiseValues(prior, columns, latentDim, rng);
    const grid = everyClass ? classRows(drawn, latentDim, classCount) : null;
    const z = grid ? grid.noise : drawn;
    const count = z.length / latentDim;
    const values = grid ? decodeLabelled(z, grid.labels, message.raw) : decode(z, count, message.raw, message.label);
    scope.postMessage({ type: "samples", purpose: "generate", values, z, count, columns: grid ? columns : null });
  } else {
    scope.postMessage({
      type: "samples",
      purpose: "decode",
      values: decode(message.z, message.count, message.raw, message.label),
      z: message.z,
      count: message.count,
      columns: null,
    });
  }
}

scope.addEventListener("message", (event) => {
  queue = queue
    .then(() => handle(event.data))
    .catch((error: unknown) =>
      scope.postMessage({ type: "error", message: (error as Error).message ?? String(error) }),
    );
});
