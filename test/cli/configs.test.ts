/**
 * Every shipped config (configs/ and the results campaign's configs/results/) resolves (no unknown keys, valid
 * values) and builds a model for its dataset's shape.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isToyDistributionName, toyDistribution } from "../../src/core/data/toys.js";
import { buildNetworks } from "../../src/core/models/index.js";
import { configFromLayers } from "../../src/core/presets.js";

const CONFIGS = join(import.meta.dirname, "..", "..", "configs");
const MNIST_SHAPE = [28, 28, 1];
/** Stacked MNIST: three digits as the channels of one image. */
const STACKED_MNIST_SHAPE = [28, 28, 3];

describe("configs/", () => {
  const files = readdirSync(CONFIGS, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".json"));
  it("has the quick start and the documented configs", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "quickstart.json",
        "mnist_dcgan.json",
        "mnist_mlp.json",
        "fashion_dcgan.json",
        "ring_mlp.json",
        join("results", "ring.json"),
        join("results", "mnist-paper.json"),
      ]),
    );
  });
  for (const file of files) {
    it(`${file} resolves and builds`, () => {
      const config = configFromLayers(JSON.parse(readFileSync(join(CONFIGS, file), "utf8")), {});
      const imageShape = config.dataset === "stacked-mnist" ? STACKED_MNIST_SHAPE : MNIST_SHAPE;
      const shape = isToyDistributionName(config.dataset) ? [toyDistribution(config.dataset).dimension] : imageShape;
      // A data-dependent initial bias (the paper setup's pixel marginals) needs the data: this checks shapes only.
      const { generator, discriminator } = buildNetworks(config, shape, { weightsFollow: true });
      expect(generator.outputShape).toEqual(shape);
      expect(discriminator.outputShape).toEqual([1]);
      generator.dispose();
      discriminator.dispose();
    });
  }
});
