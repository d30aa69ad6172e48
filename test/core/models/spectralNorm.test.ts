/**
 * Spectral normalization (Miyato et al. 2018): after enough power iterations the normalised weight's largest
 * singular value is 1 (against singular values computed here in float64 by one-sided Jacobi, independently of the
 * power iteration), for a Dense kernel, a Conv2D filter and a Conv2DTranspose filter; the vectors move only in a
 * pass that updates statistics; the gradient treats ũ and ṽ as constants (the paper's Eq. 12, in closed form); and
 * with spectral normalization off, layers compute exactly what they computed before — on every backend.
 */
import { afterEach, describe, expect, it } from "vitest";

import { resolveConfig, type ConfigInput } from "../../../src/core/config.js";
import { Rng } from "../../../src/core/engine/random.js";
import { tf, type Tensor, type Variable } from "../../../src/core/engine/tf.js";
import { buildNetworks, type Networks } from "../../../src/core/models/index.js";
import { Conv2D, Dense, ParameterStore } from "../../../src/core/models/layers.js";
import { SpectralNormalizedWeight, layerWeight } from "../../../src/core/models/spectralNorm.js";
import { describeEachBackend } from "../../support/backends.js";

/** Power iterations run before the check: each multiplies the error by (σ₂/σ₁)², far below 1e-3 after this many. */
const ITERATIONS = 300;
/** The bound on |σ_max(W_SN) − 1|. */
const SINGULAR_VALUE_TOLERANCE = 1e-3;
const UPDATE = { training: true, updateStatistics: true } as const;
const INFERENCE = { training: false } as const;

/**
 * Singular values of a [rows, cols] matrix (row-major, float64) by one-sided Jacobi (Hestenes 1958): rotate pairs
 * of columns until all are orthogonal; the column norms are then the singular values.
 */
