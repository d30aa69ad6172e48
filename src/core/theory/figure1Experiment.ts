/**
 * Experiment `figure-1`: Figure 1 of Goodfellow et al. (2014) made real. A 1-D GAN (the toy-1d preset: z uniform on
 * [−1, 1], 32-unit MLPs, Adam) learns p_data = N(4, 0.5²) with Algorithm 1 (trainAlgorithm1, unchanged); at chosen
 * moments a snapshot records what the figure draws:
 *
 *   p_data (dotted black), p_g (solid green), D (dashed blue), and the map z → x = G(z) (lines from z to x).
 *
 * p_g is the exact pushforward of the uniform prior through G (1-D z, piecewise-linear ReLU G; see grid.ts), not an
 * estimate from samples. Each snapshot reports JSD(p_data ‖ p_g), the Wasserstein-1 distance, E_{p_data}|D − 1/2| and
 * the number of kinks of D's logit where the data are. At the end D ≈ 1/2 and p_g is close to p_data (measured
 * numbers in docs/theory.md): the global optimum of Theorem 1, approached. D is piecewise linear (maxout, no dropout
 * at inference); once no kink is left where the data are, D is linear there and can only see a difference in means —
 * G matches the mean, D settles at 1/2, and the remaining difference in shape goes unseen (the kink count shows it).
 *
 * D is pre-trained on real vs the initial G's samples first (seed 001's warm-up), so the first panel shows what
 * panel (b) of the figure shows: a D close to D* for the initial p_g.
 */
import type { ConfigInput } from "../config.js";
import { toyDataset } from "../data/dataset.js";
import { toyDistribution } from "../data/toys.js";
import { trainAlgorithm1, type StepRecord, type TrainingEventMap } from "../training/algorithm1.js";
import { Events } from "../training/events.js";
import { createGan, disposeGan, type Gan } from "../training/gan.js";
import { UNIFORM_PRIOR_RANGE } from "../training/noise.js";
import { jensenShannonOnGrid } from "../numerics/divergences.js";
import { expectationOnGrid, uniformGrid, type Grid1d as Grid } from "../numerics/grid.js";
import { sigmoid } from "../numerics/scalar.js";
import { priorSegmentMass, pushforwardOnGrid, thinSeries, toyDensityOnGrid, wassersteinOnGrid } from "./grid.js";
import { THEORY_DATASET, THEORY_DATA_SHAPE, discriminatorLogits, generatorMap, theoryConfig } from "./networks.js";
import {
  comparisonRegion,
  distanceOnRegion,
  meanDistanceFromHalf,
  optimalDiscriminator,
} from "./optimalDiscriminator.js";

export interface Figure1Options {
  seed: number;
  /** Iterations of Algorithm 1. */
  steps?: number;
  /** D warm-up steps on real vs the initial G's samples before iteration 1 (the first panel shows the result). */
  pretrainSteps?: number;
  /** Iterations after which to take the middle snapshots (the first is at 0, the last at `steps`). */
  moments?: readonly number[];
  /** m of Algorithm 1. */
  batchSize?: number;
  /** Other config keys (learning rates, k, loss …) on top of the toy-1d preset. */
  config?: ConfigInput;
}

/** Defaults (the CLI's): the toy-1d preset's 2000 iterations; snapshots at 0, 150, 600 and 2000. */
export const FIGURE_1_DEFAULTS = { steps: 2000, pretrainSteps: 100, moments: [150, 600], batchSize: 128 } as const;

/** z points at which G is evaluated for the exact pushforward p_g (segments of prior mass 1/2000 each). */
const PUSHFORWARD_Z_POINTS = 2001;
/** The normal prior's z interval for the pushforward: ±6 (2e-9 of its mass lies beyond). */
const NORMAL_PRIOR_REACH = 6;
/** The mapping lines of the normal prior cover ±this (95% of its mass within ±2, 99.7% within ±3). */
const NORMAL_MAPPING_REACH = 2.5;
/** Lines drawn from z to G(z), evenly spaced over the prior's support as in the figure. */
const MAPPING_LINES = 25;
/** Grid cell width for p_data, p_g, D: 1/50 of p_data's standard deviation. */
const CELL_WIDTH = 0.01;
/** At most this many grid cells (a diverged G far away coarsens the grid instead of exhausting memory). */
const MAX_GRID_CELLS = 20_000;
/** Margin added around the union of p_data's bounds and G's range (D is drawn across it). */
const GRID_MARGIN = 2;
/** Points kept per curve in the result. */
const SERIES_POINTS = 400;
/**
 * A second difference of D's logit above this marks a kink. D's logits are float32 (rounding ~1e-6 at |l| ≈ 10);
 * a kink whose slope changes by s gives a second difference up to s·Δ, so slope changes below 1e-3 per unit of x
 * are not counted — they change D by less than 1e-3 across p_data's bounds.
 */
