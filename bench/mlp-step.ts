/**
 * `mlp-step`: one MLP GAN step on 2-D data at batch 100, exactly as defined in ../shared/peers/pytorch_mlp_step.py
 * (PacGAN's toy nets): G = 4 × [Dense(400) + BatchNorm + ReLU] → Dense(2); D = 3 × Maxout(200 units, 5 pieces) →
 * Dense(1); Adam lr 1e-4, β1 0.8; z ~ N(0, I) in 2-D; real data: the 25-mode grid-2d toy (std 0.05). Small nets:
 * this measures per-operation overhead more than arithmetic.
 */
import { resolveConfig, type Config } from "../src/core/config.js";
import { toyDistribution } from "../src/core/data/toys.js";
import { Rng } from "../src/core/engine/random.js";
import { tf } from "../src/core/engine/tf.js";
import type { BenchmarkDefinition } from "./common.js";
import { createGanStep } from "./dcgan-step.js";

/** The toy's sample dimension. */
const DATA_SHAPE = [2];

/** The peer's nets and optimizer settings, in tsgan's config vocabulary. */
export function mlpBenchmarkConfig(batchSize: number): Config {
  return resolveConfig({
    dataset: "grid-2d",
    arch: "mlp",
    loss: "non-saturating",
    batchSize,
    latentDim: 2,
    prior: "normal",
    optimizer: "adam",
    generatorLearningRate: 1e-4,
    discriminatorLearningRate: 1e-4,
    beta1: 0.8,
    beta2: 0.999,
    generatorOutput: "linear",
    mlp: {
      generatorHidden: [400, 400, 400, 400],
      generatorBatchNorm: true,
      discriminatorHidden: [200, 200, 200],
      maxoutPieces: 5,
      discriminatorInputDropout: 0,
      discriminatorDropout: 0,
    },
  });
}

/** The benchmark definition used by bench/run.ts. */
export const mlpStep: BenchmarkDefinition = {
  name: "mlp-step",
  reference: { peerScript: "pytorch_mlp_step.py" },
  defaults: { batch: 100, steps: 200, warmup: 20 },
  // The cpu backend multiplies matrices in JavaScript (~2.6 s per step here).
  // wasm (~0.2 s per step): first round only.
  slowBackends: { cpu: { steps: 5, warmup: 1 }, wasm: { steps: 200, warmup: 20 } },
  create: (batch) => {
    const config = mlpBenchmarkConfig(batch);
    const grid = toyDistribution("grid-2d");
    // A fresh real batch every step, as the peer draws one.
    return createGanStep(config, DATA_SHAPE, (step) =>
      tf.tensor2d(grid.sample(batch, Rng.derive(config.seed, step, "bench/real")), [batch, 2]),
    );
  },
};
