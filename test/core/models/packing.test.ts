/**
 * PacGAN packing (src/core/models/packing.ts) on every backend: packSamples puts sample i·m + j in slot j of pack i
 * (checked against the layout written out in JavaScript, for vectors and NHWC images), m = 1 is the identity (the
 * very same tensor, so unpacked training runs exactly the ops it ran before), replicateIntoPacks packs copies,
 * packWithPartners packs each sample beside fixed partners, and
 * D's input layer is built for m× the features (MLP) or channels (DCGAN) while G is unchanged.
 */
import { afterEach, describe, expect, it } from "vitest";

import { ConfigError, resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { buildNetworks, type Networks } from "../../../src/core/models/index.js";
import { estimateTrainingMemory } from "../../../src/core/models/memory.js";
import {
  packSamples,
  packedShape,
  packWithPartners,
  replicateIntoPacks,
  samplesPerMinibatch,
} from "../../../src/core/models/packing.js";
import { describeEachBackend } from "../../support/backends.js";

const TINY_MLP: ConfigInput = {
  arch: "mlp",
  latentDim: 3,
  mlp: { generatorHidden: [8], discriminatorHidden: [6], maxoutPieces: 2 },
};
const TINY_DCGAN: ConfigInput = {
  arch: "dcgan",
  latentDim: 3,
  dcgan: { generatorDepth: 8, generatorChannels: [4], discriminatorChannels: [4, 8] },
};

function uniform(shape: number[], seed: number): Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(seed, "packing-test").fillUniform(values, -1, 1), shape);
}

/**
 * The layout written out: packs [n, ...pixels, m·c] (row-major, c values per sample per pixel) → the samples
 * [n·m, ...pixels, c] they came from, sample i·m + j being slot j of pack i. Vectors are the case of no pixels.
 */
function unpack(packs: Float32Array, packCount: number, dataShape: number[], pack: number): Float32Array {
  const channels = dataShape[dataShape.length - 1]!;
  const pixels = dataShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const samples = new Float32Array(packs.length);
  for (let i = 0; i < packCount; i++) {
    for (let pixel = 0; pixel < pixels; pixel++) {
      for (let j = 0; j < pack; j++) {
        for (let k = 0; k < channels; k++) {
          const packed = ((i * pixels + pixel) * pack + j) * channels + k;
          const sample = ((i * pack + j) * pixels + pixel) * channels + k;
          samples[sample] = packs[packed]!;
        }
      }
    }
  }
  return samples;
}

let built: Networks[] = [];
afterEach(() => {
  for (const networks of built) {
    networks.generator.dispose();
    networks.discriminator.dispose();
  }
  built = [];
});
function build(config: ConfigInput, dataShape: number[]): Networks {
  const networks = buildNetworks(resolveConfig(config), dataShape);
  built.push(networks);
  return networks;
}

describeEachBackend("packSamples", () => {
  it.each([
    { name: "vectors", dataShape: [3] },
    { name: "grey images", dataShape: [4, 5, 1] },
    { name: "RGB images", dataShape: [2, 3, 3] },
  ])("$name: pack i holds samples i·m … i·m + m − 1 along the last axis, for m = 2 and 4", ({ dataShape }) => {
    for (const pack of [2, 4]) {
      const packCount = 3;
      const samples = uniform([packCount * pack, ...dataShape], pack);
      const packs = packSamples(samples, pack);
      expect(packs.shape).toEqual([packCount, ...packedShape(dataShape, pack)]);
      const values = packs.dataSync() as Float32Array;
      expect(unpack(values, packCount, dataShape, pack)).toEqual(samples.dataSync());
      tf.dispose([samples, packs]);
    }
  });

  it("m = 1 returns the samples themselves: unpacked training runs exactly the ops it ran before", () => {
    const samples = uniform([6, 4, 4, 1], 1);
    expect(packSamples(samples, 1)).toBe(samples);
    expect(replicateIntoPacks(samples, 1)).toBe(samples);
    samples.dispose();
  });

  it("refuses a sample count that does not divide into packs", () => {
    const samples = uniform([5, 2], 1);
    expect(() => packSamples(samples, 2)).toThrow(/5 samples do not divide into packs of 2/);
    samples.dispose();
  });

  it("replicateIntoPacks is packSamples of m copies of each point (D(x, …, x), for plots)", () => {
    const points = uniform([4, 2, 2, 3], 2);
    const pack = 3;
    const replicated = replicateIntoPacks(points, pack);
    const copies = tf.reshape(tf.tile(tf.expandDims(points, 1), [1, pack, 1, 1, 1]), [4 * pack, 2, 2, 3]);
    const expected = packSamples(copies, pack);
    expect(replicated.shape).toEqual(expected.shape);
    expect(replicated.dataSync()).toEqual(expected.dataSync());
    tf.dispose([points, replicated, copies, expected]);
  });

  it.each([
    { name: "vectors", dataShape: [3] },
    { name: "RGB images", dataShape: [2, 3, 3] },
  ])(
    "$name: packWithPartners is packSamples of [x_i, r_1, …, r_{m−1}] for each sample x_i (m = 3)",
    ({ dataShape }) => {
      const pack = 3;
      const samples = uniform([4, ...dataShape], 4);
      const partners = uniform([pack - 1, ...dataShape], 5);
      const packs = packWithPartners(samples, partners);
      // The same packs written out: sample i, then the partners, for each i; then packed as training packs.
      const size = dataShape.reduce((a, b) => a * b, 1);
      const [sampleValues, partnerValues] = [samples.dataSync(), partners.dataSync()];
      const interleaved = new Float32Array(4 * pack * size);
      for (let i = 0; i < 4; i++) {
        interleaved.set(sampleValues.subarray(i * size, (i + 1) * size), i * pack * size);
        interleaved.set(partnerValues, (i * pack + 1) * size);
      }
      const expected = packSamples(tf.tensor(interleaved, [4 * pack, ...dataShape]), pack);
      expect(packs.shape).toEqual([4, ...packedShape(dataShape, pack)]);
      expect(packs.dataSync()).toEqual(expected.dataSync());
      tf.dispose([samples, partners, packs, expected]);
    },
  );
});

