/**
 * The loss contract (diffusers-style: one test every registered objective must pass) and the discriminator's loss,
 * on every backend (test/support/backends.ts), plus each backend's agreement with cpu.
 *
 * Expected values come from closed forms written with probabilities D = σ(l) in float64 — never from the logit
 * formulas the implementation uses — so a wrong sign, a swapped softplus argument or a sum instead of a mean fails.
 */
import { describe, expect, it } from "vitest";

import { tf, type Scalar, type Tensor } from "../../../src/core/engine/tf.js";
import {
  GENERATOR_LOSSES,
  discriminatorLoss,
  generatorLoss,
  valueFunction,
  type GeneratorLossName,
} from "../../../src/core/losses/index.js";
import { REFERENCE_BACKEND, describeEachBackend, relativeError, valuesOn } from "../../support/backends.js";

/** σ(l) in float64. */
const sigmoid = (logit: number) => 1 / (1 + Math.exp(-logit));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Each generator objective written from D's probabilities (Goodfellow et al. 2014, §3 and eq. 1), and its derivative
 * with respect to one logit of a batch of m (d/dl of the per-sample term, divided by m). Typed by the registry's names,
 * so a loss added to the registry without a reference here is a type error (and a test failure below).
 */
const REFERENCE: Record<
  GeneratorLossName,
  { value: (probabilities: number[]) => number; gradient: (logit: number, m: number) => number }
> = {
  // G minimises E_z[log(1 − D(G(z)))]; d/dl log(1 − σ(l)) = −σ(l).
  minimax: {
    value: (d) => mean(d.map((p) => Math.log(1 - p))),
    gradient: (logit, m) => -sigmoid(logit) / m,
  },
  // G maximises E_z[log D(G(z))], i.e. minimises −E_z[log D(G(z))]; d/dl −log σ(l) = σ(l) − 1.
  "non-saturating": {
    value: (d) => -mean(d.map((p) => Math.log(p))),
    gradient: (logit, m) => (sigmoid(logit) - 1) / m,
  },
};

/** Logits where every closed form is well conditioned in float32 and every gradient element is ≥ 0.02 in size. */
const MODERATE_LOGITS = [-2, -0.7, 0, 0.4, 1.9];
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

describe("generator loss registry", () => {
  it("has a reference closed form for every registered loss and every registered loss is reachable by name", () => {
    const names = Object.keys(GENERATOR_LOSSES);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(new Set(names)).toEqual(new Set(Object.keys(REFERENCE)));
    for (const [name, loss] of Object.entries(GENERATOR_LOSSES)) {
      expect(loss.name).toBe(name);
      expect(loss.description.length).toBeGreaterThan(0);
      expect(generatorLoss(name)).toBe(loss);
    }
  });

  it("rejects an unknown name with a message naming it and every known loss", () => {
    expect(() => generatorLoss("nope")).toThrow(/nope/);
    let message = "";
    try {
      generatorLoss("nope");
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of Object.keys(GENERATOR_LOSSES)) expect(message).toContain(name);
  });
});