const KINK_TOLERANCE = 1e-5;

/** One panel of the figure. */
export interface Figure1Snapshot {
  /** Iterations of Algorithm 1 completed (0 = after D's warm-up, before any G step). */
  step: number;
  x: number[];
  dataDensity: number[];
  generatedDensity: number[];
  discriminator: number[];
  /** The z → x map on MAPPING_LINES evenly spaced z. */
  mapping: { z: number[]; x: number[] };
  jensenShannon: number;
  /** Wasserstein-1 distance between p_data and p_g (units of x). */
  wasserstein: number;
  /** Kinks of D's logit within p_data's bounds (4 ± 2.5): 0 means D is linear where the data are. */
  discriminatorKinks: number;
  /** E_{p_data}|D − 1/2|. */
  meanDistanceFromHalf: number;
  /** Mean |D − D*| over the region where p_data + p_g is non-negligible. */
  meanDistanceFromOptimal: number;
  generatedMean: number;
  generatedStd: number;
  /** The minibatch's mean D(x) and D(G(z)) at this iteration (absent at step 0). */
  realScore?: number;
  fakeScore?: number;
}

export interface Figure1Result {
  experiment: "figure-1";
  settings: Required<Omit<Figure1Options, "config">> & { dataset: string; config: ConfigInput };
  snapshots: Figure1Snapshot[];
  /** Every iteration's D(x), D(G(z)) and losses (thin enough: a few thousand numbers). */
  training: { step: number[]; realScore: number[]; fakeScore: number[]; discriminatorLoss: number[] };
  summary: {
    finalJensenShannon: number;
    finalWasserstein: number;
    finalMeanDistanceFromHalf: number;
    initialJensenShannon: number;
    finalGeneratedMean: number;
    finalGeneratedStd: number;
  };
}

/** The z interval the pushforward covers: the uniform prior's support, or ±NORMAL_PRIOR_REACH. */
function priorInterval(prior: "uniform" | "normal"): [number, number] {
  return prior === "uniform"
    ? [UNIFORM_PRIOR_RANGE[0], UNIFORM_PRIOR_RANGE[1]]
    : [-NORMAL_PRIOR_REACH, NORMAL_PRIOR_REACH];
}

/** `count` evenly spaced numbers from `low` to `high`, both included. */
function evenlySpaced(low: number, high: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => low + ((high - low) * i) / (count - 1));
}

/**
 * Kinks of a piecewise-linear function sampled on the grid, within [low, high]: runs of consecutive points whose
 * second difference exceeds KINK_TOLERANCE count once (a kink between two points shows at both).
 */
function countKinks(values: ArrayLike<number>, grid: Grid, low: number, high: number): number {
  let kinks = 0;
  let inKink = false;
  for (let i = 1; i < grid.count - 1; i++) {
    const x = grid.points[i]!;
    const bent = x >= low && x <= high && Math.abs(values[i + 1]! - 2 * values[i]! + values[i - 1]!) > KINK_TOLERANCE;
    if (bent && !inKink) kinks += 1;
    inKink = bent;
  }
  return kinks;
}

