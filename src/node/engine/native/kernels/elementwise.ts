/**
 * Element-wise kernels in C++: unary maps, broadcasting binary maps and comparisons, Select and AddN.
 * float32 only; everything else falls back to the cpu kernels.
 */
import { backend_util, type TensorInfo } from "@tensorflow/tfjs-core";

import { BinaryOp, UnaryOp } from "../addon.js";
import { allFloat32, sizeOf, type NativeKernelArgs, type NativeKernelConfig } from "../backend.js";

/** TF.js unary kernel name -> (native op, how to read alpha/beta from the attributes). */
const UNARY_KERNELS: Record<
  string,
  {
    op: number;
    alpha?: (attrs: NativeKernelArgs["attrs"]) => number;
    beta?: (attrs: NativeKernelArgs["attrs"]) => number;
  }
> = {
  Neg: { op: UnaryOp.neg },
  Abs: { op: UnaryOp.abs },
  Square: { op: UnaryOp.square },
  Sqrt: { op: UnaryOp.sqrt },
  Rsqrt: { op: UnaryOp.rsqrt },
  Reciprocal: { op: UnaryOp.reciprocal },
  Exp: { op: UnaryOp.exp },
  Log: { op: UnaryOp.log },
  Log1p: { op: UnaryOp.log1p },
  Expm1: { op: UnaryOp.expm1 },
  Tanh: { op: UnaryOp.tanh },
  Sigmoid: { op: UnaryOp.sigmoid },
  Softplus: { op: UnaryOp.softplus },
  Elu: { op: UnaryOp.elu },
  Relu: { op: UnaryOp.relu },
  Relu6: { op: UnaryOp.relu6 },
  LeakyRelu: { op: UnaryOp.leakyRelu, alpha: (attrs) => (attrs?.["alpha"] as number | undefined) ?? 0.2 },
  Step: { op: UnaryOp.step, alpha: (attrs) => (attrs?.["alpha"] as number | undefined) ?? 0 },
  Sign: { op: UnaryOp.sign },
  ClipByValue: {
    op: UnaryOp.clip,
    alpha: (attrs) => attrs?.["clipValueMin"] as number,
    beta: (attrs) => attrs?.["clipValueMax"] as number,
  },
  Floor: { op: UnaryOp.floor },
  Ceil: { op: UnaryOp.ceil },
};

/** TF.js binary kernel name -> native op. */
const BINARY_KERNELS: Record<string, number> = {
  Add: BinaryOp.add,
  Sub: BinaryOp.sub,
  Multiply: BinaryOp.mul,
  RealDiv: BinaryOp.div,
  Maximum: BinaryOp.maximum,
  Minimum: BinaryOp.minimum,
  SquaredDifference: BinaryOp.squaredDifference,
  Pow: BinaryOp.pow,
  Greater: BinaryOp.greater,
  GreaterEqual: BinaryOp.greaterEqual,
  Less: BinaryOp.less,
  LessEqual: BinaryOp.lessEqual,
  Equal: BinaryOp.equal,
  NotEqual: BinaryOp.notEqual,
};

const FIRST_COMPARISON = 100;

function unaryKernel(name: string): NativeKernelConfig {
  const spec = UNARY_KERNELS[name]!;
  return {
    kernelName: name,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      if (x.dtype !== "float32") return undefined;
      const out = backend.allocate(sizeOf(x.shape));
      backend.addon.unary(spec.op, backend.floats(x), out, spec.alpha?.(attrs) ?? 0, spec.beta?.(attrs) ?? 0);
      return backend.output(out, x.shape);
    },
  };
}

function binaryKernel(name: string): NativeKernelConfig {
  const op = BINARY_KERNELS[name]!;
  const comparison = op >= FIRST_COMPARISON;
  return {
    kernelName: name,
    kernelFunc: ({ inputs, backend }) => {
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const size = sizeOf(outShape);
      const out = comparison ? backend.allocateBool(size) : backend.allocate(size);
      if (size > 0) {
        backend.addon.binary(op, backend.floats(a), a.shape, backend.floats(b), b.shape, out, outShape);
      }
      return backend.output(out, outShape, comparison ? "bool" : "float32");
    },
  };
}

/** Select (tf.where): condition, t, e of one shape. */
function select({ inputs, backend }: NativeKernelArgs): TensorInfo | undefined {
  const { condition, t, e } = inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
  if (!allFloat32(t, e) || condition.dtype !== "bool") return undefined;
  const size = sizeOf(t.shape);
  if (sizeOf(condition.shape) !== size || sizeOf(e.shape) !== size) return undefined;
  const conditionValues = backend.data.get(condition.dataId).values;
  if (!(conditionValues instanceof Uint8Array)) return undefined;
  const out = backend.allocate(size);
  backend.addon.select(conditionValues, backend.floats(t), backend.floats(e), out);
  return backend.output(out, t.shape);
}

/** AddN: the sum of same-shaped tensors. */
function addN({ inputs, backend }: NativeKernelArgs): TensorInfo | undefined {
  const tensors = Object.values(inputs) as TensorInfo[];
  const first = tensors[0];
  if (first === undefined || !allFloat32(...tensors)) return undefined;
  const size = sizeOf(first.shape);
  if (tensors.some((tensor) => sizeOf(tensor.shape) !== size)) return undefined;
  const out = backend.allocate(size);
  out.set(backend.floats(first));
  const shape = [size];
  for (const tensor of tensors.slice(1)) {
    backend.addon.binary(BinaryOp.add, out, shape, backend.floats(tensor), shape, out, shape);
  }
  return backend.output(out, first.shape);
}

/**
 * Cast bool/int32 -> float32 into a real Float32Array (the cpu kernel shares the source's integer array, which
 * every native kernel downstream would have to convert again). Other casts: the cpu kernel.
 */
function cast({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const { x } = inputs as { x: TensorInfo };
  if (attrs?.["dtype"] !== "float32" || (x.dtype !== "bool" && x.dtype !== "int32")) return undefined;
  const values = backend.data.get(x.dataId).values as Uint8Array | Int32Array;
  return backend.output(Float32Array.from(values), x.shape);
}

/** The element-wise kernels of the native backend. */
export const elementwiseKernels: NativeKernelConfig[] = [
  ...Object.keys(UNARY_KERNELS).map(unaryKernel),
  ...Object.keys(BINARY_KERNELS).map(binaryKernel),
  { kernelName: "Select", kernelFunc: select },
  { kernelName: "AddN", kernelFunc: addN },
  { kernelName: "Cast", kernelFunc: cast },
];
