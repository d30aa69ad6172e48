/**
 * A generator as a stock TF.js LayersModel (src/core/export/generatorModel.ts), in process and on every backend:
 * with BatchNorm statistics and spectral normalization's ũ, ṽ moved away from their initial values (so that a wrong
 * weight order, a training-mode BatchNorm or an unfolded σ would show), the stock model computes tsgan's inference
 * pass; the weight files split into shards that load back whole; a network with a layer that has no stock form
 * (D's maxout) is refused by name.
 */
import { loadLayersModel } from "@tensorflow/tfjs"; // the stock loader an app calls
import { afterEach, expect, it } from "vitest";
import { resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import { layersModelFiles, toLayersModel } from "../../../src/core/export/generatorModel.js";
import { buildGenerator, buildNetworks } from "../../../src/core/models/index.js";
import { infer, type Network } from "../../../src/core/models/network.js";
import { noiseValues } from "../../../src/core/training/noise.js";
import { describeEachBackend } from "../../support/backends.js";

/** The bound on |stock TF.js − tsgan| for the same z. */
const EXPORT_TOLERANCE = 1e-5;
const BATCH = 6;
/** Training passes that move BatchNorm's running statistics and the power iteration's vectors. */
const TRAINING_PASSES = 5;
/** Bytes per shard in the sharding test: small enough that a tiny model needs several. */
const SMALL_SHARD_BYTES = 256;

const GENERATORS: Record<string, ConfigInput> = {
  "MLP with BatchNorm, spectral norm": {
    dataset: "ring-2d",
    arch: "mlp",
    latentDim: 3,
    spectralNorm: "both",
    mlp: { generatorHidden: [7, 5], generatorBatchNorm: true },
  },
  "DCGAN with BatchNorm, spectral norm, sigmoid output": {
    dataset: "mnist",
    arch: "dcgan",
    latentDim: 4,
    spectralNorm: "both",
    generatorOutput: "sigmoid",
    dcgan: { generatorDepth: 4, generatorChannels: [3], discriminatorChannels: [4], kernelSize: 3 },
  },
};
const DATA_SHAPES: Record<string, number[]> = { "ring-2d": [2], mnist: [8, 8, 1] };

const networks: Network[] = [];
afterEach(() => networks.splice(0).forEach((network) => network.dispose()));

/** A generator whose statistics have moved: a few training-mode passes that update them, on random z. */
function trainedGenerator(input: ConfigInput): { generator: Network; latentDim: number } {
  const config = resolveConfig(input);
  const generator = buildGenerator(config, DATA_SHAPES[config.dataset]!);
  networks.push(generator);
  for (let pass = 0; pass < TRAINING_PASSES; pass++) {
    const z = noiseValues("normal", BATCH, config.latentDim, Rng.derive(pass, "passes"));
    tf.tidy(() =>
      generator.apply(tf.tensor2d(z, [BATCH, config.latentDim]).mul(3), { training: true, updateStatistics: true }),
    );
  }
  return { generator, latentDim: config.latentDim };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index]! - b[index]!));
  return largest;
}

describeEachBackend("generator as a stock LayersModel", () => {
  for (const [name, input] of Object.entries(GENERATORS)) {
    it(`${name}: the stock model computes tsgan's inference pass, and its shards load back whole`, async () => {
      const { generator, latentDim } = trainedGenerator(input);
      const z = tf.tensor2d(noiseValues("normal", BATCH, latentDim, Rng.derive(1, "z")), [BATCH, latentDim]);
      const expected = infer(generator, z);
      const training = tf.tidy(() => generator.apply(z, { training: true })); // what a wrong mode would give
      const model = toLayersModel(generator);
      const files = await layersModelFiles(model, SMALL_SHARD_BYTES);
      const predicted = model.predict(z) as tf.Tensor;
      model.dispose();
      expect(predicted.shape).toEqual(expected.shape);
      expect(maxAbsDifference(predicted.dataSync(), expected.dataSync())).toBeLessThanOrEqual(EXPORT_TOLERANCE);
      expect(maxAbsDifference(training.dataSync(), expected.dataSync())).toBeGreaterThan(100 * EXPORT_TOLERANCE);

      const sizes = files.shards.map((shard) => shard.bytes.byteLength);
      expect(files.shards.length).toBeGreaterThan(1);
      expect(sizes.every((size) => size <= SMALL_SHARD_BYTES)).toBe(true);
      const weightBytes = files.modelJson.weightsManifest[0]!.weights.reduce(
        (total, spec) => total + spec.shape.reduce((a, b) => a * b, 1) * Float32Array.BYTES_PER_ELEMENT,
        0,
      );
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(weightBytes);
      expect(files.modelJson.weightsManifest[0]!.paths).toEqual(
        files.shards.map((_, index) => `group1-shard${index + 1}of${files.shards.length}.bin`),
      );
      const loaded = await loadLayersModel(
        tf.io.fromMemory({
          modelTopology: files.modelJson.modelTopology,
          weightSpecs: files.modelJson.weightsManifest[0]!.weights,
          weightData: files.shards.map((shard) => shard.bytes.slice().buffer),
        }),
      );
      const reloaded = loaded.predict(z) as tf.Tensor;
      expect(maxAbsDifference(reloaded.dataSync(), expected.dataSync())).toBeLessThanOrEqual(EXPORT_TOLERANCE);
      loaded.dispose();
      tf.dispose([z, expected, training, predicted, reloaded]);
    });
  }

  it("refuses a network with a layer that has no stock form (D's maxout), naming it", () => {
    const config = resolveConfig({ dataset: "ring-2d", arch: "mlp" });
    const { generator, discriminator } = buildNetworks(config, [2]);
    networks.push(generator, discriminator);
    expect(() => toLayersModel(discriminator)).toThrow("discriminator: a Maxout layer has no stock TF.js form");
  });
});
