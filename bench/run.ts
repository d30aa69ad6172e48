/**
 * `npm run bench [-- <benchmark>...] [options]`: tsgan's training steps on every available backend, each beside its
 * reference: dcgan-step and mlp-step beside the PyTorch peers in ../shared/peers/ (when
 * `/usr/bin/python3 -c "import torch"` works), train-loop (real `tsgan train` iterations) beside dcgan-step.
 *
 * Every measurement runs in a fresh process (peak RSS is that engine's alone). tsgan and the reference alternate
 * (A B A B ...) for `--rounds` rounds; the reported figure per engine is the median of its per-round figures (the
 * median step, or for train-loop the mean iteration), next to its fastest single step ("best", close to the
 * uncontended time when other processes load the cores); "× ref" divides by the reference's. Below the table, each
 * engine's ratio round by round (its round's figure over the reference's in the same round): median and range.
 * Results go to the terminal and to bench/results/<date>.json. `TSGAN_BENCH_UNFUSED=1 npm run bench ...` measures
 * the native engine without its fused kernels (bench/worker.ts).
 *
 * Options:
 *   --backends native,wasm,cpu   tsgan engines to measure (default: all; unavailable ones are reported)
 *   --rounds N                   alternations of tsgan and the reference (default 3)
 *   --steps N --warmup N         override the benchmark's step counts (default: the peer's defaults)
 *   --batch N                    batch size (default: the peer's)
 *   --threads N                  threads for tsgan (TSGAN_NUM_THREADS) and the peer (THREADS); default: all cores
 *   --include-slow               also run backends marked too slow (the stock cpu backend on dcgan-step)
 *   --no-peer                    skip PyTorch
 *   TSGAN_PEERS_DIR=DIR          where the peers' scripts are (default ../shared/peers beside the checkout)
 *   --profile                    print a per-kernel profile of the native step (10 extra steps)
 *   --out FILE                   JSON output path (default bench/results/<ISO date>.json)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Command, CommanderError } from "commander";
import { commaList, nonNegativeInteger, positiveInteger } from "../src/cli/options.js";
import { BENCHMARKS } from "./benchmarks.js";
import { median, type BenchmarkDefinition, type Measurement, type Sampling } from "./common.js";
import { ENGINE_COLUMN, pairedRatios, printPairedRatios, printTable, summarise, withoutNpmNotices } from "./report.js";

const benchDirectory = dirname(fileURLToPath(import.meta.url));
/** The peers' scripts: ../shared/peers next to the checkout, or TSGAN_PEERS_DIR (e.g. from a git worktree). */
const PEERS_DIRECTORY = process.env["TSGAN_PEERS_DIR"] ?? resolve(benchDirectory, "../../shared/peers");
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

/** Exit status for a bad flag or benchmark name, as the tsgan CLI's usage errors (src/cli/main.ts). */
const EXIT_USAGE = 2;

/**
 * The flags, parsed by commander with the CLI's value parsers (src/cli/options.ts): an unknown flag, a bad value or an
 * unknown benchmark ends with one line on stderr and exit status 2; --help lists everything.
 */
function benchCommand(): Command {
  const known = BENCHMARKS.map((benchmark) => benchmark.name);
  return new Command("npm run bench --")
    .description("tsgan's training steps on every available backend, each beside its reference")
    .argument("[benchmarks...]", `benchmarks to run (default: all): ${known.join(", ")}`)
    .option("--backends <list>", "tsgan engines to measure, comma-separated", commaList, DEFAULT_BACKENDS)
    .option("--rounds <n>", "alternations of tsgan and the reference", positiveInteger, DEFAULT_ROUNDS)
    .option("--steps <n>", "timed steps (default: the peer's)", positiveInteger)
    .option("--warmup <n>", "untimed steps first (default: the peer's)", nonNegativeInteger)
    .option("--batch <n>", "batch size (default: the peer's)", positiveInteger)
    .option("--threads <n>", "threads for tsgan and the peer", positiveInteger, cpus().length)
    .option("--include-slow", "also run backends marked too slow (the stock cpu backend on dcgan-step)", false)
    .option("--no-peer", "skip PyTorch")
    .option("--profile", "print a per-kernel profile of the native step (10 extra steps)", false)
    .option("--out <file>", "JSON output path (default: bench/results/<ISO date>.json)")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`bench: ${text.replace(/^error: /, "")}`) })
    .action(function (this: Command, names: string[]) {
      const unknown = names.find((name) => !known.includes(name));
      if (unknown !== undefined) this.error(`unknown benchmark ${unknown} (known: ${known.join(", ")})`);
    });
}

/** The options from `argv` (without node and the script); exits with EXIT_USAGE after printing a usage error. */
function parseOptions(argv: string[]): Options {
  const command = benchCommand();
  try {
    command.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE); // commander printed it
    throw error;
  }
  const flags = command.opts<Omit<Options, "names">>();
  return { ...flags, names: command.processedArgs[0] as string[] };
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

