/**
 * One discriminator step and one generator step of Algorithm 1 (Goodfellow et al. 2014).
 *
 * Each step differentiates only with respect to its own network's variables and hands the gradients to that
 * network's optimizer, so a D step cannot move G and a G step cannot move D (tested). Metrics come back as
 * tensors; the loop reads them all with one download per iteration.
 */
import { tf, type Scalar, type Tensor, type Variable } from "../engine/tf.js";
import { GLOBAL_NORM_KERNEL, backendHasKernel, runFusedGlobalNorm } from "../engine/fusedKernels.js";
import { hashSeed } from "../engine/random.js";
import { discriminatorLoss } from "../losses/index.js";
import type { Gan } from "./gan.js";

/** Seeds for the dropout masks of one step (derive them from run seed, step and purpose). */
export interface StepSeeds {
  generator: number;
  discriminator: number;
}

export interface DiscriminatorStepMetrics {
  /** −V(D, G) on this minibatch, before the update. */
  loss: Scalar;
  /** Mean D(x) over the real minibatch. */
  realScore: Scalar;
  /** Mean D(G(z)) over the generated minibatch, before the update. */
  fakeScore: Scalar;
  /** ‖∇_θd loss‖₂ over all of D's parameters. */
  gradientNorm: Scalar;
}

export interface GeneratorStepMetrics {
  /** G's loss (minimax or non-saturating) before the update. */
  loss: Scalar;
  /** Mean D(G(z)) seen by the generator step, before G's update (after D's). */
  fakeScore: Scalar;
  /** ‖∇_θg loss‖₂ over all of G's parameters. */
  gradientNorm: Scalar;
}

/** Distinguishes the dropout masks of D's pass over generated samples from its pass over real ones. */
const FAKE_PASS = "fake";

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
 * D ascends  E_x[log D(x)] + E_z[log(1 − D(G(z)))]   (binary cross-entropy, real = 1, fake = 0).
 * real: [m, ...dataShape]; noise: [m, latentDim].
 */
export function discriminatorStep(gan: Gan, real: Tensor, noise: Tensor, seeds: StepSeeds): DiscriminatorStepMetrics {
  const { generator, discriminator, discriminatorOptimizer } = gan;
  return tf.tidy(() => {
    // G(z) as a constant for this step: G's batch statistics are used but its running averages are left alone.
    const fake = generator.apply(noise, { training: true, updateStatistics: false, seed: seeds.generator });
    let realScore: Scalar | undefined;
    let fakeScore: Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      // Real and generated samples in separate batches (DCGAN's advice): a BatchNorm in D then sees a batch of one
      // kind in both steps; one mixed batch of 2m here and a pure fake batch in the G step would normalise the
      // fakes differently in the two steps, and G would be trained against a D that never judged anything.
      const training = { training: true, updateStatistics: true } as const;
      const realLogits = discriminator.apply(real, { ...training, seed: seeds.discriminator }); // [m, 1]
      const fakeLogits = discriminator.apply(fake, { ...training, seed: hashSeed(seeds.discriminator, FAKE_PASS) }); // [m, 1]
      realScore = tf.keep(tf.mean(tf.sigmoid(realLogits)) as Scalar);
      fakeScore = tf.keep(tf.mean(tf.sigmoid(fakeLogits)) as Scalar);
      return discriminatorLoss(realLogits, fakeLogits);
    }, discriminator.parameters);
    const gradients = orderedGradients(grads, discriminator.parameters);
    const gradientNorm = globalNorm(gradients);
    discriminatorOptimizer.apply(gradients);
    return { loss: value, realScore: realScore!, fakeScore: fakeScore!, gradientNorm };
  });
}

/**
 * G descends E_z[log(1 − D(G(z)))]  (minimax)  or ascends E_z[log D(G(z))]  (non-saturating).
 * noise: [m, latentDim]. D runs in training mode (as in the D step) but only G's variables are differentiated.
 */
export function generatorStep(gan: Gan, noise: Tensor, seeds: StepSeeds): GeneratorStepMetrics {
  const { generator, discriminator, generatorOptimizer, generatorLoss } = gan;
  return tf.tidy(() => {
    let fakeScore: Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const fake = generator.apply(noise, { training: true, updateStatistics: true, seed: seeds.generator });
      const logits = discriminator.apply(fake, { training: true, updateStatistics: false, seed: seeds.discriminator });
      fakeScore = tf.keep(tf.mean(tf.sigmoid(logits)) as Scalar);
      return generatorLoss.fromLogits(logits);
    }, generator.parameters);
    const gradients = orderedGradients(grads, generator.parameters);
    const gradientNorm = globalNorm(gradients);
    generatorOptimizer.apply(gradients);
    return { loss: value, fakeScore: fakeScore!, gradientNorm };
  });
}

/**
 * Mean D(G(z)) for the given noise without training anything: the "after the G step" score. Both networks run as in
 * the steps (batch statistics, dropout from `seeds`), but no running average changes.
 */
export function fakeScore(gan: Gan, noise: Tensor, seeds: StepSeeds): Scalar {
  return tf.tidy(() => {
    const fake = gan.generator.apply(noise, { training: true, updateStatistics: false, seed: seeds.generator });
    const logits = gan.discriminator.apply(fake, {
      training: true,
      updateStatistics: false,
      seed: seeds.discriminator,
    });
    return tf.mean(tf.sigmoid(logits)) as Scalar;
  });
}