function singularValues(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const a = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => values[i * cols + j]!));
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (const row of a) {
          alpha += row[p]! ** 2;
          beta += row[q]! ** 2;
          gamma += row[p]! * row[q]!;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (const row of a) {
          const [x, y] = [row[p]!, row[q]!];
          row[p] = c * x - s * y;
          row[q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  return Array.from({ length: cols }, (_, j) => Math.hypot(...a.map((row) => row[j]!))).sort((x, y) => y - x);
}

/** A weight's values as the paper's matrix, transposed: K = Wᵀ [fanIn, out], the output axis moved last. */
function asMatrix(values: Float32Array, shape: number[], outputAxis: number): { values: number[]; rows: number } {
  const outputs = shape[outputAxis]!;
  const rows = values.length / outputs;
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const otherAxes = shape.map((_, axis) => axis).filter((axis) => axis !== outputAxis);
  const matrix = new Array<number>(values.length);
  for (let flat = 0; flat < values.length; flat++) {
    const index = shape.map((size, axis) => Math.floor(flat / strides[axis]!) % size);
    const row = otherAxes.reduce((r, axis) => r * shape[axis]! + index[axis]!, 0);
    matrix[row * outputs + index[outputAxis]!] = values[flat]!;
  }
  return { values: matrix, rows };
}

function largestSingularValue(weight: Tensor, outputAxis: number): number {
  const { values, rows } = asMatrix(weight.dataSync() as Float32Array, weight.shape, outputAxis);
  return singularValues(values, rows, weight.shape[outputAxis]!)[0]!;
}

let disposables: Array<{ dispose(): void }> = [];
afterEach(() => {
  disposables.forEach((item) => item.dispose());
  disposables = [];
});

/** A spectrally normalised weight of `shape`, initial values uniform in [-1, 1], on a store of its own. */
function normalizedWeight(shape: number[], outputAxis: number, seed = 3) {
  const store = new ParameterStore("test", seed, true);
  const variable = store.add("weight", shape, () =>
    store.rng("weight").fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -1, 1),
  );
  const weight = layerWeight(store, "weight", variable, outputAxis) as SpectralNormalizedWeight;
  disposables.push(variable, weight.u, weight.v);
  return { store, variable, weight };
}

function iterate(weight: SpectralNormalizedWeight, times: number): void {
  for (let i = 0; i < times; i++) tf.tidy(() => weight.read(UPDATE));
}

function snapshot(variable: Variable): Float32Array {
  return Float32Array.from(variable.dataSync());
}

describeEachBackend("spectral normalization", () => {
  describe.each([
    { layer: "Dense kernel [inputs, units]", shape: [12, 7], outputAxis: 1 },
    { layer: "Conv2D filter [h, w, in, out]", shape: [3, 3, 2, 5], outputAxis: 3 },
    { layer: "Conv2DTranspose filter [h, w, out, in]", shape: [3, 3, 4, 2], outputAxis: 2 },
  ])("$layer", ({ shape, outputAxis }) => {
    it("σ_max(W / σ(W)) is 1 within 1e-3 after the power iterations, against a Jacobi SVD (and not before)", () => {
      const { variable, weight } = normalizedWeight(shape, outputAxis);
      const raw = largestSingularValue(variable, outputAxis);
      const before = tf.tidy(() => weight.read(INFERENCE));
      // The initial ũ is random, so σ is underestimated at first: the check below could fail.
      expect(Math.abs(largestSingularValue(before, outputAxis) - 1)).toBeGreaterThan(SINGULAR_VALUE_TOLERANCE);
      before.dispose();

      iterate(weight, ITERATIONS);
      const after = tf.tidy(() => weight.read(INFERENCE));
      expect(Math.abs(largestSingularValue(after, outputAxis) - 1)).toBeLessThan(SINGULAR_VALUE_TOLERANCE);
      // W itself is untouched: only the layer's view of it is normalised.
      expect(largestSingularValue(variable, outputAxis)).toBe(raw);
      after.dispose();
    });
  });

  it("ũ and ṽ move only in a training pass that updates statistics", () => {
    const { weight } = normalizedWeight([6, 4], 1);
    const u = snapshot(weight.u);
    const v = snapshot(weight.v);
    tf.tidy(() => weight.read(INFERENCE));
    tf.tidy(() => weight.read({ training: true, updateStatistics: false }));
    expect(snapshot(weight.u)).toEqual(u);
    expect(snapshot(weight.v)).toEqual(v);
    tf.tidy(() => weight.read(UPDATE));
    expect(snapshot(weight.u)).not.toEqual(u);
    expect(snapshot(weight.v)).not.toEqual(v);
  });

  it("the gradient holds ũ and ṽ constant (Eq. 12): ∂/∂K Σ C⊙K/σ = C/σ − (Σ C⊙K)/σ² · ṽũᵀ, σ = ṽᵀKũ", () => {
    const [inputs, units] = [5, 3];
    const { variable, weight } = normalizedWeight([inputs, units], 1);
    const coefficients = Rng.derive(9, "coefficients").fillUniform(new Float32Array(inputs * units), -1, 1);
    // The first pass updates ũ and ṽ, far from converged: a gradient through the iteration would differ most here.
    const gradient = tf.tidy(() =>
      tf.grad((kernel: Tensor) => {
        expect(kernel).toBe(variable);
        return tf.sum(tf.mul(weight.read(UPDATE), tf.tensor2d(coefficients, [inputs, units])));
      })(variable),
    );
    const k = variable.dataSync();
    const u = weight.u.dataSync();
    const v = weight.v.dataSync();
    let sigma = 0;
    let weighted = 0;
    for (let i = 0; i < inputs; i++) {
      for (let j = 0; j < units; j++) {
        sigma += v[i]! * k[i * units + j]! * u[j]!;
        weighted += coefficients[i * units + j]! * k[i * units + j]!;
      }
    }
    const expected = Array.from({ length: inputs * units }, (_, index) => {
      const [i, j] = [Math.floor(index / units), index % units];
      return coefficients[index]! / sigma - (weighted / sigma ** 2) * v[i]! * u[j]!;
    });
    const actual = gradient.dataSync();
    for (let index = 0; index < expected.length; index++) expect(actual[index]).toBeCloseTo(expected[index]!, 4);
    gradient.dispose();
  });
});

describe("spectral normalization in the networks", () => {
  let built: Networks[] = [];
  afterEach(() => {
    built.forEach(({ generator, discriminator }) => [generator, discriminator].forEach((n) => n.dispose()));
    built = [];
  });
  const TINY: ConfigInput = {
    arch: "mlp",
    latentDim: 3,
    mlp: { generatorHidden: [8], discriminatorHidden: [6], maxoutPieces: 2 },
  };
  const build = (input: ConfigInput) => {
    const networks = buildNetworks(resolveConfig(input), [2]);
    built.push(networks);
    return networks;
  };
  const vectors = (names: Iterable<string>) => [...names].filter((name) => /\/[uv]$/.test(name)).sort();

  it("'discriminator' gives every D weight (maxout, logit) its ũ, ṽ and G none; 'both' gives G its own", () => {
    const off = build(TINY);
    expect(vectors(off.discriminator.store.statistics.keys())).toEqual([]);
    const discriminatorOnly = build({ ...TINY, spectralNorm: "discriminator" });
    expect(vectors(discriminatorOnly.discriminator.store.statistics.keys())).toEqual([
      "logit/kernel/u",
      "logit/kernel/v",
      "maxout0/kernel/u",
      "maxout0/kernel/v",
    ]);
    expect(vectors(discriminatorOnly.generator.store.statistics.keys())).toEqual([]);
    const both = build({ ...TINY, spectralNorm: "both" });
    expect(vectors(both.generator.store.statistics.keys())).toEqual([
      "dense0/kernel/u",
      "dense0/kernel/v",
      "output/kernel/u",
      "output/kernel/v",
    ]);
    // The trainable parameters (what optimizers and old checkpoints hold) are the same with and without.
    expect(both.discriminator.parameterNames).toEqual(off.discriminator.parameterNames);
    expect(both.generator.parameterNames).toEqual(off.generator.parameterNames);
  });

  it("with spectral normalization off, Dense and Conv2D compute exactly x·K + b and conv(x, F) + b", () => {
    const store = new ParameterStore("plain", 5);
    const dense = new Dense(store, "dense", 4, 3, { kind: "glorot-uniform" });
    const conv = new Conv2D(store, "conv", [4, 4, 2], 3, 3, 2, { kind: "normal", std: 0.5 });
    disposables.push(...store.trainable.values());
    expect(store.statistics.size).toBe(0);
    const parameter = (name: string) => store.trainable.get(name)!;
    const x = tf.tensor2d(Rng.derive(1, "x").fillUniform(new Float32Array(8), -1, 1), [2, 4]);
    const image = tf.tensor4d(Rng.derive(1, "image").fillUniform(new Float32Array(64), -1, 1), [2, 4, 4, 2]);
    tf.tidy(() => {
      const expectedDense = tf.add(tf.matMul(x, parameter("dense/kernel") as tf.Tensor2D), parameter("dense/bias"));
      expect(dense.apply(x, UPDATE).dataSync()).toEqual(expectedDense.dataSync());
      const filter = parameter("conv/filter") as tf.Tensor4D;
      const expectedConv = tf.add(tf.conv2d(image, filter, 2, "same"), parameter("conv/bias"));
      expect(conv.apply(image, UPDATE).dataSync()).toEqual(expectedConv.dataSync());
    });
    tf.dispose([x, image]);
  });
});
