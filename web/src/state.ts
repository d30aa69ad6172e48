/**
 * All of the lab's settings in one typed object, mirrored in the URL's hash so that a set-up can be shared as a link
 * (tensorflow/playground's state.ts is the model). Each field says which pages use it, what values it takes, what a
 * change does (rebuild the networks, retune live, or only redraw), and why it has its default.
 *
 *   one-d.html#dataset=mixture-1d&loss=minimax&discriminatorSteps=3
 *
 * Only the page's own fields are written, and only those that differ from the page's defaults; anything unreadable
 * in a hash falls back to the default.
 */
import {
  ARCHITECTURE_NAMES,
  BROWSER_BACKEND_NAMES,
  CONDITIONAL_NAMES,
  IMAGE_DATASET_NAMES,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  PRIOR_NAMES,
  SPECTRAL_NORM_NAMES,
  TOY_DATASET_NAMES,
  type ArchitectureName,
  type BrowserBackendName,
  type ConditionalName,
  type LossName,
  type OptimizerName,
  type PriorName,
  type SpectralNormName,
} from "../../src/core/config.js";
import { TOY_DISTRIBUTIONS } from "../../src/core/data/toys.js";
import { DRAWN_DATASET, LAB_TOYS_2D } from "./data/labToys.js";
import type { StepMode } from "./worker/protocol.js";

export type PageName = "one-d" | "two-d" | "images" | "runs";

export interface LabState {
  /** What to learn. one-d: gaussian-1d | mixture-1d; two-d: ring-2d | grid-2d | gaussians-2d | drawn; images: mnist | fashion-mnist. */
  dataset: string;
  /** The user's drawing (two-d, dataset "drawn"): "x,y;x,y;…". */
  drawn: string;
  /** Network family (images). */
  arch: ArchitectureName;
  /** Class-conditional G and D (images): none, a projection D, or AC-GAN's auxiliary classifier. */
  conditional: ConditionalName;
  /** G's hidden layer widths, comma-separated. */
  generatorHidden: string;
  /** D's hidden layer widths (maxout units), comma-separated. */
  discriminatorHidden: string;
  /** Dimension of z (images; the toys fix it: 1 for Figure 1's mapping lines, 2 for the 2-D manifold). */
  latentDim: number;
  prior: PriorName;
  optimizer: OptimizerName;
  seed: number;
  /** Training images taken from the start of the training file (images). */
  imageCount: number;
  backend: BrowserBackendName;
  loss: LossName;
  /** k of Algorithm 1. */
  discriminatorSteps: number;
  /** γ of the R1 penalty on real data (0 = off; docs/techniques.md). */
  r1Gamma: number;
  /** One-sided label smoothing α (0 = off; the cross-entropy losses only). */
  labelSmoothing: number;
  /** Which networks are spectrally normalised. */
  spectralNorm: SpectralNormName;
  /** β of the EMA of G's weights (0 = off); the pictures and metrics then show the EMA generator. */
  generatorEma: number;
  generatorLearningRate: number;
  discriminatorLearningRate: number;
  batchSize: number;
  /** Samples per D input (PacGAN, toys): 1 = the paper's D; m > 1 packs m samples of one kind. */
  pack: number;
  /** What play and step do: Algorithm 1, or D alone, or G alone. */
  stepMode: StepMode;
  showOptimal: boolean;
  showMapping: boolean;
  showHeatmap: boolean;
  showManifold: boolean;
  showArrows: boolean;
  showReal: boolean;
  /** Run viewer: the run's directory name, the sample grid shown, the checkpoint and seed for new samples. */
  run: string;
  sampleStep: number;
  checkpoint: number;
  sampleSeed: number;
  /**
   * Conditional GANs: the class the Images page's grid shows, or the run viewer's new samples and latent explorer
   * draw (−1: every class, a row each).
   */
  sampleClass: number;
  /** Latent explorer: position between z_a and z_b. */
  interpolation: number;
  /** Run viewer's sweep view: the sweep shown (its name; "" = the first found) and its runs drawn ("*" = all). */
  sweep: string;
  sweepRuns: string;
}

/** What changing a field does. */
export type Effect = "rebuild" | "live" | "view";

interface FieldBase {
  key: keyof LabState;
  pages: readonly PageName[];
  effect: Effect;
  label: string;
}
export type FieldSpec =
  | (FieldBase & { kind: "enum"; options: readonly string[] })
  | (FieldBase & { kind: "number"; min: number; max: number })
  | (FieldBase & { kind: "integer"; min: number; max: number })
  | (FieldBase & { kind: "boolean" })
  | (FieldBase & { kind: "string"; pattern: RegExp });

