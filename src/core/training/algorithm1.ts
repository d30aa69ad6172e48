/**
 * Algorithm 1 of Goodfellow et al. 2014: minibatch stochastic gradient training of generative adversarial nets.
 *
 *   for number of training iterations do
 *     for k steps do
 *       sample m noise samples from p_z, m examples from p_data; update D by ascending its stochastic gradient
 *     end for
 *     sample m noise samples from p_z; update G by descending its stochastic gradient
 *   end for
 *
 * Every random draw derives from (seed, iteration, purpose), so a run resumed at iteration s draws what an
 * uninterrupted run would have drawn there. The loop emits events; it writes nothing itself.
 */
import { labelledRealBatch, realBatch } from "../data/batches.js";
import type { Dataset } from "../data/dataset.js";
import { hashSeed, Rng } from "../engine/random.js";
import { tf, type Tensor } from "../engine/tf.js";
import { samplesPerMinibatch } from "../models/packing.js";
import { LABELS_PURPOSE, labelTensor, sampleClassLabels, type StepLabels } from "./conditional.js";
import { emaDecayAt, updateEma } from "./ema.js";
import { Events } from "./events.js";
import type { Gan } from "./gan.js";
import { sampleNoise } from "./noise.js";
import { simultaneousStep } from "./simultaneous.js";
import { discriminatorStep, fakeScore, generatorStep, type StepSeeds } from "./steps.js";

/** What one iteration logs (one line of metrics.jsonl). Probabilities are means over the minibatch. */
export interface StepRecord {
  /** Iterations completed, counting this one (1-based). */
  step: number;
  /** −V(D, G) on the last D minibatch, before its update. */
  discriminatorLoss: number;
  /** G's objective on its minibatch, before its update. */
  generatorLoss: number;
  /** D(x) on real data (last D step). */
  realScore: number;
  /** D(G(z)) in the last D step: before the G step. */
  fakeScore: number;
  /** D(G(z)) seen by the G step (after D's update, before G's). */
  generatorFakeScore: number;
  /** D(G(z)) for the G step's noise after G's update; computed on logged steps only (else null). */
  fakeScoreAfter: number | null;
  discriminatorGradientNorm: number;
  generatorGradientNorm: number;
  /** Seconds since training (this process) started. */
  seconds: number;
  /** Training-time evaluation (--eval-every): compact metric values, e.g. { modesCovered: 8, jensenShannon: 0.02 }. */
  eval?: Record<string, number>;
  /** Watchdog warnings raised at this step (saturation, collapse). */
  warnings?: string[];
}

/** The events trainAlgorithm1 emits, by name, with their payloads. */
export interface TrainingEventMap extends Record<string, unknown> {
  /** Every iteration. */
  step: StepRecord;
  /** The grid's fixed noise is due: at the start, every sampleEvery iterations, at the end. */
  samples: { step: number };
  /** A checkpoint is due: every checkpointEvery iterations and at the end. */
  checkpoint: { step: number };
}

/** NaN or Inf in the losses or gradient norms: training stops at that step. */
export class DivergenceError extends Error {
  override name = "DivergenceError";
}

/** Options of trainAlgorithm1. */
export interface TrainOptions {
  /** Polled after every iteration; true stops the loop cleanly (after a checkpoint). */
  shouldStop?: () => boolean;
}

/** Seeds for dropout masks and noise of one purpose at one iteration. */
function seedsFor(seed: number, step: number, purpose: string, index = 0): StepSeeds {
  return {
    generator: hashSeed(seed, step, purpose, index, "dropout/generator"),
    discriminator: hashSeed(seed, step, purpose, index, "dropout/discriminator"),
  };
}

function batchTensor(gan: Gan, values: Float32Array): Tensor {
  return tf.tensor(values, [values.length / gan.dataShape.reduce((a, b) => a * b, 1), ...gan.dataShape]);
}

/**
 * Real batch number `batchIndex` [m, ...dataShape], and for a conditional run the labels of one D step: the batch's
 * own, and y ~ Uniform{0 … K − 1} for G from Rng.derive(seed, …labelStream, "labels/discriminator"). An
 * unconditional run draws exactly what it always did.
 */
