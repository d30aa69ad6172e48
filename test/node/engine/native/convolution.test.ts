/**
 * Native convolution kernels vs the TF.js cpu kernels: Conv2D (with dilation), Conv2DBackpropInput
 * (conv2dTranspose), Conv2DBackpropFilter, FusedConv2D, and the gradients of conv2d through tf.grads.
 * Shapes cover batch 1 and odd sizes, strides 1–3, same/valid/explicit padding, kernels 1–5, channels 1–256.
 * The cpu Conv2DBackpropFilter is a naive loop, so its shapes stay modest.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { RELATIVE_TOLERANCE, compareBackends, requireNativeBackend, uniformValues } from "./helpers.js";

type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

/** One convolution case: input [batch, height, width, inChannels], filter [kernel, kernel, in, out]. */
interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: Pad;
  dilation?: number;
}

const CASES: ConvCase[] = [
  { batch: 1, height: 5, width: 5, inChannels: 1, outChannels: 1, kernel: 1, stride: 1, pad: "same" },
  { batch: 3, height: 7, width: 9, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, pad: "same" },
  { batch: 2, height: 8, width: 8, inChannels: 4, outChannels: 6, kernel: 3, stride: 2, pad: "same" },
  { batch: 2, height: 9, width: 7, inChannels: 2, outChannels: 3, kernel: 5, stride: 2, pad: "valid" },
  { batch: 1, height: 6, width: 6, inChannels: 16, outChannels: 8, kernel: 2, stride: 2, pad: "valid" },
  { batch: 5, height: 11, width: 10, inChannels: 7, outChannels: 9, kernel: 4, stride: 3, pad: "valid" },
  { batch: 3, height: 7, width: 7, inChannels: 5, outChannels: 4, kernel: 4, stride: 2, pad: "same" },
  { batch: 3, height: 12, width: 12, inChannels: 1, outChannels: 64, kernel: 4, stride: 2, pad: "same" },
  { batch: 2, height: 14, width: 14, inChannels: 64, outChannels: 128, kernel: 4, stride: 2, pad: "same" },
  { batch: 1, height: 4, width: 4, inChannels: 256, outChannels: 256, kernel: 3, stride: 1, pad: "same" },
  { batch: 1, height: 5, width: 5, inChannels: 256, outChannels: 1, kernel: 2, stride: 1, pad: "valid" },
  {
    batch: 2,
    height: 6,
    width: 7,
    inChannels: 3,
    outChannels: 2,
    kernel: 3,
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
];

const DILATED_CASES: ConvCase[] = [
  { batch: 2, height: 9, width: 9, inChannels: 3, outChannels: 4, kernel: 3, stride: 1, pad: "same", dilation: 2 },
  { batch: 1, height: 10, width: 8, inChannels: 2, outChannels: 5, kernel: 2, stride: 1, pad: "valid", dilation: 3 },
];

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === "string" ? c.pad : "explicit";
  const dilation = c.dilation === undefined ? "" : ` d${c.dilation}`;
  return `${c.batch}x${c.height}x${c.width}x${c.inChannels} k${c.kernel} s${c.stride} ${pad}${dilation} -> ${c.outChannels}`;
}

function inputShape(c: ConvCase): [number, number, number, number] {
  return [c.batch, c.height, c.width, c.inChannels];
}

function filterShape(c: ConvCase): [number, number, number, number] {
  return [c.kernel, c.kernel, c.inChannels, c.outChannels];
}

/** Output shape of the forward convolution, from a cpu-side shape computation. */
function outputShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(inputShape(c), filterShape(c), c.stride, c.dilation ?? 1, c.pad);
  return info.outShape as [number, number, number, number];
}

beforeAll(() => {
  requireNativeBackend();
});

