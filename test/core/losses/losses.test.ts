/**
 * The loss contract (diffusers-style: one test every registered objective must pass) for D's and G's objectives,
 * the cross-entropy discriminator loss with and without label smoothing, on every backend
 * (test/support/backends.ts), plus each backend's agreement with cpu.
 *
 * Expected values come from closed forms in float64 written from each paper's objective — for the cross-entropy
 * losses with probabilities D = σ(l), never from the logit formulas the implementation uses — so a wrong sign, a
 * swapped softplus argument, a missing ½ or a sum instead of a mean fails.
 */
import { describe, expect, it } from "vitest";

import { LABEL_SMOOTHING_LOSSES, WASSERSTEIN_GP_PENALTY_WEIGHT } from "../../../src/core/config.js";
import { tf, type Scalar, type Tensor } from "../../../src/core/engine/tf.js";
import {
  GAN_LOSSES,
  discriminatorLoss,
  ganLoss,
  valueFunction,
  type GanLossName,
} from "../../../src/core/losses/index.js";
import { REFERENCE_BACKEND, describeEachBackend, relativeError, valuesOn } from "../../support/backends.js";

/** σ(l) in float64. */
const sigmoid = (logit: number) => 1 / (1 + Math.exp(-logit));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
/** log σ(l) and log(1 − σ(l)) in float64, written to stay finite at ±100 (for the extreme-logit checks only). */
const logD = (l: number) => (l > 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)));
const log1mD = (l: number) => (l > 0 ? -l - Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l)));
const relu = (x: number) => Math.max(0, x);
/** The derivative of relu, d/dx max(0, x), away from the kink at 0. */
const step = (x: number) => (x > 0 ? 1 : 0);

/**
 * Each objective from its paper, on D's outputs l (per-sample terms, their derivatives with respect to one output of
 * a batch of m: d/dl of the term divided by m), and the values at l = 0 worked out by hand. Typed by the registry's
 * names, so a loss added to the registry without a reference here is a type error (and a test failure below).
 */
interface Reference {
  /** G's objective on G's samples' outputs (float64; probabilities for the cross-entropy losses). */
  generator: (fake: number[]) => number;
  /** The same, finite at ±100 (defaults to `generator`). */
  generatorAtExtremes?: (fake: number[]) => number;
  generatorGradient: (logit: number, m: number) => number;
  /** D's objective on real and fake outputs. */
  discriminator: (real: number[], fake: number[]) => number;
  discriminatorAtExtremes?: (real: number[], fake: number[]) => number;
  realGradient: (logit: number, m: number) => number;
  fakeGradient: (logit: number, n: number) => number;
  /** Hand values at l = 0 for every sample. */
  atZero: { generator: number; discriminator: number };
}

/** Goodfellow et al. 2014, eq. 1: D minimises −E_x[log D(x)] − E_z[log(1 − D(G(z)))]. */
const crossEntropyDiscriminator = {
  discriminator: (real: number[], fake: number[]) =>
    -mean(real.map((l) => Math.log(sigmoid(l)))) - mean(fake.map((l) => Math.log(1 - sigmoid(l)))),
  discriminatorAtExtremes: (real: number[], fake: number[]) => -mean(real.map(logD)) - mean(fake.map(log1mD)),
  // d/dl −log σ(l) = σ(l) − 1; d/dl −log(1 − σ(l)) = σ(l).
  realGradient: (l: number, m: number) => (sigmoid(l) - 1) / m,
  fakeGradient: (l: number, n: number) => sigmoid(l) / n,
};

