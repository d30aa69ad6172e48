/**
 * `tsgan sample`: new samples from a run's checkpoint — a PNG grid for images, an SVG plot for toys, or the samples
 * themselves for other tools: `--out x.npy` (images float32 [N, H, W, C] in [0, 1], toys [N, D]), `--out x.csv` (toys).
 * G runs in inference mode with noise from the prior it was trained with; a run with `generatorEma` samples from its
 * EMA generator unless --raw-generator is given. A conditional run draws the class --class asks for, or without it
 * a grid with one row per class. `--sampler rejection` (or a run whose config says so) keeps G's samples by
 * Discriminator Rejection Sampling (src/core/training/rejection.ts) after calibrating D in memory.
 */
import { extname, join } from "node:path";
import { Command } from "commander";
import {
  ConfigError,
  NODE_BACKEND_NAMES,
  resolveConfig,
  SAMPLER_NAMES,
  whyNoRejectionSampling,
  type BackendName,
  type SamplerName,
} from "../core/config.js";
import { Rng } from "../core/engine/random.js";
import { disposeGan } from "../core/training/gan.js";
import { describeRejection, rejectionSampleGan } from "../core/training/rejection.js";
import { SAMPLE_PURPOSE } from "../core/training/sampling.js";
import { openGan } from "../node/run/openGan.js";
import { RunDirectory, RunError, stepName } from "../node/run/runDirectory.js";
import { randomSampleInputs, writePictureOfSamples, writeSamplePicture } from "../node/run/samples.js";
import { sampleArrayFormat, writeArrayOfSamples, writeSampleArray } from "../node/export/sampleArrays.js";
import { loadDatasetFor } from "../node/train.js";
import { choiceOption, nonNegativeInteger, positiveInteger, unitFraction } from "./options.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** The largest seed drawn when none is given (2^31 keeps it readable and exact in every JSON tool). */
const MAX_RANDOM_SEED = 2 ** 31;

export function sampleCommand(): Command {
  return new Command("sample")
    .description(COMMAND_DESCRIPTIONS.sample)
    .requiredOption("--run <dir>", "run directory written by tsgan train")
    .option("--checkpoint <step>", "checkpoint step (default: the latest)", nonNegativeInteger)
    .option("--count <n>", "number of samples", positiveInteger, 64)
    .option("--seed <n>", "noise seed (default: random, printed so the grid can be reproduced)", nonNegativeInteger)
    .option(
      "--out <file>",
      "output file: .png for images, .svg for toys, .npy (NumPy) for either, .csv for toys (default: <run>/samples/sample_<step>.png|svg)",
    )
    .option(
      "--class <label>",
      "conditional runs: draw only this class (default: a grid with one row per class)",
      nonNegativeInteger,
    )
    .option("--raw-generator", "sample from G itself, not the EMA of its weights (runs with --generator-ema)", false)
    .addOption(
      choiceOption(
        "--sampler <name>",
        "direct, or rejection: Discriminator Rejection Sampling after calibrating D in memory (default: the run's sampler)",
        SAMPLER_NAMES,
      ),
    )
    .option(
      "--rejection-quantile <q>",
      "rejection sampling with DRS's γ shift: γ = the q-quantile of F per 1 000 proposals (default: the run's rejectionQuantile; none = the exact rule)",
      unitFraction,
    )
    .option(
      "--rejection-calibration-steps <n>",
      "rejection sampling: D-only steps with the cross-entropy loss before sampling (default: the run's rejectionCalibrationSteps; a D not trained with that loss needs some)",
      nonNegativeInteger,
    )
    .addOption(choiceOption("--backend <name>", "engine", NODE_BACKEND_NAMES).default("auto"))
    .action(
      async (options: {
        run: string;
        checkpoint?: number;
        count: number;
        seed?: number;
        out?: string;
        rawGenerator: boolean;
        class?: number;
        sampler?: SamplerName;
        rejectionQuantile?: number;
        rejectionCalibrationSteps?: number;
        backend: BackendName;
      }) => {
        const run = await RunDirectory.open(options.run);
        const checkpoint = await run.readCheckpoint(options.checkpoint);
        const config = resolveConfig(checkpoint.manifest.config);
        const dataset = loadDatasetFor(config);
        const extension = dataset.kind === "images" ? ".png" : ".svg";
        const out = options.out ?? join(run.samplesDir, `sample_${stepName(checkpoint.manifest.step)}${extension}`);
        const arrayFormat = sampleArrayFormat(out, dataset.kind);
        if (!arrayFormat && extname(out).toLowerCase() !== extension) {
          const formats = dataset.kind === "images" ? ".png or .npy" : ".svg, .npy or .csv";
          throw new RunError(`--out ${out}: this run's samples are written as ${formats} files`);
        }
        const sampler = options.sampler ?? config.sampler;
        if (sampler === "rejection") {
          const reason = whyNoRejectionSampling(config, options.rejectionCalibrationSteps);
          if (reason !== null) throw new ConfigError(reason);
          if (options.class !== undefined)
            throw new ConfigError("--class: rejection sampling is for unconditional runs");
        }
        const { gan, manifest } = await openGan(run, { checkpoint, backend: options.backend, weightsOnly: true });
        try {
          const seed = options.seed ?? Math.floor(Math.random() * MAX_RANDOM_SEED);
          const which = gan.generatorEma && !options.rawGenerator ? "EMA generator" : "generator";
          if (sampler === "rejection") {
            // rejectionSampleGan's default key, (seed, SAMPLE_PURPOSE): the library call with this seed draws the same.
            const drawn = rejectionSampleGan(gan, dataset, options.count, {
              seed,
              rawGenerator: options.rawGenerator,
              ...(options.rejectionQuantile !== undefined ? { quantile: options.rejectionQuantile } : {}),
              ...(options.rejectionCalibrationSteps !== undefined
                ? { calibrationSteps: options.rejectionCalibrationSteps }
                : {}),
            });
            const title = `${config.dataset}, step ${manifest.step}, seed ${seed}, ${which}, rejection sampling`;
            if (arrayFormat) await writeArrayOfSamples(gan, drawn.samples, out, arrayFormat);
            else await writePictureOfSamples(gan, dataset, drawn.samples, out, title);
            console.error(
              `tsgan: wrote ${options.count} samples of the ${which} from step ${manifest.step} (seed ${seed}) to ${out}, ` +
                describeRejection(drawn),
            );
            return;
          }
          const { noise, choice } = randomSampleInputs(
            config,
            options.count,
            Rng.derive(seed, SAMPLE_PURPOSE), // the key sampleGan uses: library and CLI draw the same samples
            options.class,
          );
          const ofClass = options.class === undefined ? "" : ` of class ${options.class}`;
          const title = `${config.dataset}${ofClass}, step ${manifest.step}, seed ${seed}, ${which}`;
          const count = noise.shape[0]!;
          const drawn = { ...choice, rawGenerator: options.rawGenerator };
          // A conditional run's classes go beside the samples (samples.labels.npy, or a CSV column).
          if (arrayFormat) await writeSampleArray(gan, noise, out, arrayFormat, drawn);
          else await writeSamplePicture(gan, dataset, noise, out, title, drawn);
          noise.dispose();
          console.error(
            `tsgan: wrote ${count} samples${ofClass} of the ${which} from step ${manifest.step} (seed ${seed}) to ${out}`,
          );
        } finally {
          disposeGan(gan);
        }
      },
    );
}
