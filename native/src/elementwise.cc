// Element-wise kernels: unary maps, broadcasting binary maps and comparisons, select.
// Cheap maps are plain loops (vectorized by the compiler, split over the OpenMP pool); transcendental maps
// (exp, log, tanh, sigmoid, softplus, elu) use oneDNN's JIT eltwise primitive, cached by size.
#include <cmath>
#include <limits>

#include "activation.h"
#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/** Unary operation codes (mirror UnaryOp in src/node/engine/native/addon.ts). */
enum class UnaryOp : int {
  Neg = 0, Abs = 1, Square = 2, Sqrt = 3, Rsqrt = 4, Reciprocal = 5, Exp = 6, Log = 7, Log1p = 8, Tanh = 9,
  Sigmoid = 10, Relu = 11, Relu6 = 12, LeakyRelu = 13, Step = 14, Softplus = 15, Elu = 16, Sign = 17,
  Clip = 18, Expm1 = 19, Floor = 20, Ceil = 21, Linear = 22,
};

/** Binary operation codes (mirror BinaryOp in addon.ts); codes from 100 on produce bool (uint8) outputs. */
enum class BinaryOp : int {
  Add = 0, Sub = 1, Mul = 2, Div = 3, Maximum = 4, Minimum = 5, SquaredDifference = 6, Pow = 7,
  Greater = 100, GreaterEqual = 101, Less = 102, LessEqual = 103, Equal = 104, NotEqual = 105,
};

/** From this many elements on, transcendental maps use oneDNN's JIT kernels (~20x faster than libm per element). */
constexpr int64_t kTranscendentalThreshold = 4096;

struct EltwiseBundle {
  dnnl::eltwise_forward primitive;
  dnnl::memory::desc desc;
};
PrimitiveCache<EltwiseBundle> eltwiseCache(512);

/** Runs a oneDNN eltwise primitive over n contiguous floats (in place allowed). */
void oneDnnEltwise(dnnl::algorithm algorithm, const float* x, float* out, int64_t n, float alpha, float beta) {
  std::vector<int64_t> key = {static_cast<int64_t>(algorithm), n, floatKey(alpha), floatKey(beta)};
  auto& bundle = eltwiseCache.get(key, [&] {
    dnnl::memory::desc desc({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
    dnnl::eltwise_forward::desc opDesc(dnnl::prop_kind::forward_inference, algorithm, desc, alpha, beta);
    dnnl::eltwise_forward::primitive_desc pd(opDesc, cpuEngine());
    return EltwiseBundle{dnnl::eltwise_forward(pd), desc};
  });
  dnnl::memory source(bundle.desc, cpuEngine(), const_cast<float*>(x));
  dnnl::memory destination(bundle.desc, cpuEngine(), out);
  bundle.primitive.execute(cpuStream(), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, destination}});
  cpuStream().wait();
}

/** Applies `function` to every element; the loop body sees local copies (so the compiler can vectorize it). */
template <typename Function>
void mapUnaryRange(const float* __restrict x, float* __restrict out, int64_t begin, int64_t end, Function function) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) out[i] = function(x[i]);
}

template <typename Function>
void mapUnary(const float* x, float* out, int64_t n, Function function) {
  parallelFor(n, [x, out, function](int64_t begin, int64_t end) { mapUnaryRange(x, out, begin, end, function); });
}

/**
 * unary(op, x, out, alpha, beta): out[i] = op(x[i]). alpha: LeakyRelu slope, Step's value at x <= 0, Clip's
 * lower bound, Linear's scale; beta: Clip's upper bound, Linear's shift.
 */
