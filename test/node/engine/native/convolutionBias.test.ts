/**
 * TsganConv2DBias and TsganConv2DTransposeBias (contract: src/core/engine/fusedKernels.ts): tsgan's Conv2D and
 * Conv2DTranspose layers run them on native and the op chain elsewhere; on native they give the op chain's gradients
 * bit for bit (the same kernels run) and its values bit for bit or, where oneDNN adds the bias inside its
 * accumulation, to float32 rounding; they agree with the cpu backend, compute only the gradients asked for, and can
 * be differentiated twice (a gradient penalty through D's convolutions).
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { CONV2D_BIAS_KERNEL, CONV2D_TRANSPOSE_BIAS_KERNEL } from "../../../../src/core/engine/fusedKernels.js";
import { Conv2D, Conv2DTranspose, ParameterStore, type Layer } from "../../../../src/core/models/layers.js";
import { RELATIVE_TOLERANCE, relativeError, requireNativeBackend, runOn, uniformValues } from "./helpers.js";

beforeAll(() => {
  requireNativeBackend();
});

const BATCH = 6;
const INIT = { kind: "normal", std: 0.3 } as const;
/**
 * How far TsganConv2DBias's output may sit from conv2d + Add, relative to the output's ∞-norm. oneDNN adds the bias
 * inside its forward pass, at a point among its accumulations that depends on the implementation it picks for the
 * CPU: on this machine the output is the chain's bit for bit, on one CI machine it differed in the last bits
 * (≈ 1e-7 of the norm). A bias missing or added twice would be off by ~0.1 of the norm.
 */
const FORWARD_ROUNDING = 1e-6;

interface Case {
  name: string;
  kernel: string;
  inputShape: [number, number, number];
  /** The layer, its bias set to non-zero values so that a missing or doubled bias shows. */
  build: (store: ParameterStore) => Layer;
  /** The layer's computation written as TF.js ops. */
  chain: (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
  /** Whether the bias is added after the convolution is finished (as Add does), so the forward is bit-identical. */
  biasAddedAfter: boolean;
}

/** A stride-2 transposed convolution (kernel 4) from [side, side, inChannels] to [2·side, 2·side, channels]. */
function transposed(side: number, inChannels: number, channels: number): Case {
  const outputShape: [number, number, number, number] = [BATCH, 2 * side, 2 * side, channels];
  return {
    name: `Conv2DTranspose ${side}x${side}x${inChannels} -> ${2 * side}x${2 * side}x${channels}`,
    kernel: CONV2D_TRANSPOSE_BIAS_KERNEL,
    inputShape: [side, side, inChannels],
    build: (store) => new Conv2DTranspose(store, "layer", [side, side, inChannels], channels, 4, 2, INIT),
    chain: (x, filter, bias) =>
      tf.add(tf.conv2dTranspose(x as tf.Tensor4D, filter as tf.Tensor4D, outputShape, 2, "same"), bias),
    // oneDNN's backward-data pass takes no bias: the native kernel adds it to the finished output (conv.cc).
    biasAddedAfter: true,
  };
}

const cases: Case[] = [
  {
    name: "Conv2D 12x12x8 -> 6x6x16",
    kernel: CONV2D_BIAS_KERNEL,
    inputShape: [12, 12, 8],
    build: (store) => new Conv2D(store, "layer", [12, 12, 8], 16, 4, 2, INIT),
    chain: (x, filter, bias) => tf.add(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, "same"), bias),
    biasAddedAfter: false,
  },
  transposed(7, 16, 8),
  // One output channel: the backward passes take the im2col + sgemm route (native/src/conv.cc).
  transposed(14, 8, 1),
];

/** The layer with a random bias, an input, and output weights for the loss Σ y·w. */
function setUp(testCase: Case) {
  const store = new ParameterStore("conv", 7);
  const layer = testCase.build(store);
  const bias = store.trainable.get("layer/bias")!;
  bias.assign(tf.tensor(uniformValues(bias.shape, 3), bias.shape));
  const filter = store.trainable.get("layer/filter")!;
  const shape = [BATCH, ...testCase.inputShape];
  const x = tf.tensor(uniformValues(shape, 5), shape);
  const weights = tf.tensor(uniformValues([BATCH, ...layer.outputShape], 6), [BATCH, ...layer.outputShape]);
  const dispose = () => tf.dispose([...store.trainable.values(), x, weights]);
  return { layer, filter, bias, x, weights, dispose };
}

