// pack-check (b): a page bundled by Vite from `import … from "tsgan"` that trains a tiny 2-D GAN in the browser and
// publishes what happened on `window.packCheck` for the driver (browser.mjs) to read.
import {
  configFromLayers,
  createGan,
  dataShape,
  disposeGan,
  Events,
  sampleGan,
  toyDataset,
  toyDistribution,
  trainAlgorithm1,
  useBackend,
  type TrainingEventMap,
} from "tsgan";

/** Tiny on purpose: the check is that the core runs in a browser, not that it learns. */
const STEPS = 50;
const SAMPLES = 200;

interface PackCheckResult {
  backend: string;
  steps: number;
  finiteLosses: boolean;
  samples: number;
  finiteSamples: boolean;
  error?: string;
}

async function run(): Promise<PackCheckResult> {
  const { name } = await useBackend("cpu");
  const config = configFromLayers({
    dataset: "ring-2d",
    steps: STEPS,
    batchSize: 32,
    mlp: { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2, generatorBatchNorm: false },
  });
  const dataset = toyDataset(toyDistribution(config.dataset));
  const gan = createGan(config, dataShape(dataset));
  const events = new Events<TrainingEventMap>();
  let steps = 0;
  let finiteLosses = true;
  events.on("step", (record) => {
    steps = record.step;
    finiteLosses &&= Number.isFinite(record.discriminatorLoss) && Number.isFinite(record.generatorLoss);
  });
  await trainAlgorithm1(gan, dataset, events);
  const points = sampleGan(gan, SAMPLES);
  disposeGan(gan);
  return {
    backend: name,
    steps,
    finiteLosses,
    samples: points.length / 2,
    finiteSamples: points.every(Number.isFinite),
  };
}

const target = window as unknown as { packCheck?: PackCheckResult };
run().then(
  (result) => (target.packCheck = result),
  (error: unknown) =>
    (target.packCheck = {
      backend: "",
      steps: 0,
      finiteLosses: false,
      samples: 0,
      finiteSamples: false,
      error: String(error),
    }),
);