Napi::Value Unary(const Napi::CallbackInfo& info) {
  auto op = static_cast<UnaryOp>(intArg(info, 0));
  auto xArray = info[1].As<Napi::Float32Array>();
  const float* x = floatArg(info, 1);
  float* out = floatArg(info, 2);
  int64_t n = static_cast<int64_t>(xArray.ElementLength());
  float alpha = static_cast<float>(numberArg(info, 3));
  float beta = static_cast<float>(numberArg(info, 4));
  using algorithm = dnnl::algorithm;
  try {
    switch (op) {
      case UnaryOp::Neg: mapUnary(x, out, n, [](float v) { return -v; }); break;
      case UnaryOp::Abs: mapUnary(x, out, n, [](float v) { return std::fabs(v); }); break;
      case UnaryOp::Square: mapUnary(x, out, n, [](float v) { return v * v; }); break;
      case UnaryOp::Sqrt: mapUnary(x, out, n, [](float v) { return std::sqrt(v); }); break;
      case UnaryOp::Rsqrt: mapUnary(x, out, n, [](float v) { return 1.f / std::sqrt(v); }); break;
      case UnaryOp::Reciprocal: mapUnary(x, out, n, [](float v) { return 1.f / v; }); break;
      // Transcendental maps: oneDNN's vectorised JIT kernels from a few thousand elements on; for fewer, the C
      // library on this thread (a oneDNN primitive always forks the thread pool, which costs more than the work).
      case UnaryOp::Exp:
        if (n >= kTranscendentalThreshold) oneDnnEltwise(algorithm::eltwise_exp, x, out, n, 0.f, 0.f);
        else mapUnary(x, out, n, [](float v) { return std::exp(v); });
        break;
      case UnaryOp::Log:
        if (n >= kTranscendentalThreshold) oneDnnEltwise(algorithm::eltwise_log, x, out, n, 0.f, 0.f);
        else mapUnary(x, out, n, [](float v) { return std::log(v); });
        break;
      case UnaryOp::Log1p: mapUnary(x, out, n, [](float v) { return std::log1p(v); }); break;
      case UnaryOp::Expm1: mapUnary(x, out, n, [](float v) { return std::expm1(v); }); break;
      case UnaryOp::Tanh:
        if (n >= kTranscendentalThreshold) oneDnnEltwise(algorithm::eltwise_tanh, x, out, n, 0.f, 0.f);
        else mapUnary(x, out, n, [](float v) { return std::tanh(v); });
        break;
      case UnaryOp::Sigmoid:
        if (n >= kTranscendentalThreshold) oneDnnEltwise(algorithm::eltwise_logistic, x, out, n, 0.f, 0.f);
        else mapUnary(x, out, n, [](float v) { return 1.f / (1.f + std::exp(-v)); });
        break;
      case UnaryOp::Softplus:
        // max(x, 0) + log1p(exp(-|x|)): exact to float precision everywhere, never overflows.
        mapUnary(x, out, n, [](float v) { return std::max(v, 0.f) + std::log1p(std::exp(-std::fabs(v))); });
        break;
      case UnaryOp::Elu:
        if (n >= kTranscendentalThreshold) oneDnnEltwise(algorithm::eltwise_elu, x, out, n, 1.f, 0.f);
        else mapUnary(x, out, n, [](float v) { return v > 0.f ? v : std::expm1(v); });
        break;
      case UnaryOp::Relu: mapUnary(x, out, n, [](float v) { return v > 0.f ? v : (v == v ? 0.f : v); }); break;
      case UnaryOp::Relu6:
        mapUnary(x, out, n, [](float v) { return v != v ? v : std::min(std::max(v, 0.f), 6.f); });
        break;
      case UnaryOp::LeakyRelu:
        // Branch-free (vectorizes); NaN stays NaN through both min and max.
        mapUnary(x, out, n, [alpha](float v) { return std::max(v, 0.f) + alpha * std::min(v, 0.f); });
        break;
      case UnaryOp::Step:
        mapUnary(x, out, n, [alpha](float v) {
          const float result = v > 0.f ? 1.f : alpha;
          return v != v ? v : result;
        });
        break;
      case UnaryOp::Sign:
        mapUnary(x, out, n, [](float v) { return v > 0.f ? 1.f : (v < 0.f ? -1.f : (v == v ? 0.f : v)); });
        break;
      case UnaryOp::Clip:
        mapUnary(x, out, n, [alpha, beta](float v) { return v != v ? v : std::min(std::max(v, alpha), beta); });
        break;
      case UnaryOp::Floor: mapUnary(x, out, n, [](float v) { return std::floor(v); }); break;
      case UnaryOp::Ceil: mapUnary(x, out, n, [](float v) { return std::ceil(v); }); break;
      case UnaryOp::Linear: mapUnary(x, out, n, [alpha, beta](float v) { return alpha * v + beta; }); break;
      default: throw Napi::Error::New(info.Env(), "unary: unknown op " + std::to_string(static_cast<int>(op)));
    }
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("unary (oneDNN): ") + error.what());
  }
  return info.Env().Undefined();
}

/** NaN-propagating max/min, as JavaScript's Math.max / Math.min. */
// Written as a chain of selects (no nested branches) so that loops over them vectorize.
inline float maxPropagating(float a, float b) {
  float result = a > b ? a : b;
  result = b != b ? b : result;
  return a != a ? a : result;
}
inline float minPropagating(float a, float b) {
  float result = a < b ? a : b;
  result = b != b ? b : result;
  return a != a ? a : result;
}

