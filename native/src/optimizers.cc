// Fused optimizer updates: the ~13 element-wise ops of an Adam step, the 4 of a momentum-SGD step
// (src/core/training/optimizers.ts) and the 3 of an exponential moving average (src/core/training/ema.ts), each in
// one pass. Operation order and float32 rounding follow those op chains exactly, so results are bit-identical to them.
// And the global gradient norm √(Σ g²) over a list of arrays in one call (instead of square + sum per gradient).
#include <cmath>
#include <vector>

#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/**
 * adam(variable, gradient, m, v, newVariable, newM, newV, coefficients Float64Array):
 *   m' = m·β1 + g·(1 − β1);  v' = v·β2 + g²·(1 − β2)
 *   θ' = θ − (m' / (√v' / c2 + ε)) · (α / c1)          with c1 = 1 − β1^t, c2 = √(1 − β2^t)
 * coefficients: [β1, 1 − β1, β2, 1 − β2, c2, ε, α / c1] (computed in double by the caller, rounded here to
 * float32 as TF.js rounds scalar operands).
 */
Napi::Value Adam(const Napi::CallbackInfo& info) {
  auto variableArray = info[0].As<Napi::Float32Array>();
  const float* variable = floatArg(info, 0);
  const float* gradient = floatArg(info, 1);
  const float* m = floatArg(info, 2);
  const float* v = floatArg(info, 3);
  float* newVariable = floatArg(info, 4);
  float* newM = floatArg(info, 5);
  float* newV = floatArg(info, 6);
  auto coefficients = info[7].As<Napi::Float64Array>();
  if (coefficients.ElementLength() != 7) throw Napi::Error::New(info.Env(), "adam: expected 7 coefficients");
  const float beta1 = static_cast<float>(coefficients[0]);
  const float oneMinusBeta1 = static_cast<float>(coefficients[1]);
  const float beta2 = static_cast<float>(coefficients[2]);
  const float oneMinusBeta2 = static_cast<float>(coefficients[3]);
  const float secondCorrection = static_cast<float>(coefficients[4]);
  const float epsilon = static_cast<float>(coefficients[5]);
  const float stepSize = static_cast<float>(coefficients[6]);
  const int64_t n = static_cast<int64_t>(variableArray.ElementLength());
  parallelFor(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; i++) {
      const float g = gradient[i];
      const float mNext = m[i] * beta1 + g * oneMinusBeta1;
      const float square = g * g;
      const float vNext = v[i] * beta2 + square * oneMinusBeta2;
      const float denominator = std::sqrt(vNext) / secondCorrection + epsilon;
      const float update = (mNext / denominator) * stepSize;
      newM[i] = mNext;
      newV[i] = vNext;
      newVariable[i] = variable[i] - update;
    }
  });
  return info.Env().Undefined();
}

/**
 * momentumSgd(variable, gradient, velocity, newVariable, newVelocity, coefficients Float64Array):
 *   u' = u·μ − g·α;  θ' = θ + u'
 * coefficients: [μ, α] (rounded here to float32 as TF.js rounds scalar operands).
 */
Napi::Value MomentumSgd(const Napi::CallbackInfo& info) {
  auto variableArray = info[0].As<Napi::Float32Array>();
  const float* variable = floatArg(info, 0);
  const float* gradient = floatArg(info, 1);
  const float* velocity = floatArg(info, 2);
  float* newVariable = floatArg(info, 3);
  float* newVelocity = floatArg(info, 4);
  auto coefficients = info[5].As<Napi::Float64Array>();
  if (coefficients.ElementLength() != 2) throw Napi::Error::New(info.Env(), "momentumSgd: expected 2 coefficients");
  const float momentum = static_cast<float>(coefficients[0]);
  const float learningRate = static_cast<float>(coefficients[1]);
  const int64_t n = static_cast<int64_t>(variableArray.ElementLength());
  parallelFor(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; i++) {
      const float velocityNext = velocity[i] * momentum - gradient[i] * learningRate;
      newVelocity[i] = velocityNext;
      newVariable[i] = variable[i] + velocityNext;
    }
  });
  return info.Env().Undefined();
}

