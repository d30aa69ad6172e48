import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import { tf } from "../../../src/core/engine/tf.js";
import { buildNetworks } from "../../../src/core/models/index.js";
import { encodeCheckpoint, restoreCheckpoint } from "../../../src/core/training/checkpoint.js";
import { assembleGan, createGan, disposeGan, withParts } from "../../../src/core/training/gan.js";
import { createOptimizer } from "../../../src/core/training/optimizers.js";

const config = resolveConfig({
  dataset: "ring-2d",
  arch: "mlp",
  mlp: { generatorHidden: [4], discriminatorHidden: [4], generatorBatchNorm: true },
});

describe("GAN lifetime", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("creating, checkpointing, restoring and disposing a GAN leaves no tensor behind", () => {
    const before = tf.memory().numTensors;
    const gan = createGan(config, [2]);
    const { manifest, data } = encodeCheckpoint(gan);
    restoreCheckpoint(gan, manifest, data);
    disposeGan(gan);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("assembling a GAN from parts", () => {
  it("keeps the parts it is given, creates the optimizers left out from the config, and names config.loss", () => {
    const before = tf.memory().numTensors;
    const sgd = resolveConfig({ ...config, optimizer: "sgd", loss: "minimax" });
    const { generator, discriminator } = buildNetworks(sgd, [2]);
    const discriminatorOptimizer = createOptimizer(
      { ...sgd, optimizer: "adam" },
      discriminator.parameters,
      discriminator.parameterNames,
      sgd.discriminatorLearningRate,
    );
    const gan = assembleGan({ config: sgd, dataShape: [2], generator, discriminator, discriminatorOptimizer });
    expect(gan.generator).toBe(generator);
    expect(gan.discriminator).toBe(discriminator);
    expect(gan.discriminatorOptimizer).toBe(discriminatorOptimizer);
    expect(gan.generatorOptimizer.kind).toBe("sgd");
    expect(gan.loss.name).toBe("minimax");
    expect(gan.step).toBe(0);
    disposeGan(gan); // the GAN owns every part, the ones it was given included
    expect(tf.memory().numTensors).toBe(before);
  });

  it("withParts shares the other parts and the step, and its objective follows its config", () => {
    const gan = createGan(config, [2]);
    gan.step = 5;
    const refine = createOptimizer(
      config,
      gan.discriminator.parameters,
      gan.discriminator.parameterNames,
      config.discriminatorLearningRate / 10,
    );
    const refining = withParts(gan, { discriminatorOptimizer: refine, config: { ...config, loss: "minimax" } });
    expect(refining.generator).toBe(gan.generator);
    expect(refining.discriminator).toBe(gan.discriminator);
    expect(refining.generatorOptimizer).toBe(gan.generatorOptimizer);
    expect(refining.discriminatorOptimizer).toBe(refine);
    expect(refining.loss.name).toBe("minimax");
    expect(gan.loss.name).toBe("non-saturating");
    expect(refining.step).toBe(5);
    refining.step = 6; // a view's step is its own
    expect(gan.step).toBe(5);
    refine.dispose();
    disposeGan(gan);
  });
});
