/**
 * One discriminator step and one generator step of Algorithm 1 (Goodfellow et al. 2014).
 *
 * Each step differentiates only with respect to its own network's variables and hands the gradients to that
 * network's optimizer, so a D step cannot move G and a G step cannot move D (tested). Metrics come back as
 * tensors; the loop reads them all with one download per iteration.
 *
 * With `config.pack` = m > 1 (PacGAN, models/packing.ts) D judges packs of m samples of one kind, so whatever D sees
 * below is a pack: the real and noise minibatches hold n·m samples, and D's scores, losses and penalties (R1, WGAN-GP:
 * gradients with respect to a whole pack, one interpolation weight per pack) are over the n packs.
 */
import { tf, type Scalar, type Tensor, type Variable } from "../engine/tf.js";
import { GLOBAL_NORM_KERNEL, backendHasKernel, runFusedGlobalNorm } from "../engine/fusedKernels.js";
import { hashSeed } from "../engine/random.js";
import { gradientPenalty, interpolationWeights, r1Penalty, type Critic } from "../losses/index.js";
import { splitDiscriminatorOutput } from "../models/conditional.js";
import { adversarialAndClassTerms, type StepLabels } from "./conditional.js";
import { packSamples } from "../models/packing.js";
import type { Gan } from "./gan.js";

/** Seeds for the dropout masks of one step (derive them from run seed, step and purpose). */
export interface StepSeeds {
  generator: number;
  discriminator: number;
}

/** What one D step measured (scalar tensors; the caller reads and disposes them). */
export interface DiscriminatorStepMetrics {
  /** D's loss on this minibatch before the update, penalties included (−V(D, G) for the cross-entropy losses). */
  loss: Scalar;
  /**
   * Mean D(x) over the real minibatch: the loss's score (GanLoss.score): σ(logit) for the cross-entropy losses, the
   * raw output for least-squares (a probability estimate in its 0-1 coding) and for the critics (hinge, wasserstein-gp).
   */
  realScore: Scalar;
  /** Mean D(G(z)) over the generated minibatch, before the update (the same score). */
  fakeScore: Scalar;
  /** ‖∇_θd loss‖₂ over all of D's parameters. */
  gradientNorm: Scalar;
}

/** What one G step measured (scalar tensors; the caller reads and disposes them). */
export interface GeneratorStepMetrics {
  /** G's loss (the config's) before the update. */
  loss: Scalar;
  /** Mean D(G(z)) seen by the generator step, before G's update (after D's); the loss's score. */
  fakeScore: Scalar;
  /** ‖∇_θg loss‖₂ over all of G's parameters. */
  gradientNorm: Scalar;
}

/** Options of discriminatorStep. */
export interface DiscriminatorStepOptions {
  /**
   * Draw the fakes as sampling draws them (G in inference mode: BatchNorm's running statistics, no dropout) rather
   * than as training runs G (batch statistics, dropout): Discriminator Rejection Sampling's calibration (rejection.ts)
   * fits D to the samples it will judge. Default false: Algorithm 1's D step.
   */
  fakesAsSampled?: boolean;
}

/** Distinguishes the dropout masks of D's pass over generated samples from its pass over real ones. */
export const FAKE_PASS = "fake";
/** Seeds the interpolation weights ε of the gradient penalty, and D's dropout masks on the interpolates. */
const INTERPOLATION = "interpolation";

/** Global L2 norm of a list of gradients (one fused kernel where the backend has it: engine/fusedKernels.ts). */
export function globalNorm(gradients: Tensor[]): Scalar {
  if (backendHasKernel(GLOBAL_NORM_KERNEL)) return runFusedGlobalNorm(gradients) as Scalar;
  return tf.tidy(() => tf.sqrt(tf.addN(gradients.map((gradient) => tf.sum(tf.square(gradient))))) as Scalar);
}

