// A fused Adam update: the ~13 element-wise ops of an Adam step (src/core/training/optimizers.ts) in one pass.
// Operation order and float32 rounding follow that op chain exactly, so results are bit-identical to it.
#include <cmath>

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

}  // namespace

void registerOptimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, Adam, "adam"));
}

}  // namespace tsgan