/** [y, ∂/∂x, ∂/∂filter, ∂/∂bias] of Σ apply(x, filter, bias)·w. */
function valueAndGradients(testCase: Case, useLayer: boolean): tf.Tensor[] {
  const { layer, filter, bias, x, weights, dispose } = setUp(testCase);
  const apply = (input: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
    useLayer ? layer.apply(input, { training: true }) : testCase.chain(input, f, b);
  const loss = (input: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(apply(input, f, b), weights));
  // The layer reads its own variables, so its gradients are taken with respect to them (tf.variableGrads).
  const output = apply(x, filter, bias);
  let gradients: tf.Tensor[];
  if (useLayer) {
    const xGradient = tf.grad((input: tf.Tensor) => loss(input, filter, bias))(x);
    const { grads } = tf.variableGrads(() => loss(x, filter, bias) as tf.Scalar, [filter, bias]);
    gradients = [xGradient, grads[filter.name]!, grads[bias.name]!];
  } else {
    gradients = tf.grads(loss)([x, filter, bias]);
  }
  const results = [output, ...gradients].map((tensor) => tensor.clone());
  dispose();
  return results;
}

describe("convolutions with a bias on native", () => {
  for (const testCase of cases) {
    it(`${testCase.name}: the fused kernel's gradients equal the op chain's bit for bit, and cpu within tolerance`, () => {
      const fused = runOn("native", () => valueAndGradients(testCase, true));
      const chain = runOn("native", () => valueAndGradients(testCase, false));
      const cpu = runOn("cpu", () => valueAndGradients(testCase, true));
      ["output", "x gradient", "filter gradient", "bias gradient"].forEach((label, index) => {
        if (label === "output" && !testCase.biasAddedAfter) {
          expect(relativeError(fused.values[index]!, chain.values[index]!), label).toBeLessThanOrEqual(
            FORWARD_ROUNDING,
          );
        } else {
          expect(Array.from(fused.values[index]!), label).toEqual(Array.from(chain.values[index]!));
        }
        expect(relativeError(fused.values[index]!, cpu.values[index]!), label).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
      });
    });

    it(`${testCase.name}: runs the fused kernel on native only, and computes only the gradients asked for`, async () => {
      const kernels = async (backend: "cpu" | "native", compute: (parts: ReturnType<typeof setUp>) => void) => {
        tf.setBackend(backend);
        const parts = setUp(testCase);
        const info = await tf.profile(() => {
          tf.tidy(() => compute(parts));
          return tf.scalar(0);
        });
        parts.dispose();
        return info.kernelNames;
      };
      const forward = ({ layer, x }: ReturnType<typeof setUp>) => layer.apply(x, { training: true });
      expect(await kernels("native", forward)).toContain(testCase.kernel);
      expect(await kernels("cpu", forward)).not.toContain(testCase.kernel);
      // The filter's gradient alone (D's step for its first layer): no pass computes the input's gradient.
      const inputGradientKernel = testCase.kernel === CONV2D_BIAS_KERNEL ? "Conv2DBackpropInput" : "Conv2D";
      const filterOnly = await kernels("native", ({ layer, x, filter, weights }) => {
        tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }), weights)) as tf.Scalar, [filter]);
      });
      expect(filterOnly).toContain("Conv2DBackpropFilter");
      expect(filterOnly).not.toContain(inputGradientKernel);
      // The input's gradient alone (G's step through D): no filter gradient.
      const inputOnly = await kernels("native", ({ layer, x, weights }) => {
        tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }), weights)))(x);
      });
      expect(inputOnly).toContain(inputGradientKernel);
      expect(inputOnly).not.toContain("Conv2DBackpropFilter");
    });
  }

  it("a gradient penalty through a fused convolution (second derivatives) matches cpu", () => {
    const testCase = cases[0]!;
    const penaltyGradient = () => {
      const { layer, filter, x, weights, dispose } = setUp(testCase);
      // ∂/∂filter of ‖∂/∂x Σ tanh(conv(x))·w‖²: R1's shape (Mescheder et al. 2018), through the fused kernel.
      const scoreGradient = (input: tf.Tensor) =>
        tf.grad((inner: tf.Tensor) => tf.sum(tf.mul(tf.tanh(layer.apply(inner, { training: true })), weights)))(input);
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(scoreGradient(x))) as tf.Scalar, [filter]);
      const result = grads[filter.name]!.clone();
      dispose();
      return result;
    };
    const native = runOn("native", penaltyGradient);
    const cpu = runOn("cpu", penaltyGradient);
    expect(relativeError(native.values[0]!, cpu.values[0]!)).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    expect(native.values[0]!.some((value) => value !== 0)).toBe(true);
  });
});
