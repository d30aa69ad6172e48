/* global tf, window, document, fetch, URLSearchParams */
// Draws samples from a generator exported by `tsgan export`, with stock TensorFlow.js and nothing of tsgan.
// The page's API, for the console and for tests: `await window.generatorPage.ready` gives { card, generate(z, count) }.

/** TF.js from beside the page (copy node_modules/@tensorflow/tfjs/dist/tf.min.js here), else from a CDN. */
const TFJS_SOURCES = ["tf.min.js", "https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js"];
/** The grid: 8×8 samples for images, this many points for a toy's scatter plot. */
const GRID_SIDE = 8;
const TOY_POINTS = 500;
const SCATTER_SIZE = 448;

function loadScript(source) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = source;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${source}`));
    document.head.append(script);
  });
}

async function loadTensorFlow() {
  for (const source of TFJS_SOURCES) {
    try {
      await loadScript(source);
      return;
    } catch {
      // try the next source
    }
  }
  throw new Error("TensorFlow.js could not be loaded (put tf.min.js beside this page)");
}

/** z ~ p_z [count, latentDim], as generator.json describes the prior G was trained with. */
function drawNoise(card, count) {
  const shape = [count, card.latentDim];
  const { prior } = card;
  return prior.kind === "uniform"
    ? tf.randomUniform(shape, prior.low, prior.high)
    : tf.randomNormal(shape, prior.mean, prior.std);
}

/** Images [count, h, w, c] in G's output range → one grid image [rows·h, cols·w, c] in [0, 1]. */
function imageGrid(card, images) {
  const [low, high] = card.output.range;
  const { height, width, channels } = card.data;
  return tf.tidy(() => {
    const unit = images
      .sub(low)
      .div(high - low)
      .clipByValue(0, 1);
    const rows = unit.reshape([GRID_SIDE, GRID_SIDE, height, width, channels]);
    return rows.transpose([0, 2, 1, 3, 4]).reshape([GRID_SIDE * height, GRID_SIDE * width, channels]);
  });
}

/** A toy's samples [count, 2] (or [count, 1], drawn on a line) as dots on the canvas. */
function drawScatter(canvas, points) {
  canvas.width = canvas.height = SCATTER_SIZE;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, SCATTER_SIZE, SCATTER_SIZE);
  const xs = points.map((point) => point[0]);
  const ys = points.map((point) => point[1] ?? 0);
  const scale = (values) => {
    const low = Math.min(...values);
    const span = Math.max(...values) - low || 1;
    return (value) => 10 + ((value - low) / span) * (SCATTER_SIZE - 20);
  };
  const [x, y] = [scale(xs), scale(ys)];
  context.fillStyle = "#c0392b";
  for (let index = 0; index < points.length; index++) context.fillRect(x(xs[index]) - 2, y(ys[index]) - 2, 4, 4);
}

async function start() {
  const status = document.getElementById("status");
  const button = document.getElementById("draw");
  const canvas = document.getElementById("samples");
  const base = new URLSearchParams(window.location.search).get("model") ?? "generator/";
  const directory = base.endsWith("/") ? base : `${base}/`;
  await loadTensorFlow();
  const card = await (await fetch(`${directory}generator.json`)).json();
  const model = await tf.loadLayersModel(`${directory}${card.model}`);

  /** G(z) for z given as numbers [count · latentDim]: the numbers of G's output [count, ...dataShape]. */
  async function generate(z, count) {
    const output = tf.tidy(() => model.predict(tf.tensor2d(z, [count, card.latentDim])));
    const values = Array.from(await output.data());
    output.dispose();
    return values;
  }

  async function draw() {
    const isImage = card.data.kind === "images";
    const noise = drawNoise(card, isImage ? GRID_SIDE * GRID_SIDE : TOY_POINTS);
    const output = model.predict(noise);
    if (isImage) {
      const grid = imageGrid(card, output);
      await tf.browser.toPixels(grid, canvas);
      grid.dispose();
    } else {
      drawScatter(canvas, await output.array());
    }
    tf.dispose([noise, output]);
    status.textContent = `${card.dataset}, step ${card.source.step}, ${card.generator === "ema" ? "EMA " : ""}generator`;
    canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
  }

  button.addEventListener("click", draw);
  button.disabled = false;
  await draw();
  return { card, generate };
}

const ready = start().catch((error) => {
  document.getElementById("status").textContent = `error: ${error.message}`;
  throw error;
});
window.generatorPage = { ready };
