/**
 * The training worker's entry: turns a page's setup into a TrainingSession (config resolved by the core, data from
 * the core's toys or the lab server's IDX files) and forwards play / pause / step / settings to it. Messages are
 * handled one at a time, in order, except that play runs in the background until paused.
 */
import { mergeConfig, resolveConfig, type Config } from "../../../src/core/config.js";
import {
  dataShape,
  PIXEL_RANGES,
  toyDataset,
  type Dataset,
  type ImageDataset,
} from "../../../src/core/data/dataset.js";
import { toyDistribution, type ToyDistribution } from "../../../src/core/data/toys.js";
import { Rng } from "../../../src/core/engine/random.js";
import { networkInitialization, pixelRangeFor, resolveOutputActivation } from "../../../src/core/models/index.js";
import { presetFor } from "../../../src/core/presets.js";
import { withDataClassCount } from "../../../src/core/training/conditional.js";
import { createGan } from "../../../src/core/training/gan.js";
import { FIXED_NOISE_COUNT } from "../../../src/core/training/noise.js";
import { fetchImageDataset } from "../data/idxFetch.js";
import { DRAWN_VIEW_BOUNDS, drawnDistribution, LAB_TOYS_2D } from "../data/labToys.js";
import { selectBrowserBackend } from "./backend.js";
import { ImagesProber } from "./probeImages.js";
import { OneDProber } from "./probeOneD.js";
import { TwoDProber } from "./probeTwoD.js";
import type { FromWorker, ImagesProbe, SessionSetup, ToWorker } from "./protocol.js";
import { LAB_STEP_LIMIT, TrainingSession, type Prober } from "./session.js";

/** Probes (redraws) per second while playing, per page: toys are cheap, image grids are not. */
const PROBE_INTERVAL_MS = { "one-d": 80, "two-d": 120, images: 1000 } as const;
/** Real points drawn behind the generated ones on the 2-D page. */
const REAL_DISPLAY_COUNT = 600;

/** The worker global, typed by hand (the DOM and WebWorker libraries cannot share one program). */
const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToWorker>) => void): void;
};

function post(message: FromWorker): void {
  scope.postMessage(message);
}

let session: TrainingSession | null = null;
let queue: Promise<void> = Promise.resolve();

/** The distribution behind a toy data spec. */
function distributionFor(setup: SessionSetup): ToyDistribution | null {
  const { data } = setup;
  if (data.kind === "drawn") return drawnDistribution(data.points, data.std);
  if (data.kind === "toy") return LAB_TOYS_2D[data.name] ?? toyDistribution(data.name);
  return null;
}

/** The preset a data spec trains with: the core's for its dimension (drawn and lab toys are 2-D). */
function presetName(setup: SessionSetup): string {
  if (setup.data.kind === "images") return setup.data.name;
  if (setup.data.kind === "toy" && !(setup.data.name in LAB_TOYS_2D)) return setup.data.name;
  return "ring-2d";
}

/** The first FIXED_NOISE_COUNT training images, as the generated grid is shown. */
function realImagesOf(dataset: ImageDataset): ImagesProbe {
  const count = Math.min(FIXED_NOISE_COUNT, dataset.count);
  const size = dataset.height * dataset.width * dataset.channels;
  const range = PIXEL_RANGES[dataset.pixelRange];
  return {
    kind: "images",
    tick: 0,
    images: dataset.images.slice(0, count * size),
    count,
    shape: [dataset.height, dataset.width, dataset.channels],
    range: [range.low, range.high],
  };
}

async function createSession(setup: SessionSetup): Promise<TrainingSession> {
  const workload = setup.data.kind === "images" ? "images" : "toy";
  const backend = await selectBrowserBackend(setup.backend, workload);
  const datasetName = setup.data.kind === "drawn" ? "drawn" : setup.data.name;
  const config: Config = resolveConfig(
    mergeConfig(presetFor(presetName(setup)) as Record<string, unknown>, setup.config as Record<string, unknown>, {
      dataset: datasetName,
      steps: LAB_STEP_LIMIT,
      logEvery: LAB_STEP_LIMIT,
      sampleEvery: 0,
      checkpointEvery: 0,
      backend: backend.name,
    }),
  );
  const distribution = distributionFor(setup);
  let dataset: Dataset;
  if (setup.data.kind === "images") {
    const range = pixelRangeFor(resolveOutputActivation(config, true));
    dataset = await fetchImageDataset(setup.data.name, setup.data.count, range);
  } else {
    dataset = toyDataset(distribution!);
  }
  // A conditional GAN's classes come from the data's labels (the images' label file; a 2-D toy's components).
  const trainingConfig = withDataClassCount(config, dataset);
  const gan = createGan(trainingConfig, dataShape(dataset), networkInitialization(trainingConfig, dataset));
  let prober: Prober;
  if (setup.probe === "one-d") prober = new OneDProber(distribution!, config.prior);
  else if (setup.probe === "two-d") {
    prober = new TwoDProber(distribution!, gan, setup.data.kind === "drawn" ? DRAWN_VIEW_BOUNDS : undefined);
  } else prober = new ImagesProber(gan, setup.probeClass);
  post({
    type: "ready",
    info: {
      backend: backend.name,
      skippedBackends: backend.skipped,
      generatorParameters: gan.generator.parameterCount(),
      discriminatorParameters: gan.discriminator.parameterCount(),
      realSamples:
        distribution && distribution.dimension === 2
          ? distribution.sample(REAL_DISPLAY_COUNT, Rng.derive(config.seed, "lab/real-display"))
          : null,
      realImages: dataset.kind === "images" ? realImagesOf(dataset) : null,
      dataDescription:
        dataset.kind === "images"
          ? `${dataset.count} ${dataset.name} training images, ${dataset.height}×${dataset.width}`
          : distribution!.description,
    },
  });
  return new TrainingSession(
    gan,
    dataset,
    prober,
    {
      progress: (records, counters) => post({ type: "progress", records, counters }),
      probe: (probe) => post({ type: "probe", probe }),
      error: (message) => post({ type: "error", message }),
    },
    PROBE_INTERVAL_MS[setup.probe],
  );
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "setup":
      if (session) await session.dispose();
      session = null;
      session = await createSession(message.setup);
      session.probeNow();
      return;
    case "probeClass":
      session?.showClass(message.label);
      return;
    case "settings":
      session?.updateSettings(message.settings);
      return;
    case "play":
      void session?.play(message.mode); // runs until paused; later messages are handled meanwhile
      return;
    case "pause":
      await session?.pause();
      return;
    case "step":
      await session?.step(message.mode);
      return;
  }
}

scope.addEventListener("message", (event) => {
  const message = event.data;
  // A pause must reach a playing session at once, not wait behind queued work.
  if (message.type === "pause") session?.pause();
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => post({ type: "error", message: (error as Error).message ?? String(error) }));
});
