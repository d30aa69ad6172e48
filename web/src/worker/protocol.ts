/**
 * Messages between a lab page and its training worker. The page says what to train and when; the worker trains with
 * src/core and answers with metrics and "probes" — what the views draw, already computed (views never run models).
 */
import type { BrowserBackendName, ConfigInput, ImageDatasetName, LossName } from "../../../src/core/config.js";

/** What a user may pick in the lab (backend.ts turns it into a TF.js backend). */
export type BrowserBackend = BrowserBackendName;

/** What one press of "step" (or each iteration of "play") does. */
export type StepMode = "algorithm1" | "discriminator" | "generator";

/** Where the real data comes from. */
export type DataSpec =
  | { kind: "toy"; name: string }
  | { kind: "drawn"; points: number[]; std: number }
  | { kind: "images"; name: ImageDatasetName; count: number };

/** What the page draws, and so what the worker measures. */
export type ProbeKind = "one-d" | "two-d" | "images";

export interface SessionSetup {
  /** Config layers over the dataset's preset (resolved in the worker with resolveConfig). */
  config: ConfigInput;
  data: DataSpec;
  backend: BrowserBackend;
  probe: ProbeKind;
  /** A conditional GAN's class the images probe shows (−1: a row per class). */
  probeClass: number;
}

/** Settings that change without resetting the networks (the optimizers keep their moments). */
export interface LiveSettings {
  loss: LossName;
  discriminatorSteps: number;
  generatorLearningRate: number;
  discriminatorLearningRate: number;
  batchSize: number;
  /** γ of the R1 penalty (0 = off). */
  r1Gamma: number;
  /** One-sided label smoothing α (0 = off). */
  labelSmoothing: number;
}

export type ToWorker =
  | { type: "setup"; setup: SessionSetup }
  | { type: "settings"; settings: LiveSettings }
  /** The class a conditional GAN's images probe shows (−1: a row per class); redraws at once. */
  | { type: "probeClass"; label: number }
  | { type: "play"; mode: StepMode }
  | { type: "pause" }
  | { type: "step"; mode: StepMode };

/** One training update as the charts plot it. Fields a D-only or G-only step does not compute are null. */
export interface ChartRecord {
  /** The lab's update counter: +1 per Algorithm-1 iteration, per lone D step and per lone G step. */
  tick: number;
  discriminatorLoss: number | null;
  generatorLoss: number | null;
  realScore: number | null;
  fakeScore: number | null;
  discriminatorGradientNorm: number | null;
  generatorGradientNorm: number | null;
}

/** Counters shown on the page. */
export interface Counters {
  tick: number;
  /** Completed Algorithm-1 iterations (gan.step). */
  iterations: number;
  discriminatorUpdates: number;
  generatorUpdates: number;
  stepsPerSecond: number;
  playing: boolean;
}

/** The 1-D picture of Figure 1 on a grid of x, with its numbers. */
export interface OneDProbe {
  kind: "one-d";
  tick: number;
  /** Grid of x [gridCount] and the curves on it. */
  x: Float64Array;
  dataDensity: Float64Array;
  generatorDensity: Float64Array;
  discriminator: Float64Array;
  optimalDiscriminator: Float64Array;
  /** Mapping lines: z [lineCount] → G(z) [lineCount]; zRange is the prior's drawn range. */
  mappingZ: Float64Array;
  mappingX: Float64Array;
  zRange: [number, number];
  /** V(D, G) with the current D, and C(G) = −log 4 + 2·JSD(p_data ‖ p_g) = V(D*, G). */
  value: number;
  theoreticalValue: number;
  jensenShannon: number;
  /** E_{x∼p_data} |D(x) − ½|. */
  meanDeviation: number;
  /** Mean and std of G's samples. */
  generatorMean: number;
  generatorStd: number;
}

export interface TwoDMetrics {
  modesCovered: number;
  modeCount: number;
  highQualityFraction: number;
  reverseKl: number;
  jensenShannon: number;
}

export interface TwoDProbe {
  kind: "two-d";
  tick: number;
  /** View box: [xLow, xHigh, yLow, yHigh]. */
  bounds: [number, number, number, number];
  /** D(x) on a resolution × resolution grid, row 0 at yHigh (as an image is drawn). */
  heatmap: Float32Array;
  resolution: number;
  /** Generated points [count, 2] and the push each gets from G's objective [count, 2]. */
  generated: Float32Array;
  arrows: Float32Array;
  /** Manifold: lines of G(z) over a grid of z, each `manifoldPoints` long, [lines, points, 2]. */
  manifold: Float32Array;
  manifoldLines: number;
  manifoldPoints: number;
  /** Present when the (slower) sample metrics were computed for this probe. */
  metrics: TwoDMetrics | null;
}

export interface ImagesProbe {
  kind: "images";
  tick: number;
  /** G(fixed noise) in inference mode: [count, height, width, channels] in [low, high]. */
  images: Float32Array;
  count: number;
  shape: [number, number, number];
  range: [number, number];
  /** A conditional run's grid: one row per class, this many columns (the same noise in every row). */
  columns?: number;
}

export type Probe = OneDProbe | TwoDProbe | ImagesProbe;

/** Facts about the set-up session, sent once after setup. */
export interface SessionInfo {
  backend: string;
  skippedBackends: string[];
  generatorParameters: number;
  discriminatorParameters: number;
  /** Real samples to draw behind the generated ones (toys): [count, dimension]. */
  realSamples: Float32Array | null;
  /** The first training images, for comparison with the generated grid (images page). */
  realImages: ImagesProbe | null;
  /** One line about the data. */
  dataDescription: string;
}

export type FromWorker =
  | { type: "ready"; info: SessionInfo }
  | { type: "progress"; records: ChartRecord[]; counters: Counters }
  | { type: "probe"; probe: Probe }
  | { type: "error"; message: string };

/** Messages to the run viewer's sampling worker. */
export type ToSampler =
  /** Loads G from `runUrl`checkpoints/step_N/ (manifest.json + tensors.bin). */
  | { type: "load"; runUrl: string; step: number }
  /**
   * `count` samples from noise drawn as `tsgan sample --seed` draws it; `raw`: G itself, not its EMA; `label`: the
   * class a conditional G draws (as `tsgan sample --class`), −1 for every class in turn; unconditional runs ignore it.
   */
  | { type: "generate"; seed: number; count: number; raw: boolean; label: number }
  /** G(z) for given z [count, latentDim]; `raw` and `label` as for generate. */
  | { type: "decode"; z: Float32Array; count: number; raw: boolean; label: number };

export interface LoadedGenerator {
  step: number;
  dataset: string;
  latentDim: number;
  prior: "uniform" | "normal";
  dataShape: number[];
  /** Pixel range for images; null for toys. */
  range: [number, number] | null;
  backend: string;
  /** Whether the run keeps an EMA generator (generatorEma > 0), which draws unless `raw` is asked for. */
  hasEma: boolean;
  /** A conditional run's number of classes (config.classCount); 0 for an unconditional run. */
  classCount: number;
}

export type FromSampler =
  | { type: "loaded"; generator: LoadedGenerator }
  | {
      type: "samples";
      purpose: "generate" | "decode";
      values: Float32Array;
      z: Float32Array;
      count: number;
      /** A conditional run's grid with a row per class: its columns; null otherwise. */
      columns: number | null;
    }
  | { type: "error"; message: string };