/** Up to this many dimensions after merging (TF.js tensors have rank <= 6). */
constexpr int kMaxRank = 8;

/** Output shape and per-input strides (0 where broadcast) with mergeable dimensions merged. */
struct BroadcastPlan {
  int rank = 0;
  int64_t size[kMaxRank];
  int64_t strideA[kMaxRank];
  int64_t strideB[kMaxRank];
  int64_t total = 1;
};

BroadcastPlan planBroadcast(std::vector<int64_t> aShape, std::vector<int64_t> bShape,
                            const std::vector<int64_t>& outShape) {
  const size_t rank = outShape.size();
  aShape.insert(aShape.begin(), rank - aShape.size(), 1);
  bShape.insert(bShape.begin(), rank - bShape.size(), 1);
  // Strides of each input over the output's index space.
  std::vector<int64_t> sa(rank), sb(rank);
  int64_t runA = 1, runB = 1;
  for (size_t d = rank; d-- > 0;) {
    sa[d] = aShape[d] == 1 ? 0 : runA;
    sb[d] = bShape[d] == 1 ? 0 : runB;
    runA *= aShape[d];
    runB *= bShape[d];
  }
  BroadcastPlan plan;
  for (size_t d = 0; d < rank; d++) {
    plan.total *= outShape[d];
    if (outShape[d] == 1) continue;
    int last = plan.rank - 1;
    // Merge into the previous (outer) dimension when both inputs step through them as one.
    if (last >= 0 && plan.strideA[last] == sa[d] * outShape[d] && plan.strideB[last] == sb[d] * outShape[d]) {
      plan.size[last] *= outShape[d];
      plan.strideA[last] = sa[d];
      plan.strideB[last] = sb[d];
      continue;
    }
    if (plan.rank == kMaxRank) throw std::runtime_error("binary: rank too large");
    plan.size[plan.rank] = outShape[d];
    plan.strideA[plan.rank] = sa[d];
    plan.strideB[plan.rank] = sb[d];
    plan.rank++;
  }
  if (plan.rank == 0) {
    plan.rank = 1;
    plan.size[0] = 1;
    plan.strideA[0] = 0;
    plan.strideB[0] = 0;
  }
  return plan;
}

/** One contiguous output row: each input steps by 1 (vector) or 0 (broadcast scalar) along it. */
template <typename Out, typename Function>
void applyRow(const float* __restrict rowA, int64_t strideA, const float* __restrict rowB, int64_t strideB,
              Out* __restrict rowOut, int64_t count, Function function) {
  if (strideA == 1 && strideB == 1) {
#pragma omp simd
    for (int64_t i = 0; i < count; i++) rowOut[i] = function(rowA[i], rowB[i]);
  } else if (strideA == 1 && strideB == 0) {
    const float scalarB = rowB[0];
#pragma omp simd
    for (int64_t i = 0; i < count; i++) rowOut[i] = function(rowA[i], scalarB);
  } else if (strideA == 0 && strideB == 1) {
    const float scalarA = rowA[0];
#pragma omp simd
    for (int64_t i = 0; i < count; i++) rowOut[i] = function(scalarA, rowB[i]);
  } else {
    for (int64_t i = 0; i < count; i++) rowOut[i] = function(rowA[i * strideA], rowB[i * strideB]);
  }
}

/** Applies `function` over the output range [begin, end) of a broadcast plan. */
template <typename Out, typename Function>
void broadcastRange(const BroadcastPlan& plan, const float* a, const float* b, Out* out, int64_t begin,
                    int64_t end, Function function) {
  const int inner = plan.rank - 1;
  const int64_t innerSize = plan.size[inner];
  const int64_t innerA = plan.strideA[inner], innerB = plan.strideB[inner];
  // Multi-index of `begin` and the matching input offsets.
  int64_t index[kMaxRank];
  int64_t rest = begin, offsetA = 0, offsetB = 0;
  for (int d = inner; d >= 0; d--) {
    index[d] = rest % plan.size[d];
    rest /= plan.size[d];
    offsetA += index[d] * plan.strideA[d];
    offsetB += index[d] * plan.strideB[d];
  }
  int64_t position = begin;
  while (position < end) {
    int64_t count = std::min(innerSize - index[inner], end - position);
    applyRow(a + offsetA, innerA, b + offsetB, innerB, out + position, count, function);
    position += count;
    // Advance the multi-index by `count` (the inner dimension wraps at most once per row).
    offsetA += count * innerA;
    offsetB += count * innerB;
    index[inner] += count;
    for (int d = inner; d > 0 && index[d] == plan.size[d]; d--) {
      offsetA -= plan.size[d] * plan.strideA[d];
      offsetB -= plan.size[d] * plan.strideB[d];
      index[d] = 0;
      index[d - 1]++;
      offsetA += plan.strideA[d - 1];
      offsetB += plan.strideB[d - 1];
    }
  }
}

