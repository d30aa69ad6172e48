/**
 * The EMA of G's weights (Karras et al. 2018; Yazıcı et al. 2019): the update against its closed form after n steps,
 * inside Algorithm 1 too; statistics copied from G; no optimizer holds an EMA variable and the steps never move it;
 * the sampling generator is the EMA one unless raw is asked for; checkpoints carry it, and a checkpoint without it
 * gives an EMA generator holding G's weights.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { toyDataset } from "../../../src/core/data/dataset.js";
import { toyDistribution } from "../../../src/core/data/toys.js";
import { Rng, hashSeed } from "../../../src/core/engine/random.js";
import { tf, type Variable } from "../../../src/core/engine/tf.js";
import { snapshotValues } from "../../../src/core/models/network.js";
import { trainAlgorithm1, type TrainingEventMap } from "../../../src/core/training/algorithm1.js";
import { encodeCheckpoint, restoreGan, type CheckpointManifest } from "../../../src/core/training/checkpoint.js";
import { emaDecayAt, updateEma } from "../../../src/core/training/ema.js";
import { Events } from "../../../src/core/training/events.js";
import { createGan, disposeGan, samplingGenerator, withParts, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import { discriminatorStep, generatorStep } from "../../../src/core/training/steps.js";

/** β for the tests: far enough from 1 that (1 − β) terms are large against float32 rounding. */
const DECAY = 0.8;
const STEPS = 5;
/** The closed form is float64; the updates are float32 (≈ 6e-8 relative each): 1e-5 absolute on weights of size ≈ 1. */
const CLOSED_FORM_TOLERANCE = 1e-5;

const SETTINGS: ConfigInput = {
  dataset: "ring-2d",
  arch: "mlp",
  steps: STEPS,
  batchSize: 8,
  latentDim: 2,
  generatorEma: DECAY,
  mlp: { generatorHidden: [6], discriminatorHidden: [4], maxoutPieces: 2, generatorBatchNorm: true },
};

let gans: Gan[] = [];
function gan(input: ConfigInput = SETTINGS): Gan {
  const created = createGan(resolveConfig(input), [2]);
  gans.push(created);
  return created;
}
afterEach(() => {
  gans.forEach(disposeGan);
  gans = [];
});

/** θ_ema after n updates, from θ₀ and θ₁..θₙ: βⁿ θ₀ + (1 − β) Σ_{t=1..n} β^{n−t} θ_t, in float64. */
function closedForm(initial: Float32Array, sequence: Float32Array[], decay: number): number[] {
  const n = sequence.length;
  return Array.from(initial, (value, i) =>
    sequence.reduce((sum, theta, t) => sum + (1 - decay) * decay ** (n - 1 - t) * theta[i]!, decay ** n * value),
  );
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `${what}[${i}]`).toBeLessThan(CLOSED_FORM_TOLERANCE);
  }
}