export function discriminatorInputs(
  gan: Gan,
  dataset: Dataset,
  batchIndex: number,
  seed: number,
  labelStream: ReadonlyArray<number | string>,
): { real: Tensor; labels?: StepLabels } {
  const { config } = gan;
  if (config.conditional === "none") {
    // batchSize packs of `pack` samples (PacGAN; a conditional config has pack 1)
    return { real: batchTensor(gan, realBatch(dataset, batchIndex, samplesPerMinibatch(config), seed)) };
  }
  const { batch, labels } = labelledRealBatch(dataset, batchIndex, config.batchSize, seed);
  const rng = Rng.derive(config.seed, ...labelStream, `${LABELS_PURPOSE}/discriminator`);
  const fake = sampleClassLabels(config.classCount, config.batchSize, rng);
  return { real: batchTensor(gan, batch), labels: { real: labelTensor(labels), fake: labelTensor(fake) } };
}

/**
 * A conditional run's labels [m] for a G step, from Rng.derive(seed, …labelStream, "labels/generator"); undefined for
 * an unconditional run.
 */
export function generatorLabels(gan: Gan, labelStream: ReadonlyArray<number | string>): Tensor | undefined {
  const { config } = gan;
  if (config.conditional === "none") return undefined;
  const rng = Rng.derive(config.seed, ...labelStream, `${LABELS_PURPOSE}/generator`);
  return labelTensor(sampleClassLabels(config.classCount, config.batchSize, rng));
}

/** Reads the scalars of one iteration with a single download. */
function readScalars(scalars: Tensor[]): number[] {
  const stacked = tf.stack(scalars);
  const values = Array.from(stacked.dataSync());
  stacked.dispose();
  tf.dispose(scalars);
  return values;
}

/** Yields to the event loop at most this often, so Ctrl-C and the lab's buttons are seen promptly. */
const YIELD_INTERVAL_MS = 25;
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Seed 001's warm-up: D alone on real data vs the initial generator's samples. Runs only before the first iteration.
 */
export function pretrainDiscriminator(gan: Gan, dataset: Dataset): void {
  const { config } = gan;
  const batchSize = samplesPerMinibatch(config); // batchSize packs of `pack` samples (PacGAN; 1 sample each by default)
  for (let index = 0; index < config.pretrainDiscriminatorSteps; index++) {
    const pretrainSeed = hashSeed(config.seed, "pretrain");
    const { real, labels } = discriminatorInputs(gan, dataset, index, pretrainSeed, ["pretrain", index]);
    const noise = sampleNoise(config, batchSize, Rng.derive(config.seed, index, "pretrain/noise"));
    const metrics = discriminatorStep(gan, real, noise, seedsFor(config.seed, index, "pretrain"), labels);
    tf.dispose([real, noise, metrics.loss, metrics.realScore, metrics.fakeScore, metrics.gradientNorm]);
    if (labels) tf.dispose([labels.real, labels.fake]);
  }
}