function measurePeer(peerScript: string, batch: number, sampling: Sampling, options: Options) {
  const env = {
    ...process.env,
    BATCH: String(batch),
    STEPS: String(sampling.steps),
    WARMUP: String(sampling.warmup),
    THREADS: String(options.threads),
  };
  return runJson(PEER_PYTHON, [join(PEERS_DIRECTORY, peerScript)], env);
}

function peerAvailable(): boolean {
  return spawnSync(PEER_PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;
}

type Outcome = ReturnType<typeof runJson>;

/** A benchmark's reference as an engine of its table: measured once per round, after tsgan's engines. */
interface ReferenceEngine {
  engine: string;
  measure(batch: number, sampling: Sampling): Outcome;
}

function referenceEngine(
  definition: BenchmarkDefinition,
  backends: string[],
  options: Options,
  withPeer: boolean,
): ReferenceEngine | undefined {
  const reference = definition.reference;
  if ("peerScript" in reference) {
    if (!withPeer) return undefined;
    return {
      engine: "pytorch",
      measure: (batch, sampling) => measurePeer(reference.peerScript, batch, sampling, options),
    };
  }
  const target = BENCHMARKS.find((benchmark) => benchmark.name === reference.benchmark);
  const backend = backends[0];
  if (target === undefined || backend === undefined) return undefined;
  return {
    engine: `${target.name} (tsgan-${backend})`,
    measure: (batch, sampling) => measureTsgan(target, backend, batch, sampling, options, false),
  };
}

function runBenchmark(definition: BenchmarkDefinition, options: Options, withPeer: boolean) {
  const batch = options.batch ?? definition.defaults.batch;
  const base: Sampling = {
    steps: options.steps ?? definition.defaults.steps,
    warmup: options.warmup ?? definition.defaults.warmup,
  };
  const statistic = definition.statistic ?? "median";
  const figure = (run: Measurement) => (statistic === "mean" ? (run.mean_ms ?? run.median_ms) : run.median_ms);
  const backends = options.backends.filter((backend) => definition.backends?.includes(backend) ?? true);
  const reference = referenceEngine(definition, backends, options, withPeer);
  const runs = new Map<string, Measurement[]>();
  const notes = new Map<string, string>();
  const record = (round: number, engine: string, outcome: Outcome, steps: number) => {
    if (outcome.result) runs.set(engine, [...(runs.get(engine) ?? []), outcome.result]);
    else notes.set(engine, `failed: ${outcome.error}`);
    const shown = outcome.result ? `${figure(outcome.result)} ms/step (${steps} steps)` : notes.get(engine);
    console.log(`  round ${round + 1} ${engine.padEnd(ENGINE_COLUMN)} ${shown}`);
  };
  console.log(
    `\n== ${definition.name} (batch ${batch}, ${base.steps} steps after ${base.warmup} warm-up, ` +
      `${options.threads} threads; ${statistic} per step) ==`,
  );
  for (let round = 0; round < options.rounds; round++) {
    for (const backend of backends) {
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
      const profile = options.profile && backend === "native" && round === 0 && definition.create !== undefined;
      const outcome = measureTsgan(definition, backend, batch, sampling, options, profile);
      if (profile) process.stderr.write(withoutNpmNotices(outcome.stderr));
      record(round, engine, outcome, sampling.steps);
    }
    if (reference) record(round, reference.engine, reference.measure(batch, base), base.steps);
  }
  const engines = [...backends.map((backend) => `tsgan-${backend}`), ...(reference ? [reference.engine] : [])];
  const summaries = engines.map((engine) => {
    const engineRuns = runs.get(engine) ?? [];
    return summarise(engine, engineRuns, engineRuns.map(figure), definition.gflopPerStep?.(batch), notes.get(engine));
  });
  printTable(summaries, reference?.engine);
  printPairedRatios(summaries, reference?.engine);
  const referenceSummary = summaries.find((summary) => summary.engine === reference?.engine);
  const nativeSummary = summaries.find((summary) => summary.engine === "tsgan-native");
  const referenceMs = referenceSummary?.median_ms;
  const nativeMs = nativeSummary?.median_ms;
  const nativePaired = nativeSummary ? pairedRatios(nativeSummary, referenceSummary) : undefined;
  return {
    benchmark: definition.name,
    batch,
    sampling: base,
    statistic,
    reference: reference?.engine,
    gflop_per_step: definition.gflopPerStep?.(batch),
    engines: summaries,
    ratio_native_to_reference:
      referenceMs !== undefined && nativeMs !== undefined
        ? Math.round((nativeMs / referenceMs) * 1000) / 1000
        : undefined,
    paired_ratio_native_to_reference:
      nativePaired === undefined ? undefined : Math.round(median(nativePaired) * 1000) / 1000,
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
