/**
 * tsgan's commands and their one-line descriptions, in the order `tsgan --help` lists them. A leaf module: the
 * top-level help and the commands not being run need these lines without loading the commands' modules (which load
 * TF.js: seconds of start-up that `tsgan --help` or a mistyped flag should not pay). Each command takes its
 * description from here.
 */
export const COMMAND_DESCRIPTIONS = {
  train: "train a GAN with Algorithm 1 of Goodfellow et al. (2014) and write a run directory",
  sample: "write a grid of new samples (or a real-vs-generated plot for toy data) from a run's checkpoint",
  theory: "the paper's theory with numbers and pictures: writes <experiment>.svg and <experiment>.json",
  eval: "evaluate a run's checkpoint: Parzen, Fréchet distance, classifier score, coverage, modes, JSD",
  classifier: "the feature classifier used by evaluation metrics (a small LeNet-style CNN)",
  lab: "serve the browser lab and the runs directory (read-only) on this machine",
  export: "write a run's generator as a standard TF.js model (model.json, weights, generator.json)",
  sweep: "many runs over settings and seeds: run them, report on them",
  worker: "take sweep runs from a BullMQ queue and train them (any number of workers, on any machines)",
} as const;

export type CommandName = keyof typeof COMMAND_DESCRIPTIONS;