describe("EMA of G's weights", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("after n updates with a known θ sequence, θ_ema = βⁿθ₀ + (1 − β)Σβ^{n−t}θ_t", () => {
    const g = gan();
    const ema = g.generatorEma!;
    const [name, parameter] = [...g.generator.store.trainable][0]!;
    const initial = Float32Array.from(parameter.dataSync());
    expect(ema.store.trainable.get(name)!.dataSync()).toEqual(initial); // starts at G's θ₀
    const sequence: Float32Array[] = [];
    for (let t = 1; t <= STEPS; t++) {
      const theta = Rng.derive(t, "theta").fillUniform(new Float32Array(parameter.size), -2, 2);
      tf.tidy(() => parameter.assign(tf.tensor(theta, parameter.shape)));
      updateEma(ema, g.generator, DECAY);
      sequence.push(theta);
    }
    expectClose(ema.store.trainable.get(name)!.dataSync(), closedForm(initial, sequence, DECAY), name);
  });

  it("in Algorithm 1, the EMA generator follows the closed form over G's weights after each step", async () => {
    const g = gan();
    const initial = snapshotValues(g.generator);
    const sequence: Array<Map<string, Float32Array>> = [];
    const events = new Events<TrainingEventMap>();
    events.on("step", () => void sequence.push(snapshotValues(g.generator)));
    await trainAlgorithm1(g, toyDataset(toyDistribution("ring-2d")), events);
    expect(sequence).toHaveLength(STEPS);
    const ema = snapshotValues(g.generatorEma!);
    for (const name of g.generator.parameterNames) {
      const thetas = sequence.map((values) => values.get(name)!);
      expectClose(ema.get(name)!, closedForm(initial.get(name)!, thetas, DECAY), name);
    }
    // Statistics (BatchNorm's running averages) are G's own, copied after the last step.
    expect(g.generator.store.statistics.size).toBeGreaterThan(0);
    for (const name of g.generator.store.statistics.keys()) expect(ema.get(name)).toEqual(sequence.at(-1)!.get(name));
  });

  it("with warm-up, β_t = min(β, (1 + t)/(10 + t)), and Algorithm 1 follows the closed form with those β_t", async () => {
    const decay = 0.999;
    const warm = { generatorEma: decay, generatorEmaWarmup: true };
    expect(emaDecayAt(warm, 0)).toBeCloseTo(0.1, 15);
    expect(emaDecayAt(warm, 90)).toBeCloseTo(0.91, 15);
    expect(emaDecayAt(warm, 8990)).toBeCloseTo(decay, 15); // (1 + t)/(10 + t) reaches 0.999 at t = 8 990
    expect(emaDecayAt(warm, 100_000)).toBe(decay);
    expect(emaDecayAt({ ...warm, generatorEmaWarmup: false }, 0)).toBe(decay);

    const g = gan({ ...SETTINGS, generatorEma: decay, generatorEmaWarmup: true });
    const initial = snapshotValues(g.generator);
    const sequence: Array<Map<string, Float32Array>> = [];
    const events = new Events<TrainingEventMap>();
    events.on("step", () => void sequence.push(snapshotValues(g.generator)));
    await trainAlgorithm1(g, toyDataset(toyDistribution("ring-2d")), events);
    const ema = snapshotValues(g.generatorEma!);
    for (const name of g.generator.parameterNames) {
      // θ_ema,t = β_t θ_ema,t−1 + (1 − β_t) θ_t in float64, β_t for the G step t = 0, 1, …
      const expected = Array.from(initial.get(name)!, (value, i) =>
        sequence.reduce((average, theta, t) => {
          const beta = (1 + t) / (10 + t);
          return beta * average + (1 - beta) * theta.get(name)![i]!;
        }, value),
      );
      expectClose(ema.get(name)!, expected, name);
    }
  });

  it("no optimizer holds an EMA variable, and a D step and a G step leave the EMA generator bit-identical", () => {
    const g = gan();
    const held = (optimizer: unknown) => (optimizer as { variables: Variable[] }).variables;
    const emaVariables = new Set(g.generatorEma!.namedVariables().map(([, variable]) => variable));
    for (const optimizer of [g.generatorOptimizer, g.discriminatorOptimizer]) {
      expect(held(optimizer).length).toBeGreaterThan(0);
      for (const variable of held(optimizer)) expect(emaVariables.has(variable)).toBe(false);
    }
    const before = snapshotValues(g.generatorEma!);
    const generatorBefore = snapshotValues(g.generator);
    const real = tf.tensor2d(Rng.derive(1, "real").fillUniform(new Float32Array(16), -1, 1), [8, 2]);
    const noise = sampleNoise(g.config, 8, Rng.derive(1, "noise"));
    const seeds = { generator: hashSeed(1, "g"), discriminator: hashSeed(1, "d") };
    tf.dispose(Object.values(discriminatorStep(g, real, noise, seeds)));
    tf.dispose(Object.values(generatorStep(g, noise, seeds)));
    expect(snapshotValues(g.generatorEma!)).toEqual(before);
    expect(snapshotValues(g.generator)).not.toEqual(generatorBefore); // the steps did train G
    tf.dispose([real, noise]);
  });

  it("samples come from the EMA generator unless raw is asked for; without EMA there is only G", () => {
    const g = gan();
    expect(samplingGenerator(g)).toBe(g.generatorEma);
    expect(samplingGenerator(g, true)).toBe(g.generator);
    const plain = gan({ ...SETTINGS, generatorEma: 0 });
    expect(plain.generatorEma).toBeNull();
    expect(samplingGenerator(plain)).toBe(plain.generator);
    // withParts keeps the EMA generator (the lab retunes optimizers this way).
    expect(withParts(g, {}).generatorEma).toBe(g.generatorEma);
  });

  it("a checkpoint carries the EMA generator; one written without it gives an EMA generator holding G's weights", async () => {
    const g = gan();
    await trainAlgorithm1(g, toyDataset(toyDistribution("ring-2d")), new Events<TrainingEventMap>());
    const ema = snapshotValues(g.generatorEma!);
    expect(ema).not.toEqual(snapshotValues(g.generator));
    const { manifest, data } = encodeCheckpoint(g);
    const restored = restoreGan(manifest, data, { weightsOnly: true });
    gans.push(restored);
    expect(snapshotValues(restored.generatorEma!)).toEqual(ema);

    const withoutEma: CheckpointManifest = {
      ...manifest,
      tensors: manifest.tensors.filter((entry) => !entry.name.startsWith("generatorEma/")),
    };
    const fromOld = restoreGan(withoutEma, data, { weightsOnly: true });
    gans.push(fromOld);
    expect(snapshotValues(fromOld.generatorEma!)).toEqual(snapshotValues(g.generator));
  });
});