const REFERENCE: Record<GanLossName, Reference> = {
  // G minimises E_z[log(1 − D(G(z)))]; d/dl log(1 − σ(l)) = −σ(l). At D = ½: log ½ for G, log 4 for D.
  minimax: {
    generator: (d) => mean(d.map((l) => Math.log(1 - sigmoid(l)))),
    generatorAtExtremes: (d) => mean(d.map(log1mD)),
    generatorGradient: (logit, m) => -sigmoid(logit) / m,
    ...crossEntropyDiscriminator,
    atZero: { generator: -Math.LN2, discriminator: Math.log(4) },
  },
  // G maximises E_z[log D(G(z))], i.e. minimises −E_z[log D(G(z))]; d/dl −log σ(l) = σ(l) − 1.
  "non-saturating": {
    generator: (d) => -mean(d.map((l) => Math.log(sigmoid(l)))),
    generatorAtExtremes: (d) => -mean(d.map(logD)),
    generatorGradient: (logit, m) => (sigmoid(logit) - 1) / m,
    ...crossEntropyDiscriminator,
    atZero: { generator: Math.LN2, discriminator: Math.log(4) },
  },
  // Mao et al. 2017, eq. 2 with a = 0, b = c = 1: D: ½E[(D(x) − 1)²] + ½E[D(G(z))²]; G: ½E[(D(G(z)) − 1)²].
  // At D = 0: D's loss ½·1 + ½·0 = ½, G's ½·1 = ½.
  "least-squares": {
    generator: (d) => 0.5 * mean(d.map((l) => (l - 1) ** 2)),
    generatorGradient: (l, m) => (l - 1) / m,
    discriminator: (real, fake) => 0.5 * mean(real.map((l) => (l - 1) ** 2)) + 0.5 * mean(fake.map((l) => l ** 2)),
    realGradient: (l, m) => (l - 1) / m,
    fakeGradient: (l, n) => l / n,
    atZero: { generator: 0.5, discriminator: 0.5 },
  },
  // Lim & Ye 2017 / SAGAN eq. 5: D: E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]; G: −E[D(G(z))].
  // At D = 0: D's loss 1 + 1 = 2, G's 0.
  hinge: {
    generator: (d) => -mean(d),
    generatorGradient: (_, m) => -1 / m,
    discriminator: (real, fake) => mean(real.map((l) => relu(1 - l))) + mean(fake.map((l) => relu(1 + l))),
    realGradient: (l, m) => -step(1 - l) / m,
    fakeGradient: (l, n) => step(1 + l) / n,
    atZero: { generator: 0, discriminator: 2 },
  },
  // Gulrajani et al. 2017, eq. 3 without the penalty (penalties.test.ts): D: E[D(G(z))] − E[D(x)]; G: −E[D(G(z))].
  "wasserstein-gp": {
    generator: (d) => -mean(d),
    generatorGradient: (_, m) => -1 / m,
    discriminator: (real, fake) => mean(fake) - mean(real),
    realGradient: (_, m) => -1 / m,
    fakeGradient: (_, n) => 1 / n,
    atZero: { generator: 0, discriminator: 0 },
  },
};

/**
 * Logits where every closed form is well conditioned in float32, every G gradient element is ≥ 0.02 in size, and
 * none is within a finite-difference step of the hinge's kinks at ±1.
 */
const MODERATE_LOGITS = [-2, -0.7, 0, 0.4, 1.9];
/** A second batch for D's fake outputs, of another size (the means must divide by their own batch). */
const MODERATE_FAKE_LOGITS = [-1.3, 0.6, -2.4];
/** Central-difference step: large enough that float32 rounding (~1e-7 / 2h) stays far below the tolerance. */
const FD_STEP = 1e-2;
/** Finite-difference tolerance: truncation error is O(h²·|f'''|) ≈ 1e-5 here; a factor-2 error is ≥ 1e-2. */
const FD_TOLERANCE = 5e-4;

function column(values: number[]): Tensor {
  return tf.tensor2d(values, [values.length, 1]);
}

function scalarOf(compute: () => Scalar): number {
  const result = tf.tidy(compute);
  const value = result.dataSync()[0]!;
  result.dispose();
  return value;
}

/** d loss / d logits by autodiff. */
function gradientOf(loss: (logits: Tensor) => Scalar, logits: number[]): number[] {
  return tf.tidy(() =>
    Array.from(
      tf
        .grad((x: Tensor) => loss(x))(column(logits))
        .dataSync(),
    ),
  );
}

/** d loss / d logits by central differences of the same float32 implementation. */
function finiteDifferences(loss: (logits: Tensor) => Scalar, logits: number[]): number[] {
  return logits.map((_, i) => {
    const shifted = (delta: number) => logits.map((value, j) => (j === i ? value + delta : value));
    const plus = scalarOf(() => loss(column(shifted(FD_STEP))));
    const minus = scalarOf(() => loss(column(shifted(-FD_STEP))));
    return (plus - minus) / (2 * FD_STEP);
  });
}

