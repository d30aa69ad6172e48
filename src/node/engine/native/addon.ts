/**
 * Loading of the native addon (native/build/Release/tsgan_native.node, built by `npm install` through
 * native/build.mjs) and its typed interface. The operation codes below mirror the enums in native/src/*.cc.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Convolution passes of `conv2d` (native/src/conv.cc). */
export const ConvPass = { forward: 0, backwardData: 1, backwardWeights: 2 } as const;
export type ConvPass = (typeof ConvPass)[keyof typeof ConvPass];

/** Fused activation codes of `conv2d` and `matmul` (native/src/activation.h). */
export const FusedActivation = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  leakyrelu: 4,
  sigmoid: 5,
  tanh: 6,
} as const;

/** Unary operation codes of `unary` (native/src/elementwise.cc). */
export const UnaryOp = {
  neg: 0,
  abs: 1,
  square: 2,
  sqrt: 3,
  rsqrt: 4,
  reciprocal: 5,
  exp: 6,
  log: 7,
  log1p: 8,
  tanh: 9,
  sigmoid: 10,
  relu: 11,
  relu6: 12,
  leakyRelu: 13,
  step: 14,
  softplus: 15,
  elu: 16,
  sign: 17,
  clip: 18,
  expm1: 19,
  floor: 20,
  ceil: 21,
  linear: 22,
} as const;

/** Binary operation codes of `binary`; codes from 100 on are comparisons with bool (Uint8Array) output. */
export const BinaryOp = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  squaredDifference: 6,
  pow: 7,
  greater: 100,
  greaterEqual: 101,
  less: 102,
  lessEqual: 103,
  equal: 104,
  notEqual: 105,
} as const;

/** Activation-gradient codes of `activationGrad` (native/src/gradients.cc). */
export const ActivationGradOp = { relu: 0, leakyRelu: 1, tanh: 2, sigmoid: 3, square: 4 } as const;

/** Reduction codes of `reduce` (native/src/reduce.cc). */
export const ReduceOp = { sum: 0, mean: 1, max: 2, min: 3, prod: 4 } as const;

/** What the addon reports about itself. */
export interface NativeInfo {
  onednn: string;
  threads: number;
  processors: number;
  isa: string;
}

