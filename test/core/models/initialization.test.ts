/**
 * The paper's code's initialisations: weights uniform in ±r (pylearn2's irange) and G's sigmoid output bias at the
 * logit of the training images' mean pixel (init_sigmoid_bias_from_marginals), computed from the data at build time
 * and not needed when a checkpoint's weights follow.
 */
import { afterEach, describe, expect, it } from "vitest";

import { resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import type { ImageDataset } from "../../../src/core/data/dataset.js";
import {
  buildNetworks,
  marginalLogits,
  networkInitialization,
  RESTORING,
  type Networks,
} from "../../../src/core/models/index.js";
import { MARGINAL_CLIP } from "../../../src/core/models/initialization.js";

const logit = (p: number) => Math.log(p / (1 - p));

/** Four 2×2 images: pixel 0 always black, pixel 1 always white, pixel 2 white in one of four, pixel 3 grey 0.5. */
function fourImages(): ImageDataset {
  // prettier-ignore
  const images = new Float32Array([
    0, 1, 1, 0.5,
    0, 1, 0, 0.5,
    0, 1, 0, 0.5,
    0, 1, 0, 0.5,
  ]); // [4, 2, 2, 1]
  return { kind: "images", name: "four", images, count: 4, height: 2, width: 2, channels: 1, pixelRange: "sigmoid" };
}

const PAPER_MLP: ConfigInput = {
  arch: "mlp",
  generatorOutput: "sigmoid",
  latentDim: 10,
  mlp: {
    generatorHidden: [64],
    discriminatorHidden: [48],
    maxoutPieces: 5,
    generatorWeightRange: 0.05,
    discriminatorWeightRange: 0.005,
    generatorOutputBias: "data-marginals",
  },
};

describe("initialisation from the paper's code", () => {
  const built: Networks[] = [];
  afterEach(() => {
    for (const { generator, discriminator } of built.splice(0)) {
      generator.dispose();
      discriminator.dispose();
    }
  });
  const build = (...args: Parameters<typeof buildNetworks>) => {
    const networks = buildNetworks(...args);
    built.push(networks);
    return networks;
  };

  it("marginal logits are logit(mean pixel), clipped to [1e-7, 1 − 1e-7]", () => {
    const logits = marginalLogits(fourImages());
    expect(logits[0]).toBeCloseTo(logit(MARGINAL_CLIP), 4); // ≈ −16.1, not −∞
    expect(logits[1]).toBeCloseTo(logit(1 - MARGINAL_CLIP), 4); // not +∞
    expect(logits[2]).toBeCloseTo(logit(0.25), 6); // −log 3
    expect(logits[3]).toBeCloseTo(0, 6);
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  it("weights are uniform in ±r: inside the bounds, reaching near them, with the spread r/√3", () => {
    const { generator, discriminator } = build(resolveConfig(PAPER_MLP), [2, 2, 1], {
      generatorOutputBias: marginalLogits(fourImages()),
    });
    for (const [network, range] of [
      [generator, 0.05],
      [discriminator, 0.005],
    ] as const) {
      for (const [name, variable] of network.namedVariables()) {
        const values = Array.from(variable.dataSync());
        if (name.endsWith("/bias")) continue;
        const largest = Math.max(...values.map(Math.abs));
        expect(largest, name).toBeLessThanOrEqual(range);
        if (values.length >= 400) {
          expect(largest, name).toBeGreaterThan(0.98 * range);
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
          expect(Math.abs(std / (range / Math.sqrt(3)) - 1), name).toBeLessThan(0.1);
          expect(Math.abs(mean), name).toBeLessThan(0.1 * range);
        }
      }
    }
  });

  it("G's output bias starts at the data's marginal logits; the other biases at zero", () => {
    const dataset = fourImages();
    const config = resolveConfig(PAPER_MLP);
    const { generator, discriminator } = build(config, [2, 2, 1], networkInitialization(config, dataset));
    const variables = new Map(generator.namedVariables());
    expect(Array.from(variables.get("output/bias")!.dataSync())).toEqual(Array.from(marginalLogits(dataset)));
    expect(Array.from(variables.get("dense0/bias")!.dataSync()).every((value) => value === 0)).toBe(true);
    for (const [name, variable] of discriminator.namedVariables()) {
      if (name.endsWith("/bias"))
        expect(
          Array.from(variable.dataSync()).every((value) => value === 0),
          name,
        ).toBe(true);
    }
  });

  it("is refused without the data, and starts at zeros when a checkpoint's weights follow", () => {
    const config = resolveConfig(PAPER_MLP);
    expect(() => buildNetworks(config, [2, 2, 1])).toThrow(/training images' marginals/);
    const { generator } = build(config, [2, 2, 1], RESTORING);
    const bias = new Map(generator.namedVariables()).get("output/bias")!;
    expect(Array.from(bias.dataSync()).every((value) => value === 0)).toBe(true);
  });

  it("the defaults keep Glorot weights and zero biases, and need no data", () => {
    const config = resolveConfig({ ...PAPER_MLP, mlp: { generatorHidden: [64], discriminatorHidden: [48] } });
    expect(networkInitialization(config, fourImages())).toEqual({});
    const { generator } = build(config, [2, 2, 1]);
    const kernel = Array.from(new Map(generator.namedVariables()).get("dense0/kernel")!.dataSync());
    const glorotLimit = Math.sqrt(6 / (10 + 64));
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(0.05); // beyond ±0.05: not the uniform range
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(glorotLimit);
  });
});
