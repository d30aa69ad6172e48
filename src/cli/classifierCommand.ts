/**
 * `tsgan classifier train|eval`: the feature classifier that evaluation metrics work in (issue 4).
 *
 *   tsgan classifier train --dataset mnist [--epochs 10] [--seed 1] [--out dir] [--backend auto]
 *   tsgan classifier eval --dataset fashion-mnist [--weights dir] [--backend auto]
 */
import cliProgress from "cli-progress";
import { Command, type Option } from "commander";

import { NODE_BACKEND_NAMES, type BackendName } from "../core/config.js";
import { DEFAULT_CLASSIFIER_TRAINING, evaluateAccuracy, type ClassifierProgress } from "../core/training/classifier.js";
import {
  CLASSIFIER_DATASETS,
  committedClassifierDirectory,
  loadClassifierData,
  loadClassifierFrom,
  trainClassifier,
  type ClassifierDataset,
} from "../node/classifier.js";
import { selectBackend } from "../node/engine/select.js";
import { choiceOption, nonNegativeInteger, positiveInteger } from "./options.js";
import { drawsBar } from "./progress.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** On a pipe or CI log, one plain progress line this often instead of redraws. */
const PLAIN_LINE_INTERVAL_MS = 10_000;
/** The loss shown is a moving average over this many recent steps: one batch's loss is noisy. */
const LOSS_WINDOW = 100;
function datasetOption(): Option {
  return choiceOption("--dataset <name>", "dataset the classifier is for", CLASSIFIER_DATASETS).makeOptionMandatory();
}

function backendOption(): Option {
  return choiceOption("--backend <name>", "TF.js backend (default: auto, the fastest that works)", NODE_BACKEND_NAMES);
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

/** A progress display for classifier training: a bar on a terminal, a plain line every 10 s elsewhere. */
function classifierProgress(stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  const losses: number[] = [];
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  const fields = (progress: ClassifierProgress) => {
    losses.push(progress.loss);
    if (losses.length > LOSS_WINDOW) losses.shift();
    const seconds = (performance.now() - started) / 1000;
    const rate = progress.step / seconds;
    return {
      epochText: `${progress.epoch}`,
      loss: (losses.reduce((a, b) => a + b, 0) / losses.length).toFixed(4),
      rate: rate.toFixed(1),
      etaText: formatSeconds((progress.totalSteps - progress.step) / rate),
    };
  };
  return {
    update(progress: ClassifierProgress, epochs: number) {
      const shown = fields(progress);
      if (drawsBar(stream)) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: `{bar} step {value}/{total} | epoch {epochText}/${epochs} | loss {loss} | {rate} steps/s | ETA {etaText}`,
              hideCursor: true,
              stream,
              barsize: 20,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(progress.totalSteps, 0, shown);
        }
        bar.update(progress.step, shown);
        return;
      }
      const now = performance.now();
      if (now - lastLine < PLAIN_LINE_INTERVAL_MS && progress.step !== progress.totalSteps) return;
      lastLine = now;
      stream.write(
        `step ${progress.step}/${progress.totalSteps} | epoch ${shown.epochText}/${epochs} | loss ${shown.loss} | ` +
          `${shown.rate} steps/s | ETA ${shown.etaText}\n`,
      );
    },
    stop() {
      bar?.stop();
    },
  };
}

function percent(accuracy: number): string {
  return `${(accuracy * 100).toFixed(2)}%`;
}

function trainSubcommand(): Command {
  return new Command("train")
    .description("train the classifier on the official training split; print test accuracy; write its weights")
    .addOption(datasetOption())
    .option(
      "--epochs <n>",
      `passes over the 60 000 training images (default: ${DEFAULT_CLASSIFIER_TRAINING.epochs}, enough for the targets)`,
      positiveInteger,
    )
    .option(
      "--seed <n>",
      `seeds the weights, the batch order and dropout (default: ${DEFAULT_CLASSIFIER_TRAINING.seed})`,
      nonNegativeInteger,
    )
    .option(
      "--out <dir>",
      "directory for model.json + weights.bin (default: the committed weights/classifier-<dataset>)",
    )
    .addOption(backendOption())
    .action(
      async (options: {
        dataset: ClassifierDataset;
        epochs?: number;
        seed?: number;
        out?: string;
        backend?: BackendName;
      }) => {
        const epochs = options.epochs ?? DEFAULT_CLASSIFIER_TRAINING.epochs;
        const seed = options.seed ?? DEFAULT_CLASSIFIER_TRAINING.seed;
        const backend = options.backend ?? "auto";
        // Every setting written out, so the recorded command reproduces the weights even if a default changes.
        const command =
          `tsgan classifier train --dataset ${options.dataset} --epochs ${epochs} --seed ${seed} --backend ${backend}` +
          (options.out === undefined ? "" : ` --out ${options.out}`);
        let stopRequested = false;
        const onSigint = () => {
          if (stopRequested) process.exit(130); // a second Ctrl-C: leave now
          stopRequested = true;
          process.stderr.write(
            "\ntsgan: stopping after this step; no weights are written (Ctrl-C again to quit now)\n",
          );
        };
        process.on("SIGINT", onSigint);
        const progress = classifierProgress();
        try {
          const result = await trainClassifier({
            dataset: options.dataset,
            training: { epochs, seed },
            ...(options.out === undefined ? {} : { out: options.out }),
            backend,
            command,
            onProgress: (update) => progress.update(update, epochs),
            shouldStop: () => stopRequested,
          });
          progress.stop();
          if (!result.completed) {
            console.error(`tsgan: stopped after ${formatSeconds(result.trainingSeconds)}; no weights written`);
            return;
          }
          console.log(
            `test accuracy (${options.dataset}, ${result.testCount} test images): ${percent(result.testAccuracy)}`,
          );
          console.error(
            `tsgan: trained in ${formatSeconds(result.trainingSeconds)} on ${result.backend}; weights: ${result.directory}`,
          );
        } finally {
          progress.stop();
          process.off("SIGINT", onSigint);
        }
      },
    );
}

function evalSubcommand(): Command {
  return new Command("eval")
    .description("print the test accuracy of saved classifier weights on the official test split")
    .addOption(datasetOption())
    .option(
      "--weights <dir>",
      "directory with model.json + weights.bin (default: the committed weights/classifier-<dataset>)",
    )
    .addOption(backendOption())
    .action(async (options: { dataset: ClassifierDataset; weights?: string; backend?: BackendName }) => {
      await selectBackend(options.backend ?? "auto");
      const classifier = await loadClassifierFrom(options.weights ?? committedClassifierDirectory(options.dataset));
      try {
        const { accuracy, correct, count } = evaluateAccuracy(
          classifier.model,
          loadClassifierData(options.dataset, "test"),
        );
        console.log(
          `test accuracy (${options.dataset}, ${count} test images): ${percent(accuracy)} (${correct}/${count})`,
        );
        const recorded = classifier.metadata;
        if (recorded.dataset !== options.dataset) {
          console.error(`tsgan: note: these weights were trained on ${recorded.dataset}, not ${options.dataset}`);
        }
      } finally {
        classifier.dispose();
      }
    });
}

/** `tsgan classifier`: train or evaluate the feature classifier. */
export function classifierCommand(): Command {
  return (
    new Command("classifier")
      .description(COMMAND_DESCRIPTIONS.classifier)
      // main.ts sets exitOverride and the `tsgan:` error output on this command; pass them down to train/eval.
      .hook("preSubcommand", (parent, subcommand) => {
        subcommand.copyInheritedSettings(parent);
      })
      .addCommand(trainSubcommand())
      .addCommand(evalSubcommand())
  );
}
