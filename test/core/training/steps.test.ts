/**
 * One D step and one G step of Algorithm 1 on tiny networks: each moves only its own network (parameters and
 * BatchNorm statistics), returns sane metrics, leaks no tensors, and the minimax objective's gradient vanishes when
 * D rejects the fakes (the paper's reason for the non-saturating objective) — on every backend
 * (test/support/backends.ts), plus each backend's agreement with cpu on the step's metrics and updates.
 */
import { afterEach, describe, expect, it } from "vitest";

import { LOSS_NAMES, resolveConfig, type Config, type ConfigInput } from "../../../src/core/config.js";
import { Rng, hashSeed } from "../../../src/core/engine/random.js";
import { tf, type Scalar, type Tensor, type Variable } from "../../../src/core/engine/tf.js";
import { r1Penalty } from "../../../src/core/losses/index.js";
import { snapshotValues } from "../../../src/core/models/network.js";
import { createGan, disposeGan, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import { discriminatorStep, generatorStep, type StepSeeds } from "../../../src/core/training/steps.js";
import {
  REFERENCE_BACKEND,
  describeEachBackend,
  relativeError,
  switchTo,
  type TestBackend,
} from "../../support/backends.js";

const BATCH = 8;

const CASES: Array<{ name: string; config: ConfigInput; dataShape: number[] }> = [
  {
    name: "tiny mlp (G with BatchNorm) on 2-D data",
    config: {
      arch: "mlp",
      batchSize: BATCH,
      latentDim: 4,
      mlp: { generatorHidden: [8], discriminatorHidden: [6], maxoutPieces: 2, generatorBatchNorm: true },
    },
    dataShape: [2],
  },
  {
    name: "tiny dcgan on 8×8 images",
    config: {
      arch: "dcgan",
      batchSize: BATCH,
      latentDim: 4,
      dcgan: { generatorDepth: 8, generatorChannels: [4], discriminatorChannels: [4, 8] },
    },
    dataShape: [8, 8, 1],
  },
  {
    // Spectral normalization's ũ, ṽ are statistics: a D step moves D's, a G step moves G's and never D's.
    name: "tiny mlp with spectral norm on both networks",
    config: {
      arch: "mlp",
      batchSize: BATCH,
      latentDim: 4,
      spectralNorm: "both",
      mlp: { generatorHidden: [8], discriminatorHidden: [6], maxoutPieces: 2, generatorBatchNorm: true },
    },
    dataShape: [2],
  },
  {
    name: "tiny dcgan with spectral norm on both networks",
    config: {
      arch: "dcgan",
      batchSize: BATCH,
      latentDim: 4,
      spectralNorm: "both",
      dcgan: { generatorDepth: 8, generatorChannels: [4], discriminatorChannels: [4, 8] },
    },
    dataShape: [8, 8, 1],
  },
];

let gans: Gan[] = [];
function gan(config: ConfigInput, dataShape: number[]): Gan {
  const created = createGan(resolveConfig(config), dataShape);
  gans.push(created);
  return created;
}

/** A real minibatch in the data's range ([-1, 1]: tanh images, or toy coordinates). */
function realBatch(dataShape: number[], step: number): Tensor {
  const values = new Float32Array(BATCH * dataShape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(99, step, "real").fillUniform(values, -1, 1), [BATCH, ...dataShape]);
}

function noise(config: Config, step: number): Tensor {
  return sampleNoise(config, BATCH, Rng.derive(config.seed, step, "noise"));
}

function seeds(step: number): StepSeeds {
  return {
    generator: hashSeed(1, step, "dropout/generator"),
    discriminator: hashSeed(1, step, "dropout/discriminator"),
  };
}

const scalar = (t: Scalar) => t.dataSync()[0]!;

/** Names whose values differ between two snapshots. */
function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): string[] {
  return [...before.keys()].filter((name) => !bitEqual(before.get(name)!, after.get(name)!));
}

/**
 * Biases that feed straight into a training-mode BatchNorm: the batch mean subtracts them out, so their gradient is
 * exactly zero in exact arithmetic (measured: ~1e-8, rounding noise, which Adam's normalisation still turns into a
 * visible step). Asserting that they move would assert noise, so the "every parameter changes" checks skip them.
 * Found structurally: a `…/bias` immediately followed in creation order by a `batchNorm…/scale`.
 */