const TRAINING: readonly PageName[] = ["one-d", "two-d", "images"];

/**
 * Dataset choices per page, from the config's lists (src/core/config.ts): the 1-D toys, the 2-D toys with the lab's
 * own (labToys.ts) and a drawing, the image datasets. The `dataset` field's options are their union.
 */
export const PAGE_DATASETS: Readonly<Record<PageName, readonly string[]>> = {
  "one-d": TOY_DATASET_NAMES.filter((name) => TOY_DISTRIBUTIONS[name].dimension === 1),
  "two-d": [...Object.keys(LAB_TOYS_2D), DRAWN_DATASET],
  images: IMAGE_DATASET_NAMES,
  runs: [],
};

const LAYER_LIST = /^\d{1,4}(,\d{1,4}){0,5}$/;
/** Sweep and run names name directories: letters, digits, '.', '_' and '-' (src/core/sweep/sweepFile.ts). */
const SWEEP_NAME = /^[A-Za-z0-9._-]*$/;
const SWEEP_RUNS = /^(\*|[A-Za-z0-9._,-]*)$/;

export const FIELDS: readonly FieldSpec[] = [
  {
    key: "dataset",
    pages: TRAINING,
    effect: "rebuild",
    label: "data",
    kind: "enum",
    options: [...PAGE_DATASETS["one-d"], ...PAGE_DATASETS["two-d"], ...PAGE_DATASETS.images],
  },
  { key: "drawn", pages: ["two-d"], effect: "rebuild", label: "drawing", kind: "string", pattern: /^[-\d.,;]*$/ },
  {
    key: "arch",
    pages: ["images"],
    effect: "rebuild",
    label: "networks",
    kind: "enum",
    options: ARCHITECTURE_NAMES,
  },
  {
    key: "conditional",
    pages: ["images"],
    effect: "rebuild",
    label: "conditional",
    kind: "enum",
    options: CONDITIONAL_NAMES,
  },
  {
    key: "generatorHidden",
    pages: TRAINING,
    effect: "rebuild",
    label: "G hidden",
    kind: "string",
    pattern: LAYER_LIST,
  },
  {
    key: "discriminatorHidden",
    pages: TRAINING,
    effect: "rebuild",
    label: "D hidden",
    kind: "string",
    pattern: LAYER_LIST,
  },
  { key: "latentDim", pages: ["images"], effect: "rebuild", label: "z dimension", kind: "integer", min: 1, max: 256 },
  {
    key: "prior",
    pages: TRAINING,
    effect: "rebuild",
    label: "prior p_z",
    kind: "enum",
    options: PRIOR_NAMES,
  },
  {
    key: "optimizer",
    pages: TRAINING,
    effect: "rebuild",
    label: "optimizer",
    kind: "enum",
    options: OPTIMIZER_NAMES,
  },
  { key: "seed", pages: TRAINING, effect: "rebuild", label: "seed", kind: "integer", min: 0, max: 2 ** 31 },
  {
    key: "imageCount",
    pages: ["images"],
    effect: "rebuild",
    label: "images used",
    kind: "integer",
    min: 64,
    max: 60_000,
  },
  {
    key: "backend",
    pages: TRAINING,
    effect: "rebuild",
    label: "backend",
    kind: "enum",
    options: BROWSER_BACKEND_NAMES,
  },
  {
    key: "loss",
    pages: TRAINING,
    effect: "live",
    label: "loss",
    kind: "enum",
    options: LOSS_NAMES,
  },
  {
    key: "discriminatorSteps",
    pages: TRAINING,
    effect: "live",
    label: "k (D steps)",
    kind: "integer",
    min: 1,
    max: 20,
  },
  { key: "r1Gamma", pages: TRAINING, effect: "live", label: "R1 γ", kind: "number", min: 0, max: 1000 },
  { key: "labelSmoothing", pages: TRAINING, effect: "live", label: "smoothing α", kind: "number", min: 0, max: 0.5 },
  {
    key: "spectralNorm",
    pages: TRAINING,
    effect: "rebuild",
    label: "spectral norm",
    kind: "enum",
    options: SPECTRAL_NORM_NAMES,
  },
  { key: "generatorEma", pages: TRAINING, effect: "rebuild", label: "EMA β of G", kind: "number", min: 0, max: 0.9999 },
  { key: "generatorLearningRate", pages: TRAINING, effect: "live", label: "G rate", kind: "number", min: 1e-6, max: 1 },
  {
    key: "discriminatorLearningRate",
    pages: TRAINING,
    effect: "live",
    label: "D rate",
    kind: "number",
    min: 1e-6,
    max: 1,
  },
  { key: "batchSize", pages: TRAINING, effect: "live", label: "batch m", kind: "integer", min: 1, max: 1024 },
  // PacGAN's packing changes D's input layer, so a new pack size rebuilds the networks.
  {
    key: "pack",
    pages: ["one-d", "two-d"],
    effect: "rebuild",
    label: "pack (PacGAN)",
    kind: "integer",
    min: 1,
    max: 8,
  },
  {
    key: "stepMode",
    pages: TRAINING,
    effect: "view",
    label: "update",
    kind: "enum",
    options: ["algorithm1", "discriminator", "generator"],
  },
  { key: "showOptimal", pages: ["one-d"], effect: "view", label: "D*", kind: "boolean" },
  { key: "showMapping", pages: ["one-d"], effect: "view", label: "z → x", kind: "boolean" },
  { key: "showHeatmap", pages: ["two-d"], effect: "view", label: "D heatmap", kind: "boolean" },
  { key: "showManifold", pages: ["two-d"], effect: "view", label: "manifold", kind: "boolean" },
  { key: "showArrows", pages: ["two-d"], effect: "view", label: "gradients", kind: "boolean" },
  { key: "showReal", pages: ["two-d"], effect: "view", label: "real data", kind: "boolean" },
  { key: "run", pages: ["runs"], effect: "rebuild", label: "run", kind: "string", pattern: /^[^/\\]*$/ },
  { key: "sampleStep", pages: ["runs"], effect: "view", label: "grid step", kind: "integer", min: -1, max: 1e9 },
  { key: "checkpoint", pages: ["runs"], effect: "view", label: "checkpoint", kind: "integer", min: -1, max: 1e9 },
  { key: "sampleSeed", pages: ["runs"], effect: "view", label: "seed", kind: "integer", min: 0, max: 2 ** 31 },
  {
    key: "sampleClass",
    pages: ["images", "runs"],
    effect: "view",
    label: "class shown (−1: all)",
    kind: "integer",
    min: -1,
    max: 255,
  },
  { key: "interpolation", pages: ["runs"], effect: "view", label: "z_a → z_b", kind: "number", min: 0, max: 1 },
  { key: "sweep", pages: ["runs"], effect: "view", label: "sweep", kind: "string", pattern: SWEEP_NAME },
  // The sweep's runs drawn, comma-separated (run names hold no comma), or "*" for every run.
  { key: "sweepRuns", pages: ["runs"], effect: "view", label: "runs drawn", kind: "string", pattern: SWEEP_RUNS },
];

