/**
 * Measures one benchmark on one backend in a fresh process (so peak RSS is this backend's alone) and prints one
 * JSON line (a Measurement). Backends: native, wasm, cpu. --profile (step benchmarks): a per-kernel profile of
 * 10 more steps on stderr (--shapes: per input shapes). Run by bench/run.ts:
 *   tsx bench/worker.ts <benchmark> <backend> <batch> <steps> <warmup> [--profile]
 * With TSGAN_BENCH_UNFUSED=1 the fused kernels (src/core/engine/fusedKernels.ts) are unregistered first, so tsgan's
 * BatchNorm, Adam, gradient norm and biased convolutions run op by op as on the other backends: what the fused kernels are worth
 * (TSGAN_BENCH_UNFUSED=TsganAdam,... names the ones to drop).
 */
import { FUSED_KERNELS } from "../src/core/engine/fusedKernels.js";
import { tf } from "../src/core/engine/tf.js";
import { selectBackend } from "../src/node/engine/select.js";
import { BENCHMARKS } from "./benchmarks.js";
import type { Config } from "../src/core/config.js";
import { median, peakRssMb, round1, type Measurement } from "./common.js";
import { formatProfile, profileKernels, type Profile } from "./profile.js";

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
/** TSGAN_BENCH_UNFUSED: "1" for every fused kernel, or a comma-separated list of kernel names. */
const unfused = process.env["TSGAN_BENCH_UNFUSED"];
if (unfused !== undefined && unfused !== "") {
  const names: readonly string[] = unfused === "1" ? FUSED_KERNELS : unfused.split(",");
  for (const kernelName of names) tf.unregisterKernel(kernelName, backend);
}
/** Times the benchmark's steps (its own loop, or the worker's around StepRunner.step). */
async function timeSteps(): Promise<{
  times: number[];
  cpuMsPerStep?: number;
  losses?: [number, number];
  profile?: Profile;
}> {
  if (definition!.measureIterations) {
    return { times: await definition!.measureIterations(backend as Config["backend"], batch, steps, warmup) };
  }
  const runner = definition!.create!(batch);
  const times: number[] = [];
  let losses: [number, number] = [Number.NaN, Number.NaN];
  let cpuAtWarmup = process.cpuUsage();
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) cpuAtWarmup = process.cpuUsage();
    const start = performance.now();
    losses = runner.step();
    if (i >= warmup) times.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuAtWarmup);
  const profile = flags.includes("--profile")
    ? profileKernels(tf.getBackend(), () => void runner.step(), PROFILE_STEPS, flags.includes("--shapes"))
    : undefined;
  runner.dispose();
  return { times, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps, losses, ...(profile ? { profile } : {}) };
}

const { times, cpuMsPerStep, losses, profile } = await timeSteps();
const medianMs = median(times);
const meanMs = times.reduce((sum, time) => sum + time, 0) / times.length;
const gflop = definition.gflopPerStep?.(batch);
const measurement: Measurement = {
  engine: `tsgan-${backend}`,
  benchmark: definition.name,
  batch,
  steps,
  warmup,
  median_ms: round1(medianMs),
  mean_ms: round1(meanMs),
  min_ms: round1(Math.min(...times)),
  max_ms: round1(Math.max(...times)),
  ...(cpuMsPerStep === undefined ? {} : { cpu_ms: round1(cpuMsPerStep) }),
  peak_rss_mb: peakRssMb(),
  ...(gflop === undefined ? {} : { gflop_per_s: round1(gflop / (medianMs / 1000)) }),
  ...(losses === undefined ? {} : { losses }),
};
if (profile) {
  process.stderr.write(`${formatProfile(profile, 40)}\n`);
  (measurement as Measurement & { profile?: unknown }).profile = profile;
}
process.stdout.write(`${JSON.stringify(measurement)}\n`);
