/**
 * The wasm training kernels against the cpu backend (the reference: plain JavaScript loops).
 *
 * Each case builds the same inputs on both backends from seeded data, runs the kernel (or a gradient through it) and
 * compares: relative error = max |wasm − cpu| / max |cpu| ≤ 1e-4. Then the gradients of small networks made of
 * every op tsgan trains through, an Adam step, and the tensor / buffer counts (no leak).
 */
import "@tensorflow/tfjs-backend-wasm";
import type { Tensor } from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { Rng } from "../../../src/core/engine/random.js";
import { tf } from "../../../src/core/engine/tf.js";
import {
  registerWasmTrainingKernels,
  WASM_BACKEND_NAME,
  WASM_TRAINING_KERNELS,
} from "../../../src/core/engine/wasmKernels.js";

const REFERENCE_BACKEND = "cpu";
/** max |wasm − cpu| / max |cpu| allowed for a kernel output. */
const RELATIVE_TOLERANCE = 1e-4;

type Padding = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

/** Seeded normal data for a tensor of `shape`; the same (shape, label) gives the same numbers on every backend. */
function normalData(shape: number[], label: string): Float32Array {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  return Rng.derive("wasmKernels.test", label, shape.join("x")).fillNormal(new Float32Array(size));
}

function normalTensor(shape: number[], label: string): Tensor {
  return tf.tensor(normalData(shape, label), shape);
}

/** Runs `compute` on `backendName` and downloads its outputs. */
async function runOn(backendName: string, compute: () => Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backendName);
  const outputs = tf.tidy(compute);
  try {
    return await Promise.all(outputs.map(async (output) => (await output.data()) as Float32Array));
  } finally {
    tf.dispose(outputs);
  }
}

/** max |actual − expected| / max |expected| over finite entries; NaN and ±∞ must match exactly. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let largestDifference = 0;
  let largestExpected = 0;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] ?? 0;
    const got = actual[i] ?? Number.NaN;
    if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) continue;
    if (!Number.isFinite(want) || !Number.isFinite(got)) return Number.POSITIVE_INFINITY;
    largestDifference = Math.max(largestDifference, Math.abs(got - want));
    largestExpected = Math.max(largestExpected, Math.abs(want));
  }
  return largestDifference === 0 ? 0 : largestDifference / Math.max(largestExpected, 1e-30);
}

/** Runs `compute` on cpu and on wasm; every output must agree within `tolerance`. Returns the worst error. */
async function expectWasmMatchesCpu(label: string, compute: () => Tensor[], tolerance = RELATIVE_TOLERANCE) {
  const expected = await runOn(REFERENCE_BACKEND, compute);
  const actual = await runOn(WASM_BACKEND_NAME, compute);
  expect(actual.length, label).toBe(expected.length);
  let worst = 0;
  expected.forEach((reference, i) => {
    const wasm = actual[i] ?? new Float32Array();
    expect(wasm.length, `${label} output ${i} size`).toBe(reference.length);
    const error = relativeError(wasm, reference);
    expect(error, `${label} output ${i}`).toBeLessThanOrEqual(tolerance);
    worst = Math.max(worst, error);
  });
  return worst;
}

/** One convolution geometry: x [batch, height, width, inChannels], filter [kernel, kernel, inChannels, outChannels]. */
interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number | [number, number];
  stride: number | [number, number];
  pad: Padding;
}

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === "string" ? c.pad : JSON.stringify(c.pad);
  return `x[${c.batch},${c.height},${c.width},${c.inChannels}] k${c.kernel} s${c.stride} ${pad} → ${c.outChannels}`;
}

function filterShapeOf(c: ConvCase): [number, number, number, number] {
  const [kernelHeight, kernelWidth] = typeof c.kernel === "number" ? [c.kernel, c.kernel] : c.kernel;
  return [kernelHeight, kernelWidth, c.inChannels, c.outChannels];
}

/** dy's shape: the forward conv's output shape for this case. */
function outputShapeOf(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    filterShapeOf(c),
    c.stride,
    1,
    c.pad,
  );
  return info.outShape;
}

