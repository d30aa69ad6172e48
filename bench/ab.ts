/**
 * What native kernels are worth, measured in one process: a step benchmark's step with the named kernels registered
 * ("with") and unregistered ("without": tsgan falls back to the op-by-op formula), alternating step by step so that
 * both variants see the same machine. Less noisy than comparing two `npm run bench` runs, on a machine whose speed
 * moves by more than a few percent from one minute to the next.
 *
 *   npx tsx bench/ab.ts <benchmark|config.json> <Kernel,Kernel,...> [steps]
 *   npx tsx bench/ab.ts dcgan-step TsganRunningStatistics 40
 *   npx tsx bench/ab.ts configs/results/mnist-best.json TsganMomentumSgd,TsganMovingAverage 40
 *
 * A config file stands for its own GAN's step (createGanStep: D update, G update, EMA of G when it keeps one) on
 * batches of its real training data. Prints one JSON line: the median step with and without, and their ratio.
 * Native backend only (the kernels are its).
 */
import { tf } from "../src/core/engine/tf.js";
import { selectBackend } from "../src/node/engine/select.js";
import { readConfigFile } from "../src/cli/trainCommand.js";
import { resolveConfig } from "../src/core/config.js";
import { dataShape } from "../src/core/data/dataset.js";
import { realBatch } from "../src/core/data/batches.js";
import { networkInitialization } from "../src/core/models/index.js";
import { loadDatasetFor } from "../src/node/datasets.js";
import { BENCHMARKS } from "./benchmarks.js";
import { median, round1, type StepRunner } from "./common.js";
import { createGanStep } from "./dcgan-step.js";

/** Untimed steps of each variant first: oneDNN builds its primitives, the buffer pool fills. */
const WARMUP_STEPS = 4;
const DEFAULT_STEPS = 40;

const [benchmarkName, kernelList, stepsText] = process.argv.slice(2);
const definition = BENCHMARKS.find((candidate) => candidate.name === benchmarkName);
const fromConfig = benchmarkName?.endsWith(".json") ?? false;
if ((definition?.create === undefined && !fromConfig) || kernelList === undefined) {
  console.error("usage: npx tsx bench/ab.ts <dcgan-step|mlp-step|config.json> <Kernel,Kernel,...> [steps]");
  process.exit(2);
}
const steps = stepsText === undefined ? DEFAULT_STEPS : Number(stepsText);
if (!Number.isInteger(steps) || steps < 1) {
  console.error(`bench/ab.ts: steps must be a positive integer, got ${stepsText}`);
  process.exit(2);
}

await selectBackend("native", () => {});
const kernels = kernelList.split(",").map((name) => {
  const config = tf.getKernel(name, "native");
  if (config === undefined) {
    console.error(`bench/ab.ts: the native backend has no kernel ${name}`);
    process.exit(2);
  }
  return config;
});
const register = (on: boolean) => {
  for (const config of kernels) {
    const registered = tf.getKernel(config.kernelName, "native") !== undefined;
    if (on && !registered) tf.registerKernel(config);
    if (!on && registered) tf.unregisterKernel(config.kernelName, "native");
  }
};

/** The step of a config file's GAN, on its training data's batches (as `tsgan train --config` builds it). */
function configStep(path: string): StepRunner {
  const config = resolveConfig({ ...readConfigFile(path), backend: "native" });
  const dataset = loadDatasetFor(config);
  const shape = dataShape(dataset);
  const batch = (step: number) =>
    tf.tensor(realBatch(dataset, step, config.batchSize, config.seed), [config.batchSize, ...shape]);
  return createGanStep(config, shape, batch, networkInitialization(config, dataset));
}

const runner = fromConfig ? configStep(benchmarkName!) : definition!.create!(definition!.defaults.batch);
const times = { with: [] as number[], without: [] as number[] };
for (let index = 0; index < WARMUP_STEPS + steps; index++) {
  // Alternate which variant goes first, so neither always follows the other.
  const order = index % 2 === 0 ? (["with", "without"] as const) : (["without", "with"] as const);
  for (const variant of order) {
    register(variant === "with");
    const started = performance.now();
    runner.step();
    if (index >= WARMUP_STEPS) times[variant].push(performance.now() - started);
  }
}
register(true);
runner.dispose();
const withMs = median(times.with);
const withoutMs = median(times.without);
console.log(
  JSON.stringify({
    benchmark: definition?.name ?? benchmarkName,
    kernels: kernels.map((config) => config.kernelName),
    steps,
    with_ms: round1(withMs),
    without_ms: round1(withoutMs),
    ratio: Math.round((withMs / withoutMs) * 1000) / 1000,
  }),
);
