/**
 * `tsgan train`: flags → config layers → trainRun. Precedence, later wins:
 * schema defaults < the dataset's preset < --config file < flags.
 */
import { Command, Option } from "commander";
import {
  ConfigError,
  ConfigSchema,
  DATASET_HINT,
  NODE_BACKEND_NAMES,
  configChoices,
  type Config,
} from "../core/config.js";
import { configFromLayers } from "../core/presets.js";
import { readConfigFile } from "../node/configFile.js";
import type { TrainRunOptions } from "../node/train.js";
import { commaList, finiteNumber, integer, onOff } from "./options.js";
import { createProgress, type Progress } from "./progress.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** Integers of any sign: the schema says which are allowed, in a message naming the key. */
const anyInteger = integer();

/**
 * Each flag: its config key and argument, and a parser for numbers and lists. A key that is a choice in the schema
 * (configChoices) gets its choices from there; `choices` narrows them where this environment offers fewer.
 */
const FLAGS: Array<{
  flag: string;
  key: keyof Config;
  argument: string;
  parse?: (value: string) => unknown;
  choices?: readonly string[];
}> = [
  { flag: "--dataset", key: "dataset", argument: "<name>" },
  { flag: "--arch", key: "arch", argument: "<arch>" },
  { flag: "--loss", key: "loss", argument: "<loss>" },
  { flag: "--label-smoothing", key: "labelSmoothing", argument: "<alpha>", parse: finiteNumber },
  { flag: "--r1-gamma", key: "r1Gamma", argument: "<gamma>", parse: finiteNumber },
  { flag: "--discriminator-steps", key: "discriminatorSteps", argument: "<k>", parse: anyInteger },
  { flag: "--steps", key: "steps", argument: "<n>", parse: anyInteger },
  { flag: "--batch-size", key: "batchSize", argument: "<m>", parse: anyInteger },
  { flag: "--pack", key: "pack", argument: "<m>", parse: anyInteger },
  { flag: "--latent-dim", key: "latentDim", argument: "<n>", parse: anyInteger },
  { flag: "--prior", key: "prior", argument: "<prior>" },
  { flag: "--optimizer", key: "optimizer", argument: "<name>" },
  { flag: "--generator-learning-rate", key: "generatorLearningRate", argument: "<rate>", parse: finiteNumber },
  { flag: "--discriminator-learning-rate", key: "discriminatorLearningRate", argument: "<rate>", parse: finiteNumber },
  { flag: "--beta1", key: "beta1", argument: "<beta>", parse: finiteNumber },
  { flag: "--momentum", key: "momentum", argument: "<mu>", parse: finiteNumber },
  { flag: "--pretrain-discriminator-steps", key: "pretrainDiscriminatorSteps", argument: "<n>", parse: anyInteger },
  { flag: "--generator-output", key: "generatorOutput", argument: "<activation>" },
  { flag: "--idx-labels", key: "idxLabels", argument: "<file>" },
  { flag: "--seed", key: "seed", argument: "<n>", parse: anyInteger },
  { flag: "--sample-every", key: "sampleEvery", argument: "<n>", parse: anyInteger },
  { flag: "--checkpoint-every", key: "checkpointEvery", argument: "<n>", parse: anyInteger },
  { flag: "--log-every", key: "logEvery", argument: "<n>", parse: anyInteger },
  { flag: "--spectral-norm", key: "spectralNorm", argument: "<networks>" },
  { flag: "--generator-ema", key: "generatorEma", argument: "<beta>", parse: finiteNumber },
  { flag: "--generator-ema-warmup", key: "generatorEmaWarmup", argument: "<on|off>", parse: onOff },
  { flag: "--conditional", key: "conditional", argument: "<kind>" },
  { flag: "--eval-every", key: "evalEvery", argument: "<n>", parse: anyInteger },
  { flag: "--eval-metrics", key: "evalMetrics", argument: "<a,b,...>", parse: commaList },
  { flag: "--sampler", key: "sampler", argument: "<name>" },
  { flag: "--rejection-calibration-steps", key: "rejectionCalibrationSteps", argument: "<n>", parse: anyInteger },
  { flag: "--rejection-quantile", key: "rejectionQuantile", argument: "<q>", parse: finiteNumber },
  { flag: "--backend", key: "backend", argument: "<name>", choices: NODE_BACKEND_NAMES },
];

