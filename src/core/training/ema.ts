/**
 * An exponential moving average of G's weights: the generator that draws samples when `generatorEma` = β > 0.
 *
 * Karras, Aila, Laine & Lehtinen 2018 ("Progressive Growing of GANs", §A.1) sample from "a moving average of the
 * generator weights" with decay 0.999; Yazıcı, Foo, Winkler, Yap, Piliouras & Chandrasekhar 2019 ("The Unusual
 * Effectiveness of Averaging in GAN Training") show that the exponential average improves FID and Inception score
 * across losses and architectures, because G's iterates cycle around an equilibrium that their average is nearer to.
 * After every G step:
 *
 *   θ_ema ← β · θ_ema + (1 − β) · θ          (θ: G's trainable weights; θ_ema starts at G's initial θ)
 *
 * so after n steps θ_ema = βⁿ θ₀ + (1 − β) Σ_{t=1..n} β^{n−t} θ_t.
 *
 * The EMA generator is a second network of G's architecture that no optimizer ever sees: it changes only here.
 * Its non-trainable statistics are copied from G after every update, as StyleGAN2-ADA's training loop copies
 * G's buffers into G_ema (Karras et al. 2020, training/training_loop.py): BatchNorm's running mean and variance,
 * and spectral normalization's ũ, ṽ, which must stay unit singular-vector estimates — an average of unit vectors
 * is not one, and the EMA network, never trained, would never renormalise them.
 */
import type { Config } from "../config.js";
import { MOVING_AVERAGE_KERNEL, backendHasKernel, runFusedMovingAverage } from "../engine/fusedKernels.js";
import { tf, type Tensor } from "../engine/tf.js";
import { buildGenerator, RESTORING } from "../models/index.js";
import type { Network } from "../models/network.js";

/** A new EMA generator for `generator`: G's architecture (from the config) holding G's current values. */
export function createEmaGenerator(config: Config, dataShape: number[], generator: Network): Network {
  const ema = buildGenerator(config, dataShape, RESTORING); // its values are G's, copied next
  copyVariables(ema, generator);
  return ema;
}

/**
 * A copy of `value` in a buffer of its own. `assign(value)` alone would share the buffer (TF.js hands the data over
 * by reference), and an engine that updates a variable in place would then move both networks at once.
 */
function ownCopy(value: Tensor): Tensor {
  return tf.mul(value, 1); // × 1 keeps every bit, −0 and NaN included
}

/** Sets every variable of `target` (weights and statistics) to `source`'s value; same architecture required. */
export function copyVariables(target: Network, source: Network): void {
  const values = new Map(source.namedVariables());
  tf.tidy(() => {
    for (const [name, variable] of target.namedVariables()) {
      const value = values.get(name);
      if (!value) throw new Error(`${source.name} has no variable ${name}`);
      variable.assign(ownCopy(value));
    }
  });
}

/** The warm-up's schedule: β_t = min(β, (1 + t)/(WARMUP_OFFSET + t)), TensorFlow's ExponentialMovingAverage. */
const WARMUP_OFFSET = 10;

/**
 * β for the EMA update after G step `step` (0-based: the run's completed iterations before it). With
 * `generatorEmaWarmup` the decay starts near 0.1 and reaches β after about 10/(1 − β) steps (9 990 for β = 0.999),
 * as TensorFlow's `ExponentialMovingAverage(decay, num_updates)` does: the average then forgets G's random initial
 * weights in tens of steps instead of thousands (with a fixed β = 0.999 they still weigh 0.999²⁰⁰⁰ ≈ 14% after 2 000
 * steps). It depends on the step alone, so a resumed run computes the same β.
 */
export function emaDecayAt(config: Pick<Config, "generatorEma" | "generatorEmaWarmup">, step: number): number {
  const decay = config.generatorEma;
  return config.generatorEmaWarmup ? Math.min(decay, (1 + step) / (WARMUP_OFFSET + step)) : decay;
}

/**
 * One EMA update after a G step: θ_ema ← β·θ_ema + (1 − β)·θ for weights; statistics copied (file comment). On a
 * backend with the fused TsganMovingAverage kernel each weight's update is one kernel instead of three, bit-identical.
 */
export function updateEma(ema: Network, generator: Network, decay: number): void {
  const fused = backendHasKernel(MOVING_AVERAGE_KERNEL);
  tf.tidy(() => {
    for (const [name, average] of ema.store.trainable) {
      const value = generator.store.trainable.get(name)!;
      average.assign(
        fused
          ? runFusedMovingAverage({ average, value }, { decay, oneMinusDecay: 1 - decay })
          : tf.add(tf.mul(average, decay), tf.mul(value, 1 - decay)),
      );
    }
    for (const [name, statistic] of ema.store.statistics) {
      statistic.assign(ownCopy(generator.store.statistics.get(name)!));
    }
  });
}
