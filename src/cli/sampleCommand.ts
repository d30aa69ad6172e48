/**
 * `tsgan sample`: new samples from a run's checkpoint — a PNG grid for images, an SVG plot for toys.
 * G runs in inference mode with noise from the prior it was trained with.
 */
import { extname, join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { resolveConfig } from "../core/config.js";
import { dataShape } from "../core/data/dataset.js";
import type { BackendName } from "../core/engine/backend.js";
import { Rng } from "../core/engine/random.js";
import { restoreCheckpoint } from "../core/training/checkpoint.js";
import { createGan, disposeGan } from "../core/training/gan.js";
import { sampleNoise } from "../core/training/noise.js";
import { selectBackend } from "../node/engine/select.js";
import { RunDirectory, RunError, stepName } from "../node/run/runDirectory.js";
import { writeSamplePicture } from "../node/run/samples.js";
import { loadDatasetFor } from "../node/train.js";

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError("not a positive integer");
  return parsed;
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("not a non-negative integer");
  return parsed;
}

/** The largest seed drawn when none is given (2^31 keeps it readable and exact in every JSON tool). */
const MAX_RANDOM_SEED = 2 ** 31;

export function sampleCommand(): Command {
  return new Command("sample")
    .description("write a grid of new samples (or a real-vs-generated plot for toy data) from a run's checkpoint")
    .requiredOption("--run <dir>", "run directory written by tsgan train")
    .option("--checkpoint <step>", "checkpoint step (default: the latest)", nonNegativeInteger)
    .option("--count <n>", "number of samples", positiveInteger, 64)
    .option("--seed <n>", "noise seed (default: random, printed so the grid can be reproduced)", nonNegativeInteger)
    .option(
      "--out <file>",
      "output file: .png for images, .svg for toys (default: <run>/samples/sample_<step>.png|svg)",
    )
    .addOption(new Option("--backend <name>", "engine").choices(["auto", "native", "wasm", "cpu"]).default("auto"))
    .action(
      async (options: {
        run: string;
        checkpoint?: number;
        count: number;
        seed?: number;
        out?: string;
        backend: BackendName;
      }) => {
        const run = await RunDirectory.open(options.run);
        const { manifest, tensors } = await run.readCheckpoint(options.checkpoint);
        const config = resolveConfig(manifest.config);
        const dataset = loadDatasetFor(config);
        const extension = dataset.kind === "images" ? ".png" : ".svg";
        const out = options.out ?? join(run.samplesDir, `sample_${stepName(manifest.step)}${extension}`);
        if (extname(out).toLowerCase() !== extension) {
          throw new RunError(`--out ${out}: this run's samples are written as ${extension} files`);
        }
        await selectBackend(options.backend);
        const gan = createGan(config, dataShape(dataset));
        try {
          restoreCheckpoint(gan, manifest, tensors, { weightsOnly: true });
          const seed = options.seed ?? Math.floor(Math.random() * MAX_RANDOM_SEED);
          const noise = sampleNoise(config, options.count, Rng.derive(seed, "sample"));
          await writeSamplePicture(gan, dataset, noise, out, `${config.dataset}, step ${manifest.step}, seed ${seed}`);
          noise.dispose();
          console.error(`tsgan: wrote ${options.count} samples from step ${manifest.step} (seed ${seed}) to ${out}`);
        } finally {
          disposeGan(gan);
        }
      },
    );
}