/** Defaults shared by every page; each page overrides what differs (PAGE_DEFAULTS). */
const BASE_DEFAULTS: LabState = {
  dataset: "gaussian-1d",
  drawn: "",
  arch: "mlp",
  conditional: "none",
  generatorHidden: "32,32",
  discriminatorHidden: "32,32",
  latentDim: 1,
  prior: "uniform",
  optimizer: "adam",
  seed: 1,
  imageCount: 5000,
  backend: "auto",
  loss: "non-saturating",
  discriminatorSteps: 1,
  r1Gamma: 0,
  labelSmoothing: 0,
  spectralNorm: "none",
  generatorEma: 0,
  generatorLearningRate: 5e-4,
  discriminatorLearningRate: 1e-2,
  batchSize: 128,
  pack: 1,
  stepMode: "algorithm1",
  showOptimal: true,
  showMapping: true,
  showHeatmap: true,
  showManifold: true,
  showArrows: true,
  showReal: true,
  run: "",
  sampleStep: -1,
  checkpoint: -1,
  sampleSeed: 1,
  sampleClass: -1,
  interpolation: 0.5,
  sweep: "",
  sweepRuns: "*",
};

/**
 * Per-page defaults, each with its reason:
 * - one-d: the core's 1-D preset (z in 1-D, 32-unit nets, batch 128) but D learns 20× faster than G (1e-2 vs 5e-4):
 *   D's maxout units start with their kinks at x = 0 while N(4, 0.5²) sits at x ≈ 4, so D is linear over the data
 *   and blind to p_g's width until its biases have moved. With the CLI's 1e-3/1e-3, |D − ½| reaches ≈ 0.01 while p_g
 *   is still twice too wide — a D capacity failure, not an equilibrium (measured; docs/lab.md).
 * - two-d: the core's 2-D preset (PacGAN's setting: z ∼ N(0, I) in 2-D, Adam β1 = 0.8, batch 100) with 2×64 nets
 *   so that it trains at interactive speed in a browser.
 * - images: a small MLP GAN (z in 32-D, G 256-256, D 128-128) on 5 000 MNIST digits: a grid from fixed noise that
 *   turns into digits within a minute on a laptop's CPU.
 */