function biasesBeforeBatchNorm(parameterNames: string[]): string[] {
  return parameterNames.filter(
    (name, i) => name.endsWith("/bias") && /^batchNorm\d*\/scale$/.test(parameterNames[i + 1] ?? ""),
  );
}

/**
 * Statistics a step can move: all but spectral normalization's ũ, ṽ of a one-output layer (D's logit). There σ is
 * ‖w‖ exactly: ũ = [1] and ṽ = w/‖w‖ depend on the weights alone (src/core/models/spectralNorm.ts), and a step's
 * passes all run before its update of w.
 */
function movable(statistics: Map<string, Variable>): string[] {
  const oneOutput = (name: string) => statistics.get(name.replace(/\/[uv]$/, "/u"))?.size === 1;
  return [...statistics.keys()].filter((name) => !(/\/[uv]$/.test(name) && oneOutput(name)));
}

function bitEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((word, i) => word === y[i]);
}

/**
 * Cross-backend tolerance for one step: convolutions and matmuls sum in a different order on each backend (oneDNN's
 * blocked kernels, wasm's XNNPACK, TF.js cpu's loops), so forward values and gradients differ by ~1e-6 relative
 * (measured: ≤ 1.6e-6 here); 1e-4 (∞-norm relative, per tensor) leaves a wide margin. A kernel that computes
 * something else — a wrong gradient, BatchNorm with other statistics or another ε, a fused optimizer whose moments
 * differ from the op chain's — is off by far more.
 */
const STEP_AGREEMENT_TOLERANCE = 1e-4;

/**
 * One D or G step on `backend` from the same initial weights (drawn in JavaScript, so equal on every backend), by
 * name: the step's metrics, the stepped network's variables after the step (parameters and BatchNorm statistics)
 * and the optimizer's slots (Adam's m, v; SGD's velocity −lr·g: the gradient itself). Updates (after − before) are
 * not compared: a difference of float32 weights is quantised to the weights' ulp (measured: 4e-5 of the SGD step
 * on the dcgan's conv1 filter), which says nothing about the kernels. Biases feeding
 * a training-mode BatchNorm are left out: their gradient is rounding noise (see biasesBeforeBatchNorm), which Adam
 * normalises into a step of arbitrary sign.
 */
async function stepRun(
  backend: TestBackend,
  config: ConfigInput,
  dataShape: number[],
  network: "discriminator" | "generator",
): Promise<Map<string, Float32Array>> {
  const previous = tf.getBackend() as TestBackend;
  await switchTo(backend);
  try {
    const g = gan(config, dataShape);
    const stepped = network === "discriminator" ? g.discriminator : g.generator;
    const optimizer = network === "discriminator" ? g.discriminatorOptimizer : g.generatorOptimizer;
    const z = noise(g.config, 0);
    const real = realBatch(dataShape, 0);
    const metrics =
      network === "discriminator" ? discriminatorStep(g, real, z, seeds(0)) : generatorStep(g, z, seeds(0));
    const inert = biasesBeforeBatchNorm(stepped.parameterNames);
    const compared = (name: string) => !inert.some((bias) => name === bias || name.startsWith(`${bias}/`));
    const result = new Map<string, Float32Array>();
    for (const [name, value] of Object.entries(metrics))
      result.set(`metric ${name}`, Float32Array.from(value.dataSync()));
    for (const [name, after] of snapshotValues(stepped)) if (compared(name)) result.set(name, after);
    const state = optimizer.getState();
    for (const [name, slot] of state.slots) {
      if (compared(name)) result.set(`slot ${name}`, Float32Array.from(slot.dataSync()));
    }
    tf.dispose([real, z, ...Object.values(metrics), ...state.slots.values()]);
    return result;
  } finally {
    await switchTo(previous);
  }
}

afterEach(() => {
  gans.forEach(disposeGan);
  gans = [];
});

