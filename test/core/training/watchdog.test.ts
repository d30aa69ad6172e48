/**
 * The saturation watchdog: warns once per episode when D(x) → 1 and D(G(z)) → 0 for `window` consecutive steps —
 * provoked with synthetic records and with a real run (a fast D with several steps per iteration against a G that
 * barely learns, minimax loss) — and stays quiet on a healthy run.
 */
import { beforeAll, describe, expect, it } from "vitest";

import { toyDataset } from "../../../src/core/data/dataset.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { tf } from "../../../src/core/engine/tf.js";
import { theoryConfig } from "../../../src/core/theory/networks.js";
import type { ConfigInput } from "../../../src/core/config.js";
import { trainAlgorithm1, type TrainingEventMap } from "../../../src/core/training/algorithm1.js";
import { Events } from "../../../src/core/training/events.js";
import { createGan, disposeGan } from "../../../src/core/training/gan.js";
import {
  SATURATION_DEFAULTS,
  SaturationWatchdog,
  watchSaturation,
  type SaturationRecord,
  type WatchdogWarning,
} from "../../../src/core/training/watchdog.js";

const SATURATED = { realScore: 0.999, fakeScore: 0.001 };
const HEALTHY = { realScore: 0.6, fakeScore: 0.4 };

/** Feeds `scores` as steps first, first + 1, …; returns the warnings with the step they fired at. */
function feed(watchdog: SaturationWatchdog, scores: Array<Omit<SaturationRecord, "step">>, first = 1) {
  return scores.flatMap((score, index) => {
    const warning = watchdog.observe({ step: first + index, ...score });
    return warning ? [warning] : [];
  });
}
const repeat = <T>(value: T, count: number): T[] => Array.from({ length: count }, () => value);

describe("saturation watchdog on synthetic records", () => {
  it("warns exactly once, at the step that completes the window", () => {
    const watchdog = new SaturationWatchdog({ window: 10 });
    const warnings = feed(watchdog, [...repeat(HEALTHY, 5), ...repeat(SATURATED, 40)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.step).toBe(15); // saturated from step 6: the 10th saturated step is 15
    expect(warnings[0]!.firstStep).toBe(6);
    expect(warnings[0]!.realScore).toBeCloseTo(0.999, 12);
    expect(warnings[0]!.fakeScore).toBeCloseTo(0.001, 12);
    expect(warnings[0]!.kind).toBe("discriminator-saturation");
  });

  it("needs consecutive steps: one healthy step restarts the count", () => {
    const watchdog = new SaturationWatchdog({ window: 10 });
    const scores = [...repeat(SATURATED, 9), HEALTHY, ...repeat(SATURATED, 9), HEALTHY];
    expect(feed(watchdog, scores)).toHaveLength(0);
  });

  it("needs both conditions: a confident D(x) alone, or a low D(G(z)) alone, is not saturation", () => {
    const watchdog = new SaturationWatchdog({ window: 5 });
    expect(feed(watchdog, repeat({ realScore: 0.999, fakeScore: 0.2 }, 20))).toHaveLength(0);
    expect(feed(watchdog, repeat({ realScore: 0.8, fakeScore: 0.001 }, 20))).toHaveLength(0);
    expect(feed(watchdog, repeat({ realScore: Number.NaN, fakeScore: Number.NaN }, 20))).toHaveLength(0);
  });

  it("does not warn again for a flicker inside an episode, but does after a recovery", () => {
    const watchdog = new SaturationWatchdog({ window: 10, recoverySteps: 5 });
    const flicker = [...repeat(SATURATED, 12), ...repeat(HEALTHY, 2), ...repeat(SATURATED, 12)];
    expect(feed(watchdog, flicker)).toHaveLength(1);
    const recovered = feed(watchdog, [...repeat(HEALTHY, 5), ...repeat(SATURATED, 10)], 100);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.firstStep).toBe(105);
  });

  it("says why and what to try in one line, naming the minimax gradient when G uses it", () => {
    const [minimax] = feed(new SaturationWatchdog({ window: 3, loss: "minimax" }), repeat(SATURATED, 3));
    const [nonSaturating] = feed(new SaturationWatchdog({ window: 3 }), repeat(SATURATED, 3));
    for (const warning of [minimax!, nonSaturating!]) {
      expect(warning.message).not.toContain("\n");
      expect(warning.message).toContain("discriminator saturated for 3 steps (1–3)");
      expect(warning.message).toContain(`≥ ${SATURATION_DEFAULTS.realScoreAtLeast}`);
      expect(warning.message).toContain("--discriminator-learning-rate");
    }
    expect(minimax!.message).toContain("minimax G gradient");
    expect(minimax!.message).toContain("--loss non-saturating");
    expect(nonSaturating!.message).not.toContain("--loss non-saturating");
  });

  it("rejects nonsense options", () => {
    expect(() => new SaturationWatchdog({ window: 0 })).toThrow(RangeError);
    expect(() => new SaturationWatchdog({ realScoreAtLeast: 2 })).toThrow(RangeError);
  });
});

describe("saturation watchdog on real training", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  /** Runs the 1-D toy with `overrides` and a subscribed watchdog; returns its warnings. */
  async function train(overrides: ConfigInput, window: number): Promise<WatchdogWarning[]> {
    const config = theoryConfig(1, { batchSize: 32, sampleEvery: 0, checkpointEvery: 0, ...overrides });
    const gan = createGan(config, [1]);
    const events = new Events<TrainingEventMap>();
    const warnings: WatchdogWarning[] = [];
    watchSaturation(events, (warning) => void warnings.push(warning), { window, loss: config.loss });
    try {
      await trainAlgorithm1(gan, toyDataset(toyDistribution("gaussian-1d")), events);
    } finally {
      disposeGan(gan);
    }
    return warnings;
  }

  it("is provoked by a D that learns 10× faster with 3 steps per iteration against a minimax G that barely moves", async () => {
    // Measured: saturated from iteration 10 on; the 50-step window completes at iteration 59.
    const warnings = await train(
      {
        steps: 80,
        loss: "minimax",
        discriminatorSteps: 3,
        discriminatorLearningRate: 1e-2,
        generatorLearningRate: 1e-5,
      },
      50,
    );
    console.log(warnings.map((warning) => `watchdog: step ${warning.step}: ${warning.message}`).join("\n"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.step).toBeLessThanOrEqual(80);
    expect(warnings[0]!.message).toContain("minimax G gradient");
  });

  it("stays quiet on the toy-1d preset (non-saturating G catches up before D saturates)", async () => {
    // Measured: no saturated step at all in the first 300 iterations of the preset.
    expect(await train({ steps: 80 }, 50)).toHaveLength(0);
  });
});