/** What a snapshot records about `gan` now. */
function snapshot(gan: Gan, step: number, record?: StepRecord): Figure1Snapshot {
  const distribution = toyDistribution(THEORY_DATASET);
  const { prior } = gan.config;
  const [zLow, zHigh] = priorInterval(prior);
  const z = evenlySpaced(zLow, zHigh, PUSHFORWARD_Z_POINTS);
  const mapped = generatorMap(gan.generator, z);
  let low = distribution.bounds.low[0]!;
  let high = distribution.bounds.high[0]!;
  for (const x of mapped) {
    low = Math.min(low, x);
    high = Math.max(high, x);
  }
  low -= GRID_MARGIN;
  high += GRID_MARGIN;
  const grid = uniformGrid(low, high, Math.min(MAX_GRID_CELLS, Math.ceil((high - low) / CELL_WIDTH)));
  const data = toyDensityOnGrid(distribution, grid);
  const generated = pushforwardOnGrid(mapped, priorSegmentMass(z, prior), grid);
  const logits = discriminatorLogits(gan.discriminator, grid.points);
  const discriminator = logits.map(sigmoid);
  const region = comparisonRegion(data, generated);
  const optimal = optimalDiscriminator(data, generated);
  const generatedMean = expectationOnGrid(generated.density, grid.points, grid);
  const generatedSecond = expectationOnGrid(
    generated.density,
    grid.points.map((x) => x * x),
    grid,
  );
  const lineReach = prior === "uniform" ? zHigh : NORMAL_MAPPING_REACH;
  const lineZ = Array.from(evenlySpaced(-lineReach, lineReach, MAPPING_LINES));
  const thin = (values: ArrayLike<number>) => thinSeries(grid, values, SERIES_POINTS).y;
  return {
    step,
    x: thinSeries(grid, grid.points, SERIES_POINTS).x,
    dataDensity: thin(data.density),
    generatedDensity: thin(generated.density),
    discriminator: thin(discriminator),
    mapping: { z: lineZ, x: Array.from(generatorMap(gan.generator, lineZ)) },
    jensenShannon: jensenShannonOnGrid(data.density, generated.density, grid.step),
    wasserstein: wassersteinOnGrid(data.density, generated.density, grid),
    discriminatorKinks: countKinks(logits, grid, distribution.bounds.low[0]!, distribution.bounds.high[0]!),
    meanDistanceFromHalf: meanDistanceFromHalf(discriminator, data, grid),
    meanDistanceFromOptimal: distanceOnRegion(discriminator, optimal, region, data, generated, grid).mean,
    generatedMean,
    generatedStd: Math.sqrt(Math.max(0, generatedSecond - generatedMean * generatedMean)),
    ...(record ? { realScore: record.realScore, fakeScore: record.fakeScore } : {}),
  };
}

/** Trains the 1-D GAN with Algorithm 1 and takes the snapshots; deterministic from the seed. */
export async function figure1Experiment(options: Figure1Options): Promise<Figure1Result> {
  const settings = { ...FIGURE_1_DEFAULTS, config: {}, ...options };
  const { seed, steps, pretrainSteps, batchSize } = settings;
  const moments = [...new Set([...settings.moments.filter((moment) => moment > 0 && moment < steps), steps])].sort(
    (a, b) => a - b,
  );
  const config = theoryConfig(seed, {
    ...settings.config,
    steps,
    batchSize,
    pretrainDiscriminatorSteps: pretrainSteps,
    sampleEvery: 0,
    checkpointEvery: 0,
    logEvery: steps,
  });
  const distribution = toyDistribution(THEORY_DATASET);
  const gan = createGan(config, [...THEORY_DATA_SHAPE]);
  const snapshots: Figure1Snapshot[] = [];
  const training: Figure1Result["training"] = { step: [], realScore: [], fakeScore: [], discriminatorLoss: [] };
  const events = new Events<TrainingEventMap>();
  events.on("samples", ({ step }) => {
    if (step === 0) snapshots.push(snapshot(gan, 0));
  });
  events.on("step", (record) => {
    training.step.push(record.step);
    training.realScore.push(record.realScore);
    training.fakeScore.push(record.fakeScore);
    training.discriminatorLoss.push(record.discriminatorLoss);
    if (moments.includes(record.step)) snapshots.push(snapshot(gan, record.step, record));
  });
  try {
    await trainAlgorithm1(gan, toyDataset(distribution), events);
  } finally {
    disposeGan(gan);
  }
  const first = snapshots[0]!;
  const last = snapshots[snapshots.length - 1]!;
  return {
    experiment: "figure-1",
    settings: { ...settings, moments, dataset: THEORY_DATASET },
    snapshots,
    training,
    summary: {
      finalJensenShannon: last.jensenShannon,
      finalWasserstein: last.wasserstein,
      finalMeanDistanceFromHalf: last.meanDistanceFromHalf,
      initialJensenShannon: first.jensenShannon,
      finalGeneratedMean: last.generatedMean,
      finalGeneratedStd: last.generatedStd,
    },
  };
}
