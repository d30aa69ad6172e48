/**
 * `train-loop`: real `tsgan train` iterations — trainRun (src/node/train.ts) on MNIST with dcgan-step's model and
 * settings, so the two compare directly: the real loop adds the data batches, the noise, the metrics download (every
 * iteration's losses, scores and gradient norms read back to JavaScript), the D(G(z))-after-the-update pass and the
 * metrics.jsonl line of every logEvery-th iteration, the step event and the CLI's progress display (plain lines, as
 * on a pipe). Sample grids and checkpoints are off (trainRun writes one of each at the start and end, outside the
 * timed iterations); the run directory is a temporary one, removed afterwards.
 *
 * Its reference is dcgan-step, measured alternately with it on the same backend: the ratio is what the loop costs
 * on top of the bare step. An iteration's time is the interval between consecutive step events, so everything the
 * loop does counts; the figure is the mean over the timed iterations (not the median), so that the logged
 * iterations' extra work is included in proportion.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createProgress } from "../src/cli/progress.js";
import { resolveConfig, type Config } from "../src/core/config.js";
import { trainRun } from "../src/node/train.js";
import type { BenchmarkDefinition } from "./common.js";
import { dcganBenchmarkConfig } from "./dcgan-step.js";

/** sampleEvery / checkpointEvery value for "none but the ones at the start and the end of the run". */
const ONLY_AT_THE_ENDS = 0;

/** Runs warmup + steps real iterations on `backend`; returns the duration of each timed one (ms). */
async function timeTrainingIterations(
  backend: Config["backend"],
  batch: number,
  steps: number,
  warmup: number,
): Promise<number[]> {
  const config = resolveConfig({
    ...dcganBenchmarkConfig(batch),
    backend,
    steps: warmup + steps,
    sampleEvery: ONLY_AT_THE_ENDS,
    checkpointEvery: ONLY_AT_THE_ENDS,
  });
  const directory = mkdtempSync(join(tmpdir(), "tsgan-train-loop-"));
  const progress = createProgress(0, config.steps);
  const stepEnds: number[] = [];
  try {
    await trainRun({
      out: join(directory, "run"),
      config,
      log: () => {},
      onStep: (record) => {
        progress.update(record);
        stepEnds.push(performance.now());
      },
    });
  } finally {
    progress.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  // stepEnds[i] − stepEnds[i − 1]: the whole of iteration i + 1.
  return stepEnds.slice(warmup).map((end, index) => end - stepEnds[warmup + index - 1]!);
}

/** The benchmark definition used by bench/run.ts. */
export const trainLoop: BenchmarkDefinition = {
  name: "train-loop",
  reference: { benchmark: "dcgan-step" },
  // 30 timed iterations hold three logged ones (logEvery 10), as any 30 iterations of a run do.
  defaults: { batch: 64, steps: 30, warmup: 4 },
  // wasm and cpu would take minutes for a figure nobody needs: the loop's overhead is the question, not the engine.
  backends: ["native"],
  slowBackends: {},
  statistic: "mean",
  measureIterations: timeTrainingIterations,
};