function orderedGradients(grads: Record<string, Tensor>, variables: Variable[]): Tensor[] {
  return variables.map((variable) => {
    const gradient = grads[variable.name];
    if (!gradient) throw new Error(`no gradient for ${variable.name}`);
    return gradient;
  });
}

/**
 * D minimises the config's loss (src/core/losses): for minimax and non-saturating D ascends
 * E_x[log D(x)] + E_z[log(1 − D(G(z)))] (binary cross-entropy, real = 1 − α, fake = 0), plus the loss's gradient
 * penalty (wasserstein-gp) and the R1 penalty (r1Gamma > 0).
 * real: [m, ...dataShape]; noise: [m, latentDim]; with packing, m = n·pack samples make n packs (packSamples);
 * labels (conditional runs): the real batch's and G's, [m] each.
 * AC-GAN (Odena et al. 2017): "D is trained to maximize L_S + L_C", L_C = E[log P(C = c | X_real)] +
 * E[log P(C = c | X_fake)]: D's loss adds the class cross-entropy on real and on generated samples.
 */
export function discriminatorStep(
  gan: Gan,
  real: Tensor,
  noise: Tensor,
  seeds: StepSeeds,
  labels?: StepLabels,
  options: DiscriminatorStepOptions = {},
): DiscriminatorStepMetrics {
  const { generator, discriminator, discriminatorOptimizer, loss, config } = gan;
  return tf.tidy(() => {
    // G(z) as a constant for this step: G's batch statistics are used but its running averages are left alone
    // (or, fakesAsSampled, G in inference mode).
    const fake = options.fakesAsSampled
      ? generator.apply(noise, { training: false, labels: labels?.fake })
      : generator.apply(noise, {
          training: true,
          updateStatistics: false,
          seed: seeds.generator,
          labels: labels?.fake,
        });
    // PacGAN: D's inputs are packs of config.pack samples, all real or all generated: [n, ...packedShape]
    // (a conditional config has pack 1: packing is then the identity).
    const realPacks = packSamples(real, config.pack);
    const fakePacks = packSamples(fake, config.pack);
    const training = { training: true, updateStatistics: true } as const;
    // D on the penalties' inputs: the real pass's dropout masks for R1 (the same function of x), fresh ones for the
    // interpolates; running statistics left alone (the config refuses a penalty with BatchNorm in D anyway).
    const criticWithSeed =
      (seed: number, criticLabels?: Tensor): Critic =>
      (inputs) =>
        splitDiscriminatorOutput(
          discriminator.apply(inputs, { training: true, updateStatistics: false, seed, labels: criticLabels }),
          config.conditional,
        ).logits;
    let realScore: Scalar | undefined;
    let fakeScore: Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      // Real and generated samples in separate batches (DCGAN's advice): a BatchNorm in D then sees a batch of one
      // kind in both steps; one mixed batch of 2m here and a pure fake batch in the G step would normalise the
      // fakes differently in the two steps, and G would be trained against a D that never judged anything.
      const realOutput = discriminator.apply(realPacks, {
        ...training,
        seed: seeds.discriminator,
        labels: labels?.real,
      });
      const fakeSeed = hashSeed(seeds.discriminator, FAKE_PASS);
      const fakeOutput = discriminator.apply(fakePacks, { ...training, seed: fakeSeed, labels: labels?.fake });
      const realTerms = adversarialAndClassTerms(realOutput, config.conditional, labels?.real);
      const fakeTerms = adversarialAndClassTerms(fakeOutput, config.conditional, labels?.fake);
      const realLogits = realTerms.logits; // [n, 1]
      const fakeLogits = fakeTerms.logits; // [n, 1]
      realScore = tf.keep(tf.mean(loss.score(realLogits)) as Scalar);
      fakeScore = tf.keep(tf.mean(loss.score(fakeLogits)) as Scalar);
      const terms: Scalar[] = [loss.discriminator(realLogits, fakeLogits, { labelSmoothing: config.labelSmoothing })];
      if (realTerms.classLoss && fakeTerms.classLoss) terms.push(realTerms.classLoss, fakeTerms.classLoss);
      if (loss.gradientPenaltyWeight > 0) {
        const seed = hashSeed(seeds.discriminator, INTERPOLATION);
        const epsilon = interpolationWeights(realPacks.shape[0]!, realPacks.rank, seed); // [n, 1, …]
        // The interpolates keep the real batch's labels (projection D then differentiates D(·, y_real) along the line).
        const critic = criticWithSeed(seed, labels?.real);
        terms.push(gradientPenalty(critic, realPacks, fakePacks, epsilon, loss.gradientPenaltyWeight));
      }
      if (config.r1Gamma > 0) {
        terms.push(r1Penalty(criticWithSeed(seeds.discriminator, labels?.real), realPacks, config.r1Gamma));
      }
      return (terms.length === 1 ? terms[0]! : tf.addN(terms)) as Scalar;
    }, discriminator.parameters);
    const gradients = orderedGradients(grads, discriminator.parameters);
    const gradientNorm = globalNorm(gradients);
    discriminatorOptimizer.apply(gradients);
    return { loss: value, realScore: realScore!, fakeScore: fakeScore!, gradientNorm };
  });
}