template <typename Out, typename Function>
void broadcastMap(const BroadcastPlan& plan, const float* a, const float* b, Out* out, Function function) {
  parallelFor(plan.total, [&plan, a, b, out, function](int64_t begin, int64_t end) {
    broadcastRange(plan, a, b, out, begin, end, function);
  });
}

/**
 * binary(op, a, aShape, b, bShape, out, outShape): out = op(a, b) with NumPy broadcasting. `out` is a
 * Float32Array for arithmetic ops and a Uint8Array for comparisons.
 */
Napi::Value Binary(const Napi::CallbackInfo& info) {
  auto op = static_cast<BinaryOp>(intArg(info, 0));
  const float* a = floatArg(info, 1);
  std::vector<int64_t> aShape = intsArg(info, 2);
  const float* b = floatArg(info, 3);
  std::vector<int64_t> bShape = intsArg(info, 4);
  std::vector<int64_t> outShape = intsArg(info, 6);
  BroadcastPlan plan;
  try {
    plan = planBroadcast(aShape, bShape, outShape);
  } catch (const std::exception& error) {
    throw Napi::Error::New(info.Env(), error.what());
  }
  if (static_cast<int>(op) >= 100) {
    uint8_t* out = byteArg(info, 5);
    switch (op) {
      case BinaryOp::Greater: broadcastMap(plan, a, b, out, [](float x, float y) -> uint8_t { return x > y; }); break;
      case BinaryOp::GreaterEqual: broadcastMap(plan, a, b, out, [](float x, float y) -> uint8_t { return x >= y; }); break;
      case BinaryOp::Less: broadcastMap(plan, a, b, out, [](float x, float y) -> uint8_t { return x < y; }); break;
      case BinaryOp::LessEqual: broadcastMap(plan, a, b, out, [](float x, float y) -> uint8_t { return x <= y; }); break;
      case BinaryOp::Equal: broadcastMap(plan, a, b, out, [](float x, float y) -> uint8_t { return x == y; }); break;
      case BinaryOp::NotEqual: broadcastMap(plan, a, b, out, [](float x, float y) -> uint8_t { return x != y; }); break;
      default: throw Napi::Error::New(info.Env(), "binary: unknown comparison");
    }
    return info.Env().Undefined();
  }
  float* out = floatArg(info, 5);
  switch (op) {
    case BinaryOp::Add: broadcastMap(plan, a, b, out, [](float x, float y) { return x + y; }); break;
    case BinaryOp::Sub: broadcastMap(plan, a, b, out, [](float x, float y) { return x - y; }); break;
    case BinaryOp::Mul: broadcastMap(plan, a, b, out, [](float x, float y) { return x * y; }); break;
    case BinaryOp::Div: broadcastMap(plan, a, b, out, [](float x, float y) { return x / y; }); break;
    case BinaryOp::Maximum: broadcastMap(plan, a, b, out, maxPropagating); break;
    case BinaryOp::Minimum: broadcastMap(plan, a, b, out, minPropagating); break;
    case BinaryOp::SquaredDifference:
      broadcastMap(plan, a, b, out, [](float x, float y) { return (x - y) * (x - y); });
      break;
    case BinaryOp::Pow: broadcastMap(plan, a, b, out, [](float x, float y) { return std::pow(x, y); }); break;
    default: throw Napi::Error::New(info.Env(), "binary: unknown op");
  }
  return info.Env().Undefined();
}

/** select(condition, a, b, out): out[i] = condition[i] ? a[i] : b[i] (all the same size). */
Napi::Value Select(const Napi::CallbackInfo& info) {
  const uint8_t* condition = byteArg(info, 0);
  const float* a = floatArg(info, 1);
  const float* b = floatArg(info, 2);
  auto outArray = info[3].As<Napi::Float32Array>();
  float* out = floatArg(info, 3);
  int64_t n = static_cast<int64_t>(outArray.ElementLength());
  parallelFor(n, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; i++) {
      const float whenTrue = a[i], whenFalse = b[i];  // both loaded: lets the compiler use a blend
      out[i] = condition[i] ? whenTrue : whenFalse;
    }
  });
  return info.Env().Undefined();
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("select", Napi::Function::New(env, Select, "select"));
}

}  // namespace tsgan
