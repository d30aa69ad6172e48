import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import { tf } from "../../../src/core/engine/tf.js";
import { encodeCheckpoint, restoreCheckpoint } from "../../../src/core/training/checkpoint.js";
import { createGan, disposeGan } from "../../../src/core/training/gan.js";

describe("GAN lifetime", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("creating, checkpointing, restoring and disposing a GAN leaves no tensor behind", () => {
    const config = resolveConfig({
      dataset: "ring-2d",
      arch: "mlp",
      mlp: { generatorHidden: [4], discriminatorHidden: [4], generatorBatchNorm: true },
    });
    const before = tf.memory().numTensors;
    const gan = createGan(config, [2]);
    const { manifest, data } = encodeCheckpoint(gan);
    restoreCheckpoint(gan, manifest, data);
    disposeGan(gan);
    expect(tf.memory().numTensors).toBe(before);
  });
});
