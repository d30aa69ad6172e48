/**
 * D's and G's steps as one simultaneous update: how the paper's released code ran Algorithm 1 with k = 1
 * (Goodfellow et al. 2014, github.com/goodfeli/adversarial, AdversaryCost2.get_gradients). There, one minibatch
 * gives
 *
 *   D's objective  ½·(BCE(D(x), 1) + BCE(D(G(z)), 0))    and    G's objective  BCE(D(G(z)), 1)
 *
 * from the same samples G(z) and the same dropout masks in D (one `y_hat0` serves both objectives); ∇_θd of the
 * first and ∇_θg of the second are both taken at the current θd and θg, and one SGD step applies both.
 *
 * Here that is the two existing steps with G's update held back: G's step runs first (against the current D, through
 * the dropout masks D's fake pass will use), its gradients are kept; D's step then sees the same G(z) from the
 * unchanged G and updates D; last, G's held gradients are applied. Alternating (the default, Algorithm 1 as printed)
 * instead lets G descend against the D just updated, with its own noise.
 */
import { hashSeed } from "../engine/random.js";
import { tf, type Tensor } from "../engine/tf.js";
import { withParts, type Gan } from "./gan.js";
import type { Optimizer, OptimizerState } from "./optimizers.js";
import {
  discriminatorStep,
  FAKE_PASS,
  generatorStep,
  type DiscriminatorStepMetrics,
  type GeneratorStepMetrics,
  type StepSeeds,
} from "./steps.js";

/** An optimizer that keeps the gradients it is given and applies them to `inner` only when flushed. */
class HeldUpdate implements Optimizer {
  private held: Tensor[] | null = null;

  constructor(private readonly inner: Optimizer) {}

  get kind() {
    return this.inner.kind;
  }

  get step(): number {
    return this.inner.step;
  }

  apply(gradients: Tensor[]): void {
    this.held = gradients.map((gradient) => tf.keep(tf.clone(gradient))); // outlive the step's tidy
  }

  /** Applies the held gradients (the update the step would have made) and frees them. */
  flush(): void {
    if (!this.held) throw new Error("no held update to apply");
    this.inner.apply(this.held);
    tf.dispose(this.held);
    this.held = null;
  }

  getState(): OptimizerState {
    return this.inner.getState();
  }

  setState(state: OptimizerState): void {
    this.inner.setState(state);
  }

  dispose(): void {
    if (this.held) tf.dispose(this.held);
    this.held = null;
  }
}

/**
 * One iteration of the paper's code: real [m, ...dataShape] and noise [m, latentDim] shared by both networks; `seeds`
 * are D's step's (G's pass through D takes D's fake-pass masks from them).
 */
export function simultaneousStep(
  gan: Gan,
  real: Tensor,
  noise: Tensor,
  seeds: StepSeeds,
): { discriminator: DiscriminatorStepMetrics; generator: GeneratorStepMetrics } {
  const heldUpdate = new HeldUpdate(gan.generatorOptimizer);
  try {
    const fakePass = { generator: seeds.generator, discriminator: hashSeed(seeds.discriminator, FAKE_PASS) };
    const generator = generatorStep(withParts(gan, { generatorOptimizer: heldUpdate }), noise, fakePass);
    const discriminator = discriminatorStep(gan, real, noise, seeds);
    heldUpdate.flush();
    return { discriminator, generator };
  } finally {
    heldUpdate.dispose();
  }
}