/** The functions the addon exports (all synchronous; outputs are caller-allocated typed arrays). */
export interface NativeAddon {
  info(): NativeInfo;
  setNumThreads(count: number): number;
  /** params: N,H,W,C, OH,OW,OC, KH,KW, strideH,strideW, dilationH,dilationW, padTop,padLeft. */
  conv2d(
    pass: ConvPass,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    params: Int32Array,
    bias?: Float32Array | null,
    activation?: number,
    alpha?: number,
  ): void;
  conv2dImplementation(pass: ConvPass, params: Int32Array): string;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    bias?: Float32Array | null,
    activation?: number,
    alpha?: number,
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number, beta: number): void;
  binary(
    op: number,
    a: Float32Array,
    aShape: number[],
    b: Float32Array,
    bShape: number[],
    out: Float32Array | Uint8Array,
    outShape: number[],
  ): void;
  select(condition: Uint8Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, length: number, inner: number): void;
  extremumGrad(
    x: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    out: Float32Array,
    outer: number,
    length: number,
    inner: number,
  ): void;
  tile(x: Float32Array, inShape: number[], out: Float32Array, reps: number[]): void;
  /** out = x with its axes permuted by perm (out's axis i is x's axis perm[i]). */
  transpose(x: Float32Array, inShape: number[], perm: number[], out: Float32Array): void;
  /** coefficients: [β1, 1 − β1, β2, 1 − β2, √(1 − β2^t), ε, α / (1 − β1^t)]. */
  adam(
    variable: Float32Array,
    gradient: Float32Array,
    m: Float32Array,
    v: Float32Array,
    newVariable: Float32Array,
    newM: Float32Array,
    newV: Float32Array,
    coefficients: Float64Array,
  ): void;
  /** u' = u·μ − g·α; θ' = θ + u'. coefficients: [μ, α]. */
  momentumSgd(
    variable: Float32Array,
    gradient: Float32Array,
    velocity: Float32Array,
    newVariable: Float32Array,
    newVelocity: Float32Array,
    coefficients: Float64Array,
  ): void;
  /** a' = a·β + x·(1 − β). coefficients: [β, 1 − β]. */
  movingAverage(average: Float32Array, value: Float32Array, newAverage: Float32Array, coefficients: Float64Array): void;
  /** Σ x² over every element of every array, in float64 (independent of the thread count). */
  sumOfSquares(arrays: Float32Array[]): number;
  batchNormTraining(
    x: Float32Array,
    scale: Float32Array | null,
    offset: Float32Array | null,
    epsilon: number,
    channels: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  batchNormTrainingGrad(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    epsilon: number,
    channels: number,
    dx: Float32Array,
    dScale: Float32Array,
    dOffset: Float32Array,
  ): void;
  activationGrad(op: number, dy: Float32Array, other: Float32Array, out: Float32Array, alpha: number): void;
  batchNormGrad(
    x: Float32Array,
    dy: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    epsilon: number,
    channels: number,
    dx: Float32Array,
    dMean: Float32Array,
    dVariance: Float32Array,
    dScale: Float32Array,
    dOffset: Float32Array,
  ): void;
  batchNorm(
    x: Float32Array,
    out: Float32Array,
    channels: number,
    mean: Float32Array,
    meanLength: number,
    variance: Float32Array,
    varianceLength: number,
    offset: Float32Array | null,
    offsetLength: number,
    scale: Float32Array | null,
    scaleLength: number,
    epsilon: number,
  ): void;
}

/** Where the addon is looked for: $TSGAN_NATIVE_ADDON, else native/build/Release/ of this package. */
export function addonPath(): string {
  const override = process.env["TSGAN_NATIVE_ADDON"];
  if (override !== undefined && override !== "") return resolve(override);
  // This file sits at src/node/engine/native/ (or dist/node/engine/native/): four levels below the root.
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
  return resolve(packageRoot, "native/build/Release/tsgan_native.node");
}

/** One line telling how to get the fast engine (printed once when it is missing). */
export const INSTALL_HINT =
  "tsgan: native engine unavailable; for the fast CPU engine run `apt-get install -y libdnnl-dev && npm rebuild tsgan` " +
  "(or `node native/build.mjs` in a checkout)";

/**
 * OpenMP's idle threads spin this many times before sleeping. libgomp's default (300 000, ~1 ms) lets a waiting
 * thread burn a core after every parallel region; when other processes share the 2 cores that spinning steals the
 * core the working thread needs: measured here under load, a DCGAN step took ~1 660 ms with the default and ~100 ms
 * with this short spin. Set OMP_WAIT_POLICY or GOMP_SPINCOUNT yourself to override it.
 */
export const DEFAULT_SPIN_COUNT = "1000";

let loaded: { addon: NativeAddon } | { error: string } | undefined;

/** Loads the addon once; returns it, or why it could not be loaded. */
export function loadAddon(): { addon: NativeAddon } | { error: string } {
  if (loaded !== undefined) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    loaded = { error: `addon not built (${path} is missing)` };
    return loaded;
  }
  // libgomp reads its environment when it is loaded, i.e. with the addon just below.
  if (process.env["OMP_WAIT_POLICY"] === undefined && process.env["GOMP_SPINCOUNT"] === undefined) {
    process.env["GOMP_SPINCOUNT"] = DEFAULT_SPIN_COUNT;
  }
  try {
    const require = createRequire(import.meta.url);
    loaded = { addon: require(path) as NativeAddon };
  } catch (error) {
    loaded = { error: `addon failed to load: ${(error as Error).message}` };
  }
  return loaded;
}
