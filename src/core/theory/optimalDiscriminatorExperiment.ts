/**
 * Experiment `optimal-discriminator`: Proposition 1 of Goodfellow et al. (2014) measured. With G fixed, D trained to
 * convergence by discriminatorStep alone approaches D*_G = p_data / (p_data + p_g).
 *
 * Data: N(4, 0.5²) (gaussian-1d, exact density). G: the fixed affine map x = μ_g + σ_g·z with z ∼ N(0, 1), so
 * p_g = N(μ_g, σ_g²) is known exactly and D* needs no density estimate; its logit, a concave quadratic in x, makes
 * D* a bump that a small MLP must learn. D: the toy-1d preset's maxout MLP, Adam, fresh minibatches every step; a
 * second phase at a tenth of the rate averages out the minibatch noise. G is never updated.
 *
 * Reported over the region where p_data + p_g is non-negligible: max, mean and mass-weighted mean |D − D*|; the
 * same against D* built from a kernel density estimate of 20 000 generator samples (the route a G without a known
 * density must take); and V(D, G) beside V(D*, G) = −log 4 + 2·JSD, which no D can exceed.
 */
import { realBatch } from "../data/batches.js";
import { toyDataset } from "../data/dataset.js";
import { toyDistribution } from "../data/toys.js";
import { hashSeed, Rng } from "../engine/random.js";
import { tf } from "../engine/tf.js";
import { noiseValues, sampleNoise } from "../training/noise.js";
import { disposeGan, withParts } from "../training/gan.js";
import { createOptimizer } from "../training/optimizers.js";
import { discriminatorStep } from "../training/steps.js";
import { optimalValueOnGrid, valueOnGrid } from "../numerics/divergences.js";
import { uniformGrid } from "../numerics/grid.js";
import { gaussianKdeOnGrid, silvermanBandwidth } from "../numerics/kde.js";
import { sigmoid } from "../numerics/scalar.js";
import { fromDensity, gaussianOnGrid, thinSeries, toyDensityOnGrid } from "./grid.js";
import {
  THEORY_DATASET,
  affineGenerator,
  columnTensor,
  discriminatorLogits,
  ganWithGenerator,
  generatorMap,
  theoryConfig,
} from "./networks.js";
import {
  REGION_DENSITY_FRACTION,
  comparisonRegion,
  distanceOnRegion,
  optimalDiscriminator,
  type GridDistance,
} from "./optimalDiscriminator.js";

export interface OptimalDiscriminatorOptions {
  seed: number;
  /** p_g = N(generatorMean, generatorStd²): the fixed G. */
  generatorMean?: number;
  generatorStd?: number;
  /** D steps at `learningRate`, then `refineSteps` at `refineLearningRate` (fresh Adam moments). */
  steps?: number;
  refineSteps?: number;
  learningRate?: number;
  refineLearningRate?: number;
  /** m: real and generated samples per D step. */
  batchSize?: number;
  /** Cells of the comparison grid. */
  gridCells?: number;
  /** Generator samples behind the kernel density estimate of p_g. */
  generatedSamples?: number;
}

/**
 * Defaults (the CLI's): p_g = N(3, 1²) overlaps p_data = N(4, 0.5²) enough that D* varies smoothly between 0 and 1
 * across the region; 3000 + 1000 Adam steps with m = 256 bring D to its plateau.
 */
export const OPTIMAL_DISCRIMINATOR_DEFAULTS = {
  generatorMean: 3,
  generatorStd: 1,
  steps: 3000,
  refineSteps: 1000,
  learningRate: 1e-3,
  refineLearningRate: 1e-4,
  batchSize: 256,
  gridCells: 600,
  generatedSamples: 20_000,
} as const;

/** The grid reaches this many standard deviations past each distribution's mean. */
const GRID_REACH_STDS = 5;
/** Points kept per curve in the result (plots and JSON). */
const SERIES_POINTS = 300;
/** D's loss is averaged over chunks of this many steps for the training curve. */
const LOSS_CHUNK = 50;

export interface OptimalDiscriminatorResult {
  experiment: "optimal-discriminator";
  settings: Required<OptimalDiscriminatorOptions> & { dataset: string; regionDensityFraction: number };
  series: {
    /** Curves on the grid (thinned): x, p_data, p_g, D*, D*, from the KDE of p_g, and the trained D. */
    x: number[];
    dataDensity: number[];
    generatedDensity: number[];
    optimal: number[];
    optimalFromSamples: number[];
    trained: number[];
    /** 1 where the point is in the comparison region. */
    region: number[];
    /** D's minibatch loss (−V on the minibatch), mean over chunks of steps; its floor is −C(G) = log 4 − 2·JSD. */
    lossStep: number[];
    loss: number[];
  };
  summary: {
    /** Trained D vs the exact D*. */
    trainedVsOptimal: GridDistance;
    /** Trained D vs D* from the KDE of generator samples. */
    trainedVsOptimalFromSamples: GridDistance;
    /** D* from the KDE vs the exact D*: what estimating p_g from samples costs. */
    optimalFromSamplesVsOptimal: GridDistance;
    /** V(D, G) of the trained D on the grid, and V(D*, G) = −log 4 + 2·JSD ≥ it. */
    trainedValue: number;
    optimalValue: number;
    /** Bandwidth of the kernel density estimate (Silverman's rule). */
    kernelBandwidth: number;
  };
}

