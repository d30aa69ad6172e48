/**
 * Conv2DBackpropInput (the input gradient of conv2d, and the forward pass of conv2dTranspose) for the wasm backend.
 *
 * TF.js 4.22's wasm kernel for it is a plain C++ loop: 183 ms for the DCGAN generator layer 7×7×128 → 14×14×64 at
 * batch 64, where XNNPACK's forward conv of the same size takes 23 ms. This override (35 ms) rewrites it as one
 * XNNPACK conv2d by the sub-pixel (phase) decomposition:
 *
 *   dx[b, ih, iw, ci] = Σ dy[b, oh, ow, co] · W[kh, kw, ci, co]   over  ih + padTop = oh·s + kh  (columns alike)
 *
 * Write r = ih + padTop = m·s + p. Only taps kh = j·s + p reach phase p, from oh = m − j, so each phase is a stride-1
 * correlation of dy with the flipped sub-kernel W[j·s + p]. All s × s phases share one conv by stacking their
 * sub-kernels along the output channels, and a depth-to-space reorder (one 4-D transpose; the wasm DepthToSpace
 * kernel is ~10× slower) interleaves them back:
 *
 *   W [KH, KW, Ci, Co] → zero-extend to [⌈KH/s⌉·s, …] → flip taps → [⌈KH/s⌉, ⌈KW/s⌉, Co, s·s·Ci]
 *   conv2d(dy, that, stride 1, explicit padding) → [B, M, N, s·s·Ci] → interleave [B, M·s, N·s, Ci] → crop → dx
 *
 * When s divides the kernel (the DCGAN's k4 s2) the conv does the transposed conv's multiply-adds plus a border of
 * at most one block per side (1.3× at 14×14). NCHW (which the wasm Conv2D does not run either) falls back to the
 * stock kernel.
 */
