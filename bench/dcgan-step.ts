/**
 * `dcgan-step`: one DCGAN training step at batch 64 on MNIST-shaped data, exactly as defined in
 * ../shared/peers/pytorch_dcgan_step.py — tsgan's own models (src/core/models/dcgan.ts) and steps
 * (src/core/training/steps.ts): one D update on 64 real + 64 generated images (BCE on logits, Adam 2e-4, β1 0.5),
 * then one G update with the non-saturating loss. Dropout off, z ~ N(0, I), as in the peer. One difference, by
 * tsgan's design: its D step passes the real and the generated batch through D separately (so D's BatchNorm sees
 * one kind of sample per batch, as in the G step), where the peer concatenates them into one batch of 128. The
 * arithmetic (10.37 GFLOP) is the same; TF.js runs more, smaller kernels.
 */
import { resolveConfig, type Config } from "../src/core/config.js";
import { Rng } from "../src/core/engine/random.js";
import { tf } from "../src/core/engine/tf.js";
import type { NetworkInitialization } from "../src/core/models/index.js";
import { samplesPerMinibatch } from "../src/core/models/packing.js";
import { emaDecayAt, updateEma } from "../src/core/training/ema.js";
import { createGan, disposeGan, type Gan } from "../src/core/training/gan.js";
import { sampleNoise } from "../src/core/training/noise.js";
import { discriminatorStep, generatorStep } from "../src/core/training/steps.js";
import type { BenchmarkDefinition, StepRunner } from "./common.js";

/** MNIST's image shape [height, width, channels]. */
const IMAGE_SHAPE = [28, 28, 1];
/** conv/matmul work of one step at batch 64 (forward + backward), from the peer's docstring. */
const GFLOP_PER_STEP_AT_64 = 10.369;

/** The peer's model and optimizer settings, in tsgan's config vocabulary. */
export function dcganBenchmarkConfig(batchSize: number): Config {
  return resolveConfig({
    dataset: "mnist",
    arch: "dcgan",
    loss: "non-saturating",
    batchSize,
    latentDim: 100,
    prior: "normal",
    optimizer: "adam",
    generatorLearningRate: 2e-4,
    discriminatorLearningRate: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    dcgan: {
      generatorDepth: 128,
      generatorChannels: [64],
      generatorDropout: 0,
      discriminatorChannels: [64, 128],
      discriminatorDropout: 0,
      discriminatorBatchNorm: true,
      kernelSize: 4,
      leak: 0.2,
    },
  });
}

/**
 * Builds the GAN and returns one training step (D update + G update, and the EMA of G's weights when the config keeps
 * one; losses read back as the peer's .item()).
 */
export function createGanStep(
  config: Config,
  dataShape: number[],
  realBatch: (step: number) => tf.Tensor,
  initialization: NetworkInitialization = {},
): StepRunner {
  const gan: Gan = createGan(config, dataShape, initialization);
  let step = 0;
  return {
    step: () => {
      const rng = Rng.derive(config.seed, step, "bench");
      const real = realBatch(step);
      // m samples of each kind: batchSize packs of `pack` samples (PacGAN; one each by default)
      const discriminatorNoise = sampleNoise(config, samplesPerMinibatch(config), rng);
      const generatorNoise = sampleNoise(config, samplesPerMinibatch(config), rng);
      const seeds = { generator: step, discriminator: step };
      const discriminatorMetrics = discriminatorStep(gan, real, discriminatorNoise, seeds);
      const generatorMetrics = generatorStep(gan, generatorNoise, seeds);
      if (gan.generatorEma) updateEma(gan.generatorEma, gan.generator, emaDecayAt(config, step)); // as Algorithm 1
      const losses = [discriminatorMetrics.loss.dataSync()[0], generatorMetrics.loss.dataSync()[0]];
      tf.dispose([real, discriminatorNoise, generatorNoise]);
      tf.dispose(Object.values(discriminatorMetrics));
      tf.dispose(Object.values(generatorMetrics));
      step++;
      return losses as [number, number];
    },
    dispose: () => disposeGan(gan),
  };
}

/** The benchmark definition used by bench/run.ts. */
export const dcganStep: BenchmarkDefinition = {
  name: "dcgan-step",
  reference: { peerScript: "pytorch_dcgan_step.py" },
  // 20 warm-up steps for both engines (the peer's own default is 3): tsgan's first ~20 steps in a fresh process run
  // 6–20% slower than the next 20 while V8 optimises TF.js's dispatch code (in-process traces of 100 steps,
  // 2026-12-01); PyTorch's do not. A training run lives in the steady state, so that is what the ratio compares.
  defaults: { batch: 64, steps: 20, warmup: 20 },
  gflopPerStep: (batch) => (GFLOP_PER_STEP_AT_64 * batch) / 64,
  // The stock cpu backend's Conv2DBackpropFilter is a naive loop: ~3 minutes per step.
  // wasm: ~1.5 s per step, measured in the first round only.
  slowBackends: { cpu: { steps: 1, warmup: 0, skipByDefault: true }, wasm: { steps: 20, warmup: 3 } },
  create: (batch) => {
    const config = dcganBenchmarkConfig(batch);
    // Fixed "real" images uniform in [-1, 1], as the peer's torch.rand(...) * 2 - 1.
    const realValues = new Rng(0x5eed).fillUniform(new Float32Array(batch * 28 * 28), -1, 1);
    return createGanStep(config, IMAGE_SHAPE, () => tf.tensor4d(realValues, [batch, 28, 28, 1]));
  },
};