/** Trains D against the fixed G and compares it with D*; deterministic from the seed. */
export function optimalDiscriminatorExperiment(options: OptimalDiscriminatorOptions): OptimalDiscriminatorResult {
  const settings = { ...OPTIMAL_DISCRIMINATOR_DEFAULTS, ...options };
  const { seed, generatorMean, generatorStd, batchSize, steps, refineSteps } = settings;
  const config = theoryConfig(seed, {
    prior: "normal",
    batchSize,
    optimizer: "adam",
    discriminatorLearningRate: settings.learningRate,
  });
  const distribution = toyDistribution(THEORY_DATASET);
  const dataset = toyDataset(distribution);
  const gan = ganWithGenerator(config, affineGenerator(generatorStd, generatorMean, seed));
  const refineOptimizer = createOptimizer(
    config,
    gan.discriminator.parameters,
    gan.discriminator.parameterNames,
    settings.refineLearningRate,
  );
  // The second phase: the same networks, D updated by the slower optimizer.
  const refining = withParts(gan, { discriminatorOptimizer: refineOptimizer });
  const lossStep: number[] = [];
  const loss: number[] = [];
  try {
    let chunkSum = 0;
    for (let step = 0; step < steps + refineSteps; step++) {
      const phase = step < steps ? gan : refining;
      const real = columnTensor(realBatch(dataset, step, batchSize, seed)); // [m, 1]
      const noise = sampleNoise(config, batchSize, Rng.derive(seed, step, "theory/optimal/noise")); // [m, 1]
      const dropoutSeeds = {
        generator: hashSeed(seed, step, "theory/optimal/dropout/generator"),
        discriminator: hashSeed(seed, step, "theory/optimal/dropout/discriminator"),
      };
      const metrics = discriminatorStep(phase, real, noise, dropoutSeeds);
      chunkSum += metrics.loss.dataSync()[0]!;
      tf.dispose([real, noise, ...Object.values(metrics)]);
      if ((step + 1) % LOSS_CHUNK === 0) {
        lossStep.push(step + 1);
        loss.push(chunkSum / LOSS_CHUNK);
        chunkSum = 0;
      }
    }

    const low = Math.min(distribution.bounds.low[0]!, generatorMean - GRID_REACH_STDS * generatorStd);
    const high = Math.max(distribution.bounds.high[0]!, generatorMean + GRID_REACH_STDS * generatorStd);
    const grid = uniformGrid(low, high, settings.gridCells);
    const data = toyDensityOnGrid(distribution, grid);
    const generated = gaussianOnGrid(generatorMean, generatorStd, grid);
    const z = noiseValues("normal", settings.generatedSamples, 1, Rng.derive(seed, "theory/optimal/kde"));
    const samples = generatorMap(gan.generator, z);
    const generatedFromSamples = fromDensity(gaussianKdeOnGrid(samples, grid, silvermanBandwidth(samples)));
    const logits = discriminatorLogits(gan.discriminator, grid.points);
    const trained = logits.map(sigmoid);
    const optimal = optimalDiscriminator(data, generated);
    const optimalFromSamples = optimalDiscriminator(data, generatedFromSamples);
    const region = comparisonRegion(data, generated);
    const distance = (a: Float64Array, b: Float64Array) => distanceOnRegion(a, b, region, data, generated, grid);
    const thin = (values: ArrayLike<number>) => thinSeries(grid, values, SERIES_POINTS).y;

    return {
      experiment: "optimal-discriminator",
      settings: { ...settings, dataset: THEORY_DATASET, regionDensityFraction: REGION_DENSITY_FRACTION },
      series: {
        x: thinSeries(grid, grid.points, SERIES_POINTS).x,
        dataDensity: thin(data.density),
        generatedDensity: thin(generated.density),
        optimal: thin(optimal),
        optimalFromSamples: thin(optimalFromSamples),
        trained: thin(trained),
        region: thin(region),
        lossStep,
        loss,
      },
      summary: {
        trainedVsOptimal: distance(trained, optimal),
        trainedVsOptimalFromSamples: distance(trained, optimalFromSamples),
        optimalFromSamplesVsOptimal: distance(optimalFromSamples, optimal),
        trainedValue: valueOnGrid(logits, data.density, generated.density, grid.step),
        optimalValue: optimalValueOnGrid(data.density, generated.density, grid.step),
        kernelBandwidth: silvermanBandwidth(samples),
      },
    };
  } finally {
    refineOptimizer.dispose();
    disposeGan(gan);
  }
}
