/**
 * `npm run bench [-- <benchmark>...] [options]`: tsgan's training steps on every available backend, side by side
 * with the PyTorch peers in ../shared/peers/ (when `/usr/bin/python3 -c "import torch"` works).
 *
 * Every measurement runs in a fresh process (peak RSS is that engine's alone). tsgan and the peer alternate
 * (A B A B ...) for `--rounds` rounds; the reported figure per engine is the median of its per-round medians,
 * next to its fastest single step ("best", close to the uncontended time when other processes load the cores).
 * Results go to the terminal and to bench/results/<date>.json. `TSGAN_BENCH_UNFUSED=1 npm run bench ...` measures
 * the native engine without its fused BatchNorm and Adam kernels (bench/worker.ts).
 *
 * Options:
 *   --backends native,wasm,cpu   tsgan engines to measure (default: all; unavailable ones are reported)
 *   --rounds N                   alternations of tsgan-native and the peer (default 3)
 *   --steps N --warmup N         override the benchmark's step counts (default: the peer's defaults)
 *   --batch N                    batch size (default: the peer's)
 *   --threads N                  threads for tsgan (TSGAN_NUM_THREADS) and the peer (THREADS); default: all cores
 *   --include-slow               also run backends marked too slow (the stock cpu backend on dcgan-step)
 *   --no-peer                    skip PyTorch
 *   --profile                    print a per-kernel profile of the native step (10 extra steps)
 *   --out FILE                   JSON output path (default bench/results/<ISO date>.json)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { BENCHMARKS } from "./benchmarks.js";
import { median, round1, type BenchmarkDefinition, type Measurement, type Sampling } from "./common.js";

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const PEERS_DIRECTORY = resolve(benchDirectory, "../../shared/peers");
const PEER_PYTHON = "/usr/bin/python3";
const DEFAULT_BACKENDS = ["native", "wasm", "cpu"];
const DEFAULT_ROUNDS = 3;

interface Options {
  names: string[];
  backends: string[];
  rounds: number;
  steps?: number;
  warmup?: number;
  batch?: number;
  threads: number;
  includeSlow: boolean;
  peer: boolean;
  profile: boolean;
  out?: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    names: [],
    backends: DEFAULT_BACKENDS,
    rounds: DEFAULT_ROUNDS,
    threads: cpus().length,
    includeSlow: false,
    peer: true,
    profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === "--backends") options.backends = value().split(",");
    else if (argument === "--rounds") options.rounds = Number(value());
    else if (argument === "--steps") options.steps = Number(value());
    else if (argument === "--warmup") options.warmup = Number(value());
    else if (argument === "--batch") options.batch = Number(value());
    else if (argument === "--threads") options.threads = Number(value());
    else if (argument === "--include-slow") options.includeSlow = true;
    else if (argument === "--no-peer") options.peer = false;
    else if (argument === "--profile") options.profile = true;
    else if (argument === "--out") options.out = value();
    else if (argument.startsWith("--")) throw new Error(`unknown option ${argument}`);
    else options.names.push(argument);
  }
  for (const name of options.names) {
    if (!BENCHMARKS.some((benchmark) => benchmark.name === name)) {
      throw new Error(`unknown benchmark ${name} (known: ${BENCHMARKS.map((benchmark) => benchmark.name).join(", ")})`);
    }
  }
  return options;
}

/** Runs a command that prints one JSON line last; returns it parsed, or the failure as a note. */
function runJson(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { result?: Measurement; error?: string; stderr: string } {
  const child = spawnSync(command, args, { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  const lines = (child.stdout ?? "").trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (child.status === 0 && last.startsWith("{"))
    return { result: JSON.parse(last) as Measurement, stderr: child.stderr };
  const reason = (child.stderr ?? "")
    .trim()
    .split("\n")
    .filter((line) => !line.startsWith("npm warn"))
    .slice(-3)
    .join(" | ");
  return { error: reason || `exit ${child.status}`, stderr: child.stderr };
}

function measureTsgan(
  definition: BenchmarkDefinition,
  backend: string,
  batch: number,
  sampling: Sampling,
  options: Options,
  profile: boolean,
) {
  const args = [
    "--import",
    "tsx",
    join(benchDirectory, "worker.ts"),
    definition.name,
    backend,
    String(batch),
    String(sampling.steps),
    String(sampling.warmup),
  ];
  if (profile) args.push("--profile");
  const env = { ...process.env, TSGAN_NUM_THREADS: String(options.threads) };
  return runJson(process.execPath, args, env);
}

function measurePeer(definition: BenchmarkDefinition, batch: number, sampling: Sampling, options: Options) {
  const env = {
    ...process.env,
    BATCH: String(batch),
    STEPS: String(sampling.steps),
    WARMUP: String(sampling.warmup),
    THREADS: String(options.threads),
  };
  return runJson(PEER_PYTHON, [join(PEERS_DIRECTORY, definition.peerScript)], env);
}

function peerAvailable(): boolean {
  return spawnSync(PEER_PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;
}

/** Summary of one engine over the rounds. */
interface EngineSummary {
  engine: string;
  median_ms?: number;
  /** The fastest single step over all rounds: close to the uncontended time when other processes share the cores. */
  best_ms?: number;
  round_medians_ms: number[];
  gflop_per_s?: number;
  peak_rss_mb?: number;
  note?: string;
}

function summarise(
  engine: string,
  runs: Measurement[],
  gflopPerStep: number | undefined,
  note?: string,
): EngineSummary {
  if (runs.length === 0) return { engine, round_medians_ms: [], ...(note === undefined ? {} : { note }) };
  const medians = runs.map((run) => run.median_ms);
  const medianMs = round1(median(medians));
  return {
    engine,
    median_ms: medianMs,
    best_ms: Math.min(...runs.map((run) => run.min_ms)),
    round_medians_ms: medians,
    ...(gflopPerStep === undefined ? {} : { gflop_per_s: round1(gflopPerStep / (medianMs / 1000)) }),
    peak_rss_mb: Math.max(...runs.map((run) => run.peak_rss_mb)),
    ...(note === undefined ? {} : { note }),
  };
}

function runBenchmark(definition: BenchmarkDefinition, options: Options, withPeer: boolean) {
  const batch = options.batch ?? definition.defaults.batch;
  const base: Sampling = {
    steps: options.steps ?? definition.defaults.steps,
    warmup: options.warmup ?? definition.defaults.warmup,
  };
  const gflop = definition.gflopPerStep?.(batch);
  const runs = new Map<string, Measurement[]>();
  const notes = new Map<string, string>();
  const record = (engine: string, outcome: { result?: Measurement; error?: string }) => {
    if (outcome.result) runs.set(engine, [...(runs.get(engine) ?? []), outcome.result]);
    else notes.set(engine, `failed: ${outcome.error}`);
  };
  console.log(
    `\n== ${definition.name} (batch ${batch}, ${base.steps} steps after ${base.warmup} warm-up, ${options.threads} threads) ==`,
  );
  for (let round = 0; round < options.rounds; round++) {
    for (const backend of options.backends) {
      const slow = definition.slowBackends[backend];
      const engine = `tsgan-${backend}`;
      if (notes.has(engine)) continue;
      if (slow?.skipByDefault && !options.includeSlow) {
        notes.set(
          engine,
          "skipped: too slow (the stock cpu Conv2DBackpropFilter is a naive loop, minutes per step); --include-slow runs it",
        );
        continue;
      }
      // Slow backends: one round, fewer steps.
      if (slow !== undefined && round > 0) continue;
      const sampling = slow === undefined ? base : { steps: slow.steps, warmup: slow.warmup };
      const profile = options.profile && backend.startsWith("native") && round === 0;
      const outcome = measureTsgan(definition, backend, batch, sampling, options, profile);
      if (profile)
        process.stderr.write(
          outcome.stderr
            .split("\n")
            .filter((line) => !line.startsWith("npm warn"))
            .join("\n"),
        );
      record(engine, outcome);
      if (outcome.result)
        console.log(
          `  round ${round + 1} ${engine.padEnd(20)} ${outcome.result.median_ms} ms/step (${sampling.steps} steps)`,
        );
      else console.log(`  round ${round + 1} ${engine.padEnd(20)} ${notes.get(engine)}`);
    }
    if (withPeer) {
      const outcome = measurePeer(definition, batch, base, options);
      record("pytorch", outcome);
      console.log(
        `  round ${round + 1} ${"pytorch".padEnd(20)} ${outcome.result ? `${outcome.result.median_ms} ms/step` : `failed: ${outcome.error}`}`,
      );
    }
  }
  const engines = [...options.backends.map((backend) => `tsgan-${backend}`), ...(withPeer ? ["pytorch"] : [])];
  const summaries = engines.map((engine) => summarise(engine, runs.get(engine) ?? [], gflop, notes.get(engine)));
  const peerMs = summaries.find((summary) => summary.engine === "pytorch")?.median_ms;
  const peerBestMs = summaries.find((summary) => summary.engine === "pytorch")?.best_ms;
  const bestRatio = (summary: EngineSummary) =>
    summary.best_ms !== undefined && peerBestMs !== undefined ? (summary.best_ms / peerBestMs).toFixed(2) : "";
  console.log(
    `  ${"engine".padEnd(20)} ${"ms/step".padStart(9)} ${"× peer".padStart(8)} ${"GFLOP/s".padStart(8)} ${"RSS MB".padStart(7)} ${"best ms".padStart(8)} ${"best ×".padStart(7)}`,
  );
  for (const summary of summaries) {
    const ratio =
      summary.median_ms !== undefined && peerMs !== undefined ? (summary.median_ms / peerMs).toFixed(2) : "";
    const line =
      summary.median_ms === undefined
        ? `  ${summary.engine.padEnd(20)} ${summary.note ?? "no result"}`
        : `  ${summary.engine.padEnd(20)} ${String(summary.median_ms).padStart(9)} ${ratio.padStart(8)} ${String(summary.gflop_per_s ?? "").padStart(8)} ${String(summary.peak_rss_mb).padStart(7)} ${String(summary.best_ms).padStart(8)} ${bestRatio(summary).padStart(7)}`;
    console.log(line);
  }
  return {
    benchmark: definition.name,
    batch,
    sampling: base,
    gflop_per_step: gflop,
    engines: summaries,
    ratio_native_to_peer:
      peerMs !== undefined && summaries[0]?.engine === "tsgan-native" && summaries[0].median_ms !== undefined
        ? Math.round((summaries[0].median_ms / peerMs) * 1000) / 1000
        : undefined,
    runs: Object.fromEntries(runs),
  };
}

const options = parseOptions(process.argv.slice(2));
const selected =
  options.names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((benchmark) => options.names.includes(benchmark.name));
const withPeer = options.peer && peerAvailable();
if (options.peer && !withPeer)
  console.log(`PyTorch peer not available (${PEER_PYTHON} cannot import torch): tsgan only`);
const startedAt = new Date();
const loadBefore = loadavg();
const results = selected.map((definition) => runBenchmark(definition, options, withPeer));
const report = {
  date: startedAt.toISOString(),
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    load_average_before: loadBefore,
    load_average_after: loadavg(),
  },
  threads: options.threads,
  rounds: options.rounds,
  results,
};
const out = options.out ?? join(benchDirectory, "results", `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${out}`);