/** The grid the brief asks for: batch 1 and odd, strides 1/2, same/valid, kernels 1–5, channels 1–64. */
function gridCases(stride: number, pad: "same" | "valid"): ConvCase[] {
  const channelPairs: [number, number][] = [
    [1, 1],
    [1, 64],
    [64, 3],
    [5, 7],
  ];
  const cases: ConvCase[] = [];
  for (const batch of [1, 3]) {
    for (const kernel of [1, 2, 3, 4, 5]) {
      for (const [inChannels, outChannels] of channelPairs) {
        cases.push({ batch, height: 9, width: 8, inChannels, outChannels, kernel, stride, pad });
      }
    }
  }
  return cases;
}

/** Geometries outside the grid: rectangular strides and kernels, stride 3, explicit padding, MNIST sizes. */
const EDGE_CASES: ConvCase[] = [
  { batch: 2, height: 7, width: 10, inChannels: 3, outChannels: 4, kernel: [3, 2], stride: [1, 2], pad: "same" },
  { batch: 2, height: 11, width: 9, inChannels: 2, outChannels: 5, kernel: [2, 4], stride: [2, 3], pad: "valid" },
  { batch: 1, height: 10, width: 10, inChannels: 4, outChannels: 4, kernel: 5, stride: 3, pad: "same" },
  {
    batch: 3,
    height: 8,
    width: 9,
    inChannels: 2,
    outChannels: 3,
    kernel: 3,
    stride: 2,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  { batch: 2, height: 28, width: 28, inChannels: 1, outChannels: 64, kernel: 4, stride: 2, pad: "same" },
  { batch: 1, height: 14, width: 14, inChannels: 64, outChannels: 128, kernel: 4, stride: 2, pad: "same" },
  { batch: 2, height: 28, width: 28, inChannels: 1, outChannels: 32, kernel: 5, stride: 2, pad: "same" },
];

/** Conv2DBackpropFilter(x, dy) for one case, through the kernel itself. */
function backpropFilter(c: ConvCase): Tensor[] {
  const x = normalTensor([c.batch, c.height, c.width, c.inChannels], "x");
  const dy = normalTensor(outputShapeOf(c), "dy");
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: "NHWC", filterShape: filterShapeOf(c) };
  return [tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as Tensor];
}

/** Conv2DBackpropInput(dy, filter) for one case: conv2dTranspose back to x's shape. */
function backpropInput(c: ConvCase): Tensor[] {
  const filter = normalTensor(filterShapeOf(c), "filter");
  const dy = normalTensor(outputShapeOf(c), "dy") as tf.Tensor4D;
  const inputShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: "NHWC", inputShape };
  return [tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs) as Tensor];
}

/** Both gradients of conv2d's output sum-weighted by dy, through tf.grads (the path training takes). */
function convGradients(c: ConvCase): Tensor[] {
  const x = normalTensor([c.batch, c.height, c.width, c.inChannels], "x") as tf.Tensor4D;
  const filter = normalTensor(filterShapeOf(c), "filter") as tf.Tensor4D;
  const dy = normalTensor(outputShapeOf(c), "dy");
  const objective = (input: Tensor, weights: Tensor) =>
    tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, c.stride, c.pad), dy));
  return tf.grads(objective)([x, filter]);
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend(WASM_BACKEND_NAME)).toBe(true);
  await tf.ready();
});

describe("registerWasmTrainingKernels", () => {
  it("registers every kernel once (idempotent)", () => {
    const names = [...WASM_TRAINING_KERNELS.added, ...WASM_TRAINING_KERNELS.replaced];
    const before = names.map((name) => tf.getKernel(name, WASM_BACKEND_NAME));
    registerWasmTrainingKernels();
    const after = names.map((name) => tf.getKernel(name, WASM_BACKEND_NAME));
    // Ours (marked when registered), not the stock kernels.
    const marker = Symbol.for("tsgan.wasmTrainingKernel");
    expect(before.every((config) => config !== undefined && marker in config)).toBe(true);
    expect(after).toEqual(before);
    expect(after.every((config, i) => config === before[i])).toBe(true);
  });
});