/** Runs Algorithm 1 from `gan.step` to `config.steps`; returns how it ended. */
export async function trainAlgorithm1(
  gan: Gan,
  dataset: Dataset,
  events: Events<TrainingEventMap>,
  options: TrainOptions = {},
): Promise<"done" | "stopped"> {
  const { config } = gan;
  const { discriminatorSteps, seed } = config;
  const batchSize = samplesPerMinibatch(config); // m: batchSize packs of `pack` samples (PacGAN; 1 sample each by default)
  const started = performance.now();
  let lastYield = started;

  if (gan.step === 0) {
    pretrainDiscriminator(gan, dataset);
    await events.emit("samples", { step: 0 });
  }

  for (let step = gan.step; step < config.steps; step++) {
    let discriminator: ReturnType<typeof discriminatorStep> | undefined;
    let generator: ReturnType<typeof generatorStep>;
    const noise = sampleNoise(config, batchSize, Rng.derive(seed, step, "noise/generator"));
    const labels = generatorLabels(gan, [step]);
    const generatorSeeds = seedsFor(seed, step, "generator");
    if (config.simultaneousUpdates) {
      // The paper's code: D and G updated together from one minibatch and one D pass (k = 1; simultaneous.ts)
      const real = batchTensor(gan, realBatch(dataset, step, batchSize, seed));
      ({ discriminator, generator } = simultaneousStep(gan, real, noise, seedsFor(seed, step, "discriminator", 0)));
      real.dispose();
    } else {
      for (let i = 0; i < discriminatorSteps; i++) {
        if (discriminator) tf.dispose(Object.values(discriminator));
        const { real, labels: dLabels } = discriminatorInputs(gan, dataset, step * discriminatorSteps + i, seed, [
          step,
          i,
        ]);
        const discriminatorNoise = sampleNoise(config, batchSize, Rng.derive(seed, step, i, "noise/discriminator"));
        // D ascends  E_x[log D(x)] + E_z[log(1 − D(G(z)))]   (binary cross-entropy, real = 1, fake = 0) — the paper's;
        // other objectives (least squares, hinge, WGAN-GP) and penalties (R1) are the loss's own: src/core/losses/;
        // a conditional D judges (x, y) pairs (projection) or also classifies (AC-GAN): src/core/models/conditional.ts
        const seeds = seedsFor(seed, step, "discriminator", i);
        discriminator = discriminatorStep(gan, real, discriminatorNoise, seeds, dLabels);
        tf.dispose([real, discriminatorNoise]);
        if (dLabels) tf.dispose([dLabels.real, dLabels.fake]);
      }
      // G descends E_z[log(1 − D(G(z)))]  (minimax)  or ascends E_z[log D(G(z))]  (non-saturating); or the loss's own
      generator = generatorStep(gan, noise, generatorSeeds, labels);
    }
    // EMA of G's weights (Karras et al. 2018; Yazıcı et al. 2019):  θ_ema ← β_t·θ_ema + (1 − β_t)·θ   (ema.ts)
    if (gan.generatorEma) updateEma(gan.generatorEma, gan.generator, emaDecayAt(config, step));
    gan.step = step + 1;

    const logged = gan.step % config.logEvery === 0 || gan.step === config.steps;
    const after = logged ? [fakeScore(gan, noise, generatorSeeds, labels)] : [];
    noise.dispose();
    labels?.dispose();
    const d = discriminator!;
    const values = readScalars([
      d.loss,
      generator.loss,
      d.realScore,
      d.fakeScore,
      generator.fakeScore,
      d.gradientNorm,
      generator.gradientNorm,
      ...after,
    ]);
    const [dLoss, gLoss, realScore, dFake, gFake, dNorm, gNorm, afterScore] = values as number[];
    if (!values.every(Number.isFinite)) {
      throw new DivergenceError(
        `non-finite values at step ${gan.step}: D loss ${dLoss}, G loss ${gLoss}, gradient norms D ${dNorm} G ${gNorm}`,
      );
    }
    await events.emit("step", {
      step: gan.step,
      discriminatorLoss: dLoss!,
      generatorLoss: gLoss!,
      realScore: realScore!,
      fakeScore: dFake!,
      generatorFakeScore: gFake!,
      fakeScoreAfter: afterScore ?? null,
      discriminatorGradientNorm: dNorm!,
      generatorGradientNorm: gNorm!,
      seconds: (performance.now() - started) / 1000,
    });

    if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
      await yieldToEventLoop(); // lets a pending Ctrl-C or a lab button set the stop flag
      lastYield = performance.now();
    }
    const last = gan.step === config.steps;
    const stopping = !last && (options.shouldStop?.() ?? false);
    if (last || (config.sampleEvery > 0 && gan.step % config.sampleEvery === 0)) {
      await events.emit("samples", { step: gan.step });
    }
    if (last || stopping || (config.checkpointEvery > 0 && gan.step % config.checkpointEvery === 0)) {
      await events.emit("checkpoint", { step: gan.step });
    }
    if (stopping) return "stopped";
  }
  return "done";
}