describe("packed networks", () => {
  it.each([2, 4])("MLP with pack %i: D takes m·d features (its first maxout layer's rows), G is unchanged", (pack) => {
    const dataShape = [2];
    const plain = build(TINY_MLP, dataShape);
    const packed = build({ ...TINY_MLP, pack }, dataShape);
    expect(packed.discriminator.inputShape).toEqual([2 * pack]);
    const firstLayer = packed.discriminator.store.trainable.get("maxout0/kernel")!;
    expect(firstLayer.shape[0]).toBe(2 * pack);
    expect(plain.discriminator.store.trainable.get("maxout0/kernel")!.shape[0]).toBe(2);
    // The layers after the first do not change.
    expect(packed.discriminator.store.trainable.get("logit/kernel")!.shape).toEqual(
      plain.discriminator.store.trainable.get("logit/kernel")!.shape,
    );
    expect(packed.generator.parameters.map((v) => v.shape)).toEqual(plain.generator.parameters.map((v) => v.shape));
    const packs = uniform([5, 2 * pack], 3);
    const logits = packed.discriminator.apply(packs, { training: false });
    expect(logits.shape).toEqual([5, 1]);
    tf.dispose([packs, logits]);
  });

  it.each([2, 4])(
    "DCGAN with pack %i: D takes m·c channels (its first conv's input channels), G is unchanged",
    (pack) => {
      const dataShape = [8, 8, 3];
      const plain = build(TINY_DCGAN, dataShape);
      const packed = build({ ...TINY_DCGAN, pack }, dataShape);
      expect(packed.discriminator.inputShape).toEqual([8, 8, 3 * pack]);
      expect(packed.discriminator.store.trainable.get("conv0/filter")!.shape).toEqual([4, 4, 3 * pack, 4]);
      expect(plain.discriminator.store.trainable.get("conv0/filter")!.shape).toEqual([4, 4, 3, 4]);
      expect(packed.generator.parameters.map((v) => v.shape)).toEqual(plain.generator.parameters.map((v) => v.shape));
      expect(packed.generator.outputShape).toEqual(dataShape);
    },
  );

  it("a minibatch draws batchSize packs of m samples; the memory estimate counts G's m draws per pack", () => {
    const config = resolveConfig({ ...TINY_MLP, batchSize: 10, pack: 4 });
    expect(samplesPerMinibatch(config)).toBe(40);
    const plain = estimateTrainingMemory(resolveConfig({ ...TINY_MLP, batchSize: 10 }), [2]);
    const packed = estimateTrainingMemory(config, [2]);
    expect(packed.activationBytes).toBeGreaterThan(plain.activationBytes);
    expect(packed.parameterBytes).toBeGreaterThan(plain.parameterBytes); // D's first layer is 4× wider
  });

  it("pack must be a positive integer: one ConfigError line naming the key", () => {
    for (const pack of [0, -1, 1.5]) {
      expect(() => resolveConfig({ pack })).toThrow(ConfigError);
      expect(() => resolveConfig({ pack })).toThrow(/^config: pack: /);
    }
    expect(resolveConfig({}).pack).toBe(1);
  });
});