describe.each(["same", "valid"] as const)("conv kernels vs cpu, padding %s", (pad) => {
  for (const stride of [1, 2]) {
    it(`Conv2DBackpropFilter, stride ${stride}`, async () => {
      for (const c of gridCases(stride, pad)) await expectWasmMatchesCpu(describeCase(c), () => backpropFilter(c));
    });
    it(`Conv2DBackpropInput, stride ${stride}`, async () => {
      for (const c of gridCases(stride, pad)) await expectWasmMatchesCpu(describeCase(c), () => backpropInput(c));
    });
  }
});

describe("conv kernels vs cpu, other geometries", () => {
  it.each(EDGE_CASES.map((c) => [describeCase(c), c] as const))("%s", async (label, c) => {
    await expectWasmMatchesCpu(`filter ${label}`, () => backpropFilter(c));
    await expectWasmMatchesCpu(`input ${label}`, () => backpropInput(c));
    await expectWasmMatchesCpu(`grads ${label}`, () => convGradients(c));
  });
});

describe("matMul vs cpu", () => {
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [100, 240, 64],
    [64, 1, 33],
  ] as const;
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("transposeA %s, transposeB %s (BatchMatMul and _FusedMatMul)", async (transposeA, transposeB) => {
    for (const [rows, inner, columns] of shapes) {
      const label = `${rows}×${inner}·${inner}×${columns} tA=${transposeA} tB=${transposeB}`;
      await expectWasmMatchesCpu(label, () => {
        const a = normalTensor(transposeA ? [inner, rows] : [rows, inner], "a") as tf.Tensor2D;
        const b = normalTensor(transposeB ? [columns, inner] : [inner, columns], "b") as tf.Tensor2D;
        const bias = normalTensor([columns], "bias");
        const fused = tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation: "relu" });
        return [tf.matMul(a, b, transposeA, transposeB), fused];
      });
    }
  });
});

/** Normal data with NaN, ±∞, ±0 and 1 planted, to check the elementwise kernels' special cases. */
function specialTensor(shape: number[], label: string): Tensor {
  const data = normalData(shape, label);
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1];
  specials.forEach((value, i) => {
    if (i * 7 < data.length) data[i * 7] = value;
  });
  return tf.tensor(data, shape);
}

describe("elementwise kernels vs cpu", () => {
  it("Tile: float32 through the broadcast path, int32 and bool through the stock kernel", async () => {
    const cases: [number[], number[]][] = [
      [
        [1, 1, 1, 64],
        [64, 14, 14, 1],
      ],
      [
        [3, 1, 2],
        [2, 4, 3],
      ],
      [[5], [7]],
      [
        [2, 3],
        [1, 1],
      ],
      [[1], [9]],
      [
        [2, 1, 3, 1, 2],
        [2, 3, 1, 2, 2],
      ],
    ];
    for (const [shape, reps] of cases) {
      await expectWasmMatchesCpu(`tile ${shape} × ${reps}`, () => {
        const x = specialTensor(shape, "tile");
        return [tf.tile(x, reps), tf.cast(tf.tile(tf.cast(x, "int32"), reps), "float32")];
      });
    }
    await expectWasmMatchesCpu("tile bool", () => [
      tf.cast(tf.tile(tf.greater(normalTensor([2, 1, 3], "tile bool"), 0), [2, 3, 1]), "float32"),
    ]);
  });

  it("LeakyRelu for several slopes, with NaN, ±∞ and ±0", async () => {
    for (const alpha of [0.2, 0, 1, -0.5, 3]) {
      await expectWasmMatchesCpu(`leakyRelu α=${alpha}`, () => [
        tf.leakyRelu(specialTensor([4, 5, 6, 3], "leaky"), alpha),
      ]);
    }
  });

  it("comparisons, Maximum and Minimum with broadcasting, ties and NaN", async () => {
    const shapes: [number[], number[]][] = [
      [
        [100, 240, 5],
        [100, 240, 1],
      ],
      [
        [4, 1, 3],
        [5, 1],
      ],
      [[6], [2, 6]],
      [[3, 4], [1]],
      [
        [3, 4],
        [3, 4],
      ],
    ];
    for (const [shapeA, shapeB] of shapes) {
      await expectWasmMatchesCpu(`binary ${shapeA} vs ${shapeB}`, () => {
        const a = specialTensor(shapeA, "binary a");
        const b = specialTensor(shapeB, "binary b");
        // maxout's case: x against its own maximum, broadcast (ties on purpose).
        const maximum = shapeA.length === shapeB.length ? tf.max(a, shapeA.length - 1, true) : b;
        const asFloat = (t: Tensor) => tf.cast(t, "float32");
        const withoutNaN = (t: Tensor) => tf.where(tf.isNaN(t), tf.zerosLike(t), t);
        return [
          asFloat(tf.equal(a, b)),
          asFloat(tf.notEqual(a, b)),
          asFloat(tf.greater(a, b)),
          asFloat(tf.greaterEqual(b, a)),
          asFloat(tf.less(a, b)),
          asFloat(tf.lessEqual(b, a)),
          // NaN aside: wasm's Maximum / Minimum return a when b is NaN (std::max), cpu returns NaN — stock behaviour.
          tf.maximum(withoutNaN(a), withoutNaN(b)),
          tf.minimum(withoutNaN(b), withoutNaN(a)),
          asFloat(tf.equal(a, maximum)),
        ];
      });
    }
  });
});

