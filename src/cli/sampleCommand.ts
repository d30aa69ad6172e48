/**
 * `tsgan sample`: new samples from a run's checkpoint — a PNG grid for images, an SVG plot for toys, or the samples
 * themselves for other tools: `--out x.npy` (images float32 [N, H, W, C] in [0, 1], toys [N, D]), `--out x.csv` (toys).
 * G runs in inference mode with noise from the prior it was trained with; a run with `generatorEma` samples from its
 * EMA generator unless --raw-generator is given. A conditional run draws the class --class asks for, or without it
 * a grid with one row per class. `--sampler rejection` (or a run whose config says so) keeps G's samples by
 * Discriminator Rejection Sampling (src/core/training/rejection.ts) after calibrating D in memory.
 */
import { Command } from "commander";
import { NODE_BACKEND_NAMES, SAMPLER_NAMES } from "../core/config.js";
import { choiceOption, nonNegativeInteger, positiveInteger, unitFraction } from "./options.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";
import type { SampleOptions } from "./sampleAction.js";

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
    .action(async (options: SampleOptions) => (await import("./sampleAction.js")).sample(options));
}
