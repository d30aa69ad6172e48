/**
 * Figure 1 made real: Algorithm 1 on the 1-D toy ends with D ≈ 1/2 where the data are and p_g much closer to
 * p_data than at the start; the snapshots hold what the figure draws.
 */
import { beforeAll, describe, expect, it } from "vitest";

import { tf } from "../../../src/core/engine/tf.js";
import { figure1Experiment } from "../../../src/core/theory/figure1Experiment.js";

/**
 * Small settings for the cpu backend: 600 iterations, m = 64 (the CLI: 2000, m = 128). Measured at seed 1:
 * E_p_data|D − ½| 0.008 and JSD 0.109 at the end (seed 2: 0.016 and 0.150); JSD 0.693 at the start.
 */
const SMALL = { seed: 1, steps: 600, batchSize: 64, moments: [100, 300] } as const;
/** E_p_data|D − 1/2| at the end: measured 0.008–0.016, bound ~3×. */
const HALF_BOUND = 0.05;
/** JSD(p_data ‖ p_g) at the end: measured 0.11–0.15 (from log 2 = 0.693), bound with margin. */
const JENSEN_SHANNON_BOUND = 0.3;

describe("figure-1 experiment", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("ends with D close to 1/2 and p_g close to p_data", async () => {
    const tensorsBefore = tf.memory().numTensors;
    const result = await figure1Experiment(SMALL);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const { summary, snapshots } = result;
    console.log(
      `figure-1 (small): E|D − ½| ${summary.finalMeanDistanceFromHalf.toFixed(4)}, JSD ` +
        `${summary.initialJensenShannon.toFixed(3)} → ${summary.finalJensenShannon.toFixed(3)}, W1 ` +
        `${summary.finalWasserstein.toFixed(3)}, p_g ${summary.finalGeneratedMean.toFixed(2)} ± ` +
        `${summary.finalGeneratedStd.toFixed(2)}`,
    );
    expect(snapshots.map((snapshot) => snapshot.step)).toEqual([0, 100, 300, 600]);
    expect(summary.finalMeanDistanceFromHalf).toBeLessThan(HALF_BOUND);
    expect(summary.initialJensenShannon).toBeGreaterThan(0.69); // G starts near 0, far from N(4, 0.5²)
    expect(summary.finalJensenShannon).toBeLessThan(JENSEN_SHANNON_BOUND);
    expect(Math.abs(summary.finalGeneratedMean - 4)).toBeLessThan(0.5);
    // The first panel: D pre-trained against the initial G tells them apart (far from 1/2 on the data).
    expect(snapshots[0]!.meanDistanceFromHalf).toBeGreaterThan(0.3);
    for (const snapshot of snapshots) {
      expect(snapshot.x.length).toBe(snapshot.generatedDensity.length);
      expect(snapshot.x.length).toBe(snapshot.discriminator.length);
      expect(snapshot.mapping.z.length).toBe(snapshot.mapping.x.length);
      expect(snapshot.mapping.z[0]).toBe(-1); // the uniform prior's support
      expect(snapshot.mapping.z.at(-1)).toBe(1);
    }
    expect(result.training.step.length).toBe(SMALL.steps);
  });
});
