import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import { tf } from "../../../src/core/engine/tf.js";
import { buildNetworks } from "../../../src/core/models/index.js";
import { ParameterStore } from "../../../src/core/models/layers.js";
import { estimateTrainingMemory, formatBytes } from "../../../src/core/models/memory.js";
import { MemoryLimitError, assertFitsInMemory } from "../../../src/node/memory.js";

const MNIST_SHAPE = [28, 28, 1];

describe("the memory estimate", () => {
  it("plans networks without creating a tensor, with the same variables a real build creates", async () => {
    await tf.setBackend("cpu");
    const config = resolveConfig({});
    const before = tf.memory().numTensors;
    const planned = ParameterStore.plan(() => buildNetworks(config, MNIST_SHAPE));
    expect(tf.memory().numTensors).toBe(before);
    const built = buildNetworks(config, MNIST_SHAPE);
    try {
      for (const network of ["generator", "discriminator"] as const) {
        const real = built[network].namedVariables().map(([name, variable]) => [name, variable.shape]);
        const plan = planned[network].store.specs.map((spec) => [spec.name, spec.shape]);
        expect(plan.sort()).toEqual(real.sort());
      }
      // Parameters: weights, gradients, checkpoint copy and Adam's two slots per trainable scalar.
      const trainable = built.generator.parameterCount() + built.discriminator.parameterCount();
      const statistics = [built.generator, built.discriminator]
        .flatMap((network) => [...network.store.statistics.values()])
        .reduce((total, variable) => total + variable.size, 0);
      expect(estimateTrainingMemory(config, MNIST_SHAPE).parameterBytes).toBe(4 * (5 * trainable + statistics));
    } finally {
      built.generator.dispose();
      built.discriminator.dispose();
    }
  });

  it("counts the EMA generator as one more copy of G's variables", () => {
    const plain = estimateTrainingMemory(resolveConfig({}), MNIST_SHAPE);
    const withEma = estimateTrainingMemory(resolveConfig({ generatorEma: 0.999 }), MNIST_SHAPE);
    const generator = ParameterStore.plan(() => buildNetworks(resolveConfig({}), MNIST_SHAPE)).generator;
    const generatorScalars = generator.store.specs.reduce(
      (total, spec) => total + spec.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect(withEma.parameterBytes - plain.parameterBytes).toBe(4 * generatorScalars);
  });

  it("grows with the batch through activations only", () => {
    const small = estimateTrainingMemory(resolveConfig({ batchSize: 64 }), MNIST_SHAPE);
    const large = estimateTrainingMemory(resolveConfig({ batchSize: 128 }), MNIST_SHAPE);
    expect(large.parameterBytes).toBe(small.parameterBytes);
    expect(large.activationBytes).toBe(2 * small.activationBytes);
    expect(small.totalBytes).toBeLessThan(1e9); // the default model fits any machine
  });

  it("refuses a latent space no machine holds, naming the estimated bytes", () => {
    const config = resolveConfig({ latentDim: 1_000_000_000 });
    expect(() => assertFitsInMemory(config, MNIST_SHAPE, 24e9)).toThrow(MemoryLimitError);
    expect(() => assertFitsInMemory(config, MNIST_SHAPE, 24e9)).toThrow(/needs about \d+\.\d TB .*has 24\.0 GB$/);
    expect(() => assertFitsInMemory(resolveConfig({}), MNIST_SHAPE, 24e9)).not.toThrow();
  });

  it("formats bytes in powers of 1000", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(2.5e12)).toBe("2.5 TB");
  });
});