describe("Conv2D forward", () => {
  for (const [index, c] of [...CASES, ...DILATED_CASES].entries()) {
    it(describeCase(c), () => {
      const error = compareBackends(() => {
        const x = tf.tensor4d(uniformValues(inputShape(c), 10 + index), inputShape(c));
        const filter = tf.tensor4d(uniformValues(filterShape(c), 20 + index), filterShape(c));
        return tf.conv2d(x, filter, c.stride, c.pad, "NHWC", c.dilation ?? 1);
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }
});

describe("Conv2DBackpropInput (conv2dTranspose)", () => {
  for (const [index, c] of CASES.entries()) {
    it(describeCase(c), () => {
      const dyShape = outputShape(c);
      const error = compareBackends(() => {
        const dy = tf.tensor4d(uniformValues(dyShape, 30 + index), dyShape);
        const filter = tf.tensor4d(uniformValues(filterShape(c), 40 + index), filterShape(c));
        return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, {
          strides: [c.stride, c.stride],
          pad: c.pad,
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
          inputShape: inputShape(c),
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }

  it("conv2dTranspose 7x7x128 -> 14x14x64 (the DCGAN generator's first up-sampling)", () => {
    const error = compareBackends(() => {
      const x = tf.tensor4d(uniformValues([3, 7, 7, 128], 51), [3, 7, 7, 128]);
      const filter = tf.tensor4d(uniformValues([4, 4, 64, 128], 52), [4, 4, 64, 128]);
      return tf.conv2dTranspose(x, filter, [3, 14, 14, 64], 2, "same");
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe("Conv2DBackpropFilter", () => {
  for (const [index, c] of CASES.entries()) {
    it(describeCase(c), () => {
      const dyShape = outputShape(c);
      const error = compareBackends(() => {
        const x = tf.tensor4d(uniformValues(inputShape(c), 60 + index), inputShape(c));
        const dy = tf.tensor4d(uniformValues(dyShape, 70 + index), dyShape);
        return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: [c.stride, c.stride],
          pad: c.pad,
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
          filterShape: filterShape(c),
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }
});

describe("conv2d gradients through tf.grads", () => {
  const GRADIENT_CASES = [CASES[2]!, CASES[6]!, CASES[7]!];
  for (const [index, c] of GRADIENT_CASES.entries()) {
    it(describeCase(c), () => {
      const error = compareBackends(() => {
        const x = tf.tensor4d(uniformValues(inputShape(c), 80 + index), inputShape(c));
        const filter = tf.tensor4d(uniformValues(filterShape(c), 90 + index), filterShape(c));
        const weights = tf.tensor(uniformValues(outputShape(c), 95 + index), outputShape(c));
        // loss = Σ conv(x, filter) ⊙ weights, so that dy = weights is not trivial
        const gradients = tf.grads((input: tf.Tensor, kernel: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, c.stride, c.pad), weights)),
        )([x, filter]);
        return gradients;
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }

  it("conv2dTranspose gradients (x and filter)", () => {
    const error = compareBackends(() => {
      const x = tf.tensor4d(uniformValues([2, 7, 7, 32], 101), [2, 7, 7, 32]);
      const filter = tf.tensor4d(uniformValues([4, 4, 16, 32], 102), [4, 4, 16, 32]);
      const weights = tf.tensor(uniformValues([2, 14, 14, 16], 103), [2, 14, 14, 16]);
      return tf.grads((input: tf.Tensor, kernel: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.conv2dTranspose(input as tf.Tensor4D, kernel as tf.Tensor4D, [2, 14, 14, 16], 2, "same"), weights),
        ),
      )([x, filter]);
    });
    expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });
});

describe("FusedConv2D", () => {
  const ACTIVATIONS = ["linear", "relu", "relu6", "elu", "leakyrelu", "sigmoid"] as const;
  for (const [index, activation] of ACTIVATIONS.entries()) {
    it(`bias + ${activation}`, () => {
      const c = CASES[2]!;
      const error = compareBackends(() => {
        const x = tf.tensor4d(uniformValues(inputShape(c), 110 + index), inputShape(c));
        const filter = tf.tensor4d(uniformValues(filterShape(c), 120 + index), filterShape(c));
        const bias = tf.tensor1d(uniformValues([c.outChannels], 130 + index));
        return tf.fused.conv2d({ x, filter, strides: c.stride, pad: c.pad, bias, activation, leakyreluAlpha: 0.1 });
      });
      expect(error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  }
});
