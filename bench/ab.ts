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
 * batches of its real training data. Without a fused kernel tsgan runs its op chain; without a native kernel that
 * replaces a stock TF.js one (Transpose, Conv2D, ...), the stock cpu kernel runs in its place. Prints one JSON line:
 * the median step with and without, and their ratio. Native backend only (the kernels are its).
 */
import { tf } from "../src/core/engine/tf.js";
import { selectBackend } from "../src/node/engine/select.js";
import { readConfigFile } from "../src/node/configFile.js";
import { resolveConfig } from "../src/core/config.js";
import { dataShape } from "../src/core/data/dataset.js";
import { realBatch } from "../src/core/data/batches.js";
import { networkInitialization } from "../src/core/models/index.js";
import { samplesPerMinibatch } from "../src/core/models/packing.js";
import { guardedCpuKernel } from "../src/node/engine/native/backend.js";
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
/**
 * "Without" a kernel is what the backend would run in its place: nothing for tsgan's fused kernels (tsgan then runs
 * the op chain), the stock cpu kernel for a TF.js kernel the native backend replaces (e.g. Transpose).
 */
const stockKernels = new Map(
  kernels.flatMap((config) => {
    const stock = tf.getKernel(config.kernelName, "cpu");
    if (stock === undefined) return [];
    const kernelFunc = guardedCpuKernel(stock.kernelFunc);
    return [[config.kernelName, { ...stock, backendName: "native", kernelFunc }] as const];
  }),
);
const register = (on: boolean) => {
  for (const config of kernels) {
    const stock = stockKernels.get(config.kernelName);
    if (tf.getKernel(config.kernelName, "native") !== undefined) tf.unregisterKernel(config.kernelName, "native");
    if (on) tf.registerKernel(config);
    else if (stock) tf.registerKernel(stock);
  }
};

/** The step of a config file's GAN, on its training data's batches (as `tsgan train --config` builds it). */
function configStep(path: string): StepRunner {
  const config = resolveConfig({ ...readConfigFile(path), backend: "native" });
  const dataset = loadDatasetFor(config);
  const shape = dataShape(dataset);
  const count = samplesPerMinibatch(config);
  const batch = (step: number) => tf.tensor(realBatch(dataset, step, count, config.seed), [count, ...shape]);
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
