/**
 * Conv2DBackpropFilter (the filter gradient of conv2d) for the wasm backend, which ships none in TF.js 4.22.
 *
 * The gradient is itself a convolution, with batch and channels swapped:
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPadded[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co]
 *
 * read as a conv2d whose batch is ci, whose input channels are b, whose filter is dy (spatial size OH × OW, taps
 * s apart: dilation s) and whose output pixels are the kernel taps (kh, kw):
 *
 *   x [B, H, W, Ci] → [Ci, H, W, B]        dy [B, OH, OW, Co] → filter [OH, OW, B, Co]
 *   conv2d(stride 1, dilation s, padding = the forward conv's, bottom/right trimmed so the output is KH × KW)
 *     → [Ci, KH, KW, Co] → dW [KH, KW, Ci, Co]
 *
 * Two 4-D transposes (the wasm Transpose's fast rank), one XNNPACK conv2d and one small transpose: no per-element
 * JavaScript. The conv does exactly the forward conv's multiply-adds, and runs as fast as the forward conv (DCGAN
 * layer 14×14×64 → 7×7×128 at batch 64: 23 ms, forward 23 ms). Folding the stride out by a space-to-batch phase
 * split instead of dilation measured the same speed, with more copies.
 */
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropFilterInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from "@tensorflow/tfjs-core";

import { tf } from "../tf.js";
import { withKernelScope } from "./kernelScope.js";

/** Padding of one spatial axis for the gradient conv; `cropAfter` input positions no output reads are dropped. */
interface FilterAxisPadding {
  padBefore: number;
  padAfter: number;
  cropAfter: number;
}

/**
 * The gradient conv's output along an axis is (padded input) − (OH − 1)·s; it must be exactly the kernel size, so
 * the trailing padding is whatever makes the padded input (OH − 1)·s + K long (negative: crop the input instead).
 */
function planFilterAxis(inSize: number, kernel: number, stride: number, outSize: number, padBefore: number) {
  const padAfter = (outSize - 1) * stride + kernel - inSize - padBefore;
  return { padBefore, padAfter: Math.max(padAfter, 0), cropAfter: Math.max(-padAfter, 0) } satisfies FilterAxisPadding;
}

/** The kernel function; `backendName` names the backend whose stock kernels it composes. */
export function conv2dBackpropFilterVia(backendName: string): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as unknown as Conv2DBackpropFilterInputs & { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (dataFormat === "NCHW") {
      throw new Error("Conv2DBackpropFilter on wasm supports NHWC only (as does the wasm Conv2D)");
    }
    const [batch, inHeight, inWidth, inChannels] = x.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      [batch, inHeight, inWidth, inChannels],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const rows = planFilterAxis(inHeight, filterHeight, strideHeight, info.outHeight, info.padInfo.top);
    const cols = planFilterAxis(inWidth, filterWidth, strideWidth, info.outWidth, info.padInfo.left);

    return withKernelScope(backend, backendName, (scope) => {
      let input = x;
      if (rows.cropAfter > 0 || cols.cropAfter > 0) {
        const size = [batch, inHeight - rows.cropAfter, inWidth - cols.cropAfter, inChannels];
        input = scope.run(tf.Slice, { x: input }, { begin: [0, 0, 0, 0], size });
      }
      // x [B, H, W, Ci] → [Ci, H, W, B]: channels become the batch, the batch becomes the channels.
      const swapped = scope.transpose(input, [3, 1, 2, 0]);
      // dy [B, OH, OW, Co] → filter [OH, OW, B, Co]
      const filter = scope.transpose(dy, [1, 2, 0, 3]);
      const convAttrs: Conv2DAttrs = {
        strides: [1, 1],
        pad: [
          [0, 0],
          [rows.padBefore, rows.padAfter],
          [cols.padBefore, cols.padAfter],
          [0, 0],
        ],
        dataFormat: "NHWC",
        dilations: [strideHeight, strideWidth],
      };
      // → [Ci, KH, KW, Co] → dW [KH, KW, Ci, Co]
      const taps = scope.run(tf.Conv2D, { x: swapped, filter }, convAttrs);
      return scope.transpose(taps, [1, 2, 0, 3]);
    });
  };
}

/** Registers as a new kernel: TF.js 4.22's wasm backend has no Conv2DBackpropFilter of its own. */
export function conv2dBackpropFilterConfig(backendName: string): KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: conv2dBackpropFilterVia(backendName),
  };
}