describeEachBackend("steps", (backend) => {
  describe.each(CASES)("$name", ({ config, dataShape }) => {
    it("a D step changes every D parameter (and D's BatchNorm statistics) and leaves every G variable bit-identical", () => {
      const g = gan(config, dataShape);
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);
      const real = realBatch(dataShape, 0);
      const z = noise(g.config, 0);

      const metrics = discriminatorStep(g, real, z, seeds(0));

      const generatorAfter = snapshotValues(g.generator);
      const discriminatorAfter = snapshotValues(g.discriminator);
      expect(generatorBefore.size).toBeGreaterThan(0);
      expect(changed(generatorBefore, generatorAfter)).toEqual([]); // parameters and running statistics
      expect(g.generator.store.statistics.size).toBeGreaterThan(0); // …and G does have statistics that could move
      const movedD = changed(discriminatorBefore, discriminatorAfter);
      const inertD = biasesBeforeBatchNorm(g.discriminator.parameterNames);
      for (const name of g.discriminator.parameterNames) if (!inertD.includes(name)) expect(movedD).toContain(name);
      for (const name of movable(g.discriminator.store.statistics)) expect(movedD).toContain(name);
      expect(g.discriminatorOptimizer.step).toBe(1);
      expect(g.generatorOptimizer.step).toBe(0);

      const loss = scalar(metrics.loss);
      const realScore = scalar(metrics.realScore);
      const fakeScore = scalar(metrics.fakeScore);
      const gradientNorm = scalar(metrics.gradientNorm);
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeGreaterThan(0); // −V ≥ 0 always
      for (const score of [realScore, fakeScore]) {
        expect(score).toBeGreaterThan(0);
        expect(score).toBeLessThan(1);
      }
      expect(Number.isFinite(gradientNorm)).toBe(true);
      expect(gradientNorm).toBeGreaterThan(0);
      tf.dispose([real, z, ...Object.values(metrics)]);
    });

    it("a G step changes every G parameter (and G's BatchNorm statistics) and leaves every D variable bit-identical", () => {
      const g = gan(config, dataShape);
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);
      const z = noise(g.config, 0);

      const metrics = generatorStep(g, z, seeds(0));

      const generatorAfter = snapshotValues(g.generator);
      const discriminatorAfter = snapshotValues(g.discriminator);
      expect(changed(discriminatorBefore, discriminatorAfter)).toEqual([]); // parameters and running statistics
      const movedG = changed(generatorBefore, generatorAfter);
      const inertG = biasesBeforeBatchNorm(g.generator.parameterNames);
      expect(inertG.length).toBeGreaterThan(0); // both tiny generators have BatchNorm after their dense layer
      for (const name of g.generator.parameterNames) if (!inertG.includes(name)) expect(movedG).toContain(name);
      for (const name of movable(g.generator.store.statistics)) expect(movedG).toContain(name);
      expect(g.generatorOptimizer.step).toBe(1);
      expect(g.discriminatorOptimizer.step).toBe(0);

      const loss = scalar(metrics.loss);
      const fakeScore = scalar(metrics.fakeScore);
      const gradientNorm = scalar(metrics.gradientNorm);
      expect(Number.isFinite(loss)).toBe(true);
      expect(fakeScore).toBeGreaterThan(0);
      expect(fakeScore).toBeLessThan(1);
      // The default loss is non-saturating: G's loss is −mean log D(G(z)) ≥ −log(mean D(G(z))) (Jensen) > 0.
      expect(g.loss.name).toBe("non-saturating");
      expect(loss).toBeGreaterThanOrEqual(-Math.log(fakeScore) - 1e-5);
      expect(Number.isFinite(gradientNorm)).toBe(true);
      expect(gradientNorm).toBeGreaterThan(0);
      tf.dispose([z, ...Object.values(metrics)]);
    });

    it("leaks no tensors: numTensors is the same before and after a D step + G step once the metrics are disposed", () => {
      const g = gan(config, dataShape);
      const real = realBatch(dataShape, 1);
      const z1 = noise(g.config, 1);
      const z2 = noise(g.config, 2);
      const before = tf.memory().numTensors;
      const dMetrics = discriminatorStep(g, real, z1, seeds(1));
      const gMetrics = generatorStep(g, z2, seeds(1));
      const returned = [...Object.values(dMetrics), ...Object.values(gMetrics)];
      expect(tf.memory().numTensors).toBe(before + returned.length); // exactly the metrics are new
      tf.dispose(returned);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([real, z1, z2]);
    });

    it("minimax's G gradient vanishes when D rejects fakes strongly; non-saturating's does not", () => {
      const norms = (logitBias: number) => {
        const result: Record<string, { norm: number; score: number }> = {};
        for (const loss of ["minimax", "non-saturating"] as const) {
          const g = gan({ ...config, loss }, dataShape);
          const bias = g.discriminator.store.trainable.get("logit/bias")!;
          bias.assign(tf.fill(bias.shape, logitBias));
          const z = noise(g.config, 3);
          const metrics = generatorStep(g, z, seeds(3));
          result[loss] = { norm: scalar(metrics.gradientNorm), score: scalar(metrics.fakeScore) };
          tf.dispose([z, ...Object.values(metrics)]);
        }
        return result as Record<"minimax" | "non-saturating", { norm: number; score: number }>;
      };

      // D's logit bias −20: D(G(z)) ≈ σ(−20) ≈ 2e-9. dL/dl is −σ(l)/m (minimax) vs (σ(l) − 1)/m (non-saturating).
      const rejecting = norms(-20);
      expect(rejecting.minimax.score).toBeLessThan(1e-6);
      expect(rejecting["non-saturating"].norm).toBeGreaterThan(0);
      expect(rejecting.minimax.norm / rejecting["non-saturating"].norm).toBeLessThan(1e-3);

      // Control: with D undecided (bias 0, D ≈ 1/2) the two gradients are of the same size, so the ratio above is the
      // saturation and not a property of the nets.
      const undecided = norms(0);
      const ratio = undecided.minimax.norm / undecided["non-saturating"].norm;
      expect(ratio).toBeGreaterThan(0.1);
      expect(ratio).toBeLessThan(10);
    });
  });

  describe.each(CASES)("$name: every loss, and the R1 penalty", ({ config, dataShape }) => {
    // The penalties need D without BatchNorm (the config refuses it otherwise); the mlp's D has none.
    const penaltyReady: ConfigInput = { ...config, dcgan: { ...config.dcgan, discriminatorBatchNorm: false } };
    const variants: Array<{ label: string; config: ConfigInput }> = [
      ...LOSS_NAMES.map((loss) => ({ label: loss, config: { ...penaltyReady, loss } })),
      { label: "non-saturating + R1 (γ = 10)", config: { ...penaltyReady, r1Gamma: 10 } },
      { label: "minimax + label smoothing 0.1", config: { ...penaltyReady, loss: "minimax", labelSmoothing: 0.1 } },
    ];

    it.each(variants)("$label: a D step moves only D and a G step moves only G, finite metrics, no leak", (variant) => {
      const g = gan(variant.config, dataShape);
      const real = realBatch(dataShape, 4);
      const z = noise(g.config, 4);
      const tensorsBefore = tf.memory().numTensors;
      const generatorBefore = snapshotValues(g.generator);
      const discriminatorBefore = snapshotValues(g.discriminator);
      const dMetrics = discriminatorStep(g, real, z, seeds(4));
      expect(changed(generatorBefore, snapshotValues(g.generator))).toEqual([]);
      const discriminatorAfterD = snapshotValues(g.discriminator);
      const inertD = biasesBeforeBatchNorm(g.discriminator.parameterNames);
      // The critic losses do not change when a constant is added to every output (hinge: while all outputs are
      // inside the margin, as at initialisation), so the output's bias gets a gradient of exactly −1 + 1 = 0.
      if (g.loss.scoreMeaning === "critic") inertD.push("logit/bias");
      const movedD = changed(discriminatorBefore, discriminatorAfterD);
      for (const name of g.discriminator.parameterNames) if (!inertD.includes(name)) expect(movedD).toContain(name);

      const generatorBeforeG = snapshotValues(g.generator);
      const gMetrics = generatorStep(g, z, seeds(5));
      expect(changed(discriminatorAfterD, snapshotValues(g.discriminator))).toEqual([]);
      expect(changed(generatorBeforeG, snapshotValues(g.generator)).length).toBeGreaterThan(0);
      const metrics = [...Object.values(dMetrics), ...Object.values(gMetrics)];
      expect(tf.memory().numTensors).toBe(tensorsBefore + metrics.length); // the penalties' tensors are freed
      for (const metric of metrics) expect(Number.isFinite(scalar(metric))).toBe(true);
      if (g.loss.scoreMeaning === "probability" && g.loss.name !== "least-squares") {
        for (const score of [dMetrics.realScore, dMetrics.fakeScore]) expect(scalar(score)).toBeLessThan(1);
      }
      tf.dispose([real, z, ...metrics]);
    });

    it("wasserstein-gp: the D step's loss is the critic difference E[D(G(z))] − E[D(x)] plus a positive penalty", () => {
      const g = gan({ ...penaltyReady, loss: "wasserstein-gp" }, dataShape);
      expect(g.config.discriminatorSteps).toBe(5); // the paper's n_critic, as nothing set k
      const real = realBatch(dataShape, 6);
      const z = noise(g.config, 6);
      const metrics = discriminatorStep(g, real, z, seeds(6));
      // For a critic the scores are D's raw mean outputs, so the unpenalised loss is fakeScore − realScore.
      const penalty = scalar(metrics.loss) - (scalar(metrics.fakeScore) - scalar(metrics.realScore));
      expect(penalty).toBeGreaterThan(1e-3);
      tf.dispose([real, z, ...Object.values(metrics)]);
    });

    it("R1: the D step's loss exceeds the unpenalised one by γ/2·E‖∇D(x)‖² on the real batch, before the update", () => {
      // Spectral norm off: the step's own D passes advance its power iteration (σ moves) before the penalty is
      // taken, so an expectation computed before the step could not match. This checks the penalty's arithmetic.
      const noDropout: ConfigInput = {
        ...penaltyReady,
        spectralNorm: "none",
        mlp: { ...penaltyReady.mlp, discriminatorInputDropout: 0, discriminatorDropout: 0 },
        dcgan: { ...penaltyReady.dcgan, discriminatorDropout: 0 },
      };
      const gamma = 10;
      const plain = gan(noDropout, dataShape);
      const penalised = gan({ ...noDropout, r1Gamma: gamma }, dataShape); // the same initial weights (same seed)
      const real = realBatch(dataShape, 7);
      const z = noise(plain.config, 7);
      const expected = tf.tidy(() =>
        scalar(
          r1Penalty((x) => penalised.discriminator.apply(x, { training: true, updateStatistics: false }), real, gamma),
        ),
      );
      expect(expected).toBeGreaterThan(0);
      const plainMetrics = discriminatorStep(plain, real, z, seeds(7));
      const penalisedMetrics = discriminatorStep(penalised, real, z, seeds(7));
      const difference = scalar(penalisedMetrics.loss) - scalar(plainMetrics.loss);
      expect(Math.abs(difference - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
      tf.dispose([real, z, ...Object.values(plainMetrics), ...Object.values(penalisedMetrics)]);
    });
  });

  if (backend !== REFERENCE_BACKEND) {
    describe.each(CASES)(`$name: agreement with ${REFERENCE_BACKEND}`, ({ config, dataShape }) => {
      it.each([
        { network: "discriminator", optimizer: "adam" },
        { network: "generator", optimizer: "adam" },
        { network: "discriminator", optimizer: "sgd" },
        { network: "generator", optimizer: "sgd" },
      ] as const)(
        `one $network step with $optimizer: metrics, variables and slots agree with ${REFERENCE_BACKEND} within 1e-4`,
        async ({ network, optimizer }) => {
          const expected = await stepRun(REFERENCE_BACKEND, { ...config, optimizer }, dataShape, network);
          const actual = await stepRun(backend, { ...config, optimizer }, dataShape, network);
          expect([...actual.keys()]).toEqual([...expected.keys()]);
          for (const [name, values] of expected) {
            expect(relativeError(actual.get(name)!, values), name).toBeLessThan(STEP_AGREEMENT_TOLERANCE);
          }
        },
      );
    });
  }
});
