/**
 * The gradient penalties (WGAN-GP's and R1) on tiny discriminators, on every backend (test/support/backends.ts):
 *  - their values against ‖∇_x D‖ estimated by central finite differences of D itself (no autodiff), and
 *  - their gradients with respect to D's parameters — the double backpropagation D's update needs — against central
 *    finite differences of the penalty in each parameter.
 * The nets are the project's own (src/core/models): an MLP with maxout units and a DCGAN-style D with strided
 * convolutions and LeakyReLU (no BatchNorm: the config refuses a penalty with one), so every kernel and registered
 * gradient of D's layers on each backend is exercised twice over.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf, type Scalar, type Tensor } from "../../../src/core/engine/tf.js";
import { gradientPenalty, r1Penalty, type Critic } from "../../../src/core/losses/index.js";
import { buildNetworks } from "../../../src/core/models/index.js";
import type { Network } from "../../../src/core/models/network.js";
import { describeEachBackend } from "../../support/backends.js";

const BATCH = 3;
const LAMBDA = 10;
const GAMMA = 4;

/**
 * D's input-gradient by central differences. D is piecewise linear here (maxout / LeakyReLU between linear maps), so
 * the difference quotient is exact away from a kink; the step only has to beat float32 rounding (~1e-7·|D|/h).
 */
const INPUT_STEP = 1e-3;
/**
 * Relative error allowed between a penalty and its finite-difference value: float32 rounding in the quotients is
 * ~1e-4 relative here; a wrong formula (a missing square, a sum for a mean, ½ dropped) is off by ≥ 50%.
 */
const VALUE_TOLERANCE = 5e-3;
/**
 * Parameter steps for the penalties' parameter gradients. The penalties are smooth in θ on one linear piece of D but
 * jump where a maxout unit changes its winning piece; a difference that straddles such a switch is meaningless
 * (here one unit's two best pieces are within 1e-4 of each other for one sample). So each element is differenced at
 * three steps and compared with the closest: a wrong gradient disagrees with all three, and no switch lies within
 * all three intervals. Float32 rounding, ~1e-7·|P|/h, stays below 1e-2 of the largest gradient at each step.
 */
const PARAMETER_STEPS = [1e-3, 1e-4, 1e-5];
/**
 * D's parameters are redrawn from U[−½, ½]: DCGAN's N(0, 0.02) initialisation makes ∇_x D ~1e-3 and the penalty's
 * parameter gradients ~1e-5, below what float32 differences resolve; generic weights test the same ops.
 */
const WEIGHT_RANGE = 0.5;
/**
 * Relative (∞-norm) error allowed for the parameter gradients. Central differences in float32: truncation O(h²) on
 * a quadratic-ish function is ~1e-4 relative, rounding ~1e-7·|P|/h ≈ 1e-4; a gradient that ignores the second-order
 * path (∂/∂θ of ∇_x D treated as 0) or uses a stale value is off by O(1).
 */
const GRADIENT_TOLERANCE = 2e-2;

const NETS: Array<{ name: string; config: ConfigInput; dataShape: number[] }> = [
  {
    name: "maxout mlp on 2-D data",
    config: {
      arch: "mlp",
      mlp: { discriminatorHidden: [5, 4], maxoutPieces: 3, discriminatorInputDropout: 0, discriminatorDropout: 0 },
    },
    dataShape: [2],
  },
  {
    name: "dcgan D without BatchNorm on 8×8 images",
    config: {
      arch: "dcgan",
      latentDim: 2,
      dcgan: {
        generatorDepth: 2,
        generatorChannels: [2],
        discriminatorChannels: [2, 3],
        discriminatorBatchNorm: false,
      },
    },
    dataShape: [8, 8, 1],
  },
];

function uniformBatch(dataShape: number[], purpose: string): Tensor {
  const values = new Float32Array(BATCH * dataShape.reduce((a, b) => a * b, 1));
  return tf.tensor(Rng.derive(7, purpose).fillUniform(values, -1, 1), [BATCH, ...dataShape]);
}

/** D at inference (no dropout here anyway): a fixed function of its inputs. */
const criticOf =
  (network: Network): Critic =>
  (inputs) =>
    network.apply(inputs, { training: false });

/** Per-sample ‖∇_x D(x)‖₂ by central differences, from D's outputs alone. */
function finiteDifferenceNorms(network: Network, inputs: Float32Array, dataShape: number[]): number[] {
  const size = dataShape.reduce((a, b) => a * b, 1);
  const outputs = (values: Float32Array) =>
    tf.tidy(() => network.apply(tf.tensor(values, [BATCH, ...dataShape]), { training: false }).dataSync());
  const squared = Array<number>(BATCH).fill(0);
  for (let coordinate = 0; coordinate < size; coordinate++) {
    const plus = inputs.slice();
    const minus = inputs.slice();
    for (let sample = 0; sample < BATCH; sample++) {
      plus[sample * size + coordinate]! += INPUT_STEP;
      minus[sample * size + coordinate]! -= INPUT_STEP;
    }
    // D judges each sample on its own, so one batched evaluation moves each sample's coordinate independently.
    const [up, down] = [outputs(plus), outputs(minus)];
    for (let sample = 0; sample < BATCH; sample++) {
      const derivative = (up[sample]! - down[sample]!) / (2 * INPUT_STEP);
      squared[sample]! += derivative * derivative;
    }
  }
  return squared.map(Math.sqrt);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function scalarValue(compute: () => Scalar): number {
  const value = tf.tidy(compute);
  const result = value.dataSync()[0]!;
  value.dispose();
  return result;
}

/** ∂penalty/∂θ for every parameter of D by autodiff (double backpropagation). */
function analyticParameterGradient(network: Network, penalty: () => Scalar): number[] {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(penalty, network.parameters);
    // A parameter the penalty does not reach (the logit's bias: ∇_x D does not depend on it) gets no entry: 0.
    return network.parameters.flatMap((variable) =>
      Array.from(grads[variable.name]?.dataSync() ?? new Float32Array(variable.size)),
    );
  });
}

