/**
 * Learning, measured: on the 2-D ring of 8 (PacGAN), Algorithm 1 moves generated samples onto the modes.
 * The statistic is the mean distance from a generated sample to its nearest mode, on fixed noise.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import { toyDataset } from "../../../src/core/data/dataset.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { tf } from "../../../src/core/engine/tf.js";
import { infer } from "../../../src/core/models/network.js";
import { trainAlgorithm1, type TrainingEventMap } from "../../../src/core/training/algorithm1.js";
import { Events } from "../../../src/core/training/events.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";
import { fixedNoise } from "../../../src/core/training/noise.js";
import { presetFor } from "../../../src/core/presets.js";
import { mergeConfig } from "../../../src/core/config.js";

const ring = toyDistribution("ring-2d");
const EVALUATION_SAMPLES = 500;

function meanDistanceToNearestMode(gan: Gan): number {
  const noise = fixedNoise(gan.config, EVALUATION_SAMPLES);
  const samples = infer(gan.generator, noise);
  const points = samples.dataSync();
  tf.dispose([noise, samples]);
  let total = 0;
  for (let i = 0; i < EVALUATION_SAMPLES; i++) {
    let nearest = Infinity;
    for (let mode = 0; mode < ring.modeCount; mode++) {
      const dx = points[2 * i]! - ring.modes[2 * mode]!;
      const dy = points[2 * i + 1]! - ring.modes[2 * mode + 1]!;
      nearest = Math.min(nearest, Math.hypot(dx, dy));
    }
    total += nearest;
  }
  return total / EVALUATION_SAMPLES;
}

describe("Algorithm 1 on the ring of 8", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("pulls generated samples toward the modes", async () => {
    const config = resolveConfig(
      mergeConfig(presetFor("ring-2d") as Record<string, unknown>, {
        dataset: "ring-2d",
        steps: STEPS,
        mlp: { generatorHidden: [32, 32], discriminatorHidden: [32, 32] },
      }),
    );
    const gan = createGan(config, [2]);
    const before = meanDistanceToNearestMode(gan);
    await trainAlgorithm1(gan, toyDataset(ring), new Events<TrainingEventMap>());
    const after = meanDistanceToNearestMode(gan);
    disposeGan(gan);
    console.log(`ring: mean distance to nearest mode ${before.toFixed(3)} → ${after.toFixed(3)} after ${STEPS} steps`);
    expect(after).toBeLessThan(before * FRACTION);
  });
});

const STEPS = Number(process.env.RING_STEPS ?? 400);
const FRACTION = 0.5;
