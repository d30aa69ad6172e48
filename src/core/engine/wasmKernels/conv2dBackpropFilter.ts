/**
 * Conv2DBackpropFilter (the filter gradient of conv2d) for the wasm backend, which ships none in TF.js 4.22.
 *
 * The gradient is itself a convolution, with batch and channels swapped:
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPadded[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co]
 *
 * i.e. a conv2d whose "batch" is ci, whose "input channels" are b, whose filter is dy (spatial size OH × OW) and
 * whose output pixels are the taps (kh, kw). For stride s > 1 that conv would need dilation s, which XNNPACK runs
 * about 1.7× slower than an undilated conv of the same work, so the stride is folded out first: split the padded
 * input into its s × s phases (rows ≡ p, columns ≡ q mod s). Tap kh = a·s + p reads phase p at row oh + a, so every
 * phase is an undilated, stride-1 conv with the same dy filter, and all phases run in one conv by stacking them
 * along the batch axis:
 *
 *   x [B, H, W, Ci] → pad / crop → [B, Hq·s, Wq·s, Ci] → phases [s·s·Ci, Hq, Wq, B]      (Hq = OH + ⌈KH/s⌉ − 1)
 *   dy [B, OH, OW, Co] → filter [OH, OW, B, Co]
 *   conv2d(phases, filter, stride 1, valid) → [s·s·Ci, ⌈KH/s⌉, ⌈KW/s⌉, Co] → reorder → crop → dW [KH, KW, Ci, Co]
 *
 * Every step is a stock wasm kernel (pad, reshape, transpose, XNNPACK conv2d, slice); no per-element JavaScript.
 * The work equals the forward conv's, plus copies of x and dy.
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

/** The layout of one spatial axis (rows or columns) of the padded, phase-split input. */
interface FilterAxisPlan {
  /** Taps per phase: ⌈kernel / stride⌉. The kernel is computed as `taps · stride` long, then cropped. */
  taps: number;
  /** Positions per phase in the padded input: output size + taps − 1. */
  blocks: number;
  /** Zeros before the input (the conv's own padding). */
  padBefore: number;
  /** Zeros after the input, to reach `blocks · stride`. */
  padAfter: number;
  /** Trailing input positions that no output reads, dropped before padding. */
  cropAfter: number;
}

function planFilterAxis(inSize: number, kernel: number, stride: number, outSize: number, padBefore: number) {
  const taps = Math.ceil(kernel / stride);
  const blocks = outSize + taps - 1;
  const padAfter = blocks * stride - padBefore - inSize;
  return {
    taps,
    blocks,
    padBefore,
    padAfter: Math.max(padAfter, 0),
    cropAfter: Math.max(-padAfter, 0),
  } satisfies FilterAxisPlan;
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
    const { filterHeight, filterWidth, outChannels, strideHeight, strideWidth } = info;
    const rows = planFilterAxis(inHeight, filterHeight, strideHeight, info.outHeight, info.padInfo.top);
    const cols = planFilterAxis(inWidth, filterWidth, strideWidth, info.outWidth, info.padInfo.left);
    const phaseCount = strideHeight * strideWidth;

    return withKernelScope(backend, backendName, (scope) => {
      // x [B, H, W, Ci] → padded [B, blocksH·sH, blocksW·sW, Ci]
      let padded = x;
      if (rows.cropAfter > 0 || cols.cropAfter > 0) {
        padded = scope.run(
          tf.Slice,
          { x: padded },
          { begin: [0, 0, 0, 0], size: [batch, inHeight - rows.cropAfter, inWidth - cols.cropAfter, inChannels] },
        );
      }
      if (rows.padBefore + rows.padAfter + cols.padBefore + cols.padAfter > 0) {
        const paddings = [
          [0, 0],
          [rows.padBefore, rows.padAfter],
          [cols.padBefore, cols.padAfter],
          [0, 0],
        ];
        padded = scope.run(tf.PadV2, { x: padded }, { paddings, constantValue: 0 });
      }
      // Phase split as two 4-D transposes (the wasm Transpose has fast paths up to rank 4 only; rank 5+ runs an
      // index-vector loop ~50× slower):
      // [B, blocksH, sH, blocksW·sW·Ci] → [sH, blocksH, blocksW·sW·Ci, B]
      const rowsSplit = scope.transpose(
        scope.reshape(padded, [batch, rows.blocks, strideHeight, cols.blocks * strideWidth * inChannels]),
        [2, 1, 3, 0],
      );
      // [sH, blocksH·blocksW, sW·Ci, B] → [sH, sW·Ci, blocksH·blocksW, B] → phases [sH·sW·Ci, blocksH, blocksW, B]
      const columnsSplit = scope.transpose(
        scope.reshape(rowsSplit, [strideHeight, rows.blocks * cols.blocks, strideWidth * inChannels, batch]),
        [0, 2, 1, 3],
      );
      const phases = scope.reshape(columnsSplit, [phaseCount * inChannels, rows.blocks, cols.blocks, batch]);
      // dy [B, OH, OW, Co] → filter [OH, OW, B, Co]
      const filter = scope.transpose(dy, [1, 2, 0, 3]);
      const convAttrs: Conv2DAttrs = { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [1, 1] };
      // → taps [sH·sW·Ci, tapsH, tapsW, Co]
      const taps = scope.run(tf.Conv2D, { x: phases, filter }, convAttrs);
      // [sH, sW, Ci, tapsH, tapsW, Co] → [tapsH, sH, tapsW, sW, Ci, Co], again as two 4-D transposes:
      // [sH, sW·Ci, tapsH, tapsW·Co] → [tapsH, sH, sW·Ci, tapsW·Co]
      const tapRows = scope.transpose(
        scope.reshape(taps, [strideHeight, strideWidth * inChannels, rows.taps, cols.taps * outChannels]),
        [2, 0, 1, 3],
      );
      // [tapsH·sH, sW·Ci, tapsW, Co] → [tapsH·sH, tapsW, sW·Ci, Co]
      const ordered = scope.transpose(
        scope.reshape(tapRows, [rows.taps * strideHeight, strideWidth * inChannels, cols.taps, outChannels]),
        [0, 2, 1, 3],
      );
      const fullHeight = rows.taps * strideHeight;
      const fullWidth = cols.taps * strideWidth;
      const full = scope.reshape(ordered, [fullHeight, fullWidth, inChannels, outChannels]);
      if (fullHeight === filterHeight && fullWidth === filterWidth) return full;
      // Taps beyond the kernel (when the stride does not divide it) read only padding; drop them.
      return scope.run(
        tf.Slice,
        { x: full },
        { begin: [0, 0, 0, 0], size: [filterHeight, filterWidth, inChannels, outChannels] },
      );
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