describeEachBackend("losses", (backend) => {
  describe.each(Object.entries(GENERATOR_LOSSES))("generator loss contract: %s", (name, loss) => {
    const reference = REFERENCE[name as GeneratorLossName];
    const fromLogits = (logits: Tensor) => loss.fromLogits(logits);

    it("is a scalar", () => {
      const value = tf.tidy(() => fromLogits(column(MODERATE_LOGITS)));
      expect(value.shape).toEqual([]);
      value.dispose();
    });

    it("at logits 0 (D = 1/2) equals its closed form: minimax −log 2, non-saturating log 2", () => {
      const value = scalarOf(() => fromLogits(tf.zeros([8, 1])));
      expect(value).toBeCloseTo(reference.value(Array(8).fill(0.5)), 6);
      const expectedAtHalf = { minimax: -Math.LN2, "non-saturating": Math.LN2 }[name as GeneratorLossName];
      expect(value).toBeCloseTo(expectedAtHalf, 6);
    });

    it("equals its closed form from probabilities D = σ(l) at moderate logits", () => {
      const value = scalarOf(() => fromLogits(column(MODERATE_LOGITS)));
      expect(value).toBeCloseTo(reference.value(MODERATE_LOGITS.map(sigmoid)), 5);
    });

    it("has the closed-form gradient with respect to the logits (a mean: 1/m per element)", () => {
      const gradient = gradientOf(fromLogits, MODERATE_LOGITS);
      MODERATE_LOGITS.forEach((logit, i) => {
        expect(gradient[i]).toBeCloseTo(reference.gradient(logit, MODERATE_LOGITS.length), 6);
      });
    });

    it("has a gradient that matches central finite differences", () => {
      const analytic = gradientOf(fromLogits, MODERATE_LOGITS);
      const numeric = finiteDifferences(fromLogits, MODERATE_LOGITS);
      analytic.forEach((value, i) => {
        expect(Math.abs(value - numeric[i]!)).toBeLessThan(FD_TOLERANCE);
        // The check has teeth: every element is far larger than the tolerance.
        expect(Math.abs(numeric[i]!)).toBeGreaterThan(20 * FD_TOLERANCE);
      });
    });

    it("stays finite, with a finite gradient, at logits ±100 (and approximately right)", () => {
      const m = 4;
      for (const logit of [-100, 100]) {
        const logits = Array(m).fill(logit);
        const value = scalarOf(() => fromLogits(column(logits)));
        const gradient = gradientOf(fromLogits, logits);
        expect(Number.isFinite(value)).toBe(true);
        for (const element of gradient) expect(Number.isFinite(element)).toBe(true);
        // Closed forms at ±100 in float64: log σ(−100) = −100 − log(1 + e^−100) ≈ −100, log σ(100) ≈ −e^−100 ≈ 0.
        const logD = logit > 0 ? -Math.log1p(Math.exp(-logit)) : logit - Math.log1p(Math.exp(logit));
        const log1mD = logit > 0 ? -logit - Math.log1p(Math.exp(-logit)) : -Math.log1p(Math.exp(logit));
        const expected = name === "minimax" ? log1mD : -logD;
        expect(value).toBeCloseTo(expected, 3);
        for (const element of gradient) expect(element).toBeCloseTo(reference.gradient(logit, m), 6);
      }
      // A batch mixing both extremes stays finite too.
      const mixed = [-100, 100, -100, 100];
      expect(Number.isFinite(scalarOf(() => fromLogits(column(mixed))))).toBe(true);
      for (const element of gradientOf(fromLogits, mixed)) expect(Number.isFinite(element)).toBe(true);
    });
  });

  describe("the generator losses at a confident discriminator (logit −100: D rejects every fake)", () => {
    const m = 4;
    const rejected = Array(m).fill(-100);

    it("non-saturating: loss ≈ 100 and gradient ≈ −1/m per element (strong)", () => {
      const loss = GENERATOR_LOSSES["non-saturating"].fromLogits;
      expect(scalarOf(() => loss(column(rejected)))).toBeCloseTo(100, 3);
      for (const element of gradientOf(loss, rejected)) expect(element).toBeCloseTo(-1 / m, 6);
    });

    it("minimax: loss ≈ 0 and gradient ≈ 0 — the saturation the paper warns about", () => {
      const loss = GENERATOR_LOSSES.minimax.fromLogits;
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
      const computations: Array<[string, () => Tensor[]]> = [
        ...Object.entries(GENERATOR_LOSSES).map(([name, loss]): [string, () => Tensor[]] => [
          `generator loss ${name}`,
          valueAndGradient((logits) => loss.fromLogits(logits), LOGITS),
        ]),
        [
          "discriminator loss, gradient on the real logits",
          valueAndGradient((logits) => discriminatorLoss(logits, column(LOGITS)), REAL_LOGITS),
        ],
        [
          "discriminator loss, gradient on the fake logits",
          valueAndGradient((logits) => discriminatorLoss(column(REAL_LOGITS), logits), LOGITS),
        ],
        ["value function", () => [valueFunction(column(REAL_LOGITS), column(LOGITS))]],
      ];

      it.each(computations)(
        `%s: value and gradient agree with ${REFERENCE_BACKEND} within 1e-5`,
        async (_, compute) => {
          const expected = await valuesOn(REFERENCE_BACKEND, compute);
          const actual = await valuesOn(backend, compute);
          expect(actual.length).toBe(expected.length);
          expected.forEach((values, i) => {
            expect(relativeError(actual[i]!, values)).toBeLessThan(AGREEMENT_TOLERANCE);
          });
        },
      );
    });
  }
});