/**
 * movingAverage(average, value, newAverage, coefficients Float64Array):  a' = a·β + x·(1 − β)
 * coefficients: [β, 1 − β] (computed in double by the caller, rounded here to float32).
 */
Napi::Value MovingAverage(const Napi::CallbackInfo& info) {
  auto averageArray = info[0].As<Napi::Float32Array>();
  const float* average = floatArg(info, 0);
  const float* value = floatArg(info, 1);
  float* newAverage = floatArg(info, 2);
  auto coefficients = info[3].As<Napi::Float64Array>();
  if (coefficients.ElementLength() != 2) throw Napi::Error::New(info.Env(), "movingAverage: expected 2 coefficients");
  const float decay = static_cast<float>(coefficients[0]);
  const float oneMinusDecay = static_cast<float>(coefficients[1]);
  const int64_t n = static_cast<int64_t>(averageArray.ElementLength());
  parallelFor(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; i++) newAverage[i] = average[i] * decay + value[i] * oneMinusDecay;
  });
  return info.Env().Undefined();
}

/** Elements per block of sumOfSquares: each block is summed on its own, then the block sums in order. */
constexpr int64_t kSquaresBlock = 4096;
/** Independent accumulators per block (the additions of one accumulator wait on each other). */
constexpr int kSquaresLanes = 16;

/** Σ x² of one block in float64, kSquaresLanes interleaved partial sums. */
double blockSumOfSquares(const float* x, int64_t length) {
  double lanes[kSquaresLanes] = {};
  int64_t i = 0;
  for (; i + kSquaresLanes <= length; i += kSquaresLanes) {
#pragma omp simd
    for (int lane = 0; lane < kSquaresLanes; lane++) {
      const double value = x[i + lane];
      lanes[lane] += value * value;
    }
  }
  double sum = 0;
  for (; i < length; i++) sum += static_cast<double>(x[i]) * x[i];
  for (double lane : lanes) sum += lane;
  return sum;
}

/**
 * sumOfSquares(arrays: Float32Array[]) -> number: Σ over every element of every array of x², in float64. Blocks
 * of kSquaresBlock elements are summed in parallel and their sums added in a fixed order, so the result does not
 * depend on the thread count.
 */
Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  auto list = info[0].As<Napi::Array>();
  std::vector<const float*> data;
  std::vector<int64_t> lengths, firstBlock;
  int64_t blocks = 0;
  for (uint32_t index = 0; index < list.Length(); index++) {
    Napi::Value item = list.Get(index);
    if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(info.Env(), "sumOfSquares: every array must be a Float32Array");
    }
    auto array = item.As<Napi::Float32Array>();
    data.push_back(array.Data());
    lengths.push_back(static_cast<int64_t>(array.ElementLength()));
    firstBlock.push_back(blocks);
    blocks += (lengths.back() + kSquaresBlock - 1) / kSquaresBlock;
  }
  std::vector<double> blockSums(static_cast<size_t>(blocks), 0.0);
  for (size_t array = 0; array < data.size(); array++) {
    const int64_t count = (lengths[array] + kSquaresBlock - 1) / kSquaresBlock;
    const float* x = data[array];
    const int64_t length = lengths[array];
    double* sums = blockSums.data() + firstBlock[array];
    parallelFor(count, [=](int64_t begin, int64_t end) {
      for (int64_t block = begin; block < end; block++) {
        const int64_t start = block * kSquaresBlock;
        sums[block] = blockSumOfSquares(x + start, std::min(kSquaresBlock, length - start));
      }
    }, std::max<int64_t>(1, kParallelThreshold / kSquaresBlock));
  }
  double total = 0;
  for (double sum : blockSums) total += sum;
  return Napi::Number::New(info.Env(), total);
}

}  // namespace

void registerOptimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, Adam, "adam"));
  exports.Set("momentumSgd", Napi::Function::New(env, MomentumSgd, "momentumSgd"));
  exports.Set("movingAverage", Napi::Function::New(env, MovingAverage, "movingAverage"));
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares, "sumOfSquares"));
}

}  // namespace tsgan