/**
 * The worst element's disagreement between `candidate` and the central differences of the penalty in each parameter
 * of D, relative to `scale`: each element is compared with the closest of its differences at PARAMETER_STEPS (the
 * smaller steps are tried only when the larger disagrees).
 */
function worstDisagreement(network: Network, penalty: () => Scalar, candidate: number[], scale: number): number {
  let worst = 0;
  let offset = 0;
  for (const variable of network.parameters) {
    const original = variable.dataSync().slice();
    for (let index = 0; index < original.length; index++) {
      const at = (delta: number) => {
        const shifted = original.slice();
        shifted[index]! += delta;
        variable.assign(tf.tensor(shifted, variable.shape));
        return scalarValue(penalty);
      };
      let closest = Number.POSITIVE_INFINITY;
      for (const step of PARAMETER_STEPS) {
        const numeric = (at(step) - at(-step)) / (2 * step);
        closest = Math.min(closest, Math.abs(candidate[offset + index]! - numeric) / scale);
        if (closest < GRADIENT_TOLERANCE) break;
      }
      worst = Math.max(worst, closest);
    }
    variable.assign(tf.tensor(original, variable.shape));
    offset += original.length;
  }
  return worst;
}

describeEachBackend("gradient penalties", () => {
  describe.each(NETS)("$name", ({ config, dataShape }) => {
    let network: Network;
    let real: Tensor;
    let fake: Tensor;
    let epsilon: Tensor;

    beforeAll(() => {
      const networks = buildNetworks(resolveConfig({ ...config, seed: 3 }), dataShape);
      networks.generator.dispose();
      network = networks.discriminator;
      for (const [name, variable] of network.store.trainable) {
        const values = Rng.derive(11, name).fillUniform(new Float32Array(variable.size), -WEIGHT_RANGE, WEIGHT_RANGE);
        variable.assign(tf.tensor(values, variable.shape));
      }
      real = uniformBatch(dataShape, "real");
      fake = uniformBatch(dataShape, "fake");
      epsilon = tf.tensor([0.2, 0.9, 0.55], [BATCH, ...dataShape.map(() => 1)]);
    });
    afterAll(() => {
      network.dispose();
      tf.dispose([real, fake, epsilon]);
    });

    it("WGAN-GP's penalty equals λ·mean((‖∇D(x̂)‖ − 1)²) with ‖∇D‖ from finite differences at x̂ = εx + (1 − ε)x̃", () => {
      const interpolates = tf.tidy(() => tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), fake)));
      const norms = finiteDifferenceNorms(network, interpolates.dataSync() as Float32Array, dataShape);
      interpolates.dispose();
      // Teeth: the norms are not already 1 (the penalty would be 0 whatever the formula).
      expect(Math.max(...norms.map((n) => Math.abs(n - 1)))).toBeGreaterThan(0.05);
      const expected = LAMBDA * mean(norms.map((n) => (n - 1) ** 2));
      const actual = scalarValue(() => gradientPenalty(criticOf(network), real, fake, epsilon, LAMBDA));
      expect(Math.abs(actual - expected) / expected).toBeLessThan(VALUE_TOLERANCE);
    });

    it("R1 equals γ/2·mean(‖∇D(x)‖²) on the real batch, with ‖∇D‖ from finite differences", () => {
      const norms = finiteDifferenceNorms(network, real.dataSync() as Float32Array, dataShape);
      const expected = (GAMMA / 2) * mean(norms.map((n) => n * n));
      expect(expected).toBeGreaterThan(0);
      const actual = scalarValue(() => r1Penalty(criticOf(network), real, GAMMA));
      expect(Math.abs(actual - expected) / expected).toBeLessThan(VALUE_TOLERANCE);
    });

    it.each([
      ["WGAN-GP", () => gradientPenalty(criticOf(network), real, fake, epsilon, LAMBDA)],
      ["R1", () => r1Penalty(criticOf(network), real, GAMMA)],
    ] as const)(
      "%s: the gradient with respect to every D parameter (double backprop) matches finite differences",
      (_, penalty) => {
        const analytic = analyticParameterGradient(network, penalty);
        expect(analytic.length).toBe(network.parameterCount());
        for (const value of analytic) expect(Number.isFinite(value)).toBe(true);
        const scale = Math.max(...analytic.map(Math.abs));
        expect(scale).toBeGreaterThan(1e-2); // the penalty does depend on θ
        // Without the second-order path (D's parameters inside ∇_x D) the gradient would be 0: off by 100% here.
        expect(worstDisagreement(network, penalty, analytic, scale)).toBeLessThan(GRADIENT_TOLERANCE);
      },
    );
  });
});