describe("gradients vs cpu", () => {
  it("tiny conv → leakyRelu → dense → softplus loss", async () => {
    await expectWasmMatchesCpu("conv net gradient", () => {
      const x = normalTensor([3, 8, 8, 2], "images");
      const parameters = [
        normalTensor([3, 3, 2, 4], "conv filter"),
        normalTensor([4], "conv bias"),
        normalTensor([4 * 4 * 4, 1], "dense weights"),
        normalTensor([1], "dense bias"),
      ];
      const loss = (filter: Tensor, convBias: Tensor, weights: Tensor, denseBias: Tensor) => {
        const features = tf.leakyRelu(
          tf.add(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, "same"), convBias),
          0.2,
        );
        const logits = tf.add(tf.matMul(tf.reshape(features, [3, 4 * 4 * 4]), weights as tf.Tensor2D), denseBias);
        return tf.mean(tf.softplus(logits));
      };
      const { value, grads } = tf.valueAndGrads(loss)(parameters);
      return [value, ...grads];
    });
  });

  it("MLP GAN ops: dense, batch norm (moments), ReLU, tanh, sigmoid, maxout, dropout mask, log-sigmoid", async () => {
    const batch = 5;
    const pieces = 3;
    const dropoutRate = 0.5;
    await expectWasmMatchesCpu("mlp gradient", () => {
      const noise = normalTensor([batch, 6], "noise");
      // Dropout as in the models: a uniform draw (here fixed data, identical on both backends) compared to the rate.
      const uniform = tf.tensor(
        Rng.derive("wasmKernels.test", "dropout").fillUniform(new Float32Array(batch * 4), 0, 1),
        [batch, 4],
      );
      const parameters = [
        normalTensor([6, 8], "w1"),
        normalTensor([8], "gamma"),
        normalTensor([8], "beta"),
        normalTensor([8, 4 * pieces], "w2"),
        normalTensor([4, 1], "w3"),
      ];
      const loss = (w1: Tensor, gamma: Tensor, beta: Tensor, w2: Tensor, w3: Tensor) => {
        const hidden = tf.matMul(noise as tf.Tensor2D, w1 as tf.Tensor2D);
        const { mean, variance } = tf.moments(hidden, 0);
        const normalised = tf.relu(tf.batchNorm(hidden, mean, variance, beta, gamma, 1e-3));
        const generated = tf.tanh(normalised);
        const units = tf.max(tf.reshape(tf.matMul(generated as tf.Tensor2D, w2 as tf.Tensor2D), [batch, 4, pieces]), 2);
        const keep = tf.cast(tf.greaterEqual(uniform, dropoutRate), "float32");
        const dropped = tf.div(tf.mul(units, keep), 1 - dropoutRate);
        const logits = tf.matMul(dropped as tf.Tensor2D, w3 as tf.Tensor2D);
        const probability = tf.sigmoid(logits);
        // log σ(x) = −softplus(−x). Not tf.logSigmoid: in TF.js 4.22 its gradient reads its input after tf.grads has
        // disposed it ("Cannot read properties of undefined (reading 'backend')") on every backend.
        const logProbability = tf.neg(tf.softplus(tf.neg(logits)));
        return tf.add(tf.neg(tf.mean(logProbability)), tf.mean(tf.square(probability)));
      };
      const { value, grads } = tf.valueAndGrads(loss)(parameters);
      return [value, ...grads];
    });
  });

  it("DCGAN ops: conv2dTranspose, batch norm over [batch, h, w], concat, conv2d, leakyRelu, softplus", async () => {
    const batch = 3;
    await expectWasmMatchesCpu("dcgan gradient", () => {
      const noise = normalTensor([batch, 5], "noise");
      const labels = normalTensor([batch, 14, 14, 2], "label planes");
      const parameters = [
        normalTensor([5, 7 * 7 * 8], "dense"),
        normalTensor([4, 4, 4, 8], "deconv filter"),
        normalTensor([4], "gamma"),
        normalTensor([4], "beta"),
        normalTensor([4, 4, 1, 4], "to-image filter"),
        normalTensor([5, 5, 1, 6], "conv filter"),
        normalTensor([4, 4, 8, 6], "second conv filter"),
        normalTensor([7 * 7 * 6, 1], "critic"),
      ];
      const loss = (...[dense, deconv, gamma, beta, toImage, conv, secondConv, critic]: Tensor[]) => {
        const seed = tf.reshape(tf.relu(tf.matMul(noise as tf.Tensor2D, dense as tf.Tensor2D)), [batch, 7, 7, 8]);
        const upsampled = tf.conv2dTranspose(seed as tf.Tensor4D, deconv as tf.Tensor4D, [batch, 14, 14, 4], 2, "same");
        const { mean, variance } = tf.moments(upsampled, [0, 1, 2]);
        const normalised = tf.relu(tf.batchNorm(upsampled, mean, variance, beta, gamma, 1e-3));
        const toImageFilter = toImage as tf.Tensor4D;
        const image = tf.tanh(
          tf.conv2dTranspose(normalised as tf.Tensor4D, toImageFilter, [batch, 28, 28, 1], 2, "same"),
        );
        const downsampled = tf.conv2d(image as tf.Tensor4D, conv as tf.Tensor4D, 2, "same");
        const withLabels = tf.concat([downsampled, labels], 3) as tf.Tensor4D;
        const features = tf.leakyRelu(tf.conv2d(withLabels, secondConv as tf.Tensor4D, 2, "same"), 0.2);
        const logits = tf.matMul(tf.reshape(features, [batch, 7 * 7 * 6]), critic as tf.Tensor2D);
        return tf.mean(tf.softplus(tf.neg(logits)));
      };
      const { value, grads } = tf.valueAndGrads(loss)(parameters);
      return [value, ...grads];
    });
  });

  it("an Adam step updates the variables identically", async () => {
    await expectWasmMatchesCpu("adam", () => {
      const weights = tf.variable(normalTensor([6, 3], "adam weights"));
      const inputs = normalTensor([4, 6], "adam inputs") as tf.Tensor2D;
      const optimizer = tf.train.adam(0.01, 0.5, 0.999);
      for (let step = 0; step < 3; step++) {
        optimizer.minimize(() => tf.mean(tf.softplus(tf.matMul(inputs, weights))), false, [weights]);
      }
      const result = tf.clone(weights);
      optimizer.dispose();
      weights.dispose();
      return [result];
    });
  });
});

describe("no leak", () => {
  it("kernels and gradients leave tf.memory() tensor and buffer counts unchanged", async () => {
    await tf.setBackend(WASM_BACKEND_NAME);
    const c = EDGE_CASES[5];
    if (c === undefined) throw new Error("missing case");
    const step = () => {
      const outputs = tf.tidy(() => {
        const a = normalTensor([7, 5], "a") as tf.Tensor2D;
        const products = [tf.matMul(a, a, true, false), tf.matMul(a, a, false, true)];
        const elementwise = [tf.tile(a, [2, 3]), tf.leakyRelu(a, 0.2), tf.equal(a, tf.max(a, 1, true))];
        return [...backpropFilter(c), ...backpropInput(c), ...convGradients(c), ...products, ...elementwise];
      });
      tf.dispose(outputs);
    };
    step(); // warm-up: lazily created tensors (e.g. cached scalars) are not leaks
    const before = tf.memory();
    step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });
});
