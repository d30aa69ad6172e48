/**
 * Measures one benchmark on one backend in a fresh process (so peak RSS is this backend's alone) and prints one
 * JSON line (a Measurement). Backends: native, wasm, cpu. Run by bench/run.ts:
 *   tsx bench/worker.ts <benchmark> <backend> <batch> <steps> <warmup> [--profile]
 * With TSGAN_BENCH_UNFUSED=1 the fused kernels (src/core/engine/fusedKernels.ts) are unregistered first, so tsgan's
 * BatchNorm and Adam run op by op as on the other backends: what the fused kernels are worth.
 */
import { ADAM_KERNEL, BATCH_NORM_TRAINING_KERNEL } from "../src/core/engine/fusedKernels.js";
import { tf } from "../src/core/engine/tf.js";
import { selectBackend } from "../src/node/engine/select.js";
import { BENCHMARKS } from "./benchmarks.js";
import { median, peakRssMb, round1, type Measurement } from "./common.js";
import { formatProfile, profileKernels } from "./profile.js";

const [benchmarkName, backend, batchText, stepsText, warmupText, ...flags] = process.argv.slice(2);
const definition = BENCHMARKS.find((candidate) => candidate.name === benchmarkName);
if (definition === undefined || backend === undefined) {
  throw new Error("usage: worker.ts <benchmark> <backend> <batch> <steps> <warmup> [--profile]");
}
const batch = Number(batchText);
const steps = Number(stepsText);
const warmup = Number(warmupText);
const PROFILE_STEPS = 10;

const selected = await selectBackend(backend as Parameters<typeof selectBackend>[0], () => {});
if (selected !== backend) throw new Error(`backend ${backend} unavailable (got ${selected})`);
if (process.env["TSGAN_BENCH_UNFUSED"] === "1") {
  for (const kernelName of [ADAM_KERNEL, BATCH_NORM_TRAINING_KERNEL]) tf.unregisterKernel(kernelName, backend);
}
const runner = definition.create(batch);
const times: number[] = [];
let losses: [number, number] = [Number.NaN, Number.NaN];
for (let i = 0; i < warmup + steps; i++) {
  const start = performance.now();
  losses = runner.step();
  if (i >= warmup) times.push(performance.now() - start);
}
const medianMs = median(times);
const gflop = definition.gflopPerStep?.(batch);
const measurement: Measurement = {
  engine: `tsgan-${backend}`,
  benchmark: definition.name,
  batch,
  steps,
  warmup,
  median_ms: round1(medianMs),
  min_ms: round1(Math.min(...times)),
  max_ms: round1(Math.max(...times)),
  peak_rss_mb: peakRssMb(),
  ...(gflop === undefined ? {} : { gflop_per_s: round1(gflop / (medianMs / 1000)) }),
  losses,
};
if (flags.includes("--profile")) {
  const profile = profileKernels(tf.getBackend(), () => void runner.step(), PROFILE_STEPS, flags.includes("--shapes"));
  process.stderr.write(`${formatProfile(profile, 40)}\n`);
  (measurement as Measurement & { profile?: unknown }).profile = profile;
}
runner.dispose();
process.stdout.write(`${JSON.stringify(measurement)}\n`);