/**
 * G minimises the config's loss: e.g. descends E_z[log(1 − D(G(z)))] (minimax) or ascends E_z[log D(G(z))]
 * (non-saturating); −E_z[D(G(z))] for the critics. noise: [m, latentDim]; labels (conditional runs): the classes G
 * is asked to draw, [m]. D runs in training mode (as in the D step) but only G's variables are differentiated.
 * AC-GAN (Odena et al. 2017): "G is trained to maximize L_C − L_S": G's loss adds the class cross-entropy of its
 * samples (its −L_S part is the config's G loss).
 */
export function generatorStep(gan: Gan, noise: Tensor, seeds: StepSeeds, labels?: Tensor): GeneratorStepMetrics {
  const { generator, discriminator, generatorOptimizer, loss, config } = gan;
  return tf.tidy(() => {
    let fakeScore: Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const fake = generator.apply(noise, { training: true, updateStatistics: true, seed: seeds.generator, labels });
      const fakePacks = packSamples(fake, config.pack); // PacGAN: packs of generated samples only
      const output = discriminator.apply(fakePacks, {
        training: true,
        updateStatistics: false,
        seed: seeds.discriminator,
        labels,
      });
      const { logits, classLoss } = adversarialAndClassTerms(output, config.conditional, labels);
      fakeScore = tf.keep(tf.mean(loss.score(logits)) as Scalar);
      return classLoss ? (tf.add(loss.generator(logits), classLoss) as Scalar) : loss.generator(logits);
    }, generator.parameters);
    const gradients = orderedGradients(grads, generator.parameters);
    const gradientNorm = globalNorm(gradients);
    generatorOptimizer.apply(gradients);
    return { loss: value, fakeScore: fakeScore!, gradientNorm };
  });
}

/**
 * Mean D(G(z)) (the loss's score) for the given noise without training anything: the "after the G step" score. Both networks run as in
 * the steps (batch statistics, dropout from `seeds`), but no running average changes.
 */
export function fakeScore(gan: Gan, noise: Tensor, seeds: StepSeeds, labels?: Tensor): Scalar {
  return tf.tidy(() => {
    const fake = gan.generator.apply(noise, { training: true, updateStatistics: false, seed: seeds.generator, labels });
    const output = gan.discriminator.apply(packSamples(fake, gan.config.pack), {
      training: true,
      updateStatistics: false,
      seed: seeds.discriminator,
      labels,
    });
    const { logits } = splitDiscriminatorOutput(output, gan.config.conditional);
    return tf.mean(gan.loss.score(logits)) as Scalar;
  });
}
