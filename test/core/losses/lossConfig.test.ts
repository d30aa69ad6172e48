/**
 * The loss-related config keys (src/core/config.ts): defaults that leave existing configs unchanged, WGAN-GP's own
 * k when none is set, and one-line refusals for options that mean nothing for the loss or the networks.
 */
import { describe, expect, it } from "vitest";

import {
  ConfigError,
  LABEL_SMOOTHING_LOSSES,
  LOSS_DISCRIMINATOR_STEPS,
  LOSS_NAMES,
  resolveConfig,
} from "../../../src/core/config.js";
import { configFromLayers } from "../../../src/core/presets.js";
import { GAN_LOSSES } from "../../../src/core/losses/index.js";

/** The message of the ConfigError `resolve` throws. */
function refusal(resolve: () => unknown): string {
  try {
    resolve();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loss options in the config", () => {
  it("default to off: no smoothing, no R1, k = 1, the paper's non-saturating loss", () => {
    const config = resolveConfig({});
    expect(config.labelSmoothing).toBe(0);
    expect(config.r1Gamma).toBe(0);
    expect(config.discriminatorSteps).toBe(1);
    expect(config.loss).toBe("non-saturating");
  });

  it("lists every registered loss, and only those", () => {
    expect(new Set(LOSS_NAMES)).toEqual(new Set(Object.keys(GAN_LOSSES)));
  });

  it("wasserstein-gp takes its paper's n_critic = 5 when k is unset, and an explicit k otherwise", () => {
    expect(LOSS_DISCRIMINATOR_STEPS["wasserstein-gp"]).toBe(5);
    expect(resolveConfig({ loss: "wasserstein-gp", arch: "mlp" }).discriminatorSteps).toBe(5);
    expect(resolveConfig({ loss: "wasserstein-gp", arch: "mlp", discriminatorSteps: 2 }).discriminatorSteps).toBe(2);
    expect(resolveConfig({ loss: "hinge" }).discriminatorSteps).toBe(1);
    // Through the CLI's layers: a --config file's k wins, a flag's k wins, the preset sets none.
    expect(configFromLayers(undefined, { dataset: "ring-2d", loss: "wasserstein-gp" }).discriminatorSteps).toBe(5);
    expect(
      configFromLayers({ discriminatorSteps: 3 }, { dataset: "ring-2d", loss: "wasserstein-gp" }).discriminatorSteps,
    ).toBe(3);
    // A fully resolved config (a checkpoint's, on resume) keeps its k.
    const resolved = resolveConfig({ loss: "wasserstein-gp", arch: "mlp", discriminatorSteps: 1 });
    expect(resolveConfig(resolved).discriminatorSteps).toBe(1);
  });

  it("accepts label smoothing for the cross-entropy losses and refuses it, in one line, for the others", () => {
    for (const loss of LABEL_SMOOTHING_LOSSES)
      expect(resolveConfig({ loss, labelSmoothing: 0.1 }).labelSmoothing).toBe(0.1);
    const others = LOSS_NAMES.filter((name) => !(LABEL_SMOOTHING_LOSSES as readonly string[]).includes(name));
    expect(others.length).toBe(3);
    for (const loss of others) {
      const message = refusal(() => resolveConfig({ loss, arch: "mlp", labelSmoothing: 0.1 }));
      expect(message).toContain("labelSmoothing");
      expect(message).toContain(loss);
      expect(message).not.toContain("\n");
    }
  });

  it("refuses a label smoothing outside [0, 1) and a negative γ, naming the key", () => {
    expect(refusal(() => resolveConfig({ labelSmoothing: 1 }))).toContain("labelSmoothing");
    expect(refusal(() => resolveConfig({ labelSmoothing: -0.1 }))).toContain("labelSmoothing");
    expect(refusal(() => resolveConfig({ r1Gamma: -1 }))).toContain("r1Gamma");
  });

  it("refuses a gradient penalty with BatchNorm in D, in one line that says what to set", () => {
    for (const input of [{ loss: "wasserstein-gp" as const }, { r1Gamma: 10 }]) {
      const message = refusal(() => resolveConfig({ arch: "dcgan", ...input }));
      expect(message).toContain("dcgan.discriminatorBatchNorm");
      expect(message).not.toContain("\n");
      expect(resolveConfig({ arch: "dcgan", ...input, dcgan: { discriminatorBatchNorm: false } }).arch).toBe("dcgan");
      expect(resolveConfig({ arch: "mlp", ...input }).arch).toBe("mlp"); // the MLP's D has no BatchNorm
    }
  });
});