function helpFor(key: keyof Config): string {
  const field = ConfigSchema.shape[key];
  const fallback = field.parse(undefined) as unknown;
  const reason = key === "dataset" ? DATASET_HINT : (field.description ?? "");
  // A list of choices (evalMetrics) is not a commander choice; its values go in the text.
  const listChoices = Array.isArray(fallback) ? configChoices(key) : undefined;
  const values = listChoices ? ` (any of: ${listChoices.join(", ")})` : "";
  return `${reason}${values} (default: ${JSON.stringify(fallback)})`;
}

function defaultOut(config: Config): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const dataset = config.dataset
    .replace(/^idx:/, "")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .slice(-40);
  return `runs/${dataset}-${config.arch}-${stamp}`;
}

export function trainCommand(): Command {
  const command = new Command("train")
    .description(COMMAND_DESCRIPTIONS.train)
    .option("--config <file>", "JSON config file (keys as in config.json; flags override it)")
    .option("--out <dir>", "run directory to create (default: runs/<dataset>-<arch>-<time>)")
    .option(
      "--resume <dir>",
      "continue the run in <dir> from its latest checkpoint (may change only steps, *-every, backend)",
    );
  for (const { flag, key, argument, parse, choices } of FLAGS) {
    const schemaChoices = parse ? undefined : configChoices(key);
    const option = new Option(`${flag} ${argument}`, helpFor(key));
    if (choices ?? schemaChoices) option.choices(choices ?? schemaChoices!);
    if (parse) option.argParser(parse);
    command.addOption(option);
  }
  command.addHelpText(
    "after",
    "\nPrecedence: defaults < dataset preset (toys: small MLPs) < --config file < flags. " +
      "Nested settings (mlp.*, dcgan.*) are set in the config file; see configs/ and docs/config.md.",
  );
  command.action(async (options: Record<string, unknown>) => {
    const flags: Record<string, unknown> = {};
    for (const { key } of FLAGS) if (options[key] !== undefined) flags[key] = options[key];
    const resume = options.resume as string | undefined;
    let stopRequested = false;
    const onSigint = () => {
      if (stopRequested) process.exit(130); // a second Ctrl-C: leave now
      stopRequested = true;
      process.stderr.write("\ntsgan: stopping after this step and writing a checkpoint (Ctrl-C again to quit now)\n");
    };
    process.on("SIGINT", onSigint);
    let progress: Progress | undefined;
    try {
      let runOptions: TrainRunOptions;
      if (resume) {
        if (options.config || options.out)
          throw new ConfigError("--resume takes its config and directory from the run; drop --config/--out");
        runOptions = { out: resume, resume: true, overrides: flags };
      } else {
        const file = options.config ? readConfigFile(options.config as string) : undefined;
        const config = configFromLayers(file, flags);
        runOptions = { out: (options.out as string | undefined) ?? defaultOut(config), config };
      }
      // Loaded here, after the flags and config are checked: it loads TF.js (seconds), which a mistake should not wait for.
      const { trainRun } = await import("../node/train.js");
      const result = await trainRun({
        ...runOptions,
        shouldStop: () => stopRequested,
        onStep: (record, gan) => {
          progress ??= createProgress(record.step - 1, gan.config.steps);
          progress.update(record);
        },
      });
      progress?.stop();
      progress = undefined;
      const verb = result.state === "done" ? "finished" : "stopped";
      console.error(`tsgan: ${verb} at step ${result.step} on ${result.backend}; run directory: ${result.run.root}`);
      if (result.state === "stopped") console.error(`tsgan: continue with: tsgan train --resume ${result.run.root}`);
    } finally {
      progress?.stop();
      process.off("SIGINT", onSigint);
    }
  });
  return command;
}