export const PAGE_DEFAULTS: Readonly<Record<PageName, Partial<LabState>>> = {
  "one-d": {},
  "two-d": {
    dataset: "ring-2d",
    generatorHidden: "64,64",
    discriminatorHidden: "64,64",
    latentDim: 2,
    prior: "normal",
    generatorLearningRate: 1e-3,
    discriminatorLearningRate: 1e-3,
    batchSize: 100,
  },
  images: {
    dataset: "mnist",
    generatorHidden: "256,256",
    discriminatorHidden: "128,128",
    latentDim: 32,
    generatorLearningRate: 2e-4,
    discriminatorLearningRate: 2e-4,
    batchSize: 64,
  },
  runs: {},
};

export function defaultState(page: PageName): LabState {
  return { ...BASE_DEFAULTS, ...PAGE_DEFAULTS[page] };
}

export function fieldsOf(page: PageName): FieldSpec[] {
  return FIELDS.filter((field) => field.pages.includes(page));
}

/** A field's value from its URL text, or undefined when the text is not a valid value. */
export function parseField(field: FieldSpec, text: string, page: PageName): LabState[keyof LabState] | undefined {
  switch (field.kind) {
    case "enum": {
      const allowed = field.key === "dataset" ? PAGE_DATASETS[page] : field.options;
      return allowed.includes(text) ? text : undefined;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
    case "string":
      return field.pattern.test(text) ? text : undefined;
    case "number":
    case "integer": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value) || value < field.min || value > field.max) return undefined;
      if (field.kind === "integer" && !Number.isInteger(value)) return undefined;
      return value;
    }
  }
}

/** The page's state from a URL hash ("#a=1&b=2" or "a=1&b=2"). */
export function stateFromHash(hash: string, page: PageName): LabState {
  const state = defaultState(page);
  const parameters = new URLSearchParams(hash.replace(/^#/, ""));
  for (const field of fieldsOf(page)) {
    const text = parameters.get(field.key);
    if (text === null) continue;
    const value = parseField(field, text, page);
    if (value !== undefined) (state as unknown as Record<string, unknown>)[field.key] = value;
  }
  return state;
}

/** The URL hash for a state: the page's fields that differ from its defaults. */
export function hashFromState(state: LabState, page: PageName): string {
  const defaults = defaultState(page);
  const parameters = new URLSearchParams();
  for (const field of fieldsOf(page)) {
    if (state[field.key] !== defaults[field.key]) parameters.set(field.key, String(state[field.key]));
  }
  const text = parameters.toString();
  return text ? `#${text}` : "";
}

/**
 * The techniques beyond the 2014 paper that every training page offers (docs/techniques.md), in the order their
 * controls appear; the losses are the `loss` field's other options.
 */
export const TECHNIQUE_KEYS = [
  "r1Gamma",
  "labelSmoothing",
  "spectralNorm",
  "generatorEma",
] as const satisfies readonly (keyof LabState)[];

/** The training settings every training page shares, as config keys (the pages add their networks, data, …). */
export function trainingConfig(state: LabState) {
  return {
    prior: state.prior,
    optimizer: state.optimizer,
    seed: state.seed,
    loss: state.loss,
    discriminatorSteps: state.discriminatorSteps,
    generatorLearningRate: state.generatorLearningRate,
    discriminatorLearningRate: state.discriminatorLearningRate,
    batchSize: state.batchSize,
    r1Gamma: state.r1Gamma,
    labelSmoothing: state.labelSmoothing,
    spectralNorm: state.spectralNorm,
    generatorEma: state.generatorEma,
  };
}

/** The training settings every toy page shares, as config keys (the pages add their own, e.g. latentDim). */
export function toyTrainingConfig(state: LabState) {
  return {
    ...trainingConfig(state),
    pack: state.pack,
    mlp: {
      generatorHidden: parseLayers(state.generatorHidden),
      discriminatorHidden: parseLayers(state.discriminatorHidden),
    },
  };
}

/** Layer widths from "64,64". */
export function parseLayers(text: string): number[] {
  return text
    .split(",")
    .map(Number)
    .filter((width) => Number.isInteger(width) && width > 0);
}
