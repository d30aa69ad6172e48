/**
 * restoreGan, the one way to rebuild a GAN from a checkpoint (sample, eval, resume and the lab's viewer all reach it):
 * from the manifest and the bytes alone it gives back the same networks, optimizer state and step.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import { hashSeed, Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import {
  CheckpointError,
  encodeCheckpoint,
  restoreGan,
  type CheckpointManifest,
} from "../../../src/core/training/checkpoint.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import type { Optimizer } from "../../../src/core/training/optimizers.js";
import { discriminatorStep, generatorStep } from "../../../src/core/training/steps.js";

const config = resolveConfig({
  dataset: "ring-2d",
  arch: "mlp",
  batchSize: 8,
  latentDim: 2,
  seed: 3,
  mlp: { generatorHidden: [4], discriminatorHidden: [4], maxoutPieces: 2, generatorBatchNorm: true },
});

/** A GAN after one D step and one G step: weights, BatchNorm statistics and both optimizers have moved. */
function trainedGan(): Gan {
  const gan = createGan(config, [2]);
  const seeds = { generator: hashSeed(1, "g"), discriminator: hashSeed(1, "d") };
  const real = tf.randomNormal([config.batchSize, 2], 0, 1, "float32", 5);
  const noise = sampleNoise(config, config.batchSize, Rng.derive(1, "noise"));
  tf.dispose(Object.values(discriminatorStep(gan, real, noise, seeds)));
  tf.dispose(Object.values(generatorStep(gan, noise, seeds)));
  tf.dispose([real, noise]);
  gan.step = 1;
  return gan;
}

/** Every variable of G and D (weights and BatchNorm statistics) by name. */
function values(gan: Gan): Map<string, Float32Array> {
  const named = (prefix: string, network: Gan["generator"]) =>
    network
      .namedVariables()
      .map(([name, variable]): [string, Float32Array] => [`${prefix}/${name}`, variable.dataSync() as Float32Array]);
  return new Map([...named("generator", gan.generator), ...named("discriminator", gan.discriminator)]);
}

function slots(optimizer: Optimizer): Map<string, Float32Array> {
  const state = optimizer.getState();
  const copies = new Map([...state.slots].map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]));
  tf.dispose([...state.slots.values()]);
  return copies;
}

let source: Gan;
let checkpoint: { manifest: CheckpointManifest; data: Uint8Array };
const opened: Gan[] = [];
beforeAll(async () => {
  await tf.setBackend("cpu");
  source = trainedGan();
  checkpoint = encodeCheckpoint(source);
});
afterEach(() => {
  for (const gan of opened.splice(0)) disposeGan(gan);
});

describe("restoreGan", () => {
  it("rebuilds the GAN a checkpoint describes: config, data shape, every variable, both optimizers, step", () => {
    const gan = restoreGan(checkpoint.manifest, checkpoint.data);
    opened.push(gan);
    expect(gan.config).toEqual(config);
    expect(gan.dataShape).toEqual([2]);
    expect(gan.step).toBe(1);
    expect(values(gan)).toEqual(values(source));
    expect(gan.generatorOptimizer.step).toBe(1);
    expect(gan.discriminatorOptimizer.step).toBe(1);
    expect(slots(gan.generatorOptimizer)).toEqual(slots(source.generatorOptimizer));
    expect(slots(gan.discriminatorOptimizer)).toEqual(slots(source.discriminatorOptimizer));
    // The variables were loaded, not merely rebuilt from the same seed.
    const fresh = createGan(config, [2]);
    opened.push(fresh);
    expect(values(fresh)).not.toEqual(values(gan));
  });

  it("with weightsOnly, loads the networks and the step and leaves the optimizers new", () => {
    const gan = restoreGan(checkpoint.manifest, checkpoint.data, { weightsOnly: true });
    opened.push(gan);
    expect(values(gan)).toEqual(values(source));
    expect(gan.step).toBe(1);
    expect(gan.generatorOptimizer.step).toBe(0);
    expect(gan.discriminatorOptimizer.step).toBe(0);
  });

  it("builds with a given config that keeps the model (a resume's step count); one that changes it is refused", () => {
    const longer = restoreGan(checkpoint.manifest, checkpoint.data, { config: { ...config, steps: 99 } });
    opened.push(longer);
    expect(longer.config.steps).toBe(99);
    expect(values(longer)).toEqual(values(source));

    const before = tf.memory().numTensors;
    const wider = resolveConfig({ ...config, mlp: { ...config.mlp, generatorHidden: [5] } });
    expect(() => restoreGan(checkpoint.manifest, checkpoint.data, { config: wider })).toThrow(CheckpointError);
    expect(tf.memory().numTensors).toBe(before); // the half-built GAN was disposed
  });

  it("refuses an unknown format before building anything", () => {
    const before = tf.memory().numTensors;
    const manifest = { ...checkpoint.manifest, format: "someone-else/2" } as unknown as CheckpointManifest;
    expect(() => restoreGan(manifest, checkpoint.data)).toThrow(/unknown checkpoint format someone-else\/2/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