import type {
  Conv2DAttrs,
  Conv2DBackpropInputAttrs,
  Conv2DBackpropInputInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from "@tensorflow/tfjs-core";

import { tf } from "../tf.js";
import { withKernelScope } from "./kernelScope.js";

/** The layout of one spatial axis (rows or columns) of the phase-decomposed transposed convolution. */
interface InputAxisPlan {
  /** Taps per phase: ⌈kernel / stride⌉. */
  taps: number;
  /** Zeros before dy in the conv: taps − 1 − firstBlock. */
  padBefore: number;
  /** Zeros after dy in the conv, so that it covers every block that holds an input position. */
  padAfter: number;
  /** Blocks (output positions of the conv) along this axis. */
  blocks: number;
  /** Where the input starts in the interleaved result: padTop − firstBlock·stride. */
  cropBefore: number;
}

function planInputAxis(inSize: number, kernel: number, stride: number, outSize: number, convPad: number) {
  const taps = Math.ceil(kernel / stride);
  // Blocks before the one holding input position 0 hold only padding; skip them (without padding dy negatively).
  const firstBlock = Math.min(Math.floor(convPad / stride), taps - 1);
  const endBlock = Math.ceil((inSize + convPad) / stride);
  const padBefore = taps - 1 - firstBlock;
  const padAfter = Math.max(endBlock - outSize, 0);
  return {
    taps,
    padBefore,
    padAfter,
    blocks: outSize + padBefore + padAfter - taps + 1,
    cropBefore: convPad - firstBlock * stride,
  } satisfies InputAxisPlan;
}

/** The kernel function; `stock` is the backend's own kernel, used for layouts this one does not handle. */
export function conv2dBackpropInputVia(backendName: string, stock: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args;
    const { dy, filter } = inputs as unknown as Conv2DBackpropInputInputs & { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    if (dataFormat === "NCHW") return stock.kernelFunc(args);

    const [kernelHeight, kernelWidth, inChannels, outChannels] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      [kernelHeight, kernelWidth, inChannels, outChannels],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, strideHeight, strideWidth } = info;
    const rows = planInputAxis(inHeight, kernelHeight, strideHeight, info.outHeight, info.padInfo.top);
    const cols = planInputAxis(inWidth, kernelWidth, strideWidth, info.outWidth, info.padInfo.left);
    const phaseChannels = strideHeight * strideWidth * inChannels;

    return withKernelScope(backend, backendName, (scope) => {
      // W [KH, KW, Ci, Co] → zero-extended [tapsH·sH, tapsW·sW, Ci, Co]
      const extendedHeight = rows.taps * strideHeight;
      const extendedWidth = cols.taps * strideWidth;
      let extended = filter;
      if (extendedHeight > kernelHeight || extendedWidth > kernelWidth) {
        const paddings = [
          [0, extendedHeight - kernelHeight],
          [0, extendedWidth - kernelWidth],
          [0, 0],
          [0, 0],
        ];
        extended = scope.run(tf.PadV2, { x: filter }, { paddings, constantValue: 0 });
      }
      // Flip the taps (not the phases): [tapsH, sH, tapsW, sW·Ci·Co] reversed on axes 0 and 2.
      const byTap = scope.reshape(extended, [
        rows.taps,
        strideHeight,
        cols.taps,
        strideWidth * inChannels * outChannels,
      ]);
      const flipped = scope.run(tf.Reverse, { x: byTap }, { dims: [0, 2] });
      // [tapsH, sH, tapsW, sW·Ci·Co] → [tapsH, tapsW, sH, sW·Ci·Co]   (transposes kept at rank ≤ 4: the wasm
      // Transpose has fast paths up to rank 4 only)
      const tapsFirst = scope.transpose(flipped, [0, 2, 1, 3]);
      // [tapsH·tapsW, sH·sW·Ci, Co] → [tapsH·tapsW, Co, sH·sW·Ci] → [tapsH, tapsW, Co, sH·sW·Ci]
      const channelsLast = scope.transpose(
        scope.reshape(tapsFirst, [rows.taps * cols.taps, phaseChannels, outChannels]),
        [0, 2, 1],
      );
      const phaseFilter = scope.reshape(channelsLast, [rows.taps, cols.taps, outChannels, phaseChannels]);
      // dy [B, OH, OW, Co] → phases [B, blocksH, blocksW, sH·sW·Ci]
      const convAttrs: Conv2DAttrs = {
        strides: [1, 1],
        pad: [
          [0, 0],
          [rows.padBefore, rows.padAfter],
          [cols.padBefore, cols.padAfter],
          [0, 0],
        ],
        dataFormat: "NHWC",
        dilations: [1, 1],
      };
      const phases = scope.run(tf.Conv2D, { x: dy, filter: phaseFilter }, convAttrs);
      // [B·blocksH, blocksW, sH, sW·Ci] → [B·blocksH, sH, blocksW, sW·Ci] → [B, blocksH·sH, blocksW·sW, Ci]
      const grouped = scope.reshape(phases, [
        batchSize * rows.blocks,
        cols.blocks,
        strideHeight,
        strideWidth * inChannels,
      ]);
      const fullHeight = rows.blocks * strideHeight;
      const fullWidth = cols.blocks * strideWidth;
      const interleaved = scope.reshape(scope.transpose(grouped, [0, 2, 1, 3]), [
        batchSize,
        fullHeight,
        fullWidth,
        inChannels,
      ]);
      if (rows.cropBefore === 0 && cols.cropBefore === 0 && fullHeight === inHeight && fullWidth === inWidth) {
        return interleaved;
      }
      return scope.run(
        tf.Slice,
        { x: interleaved },
        { begin: [0, rows.cropBefore, cols.cropBefore, 0], size: [batchSize, inHeight, inWidth, inChannels] },
      );
    });
  };
}

/** Replaces the stock kernel, keeping its set-up and tear-down (it still serves NCHW). */
export function conv2dBackpropInputConfig(backendName: string, stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: conv2dBackpropInputVia(backendName, stock),
  };
}