/** |actual − expected| within `digits` decimals, relative to max(1, |expected|) (float32 at ±100 is ~5000·1e-7). */
function expectNear(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

describe("loss registry", () => {
  it("has a reference closed form for every registered loss and every registered loss is reachable by name", () => {
    const names = Object.keys(GAN_LOSSES);
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(new Set(names)).toEqual(new Set(Object.keys(REFERENCE)));
    for (const [name, loss] of Object.entries(GAN_LOSSES)) {
      expect(loss.name).toBe(name);
      expect(loss.description.length).toBeGreaterThan(0);
      expect(loss.paper).toMatch(/\d{4}/); // "Authors Year, title"
      expect(ganLoss(name)).toBe(loss);
    }
  });

  it("rejects an unknown name with a message naming it and every known loss", () => {
    expect(() => ganLoss("nope")).toThrow(/nope/);
    let message = "";
    try {
      ganLoss("nope");
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of Object.keys(GAN_LOSSES)) expect(message).toContain(name);
  });

  it("only wasserstein-gp carries a gradient penalty, with the paper's λ = 10", () => {
    for (const [name, loss] of Object.entries(GAN_LOSSES)) {
      expect(loss.gradientPenaltyWeight).toBe(name === "wasserstein-gp" ? 10 : 0);
    }
    expect(WASSERSTEIN_GP_PENALTY_WEIGHT).toBe(10);
  });
});

describeEachBackend("losses", (backend) => {
  describe.each(Object.entries(GAN_LOSSES))("loss contract: %s", (name, loss) => {
    const reference = REFERENCE[name as GanLossName];
    const generator = (logits: Tensor) => loss.generator(logits);
    const onReal = (logits: Tensor) => loss.discriminator(logits, column(MODERATE_FAKE_LOGITS));
    const onFake = (logits: Tensor) => loss.discriminator(column(MODERATE_LOGITS), logits);

    it("D's and G's objectives are scalars", () => {
      const values = tf.tidy(() => [generator(column(MODERATE_LOGITS)), onFake(column(MODERATE_FAKE_LOGITS))]);
      for (const value of values) expect(value.shape).toEqual([]);
      tf.dispose(values);
    });

    it("at logits 0 equals its hand-computed value and its closed form", () => {
      const gValue = scalarOf(() => generator(tf.zeros([8, 1])));
      expect(gValue).toBeCloseTo(reference.generator(Array(8).fill(0)), 6);
      expect(gValue).toBeCloseTo(reference.atZero.generator, 6);
      const dValue = scalarOf(() => loss.discriminator(tf.zeros([8, 1]), tf.zeros([6, 1])));
      expect(dValue).toBeCloseTo(reference.discriminator(Array(8).fill(0), Array(6).fill(0)), 6);
      expect(dValue).toBeCloseTo(reference.atZero.discriminator, 6);
    });

    it("equals its closed form at moderate logits (D's real and fake batches of different sizes)", () => {
      expect(scalarOf(() => generator(column(MODERATE_LOGITS)))).toBeCloseTo(reference.generator(MODERATE_LOGITS), 5);
      const dValue = scalarOf(() => loss.discriminator(column(MODERATE_LOGITS), column(MODERATE_FAKE_LOGITS)));
      expect(dValue).toBeCloseTo(reference.discriminator(MODERATE_LOGITS, MODERATE_FAKE_LOGITS), 5);
    });

    it("has the closed-form gradients with respect to the outputs (means: 1/m per element)", () => {
      const m = MODERATE_LOGITS.length;
      const n = MODERATE_FAKE_LOGITS.length;
      const gGradient = gradientOf(generator, MODERATE_LOGITS);
      MODERATE_LOGITS.forEach((l, i) => expect(gGradient[i]).toBeCloseTo(reference.generatorGradient(l, m), 6));
      const realGradient = gradientOf(onReal, MODERATE_LOGITS);
      MODERATE_LOGITS.forEach((l, i) => expect(realGradient[i]).toBeCloseTo(reference.realGradient(l, m), 6));
      const fakeGradient = gradientOf(onFake, MODERATE_FAKE_LOGITS);
      MODERATE_FAKE_LOGITS.forEach((l, i) => expect(fakeGradient[i]).toBeCloseTo(reference.fakeGradient(l, n), 6));
    });

    it("has gradients that match central finite differences", () => {
      const analytic = gradientOf(generator, MODERATE_LOGITS);
      const numeric = finiteDifferences(generator, MODERATE_LOGITS);
      analytic.forEach((value, i) => {
        expect(Math.abs(value - numeric[i]!)).toBeLessThan(FD_TOLERANCE);
        // The check has teeth: every element is far larger than the tolerance.
        expect(Math.abs(numeric[i]!)).toBeGreaterThan(20 * FD_TOLERANCE);
      });
      for (const [objective, logits] of [
        [onReal, MODERATE_LOGITS],
        [onFake, MODERATE_FAKE_LOGITS],
      ] as const) {
        const dAnalytic = gradientOf(objective, logits);
        const dNumeric = finiteDifferences(objective, logits);
        dAnalytic.forEach((value, i) => expect(Math.abs(value - dNumeric[i]!)).toBeLessThan(FD_TOLERANCE));
        // Teeth: some element of D's gradient is far larger than the tolerance (the hinge's are 0 past the margin).
        expect(Math.max(...dNumeric.map(Math.abs))).toBeGreaterThan(20 * FD_TOLERANCE);
      }
    });

    it("stays finite, with finite gradients, at logits ±100 (and approximately right)", () => {
      const m = 4;
      const generatorAtExtremes = reference.generatorAtExtremes ?? reference.generator;
      const discriminatorAtExtremes = reference.discriminatorAtExtremes ?? reference.discriminator;
      for (const logit of [-100, 100]) {
        const logits = Array(m).fill(logit);
        const value = scalarOf(() => generator(column(logits)));
        const gradient = gradientOf(generator, logits);
        expect(Number.isFinite(value)).toBe(true);
        expectNear(value, generatorAtExtremes(logits), 1e-5);
        for (const element of gradient) expect(element).toBeCloseTo(reference.generatorGradient(logit, m), 6);
        for (const fakeLogit of [-100, 100]) {
          const fakeLogits = Array(m).fill(fakeLogit);
          const dValue = scalarOf(() => loss.discriminator(column(logits), column(fakeLogits)));
          expect(Number.isFinite(dValue)).toBe(true);
          expectNear(dValue, discriminatorAtExtremes(logits, fakeLogits), 1e-5);
          const realGradient = gradientOf((x) => loss.discriminator(x, column(fakeLogits)), logits);
          const fakeGradient = gradientOf((x) => loss.discriminator(column(logits), x), fakeLogits);
          for (const element of realGradient) expect(element).toBeCloseTo(reference.realGradient(logit, m), 6);
          for (const element of fakeGradient) expect(element).toBeCloseTo(reference.fakeGradient(fakeLogit, m), 6);
        }
      }
      // A batch mixing both extremes stays finite too.
      const mixed = [-100, 100, -100, 100];
      expect(Number.isFinite(scalarOf(() => generator(column(mixed))))).toBe(true);
      for (const element of gradientOf(generator, mixed)) expect(Number.isFinite(element)).toBe(true);
      expect(Number.isFinite(scalarOf(() => loss.discriminator(column(mixed), column(mixed))))).toBe(true);
      for (const element of gradientOf((x) => loss.discriminator(x, x), mixed)) {
        expect(Number.isFinite(element)).toBe(true);
      }
    });

    it("reports a score that is σ(l) for the cross-entropy losses and the raw output otherwise", () => {
      const score = Array.from(tf.tidy(() => loss.score(column(MODERATE_LOGITS)).dataSync()));
      const crossEntropy = (LABEL_SMOOTHING_LOSSES as readonly string[]).includes(name);
      const expected = MODERATE_LOGITS.map((l) => (crossEntropy ? sigmoid(l) : l));
      score.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
      expect(loss.scoreMeaning).toBe(name === "hinge" || name === "wasserstein-gp" ? "critic" : "probability");
    });
  });

  describe("the generator losses at a confident discriminator (logit −100: D rejects every fake)", () => {
    const m = 4;
    const rejected = Array(m).fill(-100);

    it("non-saturating: loss ≈ 100 and gradient ≈ −1/m per element (strong)", () => {
      const loss = GAN_LOSSES["non-saturating"].generator;
      expect(scalarOf(() => loss(column(rejected)))).toBeCloseTo(100, 3);
      for (const element of gradientOf(loss, rejected)) expect(element).toBeCloseTo(-1 / m, 6);
    });

    it("minimax: loss ≈ 0 and gradient ≈ 0 — the saturation the paper warns about", () => {
      const loss = GAN_LOSSES.minimax.generator;
      expect(scalarOf(() => loss(column(rejected)))).toBeCloseTo(0, 6);
      for (const element of gradientOf(loss, rejected)) {
        expect(Math.abs(element)).toBeLessThan(1e-30); // σ(−100)/m ≈ 9e-45
      }
    });
  });

  describe("discriminator loss and value function", () => {
    /** −V from probabilities: −mean log D(x) − mean log(1 − D(G(z))). */
    const referenceLoss = (real: number[], fake: number[]) =>
      -mean(real.map((l) => Math.log(sigmoid(l)))) - mean(fake.map((l) => Math.log(1 - sigmoid(l))));

    const real = [1.5, -0.3, 0.8, 2.2];
    const fake = [-1.1, 0.6, -2.4];

    it("at logits 0 (D = 1/2 everywhere) is log 4, and V = −log 4", () => {
      const loss = scalarOf(() => discriminatorLoss(tf.zeros([6, 1]), tf.zeros([6, 1])));
      const value = scalarOf(() => valueFunction(tf.zeros([6, 1]), tf.zeros([6, 1])));
      expect(loss).toBeCloseTo(Math.log(4), 6);
      expect(value).toBeCloseTo(-Math.log(4), 6);
    });

    it("equals −V from probabilities at moderate logits (real and fake batches of different sizes)", () => {
      const expected = referenceLoss(real, fake);
      expect(scalarOf(() => discriminatorLoss(column(real), column(fake)))).toBeCloseTo(expected, 5);
      expect(scalarOf(() => valueFunction(column(real), column(fake)))).toBeCloseTo(-expected, 5);
    });

    it("treats real as label 1 and fake as label 0 (swapping them raises the loss)", () => {
      const right = scalarOf(() => discriminatorLoss(column([3, 3]), column([-3, -3])));
      const swapped = scalarOf(() => discriminatorLoss(column([-3, -3]), column([3, 3])));
      expect(right).toBeCloseTo(2 * Math.log1p(Math.exp(-3)), 5);
      expect(swapped).toBeCloseTo(2 * Math.log1p(Math.exp(3)), 5);
    });

    it("has the closed-form gradient (σ(l) − 1)/m on real logits and σ(l)/n on fake ones, matching finite differences", () => {
      const onReal = (logits: Tensor) => discriminatorLoss(logits, column(fake));
      const onFake = (logits: Tensor) => discriminatorLoss(column(real), logits);
      const realGradient = gradientOf(onReal, real);
      const fakeGradient = gradientOf(onFake, fake);
      real.forEach((l, i) => expect(realGradient[i]).toBeCloseTo((sigmoid(l) - 1) / real.length, 6));
      fake.forEach((l, i) => expect(fakeGradient[i]).toBeCloseTo(sigmoid(l) / fake.length, 6));
      const numericReal = finiteDifferences(onReal, real);
      const numericFake = finiteDifferences(onFake, fake);
      realGradient.forEach((g, i) => expect(Math.abs(g - numericReal[i]!)).toBeLessThan(FD_TOLERANCE));
      fakeGradient.forEach((g, i) => expect(Math.abs(g - numericFake[i]!)).toBeLessThan(FD_TOLERANCE));
    });

    it("stays finite with finite gradients at logits ±100, ≈ 0 when D is right and ≈ 200 when D is confidently wrong", () => {
      const m = 3;
      const cases = [
        { real: 100, fake: -100, loss: 0, realGradient: 0, fakeGradient: 0 },
        { real: -100, fake: 100, loss: 200, realGradient: -1 / m, fakeGradient: 1 / m },
      ];
      for (const c of cases) {
        const realLogits = Array(m).fill(c.real);
        const fakeLogits = Array(m).fill(c.fake);
        const loss = scalarOf(() => discriminatorLoss(column(realLogits), column(fakeLogits)));
        const value = scalarOf(() => valueFunction(column(realLogits), column(fakeLogits)));
        expect(Number.isFinite(loss)).toBe(true);
        expect(Number.isFinite(value)).toBe(true);
        expect(loss).toBeCloseTo(c.loss, 3);
        expect(value).toBeCloseTo(-c.loss, 3);
        const realGradient = gradientOf((x) => discriminatorLoss(x, column(fakeLogits)), realLogits);
        const fakeGradient = gradientOf((x) => discriminatorLoss(column(realLogits), x), fakeLogits);
        for (const g of realGradient) expect(g).toBeCloseTo(c.realGradient, 6);
        for (const g of fakeGradient) expect(g).toBeCloseTo(c.fakeGradient, 6);
      }
    });
  });

  describe("one-sided label smoothing (Salimans et al. 2016): real targets 1 − α, fake targets 0", () => {
    const alpha = 0.1;
    const real = [1.5, -0.3, 0.8, 2.2];
    const fake = [-1.1, 0.6, -2.4];
    /** Cross-entropy against target 1 − α for reals and 0 for fakes, from probabilities. */
    const referenceLoss = (realLogits: number[], fakeLogits: number[], smoothing: number) =>
      -mean(realLogits.map((l) => (1 - smoothing) * Math.log(sigmoid(l)) + smoothing * Math.log(1 - sigmoid(l)))) -
      mean(fakeLogits.map((l) => Math.log(1 - sigmoid(l))));

    it("equals the smoothed cross-entropy from probabilities, through both cross-entropy losses", () => {
      const expected = referenceLoss(real, fake, alpha);
      expect(expected).not.toBeCloseTo(referenceLoss(real, fake, 0), 2); // smoothing changes the value here
      expect(scalarOf(() => discriminatorLoss(column(real), column(fake), alpha))).toBeCloseTo(expected, 5);
      for (const name of LABEL_SMOOTHING_LOSSES) {
        const value = scalarOf(() =>
          GAN_LOSSES[name].discriminator(column(real), column(fake), { labelSmoothing: alpha }),
        );
        expect(value).toBeCloseTo(expected, 5);
      }
    });

    it("α = 0 is the unsmoothed loss exactly", () => {
      const plain = scalarOf(() => discriminatorLoss(column(real), column(fake)));
      expect(scalarOf(() => discriminatorLoss(column(real), column(fake), 0))).toBe(plain);
    });

    it("moves D's optimum on a real sample from D = 1 to D = 1 − α: the real-logit gradient (σ(l) − (1 − α))/m", () => {
      const gradient = gradientOf((x) => discriminatorLoss(x, column(fake), alpha), real);
      real.forEach((l, i) => expect(gradient[i]).toBeCloseTo((sigmoid(l) - (1 - alpha)) / real.length, 6));
      // Zero where σ(l) = 1 − α, i.e. at l = log((1 − α)/α); without smoothing the gradient there is −α/m.
      const optimum = Math.log((1 - alpha) / alpha);
      expect(gradientOf((x) => discriminatorLoss(x, column(fake), alpha), [optimum])[0]).toBeCloseTo(0, 6);
      expect(gradientOf((x) => discriminatorLoss(x, column(fake)), [optimum])[0]).toBeCloseTo(-alpha, 6);
    });

    it("leaves the fake term alone (one-sided): the fake-logit gradient is σ(l)/n with or without α", () => {
      const smoothed = gradientOf((x) => discriminatorLoss(column(real), x, alpha), fake);
      fake.forEach((l, i) => expect(smoothed[i]).toBeCloseTo(sigmoid(l) / fake.length, 6));
    });

    it("stays finite at logits ±100", () => {
      for (const logit of [-100, 100]) {
        const logits = Array(3).fill(logit);
        expect(Number.isFinite(scalarOf(() => discriminatorLoss(column(logits), column(logits), alpha)))).toBe(true);
        for (const g of gradientOf((x) => discriminatorLoss(x, column(logits), alpha), logits)) {
          expect(Number.isFinite(g)).toBe(true);
        }
      }
    });
  });

  if (backend !== REFERENCE_BACKEND) {
    describe(`agreement with ${REFERENCE_BACKEND}`, () => {
      // Element-wise maps and a mean over ≤ 11 values: kernels may round differently by a few float32 ulp (1.2e-7)
      // per operation (e.g. softplus as one fused map or as log1p(exp)), so 1e-5 relative (∞-norm, see
      // test/support/backends.ts) leaves a ≥ 10× margin, while a formula that differs (a sign, a branch taken at
      // ±30, a sum for a mean) is off by ≥ 1e-2.
      const AGREEMENT_TOLERANCE = 1e-5;
      /** Moderate and saturated logits: both branches of every softplus. */
      const LOGITS = [-100, -30, -5, -2, -0.7, 0, 0.4, 1.9, 5, 30, 100];
      const REAL_LOGITS = [1.5, -0.3, 0.8, 2.2, 40, -40];

      /** A loss's value and its gradient with respect to the logits. */
      const valueAndGradient = (loss: (logits: Tensor) => Scalar, logits: number[]) => () => {
        const input = column(logits);
        return [loss(input), tf.grad((x: Tensor) => loss(x))(input)];
      };
      /**
       * The scale of a critic loss's value: its terms are the outputs themselves (±100 here), and a mean of terms
       * that cancel (−mean(LOGITS) = 0.036) is accurate only to ~1e-7 of the terms' size, so the value is compared
       * relative to the mean |output|; the cross-entropy and least-squares values are sums of positive terms.
       */
      const meanMagnitude = (...batches: number[][]) => mean(batches.flat().map(Math.abs));
      type Computation = [string, () => Tensor[], number | undefined];
      const computations: Computation[] = [
        ...Object.entries(GAN_LOSSES).flatMap(([name, loss]): Computation[] => {
          const critic = loss.scoreMeaning === "critic";
          return [
            [
              `${name}: G's loss`,
              valueAndGradient((logits) => loss.generator(logits), LOGITS),
              critic ? meanMagnitude(LOGITS) : undefined,
            ],
            [
              `${name}: D's loss, gradient on the real outputs`,
              valueAndGradient((logits) => loss.discriminator(logits, column(LOGITS)), REAL_LOGITS),
              critic ? meanMagnitude(LOGITS, REAL_LOGITS) : undefined,
            ],
            [
              `${name}: D's loss, gradient on the fake outputs`,
              valueAndGradient((logits) => loss.discriminator(column(REAL_LOGITS), logits), LOGITS),
              critic ? meanMagnitude(LOGITS, REAL_LOGITS) : undefined,
            ],
          ];
        }),
        [
          "discriminator loss, gradient on the real logits",
          valueAndGradient((logits) => discriminatorLoss(logits, column(LOGITS)), REAL_LOGITS),
          undefined,
        ],
        [
          "discriminator loss, gradient on the fake logits",
          valueAndGradient((logits) => discriminatorLoss(column(REAL_LOGITS), logits), LOGITS),
          undefined,
        ],
        ["value function", () => [valueFunction(column(REAL_LOGITS), column(LOGITS))], undefined],
      ];

      it.each(computations)(
        `%s: value and gradient agree with ${REFERENCE_BACKEND} within 1e-5`,
        async (_, compute, valueScale) => {
          const expected = await valuesOn(REFERENCE_BACKEND, compute);
          const actual = await valuesOn(backend, compute);
          expect(actual.length).toBe(expected.length);
          expected.forEach((values, i) => {
            if (i === 0 && valueScale !== undefined) {
              const scale = Math.max(Math.abs(values[0]!), valueScale);
              expect(Math.abs(actual[0]![0]! - values[0]!) / scale).toBeLessThan(AGREEMENT_TOLERANCE);
            } else {
              expect(relativeError(actual[i]!, values)).toBeLessThan(AGREEMENT_TOLERANCE);
            }
          });
        },
      );
    });
  }
});
